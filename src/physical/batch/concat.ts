/**
 * Concatenating columns of one type (or batches of one schema) into a single offset-0 column.
 */
import type * as arrow from 'apache-arrow';
import { makeBatch, nullColumn, type DataType, type Schema } from '../../common/index.ts';
import { allocNumeric, bytesColumn, numericColumn, wordsColumn } from './build-column.ts';
import { ColumnView, layoutOf } from './column-view.ts';
import { concatLists, concatMaps, concatStructs } from './list-column.ts';
import { take } from './take.ts';

export function concatColumns(columns: readonly arrow.Data[], type: DataType): arrow.Data {
  if (type.kind === 'array') return concatLists(columns, type, take, concatColumns);
  if (type.kind === 'struct') return concatStructs(columns, type, concatColumns);
  if (type.kind === 'map') return concatMaps(columns, type, take, concatColumns);
  let n = 0;
  let anyNull = false;
  for (const c of columns) {
    n += c.length;
    if (c.nullCount > 0) anyNull = true;
  }
  const { layout, stride } = layoutOf(type);
  if (layout === 'null') return nullColumn(type, n);
  const views = columns.map((c) => new ColumnView(c, type));
  let valid: Uint8Array | null = null;
  if (anyNull) {
    valid = new Uint8Array(n);
    let base = 0;
    for (const v of views) {
      for (let i = 0; i < v.length; i++) valid[base + i] = v.isNull(i) ? 0 : 1;
      base += v.length;
    }
  }
  switch (layout) {
    case 'bool': {
      const out = new Uint8Array(n);
      let base = 0;
      for (const v of views) {
        for (let i = 0; i < v.length; i++) out[base + i] = v.bit(i);
        base += v.length;
      }
      return numericColumn(type, out, n, valid);
    }
    case 'int':
    case 'float': {
      const out = allocNumeric(type, n);
      let base = 0;
      for (const v of views) {
        const src = layout === 'int' ? v.ints : v.floats;
        (out as Float64Array).set(src.subarray(0, v.length), base);
        base += v.length;
      }
      return numericColumn(type, out, n, valid);
    }
    case 'words': {
      const out = new Int32Array(n * stride);
      let base = 0;
      for (const v of views) {
        out.set(v.words.subarray(0, v.length * stride), base * stride);
        base += v.length;
      }
      return wordsColumn(type, out, n, valid);
    }
    case 'bytes': {
      let total = 0;
      for (const v of views) total += v.offsets[v.length]! - v.offsets[0]!;
      const offsets = new Int32Array(n + 1);
      const bytes = new Uint8Array(total);
      let base = 0;
      let pos = 0;
      for (const v of views) {
        const o = v.offsets;
        const start = o[0]!;
        bytes.set(v.bytes.subarray(start, o[v.length]), pos);
        const shift = pos - start;
        for (let i = 0; i < v.length; i++) offsets[base + i + 1] = o[i + 1]! + shift;
        pos += o[v.length]! - start;
        base += v.length;
      }
      return bytesColumn(type, offsets, bytes, n, valid);
    }
  }
}

/** One batch holding the rows of `batches` in order (an empty batch when there are none). */
export function concatBatches(batches: readonly arrow.RecordBatch[], schema: Schema): arrow.RecordBatch {
  let n = 0;
  for (const b of batches) n += b.numRows;
  const cols: arrow.Data[] = [];
  for (let c = 0; c < schema.fields.length; c++) {
    const type = schema.fields[c]!.type;
    cols.push(
      concatColumns(
        batches.map((b) => b.data.children[c]!),
        type,
      ),
    );
  }
  return makeBatch(schema, cols, n);
}
