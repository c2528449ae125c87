/**
 * What a session returns for a statement. The server, the CLI and embedding programs consume these.
 */
import type * as arrow from 'apache-arrow';
import type { CopyOptions, DataType, Schema, Value } from '../common/index.ts';

export type StatementResult =
  | {
      readonly kind: 'rows';
      readonly schema: Schema;
      /** Lazy: the query runs as it is pulled. Consume fully (or `return()`) before the next statement. */
      readonly batches: AsyncIterable<arrow.RecordBatch>;
      /** The CommandComplete verb: `SELECT` (row count appended by the consumer), `SHOW`, `EXPLAIN`… */
      readonly tag: string;
      /** The running statement's cancellation and `statement_timeout` clock (set by `Session`). */
      readonly control?: StatementControl;
      /** `COPY … TO STDOUT`: the rows go out as COPY data in this format, not as result rows. */
      readonly copy?: CopyOptions;
      /** Rows of a BINARY cursor: sent in binary format over the simple query protocol. */
      readonly binary?: boolean;
      /** Per column, the table column it is read from (RowDescription); missing = none known. */
      readonly origins?: readonly (ColumnOrigin | null)[];
    }
  | {
      /**
       * `COPY … FROM STDIN`: the client now sends the data. `load` reads all of it, appends it to
       * the table in one commit and returns the CommandComplete tag (`COPY 5`); it must be called.
       */
      readonly kind: 'copy_in';
      /** Values per row (CopyInResponse). */
      readonly columns: number;
      load(data: AsyncIterable<Uint8Array>, signal?: AbortSignal): Promise<string>;
    }
  | {
      readonly kind: 'command';
      /** The full CommandComplete tag: `CREATE TABLE`, `DROP DATABASE`, `SET`, `INSERT 0 5`, … */
      readonly tag: string;
      /**
       * `DEALLOCATE` / `DISCARD ALL`: the connection's prepared statements to drop (its protocol
       * statements share PostgreSQL's namespace with SQL-level ones); null = all of them.
       */
      readonly deallocate?: string | null;
    };

/** A statement prepared for the extended protocol: types of `$n` parameters and of the result. */
export interface PreparedStatement {
  readonly sql: string;
  /** One per `$n`, inferred from context where the client did not declare it. */
  readonly paramTypes: readonly DataType[];
  /**
   * The type each parameter is described as to the client: its `paramTypes` entry, except where the
   * value is kept as text to keep its digits (`$1::numeric` is described as numeric).
   */
  readonly describedParamTypes: readonly DataType[];
  /** Null for statements that return no rows. */
  readonly resultSchema: Schema | null;
  /** Per result column, the table column it is read from; missing = none known. */
  readonly resultOrigins?: readonly (ColumnOrigin | null)[];
}

/** A result column read straight from a table: the table's `pg_class` OID and its `attnum`. */
export interface ColumnOrigin {
  readonly tableOid: number;
  readonly column: number;
}

/** A PostgreSQL-visible setting that changed (for ParameterStatus messages). */
export interface ParameterChange {
  readonly name: string;
  readonly value: string;
}

export interface ExecuteOptions {
  /**
   * Aborting it cancels the statement: it fails with 57014 `canceling statement due to user
   * request` (CancelRequest, a closed connection, a program giving up).
   */
  readonly signal?: AbortSignal;
}

/**
 * A statement whose rows are still to be read: it fails with 57014 once cancelled or once
 * `statement_timeout` has passed since it started (the clock runs until its rows are all read).
 */
export interface StatementControl {
  /** Aborted on cancel or timeout; `reason` is then the 57014 EngineError the statement fails with. */
  readonly signal: AbortSignal;
  /** Throws that EngineError once `signal` has aborted. */
  throwIfAborted(): void;
  /**
   * Stops the `statement_timeout` clock: a portal suspended by an Execute with a row limit, idle
   * until the next Execute (PostgreSQL times each Execute message on its own).
   */
  pause(): void;
  /** Starts the clock again, with the whole timeout, for the next Execute of a suspended portal. */
  resume(): void;
}

/** The session surface the wire server needs (implemented by `Session`). */
export interface SqlSession {
  /**
   * Runs each statement of `sql` in order, yielding one result per statement. An error in a statement
   * is thrown as an EngineError whose position is relative to the whole text; later statements do
   * not run. An empty or comment-only string yields nothing.
   */
  execute(sql: string, options?: ExecuteOptions): AsyncIterable<StatementResult>;
  /**
   * Parses and analyzes one statement with `$n` parameters. `declaredTypes[i]` null = infer.
   * Asynchronous: the schemas of files it queries are inferred on the executors.
   */
  prepare(sql: string, declaredTypes: readonly (DataType | null)[]): Promise<PreparedStatement>;
  /**
   * Runs a prepared statement with parameter values, converted to the parameter types — except a
   * decimal declared without precision (`numeric`) or an array, which may come as text to be cast.
   */
  executePrepared(
    statement: PreparedStatement,
    params: readonly Value[],
    options?: ExecuteOptions,
  ): Promise<StatementResult>;
  /**
   * The columns of the SQL cursor `name` and whether FETCH sends them in binary (Describe of a
   * portal that is a DECLAREd cursor); null when there is no such cursor.
   */
  describeCursor(name: string): { readonly schema: Schema; readonly binary: boolean } | null;
  /** Settings a PostgreSQL client tracks, reported at start-up and when they change. */
  reportedParameters(): readonly ParameterChange[];
  /** Registers a callback for changes of reported parameters (after `SET application_name …`). */
  onParameterChange(listener: (change: ParameterChange) => void): void;
  /** The current value of a setting, PostgreSQL name or Spark key (for SHOW). */
  close(): void;
}
