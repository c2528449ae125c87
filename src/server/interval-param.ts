/**
 * Interval bind parameters (PostgreSQL's `interval`, OID 1186) as engine values.
 *
 * Text is read as PostgreSQL's interval_in reads it, in each of its output styles:
 *
 *   postgres           1 year 2 mons 3 days 04:05:06.5     -1 days -02:00:00     -00:00:01.5
 *   postgres_verbose   @ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs     @ 1 day ago
 *   sql_standard       1-2 3 4:05:06
 *   iso_8601           P1Y2M3DT4H5M6.5S
 *
 * and as clients write it (`1 years 2 months 3 days`, `1.5 days`, a bare number of seconds).
 * Fractions spill into the smaller fields as PostgreSQL spills them: a month is 30 days, a day
 * 24 hours (`1.5 mons` = 1 mon 15 days). Binary is interval_send's: int64 microseconds, int32
 * days, int32 months, big-endian.
 *
 * The parts `[months, days, micros]` are a calendar interval as they are; a year-month parameter
 * takes the months of a value without days or time, a day-time parameter the time of a value
 * without months (a day counted as 24 hours).
 */
import {
  EngineError,
  SqlState,
  typeToString,
  type CalendarInterval,
  type DataType,
  type Value,
} from '../common/index.ts';

const MICROS_PER_SECOND = 1_000_000n;
const MICROS_PER_MINUTE = 60n * MICROS_PER_SECOND;
const MICROS_PER_HOUR = 60n * MICROS_PER_MINUTE;
const MICROS_PER_DAY = 24n * MICROS_PER_HOUR;
const INT32_MIN = -(2n ** 31n);
const INT32_MAX = 2n ** 31n - 1n;
const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

function badFormat(text: string): EngineError {
  return new EngineError(SqlState.invalidDatetimeFormat, `invalid input syntax for type interval: "${text}"`);
}

function outOfRange(text: string): EngineError {
  return new EngineError(SqlState.intervalFieldOverflow, `interval field value out of range: "${text}"`);
}

/** A signed decimal number: `whole + num / den`, both parts carrying the sign. */
interface Decimal {
  readonly whole: bigint;
  readonly num: bigint;
  readonly den: bigint;
}

function decimal(text: string): Decimal {
  const negative = text.startsWith('-');
  const digits = text.replace(/^[+-]/, '');
  const dot = digits.indexOf('.');
  const wholeText = dot < 0 ? digits : digits.slice(0, dot);
  const fracText = dot < 0 ? '' : digits.slice(dot + 1);
  const s = negative ? -1n : 1n;
  return {
    whole: s * BigInt(wholeText === '' ? '0' : wholeText),
    num: s * BigInt(fracText === '' ? '0' : fracText),
    den: 10n ** BigInt(fracText.length),
  };
}

/** `num * scale / den` truncated, plus the remainder rounded half towards zero (PostgreSQL's
 * AdjustFractMicroseconds). */
function scaledFraction(num: bigint, den: bigint, scale: bigint): bigint {
  const x = num * scale;
  const q = x / den;
  const r = x - q * den;
  const twice = 2n * (r < 0n ? -r : r);
  return twice > den ? q + (r < 0n ? -1n : 1n) : q;
}

/** Months, days and microseconds, summed in exact integers and checked once at the end. */
class Parts {
  months = 0n;
  days = 0n;
  micros = 0n;

  /** `n` of a time unit worth `unit` microseconds. */
  addMicros(n: Decimal, unit: bigint): void {
    this.micros += n.whole * unit + scaledFraction(n.num, n.den, unit);
  }

  /** `n` days, the fraction in microseconds. */
  addDays(n: Decimal, daysPerUnit: bigint): void {
    this.days += n.whole * daysPerUnit;
    const fracDays = n.num * daysPerUnit;
    const whole = fracDays / n.den;
    this.days += whole;
    this.micros += scaledFraction(fracDays - whole * n.den, n.den, MICROS_PER_DAY);
  }

  /** `n` of a unit worth `monthsPerUnit` months; a fraction of a year in whole months (rounded
   * half to even, as rint), a fraction of a month in days of 30. */
  addMonths(n: Decimal, monthsPerUnit: bigint): void {
    this.months += n.whole * monthsPerUnit;
    if (monthsPerUnit === 1n) {
      this.addDays({ whole: 0n, num: n.num, den: n.den }, 30n);
      return;
    }
    const x = n.num * monthsPerUnit;
    const q = x / n.den;
    const r = x - q * n.den;
    const twice = 2n * (r < 0n ? -r : r);
    const away = twice > n.den || (twice === n.den && q % 2n !== 0n);
    this.months += away ? q + (r < 0n ? -1n : 1n) : q;
  }

