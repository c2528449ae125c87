/**
 * Executes one parsed statement for a session: DDL and utility statements here, queries through
 * `query.ts`.
 */
import { join } from 'node:path';
import {
  EngineError,
  SqlState,
  assertNever,
  typeToDdl,
  typeToString,
  type DataType,
  type Field,
  type Schema,
  type Value,
} from '../common/index.ts';
import {
  columnStatistics,
  removeUnregisteredWrite,
  statisticsText,
  type ColumnStatistics,
  type TableDefinition,
  validateObjectName,
} from '../catalog/index.ts';
import { valueToString } from '../functions/index.ts';
import { describeFunctionName, listFunctions } from '../sql/analyzer/index.ts';
import type * as ast from '../sql/parser/index.ts';
import { commandResult, rowsResult } from './results.ts';
import { parseCopyData } from './copy-in.ts';
import { analyzeForSession, explainQuery, runQuery } from './query.ts';
import { explainAnalyze } from './explain-analyze.ts';
import { inferFileSchema } from './file-schemas.ts';
import { analyzeTable } from './analyze-table.ts';
import { cacheStatement, temporaryViewKey } from './cache-table.ts';
import {
  copyIntoTable,
  createTableAsSelect,
  insertInto,
  rejectCalendarIntervalColumns,
  truncateTable,
} from './table-writes.ts';
import type { Session } from './session.ts';
import { viewParseProperties } from './settings.ts';
import type { StatementResult } from './types.ts';
import { declareVariable, dropVariable, setVariables, variableDisplay } from './session-variables.ts';
import { executeImmediate, executeImmediateColumns } from './execute-immediate.ts';

const STRING = { kind: 'string' } as const;
const BOOLEAN = { kind: 'boolean' } as const;

