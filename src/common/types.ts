/**
 * Spark SQL data types, fields and schemas.
 *
 * Each type maps to one Arrow type (see `arrow.ts`) and one PostgreSQL type OID (see src/server).
 * Runtime values of a type, wherever a single value is held outside a column (literals, scalar
 * results, partition values), use one representation per type:
 *
 * | type                       | JS value                                  |
 * |----------------------------|-------------------------------------------|
 * | null                       | `null`                                    |
 * | boolean                    | `boolean`                                 |
 * | tinyint/smallint/int       | `number` (integer)                        |
 * | bigint                     | `bigint`                                  |
 * | float/double               | `number`                                  |
 * | decimal(p,s)               | `bigint` — the unscaled value (1.25 → 125n at s=2) |
 * | string                     | `string`                                  |
 * | binary                     | `Uint8Array`                              |
 * | date                       | `number` — days since 1970-01-01          |
 * | timestamp / timestamp_ntz  | `bigint` — microseconds since the epoch (UTC for timestamp) |
 * | time(p)                    | `bigint` — microseconds since midnight, 0 ≤ v < 86 400 000 000 |
 * | interval_year_month        | `number` — months (whatever its fields)   |
 * | interval_day_time          | `bigint` — microseconds (whatever its fields) |
 * | calendar_interval          | `[months, days, micros]` — number, number, bigint (calendar-interval.ts) |
 * | array                      | `Value[]`                                 |
 * | map                        | `Map<Value, Value>`                       |
 * | struct                     | `Value[]` (one per field)                 |
 */

