/** One chunk of generation work and its encoding: the `.tbl` text of a unit range as bytes. */

import { scaleOf, type TableName } from './scale.ts';
import { tableRows } from './table-rows.ts';

export interface ChunkRequest {
  readonly id: number;
  readonly table: TableName;
  readonly sf: number;
  readonly start: number;
  readonly end: number;
}

export interface ChunkReply {
  readonly id: number;
  readonly bytes?: Uint8Array;
  readonly error?: string;
}

/** Generates a chunk into its own buffer (safe to transfer to another thread). */
export function generateChunk(request: ChunkRequest): Uint8Array {
  return tableRows(request.table, scaleOf(request.sf), request.start, request.end);
}
