/**
 * Converts Bind parameter bytes (text or binary format) into engine values of the parameter's type
 * (see the value representation table in src/common/types.ts). Binary parameters are read by the
 * OID the client declared (or the parameter's own type when it declared none). Two kinds of
 * parameter stay text for the statement to cast: arrays (PostgreSQL's `{a,"b c",NULL}` constant,
 * binary arrays turned into it) and parameters declared `numeric`, whose digits decide their scale.
 */
import {
  EngineError,
  daysFromCivil,
  PgOid,
  pgArrayElementOid,
  SqlState,
  pgTypeOf,
  formatTime,
  parseTime,
  truncateTime,
  typeToString,
  type DataType,
  type Value,
} from '../common/index.ts';
import { MICROS_PER_DAY, MICROS_PER_SECOND, PG_EPOCH_DAYS, PG_EPOCH_MICROS } from './datetime-text.ts';
import { decodeUtf8 } from './frontend-messages.ts';
import { intervalParamValue, parsePgInterval, readPgIntervalBinary } from './interval-param.ts';
import { scaledToString } from './text-format.ts';
import type { ZoneOffsets } from './time-zone.ts';

function invalid(type: string, text: string): EngineError {
  return new EngineError(
    SqlState.invalidTextRepresentation,
    `invalid input syntax for type ${type}: "${text}"`,
  );
}

function outOfRange(type: string, text: string): EngineError {
  return new EngineError(SqlState.numericValueOutOfRange, `value "${text}" is out of range for type ${type}`);
}

/** Decodes one parameter. `oid` is the type the client declared (0 = none). */
export function decodeParam(
  bytes: Uint8Array | null,
  format: number,
  oid: number,
  type: DataType,
  zone: ZoneOffsets,
): Value {
  if (bytes === null) return null;
  if (format === 0) return parseTextParam(decodeUtf8(bytes), type, zone);
  const wireOid = oid !== 0 ? oid : pgTypeOf(type).oid;
  if (type.kind === 'array') {
    return readArrayBinary(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength), type, zone);
  }
  const text = binaryParamToText(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    wireOid,
    type,
  );
  if (typeof text !== 'string') return text;
  return parseTextParam(text, type, zone);
}

/**
 * Reads a binary parameter. Returns the engine value directly when the wire type is the parameter's
 * type, or its canonical text to be parsed as the parameter's type otherwise.
 */
