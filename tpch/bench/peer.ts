/** A system the benchmark times queries on: Kindling in-process, DuckDB, or PostgreSQL. */
import type { QueryExecutor } from '../run/index.ts';

export interface Peer {
  /** Short name used in the table and the JSON: `kindling`, `duckdb`, `postgres`. */
  readonly name: string;
  readonly execute: QueryExecutor;
  close(): Promise<void>;
}
