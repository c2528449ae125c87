/**
 * Statements that write table data: `CREATE TABLE … [USING fmt] [PARTITIONED BY (…)] AS SELECT …`
 * and `INSERT INTO|OVERWRITE [TABLE] t [PARTITION (…)] [(cols)] query`.
 *
 * The query is analyzed, its columns are cast to the table's types under Spark's ANSI store
 * assignment rules, and the result streams into data files (src/catalog/data-files-writer.ts) that
 * stay hidden until everything is written; then one commit (src/catalog/table-commit.ts) switches
 * the table to its new snapshot — registering it, for CREATE TABLE AS SELECT — so a failed,
 * cancelled or crashed statement leaves the table as it was, and a finished one all of its data.
 * Each runs under the table's write lock (table-locks.ts).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  EngineError,
  holdsCalendarInterval,
  SqlState,
  isNumeric,
  makeDirectories,
  typeToString,
  typesEqual,
  type DataType,
  type Field,
} from '../common/index.ts';
import {
  abortDataFiles,
  adoptSnapshot,
  appendStatistics,
  canWriteFormat,
  canWriteNestedTypes,
  commitTable,
  dataFileExtension,
  listDataFiles,
  removeUnregisteredWrite,
  replacePartStatistics,
  sameStatistics,
  sweepSnapshots,
  unescapePathName,
  writtenStatistics,
  type Snapshot,
  type Statistics,
  type TableDefinition,
  type WrittenFile,
  validateObjectName,
} from '../catalog/index.ts';
import { valueToString } from '../functions/index.ts';
import { TableWriteExec, evaluateConstant, writtenFiles, type WriteTarget } from '../physical/index.ts';
import {
  exprType,
  outputOf,
  type Attribute,
  type Expr,
  type LogicalPlan,
  type NamedExpr,
} from '../plan/index.ts';
import { analyzeExpression } from '../sql/analyzer/index.ts';
import type * as ast from '../sql/parser/index.ts';
import { analyzeForSession, analyzerContext, executeAnalyzed, idGenerator } from './query.ts';
import { commandResult } from './results.ts';
import type { Session } from './session.ts';
import { statementCanceled } from './statement-run.ts';
import type { StatementResult } from './types.ts';

function quotedName(database: string, table: string): string {
  return `\`spark_catalog\`.\`${database}\`.\`${table}\``;
}

/**
 * Spark keeps calendar intervals (`interval`, at any depth) out of every table's schema, whatever
 * the format: 0A000 "Cannot use interval type in the table schema".
 */
export function rejectCalendarIntervalColumns(fields: readonly Field[], position: number): void {
  if (!fields.some((f) => holdsCalendarInterval(f.type))) return;
  throw new EngineError(SqlState.featureNotSupported, 'Cannot use interval type in the table schema.', {
    position,
  });
}

/**
 * Types the file formats we write can hold: no intervals or VOID (at any depth), and arrays, maps
 * and structs only in formats whose files hold them (Parquet).
 */
function checkWritable(format: string, fields: readonly Field[], position: number): void {
  rejectCalendarIntervalColumns(fields, position);
  const nested = canWriteNestedTypes(format);
  const writable = (t: DataType): boolean => {
    switch (t.kind) {
      case 'null':
      case 'interval_day_time':
      case 'interval_year_month':
      case 'calendar_interval':
        return false;
      case 'array':
        return nested && writable(t.element);
      case 'map':
        return nested && writable(t.key) && writable(t.value);
      case 'struct':
        return nested && t.fields.length > 0 && t.fields.every((x) => writable(x.type));
      default:
        return true;
    }
  };
  for (const f of fields) {
    if (!writable(f.type)) {
      throw new EngineError(
        SqlState.featureNotSupported,
        `[UNSUPPORTED_DATA_TYPE_FOR_DATASOURCE] The ${format} datasource doesn't support the column \`${f.name}\` of the type "${typeToString(f.type).toUpperCase()}".`,
        { position },
      );
    }
  }
}

