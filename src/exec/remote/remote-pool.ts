/**
 * The driver's side of executor processes: an `ExecutorPool` whose executors are the processes
 * registered on the control plane (control-plane.ts), each an `Executor` to the task scheduler like
 * a worker thread.
 *
 *   launch   the task goes to the executor's queue on the control plane; a result task's batches
 *            are read from the executor's Flight server (ticket `result`), at most CREDITS ahead
 *            of the scheduler's acks — then the task is parked and HTTP/2 flow control holds the
 *            executor back
 *   status   finished/failed arrive on the status stream; a result task is finished once both its
 *            status and the end of its Flight stream are in, so no batch comes after `finished`
 *   lost     an executor that deregisters, misses heartbeats, or whose process the cluster
 *            manager saw exit: its tasks fail as `lost` (the scheduler runs them again and
 *            recomputes the map outputs it held), its queued tasks are purged
 *   outputs  where each map output lives is recorded on the control plane (KV) once its task has
 *            succeeded, before the scheduler hears of it, and a task is told where its inputs
 *            are from those records: a reader is given the Flight address recorded with each
 *            output, and for a broadcast's output the object its map task put it in (the
 *            executor reads it from the object store, once per query). The records, and the
 *            broadcast objects, go when the query ends or its stage is released; those of an
 *            executor that is lost go with it (its outputs are recomputed elsewhere)
 *
 * A status for a task the driver no longer knows (cancelled, its executor declared lost) is
 * dropped, so a task ends exactly once however late its executor speaks.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import type { Executor, ExecutorPool, RunningTask, TaskEvents } from '../executor.ts';
import { MemoryBudget } from '../memory/memory-budget.ts';
import type { TaskFailure } from '../task-failure.ts';
import type { ExecutorId, TaskDescription, TaskMetrics } from '../task.ts';
import {
  broadcastObjectName,
  broadcastObjectPrefix,
  cacheObjectName,
  type BroadcastRef,
  type CacheRef,
} from './cached-objects.ts';
import type { DriverPlane, ExecutorInfo, MapOutputLocation } from './control-plane.ts';
import { FlightClient } from './flight/flight-client.ts';
import { encodeTicket } from './flight/shuffle-tickets.ts';
import {
  decodeStatus,
  encodeMessage,
  type ControlMessage,
  type RemoteTask,
  type StatusMessage,
} from './remote-messages.ts';

/** Result batches read ahead of the scheduler's acks. */
const CREDITS = 4;
/**
 * How long a result stream that broke waits for the task's status (which says why, by kind)
 * before the task counts as lost.
 */
const STATUS_GRACE_MS = 5_000;

interface Launched {
  readonly key: string;
  readonly executor: RemoteExecutor;
  readonly events: TaskEvents;
  readonly result: boolean;
  /** A map task: the output it makes, recorded once it succeeds. */
  readonly output: MapOutputLocation | null;
  done: boolean;
  /** The status, held until the result stream has ended. */
  finished: TaskMetrics | null;
  streamEnded: boolean;
  streamAbort: AbortController | null;
  graceTimer: NodeJS.Timeout | null;
}

class RemoteExecutor implements Executor {
  readonly id: ExecutorId;
  readonly slots: number;
  readonly address: string;
  readonly info: ExecutorInfo;
  readonly client: FlightClient;
  private readonly pool: RemoteExecutorPool;

  constructor(info: ExecutorInfo, pool: RemoteExecutorPool, token: string | null) {
    this.id = info.id;
    this.slots = Math.max(1, info.cores);
    this.address = info.flight;
    this.info = info;
    this.pool = pool;
    this.client = new FlightClient(info.flight, token === null ? {} : { token });
  }

  launch(task: TaskDescription, schema: Schema, events: TaskEvents): RunningTask {
    return this.pool.launchOn(this, task, schema, events);
  }

  releaseQuery(queryId: string): void {
    this.pool.forgetQuery(queryId);
    this.pool.control(this.id, { type: 'release', queryId });
  }

  releaseStage(queryId: string, stageId: number): void {
    this.pool.forgetStage(queryId, stageId);
    this.pool.control(this.id, { type: 'release-stage', queryId, stageId });
  }
}

