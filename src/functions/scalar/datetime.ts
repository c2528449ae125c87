/**
 * Date and time functions. Dates are days since the epoch, timestamps UTC microseconds shown in
 * the session time zone (`ctx.timeZone`); `current_*` read `ctx.queryStartMicros`, so they are
 * stable within a query.
 */
import {
  isNumeric,
  EngineError,
  SqlState,
  T,
  dayTimeFields,
  dayTimeIntervalType,
  calendarIntervalField,
  fromArrowType,
  type CalendarInterval,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { EvalContext, ResolveContext, ScalarFunctionDef } from '../registry.ts';
import {
  MICROS_PER_DAY,
  addMonthsToDays,
  addMonthsToMicros,
  civilFromDays,
  daysFromCivil,
  daysInMonth,
  daysToTimestamp,
  localToUtcMicros,
  parseDate,
  parseTimestamp,
  splitMicros,
  timestampToDays,
  utcToLocalMicros,
} from '../kernels/datetime.ts';
import { formatWithPattern, parseWithPattern, parseWithPatternZone } from '../kernels/datetime-format.ts';
import { overflowError, valueText } from '../kernels/common.ts';
import { calendarIntervalExtractField, calendarIntervalFieldType } from './calendar-interval.ts';
import { checkArity, coerce, evaluateRows, simple, typeMismatch } from './define.ts';

const DATE = T.date;
const TS = T.timestamp;
const I = T.int;
const S = T.string;

/** Days of a date-ish value (date, or timestamp in the session zone). */
function toDays(v: Value, ctx: EvalContext): number {
  return typeof v === 'bigint' ? timestampToDays(v, ctx.timeZone) : (v as number);
}

function dateArgType(name: string, index: number, t: DataType): DataType {
  if (t.kind === 'timestamp' || t.kind === 'timestamp_ntz' || t.kind === 'date') return t;
  return coerce(name, index, t, DATE);
}

function dateField(
  name: string,
  description: string,
  f: (days: number) => number,
  aliases?: readonly string[],
): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    ...(aliases === undefined ? {} : { aliases }),
    description,
    resolve(argTypes) {
      checkArity(name, argTypes, 1, 1);
      return { argTypes: [dateArgType(name, 0, argTypes[0]!)], returnType: I };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(args, [DATE], numRows, returnType, ctx, (v) => f(toDays(v[0]!, ctx)), true);
    },
  };
}

/** Local microseconds of day of a timestamp-ish value. */
function localParts(v: Value, ctx: EvalContext, ntz: boolean): [number, number] {
  if (typeof v === 'number') return [v, 0];
  return splitMicros(ntz ? (v as bigint) : utcToLocalMicros(v as bigint, ctx.timeZone));
}

function timeField(name: string, description: string, f: (microsOfDay: number) => number): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description,
    resolve(argTypes) {
      checkArity(name, argTypes, 1, 1);
      const t = argTypes[0]!;
      return { argTypes: [t.kind === 'timestamp_ntz' ? t : coerce(name, 0, t, TS)], returnType: I };
    },
    evaluate(args, numRows, returnType, ctx) {
      const ntz =
        args[0]!.kind === 'scalar'
          ? args[0]!.type.kind === 'timestamp_ntz'
          : !(args[0]!.data.type as { timezone?: string | null }).timezone;
      return evaluateRows(
        args,
        [TS],
        numRows,
        returnType,
        ctx,
        (v) => f(localParts(v[0]!, ctx, ntz)[1]),
        true,
      );
    },
  };
}

const year = (d: number): number => civilFromDays(d)[0];
const month = (d: number): number => civilFromDays(d)[1];
const dayOfMonth = (d: number): number => civilFromDays(d)[2];
const dayOfYear = (d: number): number => d - daysFromCivil(year(d), 1, 1) + 1;
/** 0 = Monday … 6 = Sunday. */
const weekday = (d: number): number => ((d % 7) + 7 + 3) % 7;
function isoWeek(d: number): number {
  const wd = weekday(d);
  const thursday = d - wd + 3;
  const y = year(thursday);
  return Math.floor((thursday - daysFromCivil(y, 1, 1)) / 7) + 1;
}

