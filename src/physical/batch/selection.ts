/**
 * Selection vectors from boolean columns: the row indices (or one byte per row) where a predicate
 * is TRUE. NULL counts as FALSE, as in WHERE, HAVING, ON and aggregate FILTER clauses.
 */
import * as arrow from 'apache-arrow';

/** One byte per row: 1 where `data` is TRUE (valid and set), else 0. */
export function maskFromBoolean(data: arrow.Data): Uint8Array {
  const n = data.length;
  const out = new Uint8Array(n);
  if (arrow.DataType.isNull(data.type)) return out;
  const bits = data.values as Uint8Array;
  const validity = data.nullCount > 0 ? data.nullBitmap : undefined;
  const off = data.offset;
  if (validity === undefined || validity.length === 0) {
    for (let i = 0; i < n; i++) {
      const j = off + i;
      out[i] = (bits[j >> 3]! >> (j & 7)) & 1;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const j = off + i;
      out[i] = (bits[j >> 3]! >> (j & 7)) & (validity[j >> 3]! >> (j & 7)) & 1;
    }
  }
  return out;
}

/** One byte per row: 1 where `data` is NULL. */
export function nullMaskOf(data: arrow.Data): Uint8Array {
  const n = data.length;
  const out = new Uint8Array(n);
  if (arrow.DataType.isNull(data.type)) return out.fill(1);
  const validity = data.nullCount > 0 ? data.nullBitmap : undefined;
  if (validity === undefined || validity.length === 0) return out;
  const off = data.offset;
  for (let i = 0; i < n; i++) {
    const j = off + i;
    out[i] = 1 - ((validity[j >> 3]! >> (j & 7)) & 1);
  }
  return out;
}

/** The indices of the rows where `data` (a boolean column) is TRUE, ascending. */
export function selectionFromMask(data: arrow.Data): Int32Array {
  return selectionFromBytes(maskFromBoolean(data), data.length);
}

/** The indices where `mask` (one byte per row) is non-zero, ascending. */
export function selectionFromBytes(mask: Uint8Array, n: number): Int32Array {
  let count = 0;
  for (let i = 0; i < n; i++) if (mask[i] !== 0) count++;
  const out = new Int32Array(count);
  let k = 0;
  for (let i = 0; i < n; i++) if (mask[i] !== 0) out[k++] = i;
  return out;
}

/** `[start, start + count)` as an index vector. */
export function rangeSelection(start: number, count: number): Int32Array {
  const out = new Int32Array(count);
  for (let k = 0; k < count; k++) out[k] = start + k;
  return out;
}
