/**
 * Engine: what all sessions of one process share — the metastore over the warehouse directory, the
 * function registry and the scan worker threads.
 */
import { Metastore } from '../catalog/index.ts';
import { ScanWorkerPool } from '../exec/index.ts';
import { createFunctionRegistry, type FunctionRegistry } from '../functions/index.ts';
import { Session, type SessionOptions } from './session.ts';
import { validateSettingDefaults } from './settings.ts';

export interface EngineOptions {
  /** The warehouse directory (Spark's `spark.sql.warehouse.dir`); default `./kindling-warehouse`. */
  readonly warehouse?: string;
  /**
   * Default settings of every new session (`kindling serve --conf key=value`): known keys only,
   * values as SET takes them; a bad one throws (22023, or 42704 for an unknown key).
   */
  readonly sessionDefaults?: Readonly<Record<string, string>>;
}

export const DEFAULT_WAREHOUSE = 'kindling-warehouse';

export class Engine {
  readonly metastore: Metastore;
  readonly functions: FunctionRegistry;
  readonly warehouse: string;
  readonly sessionDefaults: Readonly<Record<string, string>>;
  private readonly pools = new Map<number, ScanWorkerPool>();

  constructor(options: EngineOptions = {}) {
    this.warehouse = options.warehouse ?? DEFAULT_WAREHOUSE;
    this.sessionDefaults = validateSettingDefaults(options.sessionDefaults ?? {});
    this.metastore = Metastore.open(this.warehouse);
    this.functions = createFunctionRegistry();
  }

  createSession(options: SessionOptions = {}): Session {
    return new Session(this, options);
  }

  /**
   * The engine's scan worker threads: one pool per size sessions ask for (`SET
   * kindling.execution.scan_workers`), threads started on first use, idle ones never holding the
   * process.
   */
  scanWorkers(size: number): ScanWorkerPool {
    let pool = this.pools.get(size);
    if (pool === undefined) {
      pool = new ScanWorkerPool(size);
      this.pools.set(size, pool);
    }
    return pool;
  }

  /** Stops the engine's worker threads (the process can also just exit: idle threads never hold it). */
  async close(): Promise<void> {
    const pools = [...this.pools.values()];
    this.pools.clear();
    await Promise.all(pools.map((p) => p.close()));
  }
}
