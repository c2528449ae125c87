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
import {
  EngineError,
  MAX_DECIMAL64_PRECISION,
  SqlState,
  makeColumn,
  writeDecimal128,
  type DataType,
} from '../../common/index.ts';
import type { ColumnarValue } from '../registry.ts';
import {
  INT64_MAX,
  INT64_MIN,
  andValidity,
  decimalOverflowError,
  divideByZeroError,
  overflowError,
  strideOf,
  validityOf,
} from './common.ts';
import {
  DecimalColumnWriter,
  decimalGetter,
  decimalToString,
  divHalfUp,
  fitsPrecision,
  pow10,
  POW10_NUM,
} from './decimal.ts';

type Op = '+' | '-' | '*' | '/' | '%' | 'div';

const SAFE = 9007199254740991;
const TWO32 = 4294967296;

let pendingRows = new Int32Array(1024);

/**
 * Room for the rows the fast paths leave to BigInt (at most all `n`): reused from call to call (a
 * call never runs inside another), not a fresh 64 KiB a batch and operation.
 */
function pendingScratch(n: number): Int32Array {
  if (pendingRows.length < n) pendingRows = new Int32Array(Math.max(n, 2 * pendingRows.length));
  return pendingRows;
}

interface Words {
  lo: Uint32Array;
  hi: Int32Array;
  k: number;
}

/**
 * 32-bit words of a decimal column or scalar: `k` words per row (2 for Decimal64, 4 for
 * Decimal128), low word first; `lo` reads words unsigned, `hi` signed.
 */
function wordsOf(v: ColumnarValue, wide: boolean): Words {
  const k = wide ? 4 : 2;
  if (v.kind === 'scalar') {
    const b = new BigInt64Array(k / 2);
    const x = (v.value ?? 0n) as bigint;
    b[0] = BigInt.asIntN(64, x);
    if (wide) b[1] = BigInt.asIntN(64, x >> 64n);
    return { lo: new Uint32Array(b.buffer), hi: new Int32Array(b.buffer), k };
  }
  const w = v.data.values as Uint32Array;
  const start = w.byteOffset + v.data.offset * 4 * k;
  return {
    lo: new Uint32Array(w.buffer, start, v.data.length * k),
    hi: new Int32Array(w.buffer, start, v.data.length * k),
    k,
  };
}

function decParts(t: DataType): { p: number; s: number } {
  if (t.kind === 'decimal') return { p: t.precision, s: t.scale };
  if (t.kind === 'bigint') return { p: 20, s: 0 };
  return { p: 10, s: 0 };
}

