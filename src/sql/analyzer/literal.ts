/**
 * Literal binding: the type of a numeric literal as Spark gives it (int, bigint, then decimal;
 * `1.5` is decimal(2,1), `1e5` double), and typed DATE/TIME/TIMESTAMP literals parsed to values
 * (a TIMESTAMP without a zone in its text is wall-clock time in the session time zone).
 */
import {
  EngineError,
  MAX_DECIMAL_PRECISION,
  daysFromCivil,
  localToUtcMicros,
  parseTime,
  SqlState,
  T,
  type DataType,
} from '../../common/index.ts';
import type { LiteralExpr } from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';

const INT_MIN = -2147483648n;
const INT_MAX = 2147483647n;
const LONG_MIN = -9223372036854775808n;
const LONG_MAX = 9223372036854775807n;

export function lit(value: LiteralExpr['value'], type: DataType): LiteralExpr {
  return { kind: 'literal', value, type };
}

function outOfRange(text: string, type: string, pos: number): EngineError {
  return new EngineError(
    SqlState.numericValueOutOfRange,
    `[INVALID_NUMERIC_LITERAL_RANGE] Numeric literal ${text} is outside the valid range for ${type}.`,
    { position: pos },
  );
}

/** An integer value as the narrowest of int, bigint, decimal(p,0). */
export function integerLiteral(v: bigint, text: string, pos: number): LiteralExpr {
  if (v >= INT_MIN && v <= INT_MAX) return lit(Number(v), T.int);
  if (v >= LONG_MIN && v <= LONG_MAX) return lit(v, T.bigint);
  const digits = (v < 0n ? -v : v).toString().length;
  if (digits > MAX_DECIMAL_PRECISION) throw outOfRange(text, 'decimal(38,0)', pos);
  return lit(v, T.decimal(digits, 0));
}

/** Parses a decimal literal's text (`1.50`, `.5`, `1.`, `-0.05`) to an exact decimal literal. */
export function decimalLiteral(text: string, pos: number): LiteralExpr {
  let t = text.trim();
  if (/bd$/i.test(t)) t = t.slice(0, -2);
  let negative = false;
  if (t.startsWith('-') || t.startsWith('+')) {
    negative = t.startsWith('-');
    t = t.slice(1);
  }
  let mantissa = t;
  let exponent = 0;
  const e = t.search(/e/i);
  if (e >= 0) {
    mantissa = t.slice(0, e);
    exponent = Number(t.slice(e + 1));
  }
  const dot = mantissa.indexOf('.');
  const intPart = dot >= 0 ? mantissa.slice(0, dot) : mantissa;
  const fracPart = dot >= 0 ? mantissa.slice(dot + 1) : '';
  let digits = (intPart + fracPart).replace(/^0+(?=\d)/, '');
  let scale = fracPart.length - exponent;
  if (!/^\d*$/.test(digits) || digits === '') {
    throw new EngineError(SqlState.syntaxError, `[INVALID_NUMERIC_LITERAL] invalid decimal literal ${text}`, {
      position: pos,
    });
  }
  if (scale < 0) {
    digits = digits + '0'.repeat(-scale);
    scale = 0;
  }
  const unscaled = BigInt(digits);
  const significant = unscaled === 0n ? 1 : unscaled.toString().length;
  const precision = Math.max(significant, scale);
  if (precision > MAX_DECIMAL_PRECISION) throw outOfRange(text, 'decimal(38)', pos);
  return lit(negative ? -unscaled : unscaled, T.decimal(Math.max(precision, 1), scale));
}

/** Binds a literal; `timeZone` (the session's) reads zone-less TIMESTAMP literals. */
export function bindLiteral(l: ast.Literal, pos: number, timeZone: string): LiteralExpr {
  switch (l.type) {
    case 'integer': {
      const v = BigInt(l.text);
      switch (l.suffix) {
        case 'L':
          if (v > LONG_MAX) throw outOfRange(l.text, 'bigint', pos);
          return lit(v, T.bigint);
        case 'S':
          if (v > 32767n) throw outOfRange(l.text, 'smallint', pos);
          return lit(Number(v), T.smallint);
        case 'Y':
          if (v > 127n) throw outOfRange(l.text, 'tinyint', pos);
          return lit(Number(v), T.tinyint);
        case null:
          return integerLiteral(v, l.text, pos);
      }
      break;
    }
    case 'decimal':
      return decimalLiteral(l.text, pos);
    case 'double': {
      const v = Number(l.text.replace(/[dDfF]$/, ''));
      if (!Number.isFinite(v)) throw outOfRange(l.text, l.float ? 'float' : 'double', pos);
      return lit(l.float ? Math.fround(v) : v, l.float ? T.float : T.double);
    }
    case 'string':
      return lit(l.value, T.string);
    case 'boolean':
      return lit(l.value, T.boolean);
    case 'null':
      return lit(null, T.null);
    case 'typed':
      return typedLiteral(l.typeName, l.value, pos, timeZone);
  }
  throw new EngineError(SqlState.internalError, 'internal error: unknown literal');
}

function invalidTyped(typeName: string, value: string, pos: number): EngineError {
  return new EngineError(
    SqlState.invalidTypedLiteral,
    `[INVALID_TYPED_LITERAL] The value of the typed literal "${typeName.toUpperCase()}" is invalid: '${value}'.`,
    { position: pos },
  );
}

