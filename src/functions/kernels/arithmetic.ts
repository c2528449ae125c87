/**
 * Vectorized arithmetic for non-decimal numeric types: `+ - * / % div` and negation. What happens on
 * overflow is the caller's `OverflowMode`:
 *
 * - `'error'` (ANSI mode): overflow raises 22003, division by zero 22012.
 * - `'null'` (the try_* functions): overflow and division by zero give NULL.
 * - `'wrap'` (ANSI off, Spark's legacy mode): integral overflow wraps around in two's complement
 *   (`2147483647 + 1` is `-2147483648`), division by zero gives NULL. Decimals still give NULL on
 *   overflow and intervals still raise, as Spark does without ANSI mode.
 *
 * One monomorphic loop per type family; a scalar operand is read with stride 0.
 *
 * - tinyint/smallint/int (and interval year-month): computed in float64, range-checked.
 * - bigint (and interval day-time): BigInt, range-checked against 64 bits.
 * - float/double: IEEE; only division by zero is checked (as Spark's Divide/Remainder do).
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, makeColumn, type DataType } from '../../common/index.ts';
import type { ColumnarValue } from '../registry.ts';
import {
  INT64_MAX,
  INT64_MIN,
  allocNumber,
  andValidity,
  bigintValues,
  divideByZeroError,
  intRange,
  numericValues,
  overflowError,
  strideOf,
  validityOf,
} from './common.ts';
import { decimalArithmetic, decimalNegate } from './decimal-arithmetic.ts';

export type ArithOp = '+' | '-' | '*' | '/' | '%' | 'div';

/** What integral overflow does: raise 22003 (ANSI), give NULL (try_*), or wrap around (ANSI off). */
export type OverflowMode = 'error' | 'null' | 'wrap';

/** Wrapping is for plain integers only; decimals give NULL and intervals/datetimes raise instead. */
function effectiveMode(mode: OverflowMode, t: DataType): OverflowMode {
  if (mode !== 'wrap') return mode;
  switch (t.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return 'wrap';
    case 'decimal':
    case 'float':
    case 'double':
      return 'null';
    default:
      return 'error';
  }
}

/** `r` (exact in float64 except int `*`) wrapped into the operand's two's complement range. */
function wrapSmall(r: number, x: number, y: number, op: ArithOp, t: DataType): number {
  switch (t.kind) {
    case 'tinyint':
      return (r << 24) >> 24;
    case 'smallint':
      return (r << 16) >> 16;
    default:
      return op === '*' ? Math.imul(x, y) : r | 0;
  }
}

const TRY_NAME: Record<ArithOp, string> = {
  '+': 'try_add',
  '-': 'try_subtract',
  '*': 'try_multiply',
  '/': 'try_divide',
  '%': 'try_mod',
  div: 'try_divide',
};

function wrap(
  data: arrow.Data,
  allScalar: boolean,
  type: DataType,
  valueOf: () => ColumnarValue,
): ColumnarValue {
  void data;
  void type;
  return allScalar ? valueOf() : { kind: 'array', data };
}

/**
 * `left op right`. Operands have `leftType`/`rightType` (equal except for decimals); `resultType`
 * is the expression's type.
 */
