/**
 * What executor processes get from the control plane's object store, as Arrow IPC streams:
 *
 *   cached tables (`CACHE TABLE`)   the tasks of the query that fills a cache (its top is a
 *                                   `CacheShareExec`) each put their partition's batches once —
 *                                   encoded and uploaded on the executors, so the driver only
 *                                   records how many objects there are (`CacheRef`); an executor
 *                                   gets them before a task that may read the cache runs (a task
 *                                   names the caches of its query's engine), deals their batches
 *                                   over the cache's partitions exactly as the driver dealt the
 *                                   batches it received (`dealCachedBatches`), keeps them where the
 *                                   cached scans of its tasks look (catalog's cached data), and
 *                                   drops them when the driver says so
 *   broadcast map outputs           a broadcast's map task puts its output once, under the name
 *                                   the driver gave it; an executor whose task reads it gets it
 *                                   once per query and keeps it until the query or its stage is
 *                                   released; the driver deletes the objects then
 */
import * as arrow from 'apache-arrow';
import { dealCachedBatches, type CachedData } from '../../catalog/index.ts';
import { makeBatch, toArrowSchema, type Schema } from '../../common/index.ts';
import { batchBytes, type CacheObjectStore, type CacheObjectWriter } from '../../physical/index.ts';
import type { ExecutorId } from '../task.ts';

/** What a task says of a cache its executor may need. */
export interface CacheRef {
  readonly cacheId: string;
  readonly schema: Schema;
  /** The objects the filling query's tasks wrote: one per partition of its result. */
  readonly objects: number;
  /** The partitions of the cache their batches are dealt over. */
  readonly partitions: number;
}

/** What a task says of a broadcast map output it reads from the object store. */
export interface BroadcastRef {
  readonly stageId: number;
  readonly map: number;
  /** The executor that ran the map task (it serves the output over Flight too). */
  readonly executorId: ExecutorId;
  readonly object: string;
}

/** The object holding partition `partition` of the query that filled cache `cacheId`. */
export function cacheObjectName(cacheId: string, partition: number): string {
  return `cache-${cacheId.replace(/[^A-Za-z0-9_-]/g, '_')}-${partition}`;
}

/**
 * The prefix of the names of the broadcast objects of a driver's query, or of one stage of it:
 * `broadcast/<driver>/<query>/<stage>/`, each id URI-escaped so that no prefix is another's.
 */
export function broadcastObjectPrefix(driver: string, queryId: string, stageId?: number): string {
  const query = `broadcast/${encodeURIComponent(driver)}/${encodeURIComponent(queryId)}/`;
  return stageId === undefined ? query : `${query}${stageId}/`;
}

/** The object a broadcast map task's attempt puts its output in. */
export function broadcastObjectName(
  driver: string,
  queryId: string,
  stageId: number,
  map: number,
  attempt: number,
): string {
  return `${broadcastObjectPrefix(driver, queryId, stageId)}${map}/${attempt}`;
}

/** Batches as one Arrow IPC stream (the schema alone when there are none). */
export function encodeBatches(schema: Schema, batches: readonly arrow.RecordBatch[]): Uint8Array {
  const writer = new arrow.RecordBatchStreamWriter();
  if (batches.length === 0) {
    writer.reset(undefined, toArrowSchema(schema));
  }
  for (const b of batches) writer.write(b);
  writer.finish();
  return writer.toUint8Array(true);
}

/** The batches with rows of an Arrow IPC stream, as batches of `schema`. */
export function decodeBatches(schema: Schema, bytes: Uint8Array): arrow.RecordBatch[] {
  const out: arrow.RecordBatch[] = [];
  for (const b of arrow.RecordBatchReader.from(bytes)) {
    if (b.numRows > 0) out.push(makeBatch(schema, b.data.children, b.numRows));
  }
  return out;
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
  const batches = objects.flatMap((bytes) => decodeBatches(ref.schema, bytes));
  return { schema: ref.schema, partitions: dealCachedBatches(batches, ref.partitions) };
}