export type DataType =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'tinyint' }
  | { readonly kind: 'smallint' }
  | { readonly kind: 'int' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'float' }
  | { readonly kind: 'double' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  /** `maxLength`/`fixed` record a declared VARCHAR(n)/CHAR(n); values are strings either way. */
  | { readonly kind: 'string'; readonly maxLength?: number; readonly fixed?: boolean }
  | { readonly kind: 'binary' }
  | { readonly kind: 'date' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'timestamp_ntz' }
  /** Spark's TimeType(precision): a time of day without a time zone; `precision` fractional digits (0-6). */
  | { readonly kind: 'time'; readonly precision: number }
  /** Spark's YearMonthIntervalType(startField, endField); fields left out mean YEAR TO MONTH. */
  | {
      readonly kind: 'interval_year_month';
      readonly startField?: YearMonthField;
      readonly endField?: YearMonthField;
    }
  /** Spark's DayTimeIntervalType(startField, endField); fields left out mean DAY TO SECOND. */
  | {
      readonly kind: 'interval_day_time';
      readonly startField?: DayTimeField;
      readonly endField?: DayTimeField;
    }
  /**
   * Spark's CalendarIntervalType (SQL name `interval`): months, days and microseconds apart. It can
   * be computed and shown but not stored in a table nor ordered.
   */
  | { readonly kind: 'calendar_interval' }
  | { readonly kind: 'array'; readonly element: DataType; readonly containsNull: boolean }
  | {
      readonly kind: 'map';
      readonly key: DataType;
      readonly value: DataType;
      readonly valueContainsNull: boolean;
    }
  | { readonly kind: 'struct'; readonly fields: readonly Field[] };

export type TypeKind = DataType['kind'];

/** The fields of a year-month interval type, most significant first. */
export type YearMonthField = 'year' | 'month';
/** The fields of a day-time interval type, most significant first. */
export type DayTimeField = 'day' | 'hour' | 'minute' | 'second';
export const YEAR_MONTH_FIELDS: readonly YearMonthField[] = ['year', 'month'];
export const DAY_TIME_FIELDS: readonly DayTimeField[] = ['day', 'hour', 'minute', 'second'];

export type Value =
  null | boolean | number | bigint | string | Uint8Array | readonly Value[] | ReadonlyMap<Value, Value>;

export interface Field {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
}

export interface Schema {
  readonly fields: readonly Field[];
}

export const MAX_DECIMAL_PRECISION = 38;
/** TIME(p) keeps up to microseconds; TIME alone means TIME(6). */
export const MAX_TIME_PRECISION = 6;
/** Decimals up to this precision are held as 64-bit scaled integers; wider ones as 128-bit. */
export const MAX_DECIMAL64_PRECISION = 18;

export const T = {
  null: { kind: 'null' },
  boolean: { kind: 'boolean' },
  tinyint: { kind: 'tinyint' },
  smallint: { kind: 'smallint' },
  int: { kind: 'int' },
  bigint: { kind: 'bigint' },
  float: { kind: 'float' },
  double: { kind: 'double' },
  string: { kind: 'string' },
  binary: { kind: 'binary' },
  date: { kind: 'date' },
  timestamp: { kind: 'timestamp' },
  timestampNtz: { kind: 'timestamp_ntz' },
  /** TIME with Spark's default precision (6: microseconds). */
  time: { kind: 'time', precision: 6 },
  intervalYearMonth: { kind: 'interval_year_month' },
  intervalDayTime: { kind: 'interval_day_time' },
  calendarInterval: { kind: 'calendar_interval' },
  decimal(precision: number, scale: number): DataType {
    return { kind: 'decimal', precision, scale };
  },
  array(element: DataType, containsNull = true): DataType {
    return { kind: 'array', element, containsNull };
  },
} as const satisfies Record<string, DataType | ((...args: never[]) => DataType)>;

export function field(name: string, type: DataType, nullable = true): Field {
  return { name, type, nullable };
}

export function schema(fields: readonly Field[]): Schema {
  return { fields };
}

export function isIntegral(t: DataType): boolean {
  return t.kind === 'tinyint' || t.kind === 'smallint' || t.kind === 'int' || t.kind === 'bigint';
}

export function isFractional(t: DataType): boolean {
  return t.kind === 'float' || t.kind === 'double' || t.kind === 'decimal';
}

export function isNumeric(t: DataType): boolean {
  return isIntegral(t) || isFractional(t);
}

export function isDatetime(t: DataType): boolean {
  return t.kind === 'date' || t.kind === 'timestamp' || t.kind === 'timestamp_ntz';
}

export function isInterval(t: DataType): boolean {
  return t.kind === 'interval_year_month' || t.kind === 'interval_day_time';
}

/** A year-month interval type `start TO end` (`end` defaults to `start`, as in `INTERVAL YEAR`). */
export function yearMonthIntervalType(start: YearMonthField, end: YearMonthField = start): DataType {
  return { kind: 'interval_year_month', startField: start, endField: end };
}

/** A day-time interval type `start TO end` (`end` defaults to `start`, as in `INTERVAL DAY`). */
export function dayTimeIntervalType(start: DayTimeField, end: DayTimeField = start): DataType {
  return { kind: 'interval_day_time', startField: start, endField: end };
}

/** The start and end fields of a day-time interval type (DAY TO SECOND when left out). */
export function dayTimeFields(t: DataType): readonly [DayTimeField, DayTimeField] {
  return t.kind === 'interval_day_time' ? [t.startField ?? 'day', t.endField ?? 'second'] : ['day', 'second'];
}

/** The start and end fields of a year-month interval type (YEAR TO MONTH when left out). */
export function yearMonthFields(t: DataType): readonly [YearMonthField, YearMonthField] {
  return t.kind === 'interval_year_month'
    ? [t.startField ?? 'year', t.endField ?? 'month']
    : ['year', 'month'];
}

/** The start and end fields of either interval type, defaults filled in. */
export function intervalFields(t: DataType): readonly [string, string] {
  return t.kind === 'interval_year_month' ? yearMonthFields(t) : dayTimeFields(t);
}

/** `interval day`, `interval hour to second`, `interval year to month` (Spark's type name). */
function intervalTypeName(start: string, end: string): string {
  return start === end ? `interval ${start}` : `interval ${start} to ${end}`;
}

/** Structural equality; VARCHAR(n)/CHAR(n) compare equal to STRING. */
export function typesEqual(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'decimal':
      return b.kind === 'decimal' && a.precision === b.precision && a.scale === b.scale;
    case 'time':
      return b.kind === 'time' && a.precision === b.precision;
    case 'array':
      return b.kind === 'array' && typesEqual(a.element, b.element);
    case 'map':
      return b.kind === 'map' && typesEqual(a.key, b.key) && typesEqual(a.value, b.value);
    case 'interval_year_month':
    case 'interval_day_time': {
      const [as, ae] = intervalFields(a);
      const [bs, be] = intervalFields(b);
      return as === bs && ae === be;
    }
    case 'struct':
      return (
        b.kind === 'struct' &&
        a.fields.length === b.fields.length &&
        a.fields.every((f, i) => f.name === b.fields[i]!.name && typesEqual(f.type, b.fields[i]!.type))
      );
    default:
      return true;
  }
}

