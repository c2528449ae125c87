/**
 * A growable byte buffer that string columns are written into: integers, zero-padded numbers and
 * pre-encoded ASCII are written as bytes directly, without building JavaScript strings.
 */

const ZERO = 0x30;

/** ASCII bytes of a string (for pre-encoded constants). */
export function ascii(s: string): Uint8Array {
  const out = new Uint8Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i);
  return out;
}

export class ByteWriter {
  private buffer: Uint8Array;
  private position = 0;

  constructor(capacity = 1 << 20) {
    this.buffer = new Uint8Array(capacity);
  }

  /** Makes room for `n` more bytes. */
  reserve(n: number): void {
    if (this.position + n <= this.buffer.length) return;
    const grown = new Uint8Array(Math.max(this.buffer.length * 2, this.position + n));
    grown.set(this.buffer.subarray(0, this.position));
    this.buffer = grown;
  }

  /** Bytes written so far. */
  get length(): number {
    return this.position;
  }

  /** The underlying buffer (valid up to `length`; replaced when it grows). */
  get view(): Uint8Array {
    return this.buffer;
  }

  /** One byte. */
  byte(c: number): void {
    this.reserve(1);
    this.buffer[this.position++] = c;
  }

  /** A non-negative integer zero-padded to `width` digits (wider numbers are written in full). */
  padded(n: number, width: number): void {
    this.reserve(width);
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    const b = this.buffer;
    for (let i = digits; i < width; i++) b[this.position++] = ZERO;
    this.int(n);
  }

  /** A string of ASCII characters. */
  text(s: string): void {
    this.reserve(s.length);
    const b = this.buffer;
    let p = this.position;
    for (let i = 0; i < s.length; i++) b[p++] = s.charCodeAt(i);
    this.position = p;
  }

  /** Bytes [start, end) of `source`. */
  bytes(source: Uint8Array, start = 0, end = source.length): void {
    this.reserve(end - start);
    const b = this.buffer;
    let p = this.position;
    for (let i = start; i < end; i++) b[p++] = source[i]!;
    this.position = p;
  }

  /** A non-negative integer below 2^53 in decimal. */
  int(n: number): void {
    this.reserve(16);
    const b = this.buffer;
    if (n < 10) {
      b[this.position++] = ZERO + n;
      return;
    }
    let digits = 1;
    for (let m = n; m >= 10; m = Math.floor(m / 10)) digits++;
    let p = this.position + digits;
    this.position = p;
    while (n >= 10) {
      const q = Math.floor(n / 10);
      b[--p] = ZERO + (n - q * 10);
      n = q;
    }
    b[--p] = ZERO + n;
  }
}
