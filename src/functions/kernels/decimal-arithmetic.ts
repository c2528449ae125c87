/**
 * Exact decimal arithmetic with Spark's result types. Operands are rescaled to a common scale and
 * combined exactly; where the result scale is smaller (multiplication and division with precision
 * loss) the value is rounded HALF_UP; a result beyond the result precision is 22003 in ANSI mode
 * and NULL otherwise.
 *
 * Fast path (all precisions ≤ 18): the two 32-bit words of each Decimal64 value are read as a
 * float64 integer, which is exact while magnitudes stay below 2^53; every intermediate is checked
 * against 2^53 and a row that leaves that range is redone with BigInt. Decimal128 uses BigInt.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, MAX_DECIMAL64_PRECISION, SqlState, makeColumn, type DataType } from '../../common/index.ts';
import type { ColumnarValue } from '../registry.ts';
import { INT64_MAX, INT64_MIN, andValidity, decimalOverflowError, divideByZeroError, overflowError, strideOf, validityOf } from './common.ts';
import { DecimalColumnWriter, decimalGetter, decimalToString, divHalfUp, fitsPrecision, pow10, POW10_NUM } from './decimal.ts';

type Op = '+' | '-' | '*' | '/' | '%' | 'div';

const SAFE = 9007199254740991;
const TWO32 = 4294967296;

interface Words {
  lo: Uint32Array;
  hi: Int32Array;
}

/** Decimal64 words of a column or scalar, indexed 2*row (low) and 2*row+1 (high). */
function words64(v: ColumnarValue): Words {
  if (v.kind === 'scalar') {
    const b = new BigInt64Array(1);
    b[0] = (v.value ?? 0n) as bigint;
    return { lo: new Uint32Array(b.buffer), hi: new Int32Array(b.buffer) };
  }
  const w = v.data.values as Uint32Array;
  const start = w.byteOffset + v.data.offset * 8;
  return { lo: new Uint32Array(w.buffer, start, v.data.length * 2), hi: new Int32Array(w.buffer, start, v.data.length * 2) };
}

function decParts(t: DataType): { p: number; s: number } {
  if (t.kind === 'decimal') return { p: t.precision, s: t.scale };
  if (t.kind === 'bigint') return { p: 20, s: 0 };
  return { p: 10, s: 0 };
}

/** The exact result of one operation at the result scale; 'zero' on division by zero. */
export function decimalOpExact(op: Op, a: bigint, s1: number, b: bigint, s2: number, s: number): bigint | 'zero' {
  switch (op) {
    case '+':
    case '-': {
      const S = Math.max(s1, s2);
      const x = a * pow10(S - s1);
      const y = b * pow10(S - s2);
      const r = op === '+' ? x + y : x - y;
      return S > s ? divHalfUp(r, pow10(S - s)) : r * pow10(s - S);
    }
    case '*': {
      const r = a * b;
      const k = s1 + s2 - s;
      return k > 0 ? divHalfUp(r, pow10(k)) : r * pow10(-k);
    }
    case '/': {
      if (b === 0n) return 'zero';
      const k = s - s1 + s2;
      return k >= 0 ? divHalfUp(a * pow10(k), b) : divHalfUp(a, b * pow10(-k));
    }
    case '%': {
      if (b === 0n) return 'zero';
      const S = Math.max(s1, s2);
      const r = (a * pow10(S - s1)) % (b * pow10(S - s2));
      return S > s ? divHalfUp(r, pow10(S - s)) : r * pow10(s - S);
    }
    case 'div': {
      if (b === 0n) return 'zero';
      const S = Math.max(s1, s2);
      return (a * pow10(S - s1)) / (b * pow10(S - s2));
    }
  }
}