function binaryParamToText(b: Buffer, wireOid: number, type: DataType): Value {
  const need = (n: number): void => {
    if (b.length !== n)
      throw new EngineError(SqlState.invalidParameterValue, `incorrect binary data format in bind parameter`);
  };
  switch (wireOid) {
    case PgOid.bool:
      need(1);
      return type.kind === 'boolean' ? b[0] !== 0 : b[0] !== 0 ? 'true' : 'false';
    case PgOid.int2:
      need(2);
      return String(b.readInt16BE(0));
    case PgOid.int4:
    case PgOid.oid:
      need(4);
      return String(wireOid === PgOid.oid ? b.readUInt32BE(0) : b.readInt32BE(0));
    case PgOid.int8:
      need(8);
      return b.readBigInt64BE(0).toString();
    case PgOid.float4:
      need(4);
      if (type.kind === 'float' || type.kind === 'double') return b.readFloatBE(0);
      return String(b.readFloatBE(0));
    case PgOid.float8:
      need(8);
      if (type.kind === 'double' || type.kind === 'float') return b.readDoubleBE(0);
      return String(b.readDoubleBE(0));
    case PgOid.numeric:
      return readNumericBinary(b);
    case PgOid.bytea:
      return type.kind === 'binary' ? new Uint8Array(b) : decodeUtf8(b);
    case PgOid.date: {
      need(4);
      const days = b.readInt32BE(0) + PG_EPOCH_DAYS;
      if (type.kind === 'date') return days;
      if (type.kind === 'timestamp_ntz') return BigInt(days) * BigInt(MICROS_PER_DAY);
      return isoDate(days);
    }
    case PgOid.time: {
      need(8);
      const micros = b.readBigInt64BE(0);
      if (micros < 0n || micros >= BigInt(MICROS_PER_DAY)) throw outOfRange('time', micros.toString());
      return type.kind === 'time' ? truncateTime(micros, type.precision) : formatTime(micros);
    }
    case PgOid.timestamp:
    case PgOid.timestamptz: {
      need(8);
      const micros = b.readBigInt64BE(0) + BigInt(PG_EPOCH_MICROS);
      if (type.kind === 'timestamp' || type.kind === 'timestamp_ntz') return micros;
      if (type.kind === 'date')
        return (
          Number(micros / BigInt(MICROS_PER_DAY)) -
          (micros < 0n && micros % BigInt(MICROS_PER_DAY) !== 0n ? 1 : 0)
        );
      throw new EngineError(
        SqlState.pgDatatypeMismatch,
        `cannot use a timestamp parameter as ${typeToString(type)}`,
      );
    }
    case PgOid.interval: {
      const iv = readPgIntervalBinary(b);
      return intervalParamValue(iv, type, `${iv[0]} mons ${iv[1]} days ${iv[2]} microseconds`);
    }
    case PgOid.text:
    case PgOid.varchar:
    case PgOid.bpchar:
    case PgOid.name:
    case PgOid.char:
    case PgOid.json:
    case PgOid.unknown:
      return decodeUtf8(b);
    default:
      if (pgArrayElementOid(wireOid) !== undefined) {
        throw new EngineError(
          SqlState.datatypeMismatch,
          `cannot use an array parameter as ${typeToString(type)}`,
        );
      }
      throw new EngineError(
        SqlState.featureNotSupported,
        `binary format for parameter type OID ${wireOid} is not supported`,
      );
  }
}

/**
 * A parameter the client declared `numeric`. The wire carries no precision or scale (PostgreSQL's
 * numeric keeps every digit it is given), so it stays decimal text — validated, exponent written
 * out — and the statement types it by its digits, as `$1::numeric` does.
 */
export function decodeNumericParam(bytes: Uint8Array | null, format: number): string | null {
  if (bytes === null) return null;
  const text =
    format === 0
      ? decodeUtf8(bytes).trim()
      : readNumericBinary(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength));
  if (/^[+-]?(nan|infinity|inf)$/i.test(text)) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `numeric value "${text}" is not supported: DECIMAL has no NaN or infinities`,
    );
  }
  const m = DECIMAL_RE.exec(text);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) throw invalid('numeric', text);
  const digits = (m[2] ?? '') + (m[3] ?? '');
  const exponent = m[4] === undefined ? 0 : Number(m[4]);
  // No DECIMAL holds more than 38 digits: a larger exponent is out of range, not worth expanding.
  if (Math.abs(exponent) > 1000) throw outOfRange('numeric', text);
  const scale = (m[3] ?? '').length - exponent;
  const unscaled = BigInt(digits === '' ? '0' : digits) * 10n ** BigInt(Math.max(0, -scale));
  return scaledToString(m[1] === '-' ? -unscaled : unscaled, Math.max(0, scale));
}

function isoDate(days: number): string {
  const d = new Date(days * 86_400_000);
  return d.toISOString().slice(0, 10);
}

