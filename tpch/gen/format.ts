/**
 * Text formatting of `.tbl` values: dates as `YYYY-MM-DD` from a precomputed table indexed by the
 * day number since 1992-01-01, money from integer cents (never floating point), zero-padded keys,
 * and alphanumeric strings (addresses).
 */

import { ascii, type ByteWriter } from './byte-writer.ts';
import type { RandomStream } from './random.ts';

const MS_PER_DAY = 86_400_000;
const EPOCH = Date.UTC(1992, 0, 1);

/** Day number (since 1992-01-01) of a calendar date. */
export function dayOf(year: number, month: number, day: number): number {
  return Math.round((Date.UTC(year, month - 1, day) - EPOCH) / MS_PER_DAY);
}

/** 1992-01-01: first order date. */
export const START_DAY = 0;
/** 1998-12-31 minus 151 days = 1998-08-02: last order date. */
export const LAST_ORDER_DAY = dayOf(1998, 12, 31) - 151;
/** 1995-06-17: the "current date" that splits returned/open line items. */
export const CURRENT_DAY = dayOf(1995, 6, 17);

const DATES: readonly string[] = Array.from({ length: dayOf(1999, 12, 31) + 1 }, (_, d) =>
  new Date(EPOCH + d * MS_PER_DAY).toISOString().slice(0, 10),
);

const DATE_BYTES: Uint8Array = ascii(DATES.join(''));

/** Writes `YYYY-MM-DD` of a day number. */
export function writeDate(out: ByteWriter, day: number): void {
  out.bytes(DATE_BYTES, day * 10, day * 10 + 10);
}

/** `YYYY-MM-DD` of a day number. */
export function formatDate(day: number): string {
  return DATES[day]!;
}

const TWO_DIGITS: readonly string[] = Array.from({ length: 100 }, (_, i) => String(i).padStart(2, '0'));

/** Cents as a decimal with exactly two fraction digits, e.g. -12345 → `-123.45`. */
export function formatMoney(cents: number): string {
  if (cents < 0) return '-' + formatMoney(-cents);
  return `${Math.floor(cents / 100)}.${TWO_DIGITS[cents % 100]!}`;
}

/** `prefix` followed by `n` zero-padded to nine digits, e.g. `Customer#000000001`. */
export function padded9(prefix: string, n: number): string {
  return prefix + String(n).padStart(9, '0');
}

const ALPHANUMERIC = '0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, ';

/** A random string of length [min, max] over letters, digits, comma and space (spec 4.2.2.7). */
export function randomAlphanumeric(random: RandomStream, min: number, max: number): string {
  const length = random.int(min, max);
  let s = '';
  let bits = 0;
  let available = 0;
  for (let i = 0; i < length; i++) {
    if (available < 6) {
      bits = random.next();
      available = 32;
    }
    s += ALPHANUMERIC[bits & 63]!;
    bits >>>= 6;
    available -= 6;
  }
  return s;
}

/** A phone number `CC-LLL-LLL-LLLL` with country code nationkey + 10 (spec 4.2.2.9). */
export function phone(random: RandomStream, nationkey: number): string {
  return `${nationkey + 10}-${random.int(100, 999)}-${random.int(100, 999)}-${random.int(1000, 9999)}`;
}
