/**
 * What executor processes get from the control plane's object store, as Arrow IPC streams:
 *
 *   cached tables (`CACHE TABLE`)   the driver puts each partition of a cache once; an executor
 *                                   gets the ones a task may read before it runs the task (a task
 *                                   names the caches of its query's engine), keeps them where the
 *                                   cached scans of its tasks look (catalog's cached data), and
 *                                   drops them when the driver says so
 *   broadcast map outputs           a broadcast's map task puts its output once, under the name
 *                                   the driver gave it; an executor whose task reads it gets it
 *                                   once per query and keeps it until the query or its stage is
 *                                   released; the driver deletes the objects then
 */
import * as arrow from 'apache-arrow';
import { makeBatch, toArrowSchema, type Schema } from '../../common/index.ts';
import type { ExecutorId } from '../task.ts';

/** What a task says of a cache its executor may need. */
export interface CacheRef {
  readonly cacheId: string;
  readonly schema: Schema;
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

/** The object holding partition `partition` of cache `cacheId`. */
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

export function encodeBatches(schema: Schema, batches: readonly arrow.RecordBatch[]): Uint8Array {
  const writer = new arrow.RecordBatchStreamWriter();
  if (batches.length === 0) {
    writer.reset(undefined, toArrowSchema(schema));
  }
  for (const b of batches) writer.write(b);
  writer.finish();
  return writer.toUint8Array(true);
}

export function decodeBatches(schema: Schema, bytes: Uint8Array): arrow.RecordBatch[] {
  const out: arrow.RecordBatch[] = [];
  for (const b of arrow.RecordBatchReader.from(bytes)) {
    if (b.numRows > 0) out.push(makeBatch(schema, b.data.children, b.numRows));
  }
  return out;
}
