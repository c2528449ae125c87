/**
 * Calendar arithmetic (proleptic Gregorian, as Spark 3+), time-zone offsets via Intl, and the
 * parsing/printing of DATE and TIMESTAMP text in Spark's default formats.
 */

import { daysFromCivil, localToUtcMicros, utcToLocalMicros, zoneOffsetMillis } from '../../common/index.ts';

// The calendar and zone primitives live in common (catalog readers use them too).
export { daysFromCivil, localToUtcMicros, utcToLocalMicros, zoneOffsetMillis };

export const MICROS_PER_SECOND = 1_000_000n;
export const MICROS_PER_DAY = 86_400_000_000n;
const MICROS_PER_DAY_NUM = 86_400_000_000;

/** [year, month (1-12), day] of days since the epoch. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const y = yoe + era * 400;
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const d = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const m = mp < 10 ? mp + 3 : mp - 9;
  return [m <= 2 ? y + 1 : y, m, d];
}

export function isLeapYear(y: number): boolean {
  return (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
}

export function daysInMonth(y: number, m: number): number {
  return m === 2 ? (isLeapYear(y) ? 29 : 28) : [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][m - 1]!;
}

function pad(n: number, w: number): string {
  const s = String(Math.abs(n));
  return (n < 0 ? '-' : '') + (s.length >= w ? s : '0'.repeat(w - s.length) + s);
}

export function formatDate(days: number): string {
  const [y, m, d] = civilFromDays(days);
  return `${pad(y, 4)}-${pad(m, 2)}-${pad(d, 2)}`;
}

const DATE_RE = /^([+-]?\d{1,7})(?:-(\d{1,2})(?:-(\d{1,2}))?)?(?:[ T].*)?$/;

/** Spark's string → date: `yyyy`, `yyyy-[m]m`, `yyyy-[m]m-[d]d`, optionally followed by ` …` or `T…`. */
export function parseDate(text: string): number | undefined {
  const m = DATE_RE.exec(text.trim());
  if (m === null) return undefined;
  const y = Number(m[1]);
  const mo = m[2] === undefined ? 1 : Number(m[2]);
  const d = m[3] === undefined ? 1 : Number(m[3]);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo)) return undefined;
  return daysFromCivil(y, mo, d);
}

/** Floor division of micros into (days, micros of day). */
export function splitMicros(micros: bigint): [number, number] {
  let days = micros / MICROS_PER_DAY;
  let rem = micros % MICROS_PER_DAY;
  if (rem < 0n) {
    rem += MICROS_PER_DAY;
    days -= 1n;
  }
  return [Number(days), Number(rem)];
}

/** `2024-01-02 03:04:05.123` (fraction trimmed) of local micros. */
export function formatLocalMicros(local: bigint): string {
  const [days, rem] = splitMicros(local);
  const h = Math.floor(rem / 3600e6);
  const mi = Math.floor((rem % 3600e6) / 60e6);
  const s = Math.floor((rem % 60e6) / 1e6);
  const f = rem % 1e6;
  let out = `${formatDate(days)} ${pad(h, 2)}:${pad(mi, 2)}:${pad(s, 2)}`;
  if (f !== 0) out += `.${pad(f, 6).replace(/0+$/, '')}`;
  return out;
}

export function formatTimestamp(utcMicros: bigint, zone: string): string {
  return formatLocalMicros(utcToLocalMicros(utcMicros, zone));
}

const TS_RE =
  /^([+-]?\d{1,7})-(\d{1,2})-(\d{1,2})(?:[ T](\d{1,2})(?::(\d{1,2})(?::(\d{1,2})(?:\.(\d{0,9}))?)?)?)?\s*(Z|UTC|GMT|[+-]\d{1,2}(?::?\d{2})?|[A-Za-z]+\/[A-Za-z_]+)?$/;

/**
 * Spark's string → timestamp. Without a zone in the text the time is local to `zone`
 * (pass 'UTC' for TIMESTAMP_NTZ). Undefined when malformed.
 */
export function parseTimestamp(text: string, zone: string, ignoreZone = false): bigint | undefined {
  const t = text.trim();
  const m = TS_RE.exec(t);
  if (m === null) {
    const d = /^[+-]?\d{1,7}(-\d{1,2})?$/.test(t) ? parseDate(t) : undefined;
    return d === undefined ? undefined : localToUtcMicros(BigInt(d) * MICROS_PER_DAY, zone);
  }
  const y = Number(m[1]);
  const mo = Number(m[2]);
  const d = Number(m[3]);
  const h = Number(m[4] ?? 0);
  const mi = Number(m[5] ?? 0);
  const s = Number(m[6] ?? 0);
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const frac = (m[7] ?? '').slice(0, 6).padEnd(6, '0');
  const local =
    BigInt(daysFromCivil(y, mo, d)) * MICROS_PER_DAY +
    BigInt(h * 3600 + mi * 60 + s) * MICROS_PER_SECOND +
    BigInt(Number(frac));
  const z = m[8];
  if (z === undefined || ignoreZone) return localToUtcMicros(local, zone);
  if (z === 'Z' || z === 'UTC' || z === 'GMT') return local;
  if (z.includes('/')) return localToUtcMicros(local, z);
  return localToUtcMicros(local, z);
}

export function microsOfDayToDays(micros: number): number {
  return Math.floor(micros / MICROS_PER_DAY_NUM);
}

/** The local date (days) of a UTC timestamp in `zone`. */
export function timestampToDays(utcMicros: bigint, zone: string): number {
  return splitMicros(utcToLocalMicros(utcMicros, zone))[0];
}

export function daysToTimestamp(days: number, zone: string): bigint {
  return localToUtcMicros(BigInt(days) * MICROS_PER_DAY, zone);
}

/** Adds months, clamping the day to the end of the month (Spark's add_months). */
export function addMonthsToDays(days: number, months: number): number {
  const [y, m, d] = civilFromDays(days);
  const total = y * 12 + (m - 1) + months;
  const ny = Math.floor(total / 12);
  const nm = total - ny * 12 + 1;
  return daysFromCivil(ny, nm, Math.min(d, daysInMonth(ny, nm)));
}

/**
 * A timestamp plus months on the calendar of `zone` (its local date moves, the time of day stays;
 * 'UTC' for TIMESTAMP_NTZ): Spark's timestamp + INTERVAL YEAR TO MONTH.
 */
export function addMonthsToMicros(utcMicros: bigint, months: number, zone: string): bigint {
  const [days, rem] = splitMicros(utcToLocalMicros(utcMicros, zone));
  return localToUtcMicros(BigInt(addMonthsToDays(days, months)) * MICROS_PER_DAY + BigInt(rem), zone);
}