function requireWritableFormat(format: string, position: number): void {
  if (!canWriteFormat(format)) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `writing ${format} tables is not supported yet; use USING parquet`,
      { position },
    );
  }
}

// ---- CREATE TABLE … AS SELECT --------------------------------------------------------------------

export async function createTableAsSelect(
  session: Session,
  stmt: ast.CreateTableStatement,
  query: ast.Query,
  target: { database: string; table: string },
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const { database, table } = target;
  const metastore = session.engine.metastore;
  const db = metastore.requireDatabase(database);
  if (stmt.columns !== null) {
    throw new EngineError(
      SqlState.syntaxError,
      'Operation not allowed: Schema may not be specified in a Create Table As Select (CTAS) statement.',
      { position: stmt.columns[0]?.pos ?? stmt.pos },
    );
  }
  const exists = metastore.tableExists(database, table);
  if (exists && stmt.ifNotExists) return commandResult('CREATE TABLE AS');
  if (exists && !stmt.orReplace) {
    throw new EngineError(
      SqlState.duplicateTable,
      `[TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create table or view \`${database}\`.\`${table}\` because it already exists. ` +
        'Choose a different name, drop or replace the existing object, or add the IF NOT EXISTS clause to tolerate pre-existing objects.',
      { position: stmt.name.pos },
    );
  }
  const format = (stmt.using ?? 'parquet').toLowerCase();
  requireWritableFormat(format, stmt.pos);

  const nextId = idGenerator();
  const analyzed = analyzeForSession(session, query, nextId);
  const attrs = outputOf(analyzed.plan);
  const seen = new Set<string>();
  for (const a of attrs) {
    const key = a.name.toLowerCase();
    if (seen.has(key)) {
      throw new EngineError(
        SqlState.columnAlreadyExists,
        `[COLUMN_ALREADY_EXISTS] The column \`${a.name}\` already exists.`,
        { position: query.pos },
      );
    }
    seen.add(key);
  }
  const partitionNames = stmt.partitionedBy.map((p) => p.name.toLowerCase());
  for (const p of stmt.partitionedBy) {
    if (!seen.has(p.name.toLowerCase())) {
      throw new EngineError(
        SqlState.undefinedColumn,
        `partition column \`${p.name}\` is not a column of the query's result`,
        { position: p.pos },
      );
    }
  }
  if (partitionNames.length > 0 && partitionNames.length === attrs.length) {
    throw new EngineError(SqlState.invalidSchemaDefinition, 'Cannot use all columns for partition columns', {
      position: stmt.partitionedBy[0]!.pos,
    });
  }
  const dataAttrs = attrs.filter((a) => !partitionNames.includes(a.name.toLowerCase()));
  const partAttrs = partitionNames.map((n) => attrs.find((a) => a.name.toLowerCase() === n)!);
  const ordered = [...dataAttrs, ...partAttrs];
  const columns: Field[] = ordered.map((a) => ({ name: a.name, type: a.type, nullable: true }));
  checkWritable(format, columns, query.pos);

  const external = stmt.external || stmt.location !== null;
  validateObjectName(table.toLowerCase(), 'table');
  // A managed table's folder is checked too: a database's location may predate the rules.
  const location = session.engine.allowedPaths.check(
    stmt.location ?? path.join(db.location, table),
    stmt.pos,
  );
  const replacing = exists ? metastore.requireTable(database, table) : null;
  if (replacing !== null && replacing.format === 'view') {
    throw new EngineError(
      SqlState.wrongObjectType,
      `[EXPECT_TABLE_NOT_VIEW] ${quotedName(database, table)} is a view; CREATE OR REPLACE TABLE cannot replace it.`,
      { position: stmt.name.pos },
    );
  }
  const key = `${database}.${table}`;
  // CREATE OR REPLACE of a managed table writes the new data beside the old, and one commit
  // switches the table from the old snapshot to the new one.
  const reusesLocation = replacing !== null && !replacing.external && replacing.location === location;
  let base: Snapshot | null = null;
  if (reusesLocation) {
    sweepSnapshots(replacing);
    base = adoptSnapshot(metastore, replacing).snapshot;
  } else {
    // What an earlier CREATE of this table that failed or crashed left there goes first.
    removeUnregisteredWrite(location, key);
  }
  if (!reusesLocation && directoryHasEntries(location)) {
    throw new EngineError(
      SqlState.duplicateObject,
      `[LOCATION_ALREADY_EXISTS] Cannot name the ${external ? '' : 'managed '}table as ${quotedName(database, table)}, ` +
        `as its associated location "${location}" already exists. Please pick a different table name, or remove the existing location first.`,
      { position: stmt.name.pos },
    );
  }
  const def: TableDefinition = {
    database,
    name: table,
    columns,
    format,
    location,
    options: Object.fromEntries(stmt.options),
    partitionColumns: partitionNames,
    external,
    comment: stmt.comment,
    properties: Object.fromEntries(stmt.tblProperties),
    createdAt: new Date().toISOString(),
  };

  const plan = project(
    analyzed.plan,
    ordered.map((a) => ({ expr: { kind: 'column', attr: a }, attr: a })),
  );
  let written: WrittenData | null = null;
  try {
    makeDirectories(location);
    written = await writeData(session, def, location, plan, nextId, signal);
    const statistics = statisticsOfWrite(session, def, written);
    commitTable(metastore, {
      table: { ...def, statistics },
      create: replacing === null,
      base,
      keep: [],
      added: written.files,
    });
  } catch (err) {
    if (written !== null) abortDataFiles(written.files);
    if (!reusesLocation) removeUnregisteredWrite(location, key);
    throw err;
  }
  if (replacing !== null && !reusesLocation && !replacing.external && replacing.location !== '') {
    // The replaced managed table's folder; left over by a crash, the start-up sweep removes it.
    fs.rmSync(replacing.location, { recursive: true, force: true });
  }
  return commandResult(`SELECT ${written.rows}`);
}

