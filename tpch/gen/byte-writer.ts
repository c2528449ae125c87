/**
 * A growable byte buffer for `.tbl` text: integers, cents and pre-encoded ASCII are written as bytes
 * directly, without building JavaScript strings (the hot path of lineitem and orders).
 */

const PIPE = 0x7c;
const NEWLINE = 0x0a;
const ZERO = 0x30;
const DOT = 0x2e;
const MINUS = 0x2d;

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

  /** Cents as a decimal with two fraction digits. */
  money(cents: number): void {
    this.reserve(20);
    if (cents < 0) {
      this.buffer[this.position++] = MINUS;
      cents = -cents;
    }
    const whole = Math.floor(cents / 100);
    const fraction = cents - whole * 100;
    this.int(whole);
    const b = this.buffer;
    b[this.position++] = DOT;
    b[this.position++] = ZERO + Math.floor(fraction / 10);
    b[this.position++] = ZERO + (fraction % 10);
  }

  /** The field separator `|`. */
  pipe(): void {
    this.reserve(1);
    this.buffer[this.position++] = PIPE;
  }

  /** dbgen's line end: a trailing `|` and `\n`. */
  endLine(): void {
    this.reserve(2);
    this.buffer[this.position++] = PIPE;
    this.buffer[this.position++] = NEWLINE;
  }

  /** A copy of the bytes written (its own ArrayBuffer, safe to transfer). */
  take(): Uint8Array {
    return this.buffer.slice(0, this.position);
  }
}
