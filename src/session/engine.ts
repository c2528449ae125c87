/**
 * Engine: what all sessions of one process share — the metastore over the warehouse directory and
 * the function registry.
 */
import { Metastore } from '../catalog/index.ts';
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

  createSession(options: SessionOptions = {}): Session {
    return new Session(this, options);
  }
}