export function arithmetic(
  op: ArithOp,
  left: ColumnarValue,
  right: ColumnarValue,
  leftType: DataType,
  rightType: DataType,
  resultType: DataType,
  numRows: number,
  overflow: OverflowMode,
): ColumnarValue {
  const mode = effectiveMode(overflow, leftType.kind === 'decimal' ? leftType : rightType);
  if (leftType.kind === 'decimal' || rightType.kind === 'decimal') {
    return decimalArithmetic(op, left, right, leftType, rightType, resultType, numRows, mode === 'error');
  }
  const allScalar = left.kind === 'scalar' && right.kind === 'scalar';
  const n = allScalar ? 1 : numRows;
  const sl = strideOf(left);
  const sr = strideOf(right);
  let valid = andValidity(validityOf(left), sl, validityOf(right), sr, n);
  let data: arrow.Data;
  switch (leftType.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'interval_year_month':
    case 'date': {
      const r = smallIntArith(
        op,
        numericValues(left, leftType),
        sl,
        numericValues(right, rightType),
        sr,
        leftType,
        resultType,
        n,
        valid,
        mode,
      );
      valid = r.valid;
      data = makeColumn(resultType, r.out, n, valid);
      break;
    }
    case 'bigint':
    case 'interval_day_time':
    case 'timestamp':
    case 'timestamp_ntz': {
      const r = bigArith(op, bigintValues(left), sl, bigintValues(right), sr, n, valid, mode);
      valid = r.valid;
      data = makeColumn(resultType, r.out, n, valid);
      break;
    }
    case 'float':
    case 'double': {
      const r = floatArith(
        op,
        numericValues(left, leftType),
        sl,
        numericValues(right, rightType),
        sr,
        resultType,
        n,
        valid,
        mode === 'error',
      );
      valid = r.valid;
      data = makeColumn(resultType, r.out, n, valid);
      break;
    }
    default:
      throw new EngineError(SqlState.internalError, `internal error: arithmetic on ${leftType.kind}`);
  }
  return wrap(data, allScalar, resultType, () => scalarOf(data, resultType));
}

function scalarOf(data: arrow.Data, type: DataType): ColumnarValue {
  // one-row column → scalar value
  const nulls = data.nullCount > 0;
  if (nulls) return { kind: 'scalar', value: null, type };
  const v = (data.values as ArrayLike<number | bigint>)[data.offset]!;
  if (type.kind === 'decimal') return { kind: 'scalar', value: v as bigint, type };
  return { kind: 'scalar', value: v, type };
}

function setNull(valid: Uint8Array | null, n: number, i: number): Uint8Array {
  const v = valid ?? new Uint8Array(n).fill(1);
  v[i] = 0;
  return v;
}

function smallIntArith(
  op: ArithOp,
  a: ArrayLike<number>,
  sa: number,
  b: ArrayLike<number>,
  sb: number,
  operandType: DataType,
  resultType: DataType,
  n: number,
  validIn: Uint8Array | null,
  mode: OverflowMode,
): {
  out: Int8Array | Int16Array | Int32Array | Float32Array | Float64Array | BigInt64Array;
  valid: Uint8Array | null;
} {
  let valid = validIn;
  const failOnError = mode === 'error';
  const [lo, hi] = intRange(operandType);
  const typeName =
    operandType.kind === 'tinyint' ? 'tinyint' : operandType.kind === 'smallint' ? 'smallint' : 'integer';
  if (op === 'div') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const y = b[i * sb]!;
      if (y === 0) {
        if (failOnError) throw divideByZeroError();
        valid = setNull(valid, n, i);
        continue;
      }
      out[i] = BigInt(Math.trunc(a[i * sa]! / y));
    }
    return { out, valid };
  }
  const out = allocNumber(resultType, n);
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const x = a[i * sa]!;
    const y = b[i * sb]!;
    let r: number;
    switch (op) {
      case '+':
        r = x + y;
        break;
      case '-':
        r = x - y;
        break;
      case '*':
        r = x * y;
        break;
      case '/':
      case '%':
        if (y === 0) {
          if (failOnError) throw divideByZeroError();
          valid = setNull(valid, n, i);
          continue;
        }
        r = op === '%' ? x % y : x / y;
        if (op === '/' && resultType.kind !== 'double') r = Math.trunc(r);
        break;
    }
    if (resultType.kind !== 'double' && (r < lo || r > hi)) {
      if (failOnError) throw overflowError(typeName, TRY_NAME[op]);
      if (mode === 'wrap') {
        out[i] = wrapSmall(r, x, y, op, operandType);
        continue;
      }
      valid = setNull(valid, n, i);
      continue;
    }
    out[i] = r;
  }
  return { out, valid };
}

