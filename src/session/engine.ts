/**
 * Engine: what all sessions of one process share — the metastore over the warehouse directory and
 * the function registry.
 */
import { Metastore } from '../catalog/index.ts';
import { ScanWorkerPool } from '../exec/index.ts';
import { createFunctionRegistry, type FunctionRegistry } from '../functions/index.ts';
import { Session, type SessionOptions } from './session.ts';

export interface EngineOptions {
  /** The warehouse directory (Spark's `spark.sql.warehouse.dir`); default `./kindling-warehouse`. */
  readonly warehouse?: string;
}

export const DEFAULT_WAREHOUSE = 'kindling-warehouse';

export class Engine {
  readonly metastore: Metastore;
  readonly functions: FunctionRegistry;
  readonly warehouse: string;

  constructor(options: EngineOptions = {}) {
    this.warehouse = options.warehouse ?? DEFAULT_WAREHOUSE;
    this.metastore = Metastore.open(this.warehouse);
    this.functions = createFunctionRegistry();
  }

  private pool: ScanWorkerPool | null = null;

  createSession(options: SessionOptions = {}): Session {
    return new Session(this, options);
  }

  /**
   * The engine's scan worker threads (started on first use, `size` of them; a different size
   * replaces the pool once its running scans are done with it).
   */
  scanWorkers(size: number): ScanWorkerPool {
    if (this.pool === null || this.pool.size !== size) {
      const old = this.pool;
      this.pool = new ScanWorkerPool(size);
      void old?.close();
    }
    return this.pool;
  }

  /** Stops the engine's worker threads (the process can also just exit: idle threads never hold it). */
  async close(): Promise<void> {
    const pool = this.pool;
    this.pool = null;
    await pool?.close();
  }
}
