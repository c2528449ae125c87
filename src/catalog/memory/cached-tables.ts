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
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import type { ScanRequest, Statistics, TableDefinition, TableProvider, TableScan } from '../types.ts';
import { MemoryTableProvider } from './memory-table-provider.ts';

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

export function dropCachedData(id: string): void {
  cached.delete(id);
}

export function hasCachedData(id: string): boolean {
  return cached.has(id);
}

/** The definition a scan of cache `id` carries: the cached table's name and columns. */
export function cachedTableDefinition(
  id: string,
  database: string,
  name: string,
  schema: Schema,
): TableDefinition {
  return {
    database,
    name,
    columns: schema.fields,
    format: CACHED_FORMAT,
    location: '',
    options: { cacheId: id },
    partitionColumns: [],
    external: true,
    comment: null,
    properties: {},
    createdAt: new Date(0).toISOString(),
  };
}

/** Reads the cached batches named by a `cached` definition, on the thread it is built on. */
export class CachedTableProvider implements TableProvider {
  readonly definition: TableDefinition;
  readonly qualifiedName: readonly string[];
  readonly schema: Schema;
  private readonly memory: MemoryTableProvider;

  constructor(definition: TableDefinition) {
    const id = definition.options.cacheId ?? '';
    const data = cached.get(id);
    if (data === undefined) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: the cache of ${definition.database}.${definition.name} (${id}) is not on this thread`,
      );
    }
    this.definition = definition;
    // A cached temporary view has no database.
    this.qualifiedName =
      definition.database === '' ? [definition.name] : [definition.database, definition.name];
    this.schema = { fields: definition.columns };
    this.memory = new MemoryTableProvider(definition, data.partitions);
  }

  statistics(): Statistics {
    return this.memory.statistics();
  }

  scan(request: ScanRequest): TableScan {
    const scan = this.memory.scan(request);
    const fields = scan.schema.fields.map((f) => f.name).join(', ');
    return {
      ...scan,
      describe: () =>
        `InMemoryTableScan: ${this.qualifiedName.join('.')}, projection=[${fields}], partitions=${scan.partitions}`,
    };
  }
}