  negate(): void {
    this.months = -this.months;
    this.days = -this.days;
    this.micros = -this.micros;
  }
}

type UnitAdder = (parts: Parts, n: Decimal) => void;

const months =
  (perUnit: bigint): UnitAdder =>
  (p, n) => {
    p.addMonths(n, perUnit);
  };
const days =
  (perUnit: bigint): UnitAdder =>
  (p, n) => {
    p.addDays(n, perUnit);
  };
const micros =
  (perUnit: bigint): UnitAdder =>
  (p, n) => {
    p.addMicros(n, perUnit);
  };

/** PostgreSQL's interval unit words (its deltatktbl). */
const UNITS: ReadonlyMap<string, UnitAdder> = new Map(
  (
    [
      [['millennium', 'millennia', 'mil', 'mils'], months(12_000n)],
      [['century', 'centuries', 'cent', 'c'], months(1200n)],
      [['decade', 'decades', 'dec', 'decs'], months(120n)],
      [['year', 'years', 'yr', 'yrs', 'y'], months(12n)],
      [['month', 'months', 'mon', 'mons'], months(1n)],
      [['week', 'weeks', 'w'], days(7n)],
      [['day', 'days', 'd'], days(1n)],
      [['hour', 'hours', 'hr', 'hrs', 'h'], micros(MICROS_PER_HOUR)],
      [['minute', 'minutes', 'min', 'mins', 'm'], micros(MICROS_PER_MINUTE)],
      [['second', 'seconds', 'sec', 'secs', 's'], micros(MICROS_PER_SECOND)],
      [['millisecond', 'milliseconds', 'msec', 'msecs', 'ms', 'mseconds'], micros(1000n)],
      [['microsecond', 'microseconds', 'usec', 'usecs', 'us', 'useconds'], micros(1n)],
    ] as const
  ).flatMap(([words, add]) => words.map((w) => [w, add] as const)),
);

type Token =
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'time'; readonly text: string }
  | { readonly kind: 'year_month'; readonly text: string }
  | { readonly kind: 'word'; readonly text: string }
  | { readonly kind: 'at' };

const TOKEN_RES: readonly [Exclude<Token['kind'], 'at'>, RegExp][] = [
  ['time', /[+-]?\d+(?::\d+(?:\.\d*)?){1,2}/y],
  ['year_month', /[+-]?\d+-\d+/y],
  ['number', /[+-]?(?:\d+(?:\.\d*)?|\.\d+)/y],
  ['word', /[a-z]+/y],
];

function tokenize(s: string, text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  for (;;) {
    while (i < s.length && /\s/.test(s[i]!)) i++;
    if (i >= s.length) return tokens;
    if (s[i] === '@') {
      tokens.push({ kind: 'at' });
      i++;
      continue;
    }
    let matched = false;
    for (const [kind, re] of TOKEN_RES) {
      re.lastIndex = i;
      const m = re.exec(s);
      if (m === null) continue;
      tokens.push({ kind, text: m[0] });
      i += m[0].length;
      matched = true;
      break;
    }
    if (!matched) throw badFormat(text);
  }
}

/** `[+-]h:m[:s[.f]]`, or `[+-]m:s.f` when its second field has a fraction. */
function addTime(parts: Parts, token: string, text: string): void {
  const negative = token.startsWith('-');
  const fields = token.replace(/^[+-]/, '').split(':');
  let hours = '0';
  let minutes: string;
  let seconds = '0';
  if (fields.length === 2 && fields[1]!.includes('.')) [minutes, seconds] = fields as [string, string];
  else [hours, minutes, seconds = '0'] = fields as [string, string, string?];
  if (Number(minutes) > 59 || Number(seconds) >= 60) throw outOfRange(text);
  const sign = negative ? '-' : '';
  parts.addMicros(decimal(sign + hours), MICROS_PER_HOUR);
  parts.addMicros(decimal(sign + minutes), MICROS_PER_MINUTE);
  parts.addMicros(decimal(sign + seconds), MICROS_PER_SECOND);
}

const ISO_RE =
  /^p(?:([+-]?[\d.]+)y)?(?:([+-]?[\d.]+)m)?(?:([+-]?[\d.]+)w)?(?:([+-]?[\d.]+)d)?(?:t(?:([+-]?[\d.]+)h)?(?:([+-]?[\d.]+)m)?(?:([+-]?[\d.]+)s)?)?$/;
