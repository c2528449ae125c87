/**
 * The execution engine of a process: the executor pool (worker threads), the task scheduler
 * shared by every query, the process-wide memory budget, and the cached tables' batches (one
 * shared-memory copy that every thread reads, charged to that budget). `execute` runs one physical plan:
 * tiny plans in the caller's thread (placement.ts), the others cut into stages and run as tasks
 * on the executors, with the result streamed back. Operators spill under `kindling.local.dir`, in
 * the process's folder there; the folders of processes that died are removed when the engine
 * starts, its own when it closes.
 */
import type * as arrow from 'apache-arrow';
import { availableParallelism, totalmem } from 'node:os';
import type { EvalContext } from '../functions/index.ts';
import type { ExecutionPlan, TaskContext } from '../physical/index.ts';
import { dropCachedData, putCachedData } from '../catalog/index.ts';
import { EngineError, SqlState, type Schema } from '../common/index.ts';
import { fromWireBatch, toWireBatch, wireBatchBytes, type WireBatch } from './arrow-transfer.ts';
import { executeInline } from './executors/inline.ts';
import { ThreadPool } from './executors/thread-pool.ts';
import { MemoryBudget, TaskMemoryPool, createBudget, type BudgetHandle } from './memory/memory-budget.ts';
import { placementOf, type Placement } from './placement.ts';
import { QueryRun, type StageRunStats } from './query-run.ts';
import type { ClusterSettings } from './remote/cluster-settings.ts';
import type { Master } from './remote/master.ts';
import { RemoteCluster, type RemoteClusterOptions } from './remote/remote-cluster.ts';
import {
  TaskSpillSpace,
  defaultLocalDir,
  engineSpillDir,
  removeSpillDir,
  sweepSpillLeftovers,
} from './spill/spill-files.ts';
import { cutStages } from './stages.ts';
import { instrument, type OperatorMetrics } from './metrics.ts';
import type { TaskMetrics } from './task.ts';
import { TaskScheduler } from './task-scheduler.ts';

export interface ExecutionEngineOptions {
  /** Executor threads (`kindling.executor.threads`); 0 = every query in the calling thread. */
  readonly threads?: number;
  /** Bytes all queries together may reserve (`kindling.memory.limit`). */
  readonly memoryLimit?: number;
  /**
   * V8 heap limit of each executor thread in MiB; default: the memory limit shared by the threads
   * (at least 1 GiB). A query whose JavaScript objects outgrow it fails with 53200.
   */
  readonly heapLimitMb?: number;
  /** Where operators spill (`kindling.local.dir`); default a folder under the OS temporary folder. */
  readonly localDir?: string;
  /**
   * Where the executors are (`kindling.master`): worker threads of this process (`local[N]`,
   * the default, `threads` of them) or executor processes (remote/master.ts).
   */
  readonly master?: Master;
  /** `kindling.nats.url`: the NATS server of `process[N]`'s control plane (default: one started here). */
  readonly natsUrl?: string;
  /** `process[N]` in network namespaces: one `{ netns, host }` per executor (tests). */
  readonly executorPlaces?: readonly { readonly netns: string; readonly host: string }[];
  /** The address the NATS server that `process[N]` starts listens on (default loopback). */
  readonly natsHost?: string;
  /** `kindling.executor.*`, `kindling.kubernetes.*`. */
  readonly cluster?: ClusterSettings;
}

export interface RunOptions {
  readonly eval: EvalContext;
  readonly batchSize: number;
  readonly signal: AbortSignal;
  /** Bytes this query may reserve (`kindling.memory.query_limit`). */
  readonly queryMemoryLimit: number;
  /** Attempts of a task before the query fails (`spark.task.maxFailures`). */
  readonly maxTaskFailures: number;
  /** False sends even tiny plans to the executors (tests of the executors). Default true. */
  readonly inlineTinyPlans?: boolean;
  /** Measure every operator (EXPLAIN ANALYZE); see `QueryExecution.stages`. */
  readonly instrument?: boolean;
}