const EXTRACT_FIELDS: Record<string, (days: number) => number> = {
  year: year,
  years: year,
  y: year,
  yr: year,
  yrs: year,
  yyyy: year,
  quarter: (d) => Math.floor((month(d) - 1) / 3) + 1,
  qtr: (d) => Math.floor((month(d) - 1) / 3) + 1,
  month: month,
  months: month,
  mon: month,
  mons: month,
  week: isoWeek,
  weeks: isoWeek,
  w: isoWeek,
  day: dayOfMonth,
  days: dayOfMonth,
  d: dayOfMonth,
  dayofweek: (d) => ((weekday(d) + 1) % 7) + 1,
  dow: (d) => ((weekday(d) + 1) % 7) + 1,
  dayofweek_iso: (d) => weekday(d) + 1,
  dow_iso: (d) => weekday(d) + 1,
  doy: dayOfYear,
};
const TIME_FIELDS: Record<string, (micros: number) => number> = {
  hour: (m) => Math.floor(m / 3600e6),
  hours: (m) => Math.floor(m / 3600e6),
  h: (m) => Math.floor(m / 3600e6),
  minute: (m) => Math.floor((m % 3600e6) / 60e6),
  minutes: (m) => Math.floor((m % 3600e6) / 60e6),
  m: (m) => Math.floor((m % 3600e6) / 60e6),
};

const extract: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'extract',
  aliases: ['date_part', 'datepart'],
  description: "extract(field, source) - A field ('year', 'month', 'day', 'hour', …) of a date or timestamp.",
  resolve(argTypes, ctx: ResolveContext) {
    checkArity('extract', argTypes, 2, 2);
    const field = valueText(ctx.literalArgs[0] ?? '').toLowerCase();
    const src = argTypes[1]!;
    if (src.kind === 'calendar_interval') {
      // Spark's ExtractInterval*: YEAR, MONTH, DAY, HOUR, MINUTE, SECOND (and their aliases) only
      const part = calendarIntervalExtractField(field);
      if (part === undefined) {
        throw new EngineError(
          SqlState.syntaxError,
          `[INVALID_EXTRACT_FIELD] Cannot extract ${field} from INTERVAL.`,
        );
      }
      return { argTypes: [S, src], returnType: calendarIntervalFieldType(part) };
    }
    if (
      EXTRACT_FIELDS[field] === undefined &&
      TIME_FIELDS[field] === undefined &&
      !['second', 'seconds', 's', 'sec', 'secs'].includes(field)
    ) {
      throw new EngineError(
        SqlState.syntaxError,
        `[INVALID_EXTRACT_FIELD] Cannot extract ${field} from ${src.kind.toUpperCase()}.`,
      );
    }
    const isSecond = ['second', 'seconds', 's', 'sec', 'secs'].includes(field);
    const srcType =
      EXTRACT_FIELDS[field] !== undefined
        ? dateArgType('extract', 1, src)
        : src.kind === 'timestamp_ntz'
          ? src
          : coerce('extract', 1, src, TS);
    return { argTypes: [S, srcType], returnType: isSecond ? T.decimal(8, 6) : I };
  },
  evaluate(args, numRows, returnType, ctx) {
    const src = args[1]!;
    if ((src.kind === 'scalar' ? src.type : fromArrowType(src.data.type)).kind === 'calendar_interval') {
      return evaluateRows(
        args,
        [S, T.calendarInterval],
        numRows,
        returnType,
        ctx,
        (v) => {
          const part = calendarIntervalExtractField(v[0] as string);
          if (part === undefined)
            throw new EngineError(SqlState.internalError, 'internal error: extract field');
          return calendarIntervalField(v[1] as CalendarInterval, part);
        },
        true,
      );
    }
    return evaluateRows(
      args,
      [S, TS],
      numRows,
      returnType,
      ctx,
      (v) => {
        const field = (v[0] as string).toLowerCase();
        const df = EXTRACT_FIELDS[field];
        if (df !== undefined) return df(toDays(v[1]!, ctx));
        const micros = localParts(v[1]!, ctx, false)[1];
        const tf = TIME_FIELDS[field];
        if (tf !== undefined) return tf(micros);
        return BigInt(micros % 60e6);
      },
      true,
    );
  },
};

