/**
 * Column cells: the encoded bytes of one column of a batch, cell `i` being
 * `bytes[offsets[i] .. offsets[i+1])`, NULL where `valid[i] === 0`. String and binary columns point
 * straight at the Arrow buffers; other types are formatted into a `ByteSink` once per column.
 */

export interface ColumnCells {
  readonly bytes: Uint8Array;
  /** `rows + 1` entries. */
  readonly offsets: Int32Array;
  /** One byte per row, 1 = valid; null = no NULLs. */
  readonly valid: Uint8Array | null;
}

/** A growing byte array that formatters append to. */
export class ByteSink {
  buf: Uint8Array;
  pos = 0;

  constructor(initialSize = 1024) {
    this.buf = new Uint8Array(Math.max(16, initialSize));
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  /** Appends a string of ASCII characters. */
  ascii(s: string): void {
    const n = s.length;
    this.ensure(n);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++) buf[p++] = s.charCodeAt(i);
    this.pos = p;
  }

  /** Appends the decimal digits of a non-negative safe integer. */
  uint(v: number): void {
    let digits = 1;
    for (let t = v; t >= 10; t = Math.floor(t / 10)) digits++;
    this.ensure(digits);
    const buf = this.buf;
    let p = this.pos + digits;
    this.pos = p;
    do {
      const q = Math.floor(v / 10);
      buf[--p] = 48 + (v - q * 10);
      v = q;
    } while (v > 0);
  }

  /** Appends a non-negative integer zero-padded to `width` digits. */
  padded(v: number, width: number): void {
    this.ensure(width);
    const buf = this.buf;
    let p = this.pos + width;
    this.pos = p;
    for (let i = 0; i < width; i++) {
      const q = Math.floor(v / 10);
      buf[--p] = 48 + (v - q * 10);
      v = q;
    }
  }

  /** Appends a signed safe integer. */
  int(v: number): void {
    if (v < 0) {
      this.byte(45);
      this.uint(-v);
    } else this.uint(v);
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  int16(v: number): void {
    this.ensure(2);
    const buf = this.buf;
    buf[this.pos++] = (v >> 8) & 0xff;
    buf[this.pos++] = v & 0xff;
  }

  int32(v: number): void {
    this.ensure(4);
    const buf = this.buf;
    buf[this.pos++] = (v >>> 24) & 0xff;
    buf[this.pos++] = (v >>> 16) & 0xff;
    buf[this.pos++] = (v >>> 8) & 0xff;
    buf[this.pos++] = v & 0xff;
  }

  /** Appends a signed 64-bit integer given as a safe JS number, big-endian. */
  int64(v: number): void {
    const hi = Math.floor(v / 4294967296);
    const lo = v - hi * 4294967296;
    this.int32(hi);
    this.int32(lo);
  }

  int64Big(v: bigint): void {
    const u = BigInt.asUintN(64, v);
    this.int32(Number(u >> 32n));
    this.int32(Number(u & 0xffffffffn));
  }
}

/** Reads the signed 64-bit value at index `j` of a BigInt64 buffer viewed as 32-bit words, as a JS number
 * when it is exactly representable, else NaN (callers fall back to BigInt). */
export function int64AsNumber(words: Uint32Array, j: number): number {
  const lo = words[2 * j]!;
  const hi = words[2 * j + 1]! | 0;
  if (hi >= -2097152 && hi < 2097152) return hi * 4294967296 + lo;
  return NaN;
}

/** A 32-bit word view over the values of a 64-bit column (BigInt64Array or Uint32Array pairs). */
export function wordsOf(values: ArrayBufferView): Uint32Array {
  return new Uint32Array(values.buffer, values.byteOffset, values.byteLength >> 2);
}
