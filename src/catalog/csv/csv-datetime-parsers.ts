/**
 * Dates and timestamps from CSV bytes, as Spark reads them without a custom format:
 * `yyyy[-[m]m[-[d]d]][( |T)[h]h:[m]m[:[s]s[.ffffff]]][Z|±hh[:mm]]`, surrounding spaces ignored.
 * Calendar dates are validated (2023-02-29 is malformed). Timestamps are µs since the epoch; one
 * written without a zone is wall-clock time in the session's zone, as Spark reads it.
 */
import { EngineError, SqlState, daysFromCivil, isUtcZone, localToUtcMicros } from '../../common/index.ts';

const TABLE_FIRST_YEAR = 1900;
const TABLE_END_YEAR = 2200;
/** Days since the epoch of the first day of each month from 1900 to 2199 (and one past the end). */
const MONTH_START = new Int32Array((TABLE_END_YEAR - TABLE_FIRST_YEAR) * 12 + 1);
for (let y = TABLE_FIRST_YEAR, k = 0; y <= TABLE_END_YEAR; y++) {
  for (let m = 1; m <= 12 && k < MONTH_START.length; m++, k++) MONTH_START[k] = daysFromCivil(y, m, 1);
}

function daysInMonth(y: number, m: number): number {
  if (m === 2) return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0 ? 29 : 28;
  return m === 4 || m === 6 || m === 9 || m === 11 ? 30 : 31;
}

/** Cursor state of the general parser (where the date part ended). */
let cursor = 0;

function digitsAt(buf: Uint8Array, i: number, e: number, min: number, max: number): number {
  let v = 0;
  let n = 0;
  while (i + n < e && n < max) {
    const d = buf[i + n]! - 48;
    if (d < 0 || d > 9) break;
    v = v * 10 + d;
    n++;
  }
  if (n < min) return -1;
  cursor = i + n;
  return v;
}

function isSpace(b: number): boolean {
  return b === 32 || b === 9 || b === 13 || b === 10;
}

/** Parses the date part starting at `i`; returns days (or NaN) and leaves `cursor` after it. */
function parseDatePart(buf: Uint8Array, i: number, e: number): number {
  const y = digitsAt(buf, i, e, 4, 6);
  if (y < 0) return NaN;
  let m = 1;
  let d = 1;
  if (cursor < e && buf[cursor] === 45) {
    m = digitsAt(buf, cursor + 1, e, 1, 2);
    if (m < 0) return NaN;
    if (cursor < e && buf[cursor] === 45) {
      d = digitsAt(buf, cursor + 1, e, 1, 2);
      if (d < 0) return NaN;
    }
  }
  if (m < 1 || m > 12 || d < 1 || d > daysInMonth(y, m)) return NaN;
  return daysFromCivil(y, m, d);
}

/** Days since the epoch, or NaN when malformed. */
export function parseDate(buf: Uint8Array, s: number, e: number): number {
  // Fast path: exactly yyyy-MM-dd with a year in the month table.
  if (e - s === 10 && buf[s + 4] === 45 && buf[s + 7] === 45) {
    const y0 = buf[s]! - 48;
    const y1 = buf[s + 1]! - 48;
    const y2 = buf[s + 2]! - 48;
    const y3 = buf[s + 3]! - 48;
    const m0 = buf[s + 5]! - 48;
    const m1 = buf[s + 6]! - 48;
    const d0 = buf[s + 8]! - 48;
    const d1 = buf[s + 9]! - 48;
    if (
      (y0 | y1 | y2 | y3 | m0 | m1 | d0 | d1) >= 0 &&
      y0 <= 9 &&
      y1 <= 9 &&
      y2 <= 9 &&
      y3 <= 9 &&
      m0 <= 9 &&
      m1 <= 9 &&
      d0 <= 9 &&
      d1 <= 9
    ) {
      const y = y0 * 1000 + y1 * 100 + y2 * 10 + y3;
      const m = m0 * 10 + m1;
      const d = d0 * 10 + d1;
      if (m < 1 || m > 12 || d < 1) return NaN;
      if (y >= TABLE_FIRST_YEAR && y < TABLE_END_YEAR) {
        const k = (y - TABLE_FIRST_YEAR) * 12 + m - 1;
        const first = MONTH_START[k]!;
        return d <= MONTH_START[k + 1]! - first ? first + d - 1 : NaN;
      }
      return d <= daysInMonth(y, m) ? daysFromCivil(y, m, d) : NaN;
    }
  }
  while (s < e && isSpace(buf[s]!)) s++;
  while (e > s && isSpace(buf[e - 1]!)) e--;
  const days = parseDatePart(buf, s, e);
  if (Number.isNaN(days)) return NaN;
  if (cursor === e || buf[cursor] === 32 || buf[cursor] === 84) return days;
  return NaN;
}

