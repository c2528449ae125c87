/**
 * Values of Spark's CalendarIntervalType (`interval`): months, days and microseconds kept apart,
 * since a month has no fixed number of days and a day no fixed number of microseconds once a time
 * zone shifts. A value is the tuple `[months, days, micros]` (int, int, bigint); in a column it is
 * Arrow's Interval(MONTH_DAY_NANO) layout — four Int32 words per row: months, days, then the 64-bit
 * microsecond count (little-endian) in the slot Arrow names nanoseconds.
 *
 * This file holds what needs no time zone: Spark's text (`1 years 2 days 3 hours`), parsing a
 * string (IntervalUtils.stringToInterval), arithmetic — exact under ANSI (overflow of any field
 * raises 22003 ARITHMETIC_OVERFLOW), else wrapping as Java's ints and longs do (sums) or
 * saturating as Java's double casts do (products) — and the fields `extract` reads.
 */
import { EngineError, SqlState } from './errors.ts';
import type { DataType } from './types.ts';

/** `[months, days, micros]`: months and days are 32-bit ints, micros a 64-bit int. */
export type CalendarInterval = readonly [months: number, days: number, micros: bigint];

const INT32_MIN = -2147483648;
const INT32_MAX = 2147483647;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;
const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_MINUTE = 60_000_000n;
const MICROS_PER_HOUR = 3_600_000_000n;
const MICROS_PER_DAY = 86_400_000_000n;

/** 22003 ARITHMETIC_OVERFLOW for an interval field that leaves its range. */
export function intervalOverflow(message: string, tryName?: string): EngineError {
  return new EngineError(SqlState.numericValueOutOfRange, `[ARITHMETIC_OVERFLOW] ${message}.`, {
    hint:
      tryName === undefined
        ? 'If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.'
        : `Use '${tryName}' to tolerate overflow and return NULL instead.`,
  });
}

function int32(n: number, what: string): number {
  if (!Number.isInteger(n) || n < INT32_MIN || n > INT32_MAX)
    throw intervalOverflow(`integer overflow in ${what}`);
  return n;
}

function int64(n: bigint, what: string): bigint {
  if (n < INT64_MIN || n > INT64_MAX) throw intervalOverflow(`long overflow in ${what}`);
  return n;
}

/** A checked interval: each field within its range, else 22003. */
export function calendarInterval(months: number, days: number, micros: bigint): CalendarInterval {
  return [int32(months, 'months'), int32(days, 'days'), int64(micros, 'microseconds')];
}

export function isCalendarInterval(v: unknown): v is CalendarInterval {
  return Array.isArray(v) && v.length === 3 && typeof v[2] === 'bigint';
}

/** Field-wise equality (Spark compares the three fields, so `1 day` ≠ `24 hours`). */
export function calendarIntervalEquals(a: CalendarInterval, b: CalendarInterval): boolean {
  return a[0] === b[0] && a[1] === b[1] && a[2] === b[2];
}

/** The fields wrapped to their widths, as Java's int and long arithmetic does without checks. */
function wrapped(months: number, days: number, micros: bigint): CalendarInterval {
  return [months | 0, days | 0, BigInt.asIntN(64, micros)];
}

export function negateCalendarInterval(a: CalendarInterval, exact = true): CalendarInterval {
  return (exact ? calendarInterval : wrapped)(-a[0], -a[1], -a[2]);
}

export function addCalendarIntervals(
  a: CalendarInterval,
  b: CalendarInterval,
  exact = true,
): CalendarInterval {
  return (exact ? calendarInterval : wrapped)(a[0] + b[0], a[1] + b[1], a[2] + b[2]);
}

export function subtractCalendarIntervals(
  a: CalendarInterval,
  b: CalendarInterval,
  exact = true,
): CalendarInterval {
  return (exact ? calendarInterval : wrapped)(a[0] - b[0], a[1] - b[1], a[2] - b[2]);
}

/**
 * A double truncated toward zero to an int: exact as Java's `(long) d` then `toIntExact` (22003
 * beyond the int range), else saturating as Java's `(int) d`; NaN is 0 either way.
 */
function truncToInt32(d: number, what: string, exact: boolean): number {
  const t = Number.isNaN(d) ? 0 : Math.trunc(d);
  if (t < INT32_MIN || t > INT32_MAX) {
    if (exact) throw intervalOverflow(`integer overflow in ${what}`);
    return t < 0 ? INT32_MIN : INT32_MAX;
  }
  return t === 0 ? 0 : t;
}

