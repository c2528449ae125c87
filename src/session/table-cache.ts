/**
 * The bookkeeping of CACHE TABLE for one engine: which tables and views are cached, under which
 * cache id, whether they are filled yet (`CACHE LAZY TABLE` fills on the first scan), how many
 * bytes each holds and when it was last read.
 *
 * The batches themselves live in the execution engine (`CacheStore`: one shared-memory copy
 * every executor thread reads, charged to the process memory budget). When the budget cannot
 * take a new cache, the least recently read other caches are dropped one by one until it can; if
 * dropping all of them would not be enough, none is dropped: filling fails with 53200 and the
 * table stays uncached.
 *
 * A cache at a storage level with disk (DISK_ONLY, MEMORY_AND_DISK) also has files: a copy on disk
 * in the engine's spill folder, written as it is filled (cache-table.ts). Scans read the memory
 * copy when there is one, else the files; evicting a cache that has files drops only its memory
 * copy, and a MEMORY_AND_DISK cache too large for memory lives on disk alone.
 *
 * A cached table remembers the version of the table it copied (`version`: its data snapshot and
 * layout); a lookup that finds the table changed since — written by this or another process,
 * dropped, replaced — drops the cache, so a read never sees stale rows. Writes of this engine
 * also drop the cache of their table at once (`drop`), which frees its memory.
 */
import type * as arrow from 'apache-arrow';
import * as fs from 'node:fs';
import { EngineError, SqlState, type Schema } from '../common/index.ts';
import type { ColumnStatistics } from '../catalog/index.ts';
import type { SharedCacheObjects } from '../exec/index.ts';

/** Where cached batches are held (the execution engine; a fake in unit tests). */
export interface CacheStore {
  /**
   * Holds the partitions and returns the bytes charged; when the memory budget cannot take them,
   * holds nothing and says how many bytes they need and how many are free.
   */
  putCache(
    cacheId: string,
    schema: Schema,
    partitions: readonly (readonly arrow.RecordBatch[])[],
    shared?: SharedCacheObjects,
  ): CachePut;
  dropCache(cacheId: string): void;
  /** Bytes the memory budget could still take. */
  cacheRoom(): number;
}

export type CachePut =
  | { readonly ok: true; readonly bytes: number }
  | { readonly ok: false; readonly needed: number; readonly free: number };

export interface CacheEntry {
  /** `db.table` for a table or persistent view; `#<session>.<name>` for a temporary view. */
  readonly key: string;
  readonly cacheId: string;
  /** The name a scan of the cache shows. */
  readonly database: string;
  readonly name: string;
  /** What the cache copied (a table's snapshot and layout); a lookup with another drops it. */
  readonly version: string;
  readonly storageLevel: string;
  state: 'lazy' | 'filled';
  schema: Schema | null;
  /** Whether the batches are in memory (a filled cache without files always is). */
  inMemory: boolean;
  /** Bytes of memory held. */
  bytes: number;
  /** Rows cached (once filled). */
  rows: number;
  /** The disk copy, one file a partition; null when the cache has none. */
  disk: DiskCopy | null;
  /**
   * Column statistics of what was copied (a table's stored and file statistics, by column name),
   * for the optimizer's estimates of scans of the cache; empty when nothing tells (a view).
   */
  columnStatistics: Readonly<Record<string, ColumnStatistics>>;
  lastUsed: number;
}

export interface DiskCopy {
  readonly files: readonly string[];
  readonly bytes: number;
  readonly rows: number;
}

let nextCacheId = 1;

export class TableCache {
  private readonly store: CacheStore;
  private readonly entries = new Map<string, CacheEntry>();
  private clock = 0;

  constructor(store: CacheStore) {
    this.store = store;
  }

  /** Registers `key` as cached but not filled, replacing (and freeing) an earlier cache of it. */
  register(key: string, database: string, name: string, version: string, storageLevel: string): CacheEntry {
    this.drop(key);
    const entry: CacheEntry = {
      key,
      cacheId: `cache-${process.pid}-${nextCacheId++}`,
      database,
      name,
      version,
      storageLevel,
      state: 'lazy',
      schema: null,
      inMemory: false,
      bytes: 0,
      rows: 0,
      disk: null,
      columnStatistics: {},
      lastUsed: ++this.clock,
    };
    this.entries.set(key, entry);
    return entry;
  }

