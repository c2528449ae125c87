/**
 * CAST between atomic types with Spark's three modes: `ansi` (invalid input → 22018
 * CAST_INVALID_INPUT, overflow → 22003 CAST_OVERFLOW), `try` (NULL) and `legacy` (Spark's non-ANSI
 * behaviour: NULL for bad text, wrap-around for integral narrowing). Common numeric widenings and
 * decimal rescaling run in typed-array loops; everything else goes through `castValue`.
 */
import {
  EngineError,
  SqlState,
  columnFromValues,
  doubleToString,
  makeColumn,
  dayTimeFields,
  intervalFromCastString,
  formatTime,
  intervalToSql,
  calendarIntervalToString,
  parseCalendarInterval,
  type CalendarInterval,
  parseTime,
  truncateTime,
  typesEqual,
  yearMonthFields,
  utf8,
  type DataType,
  type IntervalValue,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, EvalContext } from '../registry.ts';
import { allocNumber, fixedValues, isDecimal64, sqlTypeName, validityOf, valueText } from './common.ts';
import {
  DecimalColumnWriter,
  decimalGetter,
  decimalToDouble,
  decimalToString,
  doubleToDecimal,
  fitsPrecision,
  pow10,
  rescale,
  textToDecimal,
} from './decimal.ts';
import {
  MICROS_PER_SECOND,
  daysToTimestamp,
  formatDate,
  formatLocalMicros,
  formatTimestamp,
  localToUtcMicros,
  MICROS_PER_DAY,
  parseDate,
  utcToLocalMicros,
  parseTimestamp,
  splitMicros,
  timestampToDays,
} from './datetime.ts';
import { rowReader } from './common.ts';

export type CastMode = 'ansi' | 'try' | 'legacy';

/** Spark's rendering of a value in error messages: strings quoted, numbers plain. */
function renderValue(v: Value, t: DataType): string {
  if (typeof v === 'string') return `'${v}'`;
  if (t.kind === 'decimal') return decimalToString(v as bigint, t.scale);
  if (t.kind === 'bigint') return `${valueText(v)}L`;
  if (t.kind === 'double' || t.kind === 'float') return doubleToString(v as number);
  if (t.kind === 'interval_year_month' || t.kind === 'interval_day_time')
    return intervalToSql(v as number | bigint, t);
  if (t.kind === 'time') return `TIME '${formatTime(v as bigint)}'`;
  return valueText(v);
}

export function castInvalidInput(v: Value, from: DataType, to: DataType): EngineError {
  return new EngineError(
    SqlState.invalidCharacterValueForCast,
    `[CAST_INVALID_INPUT] The value ${renderValue(v, from)} of the type "${sqlTypeName(from)}" cannot be cast to "${sqlTypeName(to)}" because it is malformed.`,
    {
      hint: 'Correct the value as per the syntax, or change its target type. Use `try_cast` to tolerate malformed input and return NULL instead. If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.',
    },
  );
}

export function castOverflow(v: Value, from: DataType, to: DataType): EngineError {
  return new EngineError(
    SqlState.numericValueOutOfRange,
    `[CAST_OVERFLOW] The value ${renderValue(v, from)} of the type "${sqlTypeName(from)}" cannot be cast to "${sqlTypeName(to)}" due to an overflow.`,
    {
      hint: 'Use `try_cast` to tolerate overflow and return NULL instead. If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error.',
    },
  );
}

function decimalOutOfRange(text: string, p: number, s: number): EngineError {
  return new EngineError(
    SqlState.numericValueOutOfRange,
    `[NUMERIC_VALUE_OUT_OF_RANGE] ${text} cannot be represented as Decimal(${p}, ${s}).`,
    {
      hint: 'If necessary set "spark.sql.ansi.enabled" to "false" to bypass this error, and return NULL instead.',
    },
  );
}

/** Text an integral cast accepts: ANSI and TRY_CAST take digits only; the legacy cast also drops a fraction. */
const INT_RE = /^[+-]?\d+$/;
const LEGACY_INT_RE = /^[+-]?\d+(\.\d*)?$|^[+-]?\.\d+$/;

