/**
 * Functions of the TIME type (Spark 4.1), whose values are microseconds since midnight:
 *
 * - `make_time(hour, minute, second)` (seconds with their fraction; fields out of range are 22023
 *   DATETIME_FIELD_OUT_OF_BOUNDS), `to_time(str[, fmt])` (22010 CANNOT_PARSE_TIME) and
 *   `try_to_time` (NULL instead), `current_time([p])` (the query's start, in the session's zone);
 * - `time_trunc(unit, t)` and `time_diff(unit, start, end)` over HOUR, MINUTE, SECOND,
 *   MILLISECOND and MICROSECOND (another unit is 22023 INVALID_PARAMETER_VALUE.TIME_UNIT);
 * - `hour`, `minute`, `second` and `extract`/`date_part` (HOUR, MINUTE, SECOND with its fraction)
 *   of a TIME: `withTimeForms` wraps the timestamp forms of those functions;
 * - the analyzer's targets for TIME arithmetic: `time_add_interval` (TIME ± INTERVAL DAY TO SECOND,
 *   22008 DATETIME_OVERFLOW when the result leaves the day) and `time_subtract` (TIME − TIME, an
 *   INTERVAL HOUR TO SECOND).
 */
import * as arrow from 'apache-arrow';
import {
  EngineError,
  MAX_TIME_PRECISION,
  MICROS_PER_DAY_OF_TIME,
  SqlState,
  T,
  dayTimeFields,
  dayTimeIntervalType,
  formatTime,
  intervalToSql,
  isIntegral,
  makeColumn,
  parseTime,
  truncateTime,
  typeToString,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, EvalContext, ResolveContext, ScalarFunctionDef } from '../registry.ts';
import { validityBytes, valueText } from '../kernels/common.ts';
import { utcToLocalMicros } from '../kernels/datetime.ts';
import { parseWithPatternZone } from '../kernels/datetime-format.ts';
import { checkArity, coerce, evaluateRows, typeMismatch } from './define.ts';

const S = T.string;
const I = T.int;
/** make_time's seconds: decimal(16,6), so the microseconds of a fraction are kept. */
const SECONDS = T.decimal(16, 6);
const SECOND_WITH_FRACTION = T.decimal(8, 6);

const MICROS_PER_HOUR = 3_600_000_000;
const MICROS_PER_MINUTE = 60_000_000;
const MICROS_PER_SECOND = 1_000_000;

/** The units of time_trunc and time_diff, in microseconds. */
const TIME_UNITS: Readonly<Record<string, bigint>> = {
  HOUR: 3_600_000_000n,
  MINUTE: 60_000_000n,
  SECOND: 1_000_000n,
  MILLISECOND: 1_000n,
  MICROSECOND: 1n,
};

const hourOfTime = (micros: number): number => Math.floor(micros / MICROS_PER_HOUR);
const minuteOfTime = (micros: number): number => Math.floor((micros % MICROS_PER_HOUR) / MICROS_PER_MINUTE);
const secondOfTime = (micros: number): number => Math.floor((micros % MICROS_PER_MINUTE) / MICROS_PER_SECOND);

/** 22023 INVALID_PARAMETER_VALUE.TIME_UNIT: `unit` is none of TIME_UNITS. */
function invalidTimeUnit(fn: string, unit: string): EngineError {
  return new EngineError(
    SqlState.invalidParameterValue,
    `[INVALID_PARAMETER_VALUE.TIME_UNIT] The value of parameter(s) \`unit\` in \`${fn}\` is invalid: expects one of ${Object.keys(
      TIME_UNITS,
    )
      .map((u) => `'${u}'`)
      .join(', ')}, but got '${unit}'.`,
  );
}

function timeUnitMicros(fn: string, unit: string): bigint {
  const micros = TIME_UNITS[unit.trim().toUpperCase()];
  if (micros === undefined) throw invalidTimeUnit(fn, unit);
  return micros;
}