export class RemoteExecutorPool implements ExecutorPool {
  private plane: DriverPlane | null = null;
  /** Scopes this driver's query ids on the control plane (map-output records, broadcast objects). */
  readonly driverId = `${hostname().replace(/[^A-Za-z0-9_-]/g, '_')}-${process.pid}-${randomBytes(3).toString('hex')}`;
  private readonly live = new Map<ExecutorId, RemoteExecutor>();
  /** Executors declared lost: never taken back under the same id. */
  private readonly gone = new Set<ExecutorId>();
  private readonly tasks = new Map<string, Launched>();
  private readonly lostListeners: ((id: ExecutorId, reason: string) => void)[] = [];
  private readonly addedListeners: ((e: Executor) => void)[] = [];
  private nextTask = 1;
  private closed = false;
  /** Cached tables: their objects are in the object store, written by the tasks that filled them. */
  private readonly caches = new Map<string, CacheRef>();
  /**
   * The map outputs recorded on the control plane, by query, stage and map partition: the copy
   * tasks are given their inputs' places from.
   */
  private readonly outputs = new Map<string, MapOutputLocation>();
  /** Queries with tasks launched and not released yet. */
  private readonly queries = new Set<string>();

  private readonly waiters = new Set<() => void>();

  /** The cluster's token, sent with every Flight call to its executors. */
  private token: string | null = null;

  /**
   * Starts listening to the control plane: executors registered there join the pool. `token`
   * (the cluster's) goes with every Flight call to them.
   */
  attach(plane: DriverPlane, token: string | null = null): void {
    this.plane = plane;
    this.token = token;
    plane.onStatus((payload) => this.onStatus(payload));
    plane.watchExecutors((event) => {
      if (event.kind === 'up') this.added(event.info);
      else this.lost(event.id, event.reason);
    });
  }

  /** Resolves once `n` executors are registered; 58000 after `timeoutMs`. */
  waitForExecutors(n: number, timeoutMs: number): Promise<void> {
    return new Promise((resolve, reject) => {
      const stop = (): void => {
        clearTimeout(timer);
        this.waiters.delete(check);
      };
      const timer = setTimeout(() => {
        stop();
        reject(
          new EngineError(
            SqlState.systemError,
            `only ${this.live.size} of ${n} executors registered within ${Math.round(timeoutMs / 1000)} s`,
          ),
        );
      }, timeoutMs);
      const check = (): void => {
        if (this.live.size < n) return;
        stop();
        resolve();
      };
      this.waiters.add(check);
      check();
    });
  }

  executors(): readonly Executor[] {
    return [...this.live.values()];
  }

  onExecutorLost(listener: (id: ExecutorId, reason: string) => void): void {
    this.lostListeners.push(listener);
  }

  onExecutorAdded(listener: (executor: Executor) => void): void {
    this.addedListeners.push(listener);
  }

  /** Executors registered now. */
  get size(): number {
    return this.live.size;
  }

  private added(info: ExecutorInfo): void {
    if (this.closed || this.live.has(info.id) || this.gone.has(info.id)) return;
    const executor = new RemoteExecutor(info, this, this.token);
    this.live.set(info.id, executor);
    for (const l of this.addedListeners) l(executor);
    for (const w of [...this.waiters]) w();
  }

  /**
   * The executor is gone (the control plane or the cluster manager says so): fail its tasks, and
   * forget the map outputs it held (the records on the control plane say which).
   */
  lost(id: ExecutorId, reason: string): void {
    const executor = this.live.get(id);
    if (executor === undefined) return;
    this.live.delete(id);
    this.gone.add(id);
    executor.client.close();
    for (const [key, l] of [...this.outputs]) if (l.executorId === id) this.outputs.delete(key);
    const plane = this.plane;
    if (plane !== null) {
      void plane
        .mapOutputs(this.driverId)
        .then((recorded) =>
          this.dropOutputs(
            plane,
            recorded.filter((l) => l.executorId === id),
          ),
        )
        .catch(() => undefined);
    }
    for (const t of [...this.tasks.values()]) {
      if (t.executor === executor) this.settle(t, { failed: lostFailure(id, reason) });
    }
    this.plane?.purgeTasks(id).catch(() => undefined);
    for (const l of this.lostListeners) l(id, reason);
  }

  control(executorId: ExecutorId, message: ControlMessage): void {
    if (this.live.has(executorId)) this.plane?.sendControl(executorId, encodeMessage(message));
  }

