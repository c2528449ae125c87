/**
 * Interval values from text, for literals and for casts: `INTERVAL '1 day 2 hours'`,
 * `INTERVAL 1 YEAR 2 MONTHS`, `INTERVAL '1-2' YEAR TO MONTH`, `INTERVAL '1 10:00:00' DAY TO SECOND`,
 * and `CAST('INTERVAL ''1-2'' YEAR TO MONTH' AS INTERVAL YEAR TO MONTH)` / `CAST('1-2' AS …)`.
 *
 * Year-month units give a month count; day-time units give microseconds. Mixing the two is an error,
 * as in Spark's ANSI interval types, except read as a calendar interval (`calendarFromUnits`), as
 * Spark reads every interval literal under `spark.sql.legacy.interval.enabled`. `fail` raises the
 * caller's error (42601 for a literal).
 */
import {
  DAY_TIME_FIELDS,
  dayTimeFields,
  dayTimeIntervalType,
  yearMonthFields,
  yearMonthIntervalType,
  type DataType,
  YEAR_MONTH_FIELDS,
  type DayTimeField,
  type YearMonthField,
} from './types.ts';
import { parseCalendarInterval, type CalendarInterval } from './calendar-interval.ts';

/** An interval's value with the fields it was written with. */
export type IntervalValue =
  | {
      readonly type: 'year_month';
      readonly months: number;
      readonly startField: YearMonthField;
      readonly endField: YearMonthField;
    }
  | {
      readonly type: 'day_time';
      readonly micros: bigint;
      readonly startField: DayTimeField;
      readonly endField: DayTimeField;
    };

type Fail = (message: string) => never;

const MICROS: Readonly<Record<string, bigint>> = {
  week: 604_800_000_000n,
  day: 86_400_000_000n,
  hour: 3_600_000_000n,
  minute: 60_000_000n,
  second: 1_000_000n,
  millisecond: 1_000n,
  microsecond: 1n,
};

const UNIT_ALIASES: Readonly<Record<string, string>> = {
  year: 'year',
  years: 'year',
  yr: 'year',
  yrs: 'year',
  month: 'month',
  months: 'month',
  mon: 'month',
  mons: 'month',
  week: 'week',
  weeks: 'week',
  day: 'day',
  days: 'day',
  hour: 'hour',
  hours: 'hour',
  minute: 'minute',
  minutes: 'minute',
  min: 'minute',
  mins: 'minute',
  second: 'second',
  seconds: 'second',
  sec: 'second',
  secs: 'second',
  millisecond: 'millisecond',
  milliseconds: 'millisecond',
  microsecond: 'microsecond',
  microseconds: 'microsecond',
};

/** The canonical unit name (`months` → `month`), or undefined when `word` is no interval unit. */
export function intervalUnit(word: string): string | undefined {
  return UNIT_ALIASES[word.toLowerCase()];
}

/** `value` × `unitMicros` for a decimal text like `-1.5`, truncated to whole microseconds. */
function scaledMicros(value: string, unitMicros: bigint, fail: Fail): bigint {
  const m = /^([+-])?(\d*)(?:\.(\d*))?$/.exec(value);
  if (m === null || (m[2] === '' && (m[3] ?? '') === '')) fail(`invalid interval value: '${value}'`);
  const whole = BigInt(m[2] === '' ? '0' : m[2]!);
  const frac = m[3] ?? '';
  let micros = whole * unitMicros;
  if (frac !== '') micros += (BigInt(frac) * unitMicros) / 10n ** BigInt(frac.length);
  return m[1] === '-' ? -micros : micros;
}

/** The day-time field a unit counts in (weeks as days, sub-second units as seconds). */
function dayTimeField(unit: string): DayTimeField {
  if (unit === 'week') return 'day';
  if (unit === 'millisecond' || unit === 'microsecond') return 'second';
  return unit as DayTimeField;
}

