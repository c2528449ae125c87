/**
 * `ANALYZE TABLE t COMPUTE STATISTICS [NOSCAN | FOR COLUMNS a, b | FOR ALL COLUMNS]`, as Spark
 * (`AnalyzeTableCommand`, `AnalyzeColumnCommand`) does it, into the metastore:
 *
 * - NOSCAN: the size of the table's files only; unchanged size keeps what was recorded, a changed
 *   size replaces it all (the old row count is no longer known to hold);
 * - plain: the size and the row count (`SELECT count(1)`); column statistics are kept only when
 *   the size did not change;
 * - FOR COLUMNS / FOR ALL COLUMNS: also, per column, min and max (not for strings and binary),
 *   null count, distinct count (`approx_count_distinct`, never above the non-NULL count), and
 *   average / maximum length (the type's default size for fixed-width types); other columns'
 *   statistics are kept.
 *
 * Counting runs as an ordinary aggregate query through the session's query path, so it scans with
 * whatever engine executes queries. Views are refused (0A000), as Spark refuses views that are not
 * cached; an unknown column is 42703 `COLUMN_NOT_FOUND`.
 */
import {
  EngineError,
  SqlState,
  typeToString,
  type DataType,
  type Field,
  type Value,
  batchRows,
} from '../common/index.ts';
import {
  defaultSizeOf,
  keepsMinMax,
  listDataFiles,
  supportsColumnStatistics,
  type ColumnStatistics,
  type Statistics,
  type TableDefinition,
} from '../catalog/index.ts';
import { parseQuery } from '../sql/parser/index.ts';
import type * as ast from '../sql/parser/index.ts';
import { analyzeForSession, executeAnalyzed, idGenerator } from './query.ts';
import { commandResult } from './results.ts';
import type { Session } from './session.ts';
import type { StatementResult } from './types.ts';

