/**
 * One output column of a CSV scan: converts field bytes into the column's Arrow buffers at a given
 * row, and wraps them as an Arrow column when the batch is full. One class for every type (a `kind`
 * switch) keeps the call site in the record loop monomorphic.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  MAX_DECIMAL64_PRECISION,
  SqlState,
  makeColumn,
  makeStringColumn,
  parseTime,
  truncateTime,
  typeToString,
  writeDecimal128,
  type DataType,
} from '../../common/index.ts';
import type { CsvOptions } from './csv-options.ts';
import {
  MALFORMED,
  OK,
  latin1,
  isValidUtf8,
  parseBigIntSlow,
  parseBoolean,
  parseDecimalFast,
  parseDecimalSlow,
  parseDouble,
  parseIntFast,
  status,
  writeInt64Words,
} from './csv-field-parsers.ts';
import { parseDate, parseTimestamp } from './csv-datetime-parsers.ts';
import { ESCAPED, GARBAGE, QUOTED, type TokenBlock } from './token-block.ts';

const K_BOOLEAN = 0;
const K_TINYINT = 1;
const K_SMALLINT = 2;
const K_INT = 3;
const K_BIGINT = 4;
const K_FLOAT = 5;
const K_DOUBLE = 6;
const K_DECIMAL64 = 7;
const K_DECIMAL128 = 8;
const K_STRING = 9;
const K_DATE = 10;
const K_TIMESTAMP = 11;
const K_TIME = 12;

const INT64_MIN = -(1n << 63n);
const INT64_MAX = (1n << 63n) - 1n;

function kindOf(type: DataType): number {
  switch (type.kind) {
    case 'boolean':
      return K_BOOLEAN;
    case 'tinyint':
      return K_TINYINT;
    case 'smallint':
      return K_SMALLINT;
    case 'int':
      return K_INT;
    case 'bigint':
      return K_BIGINT;
    case 'float':
      return K_FLOAT;
    case 'double':
      return K_DOUBLE;
    case 'decimal':
      return type.precision <= MAX_DECIMAL64_PRECISION ? K_DECIMAL64 : K_DECIMAL128;
    case 'string':
    case 'binary':
      return K_STRING;
    case 'date':
      return K_DATE;
    case 'timestamp':
    case 'timestamp_ntz':
      return K_TIMESTAMP;
    case 'time':
      return K_TIME;
    case 'null':
    case 'interval_year_month':
    case 'interval_day_time':
    case 'calendar_interval':
    case 'array':
    case 'map':
    case 'struct':
      throw new EngineError(
        SqlState.featureNotSupported,
        `CSV columns of type ${typeToString(type)} are not supported`,
      );
  }
}

/** True when the CSV reader can produce `type`. */
export function csvSupportsType(type: DataType): boolean {
  try {
    kindOf(type);
    return true;
  } catch {
    return false;
  }
}

const EMPTY_I32 = new Int32Array(0);
const EMPTY_U8 = new Uint8Array(0);
const EMPTY_F64 = new Float64Array(0);
const EMPTY_U32 = new Uint32Array(0);
const EMPTY_I64 = new BigInt64Array(0);

export class CsvColumnBuilder {
  readonly type: DataType;
  private readonly zone: string;
  private readonly kind: number;
  private readonly capacity: number;
  private readonly precision: number;
  private readonly scale: number;
  private readonly nullValue: Uint8Array;
  private readonly emptyValue: Uint8Array;
  private readonly options: CsvOptions;
  private valid: Uint8Array = EMPTY_U8;
  private nulls = 0;
  /** boolean 0/1, or string bytes. */
  private u8: Uint8Array = EMPTY_U8;
  private i32: Int32Array = EMPTY_I32;
  private f64: Float64Array = EMPTY_F64;
  /** 64-bit values (bigint, decimal64) as 2 words, decimal128 as 4 words. */
  private words: Uint32Array = EMPTY_U32;
  private i64: BigInt64Array = EMPTY_I64;
  private offsets: Int32Array = EMPTY_I32;
  private byteLength = 0;
  private scratch = new Uint8Array(256);

