/**
 * SQL three-valued logic on boolean columns: AND, OR, NOT and the IS [NOT] NULL/TRUE/FALSE tests.
 * `false AND NULL` is false, `true OR NULL` is true; the IS tests never return NULL.
 */
import { makeColumn, unpackBits, type DataType } from '../../common/index.ts';
import type { ColumnarValue } from '../../functions/index.ts';
import { isNullType, strideOf, validityOf } from '../../functions/index.ts';

const BOOL: DataType = { kind: 'boolean' };

function bits(v: ColumnarValue): Uint8Array {
  if (v.kind === 'scalar') return Uint8Array.of(v.value === true ? 1 : 0);
  return unpackBits(v.data);
}

export function andOr(
  op: 'and' | 'or',
  left: ColumnarValue,
  right: ColumnarValue,
  numRows: number,
): ColumnarValue {
  if (left.kind === 'scalar' && right.kind === 'scalar') {
    const a = left.value as boolean | null;
    const b = right.value as boolean | null;
    let value: boolean | null;
    if (op === 'and') value = a === false || b === false ? false : a === null || b === null ? null : true;
    else value = a === true || b === true ? true : a === null || b === null ? null : false;
    return { kind: 'scalar', value, type: BOOL };
  }
  const n = numRows;
  const A = bits(left);
  const B = bits(right);
  const va = validityOf(left);
  const vb = validityOf(right);
  const sa = strideOf(left);
  const sb = strideOf(right);
  const out = new Uint8Array(n);
  if (va === null && vb === null) {
    if (op === 'and') for (let i = 0; i < n; i++) out[i] = A[i * sa]! & B[i * sb]!;
    else for (let i = 0; i < n; i++) out[i] = A[i * sa]! | B[i * sb]!;
    return { kind: 'array', data: makeColumn(BOOL, out, n, null) };
  }
  const valid = new Uint8Array(n);
  for (let i = 0; i < n; i++) {
    const xa = va === null ? 1 : va[i * sa]!;
    const xb = vb === null ? 1 : vb[i * sb]!;
    const a = A[i * sa]!;
    const b = B[i * sb]!;
    if (op === 'and') {
      if ((xa === 1 && a === 0) || (xb === 1 && b === 0)) {
        out[i] = 0;
        valid[i] = 1;
      } else if (xa === 1 && xb === 1) {
        out[i] = 1;
        valid[i] = 1;
      }
    } else if ((xa === 1 && a === 1) || (xb === 1 && b === 1)) {
      out[i] = 1;
      valid[i] = 1;
    } else if (xa === 1 && xb === 1) valid[i] = 1;
  }
  return { kind: 'array', data: makeColumn(BOOL, out, n, valid) };
}

export type BoolTest =
  'not' | 'is_null' | 'is_not_null' | 'is_true' | 'is_false' | 'is_not_true' | 'is_not_false';

export function booleanTest(op: BoolTest, input: ColumnarValue, numRows: number): ColumnarValue {
  if (input.kind === 'scalar') {
    const v = input.value;
    switch (op) {
      case 'not':
        return { kind: 'scalar', value: v === null ? null : !(v as boolean), type: BOOL };
      case 'is_null':
        return { kind: 'scalar', value: v === null, type: BOOL };
      case 'is_not_null':
        return { kind: 'scalar', value: v !== null, type: BOOL };
      case 'is_true':
        return { kind: 'scalar', value: v === true, type: BOOL };
      case 'is_false':
        return { kind: 'scalar', value: v === false, type: BOOL };
      case 'is_not_true':
        return { kind: 'scalar', value: v !== true, type: BOOL };
      case 'is_not_false':
        return { kind: 'scalar', value: v !== false, type: BOOL };
    }
  }
  const n = numRows;
  const valid = validityOf(input);
  const out = new Uint8Array(n);
  if (op === 'is_null' || op === 'is_not_null') {
    const want = op === 'is_null' ? 0 : 1;
    if (valid === null) out.fill(want);
    else for (let i = 0; i < n; i++) out[i] = valid[i] === want ? 1 : 0;
    return { kind: 'array', data: makeColumn(BOOL, out, n, null) };
  }
  const b = isNullType(input.data) ? new Uint8Array(n) : unpackBits(input.data);
  switch (op) {
    case 'not':
      for (let i = 0; i < n; i++) out[i] = 1 - b[i]!;
      return { kind: 'array', data: makeColumn(BOOL, out, n, valid) };
    case 'is_true':
      for (let i = 0; i < n; i++) out[i] = (valid === null || valid[i] === 1) && b[i] === 1 ? 1 : 0;
      break;
    case 'is_false':
      for (let i = 0; i < n; i++) out[i] = (valid === null || valid[i] === 1) && b[i] === 0 ? 1 : 0;
      break;
    case 'is_not_true':
      for (let i = 0; i < n; i++) out[i] = (valid === null || valid[i] === 1) && b[i] === 1 ? 0 : 1;
      break;
    case 'is_not_false':
      for (let i = 0; i < n; i++) out[i] = (valid === null || valid[i] === 1) && b[i] === 0 ? 0 : 1;
      break;
  }
  return { kind: 'array', data: makeColumn(BOOL, out, n, null) };
}
