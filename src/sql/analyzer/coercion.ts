/**
 * Spark 4 (ANSI) implicit coercions for operators: arithmetic result types (decimal rules from
 * `decimalArithmeticType`), comparison operand widening (`findWiderType`), boolean conditions, and
 * date/timestamp/interval arithmetic turned into calls.
 */
import {
  EngineError,
  SqlState,
  MAX_TIME_PRECISION,
  T,
  dayTimeFields,
  dayTimeIntervalType,
  decimalForIntegral,
  isIntegral,
  isNumeric,
  typeToString,
  type DataType,
} from '../../common/index.ts';
import { decimalArithmeticType, findWiderType, findWiderTypeOfAll } from '../../functions/index.ts';
import { exprType, type ArithmeticOp, type ComparisonOp, type Expr } from '../../plan/index.ts';
import { castTo, exprNullable } from './expr-utils.ts';
import { checkOrderable } from './map-ordering.ts';

function sqlType(t: DataType): string {
  return `"${typeToString(t).toUpperCase()}"`;
}

export function mismatch(what: string, l: DataType, r: DataType, pos: number): EngineError {
  return new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.BINARY_OP_DIFF_TYPES] Cannot resolve "${what}" due to data type mismatch: the left and right operands of the binary operator have incompatible types (${sqlType(l)} and ${sqlType(r)}).`,
    { position: pos },
  );
}

function call(
  name: string,
  args: readonly Expr[],
  type: DataType,
  failOnError: boolean,
  nullable?: boolean,
): Expr {
  return { kind: 'call', name, args, type, nullable: nullable ?? args.some(exprNullable), failOnError };
}

/** The decimal form of an exact numeric operand; integer literals use their digit count (Spark's fromLiteral). */
function decimalOperand(e: Expr): { precision: number; scale: number } | undefined {
  const t = exprType(e);
  if (e.kind === 'literal' && isIntegral(t) && e.value !== null) {
    const digits = BigInt(e.value as number | bigint)
      .toString()
      .replace('-', '').length;
    return { precision: digits, scale: 0 };
  }
  return decimalForIntegral(t);
}

function isDecimalish(t: DataType): boolean {
  return t.kind === 'decimal' || isIntegral(t);
}

/**
 * Spark's ANSI promotion of a string meeting a number in a binary operator: both sides become
 * bigint when the number is integral and double when it is fractional (a decimal included), so
 * `'1.51' = 1.5` compares 1.51 with 1.5 rather than reading the string as DECIMAL(2,1).
 */
function stringNumberType(l: DataType, r: DataType): DataType | undefined {
  const other = l.kind === 'string' ? r : r.kind === 'string' ? l : undefined;
  if (other === undefined || !isNumeric(other)) return undefined;
  return isIntegral(other) ? T.bigint : T.double;
}

/** String operands of arithmetic are read as numbers (see `stringNumberType`), or double. */
function promoteForArithmetic(l: DataType, r: DataType): [DataType, DataType] {
  if (l.kind === 'null' && r.kind === 'null') return [T.int, T.int];
  if (l.kind === 'null') return [r.kind === 'string' ? T.double : r, r.kind === 'string' ? T.double : r];
  if (r.kind === 'null') return [l.kind === 'string' ? T.double : l, l.kind === 'string' ? T.double : l];
  if (l.kind === 'string' && r.kind === 'string') return [T.double, T.double];
  const promoted = stringNumberType(l, r);
  if (promoted !== undefined) return [promoted, promoted];
  return [l, r];
}

function negateInterval(e: Expr, failOnError: boolean): Expr {
  if (e.kind === 'literal' && e.value !== null) {
    return { ...e, value: typeof e.value === 'bigint' ? -e.value : -(e.value as number) };
  }
  return { kind: 'unary', op: 'negate', input: e, type: exprType(e), failOnError };
}

const isTs = (t: DataType): boolean => t.kind === 'timestamp' || t.kind === 'timestamp_ntz';

/** A `$n` whose type the client left unspecified, while a statement is prepared (NULL's type). */
const isUnknownParameter = (e: Expr): boolean => e.kind === 'parameter' && e.type.kind === 'null';
const isIv = (t: DataType): boolean => t.kind === 'interval_year_month' || t.kind === 'interval_day_time';

/** Spark's check of `date_add`/`date_sub`'s day count: an error naming the function and its arguments. */
function dayCountMismatch(fn: string, days: Expr, name: string, pos: number): EngineError {
  const t = exprType(days);
  return new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${name}" due to data type mismatch: the second parameter of ${fn} requires the ("INT" or "SMALLINT" or "TINYINT") type, however it has the type ${sqlType(t)}.`,
    { position: pos },
  );
}