/** The exact result of one operation at the result scale; 'zero' on division by zero. */
export function decimalOpExact(
  op: Op,
  a: bigint,
  s1: number,
  b: bigint,
  s2: number,
  s: number,
): bigint | 'zero' {
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
  if (!intResult && op !== 'div') {
    const A = wordsOf(left, p1 > MAX_DECIMAL64_PRECISION);
    const B = wordsOf(right, p2 > MAX_DECIMAL64_PRECISION);
    const wideOut = p > MAX_DECIMAL64_PRECISION;
    const ko = wideOut ? 4 : 2;
    const out = new BigInt64Array((n * ko) / 2);
    const S = Math.max(s1, s2);
    const params: FastParams = {
      aLo: A.lo,
      aHi: A.hi,
      ka: A.k * sa,
      wa: A.k === 4,
      bLo: B.lo,
      bHi: B.hi,
      kb: B.k * sb,
      wb: B.k === 4,
      n,
      valid: valid,
      outLo: new Uint32Array(out.buffer),
      outHi: new Int32Array(out.buffer),
      ko,
      limit: p <= 15 ? POW10_NUM[p]! - 1 : Infinity,
      ma: POW10_NUM[S - s1] ?? Infinity,
      mb: POW10_NUM[S - s2] ?? Infinity,
      k: op === '*' ? s1 + s2 - s : s - s1 + s2,
      pending: pendingScratch(n),
    };
    let pendingCount: number;
    switch (op) {
      case '+':
      case '-':
        pendingCount = S === s ? fastAddSub(params, op === '-' ? -1 : 1) : markAll(params);
        break;
      case '*':
        pendingCount =
          params.k >= 0 && params.k < 16 ? fastMul(params, POW10_NUM[params.k]!) : markAll(params);
        break;
      case '/':
        pendingCount =
          params.k >= 0 && params.k < 16 ? fastDiv(params, POW10_NUM[params.k]!) : markAll(params);
        break;
      case '%':
        pendingCount = S === s ? fastMod(params) : markAll(params);
        break;
    }
    const pending = params.pending;
    for (let j = 0; j < pendingCount; j++) {
      const i = pending[j]!;
      const big = slow(i);
      if (big === null) markNull(i);
      else if (wideOut) writeDecimal128(out, i, big);
      else out[i] = big;
    }
    data = makeColumn(resultType, out, n, valid);
  } else if (intResult) {
    const out = new BigInt64Array(n);
    const v0 = valid;
    for (let i = 0; i < n; i++) {
      if (v0 !== null && v0[i] === 0) continue;
      const r = slow(i);
      if (r === null) markNull(i);
      else out[i] = r;
    }
    data = makeColumn(resultType, out, n, valid);
  } else {
    const w = new DecimalColumnWriter(resultType, n);
    const v0 = valid;
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
  const g = intResult
    ? (data.values as BigInt64Array)[0]!
    : decimalGetter({ kind: 'array', data }, resultType)(0);
  return { kind: 'scalar', value: g, type: resultType };
}

export function decimalNegate(input: ColumnarValue, type: DataType, numRows: number): ColumnarValue {
  if (input.kind === 'scalar')
    return { kind: 'scalar', value: input.value === null ? null : -(input.value as bigint), type };
  const get = decimalGetter(input, type);
  const w = new DecimalColumnWriter(type, numRows);
  for (let i = 0; i < numRows; i++) w.set(i, -get(i));
  return { kind: 'array', data: w.finish(validityOf(input)) };
}

export function assertDecimal(t: DataType): void {
  if (t.kind !== 'decimal')
    throw new EngineError(SqlState.internalError, `internal error: expected decimal, got ${t.kind}`);
}

interface FastParams {
  readonly aLo: Uint32Array;
  readonly aHi: Int32Array;
  readonly ka: number;
  readonly wa: boolean;
  readonly bLo: Uint32Array;
  readonly bHi: Int32Array;
  readonly kb: number;
  readonly wb: boolean;
  readonly n: number;
  readonly valid: Uint8Array | null;
  readonly outLo: Uint32Array;
  readonly outHi: Int32Array;
  readonly ko: number;
  readonly limit: number;
  readonly ma: number;
  readonly mb: number;
  readonly k: number;
  readonly pending: Int32Array;
}

const SMALL_HI = 2097152; // |value| < 2^53 when the high word is within ±2^21

/** True when row word-offset `o` holds a value whose magnitude is below 2^53. */
function small(hi: Int32Array, o: number, wide: boolean): boolean {
  const h = hi[o + 1]!;
  if (h < -SMALL_HI || h >= SMALL_HI) return false;
  if (!wide) return true;
  const sign = h >> 31;
  return hi[o + 2] === sign && hi[o + 3] === sign;
}

/** Writes integer result `r` (|r| < 2^53) of row `i` into the (zeroed) output words. */
function write(p: FastParams, i: number, r: number): void {
  const o = i * p.ko;
  if (r >= 0 && r < TWO32) {
    p.outLo[o] = r;
    return;
  }
  const hi = Math.floor(r / TWO32);
  p.outLo[o] = r - hi * TWO32;
  p.outHi[o + 1] = hi;
  if (p.ko === 4) {
    const sign = hi < 0 ? -1 : 0;
    p.outHi[o + 2] = sign;
    p.outHi[o + 3] = sign;
  }
}

function markAll(p: FastParams): number {
  let c = 0;
  for (let i = 0; i < p.n; i++) if (p.valid === null || p.valid[i] === 1) p.pending[c++] = i;
  return c;
}

function fastAddSub(p: FastParams, sign: number): number {
  const { aLo, aHi, ka, wa, bLo, bHi, kb, wb, n, valid, pending, ma, mb } = p;
  const bound = Math.min(SAFE, p.limit);
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const oa = i * ka;
    const ob = i * kb;
    if (!small(aHi, oa, wa) || !small(bHi, ob, wb)) {
      pending[c++] = i;
      continue;
    }
    const x = (aHi[oa + 1]! * TWO32 + aLo[oa]!) * ma;
    const y = (bHi[ob + 1]! * TWO32 + bLo[ob]!) * mb;
    const r = x + sign * y;
    if (Math.abs(x) > SAFE || Math.abs(y) > SAFE || Math.abs(r) > bound) {
      pending[c++] = i;
      continue;
    }
    write(p, i, r);
  }
  return c;
}

