/**
 * Spark's type rules, in one place: result types of decimal arithmetic, the common type of two
 * types (for comparisons, CASE branches, IN lists, UNION columns, coalesce…), and which implicit
 * casts exist. The analyzer and every function's `resolve` use these.
 *
 * Reference: Spark 4 `DecimalPrecision`, `TypeCoercion.findTightestCommonType`,
 * `AnsiTypeCoercion.findWiderTypeForTwo`, `DecimalType.adjustPrecisionScale`
 * (spark.sql.decimalOperations.allowPrecisionLoss = true).
 */
import {
  DAY_TIME_FIELDS,
  MAX_DECIMAL_PRECISION,
  dayTimeFields,
  dayTimeIntervalType,
  decimalForIntegral,
  isIntegral,
  isNumeric,
  typesEqual,
  yearMonthFields,
  yearMonthIntervalType,
  type DataType,
  type DayTimeField,
  type Field,
} from '../common/index.ts';

export const MINIMUM_ADJUSTED_SCALE = 6;

/** A decimal type, capped at 38 digits keeping at least 6 fractional digits (Spark's allowPrecisionLoss). */
export function adjustedDecimal(precision: number, scale: number): DataType {
  if (precision <= MAX_DECIMAL_PRECISION) return { kind: 'decimal', precision, scale };
  const intDigits = precision - scale;
  const minScale = Math.min(scale, MINIMUM_ADJUSTED_SCALE);
  const adjustedScale = Math.max(MAX_DECIMAL_PRECISION - intDigits, minScale);
  return { kind: 'decimal', precision: MAX_DECIMAL_PRECISION, scale: adjustedScale };
}

/** A decimal type capped at 38 digits, keeping the scale as far as it fits (Spark's DecimalType.bounded). */
export function boundedDecimal(precision: number, scale: number): DataType {
  return {
    kind: 'decimal',
    precision: Math.min(precision, MAX_DECIMAL_PRECISION),
    scale: Math.min(scale, MAX_DECIMAL_PRECISION),
  };
}

/** The decimal view of an integral or decimal type. */
export function asDecimal(t: DataType): { precision: number; scale: number } | undefined {
  return decimalForIntegral(t);
}

/**
 * Result type of `l op r` where both are decimal (or one is an integral promoted to its decimal form).
 * `+ -`: scale max(s1,s2), precision max(p1-s1,p2-s2)+scale+1.  `*`: p1+p2+1, s1+s2.
 * `/`: scale max(6, s1+p2+1), precision p1-s1+s2+scale.  `%`: min(p1-s1,p2-s2)+max(s1,s2), max(s1,s2).
 * `div`: bigint (decimal(p1-s1+s2, 0) bounded, then cast).
 */
export function decimalArithmeticType(
  op: '+' | '-' | '*' | '/' | '%',
  l: { precision: number; scale: number },
  r: { precision: number; scale: number },
): DataType {
  const { precision: p1, scale: s1 } = l;
  const { precision: p2, scale: s2 } = r;
  switch (op) {
    case '+':
    case '-': {
      const scale = Math.max(s1, s2);
      const range = Math.max(p1 - s1, p2 - s2);
      return adjustedDecimal(range + scale + 1, scale);
    }
    case '*':
      return adjustedDecimal(p1 + p2 + 1, s1 + s2);
    case '/': {
      const scale = Math.max(MINIMUM_ADJUSTED_SCALE, s1 + p2 + 1);
      const precision = p1 - s1 + s2 + scale;
      return adjustedDecimal(precision, scale);
    }
    case '%': {
      const scale = Math.max(s1, s2);
      const precision = Math.min(p1 - s1, p2 - s2) + scale;
      return adjustedDecimal(precision, scale);
    }
  }
}

const NUMERIC_PRECEDENCE: readonly DataType['kind'][] = [
  'tinyint',
  'smallint',
  'int',
  'bigint',
  'float',
  'double',
];

function numericRank(t: DataType): number {
  return NUMERIC_PRECEDENCE.indexOf(t.kind);
}

/** Widest decimal that holds both (Spark's DecimalPrecision.widerDecimalType). */
export function widerDecimal(
  a: { precision: number; scale: number },
  b: { precision: number; scale: number },
): DataType {
  const scale = Math.max(a.scale, b.scale);
  const range = Math.max(a.precision - a.scale, b.precision - b.scale);
  return boundedDecimal(range + scale, scale);
}