/**
 * Date/timestamp/interval `+`/`-`, resolved as Spark 4's BinaryArithmetic rules do (with ANSI
 * type coercion); undefined when neither side is a datetime or interval.
 * - date ± INTERVAL DAY → date (date_add of the days); date ± year-month interval → date
 *   (add_months semantics); date ± a day-time interval with time fields → timestamp;
 * - date ± integral (or NULL) → date_add/date_sub; date + anything else (a string is read as a
 *   date first) → DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE, as date_add rejects it;
 * - date − date → INTERVAL DAY; a string or NULL on either side of `−` with a date is read as a date;
 * - timestamp ± interval → the timestamp's type; timestamp − timestamp/date/string → INTERVAL DAY TO SECOND;
 * - interval ± interval of the same family → the union of their fields.
 */
function datetimeArithmetic(
  op: '+' | '-',
  l: Expr,
  r: Expr,
  name: string,
  pos: number,
  ansi: boolean,
): Expr | undefined {
  // A prepared statement's parameter of unknown type added to a timestamp is an interval, as
  // PostgreSQL resolves `timestamp + unknown`; subtracted from one it stays a timestamp (PostgreSQL
  // reads `timestamp - unknown` as the difference of two timestamps). Beside a date it stays
  // unknown, read below as date_add's day count (PostgreSQL's `date + integer`, Spark's date_add).
  // A NULL literal is not concerned.
  if (op === '+' && isUnknownParameter(r) && isTs(exprType(l))) r = castTo(r, T.calendarInterval);
  else if (op === '+' && isUnknownParameter(l) && isTs(exprType(r))) l = castTo(l, T.calendarInterval);
  let lt = exprType(l);
  let rt = exprType(r);
  if (lt.kind === 'calendar_interval' || rt.kind === 'calendar_interval') {
    return calendarArithmetic(op, l, r, name, pos, ansi);
  }
  if (lt.kind === 'time' || rt.kind === 'time') return timeArithmetic(op, l, r, name, pos, ansi);
  if (op === '+' && (rt.kind === 'date' || isTs(rt)) && lt.kind !== rt.kind) {
    [l, r] = [r, l];
    [lt, rt] = [rt, lt];
  }
  // `'2024-03-01' - DATE '…'`, `NULL - DATE '…'`, `'1' + DATE '…'`: the other side is read as a date
  if ((lt.kind === 'string' || lt.kind === 'null') && rt.kind === 'date') {
    l = castTo(l, T.date);
    lt = T.date;
  }
  if ((lt.kind === 'string' || lt.kind === 'null') && isTs(rt) && op === '-') {
    l = castTo(l, rt);
    lt = rt;
  }
  if (lt.kind === 'date') {
    const signed = (iv: Expr): Expr => (op === '-' ? negateInterval(iv, ansi) : iv);
    if (isIntegral(rt) || rt.kind === 'null') {
      return call(op === '+' ? 'date_add' : 'date_sub', [l, castTo(r, T.int)], T.date, ansi);
    }
    if (rt.kind === 'interval_year_month') return call('date_add_interval', [l, signed(r)], T.date, ansi);
    if (rt.kind === 'interval_day_time') {
      const [start, end] = dayTimeFields(rt);
      if (start === 'day' && end === 'day') return call('date_add_interval', [l, signed(r)], T.date, ansi);
      return call('timestamp_add_interval', [castTo(l, T.timestamp), signed(r)], T.timestamp, ansi);
    }
    if (op === '-' && (rt.kind === 'date' || rt.kind === 'string')) {
      // Spark 4: date - date is an INTERVAL DAY (`datediff` keeps returning int)
      return call('date_diff_interval', [l, castTo(r, T.date)], dayTimeIntervalType('day'), ansi);
    }
    if (op === '-' && isTs(rt)) {
      return call('timestamp_diff', [castTo(l, rt), r], T.intervalDayTime, ansi);
    }
    if (isTs(rt) || isIv(rt)) throw mismatch(name, lt, rt, pos);
    // Spark turns the rest into date_add/date_sub(date, x) (a string x cast to date first), which rejects x
    const days = rt.kind === 'string' ? castTo(r, T.date) : r;
    throw dayCountMismatch(op === '+' ? 'date_add' : 'date_sub', days, name, pos);
  }
  if (isTs(lt)) {
    if (isIv(rt))
      return call('timestamp_add_interval', [l, op === '-' ? negateInterval(r, ansi) : r], lt, ansi);
    if (op === '-' && (isTs(rt) || rt.kind === 'date' || rt.kind === 'string' || rt.kind === 'null')) {
      const w = isTs(rt) || rt.kind === 'date' ? (findWiderType(lt, rt) ?? lt) : lt;
      return call('timestamp_diff', [castTo(l, w), castTo(r, w)], T.intervalDayTime, ansi);
    }
    throw mismatch(name, lt, rt, pos);
  }
  if (isIv(lt) || isIv(rt)) {
    const w =
      lt.kind === rt.kind || lt.kind === 'null' || rt.kind === 'null' ? findWiderType(lt, rt) : undefined;
    if (w === undefined || !isIv(w)) throw mismatch(name, lt, rt, pos);
    return { kind: 'binary', op, left: castTo(l, w), right: castTo(r, w), type: w, failOnError: ansi };
  }
  return undefined;
}