export async function executeStatement(
  session: Session,
  stmt: ast.Statement,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  switch (stmt.kind) {
    case 'query_statement':
      return runQuery(session, stmt.query, signal);
    case 'explain':
      return explainStatement(session, stmt, signal);
    case 'create_table': {
      const query = stmt.asQuery;
      const target = qualify(session, stmt.name);
      const key = `${target.database}.${target.table}`;
      if (query === null)
        return session.engine.tableLocks.run(key, signal, () => createTable(session, stmt, signal));
      // CREATE OR REPLACE TABLE … AS SELECT replaces a table that may be cached.
      return writing(session, target, () =>
        session.engine.tableLocks.run(key, signal, () =>
          createTableAsSelect(session, stmt, query, target, signal),
        ),
      );
    }
    case 'drop_table': {
      if (
        stmt.name.parts.length === 1 &&
        session.temporaryViews.has(stmt.name.parts[0]!.name.toLowerCase())
      ) {
        session.engine.tableCache.drop(temporaryViewKey(session, stmt.name.parts[0]!.name));
        return dropTable(session, stmt);
      }
      const target = qualify(session, stmt.name);
      return writing(session, target, () =>
        session.engine.tableLocks.run(`${target.database}.${target.table}`, signal, () =>
          Promise.resolve(dropTable(session, stmt)),
        ),
      );
    }
    case 'create_database': {
      const loc =
        stmt.location === null ? undefined : session.engine.allowedPaths.check(stmt.location, stmt.pos);
      session.engine.metastore.createDatabase(
        { name: stmt.name.name, ...(loc === undefined ? {} : { location: loc }), comment: stmt.comment },
        stmt.ifNotExists,
      );
      return commandResult('CREATE DATABASE');
    }
    case 'drop_database': {
      const name = stmt.name.name.toLowerCase();
      if (name === 'default') {
        throw new EngineError(SqlState.featureNotSupported, 'cannot drop the default database', {
          position: stmt.name.pos,
        });
      }
      session.engine.metastore.dropDatabase(name, stmt.ifExists, stmt.cascade);
      if (session.currentDatabase === name) session.useDatabase('default');
      return commandResult('DROP DATABASE');
    }
    case 'use':
      try {
        session.useDatabase(stmt.name.name);
      } catch (err) {
        throw err instanceof EngineError ? err.withPosition(stmt.name.pos) : err;
      }
      return commandResult('USE');
    case 'show_databases': {
      const names = session.engine.metastore
        .listDatabases(stmt.pattern ?? undefined)
        .map((d) => d.name)
        .sort();
      return rowsResult(
        SHOW_DATABASES_COLUMNS,
        names.map((n) => [n]),
        'SHOW',
      );
    }
    case 'show_tables':
      return showTables(session, stmt);
    case 'show_columns': {
      const out = describeRelation(session, stmt.table);
      return rowsResult(
        SHOW_COLUMNS_COLUMNS,
        out.map((f) => [f.name]),
        'SHOW',
      );
    }
    case 'show_functions': {
      // Every function is built in: USER lists none (there are no user-defined functions).
      const pattern = stmt.pattern === null ? null : sparkPattern(stmt.pattern);
      const names =
        stmt.scope === 'user'
          ? []
          : listFunctions(session.engine.functions)
              .map((f) => f.name)
              .filter((n) => pattern === null || pattern.test(n));
      return rowsResult(
        SHOW_FUNCTIONS_COLUMNS,
        names.map((n) => [n]),
        'SHOW',
      );
    }
    case 'describe_function': {
      const f = describeFunctionName(session.engine.functions, stmt.name);
      const lines = [`Function: ${f.name}`, `Class: ${f.className}`, `Usage: ${f.usage}`];
      if (stmt.extended) lines.push(`Extended Usage:\n    ${f.kindText}`);
      return rowsResult(
        DESCRIBE_FUNCTION_COLUMNS,
        lines.map((l) => [l]),
        'DESCRIBE',
      );
    }
    case 'truncate_table': {
      const target = qualify(session, stmt.table);
      return writing(session, target, () =>
        session.engine.tableLocks.run(`${target.database}.${target.table}`, signal, () =>
          truncateTable(session, stmt, target, signal),
        ),
      );
    }
    case 'show_create_table':
      return showCreateTable(session, stmt.table);
    case 'describe':
      return describe(session, stmt);
    case 'set':
      return setStatement(session, stmt);
    case 'reset': {
      if (stmt.key === null) {
        session.settings.resetAll();
        for (const p of session.settings.reported()) session.notifyParameterChange(p);
      } else {
        const change = session.settings.reset(stmt.key);
        if (change.pgName !== undefined)
          session.notifyParameterChange({ name: change.pgName, value: change.value });
      }
      return commandResult('RESET');
    }
    case 'show_variable':
      return showVariable(session, stmt);
    case 'create_view':
      return createView(session, stmt);
    case 'drop_view':
      return dropView(session, stmt);
    case 'transaction':
      if (stmt.action === 'begin') session.inTransaction = true;
      else if (stmt.action === 'commit' || stmt.action === 'rollback') {
        session.inTransaction = false;
        await session.cursors.endTransaction();
      }
      return commandResult(transactionTag(stmt.action));
    case 'insert': {
      const target = qualify(session, stmt.table);
      const rows = await writing(session, target, () =>
        session.engine.tableLocks.run(`${target.database}.${target.table}`, signal, () =>
          insertInto(session, stmt, target, signal),
        ),
      );
      return commandResult(`INSERT 0 ${rows}`);
    }
    case 'multi_insert':
      return multiInsert(session, stmt, signal);
    case 'analyze_table': {
      // Under the write lock: the statistics describe the files of one snapshot, and recording
      // them never races a write's switch.
      const target = qualify(session, stmt.table);
      return session.engine.tableLocks.run(`${target.database}.${target.table}`, signal, () =>
        analyzeTable(session, stmt, target, signal),
      );
    }
    case 'cache':
      return cacheStatement(session, stmt, signal);
    case 'deallocate':
      return {
        kind: 'command',
        tag: stmt.name === null ? 'DEALLOCATE ALL' : 'DEALLOCATE',
        deallocate: stmt.name,
      };
    case 'discard':
      if (stmt.what === 'all' || stmt.what === 'temp') {
        session.temporaryViews.clear();
        session.engine.tableCache.dropPrefixed(temporaryViewKey(session, ''));
        session.variables.clear();
      }
      if (stmt.what === 'all') {
        session.settings.resetAll();
        return { kind: 'command', tag: 'DISCARD ALL', deallocate: null };
      }
      return commandResult(`DISCARD ${stmt.what.toUpperCase()}`);
    case 'declare_cursor': {
      if (!stmt.hold && !session.inTransaction) {
        throw new EngineError('25P01', 'DECLARE CURSOR can only be used in transaction blocks', {
          position: stmt.pos,
          hint: 'Run it after BEGIN, or declare the cursor WITH HOLD.',
        });
      }
      // The cursor's query outlives this statement: it stops when the cursor closes.
      const controller = new AbortController();
      const result = await runQuery(session, stmt.query, controller.signal);
      if (result.kind !== 'rows')
        throw new EngineError(SqlState.internalError, 'internal error: cursor without rows');
      session.cursors.declare(stmt.name, result, controller, { hold: stmt.hold, binary: stmt.binary });
      return commandResult('DECLARE CURSOR');
    }
    case 'fetch':
      if (stmt.move) return commandResult(`MOVE ${await session.cursors.move(stmt.name, stmt.step)}`);
      return session.cursors.fetch(stmt.name, stmt.step);
    case 'close_cursor':
      await session.cursors.close(stmt.name);
      return commandResult(stmt.name === null ? 'CLOSE CURSOR ALL' : 'CLOSE CURSOR');
    case 'copy':
      return copyStatement(session, stmt, signal);
    case 'declare_variable':
      return declareVariable(session, stmt, signal);
    case 'set_variable':
      return setVariables(session, stmt, signal);
    case 'drop_variable':
      return dropVariable(session, stmt);
    case 'execute_immediate':
      return executeImmediate(session, stmt, signal);
    default:
      return assertNever(stmt, 'statement');
  }
}

/**
 * Hive's multi-insert: every INSERT's query is analyzed first (an error in any of them writes
 * nothing), then the INSERTs run in the order written, each as its own write — as in Spark, they
 * are not one transaction. The tag counts the rows of all of them.
 */
