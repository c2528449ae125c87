/**
 * Text format (format code 0) of a column, straight from the Arrow buffers: a formatter is chosen
 * once per column by type, then one loop over the rows writes every cell into a ByteSink. String
 * and binary-as-text-free columns (string) reuse the Arrow bytes without copying.
 */
import type * as arrow from 'apache-arrow';
import {
  MAX_DECIMAL64_PRECISION,
  readCalendarInterval,
  readDecimal128,
  unpackValidity,
  unpackBits,
} from '../common/index.ts';
import type { DataType } from '../common/index.ts';
import { ByteSink, int64AsNumber, wordsOf, type ColumnCells } from './cells.ts';
import { formatFloat4, formatFloat8 } from './float-text.ts';
import {
  MICROS_PER_SECOND,
  writeDate,
  writeCalendarInterval,
  writeDayTimeInterval,
  writeOffset,
  writeTimestamp,
  writeTimestampBig,
  writeTimeOfDay,
  writeDayTimeIntervalBig,
  writeYearMonthInterval,
} from './datetime-text.ts';
import type { ZoneOffsets } from './time-zone.ts';

export interface TextFormatContext {
  /** The session's TimeZone, for `timestamp` (with time zone) values. */
  readonly zone: ZoneOffsets;
}

const BC = ' BC';
const HEX = '0123456789abcdef';

function hasNulls(valid: Uint8Array): boolean {
  for (let i = 0; i < valid.length; i++) if (valid[i] === 0) return true;
  return false;
}

/** Formats `data` (a column of `type`) as PostgreSQL text cells. */
export function formatTextColumn(data: arrow.Data, type: DataType, ctx: TextFormatContext): ColumnCells {
  const n = data.length;
  const validAll = unpackValidity(data);
  const valid = hasNulls(validAll) ? validAll : null;
  if (type.kind === 'string') {
    const offsets = (data.valueOffsets as Int32Array).subarray(0, n + 1);
    return { bytes: data.values as Uint8Array, offsets, valid };
  }
  if (type.kind === 'null') {
    return { bytes: new Uint8Array(0), offsets: new Int32Array(n + 1), valid: validAll };
  }
  const sink = new ByteSink(n * estimateWidth(type) + 16);
  const offsets = new Int32Array(n + 1);
  writeTextCells(sink, offsets, data, type, validAll, ctx);
  return { bytes: sink.buf, offsets, valid };
}

function estimateWidth(type: DataType): number {
  switch (type.kind) {
    case 'boolean':
      return 1;
    case 'tinyint':
    case 'smallint':
    case 'int':
      return 6;
    case 'date':
      return 10;
    case 'timestamp':
    case 'timestamp_ntz':
      return 26;
    case 'time':
      return 15;
    default:
      return 12;
  }
}