/** 22023 DATETIME_FIELD_OUT_OF_BOUNDS, as java.time's LocalTime.of words a field out of range. */
function fieldOutOfBounds(field: string, max: number, value: number | bigint): EngineError {
  return new EngineError(
    SqlState.invalidParameterValue,
    `[DATETIME_FIELD_OUT_OF_BOUNDS.WITHOUT_SUGGESTION] Invalid value for ${field} (valid values 0 - ${max}): ${value}.`,
  );
}

/** Whether an argument holds TIME values (a TIME scalar or an Arrow time column). */
function isTimeArg(v: ColumnarValue): boolean {
  return v.kind === 'scalar' ? v.type.kind === 'time' : v.data.typeId === arrow.Type.Time;
}

/** `f` of every TIME value of `arg` into an int column (one typed loop; NULLs stay NULL). */
function timeToInt(arg: ColumnarValue, f: (micros: number) => number): ColumnarValue {
  if (arg.kind === 'scalar') {
    return { kind: 'scalar', value: arg.value === null ? null : f(Number(arg.value)), type: I };
  }
  const n = arg.data.length;
  // Arrow's slice has already moved fixed-width values to the column's first row.
  const src = arg.data.values as BigInt64Array;
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = f(Number(src[i]!));
  return { kind: 'array', data: makeColumn(I, out, n, validityBytes(arg.data)) };
}

/** The second of a TIME with its fraction, as decimal(8,6) (unscaled microseconds of the minute). */
function secondsWithFraction(arg: ColumnarValue): ColumnarValue {
  if (arg.kind === 'scalar') {
    const v = arg.value === null ? null : (arg.value as bigint) % BigInt(MICROS_PER_MINUTE);
    return { kind: 'scalar', value: v, type: SECOND_WITH_FRACTION };
  }
  const n = arg.data.length;
  const src = arg.data.values as BigInt64Array;
  const out = new BigInt64Array(n);
  const minute = BigInt(MICROS_PER_MINUTE);
  for (let i = 0; i < n; i++) out[i] = src[i]! % minute;
  return { kind: 'array', data: makeColumn(SECOND_WITH_FRACTION, out, n, validityBytes(arg.data)) };
}

/** hour/minute/second of a TIME; other argument types go to the timestamp form `base`. */
function timeFieldForm(base: ScalarFunctionDef, f: (micros: number) => number): ScalarFunctionDef {
  return {
    ...base,
    description: `${base.description} Of a TIME, its ${base.name} of the day.`,
    resolve(argTypes, ctx) {
      if (argTypes.length !== 1 || argTypes[0]!.kind !== 'time') return base.resolve(argTypes, ctx);
      return { argTypes: [argTypes[0]], returnType: I };
    },
    evaluate(args, numRows, returnType, ctx) {
      if (!isTimeArg(args[0]!)) return base.evaluate(args, numRows, returnType, ctx);
      return timeToInt(args[0]!, f);
    },
  };
}

const TIME_EXTRACT_FIELDS: Readonly<Record<string, 'hour' | 'minute' | 'second'>> = {
  hour: 'hour',
  h: 'hour',
  hours: 'hour',
  hr: 'hour',
  hrs: 'hour',
  minute: 'minute',
  m: 'minute',
  min: 'minute',
  mins: 'minute',
  minutes: 'minute',
  second: 'second',
  s: 'second',
  sec: 'second',
  seconds: 'second',
  secs: 'second',
};

