/**
 * The bridge between Spark types and Arrow: every batch that moves between operators is an Arrow
 * `RecordBatch`, and this file is the one place that knows which Arrow type holds which Spark type.
 *
 * | Spark type          | Arrow type                 | `data.values`                                  |
 * |---------------------|----------------------------|------------------------------------------------|
 * | boolean             | Bool                       | Uint8Array, bit-packed (LSB first)             |
 * | tinyint … int       | Int8 / Int16 / Int32       | Int8Array / Int16Array / Int32Array            |
 * | bigint              | Int64                      | BigInt64Array                                  |
 * | float / double      | Float32 / Float64          | Float32Array / Float64Array                    |
 * | decimal(p ≤ 18, s)  | Decimal(s, p, 64)          | Uint32Array, 2 words per value: view it with `decimal64Values` |
 * | decimal(p > 18, s)  | Decimal(s, p, 128)         | Uint32Array, 4 words per value (little-endian two's complement) |
 * | string              | Utf8                       | Uint8Array bytes + Int32Array `valueOffsets`   |
 * | binary              | Binary                     | Uint8Array bytes + Int32Array `valueOffsets`   |
 * | date                | DateDay                    | Int32Array days                                |
 * | timestamp           | Timestamp(µs, 'UTC')       | BigInt64Array µs                               |
 * | timestamp_ntz       | Timestamp(µs)              | BigInt64Array µs                               |
 * | time(p)             | Time64(µs)                 | BigInt64Array µs since midnight                |
 * | interval y-m        | Interval(YEAR_MONTH)       | Int32Array months                              |
 * | interval d-t        | Duration(µs)               | BigInt64Array µs                               |
 * | interval (calendar) | Interval(MONTH_DAY_NANO)   | Int32Array, 4 words per value: months, days, µs (int64, in the nanosecond slot) |
 * | null                | Null                       | —                                              |
 * | array               | List                       | Int32Array `valueOffsets` into one child       |
 * | map                 | Map (entries: key, value)  | Int32Array `valueOffsets` into a struct child  |
 * | struct              | Struct                     | one child per field                            |
 *
 * Validity is Arrow's bitmap (`nullBitmap`, bit set = valid); an empty bitmap means no nulls.
 * Operators in this engine always produce Data with `offset === 0`; readers must still honour
 * `data.offset` for batches that come from elsewhere (IPC, Parquet, `Data.slice`). Arrow's slice
 * shifts `values` (fixed-width) and `valueOffsets` already, but not the validity bitmap nor boolean
 * bits: read values and offsets at row `i`, validity and boolean bits at `data.offset + i`.
 */
import * as arrow from 'apache-arrow';
import { EngineError, SqlState } from './errors.ts';
import { MAX_DECIMAL64_PRECISION, type DataType, type Field, type Schema } from './types.ts';

export type Column = arrow.Data;
export type Batch = arrow.RecordBatch;

export function toArrowType(t: DataType): arrow.DataType {
  switch (t.kind) {
    case 'null':
      return new arrow.Null();
    case 'boolean':
      return new arrow.Bool();
    case 'tinyint':
      return new arrow.Int8();
    case 'smallint':
      return new arrow.Int16();
    case 'int':
      return new arrow.Int32();
    case 'bigint':
      return new arrow.Int64();
    case 'float':
      return new arrow.Float32();
    case 'double':
      return new arrow.Float64();
    case 'decimal':
      return new arrow.Decimal(t.scale, t.precision, t.precision <= MAX_DECIMAL64_PRECISION ? 64 : 128);
    case 'string':
      return new arrow.Utf8();
    case 'binary':
      return new arrow.Binary();
    case 'date':
      return new arrow.DateDay();
    case 'timestamp':
      return new arrow.TimestampMicrosecond('UTC');
    case 'timestamp_ntz':
      return new arrow.TimestampMicrosecond();
    case 'time':
      return new arrow.TimeMicrosecond();
    case 'interval_year_month':
      return new arrow.IntervalYearMonth();
    case 'interval_day_time':
      return new arrow.DurationMicrosecond();
    case 'calendar_interval':
      return new arrow.IntervalMonthDayNano();
    case 'array':
      return new arrow.List(new arrow.Field('element', toArrowType(t.element), t.containsNull));
    case 'map':
      return new arrow.Map_(
        new arrow.Field(
          'entries',
          new arrow.Struct<{ key: arrow.DataType; value: arrow.DataType }>([
            new arrow.Field('key', toArrowType(t.key), false),
            new arrow.Field('value', toArrowType(t.value), t.valueContainsNull),
          ]) as never,
          false,
        ),
      );
    case 'struct':
      return new arrow.Struct(t.fields.map(toArrowField));
  }
}

