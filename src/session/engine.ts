/**
 * Engine: what all sessions of one process share — the metastore over the warehouse directory, the
 * function registry, and the execution engine (executor threads, task scheduler, memory budget).
 */
import { TableCache } from './table-cache.ts';
import * as path from 'node:path';
import { METASTORE_DIR, Metastore } from '../catalog/index.ts';
import { ExecutionEngine, type ClusterSettings, type Master } from '../exec/index.ts';
import { createFunctionRegistry, type FunctionRegistry } from '../functions/index.ts';
import { AllowedPaths } from './allowed-paths.ts';
import { Session, type SessionOptions } from './session.ts';
import { TableLocks } from './table-locks.ts';
import { validateSettingDefaults } from './settings.ts';

export interface EngineOptions {
  /** The warehouse directory (Spark's `spark.sql.warehouse.dir`); default `./kindling-warehouse`. */
  readonly warehouse?: string;
  /**
   * Executor threads (`kindling.executor.threads`, default one per core). 0 runs every query in
   * the caller's thread — for programs that want no threads; a server always has executors.
   */
  readonly executorThreads?: number;
  /** Bytes all queries together may hold (`kindling.memory.limit`, default 60 % of RAM). */
  readonly memoryLimit?: number;
  /** V8 heap limit of each executor thread in MiB (default: the memory limit over the threads). */
  readonly executorHeapLimitMb?: number;
  /**
   * Default settings of every new session (`kindling serve --conf key=value`): known keys only,
   * values as SET takes them; a bad one throws (22023, or 42704 for an unknown key).
   */
  readonly sessionDefaults?: Readonly<Record<string, string>>;
  /**
   * The folders SQL may name (`kindling.sql.allowed_paths`): LOCATION and every other path a
   * statement gives must lie inside one, symbolic links followed; default the warehouse alone.
   */
  readonly allowedPaths?: readonly string[];
  /**
   * Where operators spill what does not fit in memory (`kindling.local.dir`); default a folder
   * under the OS temporary folder.
   */
  readonly localDir?: string;
  /** `kindling.master`: where the executors are (default `local[N]`, N = executorThreads). */
  readonly master?: Master;
  /** `kindling.nats.url`: the NATS server of `process[N]` (default: one the engine starts). */
  readonly natsUrl?: string;
  /** `kindling.executor.*`, `kindling.kubernetes.*`. */
  readonly cluster?: ClusterSettings;
  /**
   * An execution engine to share with other engines (tests over many warehouses on one set of
   * executor processes): its owner closes it, and the options above that configure one are ignored.
   */
  readonly execution?: ExecutionEngine;
}

export const DEFAULT_WAREHOUSE = 'kindling-warehouse';

export class Engine {
  readonly metastore: Metastore;
  readonly functions: FunctionRegistry;
  readonly warehouse: string;
  readonly execution: ExecutionEngine;
  readonly sessionDefaults: Readonly<Record<string, string>>;
  readonly allowedPaths: AllowedPaths;
  /** Writers of one table run one at a time, in this process and across processes of the warehouse. */
  readonly tableLocks: TableLocks;
  /** CACHE TABLE's caches; their batches are held by `execution`. */
  readonly tableCache: TableCache;
  private readonly ownsExecution: boolean;

  constructor(options: EngineOptions = {}) {
    this.warehouse = options.warehouse ?? DEFAULT_WAREHOUSE;
    this.allowedPaths = new AllowedPaths(options.allowedPaths ?? [this.warehouse]);
    this.tableLocks = new TableLocks(path.join(this.warehouse, METASTORE_DIR, 'locks'));
    this.sessionDefaults = validateSettingDefaults(options.sessionDefaults ?? {});
    this.metastore = Metastore.open(this.warehouse);
    this.metastore.sweepWriteLeftovers((table) => this.tableLocks.tryLock(table));
    this.functions = createFunctionRegistry();
    this.ownsExecution = options.execution === undefined;
    this.execution =
      options.execution ??
      new ExecutionEngine({
        ...(options.executorThreads === undefined ? {} : { threads: options.executorThreads }),
        ...(options.memoryLimit === undefined ? {} : { memoryLimit: options.memoryLimit }),
        ...(options.executorHeapLimitMb === undefined ? {} : { heapLimitMb: options.executorHeapLimitMb }),
        ...(options.localDir === undefined ? {} : { localDir: options.localDir }),
        ...(options.master === undefined ? {} : { master: options.master }),
        ...(options.natsUrl === undefined ? {} : { natsUrl: options.natsUrl }),
        ...(options.cluster === undefined ? {} : { cluster: options.cluster }),
      });
    this.tableCache = new TableCache(this.execution);
  }

  createSession(options: SessionOptions = {}): Session {
    return new Session(this, options);
  }

  /**
   * Stops the executors it owns (the process can also just exit: idle threads never hold it;
   * executor processes exit when their NATS connection goes).
   */
  async close(): Promise<void> {
    if (this.ownsExecution) await this.execution.close();
  }
}
