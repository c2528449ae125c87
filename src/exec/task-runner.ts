/**
 * Running one task inside an executor (a worker thread today; an executor process later — the
 * same code): decode the stage's plan (once per stage per executor), build the task's context,
 * pull the plan's partition, and send what comes out where the task says — to the driver
 * (`result`) or into the executor's shuffle store (`exchange`). Every way out releases the task's
 * memory; the outcome is a `TaskFailure` the scheduler can act on, never a bare exception.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, toEngineError, type Schema } from '../common/index.ts';
import type { FunctionRegistry } from '../functions/index.ts';
import {
  compileExprSpec,
  type CacheObjectStore,
  type ExchangeSource,
  type ExecutionPlan,
  type TaskContext,
} from '../physical/index.ts';
import { mapOutputPath } from './exchange/map-output-file.ts';
import {
  readMapOutputBucket,
  type MapOutput,
  type MapOutputBucket,
  type ShuffleStore,
} from './exchange/shuffle-store.ts';
import { ShuffleWriter } from './exchange/shuffle-writer.ts';
import { MemoryBudget, TaskMemoryPool } from './memory/memory-budget.ts';
import { instrument, type OperatorMetrics } from './metrics.ts';
import { decodePlan } from './plan-codec.ts';
import { TaskSpillSpace } from './spill/spill-files.ts';
import { FetchFailedError, errorData, type TaskFailure } from './task-failure.ts';
import { taskName, type ExecutorId, type TaskDescription, type TaskMetrics } from './task.ts';

/** What an executor offers the tasks it runs. */
export interface ExecutorServices {
  readonly executorId: ExecutorId;
  readonly functions: FunctionRegistry;
  readonly store: ShuffleStore;
  /**
   * Where bucket `bucket` of a map output held by another executor is (its batches in memory, its
   * blocks on disk); rejects when that executor does not have it.
   */
  fetch?(
    executorId: ExecutorId,
    queryId: string,
    stageId: number,
    map: number,
    bucket: number,
  ): Promise<MapOutputBucket>;
  /**
   * Executors in other processes: the batches of bucket `bucket` of a map output held by another
   * executor, streamed from it (over Arrow Flight); fails when that executor does not have it.
   * Used instead of `fetch` when present.
   */
  fetchStream?(
    executorId: ExecutorId,
    queryId: string,
    stageId: number,
    map: number,
    bucket: number,
    schema: Schema,
  ): AsyncIterable<arrow.RecordBatch>;
  /**
   * Executors in one process: hands a finished map output to the other executors, which keep it as
   * a mirror (`mirrors`) so that their tasks read it in place instead of fetching it from this
   * executor — whose thread may be busy for a while before it can answer.
   */
  publish?(queryId: string, stageId: number, map: number, output: MapOutput): void;
  /** Map outputs other executors of this process published; read before fetching. */
  readonly mirrors?: ShuffleStore;
  /**
   * Executors in other processes: puts a broadcast map task's output (in `store` by then) where
   * every executor can get it; the task succeeds once it is there.
   */
  shareBroadcast?(task: TaskDescription, schema: Schema): Promise<void>;
  /**
   * Executors in other processes: the batches of a broadcast map output held by another executor,
   * from the object store its map task put it in; null when it is not there to read (then it is
   * fetched from that executor). Fails when the object is gone.
   */
  readBroadcast?(
    executorId: ExecutorId,
    queryId: string,
    stageId: number,
    map: number,
    schema: Schema,
  ): AsyncIterable<arrow.RecordBatch> | null;
  /** Executor processes: the object store where the tasks filling a cache put its partitions. */
  readonly cacheObjects?: CacheObjectStore;
}

/** Where a result task's batches go; resolves when the driver can take another. */
export type ResultSink = (batch: arrow.RecordBatch) => Promise<void>;

export type TaskOutcome =
  | { readonly ok: true; readonly metrics: TaskMetrics }
  | { readonly ok: false; readonly failure: TaskFailure };

