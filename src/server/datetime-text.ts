/**
 * Calendar arithmetic and PostgreSQL's ISO text for dates, timestamps and intervals
 * (DateStyle `ISO, MDY`, IntervalStyle `postgres`), written straight into a ByteSink.
 */
import type { ByteSink } from './cells.ts';

export const MICROS_PER_SECOND = 1_000_000;
export const MICROS_PER_DAY = 86_400_000_000;
/** Days from 1970-01-01 to 2000-01-01 (PostgreSQL's epoch for binary dates and timestamps). */
export const PG_EPOCH_DAYS = 10_957;
export const PG_EPOCH_MICROS = PG_EPOCH_DAYS * MICROS_PER_DAY;

export interface CivilDate {
  year: number;
  month: number;
  day: number;
}

/** Proleptic Gregorian date of a day count since 1970-01-01 (astronomical years: 0 = 1 BC). */
export function civilFromDays(days: number, out: CivilDate): CivilDate {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor(
    (doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365,
  );
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  out.year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  out.month = month;
  out.day = day;
  return out;
}

const scratchDate: CivilDate = { year: 0, month: 0, day: 0 };

/** Writes `YYYY-MM-DD`; returns true when the year is BC (the caller appends ` BC` at the end). */
export function writeDate(sink: ByteSink, days: number): boolean {
  const d = civilFromDays(days, scratchDate);
  const bc = d.year <= 0;
  const year = bc ? 1 - d.year : d.year;
  if (year > 9999) sink.uint(year);
  else sink.padded(year, 4);
  sink.byte(45);
  sink.padded(d.month, 2);
  sink.byte(45);
  sink.padded(d.day, 2);
  return bc;
}

/** Writes `HH:MM:SS[.ffffff]` for microseconds within a day (trailing zeros of the fraction dropped). */
export function writeTimeOfDay(sink: ByteSink, micros: number): void {
  const totalSeconds = Math.floor(micros / MICROS_PER_SECOND);
  const frac = micros - totalSeconds * MICROS_PER_SECOND;
  const h = Math.floor(totalSeconds / 3600);
  const m = Math.floor((totalSeconds - h * 3600) / 60);
  const s = totalSeconds - h * 3600 - m * 60;
  if (h > 99) sink.uint(h);
  else sink.padded(h, 2);
  sink.byte(58);
  sink.padded(m, 2);
  sink.byte(58);
  sink.padded(s, 2);
  writeFraction(sink, frac);
}

function writeFraction(sink: ByteSink, frac: number): void {
  if (frac === 0) return;
  let width = 6;
  while (frac % 10 === 0) {
    frac /= 10;
    width--;
  }
  sink.byte(46);
  sink.padded(frac, width);
}

/** Writes a timestamp of `micros` (already shifted to local time) as `YYYY-MM-DD HH:MM:SS[.ffffff]`;
 * returns true when BC. */
export function writeTimestamp(sink: ByteSink, micros: number): boolean {
  const days = Math.floor(micros / MICROS_PER_DAY);
  return writeTimestampParts(sink, days, micros - days * MICROS_PER_DAY);
}

const BIG_DAY = BigInt(MICROS_PER_DAY);

/** As `writeTimestamp`, for values beyond ±2^53 µs (about ±285 years around 1970). */
export function writeTimestampBig(sink: ByteSink, micros: bigint): boolean {
  let days = micros / BIG_DAY;
  let rest = micros - days * BIG_DAY;
  if (rest < 0n) {
    days -= 1n;
    rest += BIG_DAY;
  }
  return writeTimestampParts(sink, Number(days), Number(rest));
}

function writeTimestampParts(sink: ByteSink, days: number, microsOfDay: number): boolean {
  const bc = writeDate(sink, days);
  sink.byte(32);
  writeTimeOfDay(sink, microsOfDay);
  return bc;
}

/** Writes a UTC offset in seconds as PostgreSQL does: `+00`, `+05:30`, `-03:30`, `+00:53:28`. */
export function writeOffset(sink: ByteSink, offsetSeconds: number): void {
  sink.byte(offsetSeconds < 0 ? 45 : 43);
  const a = Math.abs(offsetSeconds);
  const h = Math.floor(a / 3600);
  const m = Math.floor((a - h * 3600) / 60);
  const s = a - h * 3600 - m * 60;
  sink.padded(h, 2);
  if (m !== 0 || s !== 0) {
    sink.byte(58);
    sink.padded(m, 2);
  }
  if (s !== 0) {
    sink.byte(58);
    sink.padded(s, 2);
  }
}

/** PostgreSQL `postgres`-style text of a year-month interval: `1 year 2 mons`, `-3 mons`, `00:00:00`. */
export function writeYearMonthInterval(sink: ByteSink, months: number): void {
  if (months === 0) {
    sink.ascii('00:00:00');
    return;
  }
  const years = Math.trunc(months / 12);
  const mons = months - years * 12;
  if (years !== 0) {
    sink.int(years);
    sink.ascii(years === 1 ? ' year' : ' years');
  }
  if (mons !== 0) {
    if (years !== 0) sink.byte(32);
    sink.int(mons);
    sink.ascii(mons === 1 ? ' mon' : ' mons');
  }
}

/** PostgreSQL `postgres`-style text of a day-time interval in microseconds: `3 days 04:05:06.5`. */
export function writeDayTimeInterval(sink: ByteSink, micros: number): void {
  if (micros === 0) {
    sink.ascii('00:00:00');
    return;
  }
  const days = Math.trunc(micros / MICROS_PER_DAY);
  const rest = micros - days * MICROS_PER_DAY;
  if (days !== 0) {
    sink.int(days);
    sink.ascii(days === 1 ? ' day' : ' days');
    if (rest === 0) return;
    sink.byte(32);
  }
  if (rest < 0) {
    sink.byte(45);
    writeTimeOfDay(sink, -rest);
  } else writeTimeOfDay(sink, rest);
}

/**
 * PostgreSQL `postgres`-style text of a calendar interval, whose three parts PostgreSQL's interval
 * keeps apart as well: `1 year 2 mons 3 days 04:05:06.5`, `-1 days -02:00:00`, `00:00:00` for zero.
 * Each part carries its own sign; the time part is left out when it is zero (unless all are).
 */
export function writeCalendarInterval(sink: ByteSink, months: number, days: number, micros: bigint): void {
  if (months === 0 && days === 0 && micros === 0n) {
    sink.ascii('00:00:00');
    return;
  }
  let started = false;
  if (months !== 0) {
    writeYearMonthInterval(sink, months);
    started = true;
  }
  if (days !== 0) {
    if (started) sink.byte(32);
    sink.int(days);
    sink.ascii(days === 1 ? ' day' : ' days');
    started = true;
  }
  if (micros === 0n) return;
  if (started) sink.byte(32);
  const abs = micros < 0n ? -micros : micros;
  if (micros < 0n) sink.byte(45);
  if (abs <= BigInt(Number.MAX_SAFE_INTEGER)) {
    writeTimeOfDay(sink, Number(abs));
    return;
  }
  // beyond 2^53 µs: whole hours apart, the rest (under an hour) as a number
  const hourMicros = 3_600_000_000n;
  sink.ascii((abs / hourMicros).toString());
  const rest = Number(abs % hourMicros);
  const seconds = Math.floor(rest / MICROS_PER_SECOND);
  sink.byte(58);
  sink.padded(Math.floor(seconds / 60), 2);
  sink.byte(58);
  sink.padded(seconds % 60, 2);
  writeFraction(sink, rest - seconds * MICROS_PER_SECOND);
}

/** As `writeDayTimeInterval`, for intervals beyond ±2^53 µs. */
export function writeDayTimeIntervalBig(sink: ByteSink, micros: bigint): void {
  const days = micros / BIG_DAY;
  const rest = Number(micros - days * BIG_DAY);
  sink.ascii(days.toString());
  sink.ascii(days === 1n ? ' day' : ' days');
  if (rest === 0) return;
  sink.byte(32);
  if (rest < 0) {
    sink.byte(45);
    writeTimeOfDay(sink, -rest);
  } else writeTimeOfDay(sink, rest);
}