function parseFailure(text: string, ctx: EvalContext): null {
  if (ctx.ansi) {
    throw new EngineError(
      SqlState.invalidDatetimeFormat,
      `[CANNOT_PARSE_TIMESTAMP] Text '${text}' could not be parsed.`,
      {
        hint: 'Use `try_to_timestamp` to tolerate invalid input string and return NULL instead.',
      },
    );
  }
  return null;
}

function truncTimestamp(level: string, utc: bigint, ctx: EvalContext): bigint | null {
  const local = utcToLocalMicros(utc, ctx.timeZone);
  const [days, rem] = splitMicros(local);
  const [y, m] = civilFromDays(days);
  let outLocal: bigint;
  switch (level) {
    case 'microsecond':
      return utc;
    case 'millisecond':
      outLocal = local - BigInt(rem % 1000);
      break;
    case 'second':
      outLocal = local - BigInt(rem % 1e6);
      break;
    case 'minute':
      outLocal = local - BigInt(rem % 60e6);
      break;
    case 'hour':
      outLocal = local - BigInt(rem % 3600e6);
      break;
    case 'day':
    case 'dd':
      outLocal = BigInt(days) * MICROS_PER_DAY;
      break;
    case 'week':
      outLocal = BigInt(days - weekday(days)) * MICROS_PER_DAY;
      break;
    case 'month':
    case 'mon':
    case 'mm':
      outLocal = BigInt(daysFromCivil(y, m, 1)) * MICROS_PER_DAY;
      break;
    case 'quarter':
      outLocal = BigInt(daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1)) * MICROS_PER_DAY;
      break;
    case 'year':
    case 'yyyy':
    case 'yy':
      outLocal = BigInt(daysFromCivil(y, 1, 1)) * MICROS_PER_DAY;
      break;
    default:
      return null;
  }
  return localToUtcMicros(outLocal, ctx.timeZone);
}

function truncDate(level: string, days: number): number | null {
  const [y, m] = civilFromDays(days);
  switch (level) {
    case 'week':
      return days - weekday(days);
    case 'month':
    case 'mon':
    case 'mm':
      return daysFromCivil(y, m, 1);
    case 'quarter':
      return daysFromCivil(y, Math.floor((m - 1) / 3) * 3 + 1, 1);
    case 'year':
    case 'yyyy':
    case 'yy':
      return daysFromCivil(y, 1, 1);
    default:
      return null;
  }
}

const DOW_NAMES: Record<string, number> = {
  mo: 0,
  mon: 0,
  monday: 0,
  tu: 1,
  tue: 1,
  tuesday: 1,
  we: 2,
  wed: 2,
  wednesday: 2,
  th: 3,
  thu: 3,
  thursday: 3,
  fr: 4,
  fri: 4,
  friday: 4,
  sa: 5,
  sat: 5,
  saturday: 5,
  su: 6,
  sun: 6,
  sunday: 6,
};

function monthsBetween(t1: bigint, t2: bigint, roundOff: boolean, ctx: EvalContext): number {
  const [d1, r1] = splitMicros(utcToLocalMicros(t1, ctx.timeZone));
  const [d2, r2] = splitMicros(utcToLocalMicros(t2, ctx.timeZone));
  const [y1, m1, dd1] = civilFromDays(d1);
  const [y2, m2, dd2] = civilFromDays(d2);
  const months = (y1 - y2) * 12 + (m1 - m2);
  const last1 = dd1 === daysInMonth(y1, m1);
  const last2 = dd2 === daysInMonth(y2, m2);
  if (dd1 === dd2 || (last1 && last2)) return months;
  const secs1 = (dd1 - 1) * 86400 + r1 / 1e6;
  const secs2 = (dd2 - 1) * 86400 + r2 / 1e6;
  const diff = months + (secs1 - secs2) / (31 * 86400);
  return roundOff ? Math.round(diff * 1e8) / 1e8 : diff;
}