/** Sums `value unit` pairs (units already canonical); the type spans the units written. */
export function intervalFromUnits(
  parts: readonly { value: string; unit: string }[],
  fail: Fail,
): IntervalValue {
  let months = 0;
  let micros = 0n;
  let yearMonth = false;
  let dayTime = false;
  let ymStart = YEAR_MONTH_FIELDS.length;
  let ymEnd = -1;
  let dtStart = DAY_TIME_FIELDS.length;
  let dtEnd = -1;
  for (const { value, unit } of parts) {
    if (unit === 'year' || unit === 'month') {
      yearMonth = true;
      const i = YEAR_MONTH_FIELDS.indexOf(unit);
      ymStart = Math.min(ymStart, i);
      ymEnd = Math.max(ymEnd, i);
      if (!/^[+-]?\d+$/.test(value)) fail(`interval ${unit} value must be an integer: '${value}'`);
      const n = Number(value);
      months += unit === 'year' ? n * 12 : n;
    } else {
      dayTime = true;
      const i = DAY_TIME_FIELDS.indexOf(dayTimeField(unit));
      dtStart = Math.min(dtStart, i);
      dtEnd = Math.max(dtEnd, i);
      const unitMicros = MICROS[unit];
      if (unitMicros === undefined) fail(`invalid interval unit: ${unit}`);
      micros += scaledMicros(value, unitMicros, fail);
    }
  }
  if (yearMonth && dayTime) {
    fail('cannot mix year-month and day-time fields in an interval literal');
  }
  if (yearMonth) {
    if (!Number.isSafeInteger(months) || Math.abs(months) > 2147483647) fail('interval value out of range');
    return {
      type: 'year_month',
      months,
      startField: YEAR_MONTH_FIELDS[ymStart]!,
      endField: YEAR_MONTH_FIELDS[ymEnd]!,
    };
  }
  return {
    type: 'day_time',
    micros,
    startField: DAY_TIME_FIELDS[dtStart] ?? 'day',
    endField: DAY_TIME_FIELDS[dtEnd] ?? 'second',
  };
}

/** Whether `value unit` pairs (units canonical) mix year-month units with day-time ones. */
export function unitsMixFamilies(parts: readonly { value: string; unit: string }[]): boolean {
  const ym = parts.some((p) => p.unit === 'year' || p.unit === 'month');
  return ym && parts.some((p) => p.unit !== 'year' && p.unit !== 'month');
}

/**
 * The calendar interval (`[months, days, micros]`) `value unit` pairs spell, as Spark reads an
 * interval literal under `spark.sql.legacy.interval.enabled`; undefined when they do not make
 * one (a fraction of a unit other than seconds, a field out of range).
 */
export function calendarFromUnits(
  parts: readonly { value: string; unit: string }[],
): CalendarInterval | undefined {
  return parseCalendarInterval(parts.map((p) => `${p.value} ${p.unit}`).join(' '));
}

/** The calendar interval of an ANSI interval value: a day-time value from DAY keeps its days apart. */
export function calendarFromIntervalValue(v: IntervalValue): CalendarInterval {
  if (v.type === 'year_month') return [v.months, 0, 0n];
  if (v.startField !== 'day') return [0, 0, v.micros];
  const day = 86_400_000_000n;
  return [0, Number(v.micros / day), v.micros % day];
}

/** The `value unit` pairs of `'1 day 2 hours'`, `'-3 months'`, `'1 day 02:00:00'`. */
export function intervalPartsFromString(text: string, fail: Fail): { value: string; unit: string }[] {
  let words = text
    .trim()
    .split(/\s+/)
    .filter((w) => w !== '');
  if (words[0]?.toLowerCase() === 'interval') words = words.slice(1);
  if (words.length === 0) fail(`invalid interval string: '${text}'`);
  const parts: { value: string; unit: string }[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    const time = /^([+-])?(\d+):(\d+)(?::(\d+(?:\.\d*)?))?$/.exec(w);
    if (time !== null) {
      const sign = time[1] === '-' ? '-' : '';
      parts.push({ value: sign + time[2]!, unit: 'hour' });
      parts.push({ value: sign + time[3]!, unit: 'minute' });
      if (time[4] !== undefined) parts.push({ value: sign + time[4], unit: 'second' });
      continue;
    }
    const unitWord = words[i + 1];
    const unit = unitWord === undefined ? undefined : intervalUnit(unitWord);
    if (unit === undefined) fail(`invalid interval string: '${text}'`);
    parts.push({ value: w, unit });
    i++;
  }
  return parts;
}

const DAY_TIME_ORDER = ['day', 'hour', 'minute', 'second'] as const;

