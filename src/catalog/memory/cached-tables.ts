/**
 * The cached tables of this thread (`CACHE TABLE`): per cache id, the schema and the partitions of
 * Arrow batches a scan of a cached table reads instead of the table's files.
 *
 * Where the batches live: the driver copies a cached table once into SharedArrayBuffers and posts
 * the same buffers to every executor thread, which rebuilds its Arrow batches over them in place
 * and records them here (src/exec hands them over; this layer only keeps them). Each thread thus
 * reads the one shared copy — charged once to the process memory budget — and a scan task needs
 * only the cache id: its plan carries a table definition of format `cached` naming the id, and
 * `createTableProvider` builds a `CachedTableProvider` from it on whichever thread runs the task,
 * just as it plans a Parquet scan again from a Parquet definition. Holding a copy per executor
 * (as a broadcast's hash table is) would multiply the bytes by the threads; keeping the batches
 * in the driver alone would make every scan of a cached table run in the server's thread.
 *
 * A cache on disk (storage levels DISK_ONLY and MEMORY_AND_DISK, cache-files.ts) needs no
 * hand-over: its definition lists the partition files (`options.files`, a JSON array), and the
 * provider built from it on any thread streams them.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import type {
  ColumnStatistics,
  ScanRequest,
  Statistics,
  TableDefinition,
  TableProvider,
  TableScan,
} from '../types.ts';
import { MemoryTableProvider } from './memory-table-provider.ts';
import { readCacheFile } from './cache-files.ts';
import * as fs from 'node:fs';

/** The table format of a scan of cached batches; `options.cacheId` names the cache. */
export const CACHED_FORMAT = 'cached';

export interface CachedData {
  readonly schema: Schema;
  /** `partitions[i]` holds the batches of partition i of a scan. */
  readonly partitions: readonly (readonly arrow.RecordBatch[])[];
}

const cached = new Map<string, CachedData>();

/** Records the batches of cache `id` on this thread (replacing any earlier ones). */
export function putCachedData(id: string, data: CachedData): void {
  cached.set(id, data);
}

/**
 * The partitions of a cache: its query's non-empty batches, in the order they came, dealt
 * round-robin over `count` partitions; partitions left empty after the first are dropped. The
 * driver keeps its copy so, and an executor process rebuilds the same partitions from the objects
 * the query's tasks wrote (in partition order, batch for batch what the driver received), so a
 * scan planned on the driver finds the same partitions wherever it runs.
 */
export function dealCachedBatches(
  batches: Iterable<arrow.RecordBatch>,
  count: number,
): arrow.RecordBatch[][] {
  const partitions: arrow.RecordBatch[][] = Array.from({ length: Math.max(1, count) }, () => []);
  let next = 0;
  for (const batch of batches) {
    if (batch.numRows === 0) continue;
    partitions[next]!.push(batch);
    next = (next + 1) % partitions.length;
  }
  return partitions.filter((p, i) => i === 0 || p.length > 0);
}

export function dropCachedData(id: string): void {
  cached.delete(id);
}

export function hasCachedData(id: string): boolean {
  return cached.has(id);
}

/**
 * The definition a scan of cache `id` carries: the cached table's name and columns, and for a
 * cache read from disk, its partition files.
 */
export function cachedTableDefinition(
  id: string,
  database: string,
  name: string,
  schema: Schema,
  disk: { readonly files: readonly string[]; readonly rows: number } | null = null,
): TableDefinition {
  return {
    database,
    name,
    columns: schema.fields,
    format: CACHED_FORMAT,
    location: '',
    options:
      disk === null
        ? { cacheId: id }
        : { cacheId: id, files: JSON.stringify(disk.files), rows: String(disk.rows) },
    partitionColumns: [],
    external: true,
    comment: null,
    properties: {},
    createdAt: new Date(0).toISOString(),
  };
}

/**
 * Reads the cached batches named by a `cached` definition, on the thread it is built on: from
 * memory, or from the cache's files when the definition lists them.
 */
export class CachedTableProvider implements TableProvider {
  readonly definition: TableDefinition;
  readonly qualifiedName: readonly string[];
  readonly schema: Schema;
  private readonly memory: MemoryTableProvider | null;
  private readonly files: readonly string[];
  private readonly columnStatistics: Readonly<Record<string, ColumnStatistics>>;

  /**
   * `columnStatistics`: what is known of the cached columns (the statistics of the table copied),
   * for the optimizer where the query is planned; a scan task's provider needs none.
   */
  constructor(
    definition: TableDefinition,
    columnStatistics: Readonly<Record<string, ColumnStatistics>> = {},
  ) {
    const id = definition.options.cacheId ?? '';
    this.definition = definition;
    this.columnStatistics = columnStatistics;
    // A cached temporary view has no database.
    this.qualifiedName =
      definition.database === '' ? [definition.name] : [definition.database, definition.name];
    this.schema = { fields: definition.columns };
    const files = definition.options.files;
    if (files !== undefined) {
      this.files = JSON.parse(files) as string[];
      this.memory = null;
      return;
    }
    const data = cached.get(id);
    if (data === undefined) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: the cache of ${definition.database}.${definition.name} (${id}) is not on this thread`,
      );
    }
    this.files = [];
    this.memory = new MemoryTableProvider(definition, data.partitions);
  }

  /** Exact rows and bytes of the cache, with the column statistics of what it copied. */
  statistics(): Statistics {
    const columns = this.columnStatistics;
    if (this.memory !== null) return { ...this.memory.statistics(), columns };
    let bytes = 0;
    for (const f of this.files) bytes += fileSize(f);
    const rows = Number(this.definition.options.rows);
    return { rowCount: Number.isFinite(rows) ? rows : null, totalBytes: bytes, columns };
  }

  /** A scan of the cache's files: one partition a file, read as a stream. */
  private diskScan(request: ScanRequest): TableScan {
    const projection = request.projection ?? this.schema.fields.map((_, i) => i);
    const schema: Schema = { fields: projection.map((i) => this.schema.fields[i]!) };
    const limit = request.limit;
    const files = this.files;
    const name = this.qualifiedName.join('.');
    return {
      schema,
      partitions: files.length,
      describe: () =>
        `InMemoryTableScan: ${name}, projection=[${schema.fields.map((f) => f.name).join(', ')}], ` +
        `partitions=${files.length}, on disk` +
        (limit === null ? '' : `, limit=${limit}`),
      open: (partition, ctx) =>
        limited(readCacheFile(files[partition]!, schema, projection, ctx.signal), limit),
    };
  }

  scan(request: ScanRequest): TableScan {
    if (this.memory === null) return this.diskScan(request);
    const scan = this.memory.scan(request);
    const fields = scan.schema.fields.map((f) => f.name).join(', ');
    return {
      ...scan,
      describe: () =>
        `InMemoryTableScan: ${this.qualifiedName.join('.')}, projection=[${fields}], partitions=${scan.partitions}`,
    };
  }
}

/** The first `limit` rows of a stream of batches (all when null). */
async function* limited(
  batches: AsyncIterable<arrow.RecordBatch>,
  limit: number | null,
): AsyncGenerator<arrow.RecordBatch> {
  let remaining = limit ?? Infinity;
  if (remaining <= 0) return;
  for await (const b of batches) {
    if (b.numRows <= remaining) {
      yield b;
      remaining -= b.numRows;
    } else {
      yield b.slice(0, remaining);
      remaining = 0;
    }
    if (remaining <= 0) return;
  }
}

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return 0;
  }
}