  launchOn(executor: RemoteExecutor, task: TaskDescription, schema: Schema, events: TaskEvents): RunningTask {
    const key = `${this.driverId}-${this.nextTask++}`;
    const broadcastObject =
      task.output.kind === 'exchange' && task.output.exchange === 'broadcast'
        ? broadcastObjectName(this.driverId, task.queryId, task.stageId, task.partition, task.attempt)
        : null;
    const launched: Launched = {
      key,
      executor,
      events,
      result: task.output.kind === 'result',
      output:
        task.output.kind === 'result'
          ? null
          : {
              driver: this.driverId,
              queryId: task.queryId,
              stageId: task.stageId,
              map: task.partition,
              attempt: task.attempt,
              executorId: executor.id,
              flight: executor.address,
              object: broadcastObject,
            },
      done: false,
      finished: null,
      streamEnded: false,
      streamAbort: null,
      graceTimer: null,
    };
    const plane = this.plane;
    if (!this.live.has(executor.id) || plane === null) {
      queueMicrotask(() => events.failed(lostFailure(executor.id, 'the executor is gone')));
      return { cancel: () => undefined };
    }
    this.tasks.set(key, launched);
    this.queries.add(task.queryId);
    const { queryBudget, processBudget: _process, ...rest } = task;
    // Where the inputs are, as recorded: an output with no record (its executor lost, its stage
    // released) gets no address, and reading it fails as a fetch failure.
    const addresses: Record<ExecutorId, string> = {};
    const broadcasts: BroadcastRef[] = [];
    for (const input of task.inputs) {
      for (let map = 0; map < input.locations.length; map++) {
        const id = input.locations[map]!;
        const recorded = this.outputs.get(outputKey(task.queryId, input.stageId, map));
        if (recorded === undefined || recorded.executorId !== id) continue;
        addresses[id] = recorded.flight;
        if (recorded.object !== null && id !== executor.id) {
          broadcasts.push({ stageId: input.stageId, map, executorId: id, object: recorded.object });
        }
      }
    }
    const queryLimit = new MemoryBudget(queryBudget);
    const remote: RemoteTask = {
      taskKey: key,
      task: rest,
      queryBudget: { limit: queryLimit.limit, setting: queryBudget.setting },
      addresses,
      caches: [...this.caches.values()],
      broadcastObject,
      broadcasts,
    };
    plane.sendTask(executor.id, encodeMessage(remote)).catch((err: unknown) => {
      this.settle(launched, {
        failed: {
          kind: 'error',
          error: {
            sqlstate: SqlState.systemError,
            message: `could not queue task ${key} for executor ${executor.id}: ${err instanceof Error ? err.message : String(err)}`,
          },
        },
      });
    });
    if (launched.result) void this.readResults(launched, task, schema);
    return {
      cancel: () => {
        if (launched.done) return;
        this.control(executor.id, { type: 'cancel', taskKey: key });
        launched.streamAbort?.abort();
      },
    };
  }

  /** Reads a result task's batches from its executor, at most CREDITS ahead of the acks. */
  private async readResults(t: Launched, task: TaskDescription, schema: Schema): Promise<void> {
    const abort = new AbortController();
    t.streamAbort = abort;
    const ticket = encodeTicket({
      kind: 'result',
      queryId: task.queryId,
      stageId: task.stageId,
      partition: task.partition,
      attempt: task.attempt,
    });
    let unacked = 0;
    let wake: (() => void) | null = null;
    try {
      for await (const batch of t.executor.client.doGet(ticket, schema, abort.signal)) {
        if (t.done) return;
        unacked++;
        let acked = false;
        t.events.batch(batch, () => {
          if (acked) return;
          acked = true;
          unacked--;
          const w = wake;
          wake = null;
          w?.();
        });
        if (unacked >= CREDITS) {
          t.events.parked(true);
          while (unacked >= CREDITS && !t.done) await new Promise<void>((resolve) => (wake = resolve));
          if (!t.done) t.events.parked(false);
        }
      }
      t.streamEnded = true;
      if (t.finished !== null) this.settle(t, { finished: t.finished });
    } catch (err) {
      if (t.done) return;
      // The status says why (by kind); if it does not come, the executor is as good as lost.
      const why = err instanceof Error ? err.message : String(err);
      t.graceTimer = setTimeout(
        () => this.settle(t, { failed: lostFailure(t.executor.id, `its result stream broke: ${why}`) }),
        STATUS_GRACE_MS,
      );
      t.graceTimer.unref();
    }
  }

  /**
   * Records a cached table whose objects the tasks of its query put in the object store
   * (`CacheShareExec`): executors get them before a task that may scan it runs. Nothing is
   * encoded or uploaded here.
   */
  shareCache(ref: CacheRef): void {
    this.caches.set(ref.cacheId, ref);
  }

  dropCache(cacheId: string): void {
    const ref = this.caches.get(cacheId);
    if (ref === undefined) return;
    this.caches.delete(cacheId);
    for (const id of this.live.keys()) this.control(id, { type: 'cache-drop', cacheId });
    this.deleteCacheObjects(cacheId, ref.objects);
  }