function integralRange(t: DataType): [bigint, bigint] {
  switch (t.kind) {
    case 'tinyint':
      return [-128n, 127n];
    case 'smallint':
      return [-32768n, 32767n];
    case 'int':
      return [-2147483648n, 2147483647n];
    default:
      return [-(1n << 63n), (1n << 63n) - 1n];
  }
}

function wrapIntegral(v: bigint, t: DataType): bigint {
  switch (t.kind) {
    case 'tinyint':
      return BigInt.asIntN(8, v);
    case 'smallint':
      return BigInt.asIntN(16, v);
    case 'int':
      return BigInt.asIntN(32, v);
    default:
      return BigInt.asIntN(64, v);
  }
}

function integralValue(v: bigint, t: DataType): Value {
  return t.kind === 'bigint' ? v : Number(v);
}

const TRUE_TEXT = new Set(['t', 'true', 'y', 'yes', '1']);
const FALSE_TEXT = new Set(['f', 'false', 'n', 'no', '0']);

const END_FIELD_MICROS = {
  day: 86_400_000_000n,
  hour: 3_600_000_000n,
  minute: 60_000_000n,
  second: 1n,
} as const;

/**
 * An interval value cast to another type of its family: fields below the target's end field are
 * dropped, toward zero (Spark's durationToMicros / periodToMonths with an end field).
 */
function truncateInterval(v: number | bigint, to: DataType): Value {
  if (to.kind === 'interval_year_month') {
    const months = Number(v);
    return yearMonthFields(to)[1] === 'year' ? months - (months % 12) : months;
  }
  const micros = BigInt(v);
  const unit = END_FIELD_MICROS[dayTimeFields(to)[1]];
  return micros - (micros % unit);
}

/**
 * A single-field interval as a number of its field's unit: `value` scaled by 10^`scale` (seconds
 * keep their microseconds, scale 6; other fields are whole, and a remainder is dropped toward zero).
 */
function intervalInUnits(v: number | bigint, from: DataType): { value: bigint; scale: number } {
  if (from.kind === 'interval_year_month') {
    const months = BigInt(v);
    return { value: yearMonthFields(from)[1] === 'year' ? months / 12n : months, scale: 0 };
  }
  const micros = BigInt(v);
  const end = dayTimeFields(from)[1];
  if (end === 'second') return { value: micros, scale: 6 };
  return { value: micros / END_FIELD_MICROS[end], scale: 0 };
}

