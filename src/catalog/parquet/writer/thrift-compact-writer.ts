/**
 * A minimal Thrift compact-protocol encoder: just what Parquet page headers and the file footer
 * need (structs, lists, i16/i32/i64 as zigzag varints, booleans, binary and strings).
 *
 * Fields are written in increasing id order by the callers; `beginStruct`/`endStruct` keep the
 * "last field id" stack that the compact protocol's delta-encoded field headers rely on.
 */

/** Compact-protocol type ids. */
export const CompactType = {
  booleanTrue: 1,
  booleanFalse: 2,
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

const textEncoder = new TextEncoder();

export class ThriftCompactWriter {
  private buffer: Uint8Array;
  private length = 0;
  private lastFieldId = 0;
  private readonly fieldIdStack: number[] = [];

  constructor(initialCapacity = 256) {
    this.buffer = new Uint8Array(initialCapacity);
  }

  /** The bytes written so far (a copy, so the writer can be reused or dropped). */
  finish(): Uint8Array {
    return this.buffer.slice(0, this.length);
  }

  get byteLength(): number {
    return this.length;
  }

  private ensure(extra: number): void {
    const needed = this.length + extra;
    if (needed <= this.buffer.length) return;
    let capacity = this.buffer.length * 2;
    while (capacity < needed) capacity *= 2;
    const next = new Uint8Array(capacity);
    next.set(this.buffer.subarray(0, this.length));
    this.buffer = next;
  }

  private byte(b: number): void {
    this.ensure(1);
    this.buffer[this.length++] = b;
  }

  /** Unsigned LEB128 of a non-negative integer up to 2^53. */
  private varint(value: number): void {
    this.ensure(10);
    let v = value;
    while (v >= 0x80) {
      this.buffer[this.length++] = (v % 0x80) | 0x80;
      v = Math.floor(v / 0x80);
    }
    this.buffer[this.length++] = v;
  }

  /** Zigzag varint of a signed integer (exact for |value| < 2^52). */
  private zigzag(value: number): void {
    this.varint(value >= 0 ? value * 2 : -value * 2 - 1);
  }

  private zigzagBig(value: bigint): void {
    let v = BigInt.asUintN(64, (value << 1n) ^ (value >> 63n));
    this.ensure(10);
    while (v >= 0x80n) {
      this.buffer[this.length++] = Number(v & 0x7fn) | 0x80;
      v >>= 7n;
    }
    this.buffer[this.length++] = Number(v);
  }

  private fieldHeader(id: number, type: number): void {
    const delta = id - this.lastFieldId;
    if (delta > 0 && delta <= 15) {
      this.byte((delta << 4) | type);
    } else {
      this.byte(type);
      this.zigzag(id);
    }
    this.lastFieldId = id;
  }

  beginStruct(id: number): void {
    this.fieldHeader(id, CompactType.struct);
    this.fieldIdStack.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  endStruct(): void {
    this.byte(0);
    this.lastFieldId = this.fieldIdStack.pop() ?? 0;
  }

  /** Starts a struct that is a list element (no field header). */
  beginListStruct(): void {
    this.fieldIdStack.push(this.lastFieldId);
    this.lastFieldId = 0;
  }

  /** Ends the outermost (message) struct. */
  stop(): void {
    this.byte(0);
  }

  boolField(id: number, value: boolean): void {
    this.fieldHeader(id, value ? CompactType.booleanTrue : CompactType.booleanFalse);
  }

  i32Field(id: number, value: number): void {
    this.fieldHeader(id, CompactType.i32);
    this.zigzag(value);
  }

  i64Field(id: number, value: number | bigint): void {
    this.fieldHeader(id, CompactType.i64);
    if (typeof value === 'bigint') this.zigzagBig(value);
    else this.zigzag(value);
  }

  i16Field(id: number, value: number): void {
    this.fieldHeader(id, CompactType.i16);
    this.zigzag(value);
  }

  byteField(id: number, value: number): void {
    this.fieldHeader(id, CompactType.byte);
    this.byte(value & 0xff);
  }

  binaryField(id: number, value: Uint8Array): void {
    this.fieldHeader(id, CompactType.binary);
    this.binary(value);
  }

  stringField(id: number, value: string): void {
    this.binaryField(id, textEncoder.encode(value));
  }

  /** An empty struct field (Parquet uses these as markers, e.g. `LogicalType.STRING`). */
  emptyStructField(id: number): void {
    this.beginStruct(id);
    this.endStruct();
  }

  listHeader(id: number, elementType: number, size: number): void {
    this.fieldHeader(id, CompactType.list);
    if (size < 15) {
      this.byte((size << 4) | elementType);
    } else {
      this.byte(0xf0 | elementType);
      this.varint(size);
    }
  }

  /** A list element of type i32. */
  i32Element(value: number): void {
    this.zigzag(value);
  }

  /** A list element of type binary/string. */
  binaryElement(value: Uint8Array): void {
    this.binary(value);
  }

  stringElement(value: string): void {
    this.binary(textEncoder.encode(value));
  }

  private binary(value: Uint8Array): void {
    this.varint(value.length);
    this.ensure(value.length);
    this.buffer.set(value, this.length);
    this.length += value.length;
  }
}