/** A map stage of a query has output for all its partitions (`ExecutionEngine.onStageCompleted`). */
export interface StageCompleted {
  readonly queryId: string;
  /** The stage's statistics, kept up to date as the query goes on (retries included). */
  readonly stats: StageRunStats;
  /** Which executor holds each partition's output. */
  readonly locations: readonly (string | null)[];
}

export interface QueryExecution {
  readonly queryId: string;
  readonly placement: Placement;
  readonly batches: AsyncIterable<arrow.RecordBatch>;
  /** Per-stage statistics, once the batches are read (an inline run is one stage). */
  stages(): readonly StageRunStats[];
  /** Peak bytes the query reserved. */
  peakMemory(): number;
}

/**
 * What the tasks of a cache's query left in the object store (executor processes): one object
 * per partition of its result, dealt over `partitions` partitions of the cache.
 */
export interface SharedCacheObjects {
  readonly objects: number;
  readonly partitions: number;
}

/** The default process memory limit: 60 % of physical memory. */
export function defaultMemoryLimit(): number {
  return Math.floor(totalmem() * 0.6);
}

export class ExecutionEngine {
  readonly threads: number;
  readonly processBudget: BudgetHandle;
  /** `kindling.local.dir`. */
  readonly localDir: string;
  /** This engine's folder there, where its tasks spill. */
  readonly spillDir: string;
  private readonly heapLimitMb: number;
  private pool: ThreadPool | null = null;
  /** Executor processes, when the master is not `local`. */
  private remote: RemoteCluster | null = null;
  private readonly remoteOptions: RemoteClusterOptions | null;
  private scheduler: TaskScheduler | null = null;
  private nextQuery = 1;
  private closed = false;
  private readonly stageListeners = new Set<(event: StageCompleted) => void>();
  /** Cached tables' shared batches and the bytes charged for them to the process budget. */
  private readonly caches = new Map<
    string,
    {
      readonly schema: Schema;
      readonly partitions: readonly (readonly WireBatch[])[];
      readonly bytes: number;
    }
  >();

  constructor(options: ExecutionEngineOptions = {}) {
    const master = options.master;
    this.threads = Math.max(
      0,
      master?.kind === 'local' ? master.threads : (options.threads ?? availableParallelism()),
    );
    const memoryLimit = options.memoryLimit ?? defaultMemoryLimit();
    this.processBudget = createBudget(memoryLimit, 'kindling.memory.limit');
    this.localDir = options.localDir ?? defaultLocalDir();
    sweepSpillLeftovers(this.localDir);
    this.spillDir = engineSpillDir(this.localDir);
    this.heapLimitMb =
      options.heapLimitMb ?? Math.max(1024, Math.floor(memoryLimit / Math.max(1, this.threads) / (1 << 20)));
    const places = options.executorPlaces ?? options.cluster?.executorNetns;
    const natsHost = options.natsHost ?? options.cluster?.driverHost;
    if (master?.kind === 'process' && places !== undefined && places.length < master.executors) {
      throw new EngineError(
        SqlState.invalidParameterValue,
        `kindling.executor.netns names ${places.length} places for ${master.executors} executors`,
      );
    }
    this.remoteOptions =
      master === undefined || master.kind === 'local'
        ? null
        : {
            master,
            executorMemory:
              options.cluster?.executorMemory ??
              Math.floor(memoryLimit / (master.kind === 'process' ? master.executors : 1)),
            ...(options.cluster === undefined ? {} : { settings: options.cluster }),
            localDir: this.localDir,
            ...(options.natsUrl === undefined ? {} : { natsUrl: options.natsUrl }),
            ...(places === undefined ? {} : { places }),
            ...(natsHost === undefined ? {} : { natsHost }),
          };
  }

  /** Whether executors are processes (`kindling.master` other than `local`). */
  get distributed(): boolean {
    return this.remoteOptions !== null;
  }