/** extract(field FROM time) / date_part(field, time): HOUR, MINUTE (int) and SECOND (decimal(8,6)). */
function extractForm(base: ScalarFunctionDef): ScalarFunctionDef {
  return {
    ...base,
    resolve(argTypes, ctx) {
      if (argTypes.length !== 2 || argTypes[1]!.kind !== 'time') return base.resolve(argTypes, ctx);
      const field = valueText(ctx.literalArgs[0] ?? '').toLowerCase();
      const which = TIME_EXTRACT_FIELDS[field];
      if (which === undefined) {
        throw new EngineError(
          SqlState.syntaxError,
          `[INVALID_EXTRACT_FIELD] Cannot extract ${field} from ${typeToString(argTypes[1]).toUpperCase()}.`,
        );
      }
      return { argTypes: [S, argTypes[1]], returnType: which === 'second' ? SECOND_WITH_FRACTION : I };
    },
    evaluate(args, numRows, returnType, ctx) {
      const field = args[0]!;
      if (!isTimeArg(args[1]!) || field.kind !== 'scalar')
        return base.evaluate(args, numRows, returnType, ctx);
      const which = TIME_EXTRACT_FIELDS[valueText(field.value).toLowerCase()];
      if (which === 'second') return secondsWithFraction(args[1]!);
      return timeToInt(args[1]!, which === 'hour' ? hourOfTime : minuteOfTime);
    },
  };
}

/** The datetime functions that also take a TIME, wrapped to do so. */
export function withTimeForms(f: ScalarFunctionDef): ScalarFunctionDef {
  switch (f.name) {
    case 'hour':
      return timeFieldForm(f, hourOfTime);
    case 'minute':
      return timeFieldForm(f, minuteOfTime);
    case 'second':
      return timeFieldForm(f, secondOfTime);
    case 'extract':
      return extractForm(f);
    default:
      return f;
  }
}

const makeTime: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'make_time',
  description:
    'make_time(hour, minute, second) - A TIME from its fields (second with its fraction, 0 to 59.999999); an error when one is out of range.',
  resolve(argTypes) {
    checkArity('make_time', argTypes, 3, 3);
    const target = [I, I, SECONDS];
    return { argTypes: argTypes.map((t, i) => coerce('make_time', i, t, target[i]!)), returnType: T.time };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [I, I, SECONDS],
      numRows,
      returnType,
      ctx,
      (v) => {
        const hour = v[0] as number;
        const minute = v[1] as number;
        const secMicros = v[2] as bigint;
        const rem = secMicros % 1_000_000n;
        const seconds = secMicros / 1_000_000n - (rem < 0n ? 1n : 0n);
        const micros = rem < 0n ? rem + 1_000_000n : rem;
        if (hour < 0 || hour > 23) throw fieldOutOfBounds('HourOfDay', 23, hour);
        if (minute < 0 || minute > 59) throw fieldOutOfBounds('MinuteOfHour', 59, minute);
        if (seconds < 0n || seconds > 59n) throw fieldOutOfBounds('SecondOfMinute', 59, seconds);
        return BigInt(hour * MICROS_PER_HOUR + minute * MICROS_PER_MINUTE) + seconds * 1_000_000n + micros;
      },
      true,
    );
  },
};

/** 22010 CANNOT_PARSE_TIME: `text` is no time of `format`. */
function cannotParseTime(text: string, format: string): EngineError {
  return new EngineError(
    '22010',
    `[CANNOT_PARSE_TIME] The input string '${text}' cannot be parsed to a TIME value because it does not match to the datetime format '${format}'.`,
    { hint: 'Use `try_to_time` to tolerate invalid input string and return NULL instead.' },
  );
}

/** to_time / try_to_time: by cast rules without a format, by the Spark pattern `fmt` with one. */
function toTimeDef(name: string, tryForm: boolean): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: `${name}(str[, fmt]) - Parses str as a TIME (with the datetime pattern fmt when given)${tryForm ? ', NULL when it is not one' : ''}.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 1, 2);
      return {
        argTypes: argTypes.map((t, i) => coerce(name, i, t, S)),
        returnType: T.time,
        ...(tryForm ? { nullable: true } : {}),
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
          const text = v[0] as string;
          const format = v[1] as string | undefined;
          let micros: bigint | undefined;
          if (format === undefined) micros = parseTime(text);
          else {
            const local = parseWithPatternZone(text, format)?.local;
            if (local !== undefined) {
              const ofDay = local % MICROS_PER_DAY_OF_TIME;
              micros = ofDay < 0n ? ofDay + MICROS_PER_DAY_OF_TIME : ofDay;
            }
          }
          if (micros !== undefined) return micros;
          if (tryForm) return null;
          throw cannotParseTime(text, format ?? 'HH:mm:ss.SSSSSS');
        },
        true,
      );
    },
  };
}

/** 42K09 DATATYPE_MISMATCH of current_time's precision argument. */
function precisionMismatch(sub: string, detail: string): EngineError {
  return new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.${sub}] Cannot resolve "current_time" due to data type mismatch: ${detail}`,
  );
}