export function toArrowField(f: Field): arrow.Field {
  return new arrow.Field(f.name, toArrowType(f.type), f.nullable);
}

export function toArrowSchema(s: Schema): arrow.Schema {
  return new arrow.Schema(s.fields.map(toArrowField));
}

/** The Spark type of an Arrow type (for data read from Parquet, IPC or elsewhere). */
export function fromArrowType(t: arrow.DataType): DataType {
  if (arrow.DataType.isNull(t)) return { kind: 'null' };
  if (arrow.DataType.isBool(t)) return { kind: 'boolean' };
  if (arrow.DataType.isInt(t)) {
    switch (t.bitWidth) {
      case 8:
        return { kind: t.isSigned ? 'tinyint' : 'smallint' };
      case 16:
        return { kind: t.isSigned ? 'smallint' : 'int' };
      case 32:
        return { kind: t.isSigned ? 'int' : 'bigint' };
      default:
        return t.isSigned ? { kind: 'bigint' } : { kind: 'decimal', precision: 20, scale: 0 };
    }
  }
  if (arrow.DataType.isFloat(t)) return { kind: t.precision === arrow.Precision.SINGLE ? 'float' : 'double' };
  if (arrow.DataType.isDecimal(t)) return { kind: 'decimal', precision: t.precision, scale: t.scale };
  if (arrow.DataType.isUtf8(t) || arrow.DataType.isLargeUtf8(t)) return { kind: 'string' };
  if (arrow.DataType.isBinary(t) || arrow.DataType.isLargeBinary(t)) return { kind: 'binary' };
  if (arrow.DataType.isDate(t)) return { kind: 'date' };
  if (arrow.DataType.isTimestamp(t)) return { kind: t.timezone ? 'timestamp' : 'timestamp_ntz' };
  if (arrow.DataType.isTime(t))
    return {
      kind: 'time',
      precision: t.unit === arrow.TimeUnit.SECOND ? 0 : t.unit === arrow.TimeUnit.MILLISECOND ? 3 : 6,
    };
  if (arrow.DataType.isInterval(t))
    return {
      kind: t.unit === arrow.IntervalUnit.MONTH_DAY_NANO ? 'calendar_interval' : 'interval_year_month',
    };
  if (arrow.DataType.isDuration(t)) return { kind: 'interval_day_time' };
  if (arrow.DataType.isList(t)) {
    const child = t.children[0]!;
    return {
      kind: 'array',
      element: fromArrowType(child.type as arrow.DataType),
      containsNull: child.nullable,
    };
  }
  if (arrow.DataType.isMap(t)) {
    const entries = t.children[0]!.type as arrow.Struct;
    const [k, v] = entries.children;
    return {
      kind: 'map',
      key: fromArrowType(k!.type as arrow.DataType),
      value: fromArrowType(v!.type as arrow.DataType),
      valueContainsNull: v!.nullable,
    };
  }
  if (arrow.DataType.isStruct(t)) {
    return {
      kind: 'struct',
      fields: t.children.map((c) => ({
        name: c.name,
        type: fromArrowType(c.type as arrow.DataType),
        nullable: c.nullable,
      })),
    };
  }
  if (arrow.DataType.isDictionary(t)) return fromArrowType(t.dictionary as arrow.DataType);
  throw new EngineError(SqlState.featureNotSupported, `unsupported Arrow type ${arrow.Type[t.typeId]}`);
}

