/**
 * CACHE TABLE, UNCACHE TABLE and CLEAR CACHE, as Spark has them:
 *
 *   CACHE [LAZY] TABLE t [OPTIONS ('storageLevel' 'MEMORY_ONLY')]   -- a table or view
 *   CACHE [LAZY] TABLE v [OPTIONS (…)] [AS] SELECT …                 -- a new temporary view v
 *   UNCACHE TABLE [IF EXISTS] t
 *   CLEAR CACHE
 *
 * Caching runs `SELECT * FROM t` (or the query) once and keeps its batches, spread over the
 * session's target partitions, in the engine's `TableCache`; later scans of `t` read them
 * (`InMemoryTableScan`) instead of the files until a write, a drop or UNCACHE lets them go. LAZY
 * fills the cache when a query first reads `t` (`fillLazyCaches`, before the query is planned).
 *
 * Storage levels (their `_SER` and replicated `_2`/`_3` forms mean the same in one process):
 * - `MEMORY_ONLY` (the default; also `OFF_HEAP`: Arrow's buffers are off the JS heap anyway): the
 *   batches in memory; under memory pressure the least recently read caches give way
 *   (table-cache.ts) — the data is still in the table, so that costs time, never rows;
 * - `DISK_ONLY`: Arrow IPC files in the engine's spill folder (cache-files.ts), written as the
 *   query yields its batches, so a table larger than memory caches too;
 * - `MEMORY_AND_DISK`: both — the files are written as the cache fills, and the memory copy is
 *   kept while it fits: evicted, or too large from the start, the cache is read from disk.
 * `NONE` is refused with 0A000.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, assertNever, type Schema } from '../common/index.ts';
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  CacheFileWriter,
  CachedTableProvider,
  cachedTableDefinition,
  dealCachedBatches,
  type ColumnStatistics,
  type TableDefinition,
  type TableProvider,
} from '../catalog/index.ts';
import type { SharedCacheObjects } from '../exec/index.ts';
import { CacheShareExec, type ExecutionPlan } from '../physical/index.ts';
import { parseQuery, type Query } from '../sql/parser/index.ts';
import type * as ast from '../sql/parser/index.ts';
import { analyzeForSession, executeAnalyzed, idGenerator } from './query.ts';
import { commandResult } from './results.ts';
import type { Session, TemporaryView } from './session.ts';
import type { CacheEntry, DiskCopy } from './table-cache.ts';
import type { CachedRelation } from './pg-catalog.ts';
import type { StatementResult } from './types.ts';

/** Spark's storage levels, and where each keeps a cache here. */
interface Placement {
  readonly memory: boolean;
  readonly disk: boolean;
}
const STORAGE_LEVELS = new Map<string, Placement>();
for (const l of ['MEMORY_ONLY', 'MEMORY_ONLY_2', 'MEMORY_ONLY_SER', 'MEMORY_ONLY_SER_2', 'OFF_HEAP'])
  STORAGE_LEVELS.set(l, { memory: true, disk: false });
for (const l of ['DISK_ONLY', 'DISK_ONLY_2', 'DISK_ONLY_3'])
  STORAGE_LEVELS.set(l, { memory: false, disk: true });
for (const l of ['MEMORY_AND_DISK', 'MEMORY_AND_DISK_2', 'MEMORY_AND_DISK_SER', 'MEMORY_AND_DISK_SER_2'])
  STORAGE_LEVELS.set(l, { memory: true, disk: true });

/** A cacheable relation a name resolves to. */
interface Target {
  readonly key: string;
  readonly database: string;
  readonly name: string;
  readonly version: string;
  /** `SELECT * FROM` it, resolved as the name was. */
  readonly query: Query;
}

export async function cacheStatement(
  session: Session,
  stmt: ast.CacheStatement,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const cache = session.engine.tableCache;
  switch (stmt.action) {
    case 'clear':
      cache.clear();
      return commandResult('CLEAR CACHE');
    case 'uncache': {
      const target = resolveTarget(session, stmt.table!);
      if (target === undefined) {
        if (stmt.ifExists) return commandResult('UNCACHE TABLE');
        throw notFound(stmt.table!);
      }
      cache.drop(target.key);
      return commandResult('UNCACHE TABLE');
    }
    case 'cache': {
      const level = storageLevel(stmt);
      const target = stmt.query === null ? resolveTarget(session, stmt.table!) : createView(session, stmt);
      if (target === undefined) throw notFound(stmt.table!);
      // Already cached as it is now: nothing to do (Spark keeps the cache it has).
      const current = cache.lookup(target.key, target.version);
      if (current !== undefined && current.state === 'filled' && current.storageLevel === level)
        return commandResult('CACHE TABLE');
      const entry = cache.register(target.key, target.database, target.name, target.version, level);
      if (!stmt.lazy) await fill(session, entry, target.query, signal);
      return commandResult('CACHE TABLE');
    }
    default:
      return assertNever(stmt.action, 'cache action');
  }
}