function bigArith(
  op: ArithOp,
  a: BigInt64Array,
  sa: number,
  b: BigInt64Array,
  sb: number,
  n: number,
  validIn: Uint8Array | null,
  mode: OverflowMode,
): { out: BigInt64Array; valid: Uint8Array | null } {
  let valid = validIn;
  const failOnError = mode === 'error';
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const x = a[i * sa]!;
    const y = b[i * sb]!;
    let r: bigint;
    switch (op) {
      case '+':
        r = x + y;
        break;
      case '-':
        r = x - y;
        break;
      case '*':
        r = x * y;
        break;
      case '/':
      case '%':
      case 'div':
        if (y === 0n) {
          if (failOnError) throw divideByZeroError();
          valid = setNull(valid, n, i);
          continue;
        }
        r = op === '%' ? x % y : x / y;
        break;
    }
    if (r > INT64_MAX || r < INT64_MIN) {
      if (failOnError) throw overflowError('long', TRY_NAME[op]);
      if (mode === 'wrap') {
        out[i] = BigInt.asIntN(64, r);
        continue;
      }
      valid = setNull(valid, n, i);
      continue;
    }
    out[i] = r;
  }
  return { out, valid };
}

function floatArith(
  op: ArithOp,
  a: ArrayLike<number>,
  sa: number,
  b: ArrayLike<number>,
  sb: number,
  resultType: DataType,
  n: number,
  validIn: Uint8Array | null,
  failOnError: boolean,
): { out: Float32Array | Float64Array | BigInt64Array; valid: Uint8Array | null } {
  let valid = validIn;
  if (op === 'div') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      if (valid !== null && valid[i] === 0) continue;
      const y = b[i * sb]!;
      if (y === 0) {
        if (failOnError) throw divideByZeroError();
        valid = setNull(valid, n, i);
        continue;
      }
      const q = Math.trunc(a[i * sa]! / y);
      if (!Number.isFinite(q)) {
        valid = setNull(valid, n, i);
        continue;
      }
      out[i] = BigInt(q);
    }
    return { out, valid };
  }
  const out = resultType.kind === 'float' ? new Float32Array(n) : new Float64Array(n);
  switch (op) {
    case '+':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! + b[i * sb]!;
      break;
    case '-':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! - b[i * sb]!;
      break;
    case '*':
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! * b[i * sb]!;
      break;
    case '/':
    case '%':
      for (let i = 0; i < n; i++) {
        if (valid !== null && valid[i] === 0) continue;
        const y = b[i * sb]!;
        if (y === 0) {
          if (failOnError) throw divideByZeroError();
          valid = setNull(valid, n, i);
          continue;
        }
        out[i] = op === '/' ? a[i * sa]! / y : a[i * sa]! % y;
      }
      break;
  }
  return { out, valid };
}

/**
 * Unary minus: `-(-2147483648)` overflows an int (22003 in `'error'` mode, itself in `'wrap'` mode,
 * NULL in `'null'` mode).
 */
export function negate(
  input: ColumnarValue,
  type: DataType,
  numRows: number,
  overflow: OverflowMode,
): ColumnarValue {
  if (type.kind === 'decimal') return decimalNegate(input, type, numRows);
  const zero: ColumnarValue =
    type.kind === 'bigint' ||
    type.kind === 'interval_day_time' ||
    type.kind === 'timestamp' ||
    type.kind === 'timestamp_ntz'
      ? { kind: 'scalar', value: 0n, type }
      : { kind: 'scalar', value: 0, type };
  if (type.kind === 'float' || type.kind === 'double') {
    if (input.kind === 'scalar')
      return { kind: 'scalar', value: input.value === null ? null : -(input.value as number), type };
    const a = numericValues(input, type);
    const out = allocNumber(type, numRows);
    for (let i = 0; i < numRows; i++) out[i] = -a[i]!;
    return { kind: 'array', data: makeColumn(type, out, numRows, validityOf(input)) };
  }
  try {
    return arithmetic('-', zero, input, type, type, type, numRows, overflow);
  } catch (e) {
    if (e instanceof EngineError && e.sqlstate === SqlState.numericValueOutOfRange) {
      throw overflowError(
        type.kind === 'bigint' ? 'long' : type.kind === 'int' ? 'integer' : type.kind,
        'try_subtract',
      );
    }
    throw e;
  }
}