function typedLiteral(
  typeName: 'date' | 'time' | 'timestamp' | 'timestamp_ntz' | 'timestamp_ltz' | 'binary',
  value: string,
  pos: number,
  timeZone: string,
): LiteralExpr {
  switch (typeName) {
    case 'date': {
      const d = parseDate(value);
      if (d === undefined) throw invalidTyped('date', value, pos);
      return lit(d, T.date);
    }
    case 'time': {
      // Spark types a TIME literal TIME(6) whatever digits it has.
      const t = parseTime(value);
      if (t === undefined) throw invalidTyped('time', value, pos);
      return lit(t, T.time);
    }
    case 'timestamp':
    case 'timestamp_ltz':
    case 'timestamp_ntz': {
      const ts = parseTimestamp(value, typeName === 'timestamp_ntz' ? null : timeZone);
      if (ts === undefined) throw invalidTyped(typeName, value, pos);
      return lit(ts, typeName === 'timestamp_ntz' ? T.timestampNtz : T.timestamp);
    }
    case 'binary': {
      const hex = value.replace(/\s+/g, '');
      if (!/^[0-9a-fA-F]*$/.test(hex) || hex.length % 2 !== 0) throw invalidTyped('X', value, pos);
      const bytes = new Uint8Array(hex.length / 2);
      for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
      return lit(bytes, T.binary);
    }
  }
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(m) ? 30 : 31;
}

/** Spark's date forms: `yyyy`, `yyyy-[m]m`, `yyyy-[m]m-[d]d`, optionally followed by ` …` or `T…`. */
export function parseDate(text: string): number | undefined {
  const m = /^\s*([+-]?\d{4,6})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[T ].*)?\s*$/.exec(text);
  if (m === null) return undefined;
  const y = Number(m[1]);
  const mo = m[2] === undefined ? 1 : Number(m[2]);
  const d = m[3] === undefined ? 1 : Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return daysFromCivil(y, mo, d);
}

const TIMESTAMP_RE =
  /^\s*([+-]?\d{4,6})-(\d{1,2})-(\d{1,2})(?:[T ](\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d{1,9}))?)?)?\s*(\S+)?\s*$/;

/** Seconds east of UTC of a fixed-offset zone text (`+8`, `-08:00`, `+0530`, `UTC+1`); undefined if not one. */
function fixedOffsetSeconds(zone: string): number | undefined {
  const z = /^(?:UTC|GMT|UT)?([+-])(\d{1,2})(?::?(\d{2}))?(?::?(\d{2}))?$/i.exec(zone);
  if (z === null) return undefined;
  const h = Number(z[2]);
  const m = Number(z[3] ?? '0');
  const s = Number(z[4] ?? '0');
  if (h > 18 || m > 59 || s > 59) return undefined;
  return (h * 3600 + m * 60 + s) * (z[1] === '-' ? -1 : 1);
}

/** True if `zone` is a region id Intl knows (`America/Los_Angeles`). */
function isRegionZone(zone: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
}

/**
 * Microseconds since the epoch of `yyyy-mm-dd[( |T)hh:mm[:ss[.ffffff]]][zone]` (or `yyyy[-mm]`).
 * A zone in the text (`Z`, `UTC`, `+hh:mm`, `UTC+h`, `Europe/Paris`) fixes the instant; without
 * one the text is wall-clock time in `timeZone`. `timeZone` null means TIMESTAMP_NTZ: the text is
 * read as-is and a zone in it makes it invalid (as Spark). Undefined when malformed.
 */
export function parseTimestamp(text: string, timeZone: string | null): bigint | undefined {
  const m = TIMESTAMP_RE.exec(text);
  let local: bigint;
  let zone: string | undefined;
  if (m === null) {
    const d = /^\s*([+-]?\d{4,6})(?:-(\d{1,2}))?\s*$/.exec(text);
    if (d === null) return undefined;
    const days = parseDate(text);
    if (days === undefined) return undefined;
    local = BigInt(days) * 86400000000n;
  } else {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
    const hh = m[4] === undefined ? 0 : Number(m[4]);
    const mi = m[5] === undefined ? 0 : Number(m[5]);
    const ss = m[6] === undefined ? 0 : Number(m[6]);
    if (hh > 23 || mi > 59 || ss > 59) return undefined;
    const frac = m[7] === undefined ? 0 : Number((m[7] + '000000').slice(0, 6));
    local =
      BigInt(daysFromCivil(y, mo, d)) * 86400000000n +
      BigInt(hh * 3600 + mi * 60 + ss) * 1000000n +
      BigInt(frac);
    zone = m[8];
  }
  if (zone === undefined) return timeZone === null ? local : localToUtcMicros(local, timeZone);
  if (timeZone === null) return undefined;
  if (/^(Z|UTC|GMT|UT)$/i.test(zone)) return local;
  const offset = fixedOffsetSeconds(zone);
  if (offset !== undefined) return local - BigInt(offset) * 1000000n;
  if (!zone.includes('/') || !isRegionZone(zone)) return undefined;
  return localToUtcMicros(local, zone);
}