function directoryHasEntries(dir: string): boolean {
  try {
    const st = fs.statSync(dir);
    return !st.isDirectory() || fs.readdirSync(dir).length > 0;
  } catch {
    return false;
  }
}

function project(input: LogicalPlan, exprs: readonly NamedExpr[]): LogicalPlan {
  return { kind: 'Project', input, exprs };
}

// ---- INSERT ------------------------------------------------------------------------------------

/** Runs an INSERT; returns the rows written. */
export async function insertInto(
  session: Session,
  stmt: ast.InsertStatement,
  target: { database: string; table: string },
  signal: AbortSignal | undefined,
): Promise<number> {
  const { database, table } = target;
  if (stmt.table.parts.length === 1 && session.temporaryViews.has(table)) {
    throw new EngineError(
      SqlState.wrongObjectType,
      `[UNSUPPORTED_INSERT.NOT_ALLOWED] Can't insert into the target. The target \`${table}\` is a temporary view.`,
      { position: stmt.table.pos },
    );
  }
  const metastore = session.engine.metastore;
  let def: TableDefinition;
  try {
    def = metastore.requireTable(database, table);
  } catch (err) {
    throw err instanceof EngineError ? err.withPosition(stmt.table.pos) : err;
  }
  if (def.format === 'view') {
    throw new EngineError(
      SqlState.wrongObjectType,
      `[UNSUPPORTED_INSERT.NOT_ALLOWED] Can't insert into the target. The target ${quotedName(database, table)} is a view.`,
      { position: stmt.table.pos },
    );
  }
  requireWritableFormat(def.format, stmt.table.pos);

  const nextId = idGenerator();
  const analyzed = analyzeForSession(session, stmt.query, nextId);
  const dataAttrs = outputOf(analyzed.plan);
  const tableName = quotedName(database, table);
  const columnIndex = columnIndexIn(def);
  // Static partition values: `PARTITION (p = 1)`; `PARTITION (p)` is dynamic (from the query).
  const staticValues = staticPartitionValues(session, def, stmt.partition ?? [], nextId);

  // The table columns the query fills, in the order the query gives them.
  let targets: number[];
  if (stmt.columns !== null) {
    targets = [];
    for (const id of stmt.columns) {
      const i = columnIndex(id);
      if (targets.includes(i)) {
        throw new EngineError(
          SqlState.columnAlreadyExists,
          `[COLUMN_ALREADY_EXISTS] The column \`${id.name}\` already exists.`,
          { position: id.pos },
        );
      }
      if (staticValues.has(i)) {
        throw new EngineError(
          SqlState.invalidColumnReference,
          `static partition column \`${id.name}\` cannot also be listed as an inserted column`,
          { position: id.pos },
        );
      }
      targets.push(i);
    }
  } else {
    targets = def.columns.map((_, i) => i).filter((i) => !staticValues.has(i));
  }
  if (dataAttrs.length !== targets.length) {
    const reason = dataAttrs.length > targets.length ? 'too many' : 'not enough';
    const subclass = dataAttrs.length > targets.length ? 'TOO_MANY_DATA_COLUMNS' : 'NOT_ENOUGH_DATA_COLUMNS';
    throw new EngineError(
      '21S01',
      `[INSERT_COLUMN_ARITY_MISMATCH.${subclass}] Cannot write to ${tableName}, the reason is ${reason} data columns:\n` +
        `Table columns: ${targets.map((i) => `\`${def.columns[i]!.name}\``).join(', ')}.\n` +
        `Data columns: ${dataAttrs.map((a) => `\`${a.name}\``).join(', ')}.`,
      { position: stmt.query.pos },
    );
  }

  // One expression per table column: the query's column cast to the column's type, a static
  // partition value, or NULL for a column the column list leaves out.
  const exprs: NamedExpr[] = def.columns.map((c, i) => {
    const attr: Attribute = { id: nextId(), name: c.name, type: c.type, nullable: true, qualifier: null };
    const s = staticValues.get(i);
    if (s !== undefined) return { expr: s, attr };
    const j = targets.indexOf(i);
    if (j < 0) return { expr: { kind: 'literal', value: null, type: c.type }, attr };
    const source = dataAttrs[j]!;
    return { expr: storeCast({ kind: 'column', attr: source }, c, tableName, stmt.query.pos), attr };
  });
  const plan = project(analyzed.plan, exprs);
  const rows = await writeRows(session, def, plan, nextId, stmt.overwrite, staticValues, signal);
  return rows;
}

/** Finds a column of `def` by name, or fails with Spark's UNRESOLVED_COLUMN naming the others. */
function columnIndexIn(def: TableDefinition): (id: ast.Identifier) => number {
  const byName = new Map(def.columns.map((c, i) => [c.name.toLowerCase(), i]));
  return (id) => {
    const i = byName.get(id.name.toLowerCase());
    if (i === undefined) {
      throw new EngineError(
        SqlState.undefinedColumn,
        `[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column or function parameter with name \`${id.name}\` cannot be resolved. Did you mean one of the following? [${def.columns.map((c) => `\`${c.name}\``).join(', ')}].`,
        { position: id.pos },
      );
    }
    return i;
  };
}

/**
 * The values a `PARTITION (p = v, …)` clause gives, by column index, cast to the columns' types;
 * a column without a value (dynamic) is left out. Every column named must be a partition column.
 */
function staticPartitionValues(
  session: Session,
  def: TableDefinition,
  spec: ast.PartitionSpec,
  nextId: () => number,
): Map<number, Expr> {
  const tableName = quotedName(def.database, def.name);
  const columnIndex = columnIndexIn(def);
  const partitionColumns = new Set(def.partitionColumns);
  const values = new Map<number, Expr>();
  for (const [id, value] of spec) {
    const i = columnIndex(id);
    const c = def.columns[i]!;
    if (!partitionColumns.has(c.name.toLowerCase())) {
      throw new EngineError(
        SqlState.syntaxErrorOrAccessRuleViolation,
        `[NON_PARTITION_COLUMN] PARTITION clause cannot contain the non-partition column: \`${c.name}\`.`,
        { position: id.pos },
      );
    }
    if (value === null) continue;
    const bound = storeCast(
      analyzeExpression(value, [], analyzerContext(session, nextId)),
      c,
      tableName,
      value.pos,
    );
    const v = evaluateConstant(bound, session.evalContext(), session.engine.functions);
    values.set(i, { kind: 'literal', value: v, type: c.type });
  }
  return values;
}