/** Writes the text of every row of `data` into `sink`, recording `offsets` (rows + 1 entries). */
function writeTextCells(
  sink: ByteSink,
  offsets: Int32Array,
  data: arrow.Data,
  type: DataType,
  valid: Uint8Array,
  ctx: TextFormatContext,
): void {
  const n = data.length;
  // arrow-js slices value and offset buffers itself; `data.offset` applies to bitmaps only.
  const off = 0;
  offsets[0] = sink.pos;
  switch (type.kind) {
    case 'null':
    case 'string':
    case 'binary': {
      const src = data.valueOffsets as Int32Array | undefined;
      const bytes = data.values as Uint8Array | undefined;
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 0 && src !== undefined && bytes !== undefined) {
          const s = src[off + i]!;
          const e = src[off + i + 1]!;
          if (type.kind === 'binary') {
            sink.ensure(2 + 2 * (e - s));
            sink.byte(92);
            sink.byte(120);
            for (let k = s; k < e; k++) {
              const b = bytes[k]!;
              sink.buf[sink.pos++] = HEX.charCodeAt(b >> 4);
              sink.buf[sink.pos++] = HEX.charCodeAt(b & 15);
            }
          } else sink.bytes(bytes.subarray(s, e));
        }
        offsets[i + 1] = sink.pos;
      }
      return;
    }
    case 'boolean': {
      const bits = unpackBits(data);
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 0) sink.byte(bits[i] !== 0 ? 116 : 102);
        offsets[i + 1] = sink.pos;
      }
      return;
    }
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'interval_year_month': {
      const values = data.values as Int8Array | Int16Array | Int32Array;
      const kind = type.kind;
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 0) {
          const v = values[off + i]!;
          if (kind === 'date') {
            if (writeDate(sink, v)) sink.ascii(BC);
          } else if (kind === 'interval_year_month') writeYearMonthInterval(sink, v);
          else sink.int(v);
        }
        offsets[i + 1] = sink.pos;
      }
      return;
    }
    case 'float':
    case 'double': {
      const values = data.values as Float32Array | Float64Array;
      const format = type.kind === 'float' ? formatFloat4 : formatFloat8;
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 0) sink.ascii(format(values[off + i]!));
        offsets[i + 1] = sink.pos;
      }
      return;
    }
    case 'time': {
      // Microseconds since midnight always fit a double.
      const values = data.values as BigInt64Array;
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 0) writeTimeOfDay(sink, Number(values[off + i]!));
        offsets[i + 1] = sink.pos;
      }
      return;
    }
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'interval_day_time': {
      const values = data.values as BigInt64Array;
      const words = wordsOf(values);
      const kind = type.kind;
      const zone = ctx.zone;
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 0) {
          const j = off + i;
          const v = int64AsNumber(words, j);
          if (kind === 'bigint') {
            if (v === v) sink.int(v);
            else sink.ascii(String(values[j]!));
          } else if (v !== v) {
            // Beyond ±2^53 µs: split with BigInt (rare: dates before 1685 or after 2255).
            const big = values[j]!;
            if (kind === 'timestamp_ntz') {
              if (writeTimestampBig(sink, big)) sink.ascii(BC);
            } else if (kind === 'timestamp') {
              const offset = zone.isUtc ? 0 : zone.offsetAt(Number(big / 1_000_000n));
              const bc = writeTimestampBig(sink, big + BigInt(offset) * 1_000_000n);
              writeOffset(sink, offset);
              if (bc) sink.ascii(BC);
            } else writeDayTimeIntervalBig(sink, big);
          } else if (kind === 'timestamp_ntz') {
            if (writeTimestamp(sink, v)) sink.ascii(BC);
          } else if (kind === 'timestamp') {
            const offset = zone.isUtc ? 0 : zone.offsetAt(Math.floor(v / MICROS_PER_SECOND));
            const bc = writeTimestamp(sink, v + offset * MICROS_PER_SECOND);
            writeOffset(sink, offset);
            if (bc) sink.ascii(BC);
          } else writeDayTimeInterval(sink, v);
        }
        offsets[i + 1] = sink.pos;
      }
      return;
    }
    case 'decimal': {
      const scale = type.scale;
      if (type.precision <= MAX_DECIMAL64_PRECISION) {
        const words = wordsOf(data.values as Uint32Array);
        const pow = 10 ** scale;
        for (let i = 0; i < n; i++) {
          if (valid[i] !== 0) {
            const v = int64AsNumber(words, off + i);
            if (v === v && scale <= 15) writeScaledNumber(sink, v, scale, pow);
            else {
              const lo = BigInt(words[2 * (off + i)]!);
              const hi = BigInt(words[2 * (off + i) + 1]! | 0);
              writeScaledBigInt(sink, (hi << 32n) | lo, scale);
            }
          }
          offsets[i + 1] = sink.pos;
        }
      } else {
        const words = decimal128View(data);
        for (let i = 0; i < n; i++) {
          if (valid[i] !== 0) writeScaledBigInt(sink, readDecimal128(words, i), scale);
          offsets[i + 1] = sink.pos;
        }
      }
      return;
    }
    case 'calendar_interval': {
      const words = data.values as Int32Array;
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 0) {
          const [months, days, micros] = readCalendarInterval(words, off + i);
          writeCalendarInterval(sink, months, days, micros);
        }
        offsets[i + 1] = sink.pos;
      }
      return;
    }
    case 'array':
    case 'map':
    case 'struct':
      writeNestedCells(sink, offsets, data, type, valid, ctx);
      return;
  }
}

/** Writes an exact decimal from a safe-integer unscaled value (`pow` = 10^scale). */
function writeScaledNumber(sink: ByteSink, v: number, scale: number, pow: number): void {
  let abs = v;
  if (v < 0) {
    sink.byte(45);
    abs = -v;
  }
  if (scale === 0) {
    sink.uint(abs);
    return;
  }
  let whole = Math.floor(abs / pow);
  let frac = abs - whole * pow;
  if (frac < 0) {
    whole--;
    frac += pow;
  } else if (frac >= pow) {
    whole++;
    frac -= pow;
  }
  sink.uint(whole);
  sink.byte(46);
  sink.padded(frac, scale);
}

/** Writes an exact decimal from a BigInt unscaled value. */
export function writeScaledBigInt(sink: ByteSink, v: bigint, scale: number): void {
  sink.ascii(scaledToString(v, scale));
}

