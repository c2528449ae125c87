/**
 * Spark's calendar intervals (CalendarIntervalType, `interval`) as functions:
 *
 * - `make_interval([years[, months[, weeks[, days[, hours[, mins[, secs]]]]]]])` and
 *   `try_make_interval` (NULL where make_interval raises 22003 ARITHMETIC_OVERFLOW);
 * - the operators the analyzer binds to them (exact under ANSI; without it sums wrap, products
 *   saturate and a division by zero is NULL, as Spark's non-ANSI forms):
 *   `calendar_interval_add`/`_subtract` (iv ± iv),
 *   `calendar_interval_negate` (-iv), `calendar_interval_multiply`/`_divide` (iv * n, n * iv,
 *   iv / n, the number read as a double), `timestamp_add_calendar_interval` (timestamp or
 *   timestamp_ntz ± iv) and `date_add_calendar_interval` (date ± iv);
 * - the fields `extract`/`date_part` read from an interval, with Spark's result types.
 *
 * A timestamp moves as Spark's TimeAdd does: its local date-time in the session zone (UTC for
 * TIMESTAMP_NTZ) by the months (clamped to the month's end), then by the days, each step resolved
 * back to an instant (a local time in a DST gap moves forward), then the microseconds are added
 * to the instant. A date takes months then days; under ANSI a date plus an interval with
 * microseconds is an error (22023), as in Spark.
 */
import {
  EngineError,
  SqlState,
  T,
  addCalendarIntervals,
  fromArrowType,
  isIntegral,
  divideCalendarInterval,
  intervalOverflow,
  makeCalendarInterval,
  multiplyCalendarInterval,
  negateCalendarInterval,
  subtractCalendarIntervals,
  type CalendarInterval,
  type CalendarIntervalField,
  type DataType,
} from '../../common/index.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import {
  MICROS_PER_DAY,
  addMonthsToDays,
  localToUtcMicros,
  splitMicros,
  utcToLocalMicros,
} from '../kernels/datetime.ts';
import { decimalOverflowError } from '../kernels/common.ts';
import { decimalToString, rescale } from '../kernels/decimal.ts';
import { checkArity, coerce, evaluateRows, typeMismatch } from './define.ts';

const CI = T.calendarInterval;
const I = T.int;
const SECS = T.decimal(18, 6);
/** Seconds as DECIMAL(18, 6) stay below 10^12, that is 10^18 microseconds. */
const MAX_SECS_MICROS = 10n ** 18n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function requireInterval(name: string, index: number, t: DataType): void {
  if (t.kind !== 'calendar_interval') throw typeMismatch(name, index, '"INTERVAL"', t);
}

/** A unary or binary function over calendar intervals and other fixed argument types. */
function intervalFn(
  name: string,
  description: string,
  argTypes: readonly DataType[],
  returnType: DataType,
  row: (
    v: readonly (CalendarInterval | number | bigint)[],
    ansi: boolean,
  ) => CalendarInterval | number | bigint | null,
): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description,
    resolve(types) {
      checkArity(name, types, argTypes.length, argTypes.length);
      const cast = types.map((t, i) => {
        const want = argTypes[i]!;
        if (want.kind === 'calendar_interval') {
          if (t.kind !== 'null') requireInterval(name, i, t);
          return want;
        }
        return coerce(name, i, t, want);
      });
      return { argTypes: cast, returnType };
    },
    evaluate(args, numRows, rt, ctx) {
      return evaluateRows(
        args,
        argTypes,
        numRows,
        rt,
        ctx,
        (v) => row(v as (CalendarInterval | number | bigint)[], ctx.ansi),
        true,
      );
    },
  };
}

