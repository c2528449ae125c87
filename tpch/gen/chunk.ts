/**
 * One job of generation work, run in a worker thread (or inline): the units [start, end) of one
 * table — or of orders and lineitem together, which share their units — generated as columns and
 * encoded as `.tbl` text or as one Parquet row group per table.
 */

import { toRecordBatch } from './arrow-batch.ts';
import { loadParquet, type Compression, type RowGroup } from './parquet-api.ts';
import { scaleOf, type TableName } from './scale.ts';
import { generateUnits } from './table-rows.ts';
import { arrowSchema, tableSchema } from './table-schema.ts';
import { formatTbl } from './tbl-format.ts';

export type OutputFormat = 'tbl' | 'parquet';

export interface ChunkJob {
  readonly tables: readonly TableName[];
  readonly sf: number;
  readonly start: number;
  readonly end: number;
  readonly format: OutputFormat;
  readonly compression?: Compression;
}

export interface ChunkRequest extends ChunkJob {
  readonly id: number;
}

/** One table's share of a chunk: `.tbl` bytes or an encoded row group. */
export interface ChunkOutput {
  readonly table: TableName;
  readonly rows: number;
  readonly bytes?: Uint8Array;
  readonly rowGroup?: RowGroup;
}

export interface ChunkReply {
  readonly id: number;
  readonly outputs?: readonly ChunkOutput[];
  readonly error?: string;
}

/** Generates and encodes a chunk; every buffer of the result is its own (safe to transfer). */
export async function runChunk(job: ChunkJob): Promise<ChunkOutput[]> {
  const chunks = generateUnits(job.tables, scaleOf(job.sf), job.start, job.end);
  const outputs: ChunkOutput[] = [];
  const parquet = job.format === 'parquet' ? await loadParquet() : undefined;
  for (const [table, chunk] of chunks) {
    if (parquet === undefined) {
      outputs.push({ table, rows: chunk.rows, bytes: formatTbl(chunk) });
    } else {
      const batch = toRecordBatch(arrowSchema(table), chunk);
      const options = job.compression === undefined ? {} : { compression: job.compression };
      const rowGroup = parquet.encodeRowGroup(tableSchema(table), [batch], options);
      outputs.push({ table, rows: chunk.rows, rowGroup });
    }
  }
  return outputs;
}

/** The buffers to transfer with a reply. */
export function transferables(outputs: readonly ChunkOutput[]): ArrayBuffer[] {
  const list: ArrayBuffer[] = [];
  for (const o of outputs) {
    const bytes = o.bytes ?? o.rowGroup?.bytes;
    if (bytes !== undefined && !list.includes(bytes.buffer as ArrayBuffer))
      list.push(bytes.buffer as ArrayBuffer);
  }
  return list;
}
