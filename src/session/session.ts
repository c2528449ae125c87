/**
 * Session: the one entry that runs SQL end to end.
 *
 *   text ─parse─► statements ─► DDL/utility: catalog and settings
 *                            └► queries: analyze ─► optimize ─► physical plan ─► execute (lazy batches)
 *
 * A session holds the settings (`SET`), the current database, temporary views and variables. Many sessions
 * share one `Engine` (the metastore and the function registry).
 */
import type { CacheEntry } from './table-cache.ts';
import { temporaryViewKey } from './cache-table.ts';
import {
  EngineError,
  SqlState,
  batchRows,
  toEngineError,
  type DataType,
  type Schema,
  type Value,
} from '../common/index.ts';
import { parseStatements, type Statement } from '../sql/parser/index.ts';
import type { EvalContext } from '../functions/index.ts';
import type { Engine } from './engine.ts';
import { executeStatement } from './statements.ts';
import { Cursors } from './cursors.ts';
import { SessionVariables } from './session-variables.ts';
import { Settings } from './settings.ts';
import { prepareStatement, executePreparedStatement } from './prepared.ts';
import { StatementRun, statementCanceled } from './statement-run.ts';
import { withFileSchemas, type FileSchema } from './file-schemas.ts';
import type {
  ExecuteOptions,
  ParameterChange,
  PreparedStatement,
  SqlSession,
  StatementResult,
} from './types.ts';
import type { Query } from '../sql/parser/index.ts';
import { backendSignals, type BackendIdentity } from './backends.ts';

export interface SessionOptions {
  readonly user?: string;
  readonly database?: string;
  /**
   * Settings the session starts with (a client's start-up options), over the engine's
   * `sessionDefaults`; validated like SET, and what RESET returns to.
   */
  readonly settings?: Readonly<Record<string, string>>;
  /** The server connection the session serves (pg_backend_pid, pg_stat_activity); none when embedded. */
  readonly backend?: BackendIdentity;
}

export interface TemporaryView {
  readonly name: string;
  readonly query: Query;
  readonly columns: readonly string[] | null;
  readonly text: string;
}

let nextSessionId = 1;

export class Session implements SqlSession {
  readonly engine: Engine;
  readonly id: number;
  readonly user: string;
  readonly settings: Settings;
  /** The connection served, when a server made the session. */
  readonly backend: BackendIdentity | null;
  readonly temporaryViews = new Map<string, TemporaryView>();
  /** SQL-level cursors (DECLARE … CURSOR). */
  readonly cursors = new Cursors();
  /** Session variables (DECLARE VARIABLE). */
  readonly variables = new SessionVariables();
  /** While `fillLazyCaches` analyzes a query: the unfilled caches it would read. */
  lazyCacheHits: CacheEntry[] | null = null;
  /** While a statement runs: the file schemas it inferred on the executors (file-schemas.ts). */
  fileSchemas: Map<string, FileSchema> | null = null;
  /** Between BEGIN and COMMIT/ROLLBACK: cursors without HOLD live until then. */
  inTransaction = false;
  private database: string;
  private readonly listeners: ((change: ParameterChange) => void)[] = [];
  private readonly runs = new Set<StatementRun>();
  private closed = false;

  constructor(engine: Engine, options: SessionOptions = {}) {
    this.engine = engine;
    this.id = nextSessionId++;
    this.user = options.user ?? 'kindling';
    this.backend = options.backend ?? null;
    this.settings = new Settings({ ...engine.sessionDefaults, ...options.settings });
    const db = (options.database ?? 'default').toLowerCase();
    this.database = engine.metastore.getDatabase(db) === undefined ? 'default' : db;
  }

  get currentDatabase(): string {
    return this.database;
  }

  /** Switches the current database (USE); 42704 `[SCHEMA_NOT_FOUND]` when it does not exist. */
  useDatabase(name: string): void {
    const db = name.toLowerCase();
    if (this.engine.metastore.getDatabase(db) === undefined) {
      throw new EngineError(
        SqlState.undefinedObject,
        `[SCHEMA_NOT_FOUND] The schema \`${db}\` cannot be found.`,
      );
    }
    this.database = db;
  }

  /** The evaluation context of one query (the start time is fixed for the whole query). */
  evalContext(): EvalContext {
    return {
      ansi: this.settings.ansi,
      timeZone: this.settings.timeZone,
      queryStartMicros: BigInt(Date.now()) * 1000n,
      currentDatabase: this.database,
      currentUser: this.user,
      ...(this.backend === null ? {} : { backends: backendSignals(this.backend, this.user) }),
      settings: { set: (name, value) => this.setSetting(name, value) },
    };
  }