/**
 * Fills the lazy caches a query reads before it is planned, so that it (and every later query)
 * reads them from memory. Cheap when no lazy cache exists.
 */
export async function fillLazyCaches(
  session: Session,
  query: Query,
  signal: AbortSignal | undefined,
): Promise<void> {
  if (!session.engine.tableCache.list().some((e) => e.state === 'lazy')) return;
  const hits: CacheEntry[] = [];
  session.lazyCacheHits = hits;
  try {
    analyzeForSession(session, query);
  } catch {
    // The query's own run reports its errors.
    return;
  } finally {
    session.lazyCacheHits = null;
  }
  for (const entry of new Set(hits)) {
    const target = targetOfEntry(session, entry);
    if (target === undefined) continue;
    try {
      await fill(session, entry, target.query, signal);
    } catch (err) {
      // Without room for the cache the query reads the files; other failures are the query's.
      if (!(err instanceof EngineError && err.sqlstate === SqlState.outOfMemory)) throw err;
    }
  }
}

/**
 * What the analyzer reads for a relation that may be cached: the cached batches when filled;
 * undefined (read the relation itself) otherwise — noting a lazy cache for `fillLazyCaches`.
 */
export function cachedProvider(session: Session, key: string, version: string): TableProvider | undefined {
  const entry = session.engine.tableCache.lookup(key, version);
  if (entry === undefined) return undefined;
  if (entry.state === 'lazy' || entry.schema === null) {
    session.lazyCacheHits?.push(entry);
    return undefined;
  }
  return new CachedTableProvider(
    cachedTableDefinition(
      entry.cacheId,
      entry.database,
      entry.name,
      entry.schema,
      entry.inMemory || entry.disk === null ? null : { files: entry.disk.files, rows: entry.rows },
    ),
    entry.columnStatistics,
  );
}

/**
 * The caches `session` can read, least recently read first: every table's and persistent view's,
 * and its own temporary views' (another session's temporary views are not its business).
 */
export function cachedRelations(session: Session): CachedRelation[] {
  const own = temporaryViewKey(session, '');
  return session.engine.tableCache
    .list()
    .filter((e) => !e.key.startsWith('#') || e.key.startsWith(own))
    .map((e) => ({
      database: e.database,
      name: e.name,
      storageLevel: e.storageLevel,
      state:
        e.state === 'lazy'
          ? 'lazy'
          : e.inMemory && e.disk !== null
            ? 'memory and disk'
            : e.inMemory
              ? 'memory'
              : 'disk',
      rows: e.state === 'lazy' ? null : e.rows,
      memoryBytes: e.bytes,
      diskBytes: e.disk?.bytes ?? 0,
    }));
}

/** The cache key of a session's temporary view (a view of another session is another key). */
export function temporaryViewKey(session: Session, name: string): string {
  return `#${session.id}.${name.toLowerCase()}`;
}

const viewVersions = new WeakMap<TemporaryView, string>();
let nextViewVersion = 1;

/** A temporary view's version: a replaced view is a new object, and so a new version. */
export function temporaryViewVersion(view: TemporaryView): string {
  let v = viewVersions.get(view);
  if (v === undefined) {
    v = `view-${nextViewVersion++}`;
    viewVersions.set(view, v);
  }
  return v;
}

/** A table's version: what a write, a replace or a schema change alters (not its statistics). */
export function tableVersion(def: TableDefinition): string {
  return JSON.stringify([
    def.createdAt,
    def.snapshot ?? null,
    def.location,
    def.format,
    def.columns,
    def.options,
    def.partitionColumns,
    def.properties.viewText ?? null,
  ]);
}