// ---- TRUNCATE TABLE ------------------------------------------------------------------------------

/**
 * `TRUNCATE TABLE t [PARTITION (…)]`: the write of no rows over the whole table, or over the
 * partitions the clause selects (a partial clause selects every partition it matches) — one
 * commit like INSERT OVERWRITE's, so a crash leaves the old data or none. Views, temporary views
 * and external tables (whose files are not the engine's) are refused as Spark refuses them.
 */
export async function truncateTable(
  session: Session,
  stmt: ast.TruncateTableStatement,
  target: { database: string; table: string },
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const { database, table } = target;
  const notView = (name: string): EngineError =>
    new EngineError(
      SqlState.wrongObjectType,
      `[EXPECT_TABLE_NOT_VIEW.NO_ALTERNATIVE] 'TRUNCATE TABLE' expects a table but ${name} is a view.`,
      { position: stmt.table.pos },
    );
  if (stmt.table.parts.length === 1 && session.temporaryViews.has(table)) throw notView(`\`${table}\``);
  let def: TableDefinition;
  try {
    def = session.engine.metastore.requireTable(database, table);
  } catch (err) {
    throw err instanceof EngineError ? err.withPosition(stmt.table.pos) : err;
  }
  const tableName = quotedName(database, table);
  if (def.format === 'view') throw notView(tableName);
  if (def.external) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `Operation not allowed: TRUNCATE TABLE on external tables: ${tableName}.`,
      { position: stmt.table.pos },
    );
  }
  if (stmt.partition !== null && def.partitionColumns.length === 0) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `Operation not allowed: TRUNCATE TABLE ... PARTITION is not supported for tables that are not partitioned: ${tableName}.`,
      { position: stmt.table.pos },
    );
  }
  for (const [id, value] of stmt.partition ?? []) {
    if (value === null) {
      throw new EngineError(SqlState.syntaxError, `Found an empty partition key '${id.name}'.`, {
        position: id.pos,
      });
    }
  }
  requireWritableFormat(def.format, stmt.table.pos);
  const nextId = idGenerator();
  const staticValues = staticPartitionValues(session, def, stmt.partition ?? [], nextId);
  if (stmt.partition !== null && staticValues.size === def.partitionColumns.length) {
    // A full partition clause must name a partition that exists (a partial one may match none).
    sweepSnapshots(def);
    const { table: current } = adoptSnapshot(session.engine.metastore, def);
    if (filesToOverwrite(current, staticValues, session).length === 0) {
      const spec = [...staticValues]
        .map(([i, e]) => {
          const v =
            e.kind === 'literal' && e.value !== null
              ? valueToString(e.value, e.type, session.evalContext())
              : null;
          return `${def.columns[i]!.name} = ${v === null ? 'NULL' : v}`;
        })
        .join(', ');
      throw new EngineError(
        SqlState.partitionsNotFound,
        `[PARTITIONS_NOT_FOUND] The partition(s) PARTITION (${spec}) cannot be found in table ${tableName}.`,
        { position: stmt.table.pos },
      );
    }
  }
  const output: Attribute[] = def.columns.map((c) => ({
    id: nextId(),
    name: c.name,
    type: c.type,
    nullable: true,
    qualifier: null,
  }));
  const nothing: LogicalPlan = { kind: 'Values', output, rows: [] };
  await writeRows(session, def, nothing, nextId, true, staticValues, signal);
  return commandResult('TRUNCATE TABLE');
}

