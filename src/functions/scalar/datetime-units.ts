/**
 * Datetime arithmetic by unit and datetimes built from fields, as Spark 4 has them:
 *
 * - `timestampadd(unit, n, ts)` and `timestampdiff(unit, start, end)` (the parser turns the unit
 *   keyword of `TIMESTAMPADD(HOUR, 2, ts)`, `DATEADD`/`DATE_ADD`, `TIMESTAMPDIFF`/`DATEDIFF`/
 *   `DATE_DIFF`/`TIMEDIFF` into a string literal first argument). Units below a day count
 *   instants; DAY, WEEK, MONTH, QUARTER and YEAR move the local date-time in the session zone (UTC
 *   for TIMESTAMP_NTZ), months clamped to the month's end. Differences truncate toward zero, as
 *   java.time's `ChronoUnit.between` on local date-times does.
 * - `make_timestamp_ntz`, `make_timestamp_ltz`, `try_make_timestamp` (and its `_ntz`/`_ltz`
 *   forms): fields checked as Spark checks them (22023 DATETIME_FIELD_OUT_OF_BOUNDS or
 *   INVALID_FRACTION_OF_SECOND under ANSI; the `try_` forms give NULL); seconds = 60 with no
 *   fraction rolls into the next minute. A zone argument that names no zone is 22009
 *   INVALID_TIMEZONE (NULL for the `try_` forms).
 * - `make_dt_interval(days, hours, mins, secs)` and `make_ym_interval(years, months)`.
 */
import {
  EngineError,
  SqlState,
  T,
  dayTimeIntervalType,
  fromArrowType,
  yearMonthIntervalType,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, EvalContext, ResolveContext, ScalarFunctionDef } from '../registry.ts';
import {
  MICROS_PER_DAY,
  addMonthsToDays,
  daysFromCivil,
  daysInMonth,
  civilFromDays,
  formatTimestamp,
  localToUtcMicros,
  splitMicros,
  utcToLocalMicros,
} from '../kernels/datetime.ts';
import { INT64_MAX, INT64_MIN, overflowError } from '../kernels/common.ts';
import { checkArity, coerce, evaluateRows } from './define.ts';

/** The units of Spark's `datetimeUnit` grammar rule, in its order. */
export const DATETIME_UNITS = [
  'YEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAY',
  'DAYOFYEAR',
  'HOUR',
  'MINUTE',
  'SECOND',
  'MILLISECOND',
  'MICROSECOND',
] as const;

/** 22023 INVALID_PARAMETER_VALUE.DATETIME_UNIT: `unit` is not one `fn` takes. */
export function invalidDatetimeUnit(fn: string, unit: string): EngineError {
  return new EngineError(
    SqlState.invalidParameterValue,
    `[INVALID_PARAMETER_VALUE.DATETIME_UNIT] The value of parameter(s) \`unit\` in \`${fn}\` is invalid: expects one of the units without quotes ${DATETIME_UNITS.join(', ')}, but got the string literal '${unit}'.`,
  );
}

const INSTANT_UNITS: Readonly<Record<string, bigint>> = {
  MICROSECOND: 1n,
  MILLISECOND: 1_000n,
  SECOND: 1_000_000n,
  MINUTE: 60_000_000n,
  HOUR: 3_600_000_000n,
};

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;
/** Local times beyond this many milliseconds from the epoch cannot be placed in a named zone. */
const MAX_ZONED_MILLIS = 8.6e15;

function datetimeOverflow(amount: bigint, unit: string, micros: bigint, zone: string): EngineError {
  return new EngineError(
    SqlState.datetimeFieldOverflow,
    `[DATETIME_OVERFLOW] Datetime operation overflow: add ${amount}L ${unit} to TIMESTAMP '${formatTimestamp(micros, zone)}'.`,
  );
}

/** `micros` plus `quantity` `unit`s (Spark's DateTimeUtils.timestampAdd). */
export function timestampAdd(unit: string, quantity: bigint, micros: bigint, zone: string): bigint {
  const overflow = (): EngineError => datetimeOverflow(quantity, unit, micros, zone);
  const perUnit = INSTANT_UNITS[unit];
  if (perUnit !== undefined) {
    const r = micros + quantity * perUnit;
    if (quantity * perUnit > INT64_MAX || quantity * perUnit < INT64_MIN || r > INT64_MAX || r < INT64_MIN)
      throw overflow();
    return r;
  }
  let days = 0n;
  let months = 0n;
  switch (unit) {
    case 'DAY':
    case 'DAYOFYEAR':
      days = quantity;
      break;
    case 'WEEK':
      days = quantity * 7n;
      break;
    case 'MONTH':
      months = quantity;
      break;
    case 'QUARTER':
      months = quantity * 3n;
      break;
    case 'YEAR':
      months = quantity * 12n;
      break;
    default:
      throw invalidDatetimeUnit('timestampadd', unit);
  }
  if (days < INT32_MIN || days > INT32_MAX || months < INT32_MIN || months > INT32_MAX) throw overflow();
  const [d, rem] = splitMicros(utcToLocalMicros(micros, zone));
  const newDays = addMonthsToDays(d, Number(months)) + Number(days);
  const local = BigInt(newDays) * MICROS_PER_DAY + BigInt(rem);
  if (local > INT64_MAX || local < INT64_MIN) throw overflow();
  if (Math.abs(Number(local / 1000n)) > MAX_ZONED_MILLIS) {
    if (zone !== 'UTC') throw overflow();
    return local;
  }
  const r = localToUtcMicros(local, zone);
  if (r > INT64_MAX || r < INT64_MIN) throw overflow();
  return r;
}