const currentTime: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'current_time',
  description:
    'current_time([precision]) - The time at the start of the query, with precision (0-6, default 6) digits of the second.',
  deterministic: false,
  resolve(argTypes, ctx: ResolveContext) {
    checkArity('current_time', argTypes, 0, 1);
    if (argTypes.length === 0) return { argTypes: [], returnType: T.time, nullable: false };
    const t = argTypes[0]!;
    const p = ctx.literalArgs[0];
    if (p === undefined) {
      throw precisionMismatch(
        'NON_FOLDABLE_INPUT',
        `the input \`precision\` should be a foldable "${typeToString(t).toUpperCase()}" expression; however, got a column or an expression of columns.`,
      );
    }
    if (p === null) throw precisionMismatch('UNEXPECTED_NULL', 'the precision must not be null.');
    if (!isIntegral(t)) throw typeMismatch('current_time', 0, '"INT"', t);
    const precision = Number(p);
    if (precision < 0 || precision > MAX_TIME_PRECISION) {
      throw precisionMismatch(
        'VALUE_OUT_OF_RANGE',
        `The \`precision\` must be between [0, ${MAX_TIME_PRECISION}] (current value = ${precision}).`,
      );
    }
    return { argTypes: [I], returnType: { kind: 'time', precision }, nullable: false };
  },
  evaluate(_args, _numRows, returnType, ctx: EvalContext) {
    const local = utcToLocalMicros(ctx.queryStartMicros, ctx.timeZone) % MICROS_PER_DAY_OF_TIME;
    const ofDay = local < 0n ? local + MICROS_PER_DAY_OF_TIME : local;
    const precision = returnType.kind === 'time' ? returnType.precision : MAX_TIME_PRECISION;
    return { kind: 'scalar', value: truncateTime(ofDay, precision), type: returnType };
  },
};

/** The TIME type of an argument that must be a TIME (a string is read as TIME(6)). */
function timeArg(name: string, index: number, t: DataType): DataType {
  return t.kind === 'time' ? t : coerce(name, index, t, T.time);
}

const timeTrunc: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'time_trunc',
  description:
    "time_trunc(unit, time) - The time with the fields below unit ('HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND') zeroed.",
  resolve(argTypes, ctx) {
    checkArity('time_trunc', argTypes, 2, 2);
    const unit = ctx.literalArgs[0];
    if (typeof unit === 'string') timeUnitMicros('time_trunc', unit);
    const t = timeArg('time_trunc', 1, argTypes[1]!);
    return { argTypes: [coerce('time_trunc', 0, argTypes[0]!, S), t], returnType: t };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [S, returnType],
      numRows,
      returnType,
      ctx,
      (v) => {
        const unit = timeUnitMicros('time_trunc', v[0] as string);
        const t = v[1] as bigint;
        return t - (t % unit);
      },
      true,
    );
  },
};