/**
 * The tightest type both convert to without losing anything (Spark's findTightestCommonType), or
 * undefined. Integral ↔ decimal and decimal ↔ decimal are handled by `findWiderType`.
 */
export function findTightestCommonType(a: DataType, b: DataType): DataType | undefined {
  if (typesEqual(a, b)) return a.kind === 'string' && b.kind === 'string' ? { kind: 'string' } : a;
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  const ra = numericRank(a);
  const rb = numericRank(b);
  if (ra >= 0 && rb >= 0) return ra >= rb ? a : b;
  if (
    (a.kind === 'date' && (b.kind === 'timestamp' || b.kind === 'timestamp_ntz')) ||
    (a.kind === 'timestamp_ntz' && b.kind === 'timestamp')
  )
    return b;
  if (
    (b.kind === 'date' && (a.kind === 'timestamp' || a.kind === 'timestamp_ntz')) ||
    (b.kind === 'timestamp_ntz' && a.kind === 'timestamp')
  )
    return a;
  if (a.kind === 'time' && b.kind === 'time') {
    // The least common type of TIME(n) and TIME(m) is TIME(max(n, m)); TIME widens to nothing else.
    return a.precision >= b.precision ? a : b;
  }
  if (a.kind === 'interval_day_time' && b.kind === 'interval_day_time') {
    // Spark: DayTimeIntervalType(min(start), max(end))
    const [as, ae] = dayTimeFields(a);
    const [bs, be] = dayTimeFields(b);
    const f = (x: DayTimeField): number => DAY_TIME_FIELDS.indexOf(x);
    return dayTimeIntervalType(f(as) <= f(bs) ? as : bs, f(ae) >= f(be) ? ae : be);
  }
  if (a.kind === 'interval_year_month' && b.kind === 'interval_year_month') {
    const [as, ae] = yearMonthFields(a);
    const [bs, be] = yearMonthFields(b);
    return yearMonthIntervalType(
      as === 'year' || bs === 'year' ? 'year' : 'month',
      ae === 'month' || be === 'month' ? 'month' : 'year',
    );
  }
  return commonComplexType(a, b, findTightestCommonType);
}

/**
 * Arrays, maps and structs meet element by element (Spark's findTypeForComplex): structs need the
 * same number of fields with the same names (case-insensitively), each pair having a common type.
 */
function commonComplexType(
  a: DataType,
  b: DataType,
  common: (x: DataType, y: DataType) => DataType | undefined,
): DataType | undefined {
  if (a.kind === 'array' && b.kind === 'array') {
    const e = common(a.element, b.element);
    return e === undefined
      ? undefined
      : { kind: 'array', element: e, containsNull: a.containsNull || b.containsNull };
  }
  if (a.kind === 'map' && b.kind === 'map') {
    const k = common(a.key, b.key);
    const v = common(a.value, b.value);
    return k === undefined || v === undefined
      ? undefined
      : { kind: 'map', key: k, value: v, valueContainsNull: a.valueContainsNull || b.valueContainsNull };
  }
  if (a.kind === 'struct' && b.kind === 'struct' && a.fields.length === b.fields.length) {
    const fields: Field[] = [];
    for (let i = 0; i < a.fields.length; i++) {
      const fa = a.fields[i]!;
      const fb = b.fields[i]!;
      if (fa.name.toLowerCase() !== fb.name.toLowerCase()) return undefined;
      const t = common(fa.type, fb.type);
      if (t === undefined) return undefined;
      fields.push({ name: fa.name, type: t, nullable: fa.nullable || fb.nullable });
    }
    return { kind: 'struct', fields };
  }
  return undefined;
}

/**
 * The common type for two values that must be compared or combined (UNION columns, CASE branches,
 * IN lists, coalesce, greatest…): Spark's findWiderTypeForTwo under ANSI rules.
 * - integral/decimal mixes widen to a decimal holding both (bigint → decimal(20,0));
 * - decimal with float/double → double;
 * - string with a numeric, date or timestamp → that other type (ANSI: the string is cast to it);
 * - anything else without a common type → undefined (the caller reports 42K09 DATATYPE_MISMATCH).
 */
