/**
 * TIME values — microseconds since midnight — as text: Spark's string → TIME (the forms that
 * `CAST(s AS TIME)` and `TIME '…'` literals accept) and TIME → string (`HH:mm:ss` and the fraction
 * of the second without its trailing zeros, as Spark prints a TIME whatever its precision), and the
 * truncation of a time to the fractional digits of a TIME(p).
 */

/** Microseconds in a day: a TIME value lies in [0, MICROS_PER_DAY_OF_TIME). */
export const MICROS_PER_DAY_OF_TIME = 86_400_000_000n;

/** True for the characters Spark trims around a datetime string (whitespace and ISO controls). */
function isTrimmed(code: number): boolean {
  return code <= 0x20 || (code >= 0x7f && code <= 0x9f);
}

function trim(text: string): string {
  let s = 0;
  let e = text.length;
  while (s < e && isTrimmed(text.charCodeAt(s))) s++;
  while (e > s && isTrimmed(text.charCodeAt(e - 1))) e--;
  return text.slice(s, e);
}

/** `[T][h]h:[m]m[:[s]s[.fraction]]`, digits beyond the sixth of the fraction ignored. */
const TIME_RE = /^T?(\d{1,2}):(\d{1,2})(?::(\d{1,2})(?:\.(\d*))?)?$/;

/**
 * Spark's string → TIME: `[h]h:[m]m`, `[h]h:[m]m:[s]s` and `[h]h:[m]m:[s]s.[fraction]` (up to six
 * digits kept), optionally led by `T`, optionally followed by `AM`/`PM` (then the hour is 1-12),
 * surrounded by any whitespace. Undefined when the text is not such a time, names a zone or a
 * date, or a field is out of range.
 */
export function parseTime(text: string): bigint | undefined {
  let t = trim(text);
  let meridiem: 'am' | 'pm' | null = null;
  if (t.length > 2) {
    const suffix = t.slice(-2).toLowerCase();
    if (suffix === 'am' || suffix === 'pm') {
      meridiem = suffix;
      t = trim(t.slice(0, -2));
    }
  }
  const m = TIME_RE.exec(t);
  if (m === null) return undefined;
  let hour = Number(m[1]);
  const minute = Number(m[2]);
  const second = Number(m[3] ?? 0);
  if (meridiem === null) {
    if (hour > 23) return undefined;
  } else {
    if (hour < 1 || hour > 12) return undefined;
    if (meridiem === 'am' && hour === 12) hour = 0;
    else if (meridiem === 'pm' && hour !== 12) hour += 12;
  }
  if (minute > 59 || second > 59) return undefined;
  const fraction = Number((m[4] ?? '').slice(0, 6).padEnd(6, '0'));
  return BigInt((hour * 3600 + minute * 60 + second) * 1_000_000 + fraction);
}

function two(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

/** `HH:mm:ss[.f…]` of a TIME value, the fraction without trailing zeros (`15:00:01.1234`). */
export function formatTime(micros: bigint | number): string {
  const v = Number(micros);
  const seconds = Math.floor(v / 1_000_000);
  const fraction = v - seconds * 1_000_000;
  let out = `${two(Math.floor(seconds / 3600))}:${two(Math.floor(seconds / 60) % 60)}:${two(seconds % 60)}`;
  if (fraction !== 0) out += `.${String(fraction).padStart(6, '0').replace(/0+$/, '')}`;
  return out;
}

const TRUNCATE_UNIT = [1_000_000n, 100_000n, 10_000n, 1_000n, 100n, 10n, 1n];

/** A TIME value cut to `precision` fractional digits of the second (Spark truncates, never rounds). */
export function truncateTime(micros: bigint, precision: number): bigint {
  const unit = TRUNCATE_UNIT[precision] ?? 1n;
  return unit === 1n ? micros : micros - (micros % unit);
}