function makeIntervalDef(name: string, tryForm: boolean): ScalarFunctionDef {
  const types = [I, I, I, I, I, I, SECS];
  return {
    kind: 'scalar',
    name,
    description: `${name}([years[, months[, weeks[, days[, hours[, mins[, secs]]]]]]]) - An interval from years, months, weeks, days, hours, minutes and seconds (microsecond precision)${tryForm ? '; NULL when it overflows' : ''}.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 0, 7);
      // Any exact number of seconds is read as DECIMAL(18, 6), as Spark's implicit casts do (a value
      // beyond it is NUMERIC_VALUE_OUT_OF_RANGE); the try_ form keeps the number's own type and
      // scales it here, so that a value beyond DECIMAL(18, 6) is NULL too.
      const secs = (t: DataType): DataType =>
        !tryForm ? SECS : t.kind === 'decimal' ? t : isIntegral(t) ? T.bigint : coerce(name, 6, t, SECS);
      return {
        argTypes: argTypes.map((t, i) =>
          i === 6 && (isIntegral(t) || t.kind === 'decimal') ? secs(t) : coerce(name, i, t, types[i]!),
        ),
        returnType: CI,
        ...(tryForm ? { nullable: true } : {}),
      };
    },
    evaluate(args, numRows, rt, ctx) {
      const secsArg = args[6];
      const secsType =
        secsArg === undefined
          ? SECS
          : secsArg.kind === 'scalar'
            ? secsArg.type
            : fromArrowType(secsArg.data.type);
      const secsScale = secsType.kind === 'decimal' ? secsType.scale : 0;
      return evaluateRows(
        args,
        [...types.slice(0, 6), secsType],
        numRows,
        rt,
        ctx,
        (v) => {
          const n = (i: number): number => (v[i] as number | undefined) ?? 0;
          try {
            const raw = v[6] === undefined ? 0n : BigInt(v[6] as number | bigint);
            const micros = rescale(raw, secsScale, 6);
            if (micros <= -MAX_SECS_MICROS || micros >= MAX_SECS_MICROS) {
              throw decimalOverflowError(decimalToString(raw, secsScale), 18, 6);
            }
            return makeCalendarInterval(n(0), n(1), n(2), n(3), n(4), n(5), micros);
          } catch (e) {
            if (e instanceof EngineError && (tryForm || !ctx.ansi)) return null;
            throw e;
          }
        },
        true,
      );
    },
  };
}

/** `ts + iv` for a timestamp in `zone` ('UTC' for TIMESTAMP_NTZ): months, days, then microseconds. */
export function timestampAddCalendarInterval(ts: bigint, iv: CalendarInterval, zone: string): bigint {
  const [months, days, micros] = iv;
  let t = ts;
  if (months !== 0) {
    const [d, rem] = splitMicros(utcToLocalMicros(t, zone));
    t = localToUtcMicros(BigInt(addMonthsToDays(d, months)) * MICROS_PER_DAY + BigInt(rem), zone);
  }
  if (days !== 0) {
    const local = utcToLocalMicros(t, zone);
    t = localToUtcMicros(local + BigInt(days) * MICROS_PER_DAY, zone);
  }
  const r = t + micros;
  if (r < INT64_MIN || r > INT64_MAX)
    throw intervalOverflow('long overflow adding an interval to a timestamp');
  return r;
}

/** `date + iv` (months, then days); the microseconds must be 0 (checked by the caller). */
export function dateAddCalendarInterval(date: number, iv: CalendarInterval): number {
  const d = addMonthsToDays(date, iv[0]) + iv[1];
  if (d < -2147483648 || d > 2147483647)
    throw intervalOverflow('integer overflow adding an interval to a date');
  return d;
}

const timestampAddCalendar: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'timestamp_add_calendar_interval',
  description:
    'timestamp_add_calendar_interval(ts, interval) - A timestamp moved by an interval: months and days on the local calendar, then microseconds.',
  resolve(argTypes) {
    checkArity('timestamp_add_calendar_interval', argTypes, 2, 2);
    const t =
      argTypes[0]!.kind === 'timestamp_ntz'
        ? argTypes[0]
        : coerce('timestamp_add_calendar_interval', 0, argTypes[0]!, T.timestamp);
    if (argTypes[1]!.kind !== 'null') requireInterval('timestamp_add_calendar_interval', 1, argTypes[1]!);
    return { argTypes: [t, CI], returnType: t };
  },
  evaluate(args, numRows, returnType, ctx) {
    const zone = returnType.kind === 'timestamp_ntz' ? 'UTC' : ctx.timeZone;
    return evaluateRows(
      args,
      [returnType, CI],
      numRows,
      returnType,
      ctx,
      (v) => timestampAddCalendarInterval(v[0] as bigint, v[1] as CalendarInterval, zone),
      true,
    );
  },
};

const dateAddCalendar: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'date_add_calendar_interval',
  description:
    'date_add_calendar_interval(date, interval) - A date moved by the months and days of an interval (one with hours or less is an error under ANSI).',
  resolve(argTypes) {
    checkArity('date_add_calendar_interval', argTypes, 2, 2);
    const d = coerce('date_add_calendar_interval', 0, argTypes[0]!, T.date);
    if (argTypes[1]!.kind !== 'null') requireInterval('date_add_calendar_interval', 1, argTypes[1]!);
    return { argTypes: [d, CI], returnType: T.date };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [T.date, CI],
      numRows,
      returnType,
      ctx,
      (v) => {
        const date = v[0] as number;
        const iv = v[1] as CalendarInterval;
        if (iv[2] === 0n) return dateAddCalendarInterval(date, iv);
        if (ctx.ansi) {
          throw new EngineError(
            SqlState.invalidParameterValue,
            'Cannot add hours, minutes or seconds, milliseconds, microseconds to a date. If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.',
          );
        }
        // without ANSI Spark goes through a timestamp at the date's midnight in the session zone
        const start = localToUtcMicros(BigInt(date) * MICROS_PER_DAY, ctx.timeZone);
        const end = utcToLocalMicros(timestampAddCalendarInterval(start, iv, ctx.timeZone), ctx.timeZone);
        return splitMicros(end)[0];
      },
      true,
    );
  },
};

const FIELD_TYPES: Readonly<Record<CalendarIntervalField, DataType>> = {
  year: T.int,
  month: T.tinyint,
  day: T.int,
  hour: T.tinyint,
  minute: T.tinyint,
  second: T.decimal(8, 6),
};

/** The field `extract`/`date_part` reads from a calendar interval, by Spark's field names. */
export function calendarIntervalExtractField(word: string): CalendarIntervalField | undefined {
  switch (word.toUpperCase()) {
    case 'YEAR':
    case 'Y':
    case 'YEARS':
    case 'YR':
    case 'YRS':
      return 'year';
    case 'MONTH':
    case 'MON':
    case 'MONS':
    case 'MONTHS':
      return 'month';
    case 'DAY':
    case 'D':
    case 'DAYS':
      return 'day';
    case 'HOUR':
    case 'H':
    case 'HOURS':
    case 'HR':
    case 'HRS':
      return 'hour';
    case 'MINUTE':
    case 'M':
    case 'MIN':
    case 'MINS':
    case 'MINUTES':
      return 'minute';
    case 'SECOND':
    case 'S':
    case 'SEC':
    case 'SECONDS':
    case 'SECS':
      return 'second';
    default:
      return undefined;
  }
}

/** The result type of `extract(field FROM interval)`. */
export function calendarIntervalFieldType(field: CalendarIntervalField): DataType {
  return FIELD_TYPES[field];
}

export const calendarIntervalFunctions: readonly ScalarFunctionDef[] = [
  makeIntervalDef('make_interval', false),
  makeIntervalDef('try_make_interval', true),
  intervalFn(
    'calendar_interval_add',
    'calendar_interval_add(a, b) - a + b, field by field.',
    [CI, CI],
    CI,
    (v, ansi) => addCalendarIntervals(v[0] as CalendarInterval, v[1] as CalendarInterval, ansi),
  ),
  intervalFn(
    'calendar_interval_subtract',
    'calendar_interval_subtract(a, b) - a - b, field by field.',
    [CI, CI],
    CI,
    (v, ansi) => subtractCalendarIntervals(v[0] as CalendarInterval, v[1] as CalendarInterval, ansi),
  ),
  intervalFn(
    'calendar_interval_negate',
    'calendar_interval_negate(a) - -a, field by field.',
    [CI],
    CI,
    (v, ansi) => negateCalendarInterval(v[0] as CalendarInterval, ansi),
  ),
  intervalFn(
    'calendar_interval_multiply',
    'calendar_interval_multiply(interval, n) - Each field times n (a month fraction is dropped, a day fraction moves to microseconds).',
    [CI, T.double],
    CI,
    (v, ansi) => multiplyCalendarInterval(v[0] as CalendarInterval, v[1] as number, ansi),
  ),
  intervalFn(
    'calendar_interval_divide',
    'calendar_interval_divide(interval, n) - Each field divided by n (a month fraction is dropped, a day fraction moves to microseconds).',
    [CI, T.double],
    CI,
    (v, ansi) => {
      if (v[1] === 0) {
        if (!ansi) return null;
        throw new EngineError(SqlState.divisionByZero, '[DIVIDE_BY_ZERO] Division by zero.', {
          hint: 'Use `try_divide` to tolerate divisor being 0 and return NULL instead.',
        });
      }
      return divideCalendarInterval(v[0] as CalendarInterval, v[1] as number, ansi);
    },
  ),
  timestampAddCalendar,
  dateAddCalendar,
];
