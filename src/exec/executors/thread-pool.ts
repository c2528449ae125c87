/**
 * The local executor pool (`local[N]`): N long-lived worker threads, each an executor with one
 * slot, connected to each other by message ports so a task fetches another thread's map outputs
 * without going through this (the server's) thread. Batches cross threads as shared-memory wire
 * batches: nothing is copied per reader, nothing cloned row by row.
 *
 * Each thread has its own V8 heap limit, so a query whose JavaScript objects outgrow it ends that
 * thread, never the process. A thread that dies fails its running tasks — as `lost` (to run again
 * elsewhere), except that when it died of its heap limit the tasks that were computing fail with
 * 53200 — is reported to the listeners, and is replaced by a fresh thread with a new executor id.
 * Idle threads are unref'd, so the pool never keeps the process alive by itself.
 */
import * as v8 from 'node:v8';
import { MessageChannel, Worker, type TransferListItem } from 'node:worker_threads';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import { fromWireBatch, type WireBatch } from '../arrow-transfer.ts';
import type { Executor, ExecutorPool, RunningTask, TaskEvents } from '../executor.ts';
import { ReplacementBackoff } from '../replacement-backoff.ts';
import type { ExecutorId, TaskDescription } from '../task.ts';
import type { TaskFailure } from '../task-failure.ts';
import type { FromExecutor, ThreadWorkerData, ToExecutor } from './thread-messages.ts';

/**
 * Operators allocate their columns as ArrayBuffers outside the JavaScript heap. By default V8 runs
 * a full mark-compact each time some 64 MiB more of such external memory has been allocated — in
 * a scan of 200 MB/s, dozens a second over a heap of a few MiB. Counting external memory into the
 * heap's global limit instead lets collections follow the heap's own growth: TPC-H SF1 on two
 * threads, every query twice, 31.7 s → 25.8 s, peak RSS 1000 → 1140 MiB; a thread still holds
 * GiBs of live columns under a 1 GiB heap limit. V8 reads the flag when a thread's heap is made,
 * so it is set before the first thread starts — once per process: V8's flags are process-wide, and
 * writing one again while other threads' isolates read it (a second pool, a replaced thread) is a
 * data race Node warns may crash.
 */
let heapsConfigured = false;

function configureExecutorHeaps(): void {
  if (heapsConfigured) return;
  heapsConfigured = true;
  v8.setFlagsFromString('--external-memory-accounted-in-global-limit');
}

/** Result batches a task may send ahead of the driver's acknowledgements. */
const CREDITS = 4;

/**
 * The young generation of each thread's heap, in MiB (three semi-spaces' worth: 16 MiB each). V8
 * sizes it from the heap limit, and with an executor's GiB-sized limit it grows to 128 MiB of
 * semi-space that a thread commits and keeps: under `npm run bench:server` each thread's heap
 * went from 93 to 157 MiB, almost all of it new space holding a few MiB of live objects. Batches
 * live in ArrayBuffers, so the young generation only sees short-lived bookkeeping; capping it
 * left TPC-H SF1 on two threads unchanged (total 12.7–13.7 s either way, within run-to-run noise)
 * while each thread's heap stays near 65 MiB.
 */
const YOUNG_GENERATION_MB = 48;

export interface ThreadPoolOptions {
  readonly threads: number;
  /** V8 heap limit of each thread in MiB (a runaway query ends its thread, not the process). */
  readonly heapLimitMb: number;
}

interface Launched {
  readonly events: TaskEvents;
  readonly schema: Schema;
  done: boolean;
  parked: boolean;
  /** Result batches sent and not yet acknowledged. */
  unacked: number;
}

class ThreadExecutor implements Executor {
  readonly id: ExecutorId;
  readonly slots = 1;
  readonly worker: Worker;
  readonly tasks = new Map<number, Launched>();
  dead = false;
  private nextTask = 1;

  constructor(id: ExecutorId, worker: Worker) {
    this.id = id;
    this.worker = worker;
    worker.on('message', (m: FromExecutor) => this.onMessage(m));
  }

  post(message: ToExecutor, transfer: readonly TransferListItem[] = []): void {
    if (!this.dead) this.worker.postMessage(message, transfer);
  }

  launch(task: TaskDescription, schema: Schema, events: TaskEvents): RunningTask {
    const taskId = this.nextTask++;
    const launched: Launched = { events, schema, done: false, parked: false, unacked: 0 };
    if (this.dead) {
      queueMicrotask(() => events.failed(lostFailure(this.id, 'the executor thread is gone')));
      return { cancel: () => undefined };
    }
    this.tasks.set(taskId, launched);
    if (this.tasks.size === 1) this.worker.ref();
    this.post({ type: 'launch', taskId, task });
    return { cancel: () => this.post({ type: 'cancel', taskId }) };
  }

  releaseQuery(queryId: string): void {
    this.post({ type: 'release', queryId });
  }

  releaseStage(queryId: string, stageId: number): void {
    this.post({ type: 'release-stage', queryId, stageId });
  }

  private settle(taskId: number): Launched | undefined {
    const t = this.tasks.get(taskId);
    if (t === undefined || t.done) return undefined;
    t.done = true;
    if (t.unacked >= CREDITS) t.events.parked(false);
    this.tasks.delete(taskId);
    if (this.tasks.size === 0) this.worker.unref();
    return t;
  }