  /**
   * `zone`: the session's time zone, in which a TIMESTAMP written without a zone is read (a
   * TIMESTAMP_NTZ keeps its wall clock).
   */
  constructor(type: DataType, capacity: number, options: CsvOptions, zone = 'UTC') {
    this.type = type;
    this.zone = type.kind === 'timestamp' ? zone : 'UTC';
    this.kind = kindOf(type);
    this.capacity = capacity;
    this.precision = type.kind === 'decimal' ? type.precision : 0;
    this.scale = type.kind === 'decimal' ? type.scale : 0;
    this.nullValue = options.nullValue;
    this.emptyValue = options.emptyValue;
    this.options = options;
    this.allocate(capacity * 16);
  }

  private allocate(stringBytes: number): void {
    const n = this.capacity;
    this.valid = new Uint8Array(n);
    this.nulls = 0;
    switch (this.kind) {
      case K_BOOLEAN:
        this.u8 = new Uint8Array(n);
        break;
      case K_TINYINT:
      case K_SMALLINT:
      case K_INT:
      case K_DATE:
        this.i32 = new Int32Array(n);
        break;
      case K_FLOAT:
      case K_DOUBLE:
        this.f64 = new Float64Array(n);
        break;
      case K_BIGINT:
      case K_DECIMAL64:
        this.words = new Uint32Array(2 * n);
        break;
      case K_DECIMAL128:
        this.words = new Uint32Array(4 * n);
        this.i64 = new BigInt64Array(this.words.buffer);
        break;
      case K_TIMESTAMP:
      case K_TIME:
        this.i64 = new BigInt64Array(n);
        break;
      case K_STRING:
        this.offsets = new Int32Array(n + 1);
        this.u8 = new Uint8Array(Math.max(1024, stringBytes));
        this.byteLength = 0;
        break;
    }
  }

  setNull(row: number): void {
    this.valid[row] = 0;
    this.nulls++;
    if (this.kind === K_STRING) this.offsets[row + 1] = this.offsets[row]!;
  }