async function multiInsert(
  session: Session,
  stmt: ast.MultiInsertStatement,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  for (const insert of stmt.inserts) analyzeForSession(session, insert.query);
  let rows = 0;
  for (const insert of stmt.inserts) {
    const target = qualify(session, insert.table);
    rows += await writing(session, target, () =>
      session.engine.tableLocks.run(`${target.database}.${target.table}`, signal, () =>
        insertInto(session, insert, target, signal),
      ),
    );
  }
  return commandResult(`INSERT 0 ${rows}`);
}

/**
 * Runs a write of `target` and drops the table's cache (CACHE TABLE) when it ends, whatever way:
 * the next read sees the table as the write left it.
 */
async function writing<T>(
  session: Session,
  target: { readonly database: string; readonly table: string },
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } finally {
    session.engine.tableCache.drop(`${target.database}.${target.table}`);
  }
}

function transactionTag(action: ast.TransactionStatement['action']): string {
  switch (action) {
    case 'begin':
      return 'BEGIN';
    case 'commit':
      return 'COMMIT';
    case 'rollback':
    case 'rollback_to':
      return 'ROLLBACK';
    case 'savepoint':
      return 'SAVEPOINT';
    case 'release':
      return 'RELEASE';
    default:
      return assertNever(action, 'transaction action');
  }
}

/** `db.t` → [db, t] with the session's database filled in; 42P01-style errors for bad shapes. */
export function qualify(session: Session, name: ast.QualifiedName): { database: string; table: string } {
  const parts = name.parts.map((p) => p.name.toLowerCase());
  if (parts.length === 1) return { database: session.currentDatabase, table: parts[0]! };
  if (parts.length === 2) return { database: parts[0]!, table: parts[1]! };
  if (parts.length === 3 && parts[0] === 'spark_catalog') return { database: parts[1]!, table: parts[2]! };
  throw new EngineError(SqlState.syntaxError, `invalid table name \`${parts.join('.')}\``, {
    position: name.pos,
  });
}

async function explainStatement(
  session: Session,
  stmt: ast.ExplainStatement,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const inner = stmt.statement;
  if (inner.kind !== 'query_statement') {
    throw new EngineError(SqlState.featureNotSupported, 'EXPLAIN supports queries only', {
      position: inner.pos,
    });
  }
  const lines =
    stmt.mode === 'analyze'
      ? await explainAnalyze(session, inner.query, signal)
      : explainQuery(session, inner.query, stmt.mode);
  return rowsResult(
    EXPLAIN_COLUMNS,
    lines.map((l) => [l]),
    'EXPLAIN',
  );
}

async function createTable(
  session: Session,
  stmt: ast.CreateTableStatement,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const { database, table } = qualify(session, stmt.name);
  const metastore = session.engine.metastore;
  const db = metastore.getDatabase(database);
  if (db === undefined) {
    throw new EngineError(
      SqlState.undefinedObject,
      `[SCHEMA_NOT_FOUND] The schema \`${database}\` cannot be found.`,
      {
        position: stmt.name.pos,
      },
    );
  }
  if (
    (stmt.columns === null || stmt.columns.length === 0) &&
    INFERRED_FORMATS.has((stmt.using ?? 'parquet').toLowerCase()) &&
    stmt.location !== null
  ) {
    return createTableFromFiles(session, stmt, database, table, signal);
  }
  if (stmt.columns === null || stmt.columns.length === 0) {
    const format = (stmt.using ?? 'parquet').toLowerCase();
    if (INFERRED_FORMATS.has(format)) {
      // Nothing to infer from: a new table's folder holds no files yet.
      throw new EngineError(
        SqlState.unableToInferSchema,
        `[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for ${format === 'json' ? 'JSON' : 'Parquet'}. It must be specified manually.`,
        { position: stmt.pos },
      );
    }
    throw new EngineError(
      SqlState.invalidSchemaDefinition,
      `CREATE TABLE ${database}.${table} needs a column list (schema inference from ${format} files is not supported yet)`,
      { position: stmt.pos },
    );
  }
  const seen = new Set<string>();
  const columns: Field[] = [];
  for (const c of stmt.columns) {
    const key = c.name.name.toLowerCase();
    if (seen.has(key)) {
      throw new EngineError(
        SqlState.columnAlreadyExists,
        `[COLUMN_ALREADY_EXISTS] The column \`${c.name.name}\` already exists.`,
        {
          position: c.pos,
        },
      );
    }
    seen.add(key);
    columns.push({ name: c.name.name, type: c.type, nullable: c.nullable });
    rejectCalendarIntervalColumns([columns[columns.length - 1]!], c.pos);
  }
  for (const p of stmt.partitionedBy) {
    if (!seen.has(p.name.toLowerCase())) {
      throw new EngineError(
        SqlState.undefinedColumn,
        `partition column \`${p.name}\` is not a column of the table`,
        {
          position: p.pos,
        },
      );
    }
  }
  const partitionNames = new Set(stmt.partitionedBy.map((p) => p.name.toLowerCase()));
  const ordered = [
    ...columns.filter((c) => !partitionNames.has(c.name.toLowerCase())),
    ...stmt.partitionedBy.map((p) => columns.find((c) => c.name.toLowerCase() === p.name.toLowerCase())!),
  ];
  const format = (stmt.using ?? 'parquet').toLowerCase();
  validateObjectName(table.toLowerCase(), 'table');
  // A managed table's folder is checked too: a database's location may predate the rules.
  const location = session.engine.allowedPaths.check(stmt.location ?? join(db.location, table), stmt.pos);
  const def: TableDefinition = {
    database,
    name: table,
    columns: ordered,
    format,
    location,
    options: Object.fromEntries(stmt.options.map(([k, v]) => [k, v])),
    partitionColumns: stmt.partitionedBy.map((p) => p.name.toLowerCase()),
    external: stmt.external || stmt.location !== null,
    comment: stmt.comment,
    properties: Object.fromEntries(stmt.tblProperties.map(([k, v]) => [k, v])),
    createdAt: new Date().toISOString(),
  };
  // Fails with 0A000 for a format without a provider, before anything is written.
  metastore.tableProvider(def);
  // A managed table's folder may hold what a CREATE of this name that was killed left behind.
  if (stmt.location === null && !metastore.tableExists(database, table)) {
    removeUnregisteredWrite(location, `${database}.${table}`);
  }
  metastore.createTable(def, stmt.ifNotExists);
  return commandResult('CREATE TABLE');
}

