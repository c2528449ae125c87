/**
 * Key equality between a row of one set of key columns and a row of another (a probe batch and a
 * hash table's build batch), for every type: strings and binaries by bytes, doubles with
 * -0.0 = 0.0 and NaN = NaN (Spark's grouping semantics). Two NULLs are equal here: GROUP BY puts
 * NULLs in one group, and null-safe join keys (`<=>`) match NULL to NULL; plain join keys drop rows
 * with a NULL key before comparing (see `rowsWithNullKey`).
 */
import type { ColumnView } from './column-view.ts';

/** True when column `a` at row `i` equals column `b` (same type) at row `j`. */
export function valuesEqual(a: ColumnView, i: number, b: ColumnView, j: number): boolean {
  const an = a.isNull(i);
  const bn = b.isNull(j);
  if (an || bn) return an && bn;
  switch (a.layout) {
    case 'null':
      return true;
    case 'bool':
      return a.bit(i) === b.bit(j);
    case 'int':
      return a.ints[i] === b.ints[j];
    case 'float': {
      const x = a.floats[i]!;
      const y = b.floats[j]!;
      return x === y || (x !== x && y !== y);
    }
    case 'words': {
      const s = a.stride;
      const aw = a.words;
      const bw = b.words;
      for (let k = 0; k < s; k++) if (aw[i * s + k] !== bw[j * s + k]) return false;
      return true;
    }
    case 'bytes': {
      const as = a.offsets[i]!;
      const ae = a.offsets[i + 1]!;
      const bs = b.offsets[j]!;
      if (ae - as !== b.offsets[j + 1]! - bs) return false;
      const ab = a.bytes;
      const bb = b.bytes;
      for (let k = 0; k < ae - as; k++) if (ab[as + k] !== bb[bs + k]) return false;
      return true;
    }
  }
}

/** True when every key column is equal at rows `i` (of `a`) and `j` (of `b`). */
export function rowsEqual(a: readonly ColumnView[], i: number, b: readonly ColumnView[], j: number): boolean {
  for (let c = 0; c < a.length; c++) if (!valuesEqual(a[c]!, i, b[c]!, j)) return false;
  return true;
}

/**
 * One byte per row: 1 when some key column that is not null-safe is NULL (such a row never
 * matches in a join). `nullSafe[c]` marks `<=>` keys. Returns null when no row has one.
 */
export function rowsWithNullKey(
  views: readonly ColumnView[],
  nullSafe: readonly boolean[],
  n: number,
): Uint8Array | null {
  let out: Uint8Array | null = null;
  for (let c = 0; c < views.length; c++) {
    const v = views[c]!;
    if (nullSafe[c] === true || (v.validity === null && !v.allNull)) continue;
    out ??= new Uint8Array(n);
    for (let i = 0; i < n; i++) if (v.isNull(i)) out[i] = 1;
  }
  return out;
}