/** Whole months from local day `a` to local day `b`, toward zero (java.time's LocalDate.until). */
function monthsUntil(a: number, b: number): bigint {
  const [y1, m1, d1] = civilFromDays(a);
  const [y2, m2, d2] = civilFromDays(b);
  const packed1 = BigInt(y1 * 12 + m1 - 1) * 32n + BigInt(d1);
  const packed2 = BigInt(y2 * 12 + m2 - 1) * 32n + BigInt(d2);
  return (packed2 - packed1) / 32n;
}

/** Whole `unit`s from `start` to `end` in `zone`, truncated toward zero (Spark's timestampDiff). */
export function timestampDiff(unit: string, start: bigint, end: bigint, zone: string): bigint {
  const a = utcToLocalMicros(start, zone);
  const b = utcToLocalMicros(end, zone);
  const perUnit = INSTANT_UNITS[unit];
  if (perUnit !== undefined) return (b - a) / perUnit;
  const [da, ra] = splitMicros(a);
  const [db0, rb] = splitMicros(b);
  // The end date counts only once its time of day passes the start's.
  const db = db0 > da && rb < ra ? db0 - 1 : db0 < da && rb > ra ? db0 + 1 : db0;
  switch (unit) {
    case 'DAY':
      return BigInt(db - da);
    case 'WEEK':
      return BigInt(db - da) / 7n;
    case 'MONTH':
      return monthsUntil(da, db);
    case 'QUARTER':
      return monthsUntil(da, db) / 3n;
    case 'YEAR':
      return monthsUntil(da, db) / 12n;
    default:
      throw invalidDatetimeUnit('timestampdiff', unit);
  }
}

/** The unit argument: a constant string naming a unit `allowed` holds. */
function unitArg(fn: string, ctx: ResolveContext, allowed: readonly string[]): string {
  const u = ctx.literalArgs[0];
  if (typeof u !== 'string') {
    throw new EngineError(
      SqlState.datatypeMismatch,
      `[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve "${fn}" due to data type mismatch: the input \`unit\` should be a foldable "STRING" expression.`,
    );
  }
  const unit = u.toUpperCase();
  if (!allowed.includes(unit)) throw invalidDatetimeUnit(fn, u);
  return unit;
}

/** TIMESTAMP_NTZ stays; a date or text becomes a TIMESTAMP. */
function anyTimestamp(fn: string, index: number, t: DataType): DataType {
  if (t.kind === 'timestamp' || t.kind === 'timestamp_ntz') return t;
  if (t.kind === 'null') return T.timestamp;
  return coerce(fn, index, t, T.timestamp);
}

function zoneFor(t: DataType, ctx: EvalContext): string {
  return t.kind === 'timestamp_ntz' ? 'UTC' : ctx.timeZone;
}

const timestampadd: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'timestampadd',
  description:
    'timestampadd(unit, quantity, timestamp) - The timestamp moved by quantity units (YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND).',
  resolve(argTypes, ctx) {
    checkArity('timestampadd', argTypes, 3, 3);
    unitArg('timestampadd', ctx, DATETIME_UNITS);
    const ts = anyTimestamp('timestampadd', 2, argTypes[2]!);
    return { argTypes: [T.string, coerce('timestampadd', 1, argTypes[1]!, T.bigint), ts], returnType: ts };
  },
  evaluate(args, numRows, returnType, ctx) {
    const zone = zoneFor(returnType, ctx);
    return evaluateRows(
      args,
      [T.string, T.bigint, returnType],
      numRows,
      returnType,
      ctx,
      (v) => timestampAdd((v[0] as string).toUpperCase(), v[1] as bigint, v[2] as bigint, zone),
      true,
    );
  },
};