function checkedDays(d: number, ctx: EvalContext): number | null {
  if (d > 2147483647 || d < -2147483648) {
    if (ctx.ansi) throw overflowError('integer', 'try_add');
    return null;
  }
  return d;
}

const dateAddInterval: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'date_add_interval',
  description:
    'date_add_interval(date, interval) - A date plus a year-month interval or an INTERVAL DAY (a date), or a day-time interval with time fields (a timestamp).',
  resolve(argTypes) {
    checkArity('date_add_interval', argTypes, 2, 2);
    const it = argTypes[1]!;
    if (it.kind !== 'interval_year_month' && it.kind !== 'interval_day_time')
      throw typeMismatch('date_add_interval', 1, '"INTERVAL"', it);
    const [start, end] = dayTimeFields(it);
    const toDate = it.kind === 'interval_year_month' || (start === 'day' && end === 'day');
    return { argTypes: [DATE, it], returnType: toDate ? DATE : TS };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [DATE, T.intervalDayTime],
      numRows,
      returnType,
      ctx,
      (v) => {
        const d = v[0] as number;
        const iv = v[1]!;
        if (typeof iv === 'number') return addMonthsToDays(d, iv);
        if (returnType.kind === 'date') return checkedDays(d + Number((iv as bigint) / MICROS_PER_DAY), ctx);
        return daysToTimestamp(d, ctx.timeZone) + (iv as bigint);
      },
      true,
    );
  },
};

const timestampAddInterval: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'timestamp_add_interval',
  description: 'timestamp_add_interval(ts, interval) - A timestamp plus a year-month or day-time interval.',
  resolve(argTypes) {
    checkArity('timestamp_add_interval', argTypes, 2, 2);
    const it = argTypes[1]!;
    if (it.kind !== 'interval_year_month' && it.kind !== 'interval_day_time')
      throw typeMismatch('timestamp_add_interval', 1, '"INTERVAL"', it);
    const t =
      argTypes[0]!.kind === 'timestamp_ntz'
        ? argTypes[0]
        : coerce('timestamp_add_interval', 0, argTypes[0]!, TS);
    return { argTypes: [t, it], returnType: t };
  },
  evaluate(args, numRows, returnType, ctx) {
    const zone = returnType.kind === 'timestamp_ntz' ? 'UTC' : ctx.timeZone;
    return evaluateRows(
      args,
      [returnType, T.intervalDayTime],
      numRows,
      returnType,
      ctx,
      (v) => {
        const t = v[0] as bigint;
        const iv = v[1]!;
        if (typeof iv === 'bigint') return t + iv;
        return addMonthsToMicros(t, iv as number, zone);
      },
      true,
    );
  },
};

function formatTs(v: Value, fmt: string, ctx: EvalContext): string {
  const local =
    typeof v === 'number' ? BigInt(v) * MICROS_PER_DAY : utcToLocalMicros(v as bigint, ctx.timeZone);
  const utc = typeof v === 'number' ? localToUtcMicros(local, ctx.timeZone) : (v as bigint);
  const offsetSeconds = Number((local - utc) / 1_000_000n);
  return formatWithPattern(local, fmt, { id: ctx.timeZone, offsetSeconds });
}

function parseToTimestamp(text: string, fmt: string | undefined, ctx: EvalContext): bigint | null {
  if (fmt === undefined) {
    const t = parseTimestamp(text, ctx.timeZone);
    return t === undefined ? parseFailure(text, ctx) : t;
  }
  const parsed = parseWithPatternZone(text, fmt);
  return parsed === undefined
    ? parseFailure(text, ctx)
    : localToUtcMicros(parsed.local, parsed.zone ?? ctx.timeZone);
}

