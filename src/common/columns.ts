/**
 * Building Arrow columns from typed arrays, and reading single values out of them.
 *
 * Kernels build their output buffers themselves and wrap them here (zero-copy). Validity may be
 * given as one byte per row (1 = valid), which kernels find easiest to write, and is packed into
 * Arrow's bitmap once. `valueAt`/`columnFromValues` convert one value at a time: for results,
 * literals and tests, never for hot loops.
 */
import * as arrow from 'apache-arrow';
import {
  decimal128Words,
  decimal64Values,
  isValid,
  readDecimal128,
  toArrowType,
  writeDecimal128,
} from './arrow.ts';
import type { CalendarInterval } from './calendar-interval.ts';
import { MAX_DECIMAL64_PRECISION, type DataType, type Value } from './types.ts';

export type TypedArray =
  | Int8Array
  | Int16Array
  | Int32Array
  | BigInt64Array
  | Float32Array
  | Float64Array
  | Uint8Array
  | Uint32Array;

const encoder = new TextEncoder();
const decoder = new TextDecoder();

/** Packs one-byte-per-row validity into an Arrow bitmap; returns the bitmap and the null count. */
export function packValidity(valid: Uint8Array, length: number): { bitmap: Uint8Array; nullCount: number } {
  const bitmap = new Uint8Array((length + 7) >> 3);
  let nulls = 0;
  for (let i = 0; i < length; i++) {
    if (valid[i] !== 0) bitmap[i >> 3]! |= 1 << (i & 7);
    else nulls++;
  }
  return { bitmap, nullCount: nulls };
}

/** Packs 0/1 bytes into Arrow's boolean bit layout. */
export function packBits(bytes: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array((length + 7) >> 3);
  for (let i = 0; i < length; i++) if (bytes[i] !== 0) out[i >> 3]! |= 1 << (i & 7);
  return out;
}

/** Unpacks a boolean column's values into one byte per row (offset applied). */
export function unpackBits(data: arrow.Data): Uint8Array {
  const bits = data.values as Uint8Array;
  const n = data.length;
  const off = data.offset;
  const out = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const j = off + i;
    out[i] = (bits[j >> 3]! >> (j & 7)) & 1;
  }
  return out;
}

/** One byte per row: 1 = valid (offset applied). */
export function unpackValidity(data: arrow.Data): Uint8Array {
  const n = data.length;
  const bitmap = data.nullBitmap;
  const out = new Uint8Array(n);
  if (bitmap === undefined || bitmap.length === 0) {
    out.fill(data.typeId === arrow.Type.Null ? 0 : 1);
    return out;
  }
  const off = data.offset;
  for (let i = 0; i < n; i++) {
    const j = off + i;
    out[i] = (bitmap[j >> 3]! >> (j & 7)) & 1;
  }
  return out;
}

function validityArgs(
  valid: Uint8Array | null,
  length: number,
): { nullBitmap?: Uint8Array; nullCount: number } {
  if (valid === null) return { nullCount: 0 };
  const { bitmap, nullCount } = packValidity(valid, length);
  return nullCount === 0 ? { nullCount: 0 } : { nullBitmap: bitmap, nullCount };
}

/**
 * Wraps a fixed-width values array as a column of `type`. For decimals pass a BigInt64Array: one
 * element per row (p ≤ 18) or two per row, low word first (p > 18). For booleans pass 0/1 bytes.
 */
export function makeColumn(
  type: DataType,
  values: TypedArray,
  length: number,
  valid: Uint8Array | null,
): arrow.Data {
  const arrowType = toArrowType(type);
  const v = validityArgs(valid, length);
  let data: ArrayBufferView = values;
  if (type.kind === 'boolean') data = packBits(values as Uint8Array, length);
  else if (type.kind === 'decimal')
    data = new Uint32Array(values.buffer, values.byteOffset, values.byteLength / 4);
  else if (type.kind === 'calendar_interval')
    data = new Int32Array(values.buffer, values.byteOffset, values.byteLength / 4);
  return arrow.makeData({ type: arrowType, length, data, ...v } as never);
}

/** Wraps UTF-8 bytes and offsets (length + 1 entries) as a string column (or binary for `binary`). */
export function makeStringColumn(
  offsets: Int32Array,
  bytes: Uint8Array,
  length: number,
  valid: Uint8Array | null,
  type: DataType = { kind: 'string' },
): arrow.Data {
  const arrowType = type.kind === 'binary' ? new arrow.Binary() : new arrow.Utf8();
  return arrow.makeData({
    type: arrowType,
    length,
    valueOffsets: offsets,
    data: bytes,
    ...validityArgs(valid, length),
  } as never);
}

/** A column of `length` NULLs of `type`. */
export function nullColumn(type: DataType, length: number): arrow.Data {
  if (type.kind === 'null') return arrow.makeData({ type: new arrow.Null(), length, nullCount: length });
  return columnFromValues(type, new Array<Value>(length).fill(null));
}