/** Decoded stage plans and per-query scopes of one executor. */
export class TaskCache {
  private readonly plans = new Map<string, ExecutionPlan>();
  private readonly scopes = new Map<string, object>();

  plan(task: TaskDescription, functions: FunctionRegistry): ExecutionPlan {
    const key = `${task.queryId}/${task.stageId}`;
    let plan = this.plans.get(key);
    if (plan === undefined) {
      plan = decodePlan(task.fragment, { functions });
      this.plans.set(key, plan);
    }
    return plan;
  }

  scope(queryId: string): object {
    let scope = this.scopes.get(queryId);
    if (scope === undefined) {
      scope = {};
      this.scopes.set(queryId, scope);
    }
    return scope;
  }

  /** Forgets the decoded plan of one stage (decoded again should the stage run again). */
  releaseStage(queryId: string, stageId: number): void {
    this.plans.delete(`${queryId}/${stageId}`);
  }

  releaseQuery(queryId: string): void {
    this.scopes.delete(queryId);
    for (const key of [...this.plans.keys()]) if (key.startsWith(`${queryId}/`)) this.plans.delete(key);
  }
}

export async function runTask(
  task: TaskDescription,
  services: ExecutorServices,
  cache: TaskCache,
  signal: AbortSignal,
  sink: ResultSink,
): Promise<TaskOutcome> {
  const started = performance.now();
  const cpuStart = process.threadCpuUsage();
  const pool = new TaskMemoryPool(new MemoryBudget(task.queryBudget), new MemoryBudget(task.processBudget));
  const spill = new TaskSpillSpace(task.settings.spillDir, taskName(task));
  let writer: ShuffleWriter | null = null;
  let rows = 0;
  let batches = 0;
  const reads: ExchangeReads = { broadcastObjects: 0 };
  try {
    const decoded = cache.plan(task, services.functions);
    const operators: OperatorMetrics[] = [];
    const plan = task.instrument ? instrument(decoded, operators) : decoded;
    const ctx: TaskContext = {
      eval: task.settings.eval,
      signal,
      batchSize: task.settings.batchSize,
      scope: cache.scope(task.queryId),
      exchanges: exchangeSource(task, services, reads),
      memory: pool,
      spill,
      cacheObjects: services.cacheObjects,
    };
    const output = task.output;
    if (output.kind === 'exchange') {
      const keys = output.keys.map((k) => compileExprSpec(k, services.functions));
      writer = new ShuffleWriter(
        output,
        keys,
        plan.schema,
        pool,
        mapOutputPath(task.settings.spillDir, task),
      );
    }
    for await (const batch of plan.execute(task.partition, ctx)) {
      if (signal.aborted) throw canceled();
      if (batch.numRows === 0) continue;
      rows += batch.numRows;
      batches++;
      if (writer !== null) await writer.write(batch, ctx);
      else await sink(batch);
    }
    let exchange: TaskMetrics['exchange'];
    if (writer !== null) {
      const bucketBytes = writer.bucketBytes;
      const { output: mapOutput, bytes, budgets } = await writer.finish();
      writer = null;
      services.store.put(task.queryId, task.stageId, task.partition, mapOutput, { bytes, budgets });
      services.publish?.(task.queryId, task.stageId, task.partition, mapOutput);
      if (output.kind === 'exchange' && output.exchange === 'broadcast')
        await services.shareBroadcast?.(task, plan.schema);
      exchange = {
        memoryBytes: bytes,
        spilledBytes: mapOutput.file?.bytes ?? 0,
        spillFiles: mapOutput.file === null ? 0 : 1,
        spillPasses: mapOutput.file === null ? 0 : 1,
        bucketBytes,
      };
    }
    const cpu = process.threadCpuUsage(cpuStart);
    return {
      ok: true,
      metrics: {
        rows,
        batches,
        elapsedMs: performance.now() - started,
        cpuMs: (cpu.user + cpu.system) / 1000,
        peakMemory: pool.peak,
        ...(exchange === undefined ? {} : { exchange }),
        ...(reads.broadcastObjects === 0 ? {} : { broadcastObjectReads: reads.broadcastObjects }),
        ...(task.instrument ? { operators } : {}),
      },
    };
  } catch (err) {
    await writer?.abandon().catch(() => undefined);
    return { ok: false, failure: classify(err, signal) };
  } finally {
    spill.removeAll();
    pool.releaseAll();
  }
}

