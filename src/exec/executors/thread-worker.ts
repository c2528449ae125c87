/**
 * The body of an executor thread: runs the tasks the driver sends (any number at once, each an
 * async job on this thread's event loop), keeps its map outputs in a `ShuffleStore` (in shared
 * memory, in files on disk, or both), publishes each finished one to the other executor threads
 * (which keep it as a mirror and read it in place — the files from their paths — with no round
 * trip through this thread's event loop), and answers their fetches of what they do not have over
 * the ports the pool gives it. Cached tables' batches arrive over shared memory and
 * are kept where this thread's scans of them find them (catalog/memory/cached-tables.ts).
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { createFunctionRegistry } from '../../functions/index.ts';
import { dropCachedData, putCachedData } from '../../catalog/index.ts';
import { fromWireBatch, toWireBatch } from '../arrow-transfer.ts';
import { ShuffleStore, type MapOutputBucket } from '../exchange/shuffle-store.ts';
import { TaskCache, runTask, type ExecutorServices } from '../task-runner.ts';
import type { ExecutorId } from '../task.ts';
import type { FromExecutor, PeerMessage, ThreadWorkerData, ToExecutor } from './thread-messages.ts';

const port = parentPort;
if (port === null) throw new Error('thread-worker.ts must run in a worker thread');
const data = workerData as ThreadWorkerData;

interface Job {
  readonly abort: AbortController;
  credits: number;
  wake: (() => void) | null;
}

const jobs = new Map<number, Job>();
const store = new ShuffleStore();
/** Map outputs other executor threads published (their bytes are charged where they were made). */
const mirrors = new ShuffleStore();
/**
 * Queries released lately, and stages (`queryId/stageId`): an output published by another thread
 * that arrives after the release (another channel, another order) is not kept. An output of a
 * released stage that ran again is not mirrored either: the tasks reading it fetch it from its
 * holder.
 */
const released = new Set<string>();
const releasedStages = new Set<string>();
const RELEASED_KEPT = 4096;

/** Adds `key` to a set of recent releases, forgetting the oldest past `RELEASED_KEPT`. */
function remember(set: Set<string>, key: string): void {
  set.add(key);
  if (set.size > RELEASED_KEPT) set.delete(set.values().next().value!);
}
const cache = new TaskCache();
const functions = createFunctionRegistry();
const peers = new Map<ExecutorId, MessagePort>();
const pending = new Map<
  number,
  { resolve: (b: MapOutputBucket) => void; reject: (e: Error) => void; peer: ExecutorId }
>();
let nextRequest = 1;

const post = (message: FromExecutor): void => port.postMessage(message);

const services: ExecutorServices = {
  executorId: data.executorId,
  functions,
  store,
  fetch(executorId, queryId, stageId, map, bucket) {
    const peer = peers.get(executorId);
    if (peer === undefined) return Promise.reject(new Error(`executor ${executorId} is gone`));
    return new Promise((resolve, reject) => {
      const requestId = nextRequest++;
      pending.set(requestId, { resolve, reject, peer: executorId });
      const message: PeerMessage = { type: 'fetch', requestId, queryId, stageId, map, bucket };
      peer.postMessage(message);
    });
  },
  publish(queryId, stageId, map, output) {
    const message: PeerMessage = { type: 'outputs', queryId, stageId, map, output };
    for (const peer of peers.values()) peer.postMessage(message);
  },
  mirrors,
};

function onPeerMessage(peer: MessagePort, message: PeerMessage): void {
  if (message.type === 'outputs') {
    if (!released.has(message.queryId) && !releasedStages.has(`${message.queryId}/${message.stageId}`))
      mirrors.put(message.queryId, message.stageId, message.map, message.output, null);
    return;
  }
  if (message.type === 'fetch') {
    const bucket = store.get(message.queryId, message.stageId, message.map, message.bucket) ?? null;
    const reply: PeerMessage = { type: 'blocks', requestId: message.requestId, bucket };
    peer.postMessage(reply);
    return;
  }
  const request = pending.get(message.requestId);
  if (request === undefined) return;
  pending.delete(message.requestId);
  if (message.bucket === null) request.reject(new Error('the output is not there'));
  else request.resolve(message.bucket);
}

function failPeerRequests(executorId: ExecutorId): void {
  for (const [id, request] of pending) {
    if (request.peer !== executorId) continue;
    pending.delete(id);
    request.reject(new Error(`executor ${executorId} is gone`));
  }
}

function launch(taskId: number, message: Extract<ToExecutor, { type: 'launch' }>): void {
  const job: Job = { abort: new AbortController(), credits: data.credits, wake: null };
  jobs.set(taskId, job);
  const sink = async (batch: Parameters<typeof toWireBatch>[0]): Promise<void> => {
    while (job.credits === 0 && !job.abort.signal.aborted) {
      await new Promise<void>((resolve) => (job.wake = resolve));
    }
    if (job.abort.signal.aborted) return;
    job.credits--;
    post({ type: 'batch', taskId, batch: toWireBatch(batch) });
  };
  runTask(message.task, services, cache, job.abort.signal, sink)
    .then((outcome) => {
      if (outcome.ok) post({ type: 'finished', taskId, metrics: outcome.metrics });
      else post({ type: 'failed', taskId, failure: outcome.failure });
    })
    .catch((err: unknown) => {
      const text = err instanceof Error ? err.message : String(err);
      post({
        type: 'failed',
        taskId,
        failure: { kind: 'error', error: { sqlstate: 'XX000', message: `internal error: ${text}` } },
      });
    })
    .finally(() => jobs.delete(taskId));
}

function wake(job: Job): void {
  const w = job.wake;
  job.wake = null;
  w?.();
}

port.on('message', (message: ToExecutor) => {
  switch (message.type) {
    case 'launch':
      launch(message.taskId, message);
      return;
    case 'cancel': {
      const job = jobs.get(message.taskId);
      if (job === undefined) return;
      job.abort.abort();
      wake(job);
      return;
    }
    case 'credit': {
      const job = jobs.get(message.taskId);
      if (job === undefined) return;
      job.credits++;
      wake(job);
      return;
    }
    case 'release':
      store.releaseQuery(message.queryId);
      mirrors.releaseQuery(message.queryId);
      cache.releaseQuery(message.queryId);
      remember(released, message.queryId);
      return;
    case 'release-stage':
      store.releaseStage(message.queryId, message.stageId);
      mirrors.releaseStage(message.queryId, message.stageId);
      cache.releaseStage(message.queryId, message.stageId);
      remember(releasedStages, `${message.queryId}/${message.stageId}`);
      return;
    case 'peer': {
      peers.get(message.executorId)?.close();
      const peer = message.port;
      peers.set(message.executorId, peer);
      peer.on('message', (m: PeerMessage) => onPeerMessage(peer, m));
      return;
    }
    case 'cache-put': {
      const schema = message.schema;
      const partitions = message.partitions.map((p) => p.map((b) => fromWireBatch(schema, b)));
      putCachedData(message.cacheId, { schema, partitions });
      return;
    }
    case 'cache-drop':
      dropCachedData(message.cacheId);
      return;
    case 'peer-gone':
      peers.get(message.executorId)?.close();
      peers.delete(message.executorId);
      failPeerRequests(message.executorId);
      return;
  }
});