function quoteIdentifier(name: string): string {
  return '`' + name.replace(/`/g, '``') + '`';
}

function unsupported(subclass: string, message: string, position: number): EngineError {
  return new EngineError(
    SqlState.featureNotSupported,
    `[UNSUPPORTED_FEATURE.${subclass}] The feature is not supported: ${message}`,
    { position },
  );
}

export async function analyzeTable(
  session: Session,
  stmt: ast.AnalyzeTableStatement,
  target: { database: string; table: string },
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const name = stmt.table;
  if (name.parts.length === 1 && session.temporaryViews.has(name.parts[0]!.name.toLowerCase())) {
    if (stmt.forColumns !== null) {
      throw unsupported(
        'ANALYZE_UNCACHED_TEMP_VIEW',
        `The ANALYZE TABLE FOR COLUMNS command can operate on temporary views that have been cached already. Consider to cache the view \`${name.parts[0]!.name}\`.`,
        name.pos,
      );
    }
    throw unsupported('ANALYZE_VIEW', 'The ANALYZE TABLE command does not support views.', name.pos);
  }
  const { database, table } = target;
  const metastore = session.engine.metastore;
  let def: TableDefinition;
  try {
    def = metastore.requireTable(database, table);
  } catch (err) {
    throw err instanceof EngineError ? err.withPosition(name.pos) : err;
  }
  if (def.format === 'view') {
    throw unsupported('ANALYZE_VIEW', 'The ANALYZE TABLE command does not support views.', name.pos);
  }
  const columns = columnsToAnalyze(def, stmt.forColumns);
  const size = totalSize(def);
  const old = def.statistics;

  let next: Statistics | null;
  if (stmt.noScan) {
    next = old !== undefined && old.totalBytes === size ? old : { rowCount: null, totalBytes: size };
  } else if (columns.length === 0) {
    const [rowCount] = (await aggregateRow(session, def, ['count(1)'], signal)) as [bigint];
    const rows = Number(rowCount);
    next =
      old !== undefined && old.totalBytes === size
        ? { ...old, rowCount: rows }
        : { rowCount: rows, totalBytes: size };
  } else {
    const { rowCount, stats } = await computeColumnStatistics(session, def, columns, signal);
    next = { rowCount, totalBytes: size, columns: { ...(old?.columns ?? {}), ...stats } };
  }
  if (next !== old) metastore.setTableStatistics(def.database, def.name, next);
  return commandResult('ANALYZE');
}

/** The columns FOR COLUMNS / FOR ALL COLUMNS names, checked to exist and to have a supported type. */
function columnsToAnalyze(def: TableDefinition, spec: ast.AnalyzeTableStatement['forColumns']): Field[] {
  if (spec === null) return [];
  const tableName = `\`spark_catalog\`.\`${def.database}\`.\`${def.name}\``;
  const picked: { field: Field; pos: number }[] = [];
  if (spec === 'all') {
    for (const field of def.columns) picked.push({ field, pos: 0 });
  } else {
    for (const id of spec) {
      const field = def.columns.find((c) => c.name.toLowerCase() === id.name.toLowerCase());
      if (field === undefined) {
        throw new EngineError(
          SqlState.undefinedColumn,
          `[COLUMN_NOT_FOUND] The column \`${id.name}\` cannot be found. Verify the spelling and correctness of the column name according to the SQL config "spark.sql.caseSensitive".`,
          { position: id.pos },
        );
      }
      if (!picked.some((p) => p.field === field)) picked.push({ field, pos: id.pos });
    }
  }
  for (const { field, pos } of picked) {
    if (!supportsColumnStatistics(field.type)) {
      throw new EngineError(
        SqlState.featureNotSupported,
        `[UNSUPPORTED_FEATURE.ANALYZE_UNSUPPORTED_COLUMN_TYPE] The feature is not supported: The ANALYZE TABLE FOR COLUMNS command does not support the type "${typeToString(field.type).toUpperCase()}" of the column \`${field.name}\` in the table ${tableName}.`,
        pos > 0 ? { position: pos } : {},
      );
    }
  }
  return picked.map((p) => p.field);
}

/** The size of the table's data files (Spark's `calculateTotalSize`). */
function totalSize(def: TableDefinition): number {
  const partitionFields = def.partitionColumns.map((p) =>
    def.columns.find((c) => c.name.toLowerCase() === p)!,
  );
  try {
    return listDataFiles(def.location, partitionFields, def.snapshot).reduce((s, f) => s + f.size, 0);
  } catch {
    return 0;
  }
}

/** Runs `SELECT <exprs> FROM db.t` through the session's query path; returns its one row. */
async function aggregateRow(
  session: Session,
  def: TableDefinition,
  exprs: readonly string[],
  signal: AbortSignal | undefined,
): Promise<Value[]> {
  const text = `SELECT ${exprs.join(', ')} FROM ${quoteIdentifier(def.database)}.${quoteIdentifier(def.name)}`;
  const nextId = idGenerator();
  const analyzed = analyzeForSession(session, parseQuery(text), nextId);
  const types = analyzed.schema.fields.map((f) => f.type);
  const rows: Value[][] = [];
  for await (const batch of await executeAnalyzed(session, analyzed.plan, nextId, signal)) {
    rows.push(...batchRows(batch, types));
  }
  const row = rows[0];
  if (rows.length !== 1 || row === undefined) {
    throw new EngineError(SqlState.internalError, `internal error: ANALYZE TABLE got ${rows.length} rows`);
  }
  return row;
}

const toNumber = (v: Value): number | null =>
  v === null ? null : typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : null;

/** One aggregate query for every column: Spark's `statExprs` per column. */
async function computeColumnStatistics(
  session: Session,
  def: TableDefinition,
  columns: readonly Field[],
  signal: AbortSignal | undefined,
): Promise<{ rowCount: number; stats: Record<string, ColumnStatistics> }> {
  const exprs = ['count(1)'];
  const layout: { field: Field; at: number; minMax: boolean; lengths: boolean }[] = [];
  for (const field of columns) {
    const c = quoteIdentifier(field.name);
    const at = exprs.length;
    const minMax = keepsMinMax(field.type);
    const lengths = isVariableLength(field.type);
    exprs.push(`count(${c})`, `approx_count_distinct(${c})`);
    if (minMax) exprs.push(`min(${c})`, `max(${c})`);
    if (lengths) exprs.push(`ceil(avg(length(${c})))`, `max(length(${c}))`);
    layout.push({ field, at, minMax, lengths });
  }
  const row = await aggregateRow(session, def, exprs, signal);
  const rowCount = toNumber(row[0] ?? null) ?? 0;
  const stats: Record<string, ColumnStatistics> = {};
  for (const { field, at, minMax, lengths } of layout) {
    const nonNull = toNumber(row[at] ?? null) ?? 0;
    const ndv = Math.min(toNumber(row[at + 1] ?? null) ?? 0, nonNull);
    const s: { -readonly [K in keyof ColumnStatistics]: ColumnStatistics[K] } = {
      nullCount: rowCount - nonNull,
      distinctCount: ndv,
    };
    let next = at + 2;
    if (minMax) {
      const min = row[next] ?? null;
      const max = row[next + 1] ?? null;
      if (min !== null && max !== null) {
        s.min = min;
        s.max = max;
      }
      next += 2;
    }
    const size = defaultSizeOf(field.type);
    s.avgLen = lengths ? (toNumber(row[next] ?? null) ?? size) : size;
    s.maxLen = lengths ? (toNumber(row[next + 1] ?? null) ?? size) : size;
    stats[field.name] = s;
  }
  return { rowCount, stats };
}

function isVariableLength(t: DataType): boolean {
  return t.kind === 'string' || t.kind === 'binary';
}
