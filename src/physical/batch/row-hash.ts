/**
 * Row hashing for hash aggregate and hash join keys: hashes several key columns of a batch into one
 * Uint32 per row. Equal keys (by `key-equality.ts`) hash equally: NULLs hash to a constant, -0.0
 * like 0.0, every NaN alike, strings by their UTF-8 bytes.
 */
import type { ColumnView } from './column-view.ts';

const NULL_HASH = 0x5bd1e995;
const NAN_HASH = 0x7ff80000;
const f64 = new Float64Array(1);
const f64Words = new Int32Array(f64.buffer);

/** murmur3's 32-bit finalizer. */
export function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

/** The hash of one double, equal for 0.0/-0.0 and for every NaN. */
export function hashDouble(v: number): number {
  if (v === 0) return 0;
  if (v !== v) return NAN_HASH;
  f64[0] = v;
  return (Math.imul(f64Words[0]!, 0x27d4eb2f) ^ f64Words[1]!) | 0;
}

/** Hashes bytes `[start, end)`. */
export function hashBytes(bytes: Uint8Array, start: number, end: number): number {
  let h = 0x811c9dc5 ^ (end - start);
  let i = start;
  for (; i + 4 <= end; i += 4) {
    const w = bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24);
    h = Math.imul(h ^ Math.imul(w, 0xcc9e2d51), 0x1b873593);
    h = (h << 13) | (h >>> 19);
  }
  for (; i < end; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
  return h | 0;
}

let scratch = new Int32Array(1024);

/** Hashes rows `0..n-1` of the key columns into `out` (length ≥ n); `out` is overwritten. */
export function hashRows(views: readonly ColumnView[], n: number, out: Uint32Array): Uint32Array {
  out.fill(0, 0, n);
  if (scratch.length < n) scratch = new Int32Array(Math.max(n, scratch.length * 2));
  const tmp = scratch;
  for (const view of views) {
    columnHashes(view, n, tmp);
    if (view.validity !== null || view.allNull) {
      for (let i = 0; i < n; i++) if (view.isNull(i)) tmp[i] = NULL_HASH;
    }
    for (let i = 0; i < n; i++) out[i] = fmix32((Math.imul(out[i]!, 31) + tmp[i]!) | 0);
  }
  return out;
}

/** The value hash of every row of one column (NULL rows hold garbage; the caller overwrites them). */
function columnHashes(view: ColumnView, n: number, tmp: Int32Array): void {
  switch (view.layout) {
    case 'null':
      tmp.fill(NULL_HASH, 0, n);
      break;
    case 'bool':
      for (let i = 0; i < n; i++) tmp[i] = view.bit(i) + 1;
      break;
    case 'int': {
      const ints = view.ints;
      for (let i = 0; i < n; i++) tmp[i] = ints[i]!;
      break;
    }
    case 'float': {
      const floats = view.floats;
      for (let i = 0; i < n; i++) tmp[i] = hashDouble(floats[i]!);
      break;
    }
    case 'words': {
      const w = view.words;
      const stride = view.stride;
      if (stride === 2) {
        for (let i = 0; i < n; i++) tmp[i] = (Math.imul(w[2 * i]!, 0x27d4eb2f) ^ w[2 * i + 1]!) | 0;
      } else {
        for (let i = 0; i < n; i++) {
          let h = 0;
          for (let k = 0; k < stride; k++) h = (Math.imul(h, 0x27d4eb2f) ^ w[i * stride + k]!) | 0;
          tmp[i] = h;
        }
      }
      break;
    }
    case 'bytes': {
      const o = view.offsets;
      const b = view.bytes;
      for (let i = 0; i < n; i++) tmp[i] = hashBytes(b, o[i]!, o[i + 1]!);
      break;
    }
  }
}