  /**
   * Converts field `src` of the block's records `order[0..n)` into rows `rowBase..rowBase+n`.
   * Malformed fields become NULL when `permissive`; otherwise their records are marked in `blk.bad`.
   * Returns the first (in order) malformed record index, or -1.
   */
  convert(
    buf: Uint8Array,
    blk: TokenBlock,
    src: number,
    rowBase: number,
    n: number,
    permissive: boolean,
  ): number {
    if (blk.anyFlags || this.nullValue.length > 0)
      return this.convertGeneric(buf, blk, src, rowBase, n, permissive);
    const width = blk.width;
    const starts = blk.starts;
    const ends = blk.ends;
    const counts = blk.fieldCounts;
    const order = blk.order;
    const valid = this.valid;
    let firstBad = -1;
    switch (this.kind) {
      case K_STRING: {
        const offsets = this.offsets;
        let at = offsets[rowBase]!;
        for (let k = 0; k < n; k++) {
          const r = order[k]!;
          const row = rowBase + k;
          const idx = r * width + src;
          const s = starts[idx]!;
          const e = ends[idx]!;
          if (counts[r]! <= src || s === e) {
            valid[row] = 0;
            this.nulls++;
            offsets[row + 1] = at;
            continue;
          }
          if (!isValidUtf8(buf, s, e)) {
            offsets[row + 1] = at;
            firstBad = this.malformedAt(blk, k, r, row, permissive, firstBad);
            continue;
          }
          valid[row] = 1;
          const len = e - s;
          if (at + len > this.u8.length) this.grow(at + len);
          const out = this.u8;
          if (len < 24) for (let i = s; i < e; i++) out[at++] = buf[i]!;
          else {
            out.set(buf.subarray(s, e), at);
            at += len;
          }
          offsets[row + 1] = at;
        }
        return firstBad;
      }
      case K_DECIMAL64: {
        const words = this.words;
        const precision = this.precision;
        const scale = this.scale;
        for (let k = 0; k < n; k++) {
          const r = order[k]!;
          const row = rowBase + k;
          const idx = r * width + src;
          const s = starts[idx]!;
          const e = ends[idx]!;
          if (counts[r]! <= src || s === e) {
            valid[row] = 0;
            this.nulls++;
            continue;
          }
          const v = parseDecimalFast(buf, s, e, precision, scale);
          if (status === OK) {
            valid[row] = 1;
            writeInt64Words(words, 2 * row, v);
          } else if (!this.set(row, buf, s, e, false, false))
            firstBad = this.malformedAt(blk, k, r, row, permissive, firstBad);
        }
        return firstBad;
      }
      case K_DATE: {
        const i32 = this.i32;
        for (let k = 0; k < n; k++) {
          const r = order[k]!;
          const row = rowBase + k;
          const idx = r * width + src;
          const s = starts[idx]!;
          const e = ends[idx]!;
          if (counts[r]! <= src || s === e) {
            valid[row] = 0;
            this.nulls++;
            continue;
          }
          const v = parseDate(buf, s, e);
          if (v === v) {
            valid[row] = 1;
            i32[row] = v;
          } else firstBad = this.malformedAt(blk, k, r, row, permissive, firstBad);
        }
        return firstBad;
      }
      case K_BIGINT:
      case K_INT: {
        const isInt = this.kind === K_INT;
        const i32 = this.i32;
        const words = this.words;
        for (let k = 0; k < n; k++) {
          const r = order[k]!;
          const row = rowBase + k;
          const idx = r * width + src;
          const s = starts[idx]!;
          const e = ends[idx]!;
          if (counts[r]! <= src || s === e) {
            valid[row] = 0;
            this.nulls++;
            continue;
          }
          const v = parseIntFast(buf, s, e);
          if (status === OK && isInt && v >= -2147483648 && v <= 2147483647) {
            valid[row] = 1;
            i32[row] = v;
          } else if (status === OK && !isInt) {
            valid[row] = 1;
            writeInt64Words(words, 2 * row, v);
          } else if (!this.set(row, buf, s, e, false, false))
            firstBad = this.malformedAt(blk, k, r, row, permissive, firstBad);
        }
        return firstBad;
      }
      default:
        return this.convertGeneric(buf, blk, src, rowBase, n, permissive);
    }
  }

  /** The general loop: quotes, escapes, `nullValue`, every type, through `set`. */
  private convertGeneric(
    buf: Uint8Array,
    blk: TokenBlock,
    src: number,
    rowBase: number,
    n: number,
    permissive: boolean,
  ): number {
    const width = blk.width;
    let firstBad = -1;
    if (this.kind === K_STRING) this.offsets[rowBase + 1] = this.offsets[rowBase]!;
    for (let k = 0; k < n; k++) {
      const r = blk.order[k]!;
      const row = rowBase + k;
      if (blk.fieldCounts[r]! <= src) {
        this.setNull(row);
        continue;
      }
      const idx = r * width + src;
      const flags = blk.flags[idx]!;
      const ok =
        (flags & GARBAGE) === 0 &&
        this.set(row, buf, blk.starts[idx]!, blk.ends[idx]!, (flags & QUOTED) !== 0, (flags & ESCAPED) !== 0);
      if (!ok) firstBad = this.malformedAt(blk, k, r, row, permissive, firstBad);
    }
    return firstBad;
  }

  private malformedAt(
    blk: TokenBlock,
    k: number,
    r: number,
    row: number,
    permissive: boolean,
    firstBad: number,
  ): number {
    this.setNull(row);
    if (permissive) return firstBad;
    blk.bad[r] = 1;
    return firstBad < 0 ? k : firstBad;
  }

