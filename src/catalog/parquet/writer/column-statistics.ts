/**
 * Exact min/max of a column chunk's dense values, PLAIN-encoded as Parquet statistics want them
 * (little-endian numbers, raw bytes for byte arrays, big-endian bytes for FIXED_LEN_BYTE_ARRAY
 * decimals). Integers and decimals compare signed, byte arrays as unsigned bytes. Floats skip NaN;
 * a zero minimum is written as -0.0 and a zero maximum as +0.0, as the format asks.
 */
import type { DenseValues } from './column-data.ts';

/** Byte-array statistics above this size (min + max) are left out, as parquet-mr does. */
export const MAX_STATISTICS_BYTES = 4096;

export interface MinMax {
  readonly minValue: Uint8Array;
  readonly maxValue: Uint8Array;
}

/** Unsigned lexicographic comparison of two byte ranges. */
export function compareBytes(
  a: Uint8Array,
  as: number,
  ae: number,
  b: Uint8Array,
  bs: number,
  be: number,
): number {
  const la = ae - as;
  const lb = be - bs;
  const n = la < lb ? la : lb;
  for (let i = 0; i < n; i++) {
    const d = a[as + i]! - b[bs + i]!;
    if (d !== 0) return d;
  }
  return la - lb;
}

/** Min and max of dense values, or undefined when there are none (all NULL, all NaN, too long). */
export function minMaxOf(dense: DenseValues, flbaWidth: number): MinMax | undefined {
  switch (dense.kind) {
    case 'int32': {
      const v = dense.values;
      if (v.length === 0) return undefined;
      let min = v[0]!;
      let max = min;
      for (let i = 1; i < v.length; i++) {
        const x = v[i]!;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      return { minValue: int32Bytes(min), maxValue: int32Bytes(max) };
    }
    case 'int64': {
      const w = dense.words;
      const n = w.length >> 1;
      if (n === 0) return undefined;
      let minLo = w[0]! >>> 0;
      let minHi = w[1]!;
      let maxLo = minLo;
      let maxHi = minHi;
      for (let i = 1; i < n; i++) {
        const lo = w[2 * i]! >>> 0;
        const hi = w[2 * i + 1]!;
        if (hi < minHi || (hi === minHi && lo < minLo)) {
          minHi = hi;
          minLo = lo;
        }
        if (hi > maxHi || (hi === maxHi && lo > maxLo)) {
          maxHi = hi;
          maxLo = lo;
        }
      }
      return { minValue: int64Bytes(minLo, minHi), maxValue: int64Bytes(maxLo, maxHi) };
    }
    case 'float':
    case 'double': {
      const v = dense.values;
      let min = Infinity;
      let max = -Infinity;
      let seen = false;
      for (let i = 0; i < v.length; i++) {
        const x = v[i]!;
        if (x !== x) continue; // NaN
        seen = true;
        if (x < min) min = x;
        if (x > max) max = x;
      }
      if (!seen) return undefined;
      if (min === 0) min = -0;
      if (max === 0) max = 0;
      const width = dense.kind === 'float' ? 4 : 8;
      const minValue = new Uint8Array(width);
      const maxValue = new Uint8Array(width);
      const dv = (b: Uint8Array): DataView => new DataView(b.buffer);
      if (width === 4) {
        dv(minValue).setFloat32(0, min, true);
        dv(maxValue).setFloat32(0, max, true);
      } else {
        dv(minValue).setFloat64(0, min, true);
        dv(maxValue).setFloat64(0, max, true);
      }
      return { minValue, maxValue };
    }
    case 'decimal128': {
      const w = dense.words;
      const n = w.length >> 2;
      if (n === 0) return undefined;
      let minAt = 0;
      let maxAt = 0;
      for (let i = 1; i < n; i++) {
        if (compareInt128(w, i, minAt) < 0) minAt = i;
        if (compareInt128(w, i, maxAt) > 0) maxAt = i;
      }
      return {
        minValue: int128BigEndian(w, minAt, flbaWidth),
        maxValue: int128BigEndian(w, maxAt, flbaWidth),
      };
    }
    case 'boolean': {
      const v = dense.values;
      if (v.length === 0) return undefined;
      let anyTrue = 0;
      let allTrue = 1;
      for (let i = 0; i < v.length; i++) {
        anyTrue |= v[i]!;
        allTrue &= v[i]!;
      }
      return { minValue: Uint8Array.of(allTrue), maxValue: Uint8Array.of(anyTrue) };
    }
    case 'bytes': {
      const { bytes, offsets } = dense;
      const n = offsets.length - 1;
      if (n <= 0) return undefined;
      let minS = offsets[0]!;
      let minE = offsets[1]!;
      let maxS = minS;
      let maxE = minE;
      for (let i = 1; i < n; i++) {
        const s = offsets[i]!;
        const e = offsets[i + 1]!;
        if (compareBytes(bytes, s, e, bytes, minS, minE) < 0) {
          minS = s;
          minE = e;
        } else if (compareBytes(bytes, s, e, bytes, maxS, maxE) > 0) {
          maxS = s;
          maxE = e;
        }
      }
      return bytesMinMax(bytes, minS, minE, bytes, maxS, maxE);
    }
  }
}

export function bytesMinMax(
  minSrc: Uint8Array,
  minS: number,
  minE: number,
  maxSrc: Uint8Array,
  maxS: number,
  maxE: number,
): MinMax | undefined {
  if (minE - minS + (maxE - maxS) > MAX_STATISTICS_BYTES) return undefined;
  return { minValue: minSrc.slice(minS, minE), maxValue: maxSrc.slice(maxS, maxE) };
}

function int32Bytes(x: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setInt32(0, x, true);
  return b;
}

function int64Bytes(lo: number, hi: number): Uint8Array {
  const b = new Uint8Array(8);
  const dv = new DataView(b.buffer);
  dv.setUint32(0, lo, true);
  dv.setInt32(4, hi, true);
  return b;
}

/** Signed comparison of 128-bit values `i` and `j` held as four little-endian words each. */
function compareInt128(w: Uint32Array, i: number, j: number): number {
  const hi = (w[4 * i + 3]! | 0) - (w[4 * j + 3]! | 0);
  if (hi !== 0) return hi;
  for (let k = 2; k >= 0; k--) {
    const d = w[4 * i + k]! - w[4 * j + k]!;
    if (d !== 0) return d;
  }
  return 0;
}

/** The low `width` bytes of value `i`, big-endian (Parquet's FIXED_LEN_BYTE_ARRAY decimal). */
export function int128BigEndian(w: Uint32Array, i: number, width: number): Uint8Array {
  const src = new Uint8Array(w.buffer, w.byteOffset + 16 * i, 16);
  const out = new Uint8Array(width);
  for (let k = 0; k < width; k++) out[k] = src[width - 1 - k]!;
  return out;
}
