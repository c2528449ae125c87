/**
 * Sorting support: a row comparator over several key columns (ASC/DESC, NULLS FIRST/LAST) and a
 * stable sort of row indices by it. Order per type: numbers numerically with NaN above every
 * other value and -0.0 = 0.0 (Spark), 64/128-bit integers by their words, strings and binaries by
 * unsigned bytes (UTF-8 byte order is code-point order), false < true.
 */
import type * as arrow from 'apache-arrow';
import type { DataType } from '../../common/index.ts';
import { ColumnView } from './column-view.ts';

export interface SortColumn {
  readonly column: arrow.Data;
  readonly type: DataType;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

/** Compares value `i` of `a` with value `j` of `b` (both non-null, same type): <0, 0, >0. */
export function compareValues(a: ColumnView, i: number, b: ColumnView, j: number): number {
  switch (a.layout) {
    case 'null':
      return 0;
    case 'bool':
      return a.bit(i) - b.bit(j);
    case 'int':
      return a.ints[i]! - b.ints[j]!;
    case 'float': {
      const x = a.floats[i]!;
      const y = b.floats[j]!;
      if (x < y) return -1;
      if (x > y) return 1;
      if (x === y) return 0;
      const xn = x !== x;
      const yn = y !== y;
      return xn === yn ? 0 : xn ? 1 : -1;
    }
    case 'words': {
      const s = a.stride;
      const aw = a.words;
      const bw = b.words;
      // Most significant word is signed, the others unsigned.
      const hi = aw[i * s + s - 1]! - bw[j * s + s - 1]!;
      if (hi !== 0) return hi;
      for (let k = s - 2; k >= 0; k--) {
        const x = aw[i * s + k]! >>> 0;
        const y = bw[j * s + k]! >>> 0;
        if (x !== y) return x < y ? -1 : 1;
      }
      return 0;
    }
    case 'bytes': {
      const ao = a.offsets;
      const bo = b.offsets;
      const as = ao[i]!;
      const al = ao[i + 1]! - as;
      const bs = bo[j]!;
      const bl = bo[j + 1]! - bs;
      const ab = a.bytes;
      const bb = b.bytes;
      const m = al < bl ? al : bl;
      for (let k = 0; k < m; k++) {
        const d = ab[as + k]! - bb[bs + k]!;
        if (d !== 0) return d;
      }
      return al - bl;
    }
  }
}

interface PreparedKey {
  readonly view: ColumnView;
  readonly sign: number;
  /** Result when the left value is NULL and the right is not. */
  readonly nullOrder: number;
  readonly hasNulls: boolean;
}

function prepare(keys: readonly SortColumn[]): PreparedKey[] {
  return keys.map((k) => {
    const view = new ColumnView(k.column, k.type);
    return {
      view,
      sign: k.ascending ? 1 : -1,
      nullOrder: k.nullsFirst ? -1 : 1,
      hasNulls: view.validity !== null || view.allNull,
    };
  });
}

/** A comparator of rows `i` and `j` of the same key columns. */
export function rowComparator(keys: readonly SortColumn[]): (i: number, j: number) => number {
  const prepared = prepare(keys);
  return (i, j) => {
    for (let k = 0; k < prepared.length; k++) {
      const p = prepared[k]!;
      if (p.hasNulls) {
        const an = p.view.isNull(i);
        const bn = p.view.isNull(j);
        if (an || bn) {
          if (an && bn) continue;
          return an ? p.nullOrder : -p.nullOrder;
        }
      }
      const c = compareValues(p.view, i, p.view, j);
      if (c !== 0) return c * p.sign;
    }
    return 0;
  };
}

/** The row indices `0..n-1` ordered by `keys`; stable (equal keys keep their input order). */
export function sortIndices(keys: readonly SortColumn[], n: number): Int32Array {
  const idx = new Int32Array(n);
  for (let i = 0; i < n; i++) idx[i] = i;
  if (keys.length === 0 || n < 2) return idx;
  const first = keys[0]!;
  if (keys.length === 1 && first.column.nullCount === 0) {
    const view = new ColumnView(first.column, first.type);
    if (view.layout === 'int') {
      const v = view.ints;
      if (first.ascending) idx.sort((a, b) => v[a]! - v[b]! || a - b);
      else idx.sort((a, b) => v[b]! - v[a]! || a - b);
      return idx;
    }
  }
  const cmp = rowComparator(keys);
  idx.sort((a, b) => cmp(a, b) || a - b);
  return idx;
}

/** Sort keys of one batch, prepared for comparing its rows with another batch's (`compareAcross`). */
export type PreparedSortKeys = readonly PreparedKey[];

export function prepareSortKeys(keys: readonly SortColumn[]): PreparedSortKeys {
  return prepare(keys);
}

/** Compares row `i` of one batch's keys with row `j` of another's (same key types and directions). */
export function compareAcross(a: PreparedSortKeys, i: number, b: PreparedSortKeys, j: number): number {
  for (let k = 0; k < a.length; k++) {
    const p = a[k]!;
    const q = b[k]!;
    if (p.hasNulls || q.hasNulls) {
      const an = p.view.isNull(i);
      const bn = q.view.isNull(j);
      if (an || bn) {
        if (an && bn) continue;
        return an ? p.nullOrder : -p.nullOrder;
      }
    }
    const c = compareValues(p.view, i, q.view, j);
    if (c !== 0) return c * p.sign;
  }
  return 0;
}