  /**
   * Starts the executors now rather than at the first query that needs them; executor
   * processes (`process[N]`) have all registered when it resolves.
   */
  async start(): Promise<void> {
    this.taskScheduler();
    await this.remote?.start();
  }

  /**
   * Calls `listener` whenever a map stage of any query completes (as Spark's listener bus tells of
   * stages: for tools and tests); returns the function that stops it.
   */
  onStageCompleted(listener: (event: StageCompleted) => void): () => void {
    this.stageListeners.add(listener);
    return () => this.stageListeners.delete(listener);
  }

  /** The executor processes' cluster, when there is one (tests kill its executors). */
  get cluster(): RemoteCluster | null {
    return this.remote;
  }

  private taskScheduler(): TaskScheduler {
    if (this.scheduler === null) {
      if (this.remoteOptions !== null) {
        // Caches come after: their queries' tasks, on these executors, put them in the store.
        this.remote = new RemoteCluster(this.remoteOptions);
        this.remote.start().catch(() => undefined);
        this.scheduler = new TaskScheduler(this.remote.pool);
      } else {
        this.pool = new ThreadPool({ threads: this.threads, heapLimitMb: this.heapLimitMb });
        for (const [id, c] of this.caches) this.pool.shareCache(id, c.schema, c.partitions);
        this.scheduler = new TaskScheduler(this.pool);
      }
    }
    return this.scheduler;
  }

  execute(plan: ExecutionPlan, options: RunOptions): QueryExecution {
    const queryId = `q${this.nextQuery++}`;
    const queryBudget = createBudget(options.queryMemoryLimit, 'kindling.memory.query_limit');
    const hasExecutors = (this.threads > 0 || this.remoteOptions !== null) && !this.closed;
    const placement = placementOf(plan, hasExecutors, options.inlineTinyPlans ?? true);
    if (placement === 'inline') {
      const pool = new TaskMemoryPool(new MemoryBudget(queryBudget), new MemoryBudget(this.processBudget));
      const spill = new TaskSpillSpace(this.spillDir, queryId);
      const ctx: TaskContext = {
        eval: options.eval,
        signal: options.signal,
        batchSize: options.batchSize,
        scope: {},
        memory: pool,
        spill,
      };
      const operators: OperatorMetrics[] = [];
      const run = options.instrument === true ? instrument(plan, operators) : plan;
      const started = performance.now();
      const cpuStart = process.threadCpuUsage();
      let task: TaskMetrics | null = null;
      return {
        queryId,
        placement,
        batches: releasing(executeInline(run, ctx), () => {
          const cpu = process.threadCpuUsage(cpuStart);
          const root = operators[0];
          task = {
            rows: root?.rows ?? 0,
            batches: root?.batches ?? 0,
            elapsedMs: performance.now() - started,
            cpuMs: (cpu.user + cpu.system) / 1000,
            peakMemory: pool.peak,
            operators,
          };
          spill.removeAll();
          pool.releaseAll();
        }),
        stages: () => [
          {
            stageId: 1,
            stage: {
              id: 1,
              plan,
              partitions: plan.outputPartitions,
              output: { kind: 'result' },
              parents: [],
            },
            partitions: plan.outputPartitions,
            tasks: task === null ? [] : [task],
            launched: 1,
            releases: 0,
          },
        ],
        peakMemory: () => pool.peak,
      };
    }
    const scheduler = this.taskScheduler();
    const failure = this.remote?.error;
    if (failure !== null && failure !== undefined) throw failure;
    const run = new QueryRun(scheduler, cutStages(plan), {
      queryId,
      // What reaches the session (EvalContext.backends, .settings) stays here: no task can use it.
      settings: { eval: withoutSession(options.eval), batchSize: options.batchSize, spillDir: this.spillDir },
      queryBudget,
      processBudget: this.processBudget,
      signal: options.signal,
      maxTaskFailures: options.maxTaskFailures,
      instrument: options.instrument === true,
      onStageCompleted: (stats, locations) => {
        for (const l of this.stageListeners) l({ queryId, stats, locations: [...locations] });
      },
    });
    const budget = new MemoryBudget(queryBudget);
    return {
      queryId,
      placement,
      batches: run.run(),
      stages: () => run.stats,
      peakMemory: () => budget.peak,
    };
  }