  private onMessage(m: FromExecutor): void {
    switch (m.type) {
      case 'batch': {
        const t = this.tasks.get(m.taskId);
        if (t === undefined) return;
        let acked = false;
        t.unacked++;
        // The worker sends at most CREDITS unacknowledged batches, then waits.
        if (t.unacked === CREDITS) {
          t.parked = true;
          t.events.parked(true);
        }
        t.events.batch(fromWireBatch(t.schema, m.batch), () => {
          if (acked) return;
          acked = true;
          if (t.unacked-- === CREDITS && !t.done) {
            t.parked = false;
            t.events.parked(false);
          }
          this.post({ type: 'credit', taskId: m.taskId });
        });
        return;
      }
      case 'finished':
        this.settle(m.taskId)?.events.finished(m.metrics);
        return;
      case 'failed':
        this.settle(m.taskId)?.events.failed(m.failure);
        return;
    }
  }

  /**
   * Fails every running task (the thread died): as lost, or — when the thread ran out of heap —
   * with 53200 for the tasks that were computing (a task waiting for its consumer is innocent).
   */
  die(reason: string, outOfHeap: boolean): void {
    if (this.dead) return;
    this.dead = true;
    for (const [id, t] of [...this.tasks]) {
      const failure: TaskFailure =
        outOfHeap && !t.parked
          ? {
              kind: 'error',
              error: {
                sqlstate: SqlState.outOfMemory,
                message: `[UNABLE_TO_ACQUIRE_MEMORY] The query ran out of memory: executor ${this.id} reached its JavaScript heap limit (${reason}).`,
                hint: 'make the query hold less at once (fewer or smaller groups for collect_list/collect_set, a filter before the aggregate), or raise kindling.memory.limit when starting the server',
              },
            }
          : lostFailure(this.id, reason);
      this.settle(id)?.events.failed(failure);
    }
  }
}

function lostFailure(executorId: ExecutorId, reason: string): Parameters<TaskEvents['failed']>[0] {
  return {
    kind: 'lost',
    executorId,
    error: { sqlstate: SqlState.internalError, message: `executor ${executorId} was lost: ${reason}` },
  };
}

export class ThreadPool implements ExecutorPool {
  private readonly options: ThreadPoolOptions;
  private readonly live: ThreadExecutor[] = [];
  private readonly lostListeners: ((id: ExecutorId, reason: string) => void)[] = [];
  private readonly addedListeners: ((e: Executor) => void)[] = [];
  private nextId = 1;
  private closed = false;
  /** Cached tables every thread holds, a thread started later included. */
  private readonly caches = new Map<string, Extract<ToExecutor, { type: 'cache-put' }>>();
  /** Threads that keep dying are replaced ever more slowly. */
  private readonly backoff = new ReplacementBackoff();

  constructor(options: ThreadPoolOptions) {
    this.options = options;
    if (options.threads < 1) {
      throw new EngineError(SqlState.invalidParameterValue, 'an executor pool needs at least one thread');
    }
    configureExecutorHeaps();
    for (let i = 0; i < options.threads; i++) this.spawn();
  }

  executors(): readonly Executor[] {
    return this.live;
  }

  onExecutorLost(listener: (id: ExecutorId, reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  onExecutorAdded(listener: (executor: Executor) => void): void {
    this.addedListeners.push(listener);
  }

  private spawn(): ThreadExecutor {
    const id = `thread-${this.nextId++}`;
    const workerData: ThreadWorkerData = { executorId: id, credits: CREDITS };
    const worker = new Worker(new URL('./thread-worker.ts', import.meta.url), {
      workerData,
      resourceLimits: {
        maxOldGenerationSizeMb: this.options.heapLimitMb,
        maxYoungGenerationSizeMb: YOUNG_GENERATION_MB,
      },
    });
    const executor = new ThreadExecutor(id, worker);
    // Connect the new thread with every live one.
    for (const other of this.live) {
      const { port1, port2 } = new MessageChannel();
      executor.post({ type: 'peer', executorId: other.id, port: port1 }, [port1]);
      other.post({ type: 'peer', executorId: id, port: port2 }, [port2]);
    }
    for (const put of this.caches.values()) executor.post(put);
    this.live.push(executor);
    const lost = (reason: string, outOfHeap = false): void => {
      if (executor.dead) return;
      const i = this.live.indexOf(executor);
      if (i >= 0) this.live.splice(i, 1);
      executor.die(reason, outOfHeap);
      for (const other of this.live) other.post({ type: 'peer-gone', executorId: id });
      for (const l of this.lostListeners) l(id, reason);
      if (this.closed) return;
      const delay = this.backoff.delayAfterDeath();
      const replace = (): void => {
        if (this.closed) return;
        const replacement = this.spawn();
        for (const l of this.addedListeners) l(replacement);
      };
      if (delay === 0) replace();
      else setTimeout(replace, delay).unref();
    };
    worker.on('error', (err: Error & { code?: string }) =>
      lost(err.message, err.code === 'ERR_WORKER_OUT_OF_MEMORY'),
    );
    worker.on('exit', (code) => lost(`it exited with code ${code}`));
    // After the listeners: adding a 'message' listener refs the worker again.
    worker.unref();
    return executor;
  }

  /**
   * Gives every thread (and every later one) a cached table's batches; they are shared memory,
   * so each thread reads the same bytes. A thread gets them before any task posted after this.
   */
  shareCache(cacheId: string, schema: Schema, partitions: readonly (readonly WireBatch[])[]): void {
    const put = { type: 'cache-put', cacheId, schema, partitions } as const;
    this.caches.set(cacheId, put);
    for (const e of this.live) e.post(put);
  }

  dropCache(cacheId: string): void {
    if (!this.caches.delete(cacheId)) return;
    for (const e of this.live) e.post({ type: 'cache-drop', cacheId });
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = this.live.splice(0);
    for (const e of all) e.die('the engine is closing', false);
    await Promise.all(all.map((e) => e.worker.terminate()));
  }
}
