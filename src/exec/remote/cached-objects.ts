/**
 * Cached tables (`CACHE TABLE`) for executor processes. The tasks of the query that fills a cache
 * (its top is a `CacheShareExec`) each put their partition's batches in the control plane's
 * object store, as an Arrow IPC stream — the encoding and the upload happen on the executors, so
 * the driver only records how many objects there are (`CacheRef`). An executor gets the objects
 * before a task that may read the cache runs (a task names the caches of its query's engine),
 * deals their batches over the cache's partitions exactly as the driver dealt the batches it
 * received (`dealCachedBatches`), keeps them where the cached scans of its tasks look (catalog's
 * cached data), and drops them when the driver says so.
 */
import * as arrow from 'apache-arrow';
import { dealCachedBatches, type CachedData } from '../../catalog/index.ts';
import { makeBatch, toArrowSchema, type Schema } from '../../common/index.ts';
import { batchBytes, type CacheObjectStore, type CacheObjectWriter } from '../../physical/index.ts';

/** What a task says of a cache its executor may need. */
export interface CacheRef {
  readonly cacheId: string;
  readonly schema: Schema;
  /** The objects the filling query's tasks wrote: one per partition of its result. */
  readonly objects: number;
  /** The partitions of the cache their batches are dealt over. */
  readonly partitions: number;
}

/** The object holding partition `partition` of the query that filled cache `cacheId`. */
export function cacheObjectName(cacheId: string, partition: number): string {
  return `cache-${cacheId.replace(/[^A-Za-z0-9_-]/g, '_')}-${partition}`;
}

/** Encodes one partition's batches as they come and puts them as one object at the end. */
class CacheObjectStreamWriter implements CacheObjectWriter {
  private readonly writer = new arrow.RecordBatchStreamWriter();
  private readonly name: string;
  private readonly schema: Schema;
  private readonly put: (name: string, bytes: Uint8Array) => Promise<void>;
  private written = 0;
  private empty = true;

  constructor(name: string, schema: Schema, put: (name: string, bytes: Uint8Array) => Promise<void>) {
    this.name = name;
    this.schema = schema;
    this.put = put;
  }

  get bytes(): number {
    return this.written;
  }

  write(batch: arrow.RecordBatch): void {
    if (batch.numRows === 0) return;
    this.writer.write(batch);
    this.empty = false;
    this.written += batchBytes(batch);
  }

  finish(): Promise<void> {
    // A partition without rows is still a valid stream: its schema alone.
    if (this.empty) this.writer.reset(undefined, toArrowSchema(this.schema));
    this.writer.finish();
    return this.put(this.name, this.writer.toUint8Array(true));
  }
}

/** An executor's object store for the partitions of the caches its tasks fill. */
export function cacheObjectStore(put: (name: string, bytes: Uint8Array) => Promise<void>): CacheObjectStore {
  return {
    open: (cacheId, partition, schema) =>
      new CacheObjectStreamWriter(cacheObjectName(cacheId, partition), schema, put),
  };
}

/** A cache's partitions, from the bytes of its objects in partition order. */
export function decodeCacheObjects(ref: CacheRef, objects: readonly Uint8Array[]): CachedData {
  const batches: arrow.RecordBatch[] = [];
  for (const bytes of objects) {
    for (const b of arrow.RecordBatchReader.from(bytes)) {
      if (b.numRows > 0) batches.push(makeBatch(ref.schema, b.data.children, b.numRows));
    }
  }
  return { schema: ref.schema, partitions: dealCachedBatches(batches, ref.partitions) };
}
