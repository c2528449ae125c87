/**
 * Dictionary encoding for fixed-width columns (INT32, INT64, FLOAT, DOUBLE), as Spark's Parquet
 * writer does by default: a column chunk whose distinct values fit a dictionary page of at most
 * MAX_DICTIONARY_BYTES is written as that page plus RLE/bit-packed indices, when that is smaller
 * than PLAIN. TPC-H's quantities, discounts, taxes and dates become 4–12-bit indices instead of
 * 4–8-byte values: fewer bytes to decompress and read. Values are compared by their bits (floats
 * included, so -0.0 and every NaN keep their exact encoding).
 */
import { MAX_DICTIONARY_BYTES } from './byte-array-dictionary.ts';
import { bitWidthOf } from './rle-hybrid.ts';

export interface FixedDictionary {
  readonly size: number;
  /** One dictionary index per value. */
  readonly indices: Int32Array;
  /** The PLAIN-encoded dictionary page body (the entries' little-endian bytes). */
  readonly page: Uint8Array;
}

/**
 * The dictionary of `n` values of `wordsPerValue` little-endian 32-bit words each, or undefined
 * when the distinct values overflow a dictionary page or the indices would not be smaller than
 * the values.
 */
export function buildFixedDictionary(
  words: Int32Array,
  wordsPerValue: 1 | 2,
  n: number,
): FixedDictionary | undefined {
  if (n < 2) return undefined;
  const maxEntries = Math.min(MAX_DICTIONARY_BYTES / (4 * wordsPerValue), n >> 1);
  let cap = 1024;
  let slots = new Int32Array(cap);
  let mask = cap - 1;
  let entries = new Int32Array(256 * wordsPerValue);
  let size = 0;
  const indices = new Int32Array(n);
  const hashOf = (lo: number, hi: number): number =>
    Math.imul(lo ^ Math.imul(hi, 0x9e3779b1) ^ ((lo >>> 15) * 0x2c1b3c6d), 0x85ebca6b) >>> 0;
  let prevLo = 0;
  let prevHi = 0;
  let prevId = -1;
  for (let i = 0; i < n; i++) {
    const lo = words[i * wordsPerValue]!;
    const hi = wordsPerValue === 2 ? words[2 * i + 1]! : 0;
    if (prevId >= 0 && lo === prevLo && hi === prevHi) {
      indices[i] = prevId;
      continue;
    }
    let pos = (hashOf(lo, hi) >>> 7) & mask;
    let id = -1;
    for (;;) {
      const s = slots[pos]!;
      if (s === 0) break;
      const e = (s - 1) * wordsPerValue;
      if (entries[e] === lo && (wordsPerValue === 1 || entries[e + 1] === hi)) {
        id = s - 1;
        break;
      }
      pos = (pos + 1) & mask;
    }
    if (id < 0) {
      if (size >= maxEntries) return undefined;
      id = size++;
      if (size * wordsPerValue > entries.length) {
        const grown = new Int32Array(entries.length * 2);
        grown.set(entries);
        entries = grown;
      }
      entries[id * wordsPerValue] = lo;
      if (wordsPerValue === 2) entries[id * 2 + 1] = hi;
      slots[pos] = id + 1;
      if (size * 2 > cap) {
        cap *= 2;
        mask = cap - 1;
        slots = new Int32Array(cap);
        for (let d = 0; d < size; d++) {
          const l = entries[d * wordsPerValue]!;
          const h = wordsPerValue === 2 ? entries[d * 2 + 1]! : 0;
          let p = (hashOf(l, h) >>> 7) & mask;
          while (slots[p] !== 0) p = (p + 1) & mask;
          slots[p] = d + 1;
        }
      }
    }
    indices[i] = id;
    prevLo = lo;
    prevHi = hi;
    prevId = id;
  }
  const valueBytes = 4 * wordsPerValue;
  const dictionaryBytes = size * valueBytes + (n * bitWidthOf(size - 1)) / 8;
  if (dictionaryBytes >= n * valueBytes * 0.75) return undefined;
  const page = new Uint8Array(entries.buffer, 0, size * valueBytes).slice();
  return { size, indices, page };
}