/** The formats whose schema CREATE TABLE … LOCATION can take from the files. */
const INFERRED_FORMATS: ReadonlySet<string> = new Set(['parquet', 'json']);

/**
 * `CREATE TABLE t USING parquet|json LOCATION '…'` without columns: the schema comes from the
 * files (Parquet footers; JSON records, as Spark infers them), read on an executor.
 */
async function createTableFromFiles(
  session: Session,
  stmt: ast.CreateTableStatement,
  database: string,
  table: string,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const location = session.engine.allowedPaths.check(stmt.location!, stmt.pos);
  const partitionColumns = stmt.partitionedBy.map((p) => p.name.toLowerCase());
  const format = (stmt.using ?? 'parquet').toLowerCase() === 'json' ? 'json' : 'parquet';
  const options = Object.fromEntries(stmt.options.map(([k, v]) => [k, v]));
  const wanted = partitionColumns.length === 0 ? null : partitionColumns;
  let columns: Field[];
  try {
    const inferred = await inferFileSchema(
      session,
      { format, location, options, partitionColumns: wanted },
      signal,
    );
    columns = [...inferred.columns];
  } catch (err) {
    throw err instanceof EngineError ? err.withPosition(stmt.pos) : err;
  }
  if (columns.length === 0) {
    throw new EngineError(
      SqlState.unableToInferSchema,
      `[UNABLE_TO_INFER_SCHEMA] Unable to infer schema for ${format === 'json' ? 'JSON' : 'Parquet'} at "${location}". It must be specified manually.`,
      { position: stmt.pos },
    );
  }
  const names = new Set(columns.map((c) => c.name.toLowerCase()));
  const partitions = partitionColumns.length > 0 ? partitionColumns : [];
  for (const p of partitions) {
    if (!names.has(p)) {
      throw new EngineError(
        SqlState.undefinedColumn,
        `partition column \`${p}\` is not a column of the files`,
        {
          position: stmt.pos,
        },
      );
    }
  }
  const def: TableDefinition = {
    database,
    name: table,
    columns,
    format,
    location,
    options,
    partitionColumns: partitions,
    external: true,
    comment: stmt.comment,
    properties: Object.fromEntries(stmt.tblProperties.map(([k, v]) => [k, v])),
    createdAt: new Date().toISOString(),
  };
  session.engine.metastore.createTable(def, stmt.ifNotExists);
  return commandResult('CREATE TABLE');
}

function dropTable(session: Session, stmt: ast.DropTableStatement): StatementResult {
  if (stmt.name.parts.length === 1) {
    const key = stmt.name.parts[0]!.name.toLowerCase();
    if (session.temporaryViews.delete(key)) return commandResult('DROP TABLE');
  }
  const { database, table } = qualify(session, stmt.name);
  try {
    session.engine.metastore.dropTable(database, table, stmt.ifExists);
  } catch (err) {
    throw err instanceof EngineError ? err.withPosition(stmt.name.pos) : err;
  }
  return commandResult('DROP TABLE');
}

function showTables(session: Session, stmt: ast.ShowTablesStatement): StatementResult {
  const database = (stmt.database?.name ?? session.currentDatabase).toLowerCase();
  const metastore = session.engine.metastore;
  if (metastore.getDatabase(database) === undefined) {
    throw new EngineError(
      SqlState.undefinedObject,
      `[SCHEMA_NOT_FOUND] The schema \`${database}\` cannot be found.`,
      {
        position: stmt.database?.pos ?? stmt.pos,
      },
    );
  }
  const rows: [string, string, boolean][] = metastore
    .listTables(database, stmt.pattern ?? undefined)
    .map((t) => [database, t.name, false] as [string, string, boolean])
    .sort((a, b) => a[1].localeCompare(b[1]));
  const pattern = stmt.pattern === null ? null : sparkPattern(stmt.pattern);
  for (const v of [...session.temporaryViews.keys()].sort()) {
    if (pattern === null || pattern.test(v)) rows.push(['', v, true]);
  }
  return rowsResult(SHOW_TABLES_COLUMNS, rows, 'SHOW');
}

