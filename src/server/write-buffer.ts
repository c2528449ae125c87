/**
 * A growing byte buffer that frames backend messages (type byte + int32 length) and many of them
 * into one chunk. `take()` hands out the bytes written so far and starts a fresh buffer, so the
 * chunk given to `socket.write` is never overwritten while the socket still holds it.
 */
const INITIAL_SIZE = 128 * 1024;

export class WriteBuffer {
  buf: Buffer;
  pos = 0;
  private readonly initialSize: number;

  constructor(initialSize = INITIAL_SIZE) {
    this.initialSize = initialSize;
    this.buf = Buffer.allocUnsafe(initialSize);
  }

  get length(): number {
    return this.pos;
  }

  ensure(extra: number): void {
    const need = this.pos + extra;
    if (need <= this.buf.length) return;
    let size = this.buf.length * 2;
    while (size < need) size *= 2;
    const next = Buffer.allocUnsafe(size);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  /** Starts a message; returns the position of its length field, for `end`. */
  begin(type: number): number {
    this.ensure(5);
    this.buf[this.pos] = type;
    const at = this.pos + 1;
    this.pos += 5;
    return at;
  }

  /** Fills in the length of the message started at `lengthAt`. */
  end(lengthAt: number): void {
    this.buf.writeInt32BE(this.pos - lengthAt, lengthAt);
  }

  byte(v: number): void {
    this.ensure(1);
    this.buf[this.pos++] = v;
  }

  int16(v: number): void {
    this.ensure(2);
    this.buf.writeInt16BE(v, this.pos);
    this.pos += 2;
  }

  int32(v: number): void {
    this.ensure(4);
    this.buf.writeInt32BE(v | 0, this.pos);
    this.pos += 4;
  }

  cstring(s: string): void {
    const len = Buffer.byteLength(s);
    this.ensure(len + 1);
    this.buf.write(s, this.pos, 'utf8');
    this.pos += len;
    this.buf[this.pos++] = 0;
  }

  bytes(b: Uint8Array): void {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** The bytes written so far; the buffer starts over empty. */
  take(): Buffer {
    const out = this.buf.subarray(0, this.pos);
    this.buf = Buffer.allocUnsafe(
      Math.max(this.initialSize, this.pos > this.initialSize ? this.initialSize : 0),
    );
    this.pos = 0;
    return out;
  }
}
