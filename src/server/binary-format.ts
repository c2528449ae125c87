/**
 * Binary format (format code 1) of a column, as PostgreSQL's `*send` functions write it: big-endian
 * integers and floats, numeric in base-10000 digits, date as int32 days and timestamps as int64 µs
 * since 2000-01-01, time as int64 µs since midnight, interval as (µs, days, months), arrays as array_send writes them. One loop per
 * column over the Arrow buffers.
 */
import type * as arrow from 'apache-arrow';
import {
  MAX_DECIMAL64_PRECISION,
  pgTypeOf,
  readCalendarInterval,
  readDecimal128,
  unpackBits,
  unpackValidity,
} from '../common/index.ts';
import type { DataType } from '../common/index.ts';
import { ByteSink, int64AsNumber, wordsOf, type ColumnCells } from './cells.ts';
import { MICROS_PER_DAY, PG_EPOCH_DAYS, PG_EPOCH_MICROS } from './datetime-text.ts';

/**
 * True when `type` has a binary encoding here; other columns are always sent as text. Arrays are
 * one-dimensional arrays of such scalars (a Spark array of arrays may be ragged, which PostgreSQL's
 * binary arrays cannot be).
 */
export function supportsBinary(type: DataType): boolean {
  if (type.kind === 'array') return type.element.kind !== 'array' && supportsBinary(type.element);
  return type.kind !== 'map' && type.kind !== 'struct';
}

function fixedWidth(type: DataType): number {
  switch (type.kind) {
    case 'boolean':
      return 1;
    case 'tinyint':
    case 'smallint':
      return 2;
    case 'int':
    case 'float':
    case 'date':
      return 4;
    case 'bigint':
    case 'double':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
      return 8;
    case 'interval_day_time':
    case 'interval_year_month':
      return 16;
    default:
      return 16;
  }
}

/** Formats `data` (a column of `type`) as PostgreSQL binary cells. */
export function formatBinaryColumn(data: arrow.Data, type: DataType): ColumnCells {
  const n = data.length;
  // arrow-js slices value and offset buffers itself; `data.offset` applies to bitmaps only.
  const off = 0;
  const validAll = unpackValidity(data);
  let anyNull = false;
  for (let i = 0; i < n; i++) if (validAll[i] === 0) anyNull = true;
  const valid = anyNull ? validAll : null;
  if (type.kind === 'string' || type.kind === 'binary') {
    const offsets = (data.valueOffsets as Int32Array).subarray(0, n + 1);
    return { bytes: data.values as Uint8Array, offsets, valid };
  }
  const sink = new ByteSink(n * fixedWidth(type) + 16);
  const offsets = new Int32Array(n + 1);
  switch (type.kind) {
    case 'null':
      return { bytes: new Uint8Array(0), offsets, valid: validAll };
    case 'boolean': {
      const bits = unpackBits(data);
      for (let i = 0; i < n; i++) {
        if (validAll[i] !== 0) sink.byte(bits[i]!);
        offsets[i + 1] = sink.pos;
      }
      break;
    }
    case 'tinyint':
    case 'smallint': {
      const values = data.values as Int8Array | Int16Array;
      for (let i = 0; i < n; i++) {
        if (validAll[i] !== 0) sink.int16(values[off + i]!);
        offsets[i + 1] = sink.pos;
      }
      break;
    }
    case 'int':
    case 'date': {
      const values = data.values as Int32Array;
      const shift = type.kind === 'date' ? PG_EPOCH_DAYS : 0;
      for (let i = 0; i < n; i++) {
        if (validAll[i] !== 0) sink.int32(values[off + i]! - shift);
        offsets[i + 1] = sink.pos;
      }
      break;
    }
    case 'float':
    case 'double': {
      const values = data.values as Float32Array | Float64Array;
      const width = type.kind === 'float' ? 4 : 8;
      const bytes = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
      for (let i = 0; i < n; i++) {
        if (validAll[i] !== 0) {
          sink.ensure(width);
          const base = (off + i) * width;
          // Host order is little-endian; the wire is big-endian.
          for (let k = width - 1; k >= 0; k--) sink.buf[sink.pos++] = bytes[base + k]!;
        }
        offsets[i + 1] = sink.pos;
      }
      break;
    }
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time': {
      const values = data.values as BigInt64Array;
      const words = wordsOf(values);
      const shift = type.kind === 'bigint' || type.kind === 'time' ? 0 : PG_EPOCH_MICROS;
      for (let i = 0; i < n; i++) {
        if (validAll[i] !== 0) {
          const v = int64AsNumber(words, off + i);
          if (v === v && Number.isSafeInteger(v - shift)) sink.int64(v - shift);
          else sink.int64Big(values[off + i]! - BigInt(shift));
        }
        offsets[i + 1] = sink.pos;
      }
      break;
    }
    case 'interval_year_month': {
      const values = data.values as Int32Array;
      for (let i = 0; i < n; i++) {
        if (validAll[i] !== 0) {
          sink.int64(0);
          sink.int32(0);
          sink.int32(values[off + i]!);
        }
        offsets[i + 1] = sink.pos;
      }
      break;
    }
    case 'calendar_interval': {
      // PostgreSQL's interval: microseconds (int64), days (int32), months (int32)
      const words = data.values as Int32Array;
      for (let i = 0; i < n; i++) {
        if (validAll[i] !== 0) {
          const [months, days, micros] = readCalendarInterval(words, off + i);
          sink.int64Big(micros);
          sink.int32(days);
          sink.int32(months);
        }
        offsets[i + 1] = sink.pos;
      }
      break;
    }
    case 'interval_day_time': {
      const values = data.values as BigInt64Array;
      for (let i = 0; i < n; i++) {
        if (validAll[i] !== 0) {
          const v = values[off + i]!;
          const days = v / BigInt(MICROS_PER_DAY);
          sink.int64Big(v - days * BigInt(MICROS_PER_DAY));
          sink.int32(Number(days));
          sink.int32(0);
        }
        offsets[i + 1] = sink.pos;
      }
      break;
    }
    case 'decimal': {
      if (type.precision <= MAX_DECIMAL64_PRECISION) {
        const words = wordsOf(data.values as Uint32Array);
        for (let i = 0; i < n; i++) {
          if (validAll[i] !== 0) {
            const j = off + i;
            const v = (BigInt(words[2 * j + 1]! | 0) << 32n) | BigInt(words[2 * j]!);
            writeNumericBinary(sink, v, type.scale);
          }
          offsets[i + 1] = sink.pos;
        }
      } else {
        const words = decimal128View(data);
        for (let i = 0; i < n; i++) {
          if (validAll[i] !== 0) writeNumericBinary(sink, readDecimal128(words, i), type.scale);
          offsets[i + 1] = sink.pos;
        }
      }
      break;
    }
    case 'array':
      writeArrayCells(sink, offsets, data, type, validAll);
      break;
    case 'map':
    case 'struct':
      // Never requested: supportsBinary() sends these as text.
      break;
  }
  return { bytes: sink.buf, offsets, valid };
}