/**
 * `+`/`-` with a calendar interval (Spark's CalendarIntervalType), as Spark 4 resolves it:
 * interval ± interval (or NULL) → interval, field by field; date ± interval → date (months, then
 * days; microseconds are an error under ANSI); timestamp or timestamp_ntz ± interval → the same
 * type; a string ± interval is read as a timestamp and the result turned back into a string;
 * `interval + datetime` is `datetime + interval`. Anything else is a type mismatch.
 */
function calendarArithmetic(op: '+' | '-', l: Expr, r: Expr, name: string, pos: number, ansi: boolean): Expr {
  const lt = exprType(l);
  const rt = exprType(r);
  const ci = T.calendarInterval;
  const isCi = (t: DataType): boolean => t.kind === 'calendar_interval' || t.kind === 'null';
  if (isCi(lt) && isCi(rt)) {
    const fn = op === '+' ? 'calendar_interval_add' : 'calendar_interval_subtract';
    return call(fn, [castTo(l, ci), castTo(r, ci)], ci, ansi);
  }
  if (op === '+' && lt.kind === 'calendar_interval' && rt.kind !== 'calendar_interval') {
    return calendarArithmetic(op, r, l, name, pos, ansi);
  }
  if (rt.kind !== 'calendar_interval') throw mismatch(name, lt, rt, pos);
  const signed = op === '-' ? call('calendar_interval_negate', [r], ci, ansi) : r;
  if (lt.kind === 'date') return call('date_add_calendar_interval', [l, signed], T.date, ansi);
  if (isTs(lt)) return call('timestamp_add_calendar_interval', [l, signed], lt, ansi);
  if (lt.kind === 'string') {
    const moved = call(
      'timestamp_add_calendar_interval',
      [castTo(l, T.timestamp), signed],
      T.timestamp,
      ansi,
    );
    return castTo(moved, T.string);
  }
  throw new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${name}" due to data type mismatch: the first parameter requires the ("TIMESTAMP" or "TIMESTAMP WITHOUT TIME ZONE") type, however it has the type ${sqlType(lt)}.`,
    { position: pos },
  );
}