/** Spark's SHOW … LIKE patterns: `*` any characters, `|` alternatives, case-insensitive. */
export function sparkPattern(pattern: string): RegExp {
  const alternatives = pattern.split('|').map((alt) =>
    alt
      .trim()
      .split('*')
      .map((s) => s.replace(/[.+?^${}()[\]\\]/g, '\\$&'))
      .join('.*'),
  );
  return new RegExp(`^(?:${alternatives.join('|')})$`, 'i');
}

function describeRelation(session: Session, name: ast.QualifiedName): readonly Field[] {
  const query: ast.Query = {
    kind: 'query',
    pos: name.pos,
    with: null,
    body: { kind: 'table_body', pos: name.pos, name },
    orderBy: [],
    limit: null,
    offset: null,
  };
  const analyzed = analyzeForSession(session, query);
  return analyzed.schema.fields;
}

function describe(session: Session, stmt: ast.DescribeStatement): StatementResult {
  const target = stmt.target;
  if (target.kind === 'table' && target.column !== null) {
    return describeColumn(session, target.name, target.column, stmt.extended);
  }
  const fields =
    target.kind === 'table'
      ? describeRelation(session, target.name)
      : analyzeForSession(session, target.query).schema.fields;
  const rows: [string, string, string | null][] = fields.map((f) => [f.name, typeToString(f.type), null]);
  if (stmt.extended && target.kind === 'table' && !isTemporaryView(session, target.name)) {
    const { database, table } = qualify(session, target.name);
    const def = session.engine.metastore.getTable(database, table);
    if (def !== undefined) {
      rows.push(['', '', null], ['# Detailed Table Information', '', null]);
      rows.push(
        ['Catalog', 'spark_catalog', null],
        ['Database', def.database, null],
        ['Table', def.name, null],
      );
      rows.push(['Created Time', def.createdAt, null]);
      rows.push(['Type', def.external ? 'EXTERNAL' : 'MANAGED', null], ['Provider', def.format, null]);
      if (def.comment !== null) rows.push(['Comment', def.comment, null]);
      if (def.statistics !== undefined) rows.push(['Statistics', statisticsText(def.statistics), null]);
      rows.push(['Location', def.location, null]);
      const opts = Object.entries(def.options);
      if (opts.length > 0)
        rows.push(['Storage Properties', `[${opts.map(([k, v]) => `${k}=${v}`).join(', ')}]`, null]);
      if (def.partitionColumns.length > 0)
        rows.push(['Partition Columns', def.partitionColumns.map((c) => `\`${c}\``).join(', '), null]);
    }
  }
  return rowsResult(DESCRIBE_COLUMNS, rows, 'DESCRIBE');
}

/**
 * `DESC [EXTENDED] t col`: the column's name, type and comment; EXTENDED adds the statistics
 * ANALYZE TABLE … FOR COLUMNS recorded (`NULL` where none), as Spark's `DescribeColumnCommand`.
 */
function describeColumn(
  session: Session,
  name: ast.QualifiedName,
  column: ast.QualifiedName,
  extended: boolean,
): StatementResult {
  const fields = describeRelation(session, name);
  const wanted = column.parts.map((p) => p.name).join('.');
  const field =
    column.parts.length === 1 ? fields.find((f) => f.name.toLowerCase() === wanted.toLowerCase()) : undefined;
  if (field === undefined) {
    throw new EngineError(
      SqlState.undefinedColumn,
      `[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name \`${wanted}\` cannot be resolved. Did you mean one of the following? [${fields.map((f) => `\`${f.name}\``).join(', ')}].`,
      { position: column.pos },
    );
  }
  const rows: [string, string][] = [
    ['col_name', field.name],
    ['data_type', typeToString(field.type)],
    ['comment', 'NULL'],
  ];
  if (extended) {
    let stats: ColumnStatistics | undefined;
    if (!isTemporaryView(session, name)) {
      const { database, table } = qualify(session, name);
      const def = session.engine.metastore.getTable(database, table);
      if (def?.statistics !== undefined) stats = columnStatistics(def.statistics, field.name);
    }
    const ctx = session.evalContext();
    const text = (v: Value | undefined): string =>
      v === undefined || v === null ? 'NULL' : valueToString(v, field.type, ctx);
    const count = (n: number | undefined): string => (n === undefined ? 'NULL' : String(n));
    rows.push(
      ['min', text(stats?.min)],
      ['max', text(stats?.max)],
      ['num_nulls', count(stats?.nullCount)],
      ['distinct_count', count(stats?.distinctCount)],
      ['avg_col_len', count(stats?.avgLen)],
      ['max_col_len', count(stats?.maxLen)],
      ['histogram', 'NULL'],
    );
  }
  return rowsResult(DESCRIBE_COLUMN_COLUMNS, rows, 'DESCRIBE');
}

function isTemporaryView(session: Session, name: ast.QualifiedName): boolean {
  return name.parts.length === 1 && session.temporaryViews.has(name.parts[0]!.name.toLowerCase());
}

function showCreateTable(session: Session, name: ast.QualifiedName): StatementResult {
  const { database, table } = qualify(session, name);
  const def = session.engine.metastore.getTable(database, table);
  if (def === undefined) {
    throw new EngineError(
      SqlState.undefinedTable,
      `[TABLE_OR_VIEW_NOT_FOUND] The table or view \`${database}\`.\`${table}\` cannot be found.`,
      {
        position: name.pos,
      },
    );
  }
  const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
  const cols = def.columns.map((c) => `  ${c.name} ${typeToDdl(c.type)}${c.nullable ? '' : ' NOT NULL'}`);
  const lines = [
    `CREATE TABLE spark_catalog.${def.database}.${def.name} (`,
    cols.join(',\n'),
    ')',
    `USING ${def.format}`,
  ];
  const opts = Object.entries(def.options);
  if (opts.length > 0)
    lines.push(`OPTIONS (\n${opts.map(([k, v]) => `  '${k}' = ${quote(v)}`).join(',\n')})`);
  if (def.partitionColumns.length > 0) lines.push(`PARTITIONED BY (${def.partitionColumns.join(', ')})`);
  if (def.comment !== null) lines.push(`COMMENT ${quote(def.comment)}`);
  lines.push(`LOCATION ${quote(def.location)}`);
  return rowsResult(SHOW_CREATE_TABLE_COLUMNS, [[lines.join('\n') + '\n']], 'SHOW');
}