  /** Removes the objects the tasks of a cache's query wrote (a cache dropped or never kept). */
  deleteCacheObjects(cacheId: string, objects: number): void {
    const plane = this.plane;
    if (plane === null) return;
    void (async () => {
      for (let i = 0; i < objects; i++) await plane.deleteObject(cacheObjectName(cacheId, i));
    })().catch(() => undefined);
  }

  private onStatus(payload: Uint8Array): void {
    let status: StatusMessage;
    try {
      status = decodeStatus(payload);
    } catch {
      return;
    }
    const t = this.tasks.get(status.taskKey);
    if (t === undefined) return;
    if (status.type === 'failed') {
      this.settle(t, { failed: status.failure });
      return;
    }
    if (t.result && !t.streamEnded) t.finished = status.metrics;
    else if (t.output !== null) this.recordOutput(t, t.output, status.metrics);
    else this.settle(t, { finished: status.metrics });
  }

  /**
   * A map task succeeded: where its output is goes on the control plane, then the scheduler hears
   * of it. Unrecorded, the output is of no use: the task counts as lost (and runs again).
   */
  private recordOutput(t: Launched, output: MapOutputLocation, metrics: TaskMetrics): void {
    const plane = this.plane;
    if (plane === null) return;
    plane.putMapOutput(output).then(
      () => {
        const key = outputKey(output.queryId, output.stageId, output.map);
        if (t.done || !this.live.has(output.executorId)) {
          // Its executor was lost meanwhile (perhaps after its records were looked up): this
          // record must not outlive it, unless a newer output of that partition replaced it.
          if (!this.outputs.has(key)) plane.deleteMapOutputs([output]).catch(() => undefined);
          return;
        }
        this.outputs.set(key, output);
        this.settle(t, { finished: metrics });
      },
      (err: unknown) =>
        this.settle(t, {
          failed: lostFailure(
            output.executorId,
            `where its output is could not be recorded: ${err instanceof Error ? err.message : String(err)}`,
          ),
        }),
    );
  }

  /** The query has ended: its map-output records and broadcast objects go (once). */
  forgetQuery(queryId: string): void {
    if (!this.queries.delete(queryId)) return;
    for (const [key, l] of [...this.outputs]) if (l.queryId === queryId) this.outputs.delete(key);
    const plane = this.plane;
    if (plane === null) return;
    void (async () => {
      await this.dropOutputs(plane, await plane.mapOutputs(this.driverId, queryId));
      // Objects of attempts that never counted (cancelled, or their executor lost) too.
      for (const name of await plane.listObjects(broadcastObjectPrefix(this.driverId, queryId))) {
        await plane.deleteObject(name);
      }
    })().catch(() => undefined);
  }

  /** A stage's outputs were released: their records and broadcast objects go. */
  forgetStage(queryId: string, stageId: number): void {
    const released: MapOutputLocation[] = [];
    for (const [key, l] of [...this.outputs]) {
      if (l.queryId !== queryId || l.stageId !== stageId) continue;
      this.outputs.delete(key);
      released.push(l);
    }
    const plane = this.plane;
    if (plane !== null && released.length > 0) this.dropOutputs(plane, released).catch(() => undefined);
  }

  private async dropOutputs(plane: DriverPlane, outputs: readonly MapOutputLocation[]): Promise<void> {
    await plane.deleteMapOutputs(outputs);
    for (const l of outputs) if (l.object !== null) await plane.deleteObject(l.object);
  }

  private settle(t: Launched, outcome: { finished: TaskMetrics } | { failed: TaskFailure }): void {
    if (t.done) return;
    t.done = true;
    this.tasks.delete(t.key);
    if (t.graceTimer !== null) clearTimeout(t.graceTimer);
    t.streamAbort?.abort();
    if ('finished' in outcome) t.events.finished(outcome.finished);
    else t.events.failed(outcome.failed);
  }

  async close(): Promise<void> {
    this.closed = true;
    for (const t of [...this.tasks.values()]) {
      this.settle(t, { failed: lostFailure(t.executor.id, 'the engine is closing') });
    }
    for (const e of this.live.values()) e.client.close();
    this.live.clear();
    await this.plane?.close();
  }
}

function outputKey(queryId: string, stageId: number, map: number): string {
  return `${queryId}/${stageId}/${map}`;
}

function lostFailure(executorId: ExecutorId, reason: string): TaskFailure {
  return {
    kind: 'lost',
    executorId,
    error: { sqlstate: SqlState.internalError, message: `executor ${executorId} was lost: ${reason}` },
  };
}