/**
 * TIME arithmetic as Spark 4.1 resolves it: TIME ± INTERVAL DAY TO SECOND (either order for `+`)
 * → TIME with the finer of the two precisions (an interval ending in SECOND carries 6 digits);
 * TIME − TIME → INTERVAL HOUR TO SECOND; anything else with a TIME is a type mismatch.
 */
function timeArithmetic(op: '+' | '-', l: Expr, r: Expr, name: string, pos: number, ansi: boolean): Expr {
  const lt = exprType(l);
  const rt = exprType(r);
  if (lt.kind === 'time' && rt.kind === 'interval_day_time') {
    const signed = op === '-' ? negateInterval(r, ansi) : r;
    const end = dayTimeFields(rt)[1];
    const precision = Math.max(lt.precision, end === 'second' ? MAX_TIME_PRECISION : 0);
    return call('time_add_interval', [l, signed], { kind: 'time', precision }, ansi);
  }
  if (op === '+' && rt.kind === 'time' && lt.kind === 'interval_day_time') {
    return timeArithmetic(op, r, l, name, pos, ansi);
  }
  if (op === '-' && lt.kind === 'time' && rt.kind === 'time') {
    return call('time_subtract', [l, r], dayTimeIntervalType('hour', 'second'), ansi);
  }
  throw mismatch(name, lt, rt, pos);
}

/** Binds `l op r` for the arithmetic operators with Spark's result types. */
export function bindArithmetic(
  op: ArithmeticOp,
  l: Expr,
  r: Expr,
  name: string,
  pos: number,
  ansi: boolean,
): Expr {
  if (op === '+' || op === '-') {
    const dt = datetimeArithmetic(op, l, r, name, pos, ansi);
    if (dt !== undefined) return dt;
  }
  const lt0 = exprType(l);
  const rt0 = exprType(r);
  if ((op === '*' || op === '/') && (lt0.kind === 'calendar_interval' || rt0.kind === 'calendar_interval')) {
    // Spark's MultiplyInterval/DivideInterval: the number is read as a double
    const ivLeft = lt0.kind === 'calendar_interval';
    if (op === '/' && !ivLeft) throw mismatch(name, lt0, rt0, pos);
    const num = ivLeft ? r : l;
    const nt = exprType(num);
    if (!isNumeric(nt) && nt.kind !== 'string' && nt.kind !== 'null') throw mismatch(name, lt0, rt0, pos);
    const fn = op === '*' ? 'calendar_interval_multiply' : 'calendar_interval_divide';
    return call(fn, [ivLeft ? l : r, castTo(num, T.double)], T.calendarInterval, ansi, true);
  }
  if ((op === '*' || op === '/') && (lt0.kind.startsWith('interval') || rt0.kind.startsWith('interval'))) {
    const iv = lt0.kind.startsWith('interval') ? l : r;
    const num = iv === l ? r : l;
    if (!isNumeric(exprType(num))) throw mismatch(name, lt0, rt0, pos);
    // Spark's Multiply/DivideYMInterval and Multiply/DivideDTInterval return the full-range types
    const type = exprType(iv).kind === 'interval_year_month' ? T.intervalYearMonth : T.intervalDayTime;
    return call(op === '*' ? 'interval_multiply' : 'interval_divide', [iv, num], type, ansi);
  }
  const [lt, rt] = promoteForArithmetic(lt0, rt0);
  if (!isNumeric(lt) || !isNumeric(rt)) throw mismatch(name, lt0, rt0, pos);
  l = castTo(l, lt);
  r = castTo(r, rt);
  const bin = (left: Expr, right: Expr, type: DataType): Expr => ({
    kind: 'binary',
    op,
    left,
    right,
    type,
    failOnError: ansi,
  });
  const bothExact = isDecimalish(lt) && isDecimalish(rt);
  if (op === 'div') {
    if (isIntegral(lt) && isIntegral(rt)) return bin(castTo(l, T.bigint), castTo(r, T.bigint), T.bigint);
    if (bothExact) {
      const ld = decimalOperand(l)!;
      const rd = decimalOperand(r)!;
      return bin(
        castTo(l, T.decimal(ld.precision, ld.scale)),
        castTo(r, T.decimal(rd.precision, rd.scale)),
        T.bigint,
      );
    }
    throw mismatch(name, lt0, rt0, pos);
  }
  if (bothExact && (lt.kind === 'decimal' || rt.kind === 'decimal' || op === '/')) {
    if (op === '/' && lt.kind !== 'decimal' && rt.kind !== 'decimal') {
      return bin(castTo(l, T.double), castTo(r, T.double), T.double);
    }
    const ld = decimalOperand(l)!;
    const rd = decimalOperand(r)!;
    const type = decimalArithmeticType(op, ld, rd);
    return bin(
      castTo(l, T.decimal(ld.precision, ld.scale)),
      castTo(r, T.decimal(rd.precision, rd.scale)),
      type,
    );
  }
  if (op === '/') return bin(castTo(l, T.double), castTo(r, T.double), T.double);
  const wide = findWiderType(lt, rt);
  if (wide === undefined) throw mismatch(name, lt0, rt0, pos);
  return bin(castTo(l, wide), castTo(r, wide), wide);
}

