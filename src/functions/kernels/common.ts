/**
 * Shared helpers for vectorized kernels: turning a ColumnarValue into typed-array views with a
 * stride (0 for a scalar, 1 for an array, so one monomorphic loop serves both), one-byte validity,
 * and the ANSI error constructors every kernel raises.
 */
import { Type } from 'apache-arrow';
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  MAX_DECIMAL64_PRECISION,
  SqlState,
  columnFromValues,
  repeatValue,
  typeToString,
  unpackValidity,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue } from '../registry.ts';

/** A column of `n` rows for `v` (scalars are broadcast). */
export function toArray(v: ColumnarValue, n: number): arrow.Data {
  return v.kind === 'array' ? v.data : repeatValue(v.type, v.value, n);
}

/** One byte per row (1 = valid), or null when every row is valid. */
export function validityBytes(data: arrow.Data): Uint8Array | null {
  if (data.nullCount === 0 && !isNullType(data)) return null;
  return unpackValidity(data);
}

/** Whether a column has Arrow's Null type (every row NULL). */
export function isNullType(data: arrow.Data): boolean {
  return data.typeId === Type.Null;
}

/** Plain text of a single value (for messages and row-at-a-time functions). */
export function valueText(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  if (v instanceof Uint8Array) return Buffer.from(v).toString('hex');
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** Validity of a ColumnarValue with a stride: scalars are one byte. Null = all valid. */
export function validityOf(v: ColumnarValue): Uint8Array | null {
  if (v.kind === 'scalar') return v.value === null ? new Uint8Array(1) : null;
  return validityBytes(v.data);
}

export function strideOf(v: ColumnarValue): number {
  return v.kind === 'scalar' ? 0 : 1;
}

/** AND of two validities (with strides) into one byte per row; null when both are all valid. */
export function andValidity(
  a: Uint8Array | null,
  sa: number,
  b: Uint8Array | null,
  sb: number,
  n: number,
): Uint8Array | null {
  if (a === null && b === null) return null;
  const out = new Uint8Array(n);
  if (a === null) for (let i = 0; i < n; i++) out[i] = b![i * sb]!;
  else if (b === null) for (let i = 0; i < n; i++) out[i] = a[i * sa]!;
  else for (let i = 0; i < n; i++) out[i] = a[i * sa]! & b[i * sb]!;
  return out;
}

/** The fixed-width values of a column as a typed array indexed by row (offset applied). */
export function fixedValues<
  T extends Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array,
>(data: arrow.Data): T {
  const v = data.values as T;
  return v.subarray(data.offset, data.offset + data.length) as T;
}

/** A typed array for a ColumnarValue of a fixed-width number type: the column's values, or a 1-element array. */
export function numericValues(
  v: ColumnarValue,
  t: DataType,
): Int8Array | Int16Array | Int32Array | Float32Array | Float64Array {
  if (v.kind === 'array') return fixedValues(v.data);
  const out = allocNumber(t, 1);
  if (v.value !== null) out[0] = Number(v.value);
  return out;
}

export function bigintValues(v: ColumnarValue): BigInt64Array {
  if (v.kind === 'array') return fixedValues<BigInt64Array>(v.data);
  const out = new BigInt64Array(1);
  if (v.value !== null) out[0] = v.value as bigint;
  return out;
}

export function allocNumber(
  t: DataType,
  n: number,
): Int8Array | Int16Array | Int32Array | Float32Array | Float64Array {
  switch (t.kind) {
    case 'tinyint':
      return new Int8Array(n);
    case 'smallint':
      return new Int16Array(n);
    case 'int':
    case 'date':
    case 'interval_year_month':
      return new Int32Array(n);
    case 'float':
      return new Float32Array(n);
    default:
      return new Float64Array(n);
  }
}

/** Inclusive integral range of a small integral type. */
export function intRange(t: DataType): [number, number] {
  switch (t.kind) {
    case 'tinyint':
      return [-128, 127];
    case 'smallint':
      return [-32768, 32767];
    default:
      return [-2147483648, 2147483647];
  }
}

export const INT64_MIN = -(1n << 63n);
export const INT64_MAX = (1n << 63n) - 1n;

export function isDecimal64(t: DataType): boolean {
  return t.kind === 'decimal' && t.precision <= MAX_DECIMAL64_PRECISION;
}

/** Spark's upper-case type name for error messages: `INT`, `DECIMAL(10,2)`. */
export function sqlTypeName(t: DataType): string {
  return typeToString(t).toUpperCase();
}

export function overflowError(what: string, suggestion = 'try_add'): EngineError {
  return new EngineError(SqlState.numericValueOutOfRange, `[ARITHMETIC_OVERFLOW] ${what} overflow.`, {
    hint: `Use '${suggestion}' to tolerate overflow and return NULL instead. If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.`,
  });
}

export function divideByZeroError(): EngineError {
  return new EngineError(SqlState.divisionByZero, '[DIVIDE_BY_ZERO] Division by zero.', {
    hint: 'Use `try_divide` to tolerate divisor being 0 and return NULL instead. If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.',
  });
}

export function decimalOverflowError(text: string, precision: number, scale: number): EngineError {
  return new EngineError(
    SqlState.numericValueOutOfRange,
    `[NUMERIC_VALUE_OUT_OF_RANGE] ${text} cannot be represented as Decimal(${precision}, ${scale}): arithmetic overflow.`,
    {
      hint: 'If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error, and return NULL instead.',
    },
  );
}

/** Row-at-a-time reader for cold paths (functions on small data, constant folding). */
export function rowReader(v: ColumnarValue, t: DataType): (i: number) => Value {
  if (v.kind === 'scalar') {
    const value = v.value;
    return () => value;
  }
  const data = v.data;
  return (i) => valueAt(data, t, i);
}

/** Builds the result of a row-at-a-time function: a scalar when every input is a scalar. */
export function mapRows(
  args: readonly ColumnarValue[],
  types: readonly DataType[],
  numRows: number,
  returnType: DataType,
  f: (values: Value[]) => Value,
  nullIntolerant = true,
): ColumnarValue {
  const allScalar = args.every((a) => a.kind === 'scalar');
  const readers = args.map((a, k) => rowReader(a, types[k]!));
  const n = allScalar ? 1 : numRows;
  const out: Value[] = new Array<Value>(n);
  const row: Value[] = new Array<Value>(args.length);
  for (let i = 0; i < n; i++) {
    let hasNull = false;
    for (let k = 0; k < readers.length; k++) {
      const x = readers[k]!(i);
      row[k] = x;
      if (x === null) hasNull = true;
    }
    out[i] = nullIntolerant && hasNull ? null : f(row);
  }
  if (allScalar) return { kind: 'scalar', value: out[0] ?? null, type: returnType };
  return { kind: 'array', data: columnFromValues(returnType, out) };
}

/** The value of a scalar argument, or undefined when it is a column. */
export function scalarValue(v: ColumnarValue | undefined): Value | undefined {
  return v !== undefined && v.kind === 'scalar' ? v.value : undefined;
}