/**
 * Microseconds since the epoch, or null when malformed. A text without a zone is wall-clock time
 * in `zone` (the session's; pass `UTC` for TIMESTAMP_NTZ, which keeps the wall clock as it is).
 */
export function parseTimestamp(buf: Uint8Array, s: number, e: number, zone = 'UTC'): bigint | null {
  while (s < e && isSpace(buf[s]!)) s++;
  while (e > s && isSpace(buf[e - 1]!)) e--;
  const days = parseDatePart(buf, s, e);
  if (Number.isNaN(days)) return null;
  let seconds = days * 86400;
  let micros = 0;
  let i = cursor;
  if (i < e && (buf[i] === 32 || buf[i] === 84)) {
    const h = digitsAt(buf, i + 1, e, 1, 2);
    if (h < 0 || h > 23 || cursor >= e || buf[cursor] !== 58) return null;
    const mi = digitsAt(buf, cursor + 1, e, 1, 2);
    if (mi < 0 || mi > 59) return null;
    let sec = 0;
    if (cursor < e && buf[cursor] === 58) {
      sec = digitsAt(buf, cursor + 1, e, 1, 2);
      if (sec < 0 || sec > 59) return null;
      if (cursor < e && buf[cursor] === 46) {
        let j = cursor + 1;
        let scale = 100000;
        const start = j;
        while (j < e) {
          const d = buf[j]! - 48;
          if (d < 0 || d > 9) break;
          if (scale >= 1) micros += d * scale;
          scale /= 10;
          j++;
        }
        if (j === start) return null;
        cursor = j;
      }
    }
    seconds += h * 3600 + mi * 60 + sec;
    i = cursor;
  }
  if (i >= e) {
    const local = BigInt(seconds) * 1000000n + BigInt(micros);
    return isUtcZone(zone) ? local : localToUtcMicros(local, zone);
  }
  {
    const c = buf[i]!;
    if (c === 90 && i + 1 === e) {
      // 'Z'
    } else if (c === 43 || c === 45) {
      const oh = digitsAt(buf, i + 1, e, 2, 2);
      if (oh < 0 || oh > 18) return null;
      let om = 0;
      if (cursor < e && buf[cursor] === 58) om = digitsAt(buf, cursor + 1, e, 2, 2);
      else if (cursor < e) om = digitsAt(buf, cursor, e, 2, 2);
      if (om < 0 || om > 59 || cursor !== e) return null;
      const offset = oh * 3600 + om * 60;
      seconds -= c === 43 ? offset : -offset;
    } else {
      return null;
    }
  }
  return BigInt(seconds) * 1000000n + BigInt(micros);
}

const ISO_DATE_FORMATS = new Set(['yyyy-MM-dd', 'yyyy-M-d', 'uuuu-MM-dd']);
const ISO_TIMESTAMP_FORMATS = new Set([
  "yyyy-MM-dd'T'HH:mm:ss[.SSS][XXX]",
  "yyyy-MM-dd'T'HH:mm:ss.SSSXXX",
  "yyyy-MM-dd'T'HH:mm:ss",
  'yyyy-MM-dd HH:mm:ss',
  'yyyy-MM-dd HH:mm:ss.SSS',
  'yyyy-MM-dd HH:mm:ss.SSSSSS',
  "yyyy-MM-dd'T'HH:mm:ss.SSSSSS",
]);

/** Only ISO-style formats are supported for now; others are refused clearly rather than misread. */
export function checkDatetimeFormats(dateFormat: string | null, timestampFormat: string | null): void {
  if (dateFormat !== null && !ISO_DATE_FORMATS.has(dateFormat)) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `CSV dateFormat "${dateFormat}" is not supported yet (use yyyy-MM-dd)`,
    );
  }
  if (timestampFormat !== null && !ISO_TIMESTAMP_FORMATS.has(timestampFormat)) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `CSV timestampFormat "${timestampFormat}" is not supported yet (use yyyy-MM-dd HH:mm:ss[.SSSSSS])`,
    );
  }
}