function storageLevel(stmt: ast.CacheStatement): string {
  let level = 'MEMORY_ONLY';
  for (const [key, value] of stmt.options) {
    if (key.toLowerCase() === 'storagelevel') level = value.toUpperCase();
  }
  if (STORAGE_LEVELS.has(level)) return level;
  if (level === 'NONE') {
    throw new EngineError(
      SqlState.featureNotSupported,
      'storage level NONE is not supported: a cache is kept in memory, on disk or both',
      { position: stmt.pos, hint: "Use UNCACHE TABLE to drop a cache, or another 'storageLevel'." },
    );
  }
  throw new EngineError(SqlState.invalidParameterValue, `Invalid StorageLevel: ${level}`, {
    position: stmt.pos,
  });
}

function notFound(name: ast.QualifiedName): EngineError {
  const text = name.parts.map((p) => `\`${p.name}\``).join('.');
  return new EngineError(
    SqlState.undefinedTable,
    `[TABLE_OR_VIEW_NOT_FOUND] The table or view ${text} cannot be found.`,
    { position: name.pos },
  );
}

function quote(name: string): string {
  return `\`${name.replaceAll('`', '``')}\``;
}

/** A temporary view of the session, or a table or view of the metastore; undefined if none. */
function resolveTarget(session: Session, name: ast.QualifiedName): Target | undefined {
  const parts = name.parts.map((p) => p.name.toLowerCase());
  if (parts.length === 1) {
    const view = session.temporaryViews.get(parts[0]!);
    if (view !== undefined) {
      return {
        key: temporaryViewKey(session, view.name),
        database: '',
        name: view.name,
        version: temporaryViewVersion(view),
        query: parseQuery(`SELECT * FROM ${quote(view.name)}`),
      };
    }
  }
  let database: string;
  let table: string;
  if (parts.length === 1) [database, table] = [session.currentDatabase, parts[0]!];
  else if (parts.length === 2) [database, table] = [parts[0]!, parts[1]!];
  else if (parts.length === 3 && parts[0] === 'spark_catalog') [database, table] = [parts[1]!, parts[2]!];
  else return undefined;
  const def = session.engine.metastore.getTable(database, table);
  if (def === undefined) return undefined;
  return {
    key: `${database}.${table}`,
    database,
    name: table,
    version: tableVersion(def),
    query: parseQuery(`SELECT * FROM ${quote(database)}.${quote(table)}`),
  };
}

/** The relation of a cache entry as it is now; undefined when it is gone. */
function targetOfEntry(session: Session, entry: CacheEntry): Target | undefined {
  const parts = entry.database === '' ? [entry.name] : [entry.database, entry.name];
  const target = resolveTarget(session, {
    parts: parts.map((p) => ({ name: p, quoted: true, pos: 0 })),
    pos: 0,
  });
  return target?.key === entry.key ? target : undefined;
}

/** `CACHE TABLE v AS query`: v becomes a temporary view of the query (which must analyze). */
function createView(session: Session, stmt: ast.CacheStatement): Target {
  const nameAst = stmt.table!;
  if (nameAst.parts.length !== 1) {
    throw new EngineError(
      '428EK',
      `[TEMP_VIEW_NAME_TOO_MANY_NAME_PARTS] CREATE TEMPORARY VIEW or the corresponding Dataset APIs only accept single-part view names, but got: ${nameAst.parts.map((p) => p.name).join('.')}.`,
      { position: nameAst.pos },
    );
  }
  const name = nameAst.parts[0]!.name.toLowerCase();
  if (session.temporaryViews.has(name)) {
    throw new EngineError(
      SqlState.duplicateTable,
      `[TEMP_TABLE_OR_VIEW_ALREADY_EXISTS] Cannot create the temporary view \`${name}\` because it already exists.`,
      { position: nameAst.pos },
    );
  }
  analyzeForSession(session, stmt.query!);
  const view: TemporaryView = { name, query: stmt.query!, columns: null, text: stmt.queryText };
  session.temporaryViews.set(name, view);
  return {
    key: temporaryViewKey(session, name),
    database: '',
    name,
    version: temporaryViewVersion(view),
    query: parseQuery(`SELECT * FROM ${quote(name)}`),
  };
}

/** The bytes of a batch's buffers (what the cache will be charged for them). */
function batchBytes(data: arrow.Data): number {
  let total = 0;
  for (const b of [data.valueOffsets, data.values, data.nullBitmap, data.typeIds] as (
    ArrayBufferView | null | undefined
  )[]) {
    total += b?.byteLength ?? 0;
  }
  for (const c of data.children) total += batchBytes(c);
  return total;
}

/**
 * The column statistics of the table a cache copies (stored by ANALYZE or a write, else from its
 * files' footers), so that plans over the cache are estimated as plans over the table are. None
 * for a view: its columns' statistics would be estimates, not facts.
 */
