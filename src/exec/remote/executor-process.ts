/**
 * An executor process (`kindling executor`): the same task code as an executor thread
 * (task-runner.ts), reached over the network instead of a message port.
 *
 *   control plane   registers itself (id, Flight address, cores, memory) and heartbeats; takes the
 *                   tasks queued for it; hears cancel and release; reports each task's end
 *   Flight server   serves its map outputs (one bucket per ticket: the file's blocks, then the
 *                   batches in memory) and each result task's batches, streamed as the task
 *                   makes them, at most a few ahead of the driver
 *   Flight clients  fetch the buckets its tasks read from other executors, streamed
 *   object store    a broadcast's map task puts its output there once (the name is the driver's);
 *                   the broadcasts its tasks read from other executors are got from there, once
 *                   per query, and kept until the driver releases the query or the stage
 *
 * Its tasks run on this process's event loop, any number at once (the driver gives it at most
 * `cores` that compute, plus result tasks parked waiting for the driver). Memory: each query gets
 * a budget of its own limit here (a process cannot share the driver's counters), all of them
 * under the process's `memory`; operators spill under `localDir` as on the driver.
 */
import type * as arrow from 'apache-arrow';
import { hostname } from 'node:os';
import { dropCachedData, putCachedData } from '../../catalog/index.ts';
import { SqlState, type Schema } from '../../common/index.ts';
import { createFunctionRegistry } from '../../functions/index.ts';
import { ShuffleStore, readMapOutputBucket } from '../exchange/shuffle-store.ts';
import { createBudget, type BudgetHandle } from '../memory/memory-budget.ts';
import { engineSpillDir, removeSpillDir, sweepSpillLeftovers } from '../spill/spill-files.ts';
import { TaskCache, runTask, type ExecutorServices } from '../task-runner.ts';
import type { TaskDescription } from '../task.ts';
import {
  cacheObjectName,
  cacheObjectStore,
  decodeBatches,
  decodeCacheObjects,
  encodeBatches,
} from './cached-objects.ts';
import type { ExecutorPlane } from './control-plane.ts';
import { FlightClient } from './flight/flight-client.ts';
import { startFlightServer, type FlightServer, type FlightStream } from './flight/flight-server.ts';
import { FlightNotFound } from './flight/flight-server.ts';
import {
  decodeTicket,
  encodeTicket,
  serveShuffleStore,
  type ShuffleTicket,
} from './flight/shuffle-tickets.ts';
import { decodeControl, decodeRemoteTask, encodeMessage, type RemoteTask } from './remote-messages.ts';
import { ResultChannels } from './result-channels.ts';

export interface ExecutorProcessOptions {
  readonly plane: ExecutorPlane;
  /** Subject-safe: letters, digits, `_` and `-`. */
  readonly id: string;
  readonly cores: number;
  /** Bytes all of its tasks together may reserve. */
  readonly memory: number;
  /** The address its Flight server binds and announces (an address the others reach). */
  readonly host: string;
  readonly localDir: string;
  /**
   * The cluster's token (the NATS server's): its Flight server requires it of every call, and its
   * Flight clients send it.
   */
  readonly token?: string;
}

export interface ExecutorProcess {
  readonly flightAddress: string;
  /** Deregisters, cancels its tasks and removes its files. */
  close(): Promise<void>;
}

/** Result batches a task may make ahead of the driver. */
const RESULT_AHEAD = 4;

interface Job {
  readonly abort: AbortController;
  readonly queryId: string;
}