/**
 * The write of an INSERT (or a COPY FROM): `plan` yields the table's columns in order; with
 * `overwrite`, the table's files (or those of the partitions `staticValues` select) are replaced.
 * Returns the rows written.
 */
async function writeRows(
  session: Session,
  def: TableDefinition,
  plan: LogicalPlan,
  nextId: () => number,
  overwrite: boolean,
  staticValues: ReadonlyMap<number, Expr>,
  signal: AbortSignal | undefined,
): Promise<number> {
  const metastore = session.engine.metastore;
  const tableName = quotedName(def.database, def.name);

  // Writes that stopped partway (a crash) are finished or undone first; a table never written
  // here gets its first snapshot.
  sweepSnapshots(def);
  const { table: current, snapshot: base } = adoptSnapshot(metastore, def);
  const overwriting = overwrite ? filesToOverwrite(current, staticValues, session) : [];
  const overwritesAll = overwrite && (staticValues.size === 0 || def.partitionColumns.length === 0);
  const before = current.statistics;
  // What the statistics must forget: the replaced files, or that data existed.
  const removed =
    overwrite && !overwritesAll && before !== undefined
      ? statisticsOfFiles(session, current, overwriting)
      : null;
  const hadData = before === undefined && !overwrite && base.files.length > 0;
  const written = await writeData(session, current, current.location, plan, nextId, signal);
  try {
    const latest = metastore.getTable(def.database, def.name);
    if (latest === undefined || latest.snapshot !== current.snapshot) {
      throw new EngineError(
        '40001',
        `table ${tableName} was written by another statement meanwhile; run the statement again`,
      );
    }
    const statistics = insertStatistics(session, latest, written, {
      overwritesAll,
      before,
      removed,
      hadData,
      overwrite: overwrite,
    });
    const gone = new Set(overwriting.map((f) => path.relative(current.location, f)));
    const { statistics: _old, ...rest } = latest;
    commitTable(metastore, {
      table: statistics === undefined ? rest : { ...rest, statistics },
      create: false,
      base,
      keep: base.files.filter((f) => !gone.has(f.path)),
      added: written.files,
    });
  } catch (err) {
    abortDataFiles(written.files);
    throw err;
  }
  return written.rows;
}