/**
 * The sink of an Arrow IPC writer (`writer.reset(sink)`) that keeps the bytes written instead of
 * queueing them for a reader: `take` hands them over (to a file) after each batch.
 */
export class IpcChunkSink extends arrow.AsyncByteQueue {
  private chunks: Uint8Array[] = [];
  override write(value: Uint8Array): void {
    if (value.byteLength > 0) this.chunks.push(value);
  }
  take(): Uint8Array[] {
    const out = this.chunks;
    this.chunks = [];
    return out;
  }
}

/** Builds a RecordBatch from columns that already have the types of `schema`. */
export function makeBatch(s: Schema, columns: readonly arrow.Data[], numRows: number): arrow.RecordBatch {
  return makeBatchWithArrowSchema(toArrowSchema(s), columns, numRows);
}

/** Builds a RecordBatch reusing an Arrow schema already built for this stream. */
export function makeBatchWithArrowSchema(
  arrowSchema: arrow.Schema,
  columns: readonly arrow.Data[],
  numRows: number,
): arrow.RecordBatch {
  const data = arrow.makeData({
    type: new arrow.Struct(arrowSchema.fields),
    length: numRows,
    nullCount: 0,
    children: columns as arrow.Data[],
  });
  const batch = new arrow.RecordBatch(arrowSchema, data);
  // Arrow merges a batch's schema by field name, so of two columns named alike (`SELECT a, a`,
  // `round(2.5), round(2.5D)`) the batch would keep one field twice, with the last one's type —
  // and an IPC stream written from it (spill files, Flight) would read one column's bytes as the
  // other's type. The batch keeps the schema it was built with.
  if (batch.schema.fields.length !== arrowSchema.fields.length || hasDuplicateNames(arrowSchema)) {
    (batch as { schema: arrow.Schema }).schema = arrowSchema;
  }
  return batch;
}

function hasDuplicateNames(schema: arrow.Schema): boolean {
  const fields = schema.fields;
  if (fields.length < 2) return false;
  const names = new Set<string>();
  for (const f of fields) {
    if (names.has(f.name)) return true;
    names.add(f.name);
  }
  return false;
}

/** The columns of a batch. */
export function batchColumns(batch: arrow.RecordBatch): readonly arrow.Data[] {
  return batch.data.children;
}

/** True when row `i` of `data` is not null. */
export function isValid(data: arrow.Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (bitmap === undefined || bitmap.length === 0) return data.typeId !== arrow.Type.Null;
  const j = data.offset + i;
  return (bitmap[j >> 3]! & (1 << (j & 7))) !== 0;
}

/** A signed 64-bit view of a Decimal(≤18) column's words, indexed by row. */
export function decimal64Values(data: arrow.Data): BigInt64Array {
  const words = data.values as Uint32Array;
  return new BigInt64Array(words.buffer, words.byteOffset, data.length);
}

/** A 64-bit view of a Decimal(>18) column: element 2i is the low word, 2i+1 the high word of row i. */
export function decimal128Words(data: arrow.Data): BigInt64Array {
  const words = data.values as Uint32Array;
  return new BigInt64Array(words.buffer, words.byteOffset, data.length * 2);
}

const TWO_64 = 1n << 64n;

/** Reads a Decimal(>18) unscaled value. */
export function readDecimal128(words: BigInt64Array, i: number): bigint {
  const lo = words[2 * i]!;
  const hi = words[2 * i + 1]!;
  return (hi << 64n) + (lo < 0n ? lo + TWO_64 : lo);
}

/** Writes a Decimal(>18) unscaled value. */
export function writeDecimal128(words: BigInt64Array, i: number, v: bigint): void {
  words[2 * i] = BigInt.asIntN(64, v);
  words[2 * i + 1] = BigInt.asIntN(64, v >> 64n);
}