function setStatement(session: Session, stmt: ast.SetStatement): StatementResult {
  if (stmt.key === null) {
    return rowsResult(
      SET_COLUMNS,
      session.settings.list().map((s) => [s.key, s.value]),
      'SET',
    );
  }
  if (stmt.value === null) {
    const value = session.settings.get(stmt.key);
    return rowsResult(SET_COLUMNS, [[stmt.key, value ?? '<undefined>']], 'SET');
  }
  const variable = session.variables.resolve(stmt.key.split('.'));
  if (variable !== undefined) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `[UNSUPPORTED_FEATURE.SET_VARIABLE_USING_SET] ${variableDisplay(variable.name)} is a VARIABLE and cannot be updated using the SET statement. Use SET VARIABLE ${variable.name} = ... instead.`,
      { position: stmt.pos },
    );
  }
  let change;
  try {
    change = session.settings.set(stmt.key, stmt.value);
  } catch (err) {
    throw err instanceof EngineError ? err.withPosition(stmt.pos) : err;
  }
  if (change.pgName !== undefined)
    session.notifyParameterChange({ name: change.pgName, value: change.value });
  return commandResult('SET');
}

function showVariable(session: Session, stmt: ast.ShowVariableStatement): StatementResult {
  const columns = showVariableColumns(stmt);
  if (stmt.name.toLowerCase() === 'all') {
    return rowsResult(
      columns,
      session.settings.list().map((s) => [s.key, s.value, s.description]),
      'SHOW',
    );
  }
  const value = session.settings.get(showVariableKey(stmt));
  if (value === undefined) {
    throw new EngineError(SqlState.undefinedObject, `unrecognized configuration parameter "${stmt.name}"`, {
      position: stmt.pos,
    });
  }
  return rowsResult(columns, [[value]], 'SHOW');
}

function showVariableKey(stmt: ast.ShowVariableStatement): string {
  const pgAliases: Record<string, string> = { 'transaction isolation level': 'transaction_isolation' };
  return pgAliases[stmt.name.toLowerCase()] ?? stmt.name;
}

function showVariableColumns(stmt: ast.ShowVariableStatement): Columns {
  if (stmt.name.toLowerCase() === 'all') return SHOW_ALL_COLUMNS;
  const key = showVariableKey(stmt);
  return [[key.toLowerCase() === 'spark.sql.session.timezone' ? 'TimeZone' : key, STRING]];
}

// ---- result columns ---------------------------------------------------------------------------

type Columns = readonly (readonly [string, DataType])[];

const SHOW_DATABASES_COLUMNS: Columns = [['namespace', STRING]];
const SHOW_TABLES_COLUMNS: Columns = [
  ['namespace', STRING],
  ['tableName', STRING],
  ['isTemporary', BOOLEAN],
];
const SHOW_COLUMNS_COLUMNS: Columns = [['col_name', STRING]];
const SHOW_FUNCTIONS_COLUMNS: Columns = [['function', STRING]];
const DESCRIBE_FUNCTION_COLUMNS: Columns = [['function_desc', STRING]];
const SHOW_CREATE_TABLE_COLUMNS: Columns = [['createtab_stmt', STRING]];
const SHOW_ALL_COLUMNS: Columns = [
  ['name', STRING],
  ['setting', STRING],
  ['description', STRING],
];
const SET_COLUMNS: Columns = [
  ['key', STRING],
  ['value', STRING],
];
const DESCRIBE_COLUMNS: Columns = [
  ['col_name', STRING],
  ['data_type', STRING],
  ['comment', STRING],
];
const DESCRIBE_COLUMN_COLUMNS: Columns = [
  ['info_name', STRING],
  ['info_value', STRING],
];
const EXPLAIN_COLUMNS: Columns = [['plan', STRING]];