// ---- COPY … FROM STDIN -------------------------------------------------------------------------

/**
 * Appends rows of text values (what `COPY … FROM STDIN` read) to a table: each value is cast to
 * its column's type as a CAST would (a value that does not convert fails the whole statement,
 * which then writes nothing); columns not listed are NULL. Returns the rows written.
 */
export async function copyIntoTable(
  session: Session,
  def: TableDefinition,
  columns: readonly number[],
  rows: readonly (readonly (string | null)[])[],
  signal: AbortSignal | undefined,
): Promise<number> {
  requireWritableFormat(def.format, 0);
  const nextId = idGenerator();
  const output: Attribute[] = columns.map((i) => ({
    id: nextId(),
    name: def.columns[i]!.name,
    type: { kind: 'string' },
    nullable: true,
    qualifier: null,
  }));
  const values: LogicalPlan = { kind: 'Values', output, rows };
  const exprs: NamedExpr[] = def.columns.map((c, i) => {
    const attr: Attribute = { id: nextId(), name: c.name, type: c.type, nullable: true, qualifier: null };
    const j = columns.indexOf(i);
    if (j < 0) return { expr: { kind: 'literal', value: null, type: c.type }, attr };
    const text: Expr = { kind: 'column', attr: output[j]! };
    const plain = c.type.kind === 'string' && c.type.maxLength === undefined;
    return { expr: plain ? text : { kind: 'cast', input: text, type: c.type, mode: 'ansi' }, attr };
  });
  return writeRows(session, def, project(values, exprs), nextId, false, new Map(), signal);
}

