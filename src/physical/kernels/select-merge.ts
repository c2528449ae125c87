/**
 * Builds one column by picking, for each row, the value of one of several candidate columns
 * (`choice[i]` = candidate index, -1 = NULL). Used by CASE and the lazily evaluated conditional
 * functions: one typed-array loop per physical layout (nested types value by value).
 */
import type * as arrow from 'apache-arrow';
import {
  MAX_DECIMAL64_PRECISION,
  columnFromValues,
  makeColumn,
  makeStringColumn,
  nullColumn,
  unpackBits,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue } from '../../functions/index.ts';
import { allocNumber, toArray, validityBytes } from '../../functions/index.ts';

export function selectMerge(
  choice: Int32Array,
  candidates: readonly ColumnarValue[],
  type: DataType,
  n: number,
): arrow.Data {
  if (type.kind === 'null') return nullColumn(type, n);
  const cols = candidates.map((c) => toArray(c, n));
  const valids = cols.map((c) => validityBytes(c));
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const k = choice[i]!;
    if (k < 0) continue;
    const v = valids[k]!;
    valid[i] = v === null ? 1 : v[i]!;
  }
  switch (type.kind) {
    case 'boolean': {
      const bits = cols.map((c) => unpackBits(c));
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        if (k >= 0) out[i] = bits[k]![i]!;
      }
      return makeColumn(type, out, n, valid);
    }
    case 'string':
    case 'binary': {
      let total = 0;
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        if (k < 0 || valid[i] === 0) continue;
        const c = cols[k]!;
        const o = c.valueOffsets as Int32Array;
        total += o[c.offset + i + 1]! - o[c.offset + i]!;
      }
      const bytes = new Uint8Array(total);
      const offsets = new Int32Array(n + 1);
      let pos = 0;
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        if (k >= 0 && valid[i] === 1) {
          const c = cols[k]!;
          const o = c.valueOffsets as Int32Array;
          const s = o[c.offset + i]!;
          const e = o[c.offset + i + 1]!;
          bytes.set((c.values as Uint8Array).subarray(s, e), pos);
          pos += e - s;
        }
        offsets[i + 1] = pos;
      }
      return makeStringColumn(offsets, bytes, n, valid, type);
    }
    case 'decimal':
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time': {
      const width = type.kind === 'decimal' && type.precision > MAX_DECIMAL64_PRECISION ? 2 : 1;
      const srcs = cols.map((c) => {
        const w = c.values as Uint32Array | BigInt64Array;
        return new BigInt64Array(w.buffer, w.byteOffset + c.offset * 8 * width, c.length * width);
      });
      const out = new BigInt64Array(n * width);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        if (k < 0) continue;
        const src = srcs[k]!;
        out[i * width] = src[i * width]!;
        if (width === 2) out[i * 2 + 1] = src[i * 2 + 1]!;
      }
      return makeColumn(type, out, n, valid);
    }
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'float':
    case 'double':
    case 'date':
    case 'interval_year_month': {
      const srcs = cols.map((c) => (c.values as Int32Array).subarray(c.offset, c.offset + c.length));
      const out = allocNumber(type, n);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        if (k >= 0) out[i] = srcs[k]![i]!;
      }
      return makeColumn(type, out, n, valid);
    }
    default: {
      // Nested types (array, map, struct): value by value.
      const values: Value[] = new Array<Value>(n).fill(null);
      for (let i = 0; i < n; i++) {
        const k = choice[i]!;
        if (k >= 0 && valid[i] === 1) values[i] = valueAt(cols[k]!, type, i);
      }
      return columnFromValues(type, values);
    }
  }
}