/** Casts both sides of a comparison to their common type. */
export function coerceComparison(l: Expr, r: Expr, name: string, pos: number): [Expr, Expr] {
  const lt = exprType(l);
  const rt = exprType(r);
  // TIME(n) and TIME(m) hold the same microseconds: they compare as they are, with no cast to
  // hide a column from filter pushdown.
  if (lt.kind === 'time' && rt.kind === 'time') return [l, r];
  const w = stringNumberType(lt, rt) ?? findWiderType(lt, rt);
  if (w === undefined) throw mismatch(name, lt, rt, pos);
  return [castTo(l, w), castTo(r, w)];
}

export function bindComparison(
  op: ComparisonOp,
  l: Expr,
  r: Expr,
  name: string,
  pos: number,
  ansi: boolean,
): Expr {
  const [left, right] = coerceComparison(l, r, name, pos);
  checkOrderable(exprType(left), name, op, pos);
  return { kind: 'binary', op, left, right, type: T.boolean, failOnError: ansi };
}

/** A condition: boolean as is, NULL or string cast to boolean, anything else a 42K09 error. */
export function toBoolean(e: Expr, what: string, pos: number): Expr {
  const t = exprType(e);
  if (t.kind === 'boolean') return e;
  if (t.kind === 'null' || t.kind === 'string') return castTo(e, T.boolean);
  throw new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] ${what} requires the "BOOLEAN" type, however it has the type ${sqlType(t)}.`,
    { position: pos },
  );
}

/** The common type of several expressions (CASE branches, IN lists, VALUES columns), or a 42K09 error. */
export function commonType(exprs: readonly Expr[], what: string, pos: number): DataType {
  const types = exprs.map(exprType);
  const w = findWiderTypeOfAll(types);
  if (w === undefined) {
    throw new EngineError(
      SqlState.datatypeMismatch,
      `[DATATYPE_MISMATCH.DATA_DIFF_TYPES] Cannot resolve "${what}" due to data type mismatch: Input to \`${what}\` should all be the same type, but it's [${types.map(sqlType).join(', ')}].`,
      { position: pos },
    );
  }
  return w;
}