const timeDiff: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'time_diff',
  description:
    "time_diff(unit, start, end) - Whole units ('HOUR', 'MINUTE', 'SECOND', 'MILLISECOND', 'MICROSECOND') from start to end; negative when end is earlier.",
  resolve(argTypes, ctx) {
    checkArity('time_diff', argTypes, 3, 3);
    const unit = ctx.literalArgs[0];
    if (typeof unit === 'string') timeUnitMicros('time_diff', unit);
    return {
      argTypes: [
        coerce('time_diff', 0, argTypes[0]!, S),
        timeArg('time_diff', 1, argTypes[1]!),
        timeArg('time_diff', 2, argTypes[2]!),
      ],
      returnType: T.bigint,
    };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [S, T.time, T.time],
      numRows,
      returnType,
      ctx,
      // BigInt division truncates toward zero, as java.time's ChronoUnit.between counts.
      (v) => ((v[2] as bigint) - (v[1] as bigint)) / timeUnitMicros('time_diff', v[0] as string),
      true,
    );
  },
};

/** The fractional digits a day-time interval carries: 6 when it ends in SECOND, else none. */
function intervalPrecision(t: DataType): number {
  return dayTimeFields(t)[1] === 'second' ? MAX_TIME_PRECISION : 0;
}

/** 22008 DATETIME_OVERFLOW: a TIME plus an interval that leaves the day. */
function timeOverflow(
  time: bigint,
  timeType: DataType,
  interval: bigint,
  intervalType: DataType,
): EngineError {
  return new EngineError(
    SqlState.datetimeFieldOverflow,
    `[DATETIME_OVERFLOW] Datetime operation overflow: add ${intervalToSql(interval, intervalType)} to ${typeToString(timeType).toUpperCase()} '${formatTime(time)}'.`,
  );
}

const timeAddInterval: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'time_add_interval',
  description:
    'time_add_interval(time, interval) - A TIME plus a day-time interval; an error when the result leaves the day.',
  resolve(argTypes) {
    checkArity('time_add_interval', argTypes, 2, 2);
    const [t, iv] = argTypes as [DataType, DataType];
    if (t.kind !== 'time') throw typeMismatch('time_add_interval', 0, '"TIME"', t);
    if (iv.kind !== 'interval_day_time')
      throw typeMismatch('time_add_interval', 1, '"INTERVAL DAY TO SECOND"', iv);
    const precision = Math.max(t.precision, intervalPrecision(iv));
    return { argTypes: [t, iv], returnType: { kind: 'time', precision } };
  },
  evaluate(args, numRows, returnType, ctx) {
    const [timeArgument, intervalArgument] = args as [ColumnarValue, ColumnarValue];
    const timeType = timeArgument.kind === 'scalar' ? timeArgument.type : returnType;
    const intervalType =
      intervalArgument.kind === 'scalar' ? intervalArgument.type : dayTimeIntervalType('day', 'second');
    const precision = returnType.kind === 'time' ? returnType.precision : MAX_TIME_PRECISION;
    return evaluateRows(
      args,
      [timeType, intervalType],
      numRows,
      returnType,
      ctx,
      (v) => {
        const t = v[0] as bigint;
        const iv = v[1] as bigint;
        const r = t + iv;
        if (r < 0n || r >= MICROS_PER_DAY_OF_TIME) throw timeOverflow(t, timeType, iv, intervalType);
        return truncateTime(r, precision);
      },
      true,
    );
  },
};

const timeSubtract: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'time_subtract',
  description: 'time_subtract(end, start) - end - start as an INTERVAL HOUR TO SECOND.',
  resolve(argTypes) {
    checkArity('time_subtract', argTypes, 2, 2);
    argTypes.forEach((t, i) => {
      if (t.kind !== 'time') throw typeMismatch('time_subtract', i, '"TIME"', t);
    });
    return { argTypes: [argTypes[0]!, argTypes[1]!], returnType: dayTimeIntervalType('hour', 'second') };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [T.time, T.time],
      numRows,
      returnType,
      ctx,
      (v: Value[]) => (v[0] as bigint) - (v[1] as bigint),
      true,
    );
  },
};

export const timeFunctions: readonly ScalarFunctionDef[] = [
  makeTime,
  toTimeDef('to_time', false),
  toTimeDef('try_to_time', true),
  currentTime,
  timeTrunc,
  timeDiff,
  timeAddInterval,
  timeSubtract,
];