/** The value at row `i` (see types.ts for the representation of each type). */
export function valueAt(data: arrow.Data, type: DataType, i: number): Value {
  if (!isValid(data, i)) return null;
  switch (type.kind) {
    case 'null':
      return null;
    case 'boolean': {
      // Boolean bits, like validity bits, are not shifted by Arrow's slice: index them at offset + i.
      const j = data.offset + i;
      const bits = data.values as Uint8Array;
      return ((bits[j >> 3]! >> (j & 7)) & 1) === 1;
    }
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'float':
    case 'double':
    case 'date':
    case 'interval_year_month':
      return (data.values as Int32Array | Float64Array)[i]!;
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time':
      return (data.values as BigInt64Array)[i]!;
    case 'decimal':
      return type.precision <= MAX_DECIMAL64_PRECISION
        ? decimal64Values(data)[i]!
        : readDecimal128(decimal128Words(data), i);
    case 'calendar_interval':
      return readCalendarInterval(data.values as Int32Array, i);
    case 'string':
    case 'binary': {
      const offsets = data.valueOffsets as Int32Array;
      const bytes = (data.values as Uint8Array).subarray(offsets[i], offsets[i + 1]);
      return type.kind === 'string' ? decoder.decode(bytes) : bytes.slice();
    }
    case 'array': {
      // List offsets are sliced with the column (index them at i); they point into the whole child.
      const offsets = data.valueOffsets as Int32Array;
      const child = data.children[0]!;
      const out: Value[] = [];
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) out.push(valueAt(child, type.element, j));
      return out;
    }
    case 'struct':
      // Children are sliced with the column; a struct value is the array of its field values.
      return type.fields.map((f, k) => valueAt(data.children[k]!, f.type, i));
    case 'map': {
      // Like a list of (key, value) structs; keys are unique and keep their order.
      const offsets = data.valueOffsets as Int32Array;
      const entries = data.children[0]!;
      const keys = entries.children[0]!;
      const vals = entries.children[1]!;
      const out = new Map<Value, Value>();
      for (let j = offsets[i]!; j < offsets[i + 1]!; j++) {
        out.set(valueAt(keys, type.key, j), valueAt(vals, type.value, j));
      }
      return out;
    }
  }
}

/** The calendar interval at row `i` of a column's four-words-per-row values. */
export function readCalendarInterval(words: Int32Array, i: number): CalendarInterval {
  const w = 4 * i;
  const micros = (BigInt(words[w + 3]!) << 32n) | BigInt(words[w + 2]! >>> 0);
  return [words[w]!, words[w + 1]!, micros];
}

/** Writes a calendar interval at row `i` of four-words-per-row values. */
export function writeCalendarInterval(words: Int32Array, i: number, iv: CalendarInterval): void {
  const w = 4 * i;
  words[w] = iv[0];
  words[w + 1] = iv[1];
  words[w + 2] = Number(BigInt.asIntN(32, iv[2]));
  words[w + 3] = Number(BigInt.asIntN(32, iv[2] >> 32n));
}