export function decimalArithmetic(
  op: Op,
  left: ColumnarValue,
  right: ColumnarValue,
  leftType: DataType,
  rightType: DataType,
  resultType: DataType,
  numRows: number,
  failOnError: boolean,
): ColumnarValue {
  const allScalar = left.kind === 'scalar' && right.kind === 'scalar';
  const n = allScalar ? 1 : numRows;
  const sa = strideOf(left);
  const sb = strideOf(right);
  let valid = andValidity(validityOf(left), sa, validityOf(right), sb, n);
  const { p: p1, s: s1 } = decParts(leftType);
  const { p: p2, s: s2 } = decParts(rightType);
  const intResult = resultType.kind !== 'decimal';
  const p = resultType.kind === 'decimal' ? resultType.precision : 19;
  const s = resultType.kind === 'decimal' ? resultType.scale : 0;
  const getA = decimalGetter(left, leftType);
  const getB = decimalGetter(right, rightType);
  const markNull = (i: number): void => {
    if (valid === null) valid = new Uint8Array(n).fill(1);
    valid[i] = 0;
  };
  const slow = (i: number): bigint | null => {
    const r = decimalOpExact(op, getA(i * sa), s1, getB(i * sb), s2, s);
    if (r === 'zero') {
      if (failOnError) throw divideByZeroError();
      return null;
    }
    if (intResult ? r > INT64_MAX || r < INT64_MIN : !fitsPrecision(r, p)) {
      if (failOnError) {
        if (intResult) throw overflowError('long', 'try_divide');
        throw decimalOverflowError(decimalToString(r, s), p, s);
      }
      return null;
    }
    return r;
  };

  let data: arrow.Data;
  if (!intResult && p <= MAX_DECIMAL64_PRECISION && p1 <= MAX_DECIMAL64_PRECISION && p2 <= MAX_DECIMAL64_PRECISION && op !== 'div') {
    const A = words64(left);
    const B = words64(right);
    const out = new BigInt64Array(n);
    const outLo = new Uint32Array(out.buffer);
    const outHi = new Int32Array(out.buffer);
    const limit = p <= 15 ? POW10_NUM[p]! - 1 : Infinity;
    const S = Math.max(s1, s2);
    const ma = POW10_NUM[S - s1] ?? Infinity;
    const mb = POW10_NUM[S - s2] ?? Infinity;
    const kMul = s1 + s2 - s;
    const dMul = POW10_NUM[kMul] ?? Infinity;
    const kDiv = s - s1 + s2;
    const mDiv = kDiv >= 0 ? (POW10_NUM[kDiv] ?? Infinity) : Infinity;
    const fastAdd = S === s;
    const v0 = valid as Uint8Array | null;
    for (let i = 0; i < n; i++) {
      if (v0 !== null && v0[i] === 0) continue;
      const ia = 2 * i * sa;
      const ib = 2 * i * sb;
      const ha = A.hi[ia + 1]!;
      const hb = B.hi[ib + 1]!;
      let r = NaN;
      if (ha >= -2097152 && ha < 2097152 && hb >= -2097152 && hb < 2097152) {
        const x = ha * TWO32 + A.lo[ia]!;
        const y = hb * TWO32 + B.lo[ib]!;
        switch (op) {
          case '+':
          case '-': {
            if (!fastAdd) break;
            const xx = x * ma;
            const yy = y * mb;
            if (xx > SAFE || xx < -SAFE || yy > SAFE || yy < -SAFE) break;
            r = op === '+' ? xx + yy : xx - yy;
            break;
          }
          case '*': {
            const prod = x * y;
            if (prod > SAFE || prod < -SAFE) break;
            if (kMul === 0) r = prod;
            else if (kMul > 0 && kMul < 16) {
              let q = Math.trunc(prod / dMul);
              let rem = prod - q * dMul;
              if (rem >= dMul || rem <= -dMul) break;
              if ((rem > 0 && prod < 0) || (rem < 0 && prod > 0)) break;
              if (rem < 0) rem = -rem;
              if (2 * rem >= dMul) q += prod < 0 ? -1 : 1;
              r = q;
            }
            break;
          }
          case '/': {
            if (y === 0) {
              if (failOnError) throw divideByZeroError();
              markNull(i);
              continue;
            }
            const num = x * mDiv;
            if (!(num <= SAFE && num >= -SAFE)) break;
            let q = Math.trunc(num / y);
            const rem = num - q * y;
            const ar = rem < 0 ? -rem : rem;
            const ay = y < 0 ? -y : y;
            if (ar >= ay || (rem !== 0 && (rem < 0) !== (num < 0))) break;
            if (2 * ar >= ay) q += (num < 0) !== (y < 0) ? -1 : 1;
            r = q;
            break;
          }
          case '%': {
            if (y === 0) {
              if (failOnError) throw divideByZeroError();
              markNull(i);
              continue;
            }
            if (!fastAdd) break;
            const xx = x * ma;
            const yy = y * mb;
            if (xx > SAFE || xx < -SAFE || yy > SAFE || yy < -SAFE) break;
            r = xx % yy;
            break;
          }
        }
      }
      if (r === r && r <= SAFE && r >= -SAFE) {
        if (r > limit || r < -limit) {
          const big = slow(i);
          if (big === null) markNull(i);
          continue;
        }
        const hi = Math.floor(r / TWO32);
        outLo[2 * i] = r - hi * TWO32;
        outHi[2 * i + 1] = hi;
      } else {
        const big = slow(i);
        if (big === null) markNull(i);
        else out[i] = big;
      }
    }
    data = makeColumn(resultType, out, n, valid);
  } else if (intResult) {
    const out = new BigInt64Array(n);
    const v0 = valid as Uint8Array | null;
    for (let i = 0; i < n; i++) {
      if (v0 !== null && v0[i] === 0) continue;
      const r = slow(i);
      if (r === null) markNull(i);
      else out[i] = r;
    }
    data = makeColumn(resultType, out, n, valid);
  } else {
    const w = new DecimalColumnWriter(resultType, n);
    const v0 = valid as Uint8Array | null;
    for (let i = 0; i < n; i++) {
      if (v0 !== null && v0[i] === 0) continue;
      const r = slow(i);
      if (r === null) markNull(i);
      else w.set(i, r);
    }
    data = w.finish(valid);
  }
  if (!allScalar) return { kind: 'array', data };
  if (data.nullCount > 0) return { kind: 'scalar', value: null, type: resultType };
  const g = intResult ? (data.values as BigInt64Array)[0]! : decimalGetter({ kind: 'array', data }, resultType)(0);
  return { kind: 'scalar', value: g, type: resultType };
}

export function decimalNegate(input: ColumnarValue, type: DataType, numRows: number): ColumnarValue {
  if (input.kind === 'scalar') return { kind: 'scalar', value: input.value === null ? null : -(input.value as bigint), type };
  const get = decimalGetter(input, type);
  const w = new DecimalColumnWriter(type, numRows);
  for (let i = 0; i < numRows; i++) w.set(i, -get(i));
  return { kind: 'array', data: w.finish(validityOf(input)) };
}

export function assertDecimal(t: DataType): void {
  if (t.kind !== 'decimal') throw new EngineError(SqlState.internalError, `internal error: expected decimal, got ${t.kind}`);
}