/** `12345n, 2` → `123.45`; `-5n, 2` → `-0.05`. */
export function scaledToString(v: bigint, scale: number): string {
  const negative = v < 0n;
  let digits = (negative ? -v : v).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** Arrays as `{1,2,NULL}`, structs as `(a,b)`, maps as `{k=>v}`; strings quoted where PostgreSQL would. */
function writeNestedCells(
  sink: ByteSink,
  offsets: Int32Array,
  data: arrow.Data,
  type: DataType,
  valid: Uint8Array,
  ctx: TextFormatContext,
): void {
  const n = data.length;
  // arrow-js slices value and offset buffers itself; `data.offset` applies to bitmaps only.
  const off = 0;
  if (type.kind === 'array' || type.kind === 'map') {
    const child = data.children[0]!;
    const listOffsets = data.valueOffsets as Int32Array;
    const first = listOffsets[off]!;
    const last = listOffsets[off + n]!;
    const slice = child.slice(first, last - first);
    if (type.kind === 'array') {
      const el = formatTextColumn(slice, type.element, ctx);
      const quote = needsQuoting(type.element);
      for (let i = 0; i < n; i++) {
        if (valid[i] !== 0) {
          sink.byte(123);
          for (let k = listOffsets[off + i]! - first, e = listOffsets[off + i + 1]! - first; k < e; k++) {
            if (k > listOffsets[off + i]! - first) sink.byte(44);
            writeElement(sink, el, k, quote, 'NULL');
          }
          sink.byte(125);
        }
        offsets[i + 1] = sink.pos;
      }
      return;
    }
    const keys = formatTextColumn(slice.children[0]!, type.key, ctx);
    const values = formatTextColumn(slice.children[1]!, type.value, ctx);
    for (let i = 0; i < n; i++) {
      if (valid[i] !== 0) {
        sink.byte(123);
        for (let k = listOffsets[off + i]! - first, e = listOffsets[off + i + 1]! - first; k < e; k++) {
          if (k > listOffsets[off + i]! - first) sink.byte(44);
          writeElement(sink, keys, k, needsQuoting(type.key), 'NULL');
          sink.ascii('=>');
          writeElement(sink, values, k, needsQuoting(type.value), 'NULL');
        }
        sink.byte(125);
      }
      offsets[i + 1] = sink.pos;
    }
    return;
  }
  if (type.kind !== 'struct') return;
  const fields = type.fields.map((f, c) => ({
    cells: formatTextColumn(data.children[c]!, f.type, ctx),
    quote: needsQuoting(f.type),
  }));
  for (let i = 0; i < n; i++) {
    if (valid[i] !== 0) {
      sink.byte(40);
      for (let c = 0; c < fields.length; c++) {
        if (c > 0) sink.byte(44);
        writeElement(sink, fields[c]!.cells, i, fields[c]!.quote, '');
      }
      sink.byte(41);
    }
    offsets[i + 1] = sink.pos;
  }
}

function needsQuoting(type: DataType): boolean {
  return !(
    // Inner arrays nest unquoted, as PostgreSQL writes multidimensional arrays: {{1,2},{3}}.
    type.kind === 'array' ||
    type.kind === 'boolean' ||
    type.kind === 'tinyint' ||
    type.kind === 'smallint' ||
    type.kind === 'int' ||
    type.kind === 'bigint' ||
    type.kind === 'float' ||
    type.kind === 'double' ||
    type.kind === 'decimal' ||
    type.kind === 'date' ||
    type.kind === 'time'
  );
}

function writeElement(sink: ByteSink, cells: ColumnCells, k: number, quote: boolean, nullText: string): void {
  if (cells.valid !== null && cells.valid[k] === 0) {
    sink.ascii(nullText);
    return;
  }
  const s = cells.offsets[k]!;
  const e = cells.offsets[k + 1]!;
  const bytes = cells.bytes;
  let mustQuote = false;
  if (quote) {
    mustQuote = e === s;
    for (let p = s; p < e && !mustQuote; p++) {
      const b = bytes[p]!;
      mustQuote =
        b === 34 || b === 92 || b === 123 || b === 125 || b === 44 || b === 40 || b === 41 || b <= 32;
    }
    if (!mustQuote && e - s === 4) {
      const w = String.fromCharCode(bytes[s]!, bytes[s + 1]!, bytes[s + 2]!, bytes[s + 3]!).toUpperCase();
      mustQuote = w === 'NULL';
    }
  }
  if (!mustQuote) {
    sink.bytes(bytes.subarray(s, e));
    return;
  }
  sink.byte(34);
  for (let p = s; p < e; p++) {
    const b = bytes[p]!;
    if (b === 34 || b === 92) sink.byte(92);
    sink.byte(b);
  }
  sink.byte(34);
}

/** 64-bit words of a Decimal128 column (two per row, low first), from the already-sliced values. */
function decimal128View(data: arrow.Data): BigInt64Array {
  const words = data.values as Uint32Array;
  return new BigInt64Array(words.buffer, words.byteOffset, data.length * 2);
}
