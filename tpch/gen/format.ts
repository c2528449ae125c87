/**
 * Day numbers (since 1992-01-01) and the table of their `YYYY-MM-DD` bytes, money text from integer
 * cents (never floating point), and the random strings written into string columns: alphanumeric
 * addresses and phone numbers.
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

/** `YYYY-MM-DD` of every day number, 10 bytes each. */
export const DATE_BYTES: Uint8Array = ascii(DATES.join(''));

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

const ALPHANUMERIC = ascii('0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ, ');

/** A random string of length [min, max] over letters, digits, comma and space (spec 4.2.2.7). */
export function writeAlphanumeric(out: ByteWriter, random: RandomStream, min: number, max: number): void {
  const length = random.int(min, max);
  let bits = 0;
  let available = 0;
  for (let i = 0; i < length; i++) {
    if (available < 6) {
      bits = random.next();
      available = 32;
    }
    out.byte(ALPHANUMERIC[bits & 63]!);
    bits >>>= 6;
    available -= 6;
  }
}

const DASH = 0x2d;

/** A phone number `CC-LLL-LLL-LLLL` with country code nationkey + 10 (spec 4.2.2.9). */
export function writePhone(out: ByteWriter, random: RandomStream, nationkey: number): void {
  out.int(nationkey + 10);
  out.byte(DASH);
  out.int(random.int(100, 999));
  out.byte(DASH);
  out.int(random.int(100, 999));
  out.byte(DASH);
  out.int(random.int(1000, 9999));
}