function canceled(): EngineError {
  return new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
}

function classify(err: unknown, signal: AbortSignal): TaskFailure {
  for (let e: unknown = err; e instanceof Error; e = e.cause) {
    if (e instanceof FetchFailedError) {
      return {
        kind: 'fetch',
        stageId: e.stageId,
        mapPartition: e.mapPartition,
        executorId: e.executorId,
        error: errorData(e),
      };
    }
  }
  if (signal.aborted) return { kind: 'error', error: errorData(canceled()) };
  return { kind: 'error', error: errorData(toEngineError(err)) };
}

/** What a task read of earlier stages' outputs, for its metrics. */
interface ExchangeReads {
  broadcastObjects: number;
}

/**
 * Reads earlier stages' outputs: from this executor's store, from the object store (broadcasts,
 * between processes), or fetched from the executor holding them.
 */
function exchangeSource(
  task: TaskDescription,
  services: ExecutorServices,
  reads: ExchangeReads,
): ExchangeSource {
  return {
    read(stageId, bucket, schema) {
      const input = task.inputs.find((i) => i.stageId === stageId);
      if (input === undefined) {
        throw new EngineError(
          SqlState.internalError,
          `internal error: task reads stage ${stageId} it was not given`,
        );
      }
      return input.locations.map((executorId, map) =>
        mapOutput(task.queryId, stageId, map, bucket, executorId, services, schema, reads),
      );
    },
  };
}

async function* mapOutput(
  queryId: string,
  stageId: number,
  map: number,
  bucket: number,
  executorId: ExecutorId,
  services: ExecutorServices,
  schema: Schema,
  reads: ExchangeReads,
): AsyncGenerator<arrow.RecordBatch> {
  let found: MapOutputBucket | undefined;
  let shared: AsyncIterable<arrow.RecordBatch> | null = null;
  if (executorId === services.executorId) {
    found = services.store.get(queryId, stageId, map, bucket);
    if (found === undefined) throw new FetchFailedError(stageId, map, executorId, 'not held here');
  } else if ((found = services.mirrors?.get(queryId, stageId, map, bucket)) !== undefined) {
    // published by the executor that holds it
  } else if (
    (shared = services.readBroadcast?.(executorId, queryId, stageId, map, schema) ?? null) !== null
  ) {
    // A broadcast in the object store: an object that cannot be read is a lost output.
    reads.broadcastObjects++;
    try {
      yield* shared;
    } catch (err) {
      throw new FetchFailedError(stageId, map, executorId, err instanceof Error ? err.message : String(err));
    }
    return;
  } else if (services.fetchStream !== undefined) {
    // Streamed from another process: any failure on the way is a lost output.
    try {
      yield* services.fetchStream(executorId, queryId, stageId, map, bucket, schema);
    } catch (err) {
      throw new FetchFailedError(stageId, map, executorId, err instanceof Error ? err.message : String(err));
    }
    return;
  } else {
    try {
      if (services.fetch === undefined) throw new Error('this executor cannot fetch');
      found = await services.fetch(executorId, queryId, stageId, map, bucket);
    } catch (err) {
      throw new FetchFailedError(stageId, map, executorId, err instanceof Error ? err.message : String(err));
    }
  }
  if (found.file === null) {
    // In memory only: nothing can fail.
    yield* readMapOutputBucket(found, schema);
    return;
  }
  // A block on disk that cannot be read is a lost output: its map task runs again.
  try {
    yield* readMapOutputBucket(found, schema);
  } catch (err) {
    throw new FetchFailedError(stageId, map, executorId, err instanceof Error ? err.message : String(err));
  }
}