/** PostgreSQL's numeric_recv → decimal text. */
function readNumericBinary(b: Buffer): string {
  if (b.length < 8)
    throw new EngineError(SqlState.invalidParameterValue, 'insufficient data left in message');
  const ndigits = b.readInt16BE(0);
  const weight = b.readInt16BE(2);
  const sign = b.readUInt16BE(4);
  const dscale = b.readInt16BE(6);
  if (b.length !== 8 + 2 * ndigits || ndigits < 0)
    throw new EngineError(SqlState.invalidParameterValue, 'invalid length in external "numeric" value');
  if (sign === 0xc000) return 'NaN';
  if (sign === 0xd000) return 'Infinity';
  if (sign === 0xf000) return '-Infinity';
  let unscaled = 0n;
  for (let i = 0; i < ndigits; i++) unscaled = unscaled * 10000n + BigInt(b.readInt16BE(8 + 2 * i));
  // unscaled × 10000^(weight - ndigits + 1)
  const exp4 = weight - ndigits + 1;
  let scale = 0;
  if (exp4 >= 0) unscaled *= 10000n ** BigInt(exp4);
  else scale = -4 * exp4;
  // The display scale is the value's: pad to it, or drop the zeros of the last base-10000 digit
  // beyond it (12.30 arrives as 12|3000 with dscale 2), rounding as numeric_recv does.
  if (dscale > scale) {
    unscaled *= 10n ** BigInt(dscale - scale);
    scale = dscale;
  } else if (dscale >= 0 && dscale < scale) {
    const div = 10n ** BigInt(scale - dscale);
    const q = unscaled / div;
    unscaled = (unscaled % div) * 2n >= div ? q + 1n : q;
    scale = dscale;
  }
  scale = Math.max(dscale, 0);
  return scaledToString(sign === 0x4000 ? -unscaled : unscaled, scale);
}