/** Casts one value (cold paths and the general case of `castColumn`). */
export function castValue(v: Value, from: DataType, to: DataType, mode: CastMode, ctx: EvalContext): Value {
  if (v === null) return null;
  if (typesEqual(from, to) && from.kind !== 'decimal') return v;
  const fail = (err: () => EngineError): null => {
    if (mode === 'ansi') throw err();
    return null;
  };
  const invalid = (): null => fail(() => castInvalidInput(v, from, to));
  const overflow = (): null => fail(() => castOverflow(v, from, to));
  switch (to.kind) {
    case 'null':
      return null;
    case 'string':
      return valueToString(v, from, ctx);
    case 'binary':
      if (typeof v === 'string') return utf8.encoder.encode(v);
      if (v instanceof Uint8Array) return v;
      return invalid();
    case 'boolean':
      switch (from.kind) {
        case 'string': {
          const s = (v as string).trim().toLowerCase();
          if (TRUE_TEXT.has(s)) return true;
          if (FALSE_TEXT.has(s)) return false;
          return invalid();
        }
        case 'decimal':
          return (v as bigint) !== 0n;
        case 'bigint':
          return (v as bigint) !== 0n;
        default:
          return typeof v === 'number' ? v !== 0 : invalid();
      }
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint': {
      let big: bigint;
      switch (from.kind) {
        case 'string': {
          const s = (v as string).trim();
          if (!(mode === 'legacy' ? LEGACY_INT_RE : INT_RE).test(s)) return invalid();
          const intPart = s.split('.')[0]!;
          big = BigInt(intPart === '' || intPart === '+' || intPart === '-' ? '0' : intPart);
          const [lo, hi] = integralRange(to);
          if (big < lo || big > hi) return invalid();
          return integralValue(big, to);
        }
        case 'boolean':
          return integralValue(v === true ? 1n : 0n, to);
        case 'float':
        case 'double': {
          const x = v as number;
          if (!Number.isFinite(x))
            return mode === 'legacy'
              ? integralValue(Number.isNaN(x) ? 0n : integralRange(to)[x > 0 ? 1 : 0], to)
              : overflow();
          big = BigInt(Math.trunc(x));
          const [lo, hi] = integralRange(to);
          if (big < lo || big > hi) {
            if (mode === 'legacy') return integralValue(big < lo ? lo : hi, to);
            return overflow();
          }
          return integralValue(big, to);
        }
        case 'decimal':
          big = (v as bigint) / pow10(from.scale);
          break;
        case 'timestamp':
        case 'timestamp_ntz': {
          const micros = v as bigint;
          big = micros / MICROS_PER_SECOND - (micros % MICROS_PER_SECOND < 0n ? 1n : 0n);
          break;
        }
        case 'date':
          if (mode === 'ansi') return invalid();
          return null;
        case 'interval_year_month':
        case 'interval_day_time': {
          // A single-field interval counts its field: INTERVAL '90' SECOND is 90.
          const u = intervalInUnits(v as number | bigint, from);
          big = rescale(u.value, u.scale, 0, 'down');
          break;
        }
        default:
          big = typeof v === 'bigint' ? v : BigInt(v as number);
      }
      const [lo, hi] = integralRange(to);
      if (big < lo || big > hi) {
        if (mode === 'legacy') return integralValue(wrapIntegral(big, to), to);
        return overflow();
      }
      return integralValue(big, to);
    }
    case 'float':
    case 'double': {
      let x: number;
      switch (from.kind) {
        case 'string': {
          const s = (v as string).trim();
          const lower = s.toLowerCase();
          if (lower === 'nan') x = NaN;
          else if (lower === 'infinity' || lower === '+infinity' || lower === 'inf' || lower === '+inf')
            x = Infinity;
          else if (lower === '-infinity' || lower === '-inf') x = -Infinity;
          else if (/^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?[dDfF]?$/.test(s))
            x = Number(s.replace(/[dDfF]$/, ''));
          else return invalid();
          break;
        }
        case 'boolean':
          x = v === true ? 1 : 0;
          break;
        case 'decimal':
          x = decimalToDouble(v as bigint, from.scale);
          break;
        case 'timestamp':
        case 'timestamp_ntz':
          x = Number(v) / 1e6;
          break;
        default:
          x = Number(v);
      }
      return to.kind === 'float' ? Math.fround(x) : x;
    }
    case 'decimal': {
      let r: bigint | null | undefined;
      switch (from.kind) {
        case 'string':
          r = textToDecimal(v as string, to.precision, to.scale);
          if (r === undefined) return invalid();
          if (r === null) return fail(() => decimalOutOfRange(valueText(v), to.precision, to.scale));
          return r;
        case 'decimal':
          r = rescale(v as bigint, from.scale, to.scale);
          break;
        case 'float':
        case 'double': {
          const x = v as number;
          if (!Number.isFinite(x)) return fail(() => castInvalidInput(v, from, to));
          r = doubleToDecimal(x, to.scale);
          break;
        }
        case 'boolean':
          r = (v === true ? 1n : 0n) * pow10(to.scale);
          break;
        case 'timestamp':
        case 'timestamp_ntz':
          r = rescale(v as bigint, 6, to.scale);
          break;
        case 'interval_year_month':
        case 'interval_day_time': {
          const u = intervalInUnits(v as number | bigint, from);
          r = rescale(u.value, u.scale, to.scale);
          break;
        }
        default:
          r = BigInt(v as number | bigint) * pow10(to.scale);
      }
      if (!fitsPrecision(r, to.precision)) {
        return fail(() =>
          from.kind === 'decimal' || from.kind === 'double' || from.kind === 'float'
            ? decimalOutOfRange(renderValue(v, from), to.precision, to.scale)
            : castOverflow(v, from, to),
        );
      }
      return r;
    }
    case 'date':
      switch (from.kind) {
        case 'string': {
          const d = parseDate(v as string);
          return d === undefined ? invalid() : d;
        }
        case 'timestamp':
          return timestampToDays(v as bigint, ctx.timeZone);
        case 'timestamp_ntz':
          return splitMicros(v as bigint)[0];
        default:
          return invalid();
      }
    case 'timestamp':
    case 'timestamp_ntz': {
      const zone = to.kind === 'timestamp' ? ctx.timeZone : 'UTC';
      switch (from.kind) {
        case 'string': {
          const t = parseTimestamp(v as string, zone, to.kind === 'timestamp_ntz');
          return t === undefined ? invalid() : t;
        }
        case 'date':
          return daysToTimestamp(v as number, zone);
        case 'timestamp':
        case 'timestamp_ntz':
          return from.kind === 'timestamp'
            ? utcToLocalMicros(v as bigint, ctx.timeZone)
            : localToUtcMicros(v as bigint, ctx.timeZone);
        case 'float':
        case 'double': {
          const x = v as number;
          if (!Number.isFinite(x)) return invalid();
          return saturateMicros(BigInt(Math.round(x * 1e6)));
        }
        case 'decimal':
          return rescale(v as bigint, from.scale, 6, 'down');
        case 'tinyint':
        case 'smallint':
        case 'int':
        case 'bigint':
          // Seconds since the epoch; beyond the microsecond range Spark saturates (SECONDS.toMicros).
          return saturateMicros(BigInt(v as number | bigint) * MICROS_PER_SECOND);
        default:
          return invalid();
      }
    }
    case 'time':
      switch (from.kind) {
        case 'string': {
          const t = parseTime(v as string);
          return t === undefined ? invalid() : truncateTime(t, to.precision);
        }
        case 'time':
          return truncateTime(v as bigint, to.precision);
        case 'timestamp':
        case 'timestamp_ntz': {
          // The time of day: local to the session's zone for a TIMESTAMP, as written for an NTZ one.
          const local =
            from.kind === 'timestamp' ? utcToLocalMicros(v as bigint, ctx.timeZone) : (v as bigint);
          const ofDay = local % MICROS_PER_DAY;
          return truncateTime(ofDay < 0n ? ofDay + MICROS_PER_DAY : ofDay, to.precision);
        }
        default:
          return invalid();
      }
    case 'calendar_interval':
      // Spark reads the string with its lenient interval parser, NULL (never an error) when it
      // is not an interval, whatever the ANSI mode
      if (from.kind === 'string') return parseCalendarInterval(v as string) ?? null;
      return invalid();
    case 'interval_year_month':
    case 'interval_day_time': {
      if (from.kind === to.kind) return truncateInterval(v as number | bigint, to);
      if (from.kind === 'string') {
        let parsed: IntervalValue | null = null;
        try {
          parsed = intervalFromCastString(v as string, to, (message) => {
            throw new EngineError(
              '22006',
              `[INVALID_INTERVAL_FORMAT.UNMATCHED_FORMAT_STRING] Interval string does not match ${to.kind === 'interval_year_month' ? 'year-month' : 'day-time'} format of ${sqlTypeName(to)} when cast to ${sqlTypeName(to).toLowerCase()}: ${v as string}. (${message})`,
            );
          });
        } catch (e) {
          if (mode === 'ansi' || !(e instanceof EngineError)) throw e;
          return null;
        }
        return truncateInterval(parsed.type === 'year_month' ? parsed.months : parsed.micros, to);
      }
      // A number of the single-field interval's unit (CAST(90 AS INTERVAL SECOND)), rounded half up
      // to the interval's precision (months, microseconds).
      let scaled: bigint;
      let scale: number;
      if (from.kind === 'decimal') [scaled, scale] = [v as bigint, from.scale];
      else if (
        from.kind === 'tinyint' ||
        from.kind === 'smallint' ||
        from.kind === 'int' ||
        from.kind === 'bigint'
      )
        [scaled, scale] = [BigInt(v as number | bigint), 0];
      else return invalid();
      if (to.kind === 'interval_year_month') {
        const months = rescale(scaled * (yearMonthFields(to)[1] === 'year' ? 12n : 1n), scale, 0);
        if (months < -2147483648n || months > 2147483647n) return overflow();
        return Number(months);
      }
      const field = dayTimeFields(to)[1];
      const micros = rescale(scaled * (field === 'second' ? 1_000_000n : END_FIELD_MICROS[field]), scale, 0);
      if (micros < -9223372036854775808n || micros > 9223372036854775807n) return overflow();
      return micros;
    }
    case 'array':
      // Element-wise (array<int> → array<bigint>, array<string> → array<int> …).
      if (from.kind === 'array')
        return (v as readonly Value[]).map((x) => castValue(x, from.element, to.element, mode, ctx));
      throw new EngineError(SqlState.featureNotSupported, `cast to ${sqlTypeName(to)} is not supported`);
    case 'map':
      // Key by key and value by value.
      if (from.kind === 'map') {
        const out = new Map<Value, Value>();
        for (const [k, x] of v as ReadonlyMap<Value, Value>)
          out.set(
            castValue(k, from.key, to.key, mode, ctx),
            x === null ? null : castValue(x, from.value, to.value, mode, ctx),
          );
        return out;
      }
      throw new EngineError(SqlState.featureNotSupported, `cast to ${sqlTypeName(to)} is not supported`);
    case 'struct':
      // Field by field, by position: the names are the target's.
      if (from.kind === 'struct' && from.fields.length === to.fields.length)
        return (v as readonly Value[]).map((x, i) =>
          x === null ? null : castValue(x, from.fields[i]!.type, to.fields[i]!.type, mode, ctx),
        );
      throw new EngineError(SqlState.featureNotSupported, `cast to ${sqlTypeName(to)} is not supported`);
  }
}

