/**
 * Interval arithmetic with a number, as Spark's MultiplyYMInterval/MultiplyDTInterval and
 * DivideYMInterval/DivideDTInterval: `interval_multiply(iv, n)` and `interval_divide(iv, n)` (the
 * analyzer binds `iv * n`, `n * iv` and `iv / n` to them). A year-month interval is an int of
 * months, a day-time interval a bigint of microseconds; the result has the interval's type.
 *
 * - integral and decimal numbers are exact, rounded HALF_UP (half away from zero);
 * - float/double numbers are computed in double and rounded HALF_UP;
 * - overflow of the interval's range raises 22003 and division by zero 22012, with or without
 *   ANSI mode (Spark checks intervals unconditionally).
 */
import {
  EngineError,
  SqlState,
  T,
  fromArrowType,
  typeToString,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, ScalarFunctionDef } from '../registry.ts';
import { INT64_MAX, INT64_MIN, overflowError } from '../kernels/common.ts';
import { checkArity, evaluateRows, isNumericType, typeMismatch } from './define.ts';

const INT32_MIN = -2147483648n;
const INT32_MAX = 2147483647n;

function intervalDividedByZero(): EngineError {
  return new EngineError(SqlState.divisionByZero, '[INTERVAL_DIVIDED_BY_ZERO] Division by zero.', {
    hint: 'Use `try_divide` to tolerate divisor being 0 and return NULL instead.',
  });
}

/** `p / q` rounded half away from zero (Java's RoundingMode.HALF_UP); `q` is not 0. */
export function divideHalfUp(p: bigint, q: bigint): bigint {
  const t = p / q;
  const r = p % q;
  if (r === 0n) return t;
  const twice = (r < 0n ? -r : r) * 2n;
  const absQ = q < 0n ? -q : q;
  if (twice < absQ) return t;
  return p < 0n !== q < 0n ? t - 1n : t + 1n;
}

/** A double rounded half away from zero to an integer, or undefined when not finite. */
function roundHalfUp(x: number): bigint | undefined {
  if (!Number.isFinite(x)) return undefined;
  return BigInt(x < 0 ? -Math.round(-x) : Math.round(x));
}

/** A number as an exact fraction `num / den` (integral and decimal types), else undefined. */
function exactFraction(v: Value, t: DataType): [bigint, bigint] | undefined {
  switch (t.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return [BigInt(v as number | bigint), 1n];
    case 'decimal':
      return [v as bigint, 10n ** BigInt(t.scale)];
    default:
      return undefined;
  }
}

function typeOfArg(a: ColumnarValue): DataType {
  return a.kind === 'scalar' ? a.type : fromArrowType(a.data.type);
}

/** `iv * n` or `iv / n` for one row; `ym` selects the year-month (int) range. */
function intervalOp(op: 'multiply' | 'divide', iv: bigint, n: Value, nType: DataType, ym: boolean): bigint {
  const exact = exactFraction(n, nType);
  let r: bigint | undefined;
  if (exact !== undefined) {
    const [num, den] = exact;
    if (op === 'divide') {
      if (num === 0n) throw intervalDividedByZero();
      r = divideHalfUp(iv * den, num);
    } else r = divideHalfUp(iv * num, den);
  } else {
    const f = n as number;
    if (op === 'divide' && f === 0) throw intervalDividedByZero();
    r = roundHalfUp(op === 'divide' ? Number(iv) / f : Number(iv) * f);
  }
  const [lo, hi] = ym ? [INT32_MIN, INT32_MAX] : [INT64_MIN, INT64_MAX];
  if (r === undefined || r < lo || r > hi) {
    throw overflowError(ym ? 'integer' : 'long', op === 'divide' ? 'try_divide' : 'try_multiply');
  }
  return r;
}

function intervalNumberDef(name: string, op: 'multiply' | 'divide'): ScalarFunctionDef {
  const sign = op === 'multiply' ? '*' : '/';
  return {
    kind: 'scalar',
    name,
    description: `${name}(interval, n) - interval ${sign} n, rounded half up to the interval's unit.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 2, 2);
      const iv = argTypes[0]!;
      if (iv.kind !== 'interval_year_month' && iv.kind !== 'interval_day_time')
        throw typeMismatch(name, 0, '"INTERVAL"', iv);
      const n = argTypes[1]!;
      if (!isNumericType(n) || n.kind === 'null') throw typeMismatch(name, 1, '"NUMERIC"', n);
      // Spark's Multiply/DivideYMInterval and Multiply/DivideDTInterval return the full-range types
      return {
        argTypes: [iv, n],
        returnType: iv.kind === 'interval_year_month' ? T.intervalYearMonth : T.intervalDayTime,
      };
    },
    evaluate(args, numRows, returnType, ctx) {
      const nType = typeOfArg(args[1]!);
      const ym = returnType.kind === 'interval_year_month';
      if (nType.kind === 'null') return { kind: 'scalar', value: null, type: returnType };
      if (!isNumericType(nType)) {
        throw new EngineError(SqlState.internalError, `internal error: ${name} on ${typeToString(nType)}`);
      }
      return evaluateRows(
        args,
        [returnType, nType],
        numRows,
        returnType,
        ctx,
        (v) => {
          const iv = BigInt(v[0] as number | bigint);
          const r = intervalOp(op, iv, v[1]!, nType, ym);
          return ym ? Number(r) : r;
        },
        true,
      );
    },
  };
}

export const intervalFunctions: readonly ScalarFunctionDef[] = [
  intervalNumberDef('interval_multiply', 'multiply'),
  intervalNumberDef('interval_divide', 'divide'),
];
