/**
 * A small reader for Thrift's compact protocol, enough to parse Parquet page headers: field
 * headers, varints (zigzag for signed integers), binaries, and skipping any value (with a nesting
 * limit, so that corrupt bytes cannot recurse without end). Every read is bounds-checked and throws
 * `CorruptPageError` past the end of the buffer.
 */
import { CorruptPageError } from './native-errors.ts';

export const ThriftType = {
  stop: 0,
  boolTrue: 1,
  boolFalse: 2,
  byte: 3,
  i16: 4,
  i32: 5,
  i64: 6,
  double: 7,
  binary: 8,
  list: 9,
  set: 10,
  map: 11,
  struct: 12,
} as const;

const MAX_DEPTH = 32;

export class ThriftCompactReader {
  readonly bytes: Uint8Array;
  pos: number;
  private readonly end: number;

  constructor(bytes: Uint8Array, start: number, end: number) {
    this.bytes = bytes;
    this.pos = start;
    this.end = end;
  }

  byte(): number {
    if (this.pos >= this.end) throw new CorruptPageError('page header runs past the end of the column chunk');
    return this.bytes[this.pos++]!;
  }

  /** An unsigned varint (up to 53 bits, as a number). */
  varint(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const b = this.byte();
      result += (b & 0x7f) * mul;
      if ((b & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new CorruptPageError('malformed varint in page header');
  }

  /** A zigzag-encoded signed varint. */
  zigzag(): number {
    const v = this.varint();
    return v % 2 === 0 ? v / 2 : -(v + 1) / 2;
  }

  /** Reads a field header: `[fieldId, type]`, type 0 at the end of a struct. */
  fieldHeader(lastId: number): [number, number] {
    const b = this.byte();
    const type = b & 0x0f;
    if (type === ThriftType.stop) return [0, 0];
    const delta = b >> 4;
    const id = delta === 0 ? this.zigzag() : lastId + delta;
    return [id, type];
  }

  skip(type: number, depth = 0): void {
    if (depth > MAX_DEPTH) throw new CorruptPageError('page header nests too deeply');
    switch (type) {
      case ThriftType.boolTrue:
      case ThriftType.boolFalse:
        return;
      case ThriftType.byte:
        this.byte();
        return;
      case ThriftType.i16:
      case ThriftType.i32:
      case ThriftType.i64:
        this.varint();
        return;
      case ThriftType.double:
        this.advance(8);
        return;
      case ThriftType.binary:
        this.advance(this.varint());
        return;
      case ThriftType.list:
      case ThriftType.set: {
        const head = this.byte();
        let size = head >> 4;
        if (size === 15) size = this.varint();
        const elem = head & 0x0f;
        for (let i = 0; i < size; i++) this.skip(elem, depth + 1);
        return;
      }
      case ThriftType.map: {
        const size = this.varint();
        if (size === 0) return;
        const kinds = this.byte();
        for (let i = 0; i < size; i++) {
          this.skip(kinds >> 4, depth + 1);
          this.skip(kinds & 0x0f, depth + 1);
        }
        return;
      }
      case ThriftType.struct: {
        let last = 0;
        for (;;) {
          const [id, t] = this.fieldHeader(last);
          if (t === ThriftType.stop) return;
          this.skip(t, depth + 1);
          last = id;
        }
      }
      default:
        throw new CorruptPageError(`unknown Thrift type ${type} in page header`);
    }
  }

  private advance(n: number): void {
    if (n < 0 || this.pos + n > this.end)
      throw new CorruptPageError('page header runs past the end of the column chunk');
    this.pos += n;
  }
}