const ISO_UNITS: readonly UnitAdder[] = [
  months(12n),
  months(1n),
  days(7n),
  days(1n),
  micros(MICROS_PER_HOUR),
  micros(MICROS_PER_MINUTE),
  micros(MICROS_PER_SECOND),
];
const NUMBER_RE = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** PostgreSQL interval text → `[months, days, micros]`; 22007 when malformed, 22015 out of range. */
export function parsePgInterval(text: string): CalendarInterval {
  const s = text.trim().toLowerCase();
  const parts = new Parts();
  const iso = ISO_RE.exec(s);
  if (iso !== null && s.length > 1 && s !== 'pt') {
    for (let k = 0; k < ISO_UNITS.length; k++) {
      const n = iso[k + 1];
      if (n === undefined) continue;
      if (!NUMBER_RE.test(n)) throw badFormat(text);
      ISO_UNITS[k]!(parts, decimal(n));
    }
    return checked(parts, text);
  }
  const tokens = tokenize(s, text);
  let i = 0;
  if (tokens[0]?.kind === 'at') i++;
  const last = tokens.at(-1);
  const ago = tokens.length > i && last?.kind === 'word' && last.text === 'ago';
  if (ago) tokens.pop();
  if (i >= tokens.length) throw badFormat(text);
  for (; i < tokens.length; i++) {
    const t = tokens[i]!;
    switch (t.kind) {
      case 'time':
        addTime(parts, t.text, text);
        break;
      case 'year_month': {
        const negative = t.text.startsWith('-');
        const [y, m] = t.text.replace(/^[+-]/, '').split('-') as [string, string];
        if (Number(m) > 11) throw outOfRange(text);
        const total = BigInt(y) * 12n + BigInt(m);
        parts.months += negative ? -total : total;
        break;
      }
      case 'number': {
        const next = tokens[i + 1];
        const n = decimal(t.text);
        if (next?.kind === 'word') {
          const add = UNITS.get(next.text);
          if (add === undefined) throw badFormat(text);
          add(parts, n);
          i++;
        } else if (next?.kind === 'time') {
          // sql_standard: a plain number before a time of day counts days
          parts.addDays(n, 1n);
        } else if (next === undefined) {
          // a plain number last counts seconds
          parts.addMicros(n, MICROS_PER_SECOND);
        } else {
          throw badFormat(text);
        }
        break;
      }
      case 'word':
      case 'at':
        throw badFormat(text);
    }
  }
  if (ago) parts.negate();
  return checked(parts, text);
}

function checked(parts: Parts, text: string): CalendarInterval {
  const { months: m, days: d, micros: us } = parts;
  if (m < INT32_MIN || m > INT32_MAX || d < INT32_MIN || d > INT32_MAX || us < INT64_MIN || us > INT64_MAX)
    throw outOfRange(text);
  return [Number(m), Number(d), us];
}

/** interval_send's 16 bytes → `[months, days, micros]`. */
export function readPgIntervalBinary(b: Buffer): CalendarInterval {
  if (b.length !== 16)
    throw new EngineError(SqlState.invalidParameterValue, 'incorrect binary data format in bind parameter');
  return [b.readInt32BE(12), b.readInt32BE(8), b.readBigInt64BE(0)];
}

/**
 * An interval's parts as a value of the parameter's interval type: a year-month interval holds
 * months only, a day-time interval days and time only (22007 naming the value otherwise).
 */
export function intervalParamValue(iv: CalendarInterval, type: DataType, text: string): Value {
  const [m, d, us] = iv;
  switch (type.kind) {
    case 'calendar_interval':
      return iv;
    case 'interval_year_month':
      if (d !== 0 || us !== 0n)
        throw new EngineError(
          SqlState.invalidDatetimeFormat,
          `invalid input syntax for type ${typeToString(type)}: "${text}" has days or time, which a year-month interval cannot hold`,
        );
      return m;
    case 'interval_day_time': {
      if (m !== 0)
        throw new EngineError(
          SqlState.invalidDatetimeFormat,
          `invalid input syntax for type ${typeToString(type)}: "${text}" has months, which a day-time interval cannot hold`,
        );
      const total = BigInt(d) * MICROS_PER_DAY + us;
      if (total < INT64_MIN || total > INT64_MAX) throw outOfRange(text);
      return total;
    }
    default:
      throw new EngineError(
        SqlState.pgDatatypeMismatch,
        `cannot use an interval parameter as ${typeToString(type)}`,
      );
  }
}