/**
 * The columns a statement other than a query answers with, known before it runs (what the
 * extended protocol's Describe reports); null for statements that return no rows.
 */
export function statementColumns(session: Session, stmt: ast.Statement): Schema | null {
  if (stmt.kind === 'fetch' && !stmt.move) return session.cursors.schemaOf(stmt.name);
  if (stmt.kind === 'execute_immediate') return executeImmediateColumns(session, stmt);
  const columns = ((): Columns | null => {
    switch (stmt.kind) {
      case 'show_databases':
        return SHOW_DATABASES_COLUMNS;
      case 'show_tables':
        return SHOW_TABLES_COLUMNS;
      case 'show_columns':
        return SHOW_COLUMNS_COLUMNS;
      case 'show_functions':
        return SHOW_FUNCTIONS_COLUMNS;
      case 'describe_function':
        return DESCRIBE_FUNCTION_COLUMNS;
      case 'show_create_table':
        return SHOW_CREATE_TABLE_COLUMNS;
      case 'show_variable':
        return showVariableColumns(stmt);
      case 'set':
        return stmt.key === null || stmt.value === null ? SET_COLUMNS : null;
      case 'describe':
        return stmt.target.kind === 'table' && stmt.target.column !== null
          ? DESCRIBE_COLUMN_COLUMNS
          : DESCRIBE_COLUMNS;
      case 'explain':
        return EXPLAIN_COLUMNS;
      default:
        return null;
    }
  })();
  return columns === null
    ? null
    : { fields: columns.map(([name, type]) => ({ name, type, nullable: true })) };
}

function createView(session: Session, stmt: ast.CreateViewStatement): StatementResult {
  if (!stmt.temporary) return createPersistentView(session, stmt);
  if (stmt.name.parts.length !== 1) {
    throw new EngineError(SqlState.syntaxError, 'a temporary view name cannot be qualified', {
      position: stmt.name.pos,
    });
  }
  const name = stmt.name.parts[0]!.name.toLowerCase();
  if (session.temporaryViews.has(name)) {
    if (stmt.ifNotExists) return commandResult('CREATE VIEW');
    if (!stmt.orReplace) {
      throw new EngineError(
        SqlState.duplicateTable,
        `[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view \`${name}\` because it already exists.`,
        {
          position: stmt.name.pos,
        },
      );
    }
  }
  // Analyze now, so a broken view is rejected at creation, as Spark does.
  const analyzed = analyzeForSession(session, stmt.query);
  const columns = stmt.columns?.map((c) => c.name) ?? null;
  if (columns !== null && columns.length !== analyzed.schema.fields.length) {
    throw new EngineError(
      '21S01',
      `[CREATE_VIEW_COLUMN_ARITY_MISMATCH] The view \`${name}\` declares ${columns.length} columns but its query returns ${analyzed.schema.fields.length}.`,
      { position: stmt.pos },
    );
  }
  session.temporaryViews.set(name, { name, query: stmt.query, columns, text: stmt.queryText });
  return commandResult('CREATE VIEW');
}

/**
 * `CREATE [OR REPLACE] VIEW [IF NOT EXISTS] db.v [(cols)] AS query`: stored in the metastore as its
 * SQL text and the schema it had when created; analyzed now, so a broken view is rejected at once.
 */
function createPersistentView(session: Session, stmt: ast.CreateViewStatement): StatementResult {
  const { database, table } = qualify(session, stmt.name);
  const metastore = session.engine.metastore;
  try {
    metastore.requireDatabase(database);
  } catch (err) {
    throw err instanceof EngineError ? err.withPosition(stmt.name.pos) : err;
  }
  if (stmt.ifNotExists && metastore.tableExists(database, table)) return commandResult('CREATE VIEW');
  const temporary: { used: { name: string; kind: 'VIEW' | 'VARIABLE' } | null } = { used: null };
  const analyzed = analyzeForSession(session, stmt.query, undefined, (name, kind) => {
    temporary.used ??= { name, kind };
  });
  const usesTemporary = temporary.used;
  const names = stmt.columns?.map((c) => c.name) ?? null;
  if (names !== null && names.length !== analyzed.schema.fields.length) {
    throw new EngineError(
      '21S01',
      `[CREATE_VIEW_COLUMN_ARITY_MISMATCH] The view \`${table}\` declares ${names.length} columns but its query returns ${analyzed.schema.fields.length}.`,
      { position: stmt.pos },
    );
  }
  if (usesTemporary !== null) {
    throw new EngineError(
      '42K0F',
      `[INVALID_TEMP_OBJ_REFERENCE] Cannot create the persistent object \`${database}\`.\`${table}\` of the type VIEW because it references to the temporary object \`${usesTemporary.name}\` of the type ${usesTemporary.kind}. Please make the temporary object persistent, or make the persistent object temporary.`,
      { position: stmt.pos },
    );
  }
  const columns = analyzed.schema.fields.map((f, i) => ({ ...f, name: names?.[i] ?? f.name }));
  try {
    metastore.createView(
      {
        database,
        name: table,
        viewText: stmt.queryText,
        columns,
        properties: viewParseProperties(session.settings.parseOptions),
      },
      { ifNotExists: stmt.ifNotExists, replace: stmt.orReplace },
    );
  } catch (err) {
    throw err instanceof EngineError ? err.withPosition(stmt.name.pos) : err;
  }
  return commandResult('CREATE VIEW');
}