/** Builds a column from values (slow path: literals, VALUES rows, tests). */
export function columnFromValues(type: DataType, values: readonly Value[]): arrow.Data {
  const n = values.length;
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) valid[i] = values[i] === null || values[i] === undefined ? 0 : 1;
  switch (type.kind) {
    case 'null':
      return arrow.makeData({ type: new arrow.Null(), length: n, nullCount: n });
    case 'boolean': {
      const out = new Uint8Array(n);
      for (let i = 0; i < n; i++) out[i] = values[i] === true ? 1 : 0;
      return makeColumn(type, out, n, valid);
    }
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'interval_year_month': {
      const out =
        type.kind === 'tinyint'
          ? new Int8Array(n)
          : type.kind === 'smallint'
            ? new Int16Array(n)
            : new Int32Array(n);
      for (let i = 0; i < n; i++) if (valid[i]) out[i] = values[i] as number;
      return makeColumn(type, out, n, valid);
    }
    case 'float':
    case 'double': {
      const out = type.kind === 'float' ? new Float32Array(n) : new Float64Array(n);
      for (let i = 0; i < n; i++) if (valid[i]) out[i] = values[i] as number;
      return makeColumn(type, out, n, valid);
    }
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time': {
      const out = new BigInt64Array(n);
      for (let i = 0; i < n; i++) if (valid[i]) out[i] = values[i] as bigint;
      return makeColumn(type, out, n, valid);
    }
    case 'decimal': {
      if (type.precision <= MAX_DECIMAL64_PRECISION) {
        const out = new BigInt64Array(n);
        for (let i = 0; i < n; i++) if (valid[i]) out[i] = values[i] as bigint;
        return makeColumn(type, out, n, valid);
      }
      const out = new BigInt64Array(2 * n);
      for (let i = 0; i < n; i++) if (valid[i]) writeDecimal128(out, i, values[i] as bigint);
      return makeColumn(type, out, n, valid);
    }
    case 'calendar_interval': {
      const out = new Int32Array(4 * n);
      for (let i = 0; i < n; i++) if (valid[i]) writeCalendarInterval(out, i, values[i] as CalendarInterval);
      return makeColumn(type, out, n, valid);
    }
    case 'string':
    case 'binary': {
      const parts: Uint8Array[] = [];
      const offsets = new Int32Array(n + 1);
      let total = 0;
      for (let i = 0; i < n; i++) {
        const v = values[i];
        const b = !valid[i]
          ? new Uint8Array(0)
          : typeof v === 'string'
            ? encoder.encode(v)
            : (v as Uint8Array);
        parts.push(b);
        total += b.length;
        offsets[i + 1] = total;
      }
      const bytes = new Uint8Array(total);
      for (let i = 0; i < n; i++) bytes.set(parts[i]!, offsets[i]);
      return makeStringColumn(offsets, bytes, n, valid, type);
    }
    case 'array': {
      const offsets = new Int32Array(n + 1);
      const flat: Value[] = [];
      for (let i = 0; i < n; i++) {
        if (valid[i]) for (const x of values[i] as readonly Value[]) flat.push(x);
        offsets[i + 1] = flat.length;
      }
      return makeListColumn(type, offsets, columnFromValues(type.element, flat), n, valid);
    }
    case 'struct': {
      const children = type.fields.map((f, k) =>
        columnFromValues(
          f.type,
          values.map((v, i) => (valid[i] ? ((v as readonly Value[])[k] ?? null) : null)),
        ),
      );
      return makeStructColumn(type, children, n, valid);
    }
    case 'map': {
      const offsets = new Int32Array(n + 1);
      const keys: Value[] = [];
      const vals: Value[] = [];
      for (let i = 0; i < n; i++) {
        if (valid[i]) {
          for (const [k, v] of values[i] as ReadonlyMap<Value, Value>) {
            keys.push(k);
            vals.push(v);
          }
        }
        offsets[i + 1] = keys.length;
      }
      return makeMapColumn(
        type,
        offsets,
        columnFromValues(type.key, keys),
        columnFromValues(type.value, vals),
        n,
        valid,
      );
    }
  }
}

/**
 * Wraps Int32 offsets (length + 1 entries, into `child`) and a child column as an array column of
 * `type` (Arrow List). A NULL array's offsets must still be non-decreasing (usually empty).
 */
export function makeListColumn(
  type: DataType,
  offsets: Int32Array,
  child: arrow.Data,
  length: number,
  valid: Uint8Array | null,
): arrow.Data {
  return arrow.makeData({
    type: toArrowType(type) as arrow.List,
    length,
    valueOffsets: offsets,
    child,
    ...validityArgs(valid, length),
  } as never);
}

/**
 * Int32 offsets (length + 1 entries) into parallel key and value columns as a map column of
 * `type` (Arrow Map: a list of non-null `entries` structs of `key` and `value`).
 */
export function makeMapColumn(
  type: DataType & { kind: 'map' },
  offsets: Int32Array,
  keys: arrow.Data,
  values: arrow.Data,
  length: number,
  valid: Uint8Array | null,
): arrow.Data {
  const mapType = toArrowType(type) as arrow.Map_;
  const entries = arrow.makeData({
    type: mapType.children[0]!.type as arrow.Struct,
    length: keys.length,
    nullCount: 0,
    children: [keys, values],
  });
  return arrow.makeData({
    type: mapType,
    length,
    valueOffsets: offsets,
    child: entries,
    ...validityArgs(valid, length),
  } as never);
}

/** Field columns (each `length` rows) as a struct column of `type` (Arrow Struct). */
export function makeStructColumn(
  type: DataType,
  children: readonly arrow.Data[],
  length: number,
  valid: Uint8Array | null,
): arrow.Data {
  return arrow.makeData({
    type: toArrowType(type) as arrow.Struct,
    length,
    children,
    ...validityArgs(valid, length),
  } as never);
}

/** All rows of a batch as arrays of values (slow path: results for tests and small outputs). */
export function batchRows(batch: arrow.RecordBatch, types: readonly DataType[]): Value[][] {
  const cols = batch.data.children;
  const rows: Value[][] = [];
  for (let i = 0; i < batch.numRows; i++) {
    const row: Value[] = [];
    for (let c = 0; c < cols.length; c++) row.push(valueAt(cols[c]!, types[c]!, i));
    rows.push(row);
  }
  return rows;
}

/** A scalar broadcast to a column of `length` rows. */
export function repeatValue(type: DataType, value: Value, length: number): arrow.Data {
  return columnFromValues(type, new Array<Value>(length).fill(value));
}

export const utf8 = { encoder, decoder };