// ---- statistics of writes ----------------------------------------------------------------------

/**
 * The statistics of the files a write committed: rows and bytes, and the per-column counts and
 * bounds the files record (Parquet footers), reduced to what a write may store.
 */
function statisticsOfWrite(session: Session, def: TableDefinition, written: WrittenData): Statistics {
  let bytes = 0;
  const files = written.files.map((f) => f.hidden);
  for (const f of files) bytes += fs.statSync(f).size;
  const fromFiles = statisticsOfFiles(session, def, files);
  if (fromFiles === null || fromFiles.rowCount !== written.rows) {
    return { rowCount: written.rows, totalBytes: bytes, columns: {} };
  }
  return writtenStatistics(def, { ...fromFiles, totalBytes: bytes });
}

/** What the files themselves record, or null when the format cannot tell. */
function statisticsOfFiles(
  session: Session,
  def: TableDefinition,
  files: readonly string[],
): Statistics | null {
  try {
    const provider = session.engine.metastore.tableProvider(def);
    const stats = provider.statisticsOfFiles?.(files);
    return stats === undefined || stats.rowCount === null || stats.totalBytes === null ? null : stats;
  } catch {
    return null;
  }
}

interface InsertStatisticsContext {
  readonly overwrite: boolean;
  readonly overwritesAll: boolean;
  readonly before: Statistics | undefined;
  readonly removed: Statistics | null;
  readonly hadData: boolean;
}

/**
 * The statistics an INSERT leaves: INSERT OVERWRITE of the whole table replaces them; of some
 * partitions, keeps the counts exact (old − replaced files + written); INSERT INTO adds to them. A
 * table without recorded statistics gets them only when the write made all of its data. When they
 * cannot be kept exact they go (undefined), never left wrong. `def` is the table as stored now.
 */
function insertStatistics(
  session: Session,
  def: TableDefinition,
  written: WrittenData,
  c: InsertStatisticsContext,
): Statistics | undefined {
  try {
    // Changed since this statement read them (an ANALYZE TABLE meanwhile): adding to them could
    // count rows twice or miss some.
    if (!sameStatistics(def.statistics, c.before)) return undefined;
    const added = statisticsOfWrite(session, def, written);
    if (c.overwritesAll) return added;
    if (c.before === undefined) return c.overwrite || c.hadData ? undefined : added;
    if (c.overwrite)
      return c.removed === null ? undefined : replacePartStatistics(c.before, c.removed, added);
    return appendStatistics(c.before, added);
  } catch {
    return undefined; // advisory: a later ANALYZE TABLE rebuilds them
  }
}

/**
 * Spark's ANSI store assignment: which implicit casts an INSERT (or SET VAR) may make (arrays, maps
 * and structs element by element, structs field by field in order).
 */
export function canStoreAssign(from: DataType, to: DataType): boolean {
  if (typesEqual(from, to) || from.kind === 'null') return true;
  if (from.kind === 'array' && to.kind === 'array') return canStoreAssign(from.element, to.element);
  if (from.kind === 'map' && to.kind === 'map') {
    return canStoreAssign(from.key, to.key) && canStoreAssign(from.value, to.value);
  }
  if (from.kind === 'struct' && to.kind === 'struct') {
    return (
      from.fields.length === to.fields.length &&
      from.fields.every((f, k) => canStoreAssign(f.type, to.fields[k]!.type))
    );
  }
  if (isNumeric(from) && isNumeric(to)) return true;
  if (to.kind === 'string') return from.kind !== 'array' && from.kind !== 'map' && from.kind !== 'struct';
  const datetime = (t: DataType): boolean =>
    t.kind === 'date' || t.kind === 'timestamp' || t.kind === 'timestamp_ntz';
  if (datetime(from) && datetime(to)) return true;
  return from.kind === to.kind && from.kind !== 'array' && from.kind !== 'map' && from.kind !== 'struct';
}