function dropView(session: Session, stmt: ast.DropViewStatement): StatementResult {
  const name = stmt.name.parts[stmt.name.parts.length - 1]!.name.toLowerCase();
  if (stmt.name.parts.length === 1 && session.temporaryViews.delete(name)) {
    session.engine.tableCache.drop(temporaryViewKey(session, name));
    return commandResult('DROP VIEW');
  }
  const { database, table } = qualify(session, stmt.name);
  session.engine.tableCache.drop(`${database}.${table}`);
  if (session.engine.metastore.tableExists(database, table)) {
    try {
      session.engine.metastore.dropView(database, table, stmt.ifExists);
    } catch (err) {
      throw err instanceof EngineError ? err.withPosition(stmt.name.pos) : err;
    }
    return commandResult('DROP VIEW');
  }
  if (stmt.ifExists) return commandResult('DROP VIEW');
  throw new EngineError(
    SqlState.undefinedTable,
    `[TABLE_OR_VIEW_NOT_FOUND] The view \`${name}\` cannot be found.`,
    {
      position: stmt.name.pos,
    },
  );
}

/**
 * `COPY … TO STDOUT`: the rows of the table (its listed columns) or of the query, sent by the
 * server as COPY data in the statement's format. `COPY … FROM STDIN`: see `copyFrom`.
 */
async function copyStatement(
  session: Session,
  stmt: ast.CopyStatement,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  if (stmt.direction === 'from') return copyFrom(session, stmt);
  const query: ast.Query = stmt.query ?? {
    kind: 'query',
    pos: stmt.pos,
    with: null,
    orderBy: [],
    limit: null,
    offset: null,
    body: {
      kind: 'select',
      pos: stmt.pos,
      distinct: false,
      items:
        stmt.columns === null
          ? [{ kind: 'wildcard', pos: stmt.pos, qualifier: null, except: [] }]
          : stmt.columns.map((c) => ({
              kind: 'expr_item',
              pos: c.pos,
              expr: { kind: 'column', pos: c.pos, name: { parts: [c], pos: c.pos } },
              alias: null,
            })),
      from: [{ kind: 'table', pos: stmt.table!.pos, name: stmt.table!, alias: null }],
      where: null,
      groupBy: null,
      having: null,
      windows: [],
      qualify: null,
    },
  };
  const result = await runQuery(session, query, signal);
  if (result.kind !== 'rows') return result;
  return { ...result, tag: 'COPY', copy: stmt.options };
}

/** The most COPY data one statement takes: it is held in memory until it is all there. */
const COPY_IN_LIMIT = 256 * 1024 * 1024;

/**
 * `COPY t [(cols)] FROM STDIN`: once the client has sent all the data, it is parsed (copy-in.ts)
 * and appended to the table in one commit under the table's write lock — a bad line, a value
 * that does not convert, or a CopyFail writes nothing.
 */
function copyFrom(session: Session, stmt: ast.CopyStatement): StatementResult {
  const { database, table } = qualify(session, stmt.table!);
  const metastore = session.engine.metastore;
  let def: TableDefinition;
  try {
    def = metastore.requireTable(database, table);
  } catch (err) {
    throw err instanceof EngineError ? err.withPosition(stmt.table!.pos) : err;
  }
  if (def.format === 'view') {
    throw new EngineError(SqlState.wrongObjectType, `cannot copy to view "${table}"`, {
      position: stmt.table!.pos,
    });
  }
  const indexes =
    stmt.columns === null
      ? def.columns.map((_, i) => i)
      : stmt.columns.map((c) => {
          const i = def.columns.findIndex((f) => f.name.toLowerCase() === c.name.toLowerCase());
          if (i < 0) {
            throw new EngineError(
              SqlState.undefinedColumn,
              `column "${c.name}" of relation "${table}" does not exist`,
              { position: c.pos },
            );
          }
          return i;
        });
  return {
    kind: 'copy_in',
    columns: indexes.length,
    async load(data, signal) {
      const chunks: Uint8Array[] = [];
      let size = 0;
      for await (const chunk of data) {
        size += chunk.length;
        if (size <= COPY_IN_LIMIT) chunks.push(chunk); // beyond: read to the end, then fail
      }
      if (size > COPY_IN_LIMIT) {
        throw new EngineError(
          SqlState.programLimitExceeded,
          `COPY data of more than ${COPY_IN_LIMIT / 1024 / 1024} MB: load large files with CREATE TABLE … USING csv LOCATION`,
        );
      }
      const bytes = new Uint8Array(size);
      let at = 0;
      for (const c of chunks) {
        bytes.set(c, at);
        at += c.length;
      }
      const rows = parseCopyData(bytes, stmt.options, indexes.length);
      const written = await writing(session, { database, table }, () =>
        session.engine.tableLocks.run(`${database}.${table}`, signal, async () =>
          copyIntoTable(session, metastore.requireTable(database, table), indexes, rows, signal),
        ),
      );
      return `COPY ${written}`;
    },
  };
}
