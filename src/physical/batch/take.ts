/**
 * `take`: gathers rows of a column by index into a new column (offset 0). Index -1 yields NULL,
 * which outer joins use for the side without a match. Array and map columns go through
 * `takeList`/`takeMap`, structs through `takeStruct`.
 */
import type * as arrow from 'apache-arrow';
import { nullColumn, type DataType } from '../../common/index.ts';
import { allocNumeric, bytesColumn, numericColumn, wordsColumn } from './build-column.ts';
import { ColumnView } from './column-view.ts';
import { takeList, takeMap, takeStruct } from './list-column.ts';

/** Every row `indices` names (the `take` a scan filter's `ScanRowFilter.take` is). */
export function takeRows(column: arrow.Data, type: DataType, indices: Int32Array): arrow.Data {
  return take(column, type, indices, indices.length);
}

export function take(column: arrow.Data, type: DataType, indices: Int32Array, count: number): arrow.Data {
  if (type.kind === 'array') return takeList(column, type, indices, count, take);
  if (type.kind === 'struct') return takeStruct(column, type, indices, count, take);
  if (type.kind === 'map') return takeMap(column, type, indices, count, take);
  return takeView(new ColumnView(column, type), type, indices, count);
}

/** `take` over an already built view (callers that take from one column many times). */
export function takeView(view: ColumnView, type: DataType, indices: Int32Array, count: number): arrow.Data {
  if (view.layout === 'null' || view.allNull) return nullColumn(type, count);
  let valid: Uint8Array | null = null;
  const validity = view.validity;
  let anyNull = false;
  for (let k = 0; k < count; k++) {
    if (indices[k]! < 0) {
      anyNull = true;
      break;
    }
  }
  if (validity !== null || anyNull) {
    valid = new Uint8Array(count);
    const off = view.bitOffset;
    for (let k = 0; k < count; k++) {
      const i = indices[k]!;
      if (i < 0) continue;
      if (validity === null) valid[k] = 1;
      else {
        const j = off + i;
        valid[k] = (validity[j >> 3]! >> (j & 7)) & 1;
      }
    }
  }
  switch (view.layout) {
    case 'bool': {
      const out = new Uint8Array(count);
      const bits = view.bits;
      const off = view.bitOffset;
      for (let k = 0; k < count; k++) {
        const i = indices[k]!;
        if (i < 0) continue;
        const j = off + i;
        out[k] = (bits[j >> 3]! >> (j & 7)) & 1;
      }
      return numericColumn(type, out, count, valid);
    }
    case 'int': {
      const src = view.ints;
      const out = allocNumeric(type, count) as Int32Array;
      for (let k = 0; k < count; k++) {
        const i = indices[k]!;
        if (i >= 0) out[k] = src[i]!;
      }
      return numericColumn(type, out, count, valid);
    }
    case 'float': {
      const src = view.floats;
      const out = allocNumeric(type, count) as Float64Array;
      for (let k = 0; k < count; k++) {
        const i = indices[k]!;
        if (i >= 0) out[k] = src[i]!;
      }
      return numericColumn(type, out, count, valid);
    }
    case 'words': {
      const src = view.words;
      const stride = view.stride;
      const out = new Int32Array(count * stride);
      if (stride === 2) {
        for (let k = 0; k < count; k++) {
          const i = indices[k]!;
          if (i < 0) continue;
          out[2 * k] = src[2 * i]!;
          out[2 * k + 1] = src[2 * i + 1]!;
        }
      } else {
        for (let k = 0; k < count; k++) {
          const i = indices[k]!;
          if (i < 0) continue;
          for (let w = 0; w < stride; w++) out[k * stride + w] = src[i * stride + w]!;
        }
      }
      return wordsColumn(type, out, count, valid);
    }
    case 'bytes': {
      const srcOffsets = view.offsets;
      const srcBytes = view.bytes;
      const offsets = new Int32Array(count + 1);
      let total = 0;
      for (let k = 0; k < count; k++) {
        const i = indices[k]!;
        if (i >= 0) total += srcOffsets[i + 1]! - srcOffsets[i]!;
        offsets[k + 1] = total;
      }
      const bytes = new Uint8Array(total);
      for (let k = 0; k < count; k++) {
        const i = indices[k]!;
        if (i < 0) continue;
        const s = srcOffsets[i]!;
        const e = srcOffsets[i + 1]!;
        if (e - s < 16) {
          let p = offsets[k]!;
          for (let b = s; b < e; b++) bytes[p++] = srcBytes[b]!;
        } else bytes.set(srcBytes.subarray(s, e), offsets[k]);
      }
      return bytesColumn(type, offsets, bytes, count, valid);
    }
  }
}