  /** Converts `buf[s..e)` into row `row`; false when the field is malformed for this type. */
  set(row: number, buf: Uint8Array, s: number, e: number, quoted: boolean, escaped: boolean): boolean {
    if (s === e && !quoted) {
      this.setNull(row);
      return true;
    }
    if (escaped) {
      const n = this.unescape(buf, s, e);
      buf = this.scratch;
      s = 0;
      e = n;
    }
    const nv = this.nullValue;
    if (nv.length > 0 && e - s === nv.length && equalBytes(buf, s, nv)) {
      this.setNull(row);
      return true;
    }
    this.valid[row] = 1;
    switch (this.kind) {
      case K_STRING: {
        if (s === e && this.emptyValue.length > 0) {
          buf = this.emptyValue;
          s = 0;
          e = buf.length;
        }
        if (!isValidUtf8(buf, s, e)) return this.fail(row);
        const len = e - s;
        let at = this.offsets[row]!;
        if (at + len > this.u8.length) this.grow(at + len);
        const out = this.u8;
        if (len < 24) for (let i = s; i < e; i++) out[at++] = buf[i]!;
        else {
          out.set(buf.subarray(s, e), at);
          at += len;
        }
        this.offsets[row + 1] = at;
        return true;
      }
      case K_INT: {
        const v = parseIntFast(buf, s, e);
        if (status !== OK || v < -2147483648 || v > 2147483647) return this.fail(row);
        this.i32[row] = v;
        return true;
      }
      case K_DECIMAL64: {
        const v = parseDecimalFast(buf, s, e, this.precision, this.scale);
        if (status === OK) {
          writeInt64Words(this.words, 2 * row, v);
          return true;
        }
        if (status === MALFORMED) return this.fail(row);
        const big = parseDecimalSlow(buf, s, e, this.precision, this.scale);
        if (big === null) return this.fail(row);
        const w = 2 * row;
        const x = BigInt.asUintN(64, big);
        this.words[w] = Number(x & 0xffffffffn);
        this.words[w + 1] = Number(x >> 32n);
        return true;
      }
      case K_DATE: {
        const v = parseDate(buf, s, e);
        if (Number.isNaN(v)) return this.fail(row);
        this.i32[row] = v;
        return true;
      }
      case K_BIGINT: {
        const v = parseIntFast(buf, s, e);
        if (status === OK) {
          writeInt64Words(this.words, 2 * row, v);
          return true;
        }
        if (status === MALFORMED) return this.fail(row);
        const big = parseBigIntSlow(buf, s, e);
        if (big === null || big < INT64_MIN || big > INT64_MAX) return this.fail(row);
        const x = BigInt.asUintN(64, big);
        this.words[2 * row] = Number(x & 0xffffffffn);
        this.words[2 * row + 1] = Number(x >> 32n);
        return true;
      }
      case K_DOUBLE:
      case K_FLOAT: {
        const o = this.options;
        const v = parseDouble(buf, s, e, o.nanValue, o.positiveInf, o.negativeInf);
        if (status !== OK) return this.fail(row);
        this.f64[row] = v;
        return true;
      }
      case K_TINYINT:
      case K_SMALLINT: {
        const v = parseIntFast(buf, s, e);
        const limit = this.kind === K_TINYINT ? 128 : 32768;
        if (status !== OK || v < -limit || v >= limit) return this.fail(row);
        this.i32[row] = v;
        return true;
      }
      case K_DECIMAL128: {
        const v = parseDecimalFast(buf, s, e, this.precision, this.scale);
        if (status === OK) {
          writeDecimal128(this.i64, row, BigInt(v));
          return true;
        }
        if (status === MALFORMED) return this.fail(row);
        const big = parseDecimalSlow(buf, s, e, this.precision, this.scale);
        if (big === null) return this.fail(row);
        writeDecimal128(this.i64, row, big);
        return true;
      }
      case K_BOOLEAN: {
        const v = parseBoolean(buf, s, e);
        if (v < 0) return this.fail(row);
        this.u8[row] = v;
        return true;
      }
      case K_TIMESTAMP: {
        const v = parseTimestamp(buf, s, e, this.zone);
        if (v === null) return this.fail(row);
        this.i64[row] = v;
        return true;
      }
      case K_TIME: {
        // As CAST(text AS TIME(p)) reads it.
        const v = parseTime(latin1(buf, s, e));
        if (v === undefined) return this.fail(row);
        this.i64[row] = truncateTime(v, this.type.kind === 'time' ? this.type.precision : 6);
        return true;
      }
      default:
        return this.fail(row);
    }
  }