const INT_RE = /^\s*[+-]?\d+\s*$/;
const DECIMAL_RE = /^\s*([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?\s*$/;

/** Parses a text-format parameter as a value of `type`. */
export function parseTextParam(text: string, type: DataType, zone: ZoneOffsets): Value {
  switch (type.kind) {
    case 'null':
    case 'string':
      return text;
    case 'boolean': {
      const t = text.trim().toLowerCase();
      if (t === 't' || t === 'true' || t === 'yes' || t === 'y' || t === 'on' || t === '1') return true;
      if (t === 'f' || t === 'false' || t === 'no' || t === 'n' || t === 'off' || t === '0') return false;
      throw invalid('boolean', text);
    }
    case 'tinyint':
    case 'smallint':
    case 'int': {
      const name = type.kind === 'int' ? 'integer' : type.kind;
      if (!INT_RE.test(text)) throw invalid(name, text);
      const v = Number(text);
      const limit = type.kind === 'tinyint' ? 128 : type.kind === 'smallint' ? 32768 : 2147483648;
      if (v < -limit || v >= limit) throw outOfRange(name, text);
      return v;
    }
    case 'bigint': {
      if (!INT_RE.test(text)) throw invalid('bigint', text);
      const v = BigInt(text.trim());
      if (v !== BigInt.asIntN(64, v)) throw outOfRange('bigint', text);
      return v;
    }
    case 'float':
    case 'double': {
      const t = text.trim().toLowerCase();
      const name = type.kind === 'float' ? 'real' : 'double precision';
      let v: number;
      if (t === 'nan') v = NaN;
      else if (t === 'infinity' || t === '+infinity' || t === 'inf' || t === '+inf') v = Infinity;
      else if (t === '-infinity' || t === '-inf') v = -Infinity;
      else {
        if (!DECIMAL_RE.test(t) || !/\d/.test(t)) throw invalid(name, text);
        v = Number(t);
        if (!Number.isFinite(v)) throw outOfRange(name, text);
      }
      return type.kind === 'float' ? Math.fround(v) : v;
    }
    case 'decimal':
      return parseDecimal(text, type.precision, type.scale);
    case 'binary':
      return parseByteaText(text);
    case 'date': {
      const p = parseDateTime(text, 'date');
      return p.days;
    }
    case 'timestamp_ntz': {
      const p = parseDateTime(text, 'timestamp');
      return BigInt(p.days) * BigInt(MICROS_PER_DAY) + BigInt(p.micros);
    }
    case 'time': {
      // PostgreSQL's time input ignores a zone offset (drivers send `00:30:05+00`).
      const micros = parseTime(text.replace(/\s*(?:[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?|Z|UTC|GMT)\s*$/i, ''));
      if (micros === undefined) throw invalid('time', text);
      return truncateTime(micros, type.precision);
    }
    case 'timestamp': {
      const p = parseDateTime(text, 'timestamp with time zone');
      const local = p.days * MICROS_PER_DAY + p.micros;
      let offset = p.offsetSeconds;
      if (offset === null) {
        const guess = zone.offsetAt(Math.floor(local / MICROS_PER_SECOND));
        offset = zone.offsetAt(Math.floor(local / MICROS_PER_SECOND) - guess);
      }
      return BigInt(local) - BigInt(offset) * BigInt(MICROS_PER_SECOND);
    }
    case 'array':
      // A numeric[] stays text for the statement to cast, so that its elements keep their digits
      // (a declared numeric has no scale); other arrays are read here.
      if (type.element.kind === 'decimal') return text;
      return arrayFromItems(parseArrayText(text), type, zone, text);
    case 'interval_year_month':
    case 'interval_day_time':
    case 'calendar_interval':
      return intervalParamValue(parsePgInterval(text), type, text);
    case 'map':
    case 'struct':
      throw new EngineError(
        SqlState.featureNotSupported,
        `parameters of type ${typeToString(type)} are not supported`,
      );
  }
}

/** Text → unscaled decimal at `scale`, rounding half away from zero; 22003 when it needs more than `precision` digits. */
export function parseDecimal(text: string, precision: number, scale: number): bigint {
  const m = DECIMAL_RE.exec(text);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) throw invalid('numeric', text);
  const negative = m[1] === '-';
  const intDigits = m[2] ?? '';
  const fracDigits = m[3] ?? '';
  const exp = m[4] === undefined ? 0 : Number(m[4]);
  let unscaled = BigInt((intDigits + fracDigits).replace(/^0+(?=\d)/, '') || '0');
  // value = unscaled × 10^(exp - fracDigits.length); rescale to `scale`
  const shift = exp - fracDigits.length + scale;
  if (shift >= 0) unscaled *= 10n ** BigInt(shift);
  else {
    const div = 10n ** BigInt(-shift);
    const q = unscaled / div;
    const r = unscaled % div;
    unscaled = r * 2n >= div ? q + 1n : q;
  }
  if (unscaled >= 10n ** BigInt(precision)) {
    throw new EngineError(SqlState.numericValueOutOfRange, `numeric field overflow`, {
      detail: `A field with precision ${precision}, scale ${scale} must round to an absolute value less than 10^${precision - scale}.`,
    });
  }
  return negative ? -unscaled : unscaled;
}

function parseByteaText(text: string): Uint8Array {
  if (text.startsWith('\\x')) {
    const hex = text.slice(2).replace(/\s+/g, '');
    if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw invalid('bytea', text);
    return new Uint8Array(Buffer.from(hex, 'hex'));
  }
  const out: number[] = [];
  const raw = Buffer.from(text, 'utf8');
  for (let i = 0; i < raw.length; i++) {
    const b = raw[i]!;
    if (b !== 92) {
      out.push(b);
      continue;
    }
    if (raw[i + 1] === 92) {
      out.push(92);
      i++;
      continue;
    }
    const oct = raw.subarray(i + 1, i + 4).toString('latin1');
    if (!/^[0-3][0-7][0-7]$/.test(oct)) throw invalid('bytea', text);
    out.push(parseInt(oct, 8));
    i += 3;
  }
  return new Uint8Array(out);
}

const DATETIME_RE =
  /^\s*(\d{1,7})-(\d{1,2})-(\d{1,2})(?:[T\s]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d{1,2}(?::?\d{2}(?::?\d{2})?)?)?\s*(BC|AD)?\s*$/i;

interface ParsedDateTime {
  days: number;
  micros: number;
  offsetSeconds: number | null;
}

function parseDateTime(text: string, typeName: string): ParsedDateTime {
  const m = DATETIME_RE.exec(text);
  if (m === null) {
    throw new EngineError(
      SqlState.invalidDatetimeFormat,
      `invalid input syntax for type ${typeName}: "${text}"`,
    );
  }
  let year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if ((m[9] ?? '').toUpperCase() === 'BC') year = 1 - year;
  const days = daysFromCivil(year, month, day);
  const hour = Number(m[4] ?? 0);
  const minute = Number(m[5] ?? 0);
  const second = Number(m[6] ?? 0);
  const fraction = m[7] === undefined ? 0 : Math.round(Number(`0.${m[7]}`) * MICROS_PER_SECOND);
  const back = new Date(0);
  back.setUTCFullYear(year, month - 1, day);
  if (
    month < 1 ||
    month > 12 ||
    back.getUTCDate() !== day ||
    hour > 24 ||
    minute > 59 ||
    second > 60 ||
    (hour === 24 && (minute !== 0 || second !== 0 || fraction !== 0))
  ) {
    throw new EngineError(SqlState.datetimeFieldOverflow, `date/time field value out of range: "${text}"`);
  }
  const micros = ((hour * 60 + minute) * 60 + second) * MICROS_PER_SECOND + fraction;
  let offsetSeconds: number | null = null;
  const tz = m[8];
  if (tz !== undefined) {
    if (tz.toUpperCase() === 'Z') offsetSeconds = 0;
    else {
      const sign = tz[0] === '-' ? -1 : 1;
      const digits = tz.slice(1).replace(/:/g, '');
      const hh =
        digits.length <= 2
          ? Number(digits)
          : Number(digits.slice(0, digits.length - (digits.length > 4 ? 4 : 2)));
      const rest = digits.length <= 2 ? '' : digits.slice(digits.length - (digits.length > 4 ? 4 : 2));
      const mm = rest.length >= 2 ? Number(rest.slice(0, 2)) : 0;
      const ss = rest.length === 4 ? Number(rest.slice(2)) : 0;
      offsetSeconds = sign * (hh * 3600 + mm * 60 + ss);
    }
  }
  return { days, micros, offsetSeconds };
}

/** A PostgreSQL array's text form parsed: items are strings, NULL, or nested arrays. */
type ArrayItems = (string | null | ArrayItems)[];

function malformedArray(text: string, why: string): EngineError {
  return new EngineError(SqlState.invalidTextRepresentation, `malformed array literal: "${text}"`, {
    detail: why,
  });
}

/**
 * PostgreSQL's array_in: `{1,2,NULL}`, `{{1,2},{3,4}}`, `{"a b","q\\"",""}`, with an optional
 * `[1:3]=` dimension prefix; double quotes and backslashes escape, an unquoted NULL is NULL.
 */
export function parseArrayText(text: string): ArrayItems {
  let i = 0;
  const s = text;
  const skipSpace = (): void => {
    while (i < s.length && /\s/.test(s[i]!)) i++;
  };
  skipSpace();
  if (s[i] === '[') {
    const eq = s.indexOf('=', i);
    if (eq < 0) throw malformedArray(text, 'Array dimensions must be followed by "=".');
    i = eq + 1;
    skipSpace();
  }
  const parseLevel = (): ArrayItems => {
    if (s[i] !== '{') throw malformedArray(text, 'Array value must start with "{" or dimension information.');
    i++;
    const items: ArrayItems = [];
    skipSpace();
    if (s[i] === '}') {
      i++;
      return items;
    }
    for (;;) {
      skipSpace();
      if (s[i] === '{') items.push(parseLevel());
      else if (s[i] === '"') {
        i++;
        let value = '';
        while (i < s.length && s[i] !== '"') {
          if (s[i] === '\\') i++;
          value += s[i] ?? '';
          i++;
        }
        if (s[i] !== '"') throw malformedArray(text, 'Unexpected end of input.');
        i++;
        items.push(value);
      } else {
        let value = '';
        while (i < s.length && s[i] !== ',' && s[i] !== '}') {
          const c = s[i]!;
          if (c === '{' || c === '"') throw malformedArray(text, `Unexpected "${c}" character.`);
          if (c === '\\') i++;
          value += s[i] ?? '';
          i++;
        }
        value = value.trim();
        if (value === '') throw malformedArray(text, 'Unexpected "," or "}" character.');
        items.push(value.toUpperCase() === 'NULL' ? null : value);
      }
      skipSpace();
      if (s[i] === ',') {
        i++;
        continue;
      }
      if (s[i] === '}') {
        i++;
        return items;
      }
      throw malformedArray(text, 'Unexpected end of input.');
    }
  };
  const items = parseLevel();
  skipSpace();
  if (i !== s.length) throw malformedArray(text, 'Junk after closing right brace.');
  return items;
}

/** Parsed array items as a value of the array `type`; nested levels need a nested array type. */
function arrayFromItems(
  items: ArrayItems,
  type: DataType & { kind: 'array' },
  zone: ZoneOffsets,
  text: string,
): Value[] {
  return items.map((item) => {
    if (Array.isArray(item)) {
      if (type.element.kind !== 'array') {
        throw new EngineError(
          SqlState.featureNotSupported,
          `a multidimensional array cannot be a parameter of type ${typeToString(type)}`,
        );
      }
      return arrayFromItems(item, type.element, zone, text);
    }
    if (item === null) return null;
    if (type.element.kind === 'array')
      throw malformedArray(text, 'Multidimensional arrays must have sub-arrays with matching dimensions.');
    return parseTextParam(item, type.element, zone);
  });
}

/**
 * PostgreSQL's array_recv: ndim, has-null flag, element type OID, (size, lower bound) per
 * dimension, then each element as a length (-1 NULL) and its binary form. Elements are read by
 * the element OID the client wrote.
 */
function readArrayBinary(b: Buffer, type: DataType & { kind: 'array' }, zone: ZoneOffsets): Value[] {
  const bad = (): EngineError =>
    new EngineError(SqlState.invalidParameterValue, 'incorrect binary data format in bind parameter');
  if (b.length < 12) throw bad();
  const ndim = b.readInt32BE(0);
  const elementOid = b.readUInt32BE(8);
  if (ndim < 0 || ndim > 6) throw bad();
  if (ndim === 0) return [];
  if (b.length < 12 + 8 * ndim) throw bad();
  const dims: number[] = [];
  for (let d = 0; d < ndim; d++) {
    const size = b.readInt32BE(12 + 8 * d);
    if (size < 0) throw bad();
    dims.push(size);
  }
  let pos = 12 + 8 * ndim;
  const readLevel = (level: number, t: DataType & { kind: 'array' }): Value[] => {
    const out: Value[] = [];
    for (let k = 0; k < dims[level]!; k++) {
      if (level + 1 < ndim) {
        if (t.element.kind !== 'array') {
          throw new EngineError(
            SqlState.featureNotSupported,
            `a multidimensional array cannot be a parameter of type ${typeToString(type)}`,
          );
        }
        out.push(readLevel(level + 1, t.element));
        continue;
      }
      if (pos + 4 > b.length) throw bad();
      const len = b.readInt32BE(pos);
      pos += 4;
      if (len === -1) {
        out.push(null);
        continue;
      }
      if (len < 0 || pos + len > b.length) throw bad();
      const element = b.subarray(pos, pos + len);
      pos += len;
      out.push(decodeParam(element, 1, elementOid, t.element, zone));
    }
    return out;
  };
  const value = readLevel(0, type);
  if (pos !== b.length) throw bad();
  return value;
}
