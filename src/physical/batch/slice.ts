/**
 * Slicing a column or batch to rows `[start, end)` as new offset-0 columns (copies, so that every
 * column this engine emits keeps `offset === 0`).
 */
import type * as arrow from 'apache-arrow';
import { makeBatchWithArrowSchema, type DataType } from '../../common/index.ts';
import { rangeSelection } from './selection.ts';
import { take } from './take.ts';

export function sliceColumn(column: arrow.Data, type: DataType, start: number, end: number): arrow.Data {
  const count = Math.max(0, end - start);
  return take(column, type, rangeSelection(start, count), count);
}

export function sliceBatch(
  batch: arrow.RecordBatch,
  types: readonly DataType[],
  start: number,
  end: number,
): arrow.RecordBatch {
  const s = Math.max(0, Math.min(start, batch.numRows));
  const e = Math.max(s, Math.min(end, batch.numRows));
  if (s === 0 && e === batch.numRows) return batch;
  const indices = rangeSelection(s, e - s);
  const cols = batch.data.children;
  const out: arrow.Data[] = [];
  for (let c = 0; c < cols.length; c++) out.push(take(cols[c]!, types[c]!, indices, e - s));
  return makeBatchWithArrowSchema(batch.schema, out, e - s);
}