/** Java's Math.round(double) → long: half up, saturating at the long range, NaN → 0. */
function roundToLong(d: number): bigint {
  if (Number.isNaN(d)) return 0n;
  const r = Math.floor(d + 0.5);
  if (r >= 9223372036854775807) return INT64_MAX;
  if (r <= -9223372036854775808) return INT64_MIN;
  return BigInt(r);
}

/**
 * Fields with fractions (each already multiplied or divided as doubles) back to an interval, as
 * Spark's ANSI `fromDoubles`: months and days truncate toward zero (a month's fraction is dropped,
 * a day's fraction moves to microseconds), microseconds round half up.
 */
function fromDoubles(months: number, days: number, micros: number, exact: boolean): CalendarInterval {
  const m = truncToInt32(months, 'months', exact);
  const d = truncToInt32(days, 'days', exact);
  return [m, d, roundToLong(micros + Number(MICROS_PER_DAY) * (days - d))];
}

/** `iv * n` (Spark's multiplyExact, or its saturating multiply without ANSI), on doubles. */
export function multiplyCalendarInterval(iv: CalendarInterval, n: number, exact = true): CalendarInterval {
  return fromDoubles(n * iv[0], n * iv[1], n * Number(iv[2]), exact);
}

/** `iv / n` (Spark's divideExact, or its saturating divide without ANSI), on doubles; `n` is not 0. */
export function divideCalendarInterval(iv: CalendarInterval, n: number, exact = true): CalendarInterval {
  return fromDoubles(iv[0] / n, iv[1] / n, Number(iv[2]) / n, exact);
}

/** Microseconds as seconds with up to six fractional digits, trailing zeros dropped: `-1.5`. */
function secondsText(micros: bigint): string {
  const neg = micros < 0n;
  const abs = neg ? -micros : micros;
  const whole = abs / MICROS_PER_SECOND;
  const frac = (abs % MICROS_PER_SECOND).toString().padStart(6, '0').replace(/0+$/, '');
  return `${neg ? '-' : ''}${whole}${frac === '' ? '' : `.${frac}`}`;
}

/**
 * Spark's text of a calendar interval (CalendarInterval.toString): the non-zero units among years,
 * months, days, hours, minutes and seconds, each with its own sign; `0 seconds` when all are zero.
 */
export function calendarIntervalToString(iv: CalendarInterval): string {
  const [months, days, micros] = iv;
  if (months === 0 && days === 0 && micros === 0n) return '0 seconds';
  const parts: string[] = [];
  const unit = (v: number | bigint, name: string): void => {
    if (v !== 0 && v !== 0n) parts.push(`${v} ${name}`);
  };
  if (months !== 0) {
    unit(Math.trunc(months / 12), 'years');
    unit(months % 12, 'months');
  }
  unit(days, 'days');
  if (micros !== 0n) {
    unit(micros / MICROS_PER_HOUR, 'hours');
    let rest = micros % MICROS_PER_HOUR;
    unit(rest / MICROS_PER_MINUTE, 'minutes');
    rest %= MICROS_PER_MINUTE;
    if (rest !== 0n) parts.push(`${secondsText(rest)} seconds`);
  }
  return parts.join(' ');
}

const UNIT_MICROS: Readonly<Record<string, bigint>> = {
  hour: MICROS_PER_HOUR,
  minute: MICROS_PER_MINUTE,
  second: MICROS_PER_SECOND,
  millisecond: 1000n,
  microsecond: 1n,
};

const UNITS = ['year', 'month', 'week', 'day', 'hour', 'minute', 'second', 'millisecond', 'microsecond'];

/**
 * A string as a calendar interval (Spark's stringToInterval), or undefined when it is not one:
 * an optional `interval` prefix, then `value unit` pairs — a signed integer (seconds may have up to
 * nine fractional digits, truncated to microseconds) and a unit among year, month, week, day, hour,
 * minute, second, millisecond, microsecond, singular or plural, case-insensitive. A field that
 * leaves its range makes the string invalid too.
 */