/** A value as Spark prints it when cast to STRING. */
export function valueToString(v: Value, from: DataType, ctx: EvalContext): string {
  switch (from.kind) {
    case 'string':
      return v as string;
    case 'boolean':
      return v === true ? 'true' : 'false';
    case 'float':
      return doubleToString(v as number, true);
    case 'double':
      return doubleToString(v as number);
    case 'decimal':
      return decimalToString(v as bigint, from.scale);
    case 'date':
      return formatDate(v as number);
    case 'timestamp':
      return formatTimestamp(v as bigint, ctx.timeZone);
    case 'timestamp_ntz':
      return formatLocalMicros(v as bigint);
    case 'time':
      return formatTime(v as bigint);
    case 'binary':
      return utf8.decoder.decode(v as Uint8Array);
    case 'interval_year_month':
    case 'interval_day_time':
      return intervalToSql(v as number | bigint, from);
    case 'calendar_interval':
      return calendarIntervalToString(v as CalendarInterval);
    case 'array':
      return `[${(v as readonly Value[]).map((x) => (x === null ? 'null' : valueToString(x, from.element, ctx))).join(', ')}]`;
    case 'map': {
      const text = (x: Value, t: DataType): string => (x === null ? 'null' : valueToString(x, t, ctx));
      const entries = [...(v as ReadonlyMap<Value, Value>)].map(
        ([k, x]) => `${text(k, from.key)} -> ${text(x, from.value)}`,
      );
      return `{${entries.join(', ')}}`;
    }
    case 'struct':
      return `{${from.fields.map((f, i) => (((v as readonly Value[])[i] ?? null) === null ? 'null' : valueToString((v as readonly Value[])[i]!, f.type, ctx))).join(', ')}}`;
    default:
      return valueText(v);
  }
}