  /**
   * Runs each statement of `sql` in turn. Each runs under its own `statement_timeout`, from its
   * start until its rows are all read (or closed); it is cancelled when `options.signal` aborts.
   */
  async *execute(sql: string, options: ExecuteOptions = {}): AsyncGenerator<StatementResult> {
    this.checkOpen();
    let statements;
    try {
      statements = parseStatements(sql, this.settings.parseOptions);
    } catch (err) {
      throw toEngineError(err);
    }
    for (const parsed of statements) {
      const run = this.startRun(options.signal);
      let result: StatementResult;
      // AST positions are offsets into the whole text, so errors need no adjusting here.
      try {
        run.throwIfAborted();
        result = await withFileSchemas(this, run.signal, () =>
          executeStatement(this, parsed.statement, run.signal),
        );
      } catch (err) {
        run.finish();
        throw run.error(err);
      }
      if (result.kind === 'command') {
        run.finish();
        yield result;
        continue;
      }
      if (result.kind === 'copy_in') {
        // The load runs under this statement's cancellation and timeout.
        const copy = result;
        let loaded = false;
        try {
          yield {
            ...copy,
            load: async (data) => {
              loaded = true;
              try {
                return await copy.load(data, run.signal);
              } catch (err) {
                throw run.error(err);
              } finally {
                run.finish();
              }
            },
          };
        } finally {
          if (!loaded) run.finish();
        }
        continue;
      }
      try {
        yield run.rows(result);
      } finally {
        // The consumer reads a statement's rows before asking for the next statement.
        run.finish();
      }
    }
  }

  /**
   * Runs SQL (one or more statements) and collects the last statement's rows: the convenient form
   * for programs embedding the engine and for tests.
   */
  async sql(text: string, options: ExecuteOptions = {}): Promise<QueryRows> {
    let last: QueryRows = { columns: [], types: [], rows: [], tag: '' };
    for await (const result of this.execute(text, options)) {
      if (result.kind === 'command') {
        last = { columns: [], types: [], rows: [], tag: result.tag };
        continue;
      }
      if (result.kind === 'copy_in') {
        throw new EngineError(
          SqlState.featureNotSupported,
          'COPY … FROM STDIN needs a client that sends the data (psql, a PostgreSQL driver)',
        );
      }
      const types = result.schema.fields.map((f) => f.type);
      const rows: Value[][] = [];
      for await (const batch of result.batches) rows.push(...batchRows(batch, types));
      last = { columns: result.schema.fields.map((f) => f.name), types, rows, tag: result.tag };
    }
    return last;
  }

  /** Parses and describes a statement (its files' schemas are inferred on the executors). */
  async prepare(sql: string, declaredTypes: readonly (DataType | null)[]): Promise<PreparedStatement> {
    this.checkOpen();
    return withFileSchemas(this, undefined, () => prepareStatement(this, sql, declaredTypes));
  }

  describeCursor(name: string): { readonly schema: Schema; readonly binary: boolean } | null {
    return this.cursors.describe(name);
  }

  /**
   * Runs a prepared statement under `statement_timeout` (until its rows are read; the result's
   * `control` pauses the clock between Execute messages of a suspended portal), cancelled when
   * `options.signal` aborts.
   */
  async executePrepared(
    statement: PreparedStatement,
    params: readonly Value[],
    options: ExecuteOptions = {},
  ): Promise<StatementResult> {
    this.checkOpen();
    const run = this.startRun(options.signal);
    let result: StatementResult;
    try {
      run.throwIfAborted();
      result = await withFileSchemas(this, run.signal, () =>
        executePreparedStatement(this, statement, params, run.signal),
      );
    } catch (err) {
      run.finish();
      throw run.error(err);
    }
    if (result.kind !== 'rows') {
      run.finish();
      return result;
    }
    return run.rows(result);
  }

  /** Sets a setting as SET does (set_config): validated, and reported to the client when tracked. */
  setSetting(name: string, value: string): string {
    const change = this.settings.set(name, value);
    if (change.pgName !== undefined) this.notifyParameterChange({ name: change.pgName, value: change.value });
    return change.value;
  }

  reportedParameters(): readonly ParameterChange[] {
    return this.settings.reported();
  }

  onParameterChange(listener: (change: ParameterChange) => void): void {
    this.listeners.push(listener);
  }

  /** Called by SET/RESET for settings PostgreSQL clients track. */
  notifyParameterChange(change: ParameterChange): void {
    for (const l of this.listeners) l(change);
  }

  /** Closes the session, cancelling its running statements. */
  close(): void {
    this.closed = true;
    for (const run of this.runs) run.abort(statementCanceled('user request'));
    this.temporaryViews.clear();
    this.engine.tableCache.dropPrefixed(temporaryViewKey(this, ''));
    this.variables.clear();
    void this.cursors.close(null);
  }

  /** A statement starts: its run follows `signal` and this session's `statement_timeout`. */
  private startRun(signal: AbortSignal | undefined): StatementRun {
    const run = new StatementRun(this.settings.statementTimeoutMs, signal, (r) => this.runs.delete(r));
    this.runs.add(run);
    return run;
  }

  private checkOpen(): void {
    if (this.closed) throw new EngineError(SqlState.invalidTransactionState, 'the session is closed');
  }
}

export interface QueryRows {
  readonly columns: readonly string[];
  readonly types: readonly DataType[];
  readonly rows: readonly (readonly Value[])[];
  readonly tag: string;
}

export type { Statement };