/** `to_timestamp`, and with `lenient` its `try_` form (a text that does not fit is NULL, ANSI or not). */
function toTimestampFunction(name: string, lenient: boolean): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: lenient
      ? `${name}(str[, fmt]) - Parses a timestamp; NULL when the text does not fit, whatever the ANSI mode.`
      : `${name}(str[, fmt]) - Parses a timestamp.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 1, 2);
      const t = argTypes[0]!;
      // Without a format, a number is cast: seconds since the epoch (to_timestamp(1.5) is 00:00:01.5).
      if (argTypes.length === 1 && isNumeric(t)) return { argTypes: [TS], returnType: TS };
      const first = t.kind === 'timestamp' || t.kind === 'date' ? t : coerce(name, 0, t, S);
      return {
        argTypes: argTypes.length === 2 ? [first, coerce(name, 1, argTypes[1]!, S)] : [first],
        returnType: TS,
      };
    },
    evaluate(args, numRows, returnType, given) {
      const ctx = lenient ? { ...given, ansi: false } : given;
      return evaluateRows(
        args,
        [S, S],
        numRows,
        returnType,
        ctx,
        (v) => {
          const x = v[0]!;
          if (typeof x === 'bigint') return x;
          if (typeof x === 'number') return daysToTimestamp(x, ctx.timeZone);
          return parseToTimestamp(x as string, v[1] as string | undefined, ctx);
        },
        true,
      );
    },
  };
}

export const datetimeFunctions: readonly ScalarFunctionDef[] = [
  dateField('year', 'year(date) - The year.', year),
  dateField(
    'quarter',
    'quarter(date) - The quarter of the year (1-4).',
    (d) => Math.floor((month(d) - 1) / 3) + 1,
  ),
  dateField('month', 'month(date) - The month (1-12).', month),
  dateField('day', 'day(date) - The day of the month.', dayOfMonth, ['dayofmonth']),
  dateField(
    'dayofweek',
    'dayofweek(date) - The day of the week (1 = Sunday … 7 = Saturday).',
    (d) => ((weekday(d) + 1) % 7) + 1,
  ),
  dateField('dayofyear', 'dayofyear(date) - The day of the year (1-366).', dayOfYear),
  dateField('weekday', 'weekday(date) - The day of the week (0 = Monday … 6 = Sunday).', weekday),
  dateField('weekofyear', 'weekofyear(date) - The ISO-8601 week of the year.', isoWeek),
  timeField('hour', 'hour(ts) - The hour (0-23).', (m) => Math.floor(m / 3600e6)),
  timeField('minute', 'minute(ts) - The minute (0-59).', (m) => Math.floor((m % 3600e6) / 60e6)),
  timeField('second', 'second(ts) - The second (0-59).', (m) => Math.floor((m % 60e6) / 1e6)),
  extract,
  simple({
    name: 'date_add',
    aliases: ['dateadd'],
    description: 'date_add(date, n) - The date n days later.',
    args: [[DATE, I]],
    returns: DATE,
    row: (v, ctx) => checkedDays((v[0] as number) + (v[1] as number), ctx),
  }),
  simple({
    name: 'date_sub',
    description: 'date_sub(date, n) - The date n days earlier.',
    args: [[DATE, I]],
    returns: DATE,
    row: (v, ctx) => checkedDays((v[0] as number) - (v[1] as number), ctx),
  }),
  simple({
    name: 'datediff',
    aliases: ['date_diff'],
    description: 'datediff(end, start) - The number of days from start to end.',
    args: [[DATE, DATE]],
    returns: I,
    row: (v) => (v[0] as number) - (v[1] as number),
  }),
  simple({
    name: 'date_diff_interval',
    description: 'date_diff_interval(end, start) - end - start as an INTERVAL DAY.',
    args: [[DATE, DATE]],
    returns: dayTimeIntervalType('day'),
    row: (v) => BigInt((v[0] as number) - (v[1] as number)) * MICROS_PER_DAY,
  }),
  simple({
    name: 'add_months',
    description: 'add_months(date, n) - The date n months later (clamped to the month end).',
    args: [[DATE, I]],
    returns: DATE,
    row: (v) => addMonthsToDays(v[0] as number, v[1] as number),
  }),
  simple({
    name: 'months_between',
    description: 'months_between(ts1, ts2[, roundOff]) - Months between two timestamps.',
    args: [
      [TS, TS],
      [TS, TS, T.boolean],
    ],
    returns: T.double,
    row: (v, ctx) => monthsBetween(v[0] as bigint, v[1] as bigint, v[2] !== false, ctx),
  }),
  simple({
    name: 'date_trunc',
    description:
      "date_trunc(fmt, ts) - The timestamp truncated to the unit ('year', 'quarter', 'month', 'week', 'day', 'hour', …).",
    args: [[S, TS]],
    returns: TS,
    row: (v, ctx) => truncTimestamp((v[0] as string).toLowerCase(), v[1] as bigint, ctx),
  }),
  simple({
    name: 'trunc',
    description: "trunc(date, fmt) - The date truncated to the unit ('year', 'quarter', 'month', 'week').",
    args: [[DATE, S]],
    returns: DATE,
    row: (v) => truncDate((v[1] as string).toLowerCase(), v[0] as number),
  }),
  simple({
    name: 'last_day',
    description: 'last_day(date) - The last day of the month.',
    args: [[DATE]],
    returns: DATE,
    row: (v) => {
      const [y, m] = civilFromDays(v[0] as number);
      return daysFromCivil(y, m, daysInMonth(y, m));
    },
  }),
  simple({
    name: 'next_day',
    description:
      "next_day(date, dow) - The first date after `date` on the given day of the week ('Mon', 'TU', 'friday'…).",
    args: [[DATE, S]],
    returns: DATE,
    row: (v, ctx) => {
      const target = DOW_NAMES[(v[1] as string).toLowerCase()];
      if (target === undefined) {
        if (ctx.ansi)
          throw new EngineError(
            SqlState.invalidDayOfWeek,
            `[ILLEGAL_DAY_OF_WEEK] Illegal input for day of week: ${v[1] as string}.`,
          );
        return null;
      }
      const d = v[0] as number;
      const diff = (target - weekday(d) + 7) % 7;
      return d + (diff === 0 ? 7 : diff);
    },
  }),
  simple({
    name: 'current_date',
    aliases: ['curdate'],
    description: 'current_date() - The date at the start of the query.',
    args: [[]],
    returns: DATE,
    deterministic: false,
    row: (_v, ctx) => timestampToDays(ctx.queryStartMicros, ctx.timeZone),
  }),
  simple({
    name: 'current_timestamp',
    aliases: ['now', 'localtimestamp'],
    description: 'current_timestamp() - The timestamp at the start of the query.',
    args: [[]],
    returns: TS,
    deterministic: false,
    row: (_v, ctx) => ctx.queryStartMicros,
  }),
  simple({
    name: 'current_timezone',
    description: 'current_timezone() - The session time zone.',
    args: [[]],
    returns: S,
    row: (_v, ctx) => ctx.timeZone,
  }),
  {
    kind: 'scalar',
    name: 'to_date',
    description: 'to_date(str[, fmt]) - Parses a date.',
    resolve(argTypes) {
      checkArity('to_date', argTypes, 1, 2);
      const t = argTypes[0]!;
      const first =
        t.kind === 'timestamp' || t.kind === 'timestamp_ntz' || t.kind === 'date'
          ? t
          : coerce('to_date', 0, t, S);
      return {
        argTypes: argTypes.length === 2 ? [first, coerce('to_date', 1, argTypes[1]!, S)] : [first],
        returnType: DATE,
      };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [S, S],
        numRows,
        returnType,
        ctx,
        (v) => {
          const x = v[0]!;
          if (typeof x === 'number' || typeof x === 'bigint') return toDays(x, ctx);
          if (v.length === 1) {
            const d = parseDate(x as string);
            return d === undefined ? parseFailure(x as string, ctx) : d;
          }
          const local = parseWithPattern(x as string, v[1] as string);
          return local === undefined ? parseFailure(x as string, ctx) : splitMicros(local)[0];
        },
        true,
      );
    },
  },
  toTimestampFunction('to_timestamp', false),
  toTimestampFunction('try_to_timestamp', true),
  {
    kind: 'scalar',
    name: 'date_format',
    description:
      "date_format(ts, fmt) - Formats a timestamp with a datetime pattern ('yyyy-MM-dd HH:mm:ss').",
    resolve(argTypes) {
      checkArity('date_format', argTypes, 2, 2);
      const t = argTypes[0]!;
      return {
        argTypes: [
          t.kind === 'date' ? t : coerce('date_format', 0, t, TS),
          coerce('date_format', 1, argTypes[1]!, S),
        ],
        returnType: S,
      };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [TS, S],
        numRows,
        returnType,
        ctx,
        (v) => formatTs(v[0]!, v[1] as string, ctx),
        true,
      );
    },
  },
  simple({
    name: 'from_unixtime',
    description:
      "from_unixtime(secs[, fmt]) - Formats seconds since the epoch ('yyyy-MM-dd HH:mm:ss' by default).",
    args: [[T.bigint], [T.bigint, S]],
    returns: S,
    row: (v, ctx) =>
      formatTs((v[0] as bigint) * 1_000_000n, (v[1] as string | undefined) ?? 'yyyy-MM-dd HH:mm:ss', ctx),
  }),
  {
    kind: 'scalar',
    name: 'unix_timestamp',
    aliases: ['to_unix_timestamp'],
    description:
      'unix_timestamp([expr[, fmt]]) - Seconds since the epoch (of now, a timestamp, a date or parsed text).',
    deterministic: false,
    resolve(argTypes) {
      checkArity('unix_timestamp', argTypes, 0, 2);
      const types = argTypes.map((t, i) =>
        i === 0 && (t.kind === 'timestamp' || t.kind === 'date' || t.kind === 'timestamp_ntz')
          ? t
          : coerce('unix_timestamp', i, t, S),
      );
      return { argTypes: types, returnType: T.bigint };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [S, S],
        numRows,
        returnType,
        ctx,
        (v) => {
          if (v.length === 0) return ctx.queryStartMicros / 1_000_000n;
          const x = v[0]!;
          let micros: bigint | null;
          if (typeof x === 'bigint') micros = x;
          else if (typeof x === 'number') micros = daysToTimestamp(x, ctx.timeZone);
          else
            micros = parseToTimestamp(
              x as string,
              (v[1] as string | undefined) ?? 'yyyy-MM-dd HH:mm:ss',
              ctx,
            );
          if (micros === null) return null;
          return micros / 1_000_000n - (micros % 1_000_000n < 0n ? 1n : 0n);
        },
        true,
      );
    },
  },
  simple({
    name: 'make_date',
    description: 'make_date(year, month, day) - A date from its fields.',
    args: [[I, I, I]],
    returns: DATE,
    row: (v, ctx) => {
      const [y, m, d] = v as number[];
      if (m! < 1 || m! > 12 || d! < 1 || d! > daysInMonth(y!, m!)) {
        if (ctx.ansi)
          throw new EngineError(
            SqlState.invalidParameterValue,
            `[DATETIME_FIELD_OUT_OF_BOUNDS] Invalid date: year ${y}, month ${m}, day ${d}.`,
          );
        return null;
      }
      return daysFromCivil(y!, m!, d!);
    },
  }),
  dateAddInterval,
  timestampAddInterval,
  {
    kind: 'scalar',
    name: 'timestamp_diff',
    description: 'timestamp_diff(ts1, ts2) - ts1 - ts2 as a day-time interval.',
    resolve(argTypes) {
      checkArity('timestamp_diff', argTypes, 2, 2);
      const t =
        argTypes[0]!.kind === 'timestamp_ntz' && argTypes[1]!.kind === 'timestamp_ntz' ? argTypes[0] : TS;
      return {
        argTypes: [
          coerce('timestamp_diff', 0, argTypes[0]!, t),
          coerce('timestamp_diff', 1, argTypes[1]!, t),
        ],
        returnType: T.intervalDayTime,
      };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [TS, TS],
        numRows,
        returnType,
        ctx,
        (v) => (v[0] as bigint) - (v[1] as bigint),
        true,
      );
    },
  },
];