/** CAST of a whole column or scalar. */
export function castColumnar(
  input: ColumnarValue,
  from: DataType,
  to: DataType,
  mode: CastMode,
  numRows: number,
  ctx: EvalContext,
): ColumnarValue {
  if (
    typesEqual(from, to) &&
    !(from.kind === 'decimal' && to.kind === 'decimal' && from.scale !== to.scale)
  ) {
    if (input.kind === 'scalar') return { kind: 'scalar', value: input.value, type: to };
    return input;
  }
  if (input.kind === 'scalar')
    return { kind: 'scalar', value: castValue(input.value, from, to, mode, ctx), type: to };
  if (
    from.kind === to.kind &&
    ((to.kind === 'interval_day_time' && dayTimeFields(to)[1] === 'second') ||
      (to.kind === 'interval_year_month' && yearMonthFields(to)[1] === 'month'))
  ) {
    return input; // same values: only the fields, which the column does not carry, change
  }
  const data = input.data;
  const n = numRows;
  const valid = validityOf(input);
  const small = from.kind === 'tinyint' || from.kind === 'smallint' || from.kind === 'int';
  // fast paths
  if (
    small &&
    (to.kind === 'double' ||
      to.kind === 'float' ||
      to.kind === 'int' ||
      (to.kind === 'smallint' && from.kind === 'tinyint'))
  ) {
    const a = fixedValues<Int32Array>(data);
    const out = allocNumber(to, n);
    for (let i = 0; i < n; i++) out[i] = a[i]!;
    return { kind: 'array', data: makeColumn(to, out, n, valid) };
  }
  if (small && to.kind === 'bigint') {
    const a = fixedValues<Int32Array>(data);
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(a[i]!);
    return { kind: 'array', data: makeColumn(to, out, n, valid) };
  }
  if (from.kind === 'float' && to.kind === 'double') {
    const a = fixedValues<Float32Array>(data);
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) out[i] = a[i]!;
    return { kind: 'array', data: makeColumn(to, out, n, valid) };
  }
  if (small && to.kind === 'decimal' && to.precision - to.scale >= 10) {
    const a = fixedValues<Int32Array>(data);
    const w = new DecimalColumnWriter(to, n);
    const m = pow10(to.scale);
    for (let i = 0; i < n; i++) w.set(i, BigInt(a[i]!) * m);
    return { kind: 'array', data: w.finish(valid) };
  }
  if (from.kind === 'decimal' && to.kind === 'double') {
    const get = decimalGetter(input, from);
    const out = new Float64Array(n);
    const d = 10 ** from.scale;
    if (isDecimal64(from)) {
      const vals = fixedValues<BigInt64Array>(data);
      const w = new Int32Array(vals.buffer, vals.byteOffset, n * 2);
      const lo = new Uint32Array(vals.buffer, vals.byteOffset, n * 2);
      for (let i = 0; i < n; i++) {
        const hi = w[2 * i + 1]!;
        if (hi >= -2097152 && hi < 2097152) out[i] = (hi * 4294967296 + lo[2 * i]!) / d;
        else out[i] = decimalToDouble(get(i), from.scale);
      }
    } else for (let i = 0; i < n; i++) out[i] = decimalToDouble(get(i), from.scale);
    return { kind: 'array', data: makeColumn(to, out, n, valid) };
  }
  if (from.kind === 'decimal' && to.kind === 'decimal') {
    const get = decimalGetter(input, from);
    const w = new DecimalColumnWriter(to, n);
    let outValid = valid;
    for (let i = 0; i < n; i++) {
      if (outValid !== null && outValid[i] === 0) continue;
      const r = rescale(get(i), from.scale, to.scale);
      if (!fitsPrecision(r, to.precision)) {
        if (mode === 'ansi')
          throw decimalOutOfRange(decimalToString(get(i), from.scale), to.precision, to.scale);
        outValid ??= new Uint8Array(n).fill(1);
        outValid[i] = 0;
        continue;
      }
      w.set(i, r);
    }
    return { kind: 'array', data: w.finish(outValid) };
  }
  // general path
  const read = rowReader(input, from);
  const values: Value[] = new Array<Value>(n);
  for (let i = 0; i < n; i++) values[i] = castValue(read(i), from, to, mode, ctx);
  return { kind: 'array', data: columnFromValues(to, values) };
}

const MAX_MICROS = 2n ** 63n - 1n;
const MIN_MICROS = -(2n ** 63n);

/** Microseconds clamped to the 64-bit range, as Java's saturating conversions give. */
function saturateMicros(micros: bigint): bigint {
  return micros > MAX_MICROS ? MAX_MICROS : micros < MIN_MICROS ? MIN_MICROS : micros;
}