function fastMul(p: FastParams, d: number): number {
  const { aLo, aHi, ka, wa, bLo, bHi, kb, wb, n, valid, pending, limit } = p;
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const oa = i * ka;
    const ob = i * kb;
    if (!small(aHi, oa, wa) || !small(bHi, ob, wb)) {
      pending[c++] = i;
      continue;
    }
    const prod = (aHi[oa + 1]! * TWO32 + aLo[oa]!) * (bHi[ob + 1]! * TWO32 + bLo[ob]!);
    if (prod > SAFE || prod < -SAFE) {
      pending[c++] = i;
      continue;
    }
    let r = prod;
    if (d !== 1) {
      let q = Math.trunc(prod / d);
      let rem = prod - q * d;
      if (rem >= d || rem <= -d || (rem > 0 && prod < 0) || (rem < 0 && prod > 0)) {
        pending[c++] = i;
        continue;
      }
      if (rem < 0) rem = -rem;
      if (2 * rem >= d) q += prod < 0 ? -1 : 1;
      r = q;
    }
    if (r > limit || r < -limit) {
      pending[c++] = i;
      continue;
    }
    write(p, i, r);
  }
  return c;
}

function fastDiv(p: FastParams, m: number): number {
  const { aLo, aHi, ka, wa, bLo, bHi, kb, wb, n, valid, pending, limit } = p;
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const oa = i * ka;
    const ob = i * kb;
    if (!small(aHi, oa, wa) || !small(bHi, ob, wb)) {
      pending[c++] = i;
      continue;
    }
    const y = bHi[ob + 1]! * TWO32 + bLo[ob]!;
    const num = (aHi[oa + 1]! * TWO32 + aLo[oa]!) * m;
    if (y === 0 || num > SAFE || num < -SAFE) {
      pending[c++] = i;
      continue;
    }
    let q = Math.trunc(num / y);
    const rem = num - q * y;
    const ar = rem < 0 ? -rem : rem;
    const ay = y < 0 ? -y : y;
    if (ar >= ay || (rem !== 0 && rem < 0 !== num < 0)) {
      pending[c++] = i;
      continue;
    }
    if (2 * ar >= ay) q += num < 0 !== y < 0 ? -1 : 1;
    if (q > limit || q < -limit) {
      pending[c++] = i;
      continue;
    }
    write(p, i, q);
  }
  return c;
}

function fastMod(p: FastParams): number {
  const { aLo, aHi, ka, wa, bLo, bHi, kb, wb, n, valid, pending, ma, mb } = p;
  let c = 0;
  for (let i = 0; i < n; i++) {
    if (valid !== null && valid[i] === 0) continue;
    const oa = i * ka;
    const ob = i * kb;
    if (!small(aHi, oa, wa) || !small(bHi, ob, wb)) {
      pending[c++] = i;
      continue;
    }
    const x = (aHi[oa + 1]! * TWO32 + aLo[oa]!) * ma;
    const y = (bHi[ob + 1]! * TWO32 + bLo[ob]!) * mb;
    if (y === 0 || x > SAFE || x < -SAFE || y > SAFE || y < -SAFE) {
      pending[c++] = i;
      continue;
    }
    write(p, i, x % y);
  }
  return c;
}
