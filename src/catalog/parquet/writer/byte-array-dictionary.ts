/**
 * Dictionary encoding for byte-array (string/binary) columns when it pays: a cheap sample of the
 * first values decides whether to try, and building stops (falling back to PLAIN) once the
 * dictionary grows past its limits. Distinct values are found with an open-addressing hash table
 * over the value bytes (FNV-1a), comparing bytes on collision; entries point into the source bytes.
 */
import { bytesMinMax, compareBytes, type MinMax } from './column-statistics.ts';

const SAMPLE_VALUES = 1024;
/** Try a dictionary when the sample has at most this fraction of distinct values. */
const SAMPLE_DISTINCT_RATIO = 0.5;
export const MAX_DICTIONARY_ENTRIES = 1 << 16;
export const MAX_DICTIONARY_BYTES = 1 << 20;
const MEMO_SIZE = 1024;

export interface ByteArrayDictionary {
  /** Entry `d` is `bytes[entryStart[d], entryEnd[d])`. */
  readonly bytes: Uint8Array;
  readonly entryStart: Int32Array;
  readonly entryEnd: Int32Array;
  readonly size: number;
  /** One dictionary index per (non-null) value. */
  readonly indices: Int32Array;
  /** PLAIN size of the dictionary page body. */
  readonly plainBytes: number;
}

class Table {
  slots: Int32Array;
  mask: number;
  entryStart: Int32Array;
  entryEnd: Int32Array;
  hashes: Int32Array;
  size = 0;
  plainBytes = 0;

  constructor(capacity: number) {
    this.slots = new Int32Array(capacity * 2);
    this.mask = capacity * 2 - 1;
    this.entryStart = new Int32Array(capacity);
    this.entryEnd = new Int32Array(capacity);
    this.hashes = new Int32Array(capacity);
  }

  /** The entry id of `bytes[s, e)` (read through `view`, the same memory), adding it if new. */
  intern(bytes: Uint8Array, view: DataView, s: number, e: number): number {
    let h = 0x811c9dc5 | 0;
    let i = s;
    for (; i + 4 <= e; i += 4) h = Math.imul(h ^ view.getInt32(i, true), 0x01000193);
    for (; i < e; i++) h = Math.imul(h ^ bytes[i]!, 0x01000193);
    h ^= h >>> 15;
    h = Math.imul(h, 0x2c1b3c6d);
    h ^= h >>> 12;
    let slot = h & this.mask;
    for (;;) {
      const id = this.slots[slot]! - 1;
      if (id < 0) break;
      if (this.hashes[id] === h && equalBytes(bytes, view, this.entryStart[id]!, this.entryEnd[id]!, s, e)) {
        return id;
      }
      slot = (slot + 1) & this.mask;
    }
    const id = this.size++;
    if (id === this.entryStart.length) this.grow();
    this.entryStart[id] = s;
    this.entryEnd[id] = e;
    this.hashes[id] = h;
    this.plainBytes += 4 + e - s;
    if (this.size * 2 > this.slots.length) this.rehash();
    else this.slots[slot] = id + 1;
    return id;
  }

  private place(id: number): void {
    let slot = this.hashes[id]! & this.mask;
    while (this.slots[slot] !== 0) slot = (slot + 1) & this.mask;
    this.slots[slot] = id + 1;
  }

  private grow(): void {
    const cap = this.entryStart.length * 2;
    const copy = (a: Int32Array): Int32Array => {
      const b = new Int32Array(cap);
      b.set(a);
      return b;
    };
    this.entryStart = copy(this.entryStart);
    this.entryEnd = copy(this.entryEnd);
    this.hashes = copy(this.hashes);
  }

  private rehash(): void {
    this.slots = new Int32Array(this.slots.length * 2);
    this.mask = this.slots.length - 1;
    for (let id = 0; id < this.size; id++) this.place(id);
  }
}

function equalBytes(
  bytes: Uint8Array,
  view: DataView,
  as: number,
  ae: number,
  bs: number,
  be: number,
): boolean {
  if (ae - as !== be - bs) return false;
  let i = 0;
  const n = ae - as;
  for (; i + 4 <= n; i += 4) if (view.getInt32(as + i, true) !== view.getInt32(bs + i, true)) return false;
  for (; i < n; i++) if (bytes[as + i] !== bytes[bs + i]) return false;
  return true;
}

/** Builds a dictionary for `offsets.length - 1` values, or returns undefined when it would not pay. */
export function buildDictionary(bytes: Uint8Array, offsets: Int32Array): ByteArrayDictionary | undefined {
  const n = offsets.length - 1;
  if (n < 2) return undefined;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const sample = Math.min(n, SAMPLE_VALUES);
  const probe = new Table(256);
  for (let i = 0; i < sample; i++) probe.intern(bytes, view, offsets[i]!, offsets[i + 1]!);
  if (probe.size > sample * SAMPLE_DISTINCT_RATIO) return undefined;

  const table = new Table(1024);
  const indices = new Int32Array(n);
  const maxEntries = Math.min(MAX_DICTIONARY_ENTRIES, n >> 1);
  // A direct-mapped memo keyed by (length, first byte, last byte) in front of the hash table: with
  // few distinct values it usually finds the entry after one byte comparison.
  const memo = new Int32Array(MEMO_SIZE);
  for (let i = 0; i < n; i++) {
    const s = offsets[i]!;
    const e = offsets[i + 1]!;
    const key = e > s ? ((e - s) * 0x9e5 + bytes[s]! * 0x3b + bytes[e - 1]! * 0x101) & (MEMO_SIZE - 1) : 0;
    const cached = memo[key]! - 1;
    if (cached >= 0 && equalBytes(bytes, view, table.entryStart[cached]!, table.entryEnd[cached]!, s, e)) {
      indices[i] = cached;
      continue;
    }
    const id = table.intern(bytes, view, s, e);
    indices[i] = id;
    memo[key] = id + 1;
    if (table.size > maxEntries || table.plainBytes > MAX_DICTIONARY_BYTES) return undefined;
  }
  return {
    bytes,
    entryStart: table.entryStart,
    entryEnd: table.entryEnd,
    size: table.size,
    indices,
    plainBytes: table.plainBytes,
  };
}

/** Min and max over the dictionary's entries (every entry is used by some value). */
export function dictionaryMinMax(d: ByteArrayDictionary): MinMax | undefined {
  if (d.size === 0) return undefined;
  let min = 0;
  let max = 0;
  const { bytes, entryStart: s, entryEnd: e } = d;
  for (let i = 1; i < d.size; i++) {
    if (compareBytes(bytes, s[i]!, e[i]!, bytes, s[min]!, e[min]!) < 0) min = i;
    else if (compareBytes(bytes, s[i]!, e[i]!, bytes, s[max]!, e[max]!) > 0) max = i;
  }
  return bytesMinMax(bytes, s[min]!, e[min]!, bytes, s[max]!, e[max]!);
}

/** The PLAIN-encoded dictionary page body. */
export function encodeDictionaryPage(d: ByteArrayDictionary): Uint8Array {
  const out = new Uint8Array(d.plainBytes);
  const view = new DataView(out.buffer);
  let pos = 0;
  for (let i = 0; i < d.size; i++) {
    const s = d.entryStart[i]!;
    const e = d.entryEnd[i]!;
    view.setInt32(pos, e - s, true);
    pos += 4;
    out.set(d.bytes.subarray(s, e), pos);
    pos += e - s;
  }
  return out;
}