const timestampdiff: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'timestampdiff',
  aliases: ['timediff'],
  description:
    'timestampdiff(unit, start, end) - Whole units (YEAR, QUARTER, MONTH, WEEK, DAY, HOUR, MINUTE, SECOND, MILLISECOND, MICROSECOND) from start to end.',
  resolve(argTypes, ctx) {
    checkArity('timestampdiff', argTypes, 3, 3);
    unitArg(
      'timestampdiff',
      ctx,
      DATETIME_UNITS.filter((u) => u !== 'DAYOFYEAR'),
    );
    const ntz = argTypes[1]!.kind === 'timestamp_ntz' && argTypes[2]!.kind === 'timestamp_ntz';
    const ts = ntz ? T.timestampNtz : T.timestamp;
    return {
      argTypes: [
        T.string,
        anyTimestampAs('timestampdiff', 1, argTypes[1]!, ts),
        anyTimestampAs('timestampdiff', 2, argTypes[2]!, ts),
      ],
      returnType: T.bigint,
    };
  },
  evaluate(args, numRows, returnType, ctx) {
    const zone = zoneFor(argType(args[1]!), ctx);
    return evaluateRows(
      args,
      [T.string, T.timestamp, T.timestamp],
      numRows,
      returnType,
      ctx,
      (v) => timestampDiff((v[0] as string).toUpperCase(), v[1] as bigint, v[2] as bigint, zone),
      true,
    );
  },
};

function argType(a: ColumnarValue): DataType {
  return a.kind === 'scalar' ? a.type : fromArrowType(a.data.type);
}

function anyTimestampAs(fn: string, index: number, t: DataType, target: DataType): DataType {
  if (t.kind === 'null') return target;
  return coerce(fn, index, t, target);
}

const FIELD_RANGES: readonly (readonly [string, number, number])[] = [
  ['Year', -999999999, 999999999],
  ['MonthOfYear', 1, 12],
  ['DayOfMonth', 1, 31],
  ['HourOfDay', 0, 23],
  ['MinuteOfHour', 0, 59],
  ['SecondOfMinute', 0, 59],
];

const MONTH_NAMES = [
  'JANUARY',
  'FEBRUARY',
  'MARCH',
  'APRIL',
  'MAY',
  'JUNE',
  'JULY',
  'AUGUST',
  'SEPTEMBER',
  'OCTOBER',
  'NOVEMBER',
  'DECEMBER',
];

function fieldOutOfBounds(message: string): EngineError {
  return new EngineError(
    SqlState.invalidParameterValue,
    `[DATETIME_FIELD_OUT_OF_BOUNDS] ${message}. If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.`,
  );
}

/**
 * The local micros of the given fields (seconds as decimal(16,6) unscaled micros), or an
 * EngineError saying which field is out of range (java.time's LocalDateTime.of checks).
 */
export function localMicrosOfFields(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  secMicros: bigint,
): bigint | EngineError {
  const seconds = Number(secMicros >= 0n ? secMicros / 1_000_000n : -((-secMicros + 999_999n) / 1_000_000n));
  const micros = secMicros - BigInt(seconds) * 1_000_000n;
  const leap = seconds === 60;
  if (leap && micros !== 0n) {
    const text = `${secMicros < 0n ? '-' : ''}${(secMicros < 0n ? -secMicros : secMicros) / 1_000_000n}.${((secMicros < 0n ? -secMicros : secMicros) % 1_000_000n).toString().padStart(6, '0')}`;
    return new EngineError(
      SqlState.invalidParameterValue,
      `[INVALID_FRACTION_OF_SECOND] Valid range for seconds is [0, 60] (inclusive), but the provided value is ${text}. To avoid this error, use \`try_make_timestamp\`, which returns NULL on error. If you do not want to use the session default timestamp version of this function, use \`try_make_timestamp_ntz\` or \`try_make_timestamp_ltz\`.`,
    );
  }
  const fields = [year, month, day, hour, minute, leap ? 0 : seconds];
  for (let i = 0; i < fields.length; i++) {
    const [name, lo, hi] = FIELD_RANGES[i]!;
    const v = fields[i]!;
    if (v < lo || v > hi) {
      const range = name === 'DayOfMonth' ? '1 - 28/31' : `${lo} - ${hi}`;
      return fieldOutOfBounds(`Invalid value for ${name} (valid values ${range}): ${v}`);
    }
  }
  if (day > daysInMonth(year, month)) {
    const name = MONTH_NAMES[month - 1]!;
    return fieldOutOfBounds(
      month === 2 && day === 29
        ? `Invalid date 'February 29' as '${year}' is not a leap year`
        : `Invalid date '${name} ${day}'`,
    );
  }
  const local =
    BigInt(daysFromCivil(year, month, day)) * MICROS_PER_DAY +
    BigInt(hour * 3600 + minute * 60 + (leap ? 60 : seconds)) * 1_000_000n +
    micros;
  return local;
}