/** `'1-2' YEAR TO MONTH`, `'1 10:00:00' DAY TO SECOND`, `'10:30' HOUR TO MINUTE`, … */
export function intervalFromTo(text: string, from: string, to: string, fail: Fail): IntervalValue {
  const s = text.trim();
  if (from === 'year') {
    if (to !== 'month') fail(`invalid interval qualifier: ${from} to ${to}`);
    const m = /^([+-])?(\d+)-(\d+)$/.exec(s);
    if (m === null) fail(`interval string does not match year-month format 'y-m': '${text}'`);
    const months = Number(m[2]) * 12 + Number(m[3]);
    if (Number(m[3]) > 11) fail(`interval month field out of range: '${text}'`);
    return {
      type: 'year_month',
      months: m[1] === '-' ? -months : months,
      startField: 'year',
      endField: 'month',
    };
  }
  const fromIdx = DAY_TIME_ORDER.indexOf(from as (typeof DAY_TIME_ORDER)[number]);
  const toIdx = DAY_TIME_ORDER.indexOf(to as (typeof DAY_TIME_ORDER)[number]);
  if (fromIdx < 0 || toIdx <= fromIdx) fail(`invalid interval qualifier: ${from} to ${to}`);
  const units = DAY_TIME_ORDER.slice(fromIdx, toIdx + 1);
  const sign = s.startsWith('-') ? '-' : '';
  const body = s.replace(/^[+-]/, '');
  const fields = body.split(/[ :]/);
  const separatorsOk =
    fields.length === units.length &&
    fields.every((f, i) => (i === fields.length - 1 && to === 'second' ? /^\d+(\.\d*)?$/ : /^\d+$/).test(f));
  if (!separatorsOk || (from === 'day' && units.length > 1 && !/^\d+ /.test(body))) {
    fail(`interval string does not match ${from} to ${to} format: '${text}'`);
  }
  const parts = units.map((unit, i) => ({ value: sign + fields[i]!, unit }));
  return intervalFromUnits(parts, fail);
}

/**
 * The interval type `INTERVAL from [TO to]` (`INTERVAL DAY`, `INTERVAL HOUR TO SECOND`,
 * `INTERVAL YEAR TO MONTH`), or undefined for a qualifier Spark rejects (`HOUR TO DAY`, `YEAR TO DAY`,
 * plural or abbreviated unit words).
 */
export function intervalType(fromWord: string, toWord: string | undefined): DataType | undefined {
  const from = fromWord.toLowerCase();
  const to = (toWord ?? fromWord).toLowerCase();
  const ymFrom = YEAR_MONTH_FIELDS.indexOf(from as YearMonthField);
  const ymTo = YEAR_MONTH_FIELDS.indexOf(to as YearMonthField);
  if (ymFrom >= 0 && ymTo >= ymFrom)
    return yearMonthIntervalType(YEAR_MONTH_FIELDS[ymFrom]!, YEAR_MONTH_FIELDS[ymTo]);
  const dtFrom = DAY_TIME_FIELDS.indexOf(from as DayTimeField);
  const dtTo = DAY_TIME_FIELDS.indexOf(to as DayTimeField);
  if (dtFrom >= 0 && dtTo >= dtFrom)
    return dayTimeIntervalType(DAY_TIME_FIELDS[dtFrom]!, DAY_TIME_FIELDS[dtTo]);
  return undefined;
}

/**
 * A string cast to an ANSI interval type (Spark's castStringToYMInterval / castStringToDTInterval):
 * the target's own form (`'1-2'` for YEAR TO MONTH, `'10'` for YEAR, `'1 02:03:04.5'` for DAY TO
 * SECOND) or the text a cast to STRING gives (`INTERVAL '1-2' YEAR TO MONTH`, an optional sign before
 * the quoted value). Returns months or microseconds in the family of `to`; `fail` on anything else.
 */
export function intervalFromCastString(text: string, to: DataType, fail: Fail): IntervalValue {
  const [start, end] =
    to.kind === 'interval_year_month'
      ? yearMonthFields(to)
      : (dayTimeFields(to) as readonly [string, string]);
  const fromTo = (body: string, from: string, upTo: string): IntervalValue =>
    from === upTo
      ? intervalFromUnits([{ value: body, unit: from }], fail)
      : intervalFromTo(body, from, upTo, fail);
  const s = text.trim();
  const m = /^interval\s*([+-])?\s*'([^']*)'\s+([a-z]+)(?:\s+to\s+([a-z]+))?$/i.exec(s);
  let value: IntervalValue;
  if (m !== null) {
    const from = m[3]!.toLowerCase();
    const upTo = (m[4] ?? m[3]!).toLowerCase();
    if (intervalType(from, upTo) === undefined) fail(`invalid interval qualifier in '${text}'`);
    value = fromTo(m[2]!.trim(), from, upTo);
    if (m[1] === '-')
      value =
        value.type === 'year_month'
          ? { ...value, months: -value.months }
          : { ...value, micros: -value.micros };
  } else {
    value = fromTo(s, start, end);
  }
  if ((value.type === 'year_month') !== (to.kind === 'interval_year_month'))
    fail(
      `'${text}' is not an interval of the ${to.kind === 'interval_year_month' ? 'year-month' : 'day-time'} family`,
    );
  return value;
}