export async function startExecutorProcess(options: ExecutorProcessOptions): Promise<ExecutorProcess> {
  const { plane, id } = options;
  const functions = createFunctionRegistry();
  const store = new ShuffleStore();
  const cache = new TaskCache();
  const processBudget = createBudget(options.memory, 'kindling.executor.memory');
  const queryBudgets = new Map<string, BudgetHandle>();
  sweepSpillLeftovers(options.localDir);
  const spillDir = engineSpillDir(options.localDir);
  const jobs = new Map<string, Job>();
  const results = new ResultChannels(RESULT_AHEAD);
  /** Flight addresses of the executors the tasks named, and a client for each. */
  const addresses = new Map<string, string>();
  const clients = new Map<string, FlightClient>();
  /** The schema of each map stage's output this executor holds (`<query>/<stage>`). */
  const stageSchemas = new Map<string, Schema>();
  const served = serveShuffleStore(store, (queryId, stageId) => stageSchemas.get(`${queryId}/${stageId}`));

  const server: FlightServer = await startFlightServer(
    {
      doGet(ticketBytes, signal): Promise<FlightStream> {
        let ticket: ShuffleTicket;
        try {
          ticket = decodeTicket(ticketBytes);
        } catch (err) {
          return Promise.reject(err instanceof Error ? err : new Error(String(err)));
        }
        if (ticket.kind === 'map') {
          const stream = served(ticket);
          if (stream === null) return Promise.reject(new FlightNotFound('the map output is not held here'));
          return Promise.resolve(stream);
        }
        const key = resultKey(ticket.queryId, ticket.stageId, ticket.partition, ticket.attempt);
        return Promise.resolve({ kind: 'batches', batches: results.consume(key, signal) });
      },
    },
    { host: options.host, ...(options.token === undefined ? {} : { token: options.token }) },
  );

  const client = (executorId: string): FlightClient => {
    const address = addresses.get(executorId);
    if (address === undefined) throw new Error(`the address of executor ${executorId} is not known`);
    let c = clients.get(address);
    if (c === undefined) {
      c = new FlightClient(address, options.token === undefined ? {} : { token: options.token });
      clients.set(address, c);
    }
    return c;
  };

  /**
   * The objects of the broadcast outputs this executor's tasks read (`<query>/<stage>/<map>/<holder>`
   * as the tasks named them), and their bytes once got, per object: each is got once per query.
   */
  const broadcastObjects = new Map<string, string>();
  const broadcastBytes = new Map<string, Promise<Uint8Array>>();
  const broadcastKey = (queryId: string, stageId: number, map: number, executorId: string): string =>
    JSON.stringify([queryId, stageId, map, executorId]);
  const forgetBroadcasts = (queryId: string, stageId?: number): void => {
    for (const [key, object] of [...broadcastObjects]) {
      const [q, s] = JSON.parse(key) as [string, number];
      if (q !== queryId || (stageId !== undefined && s !== stageId)) continue;
      broadcastObjects.delete(key);
      broadcastBytes.delete(object);
    }
  };
  const broadcastObjectBytes = (object: string): Promise<Uint8Array> => {
    let bytes = broadcastBytes.get(object);
    if (bytes === undefined) {
      bytes = plane.getObject(object).then((b) => {
        if (b === null) throw new Error(`broadcast object ${object} is not in the object store`);
        return b;
      });
      // A failed get is tried again by the next task that reads it (after its map task reruns).
      bytes.catch(() => broadcastBytes.delete(object));
      broadcastBytes.set(object, bytes);
    }
    return bytes;
  };

  const services: ExecutorServices = {
    executorId: id,
    functions,
    store,
    cacheObjects: cacheObjectStore((name, bytes) => plane.putObject(name, bytes)),
    fetchStream(executorId, queryId, stageId, map, bucket, schema: Schema): AsyncIterable<arrow.RecordBatch> {
      return client(executorId).doGet(encodeTicket({ kind: 'map', queryId, stageId, map, bucket }), schema);
    },
    readBroadcast(executorId, queryId, stageId, map, schema) {
      const object = broadcastObjects.get(broadcastKey(queryId, stageId, map, executorId));
      if (object === undefined) return null;
      return (async function* () {
        yield* decodeBatches(schema, await broadcastObjectBytes(object));
      })();
    },
  };

  /** A broadcast's map task (`object` named by the driver) puts its output in the object store. */
  const servicesFor = (object: string | null): ExecutorServices =>
    object === null
      ? services
      : {
          ...services,
          async shareBroadcast(task, schema) {
            const bucket = store.get(task.queryId, task.stageId, task.partition, 0);
            if (bucket === undefined) throw new Error('the broadcast output is not in the store');
            const batches: arrow.RecordBatch[] = [];
            for await (const b of readMapOutputBucket(bucket, schema)) batches.push(b);
            await plane.putObject(object, encodeBatches(schema, batches));
          },
        };

  const queryBudget = (remote: RemoteTask): BudgetHandle => {
    const queryId = remote.task.queryId;
    let budget = queryBudgets.get(queryId);
    if (budget === undefined) {
      budget = createBudget(remote.queryBudget.limit, remote.queryBudget.setting);
      queryBudgets.set(queryId, budget);
    }
    return budget;
  };

  /** Caches this executor holds (or is getting) from the object store. */
  const caches = new Map<string, Promise<void>>();
  const ensureCaches = (refs: RemoteTask['caches']): Promise<unknown> => {
    const pending: Promise<void>[] = [];
    for (const ref of refs) {
      let got = caches.get(ref.cacheId);
      if (got === undefined) {
        got = (async () => {
          const objects: Uint8Array[] = [];
          for (let i = 0; i < ref.objects; i++) {
            const bytes = await plane.getObject(cacheObjectName(ref.cacheId, i));
            if (bytes === null) throw new Error(`cached table ${ref.cacheId} is not in the object store`);
            objects.push(bytes);
          }
          putCachedData(ref.cacheId, decodeCacheObjects(ref, objects));
        })();
        // A failed get is tried again by the next task that needs it.
        got.catch(() => caches.delete(ref.cacheId));
        caches.set(ref.cacheId, got);
      }
      pending.push(got);
    }
    return Promise.all(pending);
  };

  const run = (remote: RemoteTask): void => {
    for (const [executorId, address] of Object.entries(remote.addresses)) addresses.set(executorId, address);
    for (const b of remote.broadcasts) {
      broadcastObjects.set(broadcastKey(remote.task.queryId, b.stageId, b.map, b.executorId), b.object);
    }
    const task: TaskDescription = {
      ...remote.task,
      settings: { ...remote.task.settings, spillDir },
      queryBudget: queryBudget(remote),
      processBudget,
    };
    if (task.output.kind === 'exchange') {
      try {
        stageSchemas.set(`${task.queryId}/${task.stageId}`, cache.plan(task, functions).schema);
      } catch {
        // runTask reports a plan that does not decode
      }
    }
    const job: Job = { abort: new AbortController(), queryId: task.queryId };
    jobs.set(remote.taskKey, job);
    const key = resultKey(task.queryId, task.stageId, task.partition, task.attempt);
    const sink = (batch: arrow.RecordBatch): Promise<void> => results.push(key, batch, job.abort.signal);
    ensureCaches(remote.caches)
      .then(
        () => runTask(task, servicesFor(remote.broadcastObject), cache, job.abort.signal, sink),
        (err: unknown) =>
          ({
            ok: false,
            failure: {
              kind: 'error',
              error: {
                sqlstate: SqlState.systemError,
                message: `executor ${id} could not get a cached table: ${err instanceof Error ? err.message : String(err)}`,
              },
            },
          }) as const,
      )
      .then((outcome) => {
        if (task.output.kind === 'result') {
          if (outcome.ok) results.end(key);
          else results.fail(key, outcome.failure.error.message);
        }
        const status = outcome.ok
          ? ({ type: 'finished', executorId: id, taskKey: remote.taskKey, metrics: outcome.metrics } as const)
          : ({ type: 'failed', executorId: id, taskKey: remote.taskKey, failure: outcome.failure } as const);
        return plane.sendStatus(encodeMessage(status));
      })
      .catch((err: unknown) => {
        process.emitWarning(`executor ${id}: could not report task ${remote.taskKey}: ${String(err)}`);
      })
      .finally(() => jobs.delete(remote.taskKey));
  };

  plane.onControl(id, (payload) => {
    let message;
    try {
      message = decodeControl(payload);
    } catch {
      return;
    }
    switch (message.type) {
      case 'cancel':
        jobs.get(message.taskKey)?.abort.abort();
        return;
      case 'release':
        for (const job of jobs.values()) if (job.queryId === message.queryId) job.abort.abort();
        store.releaseQuery(message.queryId);
        cache.releaseQuery(message.queryId);
        results.releaseQuery(message.queryId);
        forgetBroadcasts(message.queryId);
        queryBudgets.delete(message.queryId);
        for (const key of [...stageSchemas.keys()]) {
          if (key.startsWith(`${message.queryId}/`)) stageSchemas.delete(key);
        }
        return;
      case 'release-stage':
        store.releaseStage(message.queryId, message.stageId);
        cache.releaseStage(message.queryId, message.stageId);
        forgetBroadcasts(message.queryId, message.stageId);
        stageSchemas.delete(`${message.queryId}/${message.stageId}`);
        return;
      case 'cache-drop':
        caches.delete(message.cacheId);
        dropCachedData(message.cacheId);
        return;
    }
  });

  await plane.register({
    id,
    flight: server.address,
    cores: options.cores,
    memory: options.memory,
    pid: process.pid,
    hostname: hostname(),
  });
  await plane.consumeTasks(id, options.cores * 4, (payload, ack) => {
    ack();
    let remote: RemoteTask;
    try {
      remote = decodeRemoteTask(payload);
    } catch (err) {
      process.emitWarning(`executor ${id}: dropped a task that does not decode: ${String(err)}`);
      return;
    }
    run(remote);
  });

  return {
    flightAddress: server.address,
    async close() {
      for (const job of jobs.values()) job.abort.abort();
      await plane.close();
      await server.close();
      for (const c of clients.values()) c.close();
      removeSpillDir(spillDir);
    },
  };
}

function resultKey(queryId: string, stageId: number, partition: number, attempt: number): string {
  return `${queryId}/${stageId}/${partition}/${attempt}`;
}