/** 22009 INVALID_TIMEZONE: a zone argument that names no time zone. */
function invalidTimeZone(zone: string): EngineError {
  return new EngineError(
    '22009',
    `[INVALID_TIMEZONE] The timezone: ${zone} is invalid. The timezone must be either a region-based zone ID or a zone offset. Region IDs must have the form 'area/city', such as 'America/Los_Angeles'. Zone offsets must be in the format '(+|-)HH', '(+|-)HH:mm' or '(+|-)HH:mm:ss', e.g '-08', '+01:00' or '-13:33:33', and must be in the range from -18:00 to +18:00. 'Z' and 'UTC' are accepted as synonyms for '+00:00'.`,
  );
}

const SEC = T.decimal(16, 6);
const I = T.int;

/** make_timestamp's variants: `ntz` builds local date-times; `tryForm` gives NULL for bad fields. */
function makeTimestampDef(name: string, ntz: boolean, tryForm: boolean): ScalarFunctionDef {
  const returnType = ntz ? T.timestampNtz : T.timestamp;
  const max = ntz ? 6 : 7;
  return {
    kind: 'scalar',
    name,
    description: `${name}(year, month, day, hour, min, sec${ntz ? '' : '[, timezone]'}) - A ${ntz ? 'TIMESTAMP_NTZ' : 'TIMESTAMP'} from its fields${tryForm ? ', NULL when they are invalid' : ''}.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 6, max);
      const target = [I, I, I, I, I, SEC, T.string];
      return {
        argTypes: argTypes.map((t, i) => coerce(name, i, t, target[i]!)),
        returnType,
        ...(tryForm ? { nullable: true } : {}),
      };
    },
    evaluate(args, numRows, rt, ctx) {
      return evaluateRows(
        args,
        [I, I, I, I, I, SEC, T.string],
        numRows,
        rt,
        ctx,
        (v) => {
          const [y, mo, d, h, mi] = v as number[];
          const local = localMicrosOfFields(y!, mo!, d!, h!, mi!, v[5] as bigint);
          if (local instanceof EngineError) {
            if (ctx.ansi && !tryForm) throw local;
            return null;
          }
          if (ntz) return local;
          const zone = v[6] as string | undefined;
          if (zone === undefined) return localToUtcMicros(local, ctx.timeZone);
          try {
            return localToUtcMicros(local, zone);
          } catch (e) {
            if (!(e instanceof RangeError)) throw e;
            if (tryForm) return null;
            throw invalidTimeZone(zone);
          }
        },
        true,
      );
    },
  };
}

function intervalMaker(
  name: string,
  description: string,
  types: readonly DataType[],
  returnType: DataType,
  row: (v: readonly Value[]) => Value,
): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description,
    resolve(argTypes) {
      checkArity(name, argTypes, 0, types.length);
      return { argTypes: argTypes.map((t, i) => coerce(name, i, t, types[i]!)), returnType };
    },
    evaluate(args, numRows, rt, ctx) {
      return evaluateRows(args, types, numRows, rt, ctx, (v) => row(v), true);
    },
  };
}

const makeDtInterval = intervalMaker(
  'make_dt_interval',
  'make_dt_interval([days[, hours[, mins[, secs]]]]) - An INTERVAL DAY TO SECOND from days, hours, minutes and seconds.',
  [I, I, I, T.decimal(18, 6)],
  dayTimeIntervalType('day', 'second'),
  (v) => {
    const days = BigInt((v[0] as number | undefined) ?? 0);
    const hours = BigInt((v[1] as number | undefined) ?? 0);
    const mins = BigInt((v[2] as number | undefined) ?? 0);
    const secs = (v[3] as bigint | undefined) ?? 0n;
    const r = days * MICROS_PER_DAY + hours * 3_600_000_000n + mins * 60_000_000n + secs;
    if (r > INT64_MAX || r < INT64_MIN) throw overflowError('long');
    return r;
  },
);

const makeYmInterval = intervalMaker(
  'make_ym_interval',
  'make_ym_interval([years[, months]]) - An INTERVAL YEAR TO MONTH from years and months.',
  [I, I],
  yearMonthIntervalType('year', 'month'),
  (v) => {
    const r = ((v[0] as number | undefined) ?? 0) * 12 + ((v[1] as number | undefined) ?? 0);
    if (r > 2147483647 || r < -2147483648) throw overflowError('integer');
    return r;
  },
);

export const datetimeUnitFunctions: readonly ScalarFunctionDef[] = [
  timestampadd,
  timestampdiff,
  makeTimestampDef('make_timestamp', false, false),
  makeTimestampDef('make_timestamp_ntz', true, false),
  makeTimestampDef('make_timestamp_ltz', false, false),
  makeTimestampDef('try_make_timestamp', false, true),
  makeTimestampDef('try_make_timestamp_ntz', true, true),
  makeTimestampDef('try_make_timestamp_ltz', false, true),
  makeDtInterval,
  makeYmInterval,
];