export function parseCalendarInterval(text: string): CalendarInterval | undefined {
  let words = text.trim().toLowerCase().split(/\s+/);
  if (words[0] === 'interval') words = words.slice(1);
  if (words.length === 0 || words[0] === '') return undefined;
  let months = 0;
  let days = 0;
  let micros = 0n;
  let i = 0;
  while (i < words.length) {
    let value = words[i]!;
    // a sign may stand apart from its number: '-  1 second'
    if ((value === '-' || value === '+') && i + 1 < words.length) {
      value = value + words[i + 1]!;
      i++;
    }
    const unitWord = words[i + 1];
    if (unitWord === undefined) return undefined;
    const unit = UNITS.find((u) => unitWord === u || unitWord === `${u}s`);
    const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(value);
    if (unit === undefined || m === null) return undefined;
    const intText = m[2]!;
    const fracText = m[3];
    if (intText === '' && (fracText === undefined || fracText === '')) return undefined;
    if (fracText !== undefined && (unit !== 'second' || fracText.length > 9)) return undefined;
    const neg = m[1] === '-';
    const whole = BigInt(intText === '' ? '0' : intText);
    if (whole > INT64_MAX) return undefined;
    const signed = neg ? -whole : whole;
    switch (unit) {
      case 'year':
        months += Number(signed) * 12;
        break;
      case 'month':
        months += Number(signed);
        break;
      case 'week':
        days += Number(signed) * 7;
        break;
      case 'day':
        days += Number(signed);
        break;
      default: {
        let us = signed * UNIT_MICROS[unit]!;
        if (fracText !== undefined && fracText !== '') {
          const frac = BigInt(fracText.padEnd(9, '0').slice(0, 6));
          us += neg ? -frac : frac;
        }
        micros += us;
      }
    }
    if (
      !Number.isSafeInteger(months) ||
      months < INT32_MIN ||
      months > INT32_MAX ||
      days < INT32_MIN ||
      days > INT32_MAX ||
      micros < INT64_MIN ||
      micros > INT64_MAX
    ) {
      return undefined;
    }
    i += 2;
  }
  return [months, days, micros];
}

/**
 * Spark's make_interval: years and months to months, weeks and days to days, hours, minutes and
 * `secsMicros` (seconds already scaled to microseconds) to microseconds; 22003 on overflow.
 */
export function makeCalendarInterval(
  years: number,
  months: number,
  weeks: number,
  days: number,
  hours: number,
  mins: number,
  secsMicros: bigint,
): CalendarInterval {
  const m = int32(months + int32(years * 12, 'years'), 'months');
  const d = int32(days + int32(weeks * 7, 'weeks'), 'days');
  const us = int64(
    secsMicros + BigInt(hours) * MICROS_PER_HOUR + BigInt(mins) * MICROS_PER_MINUTE,
    'microseconds',
  );
  return [m, d, us];
}

/** The fields `extract(field FROM iv)` reads (Spark's ExtractInterval*), by canonical field. */
export type CalendarIntervalField = 'year' | 'month' | 'day' | 'hour' | 'minute' | 'second';

/**
 * A field of a calendar interval: years (int) = months / 12, month (tinyint) = months % 12, day
 * (int) = days + whole days of the microseconds, hour (tinyint) and minute (tinyint) of the
 * microseconds within their day and hour, second (decimal(8,6), as unscaled micros) within the minute.
 */
export function calendarIntervalField(iv: CalendarInterval, field: CalendarIntervalField): number | bigint {
  const [months, days, micros] = iv;
  switch (field) {
    case 'year':
      return Math.trunc(months / 12);
    case 'month':
      return (months % 12) + 0;
    case 'day':
      return int32(days + Number(micros / MICROS_PER_DAY), 'days');
    case 'hour':
      return Number((micros % MICROS_PER_DAY) / MICROS_PER_HOUR);
    case 'minute':
      return Number((micros % MICROS_PER_HOUR) / MICROS_PER_MINUTE);
    case 'second':
      return micros % MICROS_PER_MINUTE;
  }
}

/** Whether `t` is or holds (at any depth) a calendar interval. */
export function holdsCalendarInterval(t: DataType): boolean {
  switch (t.kind) {
    case 'calendar_interval':
      return true;
    case 'array':
      return holdsCalendarInterval(t.element);
    case 'map':
      return holdsCalendarInterval(t.key) || holdsCalendarInterval(t.value);
    case 'struct':
      return t.fields.some((f) => holdsCalendarInterval(f.type));
    default:
      return false;
  }
}