  /**
   * Holds a cached table's partitions where every thread reads them: one copy in shared memory,
   * charged to the process budget. Returns the bytes charged, or (holding nothing) the bytes
   * needed and free when the budget cannot take them. With executor processes, the tasks of the
   * query that filled the cache have put its partitions in the object store (`CacheShareExec`;
   * `shared` says how many objects, dealt over how many partitions): the executors are told of
   * them, and nothing is encoded here.
   */
  putCache(
    cacheId: string,
    schema: Schema,
    partitions: readonly (readonly arrow.RecordBatch[])[],
    shared?: SharedCacheObjects,
  ):
    | { readonly ok: true; readonly bytes: number }
    | { readonly ok: false; readonly needed: number; readonly free: number } {
    if (this.remoteOptions !== null && shared === undefined) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: cache ${cacheId} was filled without sharing it with the executor processes`,
      );
    }
    this.dropCache(cacheId);
    const wire = partitions.map((p) => p.map((b) => toWireBatch(b)));
    const bytes = wire.reduce((s, p) => s + p.reduce((t, b) => t + wireBatchBytes(b), 0), 0);
    const budget = new MemoryBudget(this.processBudget);
    if (!budget.tryAdd(bytes))
      return { ok: false, needed: bytes, free: Math.max(0, budget.limit - budget.used) };
    this.caches.set(cacheId, { schema, partitions: wire, bytes });
    putCachedData(cacheId, { schema, partitions: wire.map((p) => p.map((b) => fromWireBatch(schema, b))) });
    this.pool?.shareCache(cacheId, schema, wire);
    if (shared !== undefined) this.remote?.pool.shareCache({ cacheId, schema, ...shared });
    return { ok: true, bytes };
  }

  /**
   * Removes the objects the tasks of a cache's query put in the object store when the cache does
   * not keep them (its fill failed, or it lives on disk alone).
   */
  dropCacheObjects(cacheId: string, shared: SharedCacheObjects): void {
    this.remote?.pool.deleteCacheObjects(cacheId, shared.objects);
  }

  /** Bytes the process budget could still take (for a cache being filled). */
  cacheRoom(): number {
    const budget = new MemoryBudget(this.processBudget);
    return Math.max(0, budget.limit - budget.used);
  }

  /** Lets go of a cached table's batches on every thread and returns their bytes to the budget. */
  dropCache(cacheId: string): void {
    const c = this.caches.get(cacheId);
    if (c === undefined) return;
    this.caches.delete(cacheId);
    dropCachedData(cacheId);
    this.pool?.dropCache(cacheId);
    this.remote?.pool.dropCache(cacheId);
    new MemoryBudget(this.processBudget).release(c.bytes);
  }

  /** Bytes reserved by every query right now. */
  get memoryUsed(): number {
    return new MemoryBudget(this.processBudget).used;
  }

  async close(): Promise<void> {
    this.closed = true;
    const pool = this.pool;
    const remote = this.remote;
    this.pool = null;
    this.remote = null;
    this.scheduler = null;
    await pool?.close();
    await remote?.close();
    removeSpillDir(this.spillDir);
  }
}

async function* releasing(
  batches: AsyncIterable<arrow.RecordBatch>,
  release: () => void,
): AsyncGenerator<arrow.RecordBatch> {
  try {
    yield* batches;
  } finally {
    release();
  }
}

/** The evaluation context tasks on the executors get: without the session's own services. */
function withoutSession(ctx: EvalContext): EvalContext {
  if (ctx.backends === undefined && ctx.settings === undefined) return ctx;
  const { backends: _backends, settings: _settings, ...rest } = ctx;
  return rest;
}