function storeCast(e: Expr, column: Field, tableName: string, position: number): Expr {
  const from = exprType(e);
  if (typesEqual(from, column.type)) return e;
  if (!canStoreAssign(from, column.type)) {
    throw new EngineError(
      'KD000',
      `[INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST] Cannot write incompatible data for the table ${tableName}: ` +
        `Cannot safely cast \`${column.name}\` "${typeToString(from).toUpperCase()}" to "${typeToString(column.type).toUpperCase()}".`,
      { position },
    );
  }
  return { kind: 'cast', input: e, type: column.type, mode: 'ansi' };
}

/**
 * INSERT OVERWRITE replaces the whole table, or the partitions its static values select — its data
 * files only: files of the table's format (`.parquet`) directly in its folder or in the partition
 * folders of its partition columns (`p=1/q=a/`, in order). Other files that sit in the folder, and
 * folders outside the partition layout, are left alone.
 */
function filesToOverwrite(
  def: TableDefinition,
  statics: ReadonlyMap<number, Expr>,
  session: Session,
): string[] {
  const partitionFields = def.partitionColumns.map((p) =>
    def.columns.find((c) => c.name.toLowerCase() === p)!,
  );
  const listed = listDataFiles(def.location, partitionFields, def.snapshot);
  const extension = `.${dataFileExtension(def.format) ?? def.format}`.toLowerCase();
  const files = listed.filter((f) => {
    if (!f.path.toLowerCase().endsWith(extension)) return false;
    const dir = path.relative(def.location, path.dirname(f.path));
    const segments = dir === '' ? [] : dir.split(path.sep);
    return (
      segments.length === def.partitionColumns.length &&
      segments.every((s, i) => {
        const eq = s.indexOf('=');
        return eq > 0 && unescapePathName(s.slice(0, eq)).toLowerCase() === def.partitionColumns[i];
      })
    );
  });
  const wanted = new Map<string, string | null>();
  for (const [i, e] of statics) {
    if (e.kind !== 'literal') continue;
    const c = def.columns[i]!;
    wanted.set(
      c.name.toLowerCase(),
      e.value === null ? null : valueToString(e.value, e.type, session.evalContext()),
    );
  }
  return files
    .filter((f) => [...wanted].every(([k, v]) => (f.partitionValues.get(k) ?? null) === v))
    .map((f) => f.path);
}

// ---- writing -----------------------------------------------------------------------------------

interface WrittenData {
  readonly rows: number;
  /** The files, closed under their hidden names: the caller commits or aborts them. */
  readonly files: readonly WrittenFile[];
}

/**
 * Runs `plan` (whose output is the table's columns in order) and writes it under `root`: the
 * executors encode the files (TableWriteExec: data columns into the files, partition columns into
 * `col=value/` folder names) under hidden names. When anything failed or the statement was
 * cancelled they are all deleted.
 */
async function writeData(
  session: Session,
  def: TableDefinition,
  root: string,
  plan: LogicalPlan,
  nextId: () => number,
  signal: AbortSignal | undefined,
): Promise<WrittenData> {
  if (!canWriteFormat(def.format)) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `writing tables of format "${def.format}" is not supported`,
    );
  }
  const target: WriteTarget = {
    root,
    columns: def.columns,
    partitionColumns: def.partitionColumns,
    format: def.format,
    options: def.options,
    writeId: randomUUID(),
  };
  const files: WrittenFile[] = [];
  try {
    for await (const batch of await executeAnalyzed(
      session,
      plan,
      nextId,
      signal,
      (input) => new TableWriteExec({ input, target }),
    )) {
      files.push(...writtenFiles(batch));
    }
    // A statement cancelled meanwhile never commits, even if its rows ended without an error.
    if (signal?.aborted === true) throw statementCanceled('user request');
    return { rows: files.reduce((n, f) => n + f.rows, 0), files };
  } catch (err) {
    abortDataFiles(files);
    throw err;
  }
}
