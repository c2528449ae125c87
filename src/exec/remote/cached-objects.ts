/**
 * Cached tables (`CACHE TABLE`) for executor processes: the driver puts each partition of a cache
 * in the control plane's object store once, as an Arrow IPC stream; an executor gets the ones a
 * task may read before it runs the task (a task names the caches of its query's engine), keeps
 * them where the cached scans of its tasks look (catalog's cached data), and drops them when the
 * driver says so.
 */
import * as arrow from 'apache-arrow';
import { makeBatch, toArrowSchema, type Schema } from '../../common/index.ts';

/** What a task says of a cache its executor may need. */
export interface CacheRef {
  readonly cacheId: string;
  readonly schema: Schema;
  readonly partitions: number;
}

/** The object holding partition `partition` of cache `cacheId`. */
export function cacheObjectName(cacheId: string, partition: number): string {
  return `cache-${cacheId.replace(/[^A-Za-z0-9_-]/g, '_')}-${partition}`;
}

export function encodeCachePartition(schema: Schema, batches: readonly arrow.RecordBatch[]): Uint8Array {
  const writer = new arrow.RecordBatchStreamWriter();
  if (batches.length === 0) {
    writer.reset(undefined, toArrowSchema(schema));
  }
  for (const b of batches) writer.write(b);
  writer.finish();
  return writer.toUint8Array(true);
}

export function decodeCachePartition(schema: Schema, bytes: Uint8Array): arrow.RecordBatch[] {
  const out: arrow.RecordBatch[] = [];
  for (const b of arrow.RecordBatchReader.from(bytes)) {
    if (b.numRows > 0) out.push(makeBatch(schema, b.data.children, b.numRows));
  }
  return out;
}