/** PostgreSQL's numeric_send: ndigits, weight, sign, dscale, then base-10000 digits. */
export function writeNumericBinary(sink: ByteSink, unscaled: bigint, scale: number): void {
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString();
  if (unscaled === 0n) {
    sink.int16(0);
    sink.int16(0);
    sink.int16(0);
    sink.int16(scale);
    return;
  }
  // Split into integer and fraction digit strings, then pad to whole groups of four around the point.
  const intLen = digits.length - scale;
  const intDigits = intLen > 0 ? digits.slice(0, intLen) : '';
  const fracDigits = intLen > 0 ? digits.slice(intLen) : '0'.repeat(-intLen) + digits;
  const intPadded = '0'.repeat((4 - (intDigits.length % 4)) % 4) + intDigits;
  const fracPadded = fracDigits + '0'.repeat((4 - (fracDigits.length % 4)) % 4);
  const groups: number[] = [];
  for (let k = 0; k < intPadded.length; k += 4) groups.push(Number(intPadded.slice(k, k + 4)));
  for (let k = 0; k < fracPadded.length; k += 4) groups.push(Number(fracPadded.slice(k, k + 4)));
  let weight = intPadded.length / 4 - 1;
  let start = 0;
  while (start < groups.length && groups[start] === 0) {
    start++;
    weight--;
  }
  let end = groups.length;
  while (end > start && groups[end - 1] === 0) end--;
  sink.int16(end - start);
  sink.int16(weight);
  sink.int16(negative ? 0x4000 : 0);
  sink.int16(scale);
  for (let k = start; k < end; k++) sink.int16(groups[k]!);
}

/** 64-bit words of a Decimal128 column (two per row, low first), from the already-sliced values. */
function decimal128View(data: arrow.Data): BigInt64Array {
  const words = data.values as Uint32Array;
  return new BigInt64Array(words.buffer, words.byteOffset, data.length * 2);
}

/**
 * PostgreSQL's array_send for one-dimensional arrays: ndim (0 for an empty array), a has-NULL flag,
 * the element type OID, then size and lower bound 1, then each element as its length (-1 for NULL)
 * and its binary form. The elements of the whole batch are formatted once, as one column.
 */
function writeArrayCells(
  sink: ByteSink,
  offsets: Int32Array,
  data: arrow.Data,
  type: DataType & { kind: 'array' },
  valid: Uint8Array,
): void {
  const n = data.length;
  const listOffsets = data.valueOffsets as Int32Array;
  const first = listOffsets[0]!;
  const elements = formatBinaryColumn(data.children[0]!.slice(first, listOffsets[n]! - first), type.element);
  const elementOid = pgTypeOf(type.element).oid;
  for (let i = 0; i < n; i++) {
    if (valid[i] !== 0) {
      const from = listOffsets[i]! - first;
      const to = listOffsets[i + 1]! - first;
      let hasNull = 0;
      if (elements.valid !== null) for (let k = from; k < to; k++) if (elements.valid[k] === 0) hasNull = 1;
      sink.int32(to > from ? 1 : 0);
      sink.int32(hasNull);
      sink.int32(elementOid);
      if (to > from) {
        sink.int32(to - from);
        sink.int32(1);
      }
      for (let k = from; k < to; k++) {
        if (elements.valid !== null && elements.valid[k] === 0) {
          sink.int32(-1);
          continue;
        }
        const s = elements.offsets[k]!;
        const e = elements.offsets[k + 1]!;
        sink.int32(e - s);
        sink.bytes(elements.bytes.subarray(s, e));
      }
    }
    offsets[i + 1] = sink.pos;
  }
}