export function findWiderType(a: DataType, b: DataType): DataType | undefined {
  const tight = findTightestCommonType(a, b) ?? widerForDecimal(a, b);
  if (tight !== undefined) return tight;
  if (
    a.kind === 'string' &&
    (isNumeric(b) ||
      b.kind === 'date' ||
      b.kind === 'timestamp' ||
      b.kind === 'timestamp_ntz' ||
      b.kind === 'time' ||
      b.kind === 'boolean')
  ) {
    return stringPromotion(b);
  }
  if (
    b.kind === 'string' &&
    (isNumeric(a) ||
      a.kind === 'date' ||
      a.kind === 'timestamp' ||
      a.kind === 'timestamp_ntz' ||
      a.kind === 'time' ||
      a.kind === 'boolean')
  ) {
    return stringPromotion(a);
  }
  return commonComplexType(a, b, findWiderType);
}

/** A decimal meeting a number: a double with a float or double, else a decimal holding both. */
function widerForDecimal(a: DataType, b: DataType): DataType | undefined {
  if (a.kind !== 'decimal' && b.kind !== 'decimal') return undefined;
  if (a.kind === 'float' || a.kind === 'double' || b.kind === 'float' || b.kind === 'double')
    return { kind: 'double' };
  const da = decimalForIntegral(a);
  const db = decimalForIntegral(b);
  return da !== undefined && db !== undefined ? widerDecimal(da, db) : undefined;
}

/**
 * `findWiderType` without reading a string as another type (Spark's
 * findWiderTypeWithoutStringPromotion): what UNPIVOT's value columns widen to.
 */
export function findWiderTypeWithoutStringPromotion(a: DataType, b: DataType): DataType | undefined {
  return (
    findTightestCommonType(a, b) ??
    widerForDecimal(a, b) ??
    commonComplexType(a, b, findWiderTypeWithoutStringPromotion)
  );
}

/** ANSI: a string meeting an integral is read as bigint; other types keep their own type. */
function stringPromotion(other: DataType): DataType {
  return isIntegral(other) ? { kind: 'bigint' } : other;
}

/** The common type of many (left to right) by `wider` (findWiderType by default), or undefined. */
export function findWiderTypeOfAll(
  types: readonly DataType[],
  wider: (a: DataType, b: DataType) => DataType | undefined = findWiderType,
): DataType | undefined {
  let acc: DataType = { kind: 'null' };
  for (const t of types) {
    const w = wider(acc, t);
    if (w === undefined) return undefined;
    acc = w;
  }
  return acc;
}

/**
 * Whether `from` may be cast to `to` implicitly (to fit a function signature): widening numerics,
 * integral → decimal, numeric → double, date → timestamp, string → anything castable (ANSI
 * implicit string casts), any atomic type → string (Spark's store-assignment rule, so that
 * `concat('v', 1)` and `1 || 2` work), null → anything.
 */
export function canImplicitCast(from: DataType, to: DataType): boolean {
  if (typesEqual(from, to) || from.kind === 'null') return true;
  if (from.kind === 'time' && to.kind === 'time') return from.precision <= to.precision;
  if (from.kind === to.kind && (from.kind === 'interval_day_time' || from.kind === 'interval_year_month')) {
    // an interval widens to a type whose fields cover its own
    const w = findTightestCommonType(from, to);
    return w !== undefined && typesEqual(w, to);
  }
  if (isNumeric(from) && isNumeric(to)) {
    if (to.kind === 'decimal') {
      const d = decimalForIntegral(from);
      if (d === undefined) return false;
      return to.precision - to.scale >= d.precision - d.scale && to.scale >= d.scale;
    }
    if (from.kind === 'decimal') return to.kind === 'double' || to.kind === 'float';
    return numericRank(to) >= numericRank(from);
  }
  if (from.kind === 'date' && (to.kind === 'timestamp' || to.kind === 'timestamp_ntz')) return true;
  if (to.kind === 'string')
    return isNumeric(from) || ['boolean', 'date', 'timestamp', 'timestamp_ntz', 'time'].includes(from.kind);
  if (from.kind === 'string')
    return to.kind !== 'binary' && to.kind !== 'boolean'
      ? to.kind !== 'array' && to.kind !== 'map' && to.kind !== 'struct'
      : true;
  return false;
}
