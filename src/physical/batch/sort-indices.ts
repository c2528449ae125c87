/**
 * Sorting support: a row comparator over several key columns (ASC/DESC, NULLS FIRST/LAST) and a
 * stable sort of row indices by it. Order per type: numbers numerically with NaN above every
 * other value and -0.0 = 0.0 (Spark), 64/128-bit integers by their words, strings and binaries by
 * unsigned bytes (UTF-8 byte order is code-point order), false < true; arrays and structs as
 * `NestedOrder` says.
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

/**
 * Order of array and struct values (Spark's): arrays element by element, a NULL element below any
 * other, then the shorter first; structs field by field, a NULL field below any other. Maps have
 * no order (the analyzer rejects them as sort keys).
 */
export class NestedOrder {
  private readonly kind: 'leaf' | 'array' | 'struct';
  private readonly view: ColumnView | null;
  private readonly offsets: Int32Array;
  private readonly children: readonly NestedOrder[];
  private readonly validity: Uint8Array | null;
  private readonly bitOffset: number;
  readonly hasNulls: boolean;

  constructor(data: arrow.Data, type: DataType) {
    const bitmap = data.nullBitmap;
    this.validity = bitmap !== undefined && bitmap.length > 0 && data.nullCount !== 0 ? bitmap : null;
    this.bitOffset = data.offset;
    this.offsets = new Int32Array(0);
    this.children = [];
    this.view = null;
    if (type.kind === 'array') {
      this.kind = 'array';
      this.offsets = data.valueOffsets as Int32Array;
      this.children = [new NestedOrder(data.children[0]!, type.element)];
    } else if (type.kind === 'struct') {
      this.kind = 'struct';
      this.children = type.fields.map((f, k) => new NestedOrder(data.children[k]!, f.type));
    } else {
      this.kind = 'leaf';
      this.view = new ColumnView(data, type);
    }
    this.hasNulls =
      this.view === null ? this.validity !== null : this.view.validity !== null || this.view.allNull;
  }

  isNull(i: number): boolean {
    if (this.view !== null) return this.view.isNull(i);
    const v = this.validity;
    if (v === null) return false;
    const j = this.bitOffset + i;
    return ((v[j >> 3]! >> (j & 7)) & 1) === 0;
  }

  /** Compares non-null value `i` with non-null value `j` of `other` (same type). */
  compare(i: number, other: NestedOrder, j: number): number {
    switch (this.kind) {
      case 'leaf':
        return compareValues(this.view!, i, other.view!, j);
      case 'struct': {
        for (let k = 0; k < this.children.length; k++) {
          const c = compareNullsFirst(this.children[k]!, i, other.children[k]!, j);
          if (c !== 0) return c;
        }
        return 0;
      }
      case 'array': {
        const a = this.offsets[i]!;
        const al = this.offsets[i + 1]! - a;
        const b = other.offsets[j]!;
        const bl = other.offsets[j + 1]! - b;
        const child = this.children[0]!;
        const otherChild = other.children[0]!;
        const m = al < bl ? al : bl;
        for (let k = 0; k < m; k++) {
          const c = compareNullsFirst(child, a + k, otherChild, b + k);
          if (c !== 0) return c;
        }
        return al - bl;
      }
    }
  }
}

function compareNullsFirst(a: NestedOrder, i: number, b: NestedOrder, j: number): number {
  const an = a.isNull(i);
  const bn = b.isNull(j);
  if (an || bn) return an && bn ? 0 : an ? -1 : 1;
  return a.compare(i, b, j);
}

function isNestedType(type: DataType): boolean {
  return type.kind === 'array' || type.kind === 'struct' || type.kind === 'map';
}

interface PreparedKey {
  /** The key's values, or for an array or struct key its `nested` order. */
  readonly view: ColumnView | NestedOrder;
  readonly nested: boolean;
  readonly sign: number;
  /** Result when the left value is NULL and the right is not. */
  readonly nullOrder: number;
  readonly hasNulls: boolean;
}

function prepare(keys: readonly SortColumn[]): PreparedKey[] {
  return keys.map((k) => {
    const nested = isNestedType(k.type);
    const view = nested ? new NestedOrder(k.column, k.type) : new ColumnView(k.column, k.type);
    return {
      view,
      nested,
      sign: k.ascending ? 1 : -1,
      nullOrder: k.nullsFirst ? -1 : 1,
      hasNulls: view instanceof NestedOrder ? view.hasNulls : view.validity !== null || view.allNull,
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
      const c = p.nested
        ? (p.view as NestedOrder).compare(i, p.view as NestedOrder, j)
        : compareValues(p.view as ColumnView, i, p.view as ColumnView, j);
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
  if (keys.length === 1 && first.column.nullCount === 0 && !isNestedType(first.type)) {
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
    const c = p.nested
      ? (p.view as NestedOrder).compare(i, q.view as NestedOrder, j)
      : compareValues(p.view as ColumnView, i, q.view as ColumnView, j);
    if (c !== 0) return c * p.sign;
  }
  return 0;
}