/** Spark's `simpleString`/SQL name: `int`, `decimal(15,2)`, `array<string>`, `varchar(25)`. */
export function typeToString(t: DataType): string {
  switch (t.kind) {
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'time':
      return `time(${t.precision})`;
    case 'string':
      if (t.maxLength !== undefined) return `${t.fixed === true ? 'char' : 'varchar'}(${t.maxLength})`;
      return 'string';
    case 'interval_year_month':
    case 'interval_day_time': {
      const [start, end] = intervalFields(t);
      return intervalTypeName(start, end);
    }
    case 'array':
      return `array<${typeToString(t.element)}>`;
    case 'map':
      return `map<${typeToString(t.key)},${typeToString(t.value)}>`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${typeToString(f.type)}`).join(',')}>`;
    case 'null':
      return 'void';
    case 'calendar_interval':
      return 'interval';
    default:
      return t.kind;
  }
}

/** The decimal type that holds every value of an integral type exactly (Spark's DecimalType.forType). */
export function decimalForIntegral(t: DataType): { precision: number; scale: number } | undefined {
  switch (t.kind) {
    case 'tinyint':
      return { precision: 3, scale: 0 };
    case 'smallint':
      return { precision: 5, scale: 0 };
    case 'int':
      return { precision: 10, scale: 0 };
    case 'bigint':
      return { precision: 20, scale: 0 };
    case 'decimal':
      return { precision: t.precision, scale: t.scale };
    default:
      return undefined;
  }
}

const MICROS_PER_UNIT: Readonly<Record<DayTimeField, bigint>> = {
  day: 86_400_000_000n,
  hour: 3_600_000_000n,
  minute: 60_000_000n,
  second: 1_000_000n,
};

/** Seconds with up to 6 fractional digits, trailing zeros dropped, two integer digits at least. */
function secondsText(micros: bigint): string {
  const whole = micros / 1_000_000n;
  const frac = (micros % 1_000_000n).toString().padStart(6, '0').replace(/0+$/, '');
  return whole.toString().padStart(2, '0') + (frac === '' ? '' : `.${frac}`);
}

/**
 * Spark's ANSI text of an interval value of type `t` (IntervalUtils.toDayTimeIntervalString /
 * toYearMonthIntervalString), used for CAST(… AS STRING), literal names and the CLI:
 * `INTERVAL '29' DAY`, `INTERVAL '1 02:03:04.5' DAY TO SECOND`, `INTERVAL '-03' HOUR`,
 * `INTERVAL '1-2' YEAR TO MONTH`, `INTERVAL '5' MONTH`. Fields below the end field are dropped.
 */
export function intervalToSql(value: number | bigint, t: DataType): string {
  const [start, end] = intervalFields(t);
  const qualifier = start === end ? start.toUpperCase() : `${start.toUpperCase()} TO ${end.toUpperCase()}`;
  if (t.kind === 'interval_year_month') {
    const months = Number(value);
    const sign = months < 0 ? '-' : '';
    const abs = Math.abs(months);
    const years = `${sign}${Math.floor(abs / 12)}`;
    const body = start !== end ? `${years}-${abs % 12}` : start === 'year' ? years : `${months}`;
    return `INTERVAL '${body}' ${qualifier}`;
  }
  let rest = BigInt(value);
  const sign = rest < 0n ? '-' : '';
  if (rest < 0n) rest = -rest;
  const si = DAY_TIME_FIELDS.indexOf(start as DayTimeField);
  const ei = DAY_TIME_FIELDS.indexOf(end as DayTimeField);
  let body = sign;
  for (let i = si; i <= ei; i++) {
    const field = DAY_TIME_FIELDS[i]!;
    if (field === 'second') {
      body += (i === si ? '' : ':') + secondsText(rest);
      break;
    }
    const unit = MICROS_PER_UNIT[field];
    const n = (rest / unit).toString();
    rest %= unit;
    body +=
      i === si
        ? field === 'day'
          ? n
          : n.padStart(2, '0')
        : (field === 'hour' ? ' ' : ':') + n.padStart(2, '0');
  }
  return `INTERVAL '${body}' ${qualifier}`;
}
