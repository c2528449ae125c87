/**
 * Row-group statistics as ranges in the value domain of the table's declared column type (see
 * src/common/types.ts for the representation), so pruning compares them with literals exactly.
 *
 * Bounds are only trusted where their order is the declared type's order: `min_value`/`max_value`
 * always, the deprecated `min`/`max` only for signed numbers (older writers compared bytes signed);
 * strings and binary stay as bytes (compared unsigned); decimals are rescaled exactly as bigints;
 * timestamps become microseconds the way the reader converts values (floor), so the ranges hold for
 * what the reader yields; float bounds that are NaN, and INT96 timestamps, give no range.
 */
import type { SchemaElement } from 'hyparquet';
import { truncateTime, type DataType, type Value } from '../../common/index.ts';
import type { RawStatistics } from './parquet-footer.ts';
import type { FileColumn } from './parquet-schema.ts';

/** What is known of one column in one row group (or one file, for partition columns). */
export interface ColumnRange {
  /** Both null when unknown. */
  readonly min: Value;
  readonly max: Value;
  /** Null when unknown. */
  readonly nullCount: number | null;
  readonly rowCount: number;
}

export function unknownRange(rowCount: number): ColumnRange {
  return { min: null, max: null, nullCount: null, rowCount };
}

function isUnsigned(e: SchemaElement): boolean {
  const lt = e.logical_type;
  if (lt?.type === 'INTEGER') return !lt.isSigned;
  return e.converted_type?.startsWith('UINT_') ?? false;
}

function timestampUnit(e: SchemaElement): 'MILLIS' | 'MICROS' | 'NANOS' {
  const lt = e.logical_type;
  if (lt?.type === 'TIMESTAMP') return lt.unit;
  return e.converted_type === 'TIMESTAMP_MILLIS' ? 'MILLIS' : 'MICROS';
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}

/** Big-endian two's complement bytes as a bigint (Parquet's FIXED/BYTE_ARRAY decimals). */
export function bigEndianSigned(b: Uint8Array): bigint {
  if (b.length === 0) return 0n;
  let v = 0n;
  for (let i = 0; i < b.length; i++) v = (v << 8n) | BigInt(b[i]!);
  return b[0]! >= 0x80 ? v - (1n << BigInt(8 * b.length)) : v;
}

/** The stored integer of a statistics value, as a bigint (null when the bytes do not fit the type). */
function storedInteger(e: SchemaElement, b: Uint8Array): bigint | null {
  const unsigned = isUnsigned(e);
  switch (e.type) {
    case 'INT32':
      if (b.length !== 4) return null;
      return unsigned ? BigInt(view(b).getUint32(0, true)) : BigInt(view(b).getInt32(0, true));
    case 'INT64':
      if (b.length !== 8) return null;
      return unsigned ? view(b).getBigUint64(0, true) : view(b).getBigInt64(0, true);
    case 'FIXED_LEN_BYTE_ARRAY':
    case 'BYTE_ARRAY':
      return bigEndianSigned(b);
    default:
      return null;
  }
}

function storedScale(e: SchemaElement): number {
  const lt = e.logical_type;
  if (lt?.type === 'DECIMAL') return lt.scale;
  return e.converted_type === 'DECIMAL' ? (e.scale ?? 0) : 0;
}

function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n ? q - 1n : q;
}

/** One statistics value in the declared type's domain, or null when it cannot be used. */
function decodeBound(column: FileColumn, declared: DataType, b: Uint8Array): Value {
  const e = column.element;
  switch (declared.kind) {
    case 'boolean':
      return e.type === 'BOOLEAN' && b.length >= 1 ? b[0] === 1 : null;
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date': {
      if (e.type !== 'INT32') return null;
      const v = storedInteger(e, b);
      return v === null ? null : Number(v);
    }
    case 'bigint': {
      if (e.type !== 'INT32' && e.type !== 'INT64') return null;
      return storedInteger(e, b);
    }
    case 'float':
    case 'double': {
      let v: number;
      if (e.type === 'FLOAT' && b.length === 4) v = view(b).getFloat32(0, true);
      else if (e.type === 'DOUBLE' && b.length === 8) v = view(b).getFloat64(0, true);
      else if ((e.type === 'INT32' || e.type === 'INT64') && column.type?.kind !== 'decimal') {
        const i = storedInteger(e, b);
        if (i === null) return null;
        v = Number(i);
      } else return null;
      return Number.isNaN(v) ? null : v;
    }
    case 'decimal': {
      if (e.type === 'BOOLEAN' || e.type === 'FLOAT' || e.type === 'DOUBLE' || e.type === 'INT96')
        return null;
      const v = storedInteger(e, b);
      if (v === null) return null;
      const shift = declared.scale - storedScale(e);
      return shift < 0 ? null : v * 10n ** BigInt(shift);
    }
    case 'string':
      if (declared.fixed === true) return null; // CHAR(n) compares padded
      return e.type === 'BYTE_ARRAY' ? b : null;
    case 'binary':
      return e.type === 'BYTE_ARRAY' ? b : null;
    case 'timestamp':
    case 'timestamp_ntz': {
      if (e.type === 'INT32' && column.type?.kind === 'date') {
        const v = storedInteger(e, b);
        return v === null ? null : v * 86_400_000_000n;
      }
      if (e.type !== 'INT64' || b.length !== 8) return null;
      const v = view(b).getBigInt64(0, true);
      switch (timestampUnit(e)) {
        case 'MILLIS':
          return v * 1000n;
        case 'MICROS':
          return v;
        case 'NANOS':
          return floorDiv(v, 1000n);
      }
      return null;
    }
    case 'time': {
      // Bounds of µs-since-midnight columns only (a cut to fewer digits keeps their order).
      const lt = e.logical_type;
      if (e.type !== 'INT64' || b.length !== 8 || lt?.type !== 'TIME' || lt.unit !== 'MICROS') return null;
      return truncateTime(view(b).getBigInt64(0, true), declared.precision);
    }
    default:
      return null;
  }
}

/** Whether the deprecated signed-order `min`/`max` are valid bounds for this column. */
function legacyBoundsUsable(column: FileColumn): boolean {
  const e = column.element;
  if (isUnsigned(e)) return false;
  return (
    e.type === 'BOOLEAN' ||
    e.type === 'INT32' ||
    e.type === 'INT64' ||
    e.type === 'FLOAT' ||
    e.type === 'DOUBLE'
  );
}

/** The range of one column chunk in the declared type's domain. */
export function columnChunkRange(
  column: FileColumn,
  declared: DataType,
  stats: RawStatistics | undefined,
  rowCount: number,
): ColumnRange {
  if (stats === undefined || column.type === null) return unknownRange(rowCount);
  let minBytes = stats.minValue;
  let maxBytes = stats.maxValue;
  if ((minBytes === undefined || maxBytes === undefined) && legacyBoundsUsable(column)) {
    minBytes = stats.legacyMin;
    maxBytes = stats.legacyMax;
  }
  let min: Value = null;
  let max: Value = null;
  if (minBytes !== undefined && maxBytes !== undefined && column.element.type !== 'INT96') {
    min = decodeBound(column, declared, minBytes);
    max = decodeBound(column, declared, maxBytes);
    if (min === null || max === null) {
      min = null;
      max = null;
    }
  }
  return { min, max, nullCount: stats.nullCount ?? null, rowCount };
}