  private fail(row: number): boolean {
    this.valid[row] = 0;
    if (this.kind === K_STRING) this.offsets[row + 1] = this.offsets[row]!;
    return false;
  }

  /** Why `buf[s..e)` is not a value of this type (for FAILFAST errors). */
  describeFailure(buf: Uint8Array, s: number, e: number): string {
    if (this.kind === K_STRING) return 'the field holds bytes that are not valid UTF-8';
    const text = latin1(buf, s, Math.min(e, s + 64));
    return `cannot parse "${text}" as ${typeToString(this.type)}`;
  }

  private grow(needed: number): void {
    let size = this.u8.length * 2;
    while (size < needed) size *= 2;
    const next = new Uint8Array(size);
    next.set(this.u8);
    this.u8 = next;
  }

  /** Copies a quoted field's content with escapes resolved into `scratch`; returns its length. */
  private unescape(buf: Uint8Array, s: number, e: number): number {
    if (this.scratch.length < e - s) this.scratch = new Uint8Array(2 * (e - s));
    const out = this.scratch;
    const quote = this.options.quote;
    const escape = this.options.escape;
    let n = 0;
    for (let i = s; i < e; i++) {
      const c = buf[i]!;
      if (
        (c === escape || c === quote) &&
        i + 1 < e &&
        (buf[i + 1] === quote || (c === escape && buf[i + 1] === escape))
      ) {
        out[n++] = buf[i + 1]!;
        i++;
      } else out[n++] = c;
    }
    return n;
  }

  /** Wraps rows `[0, rows)` as an Arrow column and starts a fresh set of buffers. */
  finish(rows: number): arrow.Data {
    const valid = this.nulls === 0 ? null : this.valid.subarray(0, rows);
    let data: arrow.Data;
    switch (this.kind) {
      case K_BOOLEAN:
        data = makeColumn(this.type, this.u8, rows, valid);
        break;
      case K_TINYINT:
        data = makeColumn(this.type, Int8Array.from(this.i32.subarray(0, rows)), rows, valid);
        break;
      case K_SMALLINT:
        data = makeColumn(this.type, Int16Array.from(this.i32.subarray(0, rows)), rows, valid);
        break;
      case K_INT:
      case K_DATE:
        data = makeColumn(this.type, this.i32.subarray(0, rows), rows, valid);
        break;
      case K_FLOAT:
        data = makeColumn(this.type, Float32Array.from(this.f64.subarray(0, rows)), rows, valid);
        break;
      case K_DOUBLE:
        data = makeColumn(this.type, this.f64.subarray(0, rows), rows, valid);
        break;
      case K_BIGINT:
      case K_DECIMAL64:
        data = makeColumn(this.type, new BigInt64Array(this.words.buffer, 0, rows), rows, valid);
        break;
      case K_DECIMAL128:
        data = makeColumn(this.type, new BigInt64Array(this.words.buffer, 0, 2 * rows), rows, valid);
        break;
      case K_TIMESTAMP:
      case K_TIME:
        data = makeColumn(this.type, this.i64.subarray(0, rows), rows, valid);
        break;
      default:
        data = makeStringColumn(
          this.offsets.subarray(0, rows + 1),
          this.u8.subarray(0, this.offsets[rows]),
          rows,
          valid,
          this.type,
        );
    }
    const used = this.kind === K_STRING ? this.offsets[rows]! : 0;
    this.allocate(Math.ceil(used * 1.25 * (this.capacity / Math.max(rows, 1))));
    return data;
  }
}

function equalBytes(buf: Uint8Array, s: number, pattern: Uint8Array): boolean {
  for (let i = 0; i < pattern.length; i++) if (buf[s + i] !== pattern[i]) return false;
  return true;
}