function copiedColumnStatistics(
  session: Session,
  entry: CacheEntry,
): Readonly<Record<string, ColumnStatistics>> {
  if (entry.database === '') return {};
  const metastore = session.engine.metastore;
  const def = metastore.getTable(entry.database, entry.name);
  if (def === undefined || def.format === 'view' || tableVersion(def) !== entry.version) return {};
  try {
    return metastore.tableProvider(def).statistics().columns ?? {};
  } catch {
    // Statistics only guide the plan; a table whose files cannot tell has none.
    return {};
  }
}

/**
 * Runs the relation's query and keeps its batches, spread over the target partitions: in memory,
 * in files, or both, as the entry's storage level says. With executor processes, the query's
 * tasks also put their partitions in the cluster's object store (`CacheShareExec`), from which
 * the executors get the memory copy; the driver only records how many objects there are.
 */
async function fill(
  session: Session,
  entry: CacheEntry,
  query: Query,
  signal: AbortSignal | undefined,
): Promise<void> {
  const cache = session.engine.tableCache;
  const execution = session.engine.execution;
  const level = STORAGE_LEVELS.get(entry.storageLevel)!;
  let writers: CacheFileWriter[] = [];
  let shared: SharedCacheObjects | undefined;
  try {
    const nextId = idGenerator();
    const analyzed = analyzeForSession(session, query, nextId);
    const schema: Schema = analyzed.schema;
    const count = Math.max(1, session.settings.targetPartitions);
    if (level.disk) {
      const dir = session.engine.execution.spillDir;
      await fs.promises.mkdir(dir, { recursive: true });
      writers = Array.from(
        { length: count },
        (_, i) => new CacheFileWriter(path.join(dir, `${entry.cacheId}-${i}.arrows`), schema),
      );
    }
    const share = (physical: ExecutionPlan): ExecutionPlan => {
      shared = { objects: physical.outputPartitions, partitions: count };
      return new CacheShareExec({ input: physical, cacheId: entry.cacheId });
    };
    const batches = await executeAnalyzed(
      session,
      analyzed.plan,
      nextId,
      signal,
      level.memory && execution.distributed ? share : undefined,
    );
    // The batches for memory, in order; null once they could not be kept whatever is evicted.
    let kept: arrow.RecordBatch[] | null = level.memory ? [] : null;
    let next = 0;
    let bytes = 0;
    let rows = 0;
    for await (const batch of batches) {
      if (batch.numRows === 0) continue;
      rows += batch.numRows;
      if (level.disk) await writers[next]!.write(batch);
      if (kept !== null) {
        bytes += batchBytes(batch.data);
        if (bytes > cache.room(entry.key)) {
          // With a disk copy the cache lives on disk; without one, stop (and cancel the query)
          // rather than gather a table larger than memory first.
          if (!level.disk) {
            throw new EngineError(
              SqlState.outOfMemory,
              `[UNABLE_TO_ACQUIRE_MEMORY] cannot cache ${entry.database === '' ? '' : `${entry.database}.`}${entry.name}: ` +
                `its batches outgrow the ${cache.room(entry.key)} bytes kindling.memory.limit leaves for caches`,
              {
                hint: "Raise kindling.memory.limit, cache a smaller table or query, or cache it with OPTIONS ('storageLevel' 'MEMORY_AND_DISK').",
              },
            );
          }
          kept = null;
        } else {
          kept.push(batch);
        }
      }
      next = (next + 1) % count;
    }
    let disk: DiskCopy | null = null;
    if (level.disk) {
      for (const w of writers) await w.finish();
      disk = {
        files: writers.map((w) => w.path),
        bytes: writers.reduce((s, w) => s + w.bytes, 0),
        rows,
      };
      writers = [];
    }
    cache.fill(
      entry,
      schema,
      kept === null ? null : dealCachedBatches(kept, count),
      disk,
      copiedColumnStatistics(session, entry),
      shared,
    );
    // Kept on disk alone: the executors read the files, not the objects.
    if (shared !== undefined && !entry.inMemory) execution.dropCacheObjects(entry.cacheId, shared);
  } catch (err) {
    // A failed or cancelled fill leaves the relation uncached, as if CACHE TABLE never ran.
    for (const w of writers) await w.abort();
    cache.discard(entry);
    if (shared !== undefined && !entry.inMemory) execution.dropCacheObjects(entry.cacheId, shared);
    throw err;
  }
}