  /**
   * Fills a registered entry with its batches (`partitions`, for memory) and its disk copy, at
   * least one of them. The batches are kept in memory, dropping the least recently read other
   * caches' memory while the budget cannot take them; when even that would not make room, an
   * entry with a disk copy is kept on disk alone, one without fails with 53200 (and is
   * unregistered). `columnStatistics`: what is known of the columns copied (for the optimizer);
   * `shared`: where executor processes get the batches (the store's business).
   */
  fill(
    entry: CacheEntry,
    schema: Schema,
    partitions: readonly (readonly arrow.RecordBatch[])[] | null,
    disk: DiskCopy | null = null,
    columnStatistics: Readonly<Record<string, ColumnStatistics>> = {},
    shared?: SharedCacheObjects,
  ): void {
    if (this.entries.get(entry.key) !== entry) {
      removeFiles(disk);
      return;
    }
    entry.schema = schema;
    entry.columnStatistics = columnStatistics;
    entry.rows = disk?.rows ?? countRows(partitions ?? []);
    entry.disk = disk;
    entry.lastUsed = ++this.clock;
    if (partitions === null) {
      entry.state = 'filled';
      return;
    }
    for (;;) {
      const put = this.store.putCache(entry.cacheId, schema, partitions, shared);
      if (put.ok) {
        entry.state = 'filled';
        entry.inMemory = true;
        entry.bytes = put.bytes;
        return;
      }
      // Evict only when dropping every other cache's memory would make room.
      const victim = this.leastRecentlyUsed(entry.key);
      if (victim === undefined || put.needed > put.free + this.bytesExcept(entry.key)) {
        if (disk !== null) {
          entry.state = 'filled';
          return;
        }
        this.entries.delete(entry.key);
        throw new EngineError(
          SqlState.outOfMemory,
          `[UNABLE_TO_ACQUIRE_MEMORY] cannot cache ${entry.database === '' ? '' : `${entry.database}.`}${entry.name}: ` +
            `its batches need ${put.needed} bytes and the memory left by kindling.memory.limit is ${put.free} bytes`,
          {
            hint: "Raise kindling.memory.limit, cache a smaller table or query, or cache it with OPTIONS ('storageLevel' 'MEMORY_AND_DISK').",
          },
        );
      }
      this.evict(victim);
    }
  }

  /** Lets go of a cache's memory: one with a disk copy stays cached on disk, others are dropped. */
  private evict(entry: CacheEntry): void {
    if (entry.disk === null) {
      this.drop(entry.key);
      return;
    }
    this.store.dropCache(entry.cacheId);
    entry.inMemory = false;
    entry.bytes = 0;
  }

  /**
   * The cache of `key`, marked as read now; undefined when there is none or when the table's
   * `version` is no longer the one cached (that cache is dropped).
   */
  lookup(key: string, version: string): CacheEntry | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.version !== version) {
      this.drop(key);
      return undefined;
    }
    entry.lastUsed = ++this.clock;
    return entry;
  }

  /** The entry of `key` as it is, without marking it read. */
  peek(key: string): CacheEntry | undefined {
    return this.entries.get(key);
  }

  /** Drops the cache of `key` and frees its batches; false when it was not cached. */
  drop(key: string): boolean {
    const entry = this.entries.get(key);
    if (entry === undefined) return false;
    this.entries.delete(key);
    if (entry.inMemory) this.store.dropCache(entry.cacheId);
    removeFiles(entry.disk);
    return true;
  }

  /** Drops `entry` if it is still the cache of its key (a failed fill leaves nothing behind). */
  discard(entry: CacheEntry): void {
    if (this.entries.get(entry.key) === entry) this.drop(entry.key);
  }

  /** Drops the caches whose keys start with `prefix` (a session's temporary views). */
  dropPrefixed(prefix: string): void {
    for (const key of [...this.entries.keys()]) if (key.startsWith(prefix)) this.drop(key);
  }

  /** CLEAR CACHE: drops every cache. */
  clear(): void {
    for (const key of [...this.entries.keys()]) this.drop(key);
  }

  /** Every cache, least recently read first. */
  list(): readonly CacheEntry[] {
    return [...this.entries.values()].sort((a, b) => a.lastUsed - b.lastUsed);
  }

  /**
   * The most bytes a cache of `key` could get: what the budget has free plus what evicting every
   * other cache would free. A fill stops as soon as its batches outgrow it.
   */
  room(key: string): number {
    return this.store.cacheRoom() + this.bytesExcept(key);
  }

  /** Bytes held by every filled cache. */
  get bytes(): number {
    let total = 0;
    for (const e of this.entries.values()) total += e.bytes;
    return total;
  }

  private bytesExcept(key: string): number {
    let total = 0;
    for (const e of this.entries.values()) if (e.key !== key) total += e.bytes;
    return total;
  }

  private leastRecentlyUsed(except: string): CacheEntry | undefined {
    let best: CacheEntry | undefined;
    for (const e of this.entries.values()) {
      if (e.key === except || !e.inMemory) continue;
      if (best === undefined || e.lastUsed < best.lastUsed) best = e;
    }
    return best;
  }
}

/** Removes a disk copy's files (a file a running scan has open stays readable until it closes). */
function removeFiles(disk: DiskCopy | null): void {
  for (const f of disk?.files ?? []) fs.rmSync(f, { force: true });
}

function countRows(partitions: readonly (readonly arrow.RecordBatch[])[]): number {
  let rows = 0;
  for (const p of partitions) for (const b of p) rows += b.numRows;
  return rows;
}
