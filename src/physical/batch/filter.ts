/**
 * Filtering columns and batches by a selection: an ascending Int32Array of row indices, or a
 * one-byte-per-row mask (1 = keep).
 */
import type * as arrow from 'apache-arrow';
import { makeBatchWithArrowSchema, type DataType } from '../../common/index.ts';
import { selectionFromBytes } from './selection.ts';
import { take } from './take.ts';

function toIndices(selection: Int32Array | Uint8Array, n: number): Int32Array {
  return selection instanceof Int32Array ? selection : selectionFromBytes(selection, n);
}

export function filterColumn(
  column: arrow.Data,
  type: DataType,
  selection: Int32Array | Uint8Array,
): arrow.Data {
  const indices = toIndices(selection, column.length);
  return take(column, type, indices, indices.length);
}

/** Keeps the selected rows of every column; `types` are the Spark types of the batch's columns. */
export function filterBatch(
  batch: arrow.RecordBatch,
  types: readonly DataType[],
  selection: Int32Array | Uint8Array,
): arrow.RecordBatch {
  const indices = toIndices(selection, batch.numRows);
  const cols = batch.data.children;
  const out: arrow.Data[] = [];
  for (let c = 0; c < cols.length; c++) out.push(take(cols[c]!, types[c]!, indices, indices.length));
  return makeBatchWithArrowSchema(batch.schema, out, indices.length);
}
