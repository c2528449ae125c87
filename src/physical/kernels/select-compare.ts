/**
 * Selection refinement for `column op constant` conjuncts: given the rows still selected (or all
 * rows), keep those where the comparison is TRUE — one typed-array loop over the survivors, with
 * no boolean column in between. FilterExec runs these before its other conjuncts, so each later
 * conjunct touches only the rows the earlier ones kept.
 *
 * Types: tinyint/smallint/int/date (32-bit and narrower values), bigint/timestamp/timestamp_ntz/
 * decimal(p ≤ 18) (64-bit words compared as signed high word then unsigned low word, no BigInt per
 * row), float/double (Spark's NaN: equal to itself, above every other value). NULL never passes.
 */
import type * as arrow from 'apache-arrow';
import { MAX_DECIMAL64_PRECISION, type DataType, type Value } from '../../common/index.ts';

export type SelectCompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=';

const FLIPPED: Record<SelectCompareOp, SelectCompareOp> = {
  '=': '=',
  '<>': '<>',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
};

/** `constant op column` as `column op' constant`. */
export function flipCompareOp(op: SelectCompareOp): SelectCompareOp {
  return FLIPPED[op];
}

/** Whether `refineByCompare` handles columns of `type` compared with the non-NULL `value`. */
export function supportsSelectCompare(type: DataType, value: Value): boolean {
  if (value === null) return false;
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
      return typeof value === 'number';
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
      return typeof value === 'bigint';
    case 'decimal':
      return type.precision <= MAX_DECIMAL64_PRECISION && typeof value === 'bigint';
    case 'float':
    case 'double':
      return typeof value === 'number' && !Number.isNaN(value);
    default:
      return false;
  }
}

/** Comparison outcome → pass, as a 3-bit mask: bit 0 = less, bit 1 = equal, bit 2 = greater. */
function outcomeMask(op: SelectCompareOp): number {
  switch (op) {
    case '=':
      return 0b010;
    case '<>':
      return 0b101;
    case '<':
      return 0b001;
    case '<=':
      return 0b011;
    case '>':
      return 0b100;
    case '>=':
      return 0b110;
  }
}

/**
 * The rows of `selection` (ascending row indices; null = all `n` rows) where `column op value` is
 * TRUE. `value` must satisfy `supportsSelectCompare(type, value)`. Returns a new array (or
 * `selection` itself when every row passes).
 */
export function refineByCompare(
  column: arrow.Data,
  type: DataType,
  op: SelectCompareOp,
  value: Value,
  selection: Int32Array | null,
  n: number,
): Int32Array {
  const count = selection === null ? n : selection.length;
  const out = new Int32Array(count);
  let k: number;
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
      k = compareNumbers(column.values as ArrayLike<number>, op, value as number, selection, count, out);
      break;
    case 'float':
    case 'double':
      k = compareFloats(column.values as ArrayLike<number>, op, value as number, selection, count, out);
      break;
    default: {
      // Arrow's slice already shifts fixed-width values (see src/common/arrow.ts).
      const values = column.values as ArrayBufferView;
      const words = new Int32Array(values.buffer, values.byteOffset, column.length * 2);
      k = compareWords(words, op, value as bigint, selection, count, out);
    }
  }
  if (column.nullCount > 0 && column.nullBitmap !== undefined && column.nullBitmap.length > 0) {
    k = dropNulls(column.nullBitmap, column.offset, out, k);
  }
  if (selection !== null && k === selection.length) return selection;
  return k === out.length ? out : out.slice(0, k);
}

function compareNumbers(
  a: ArrayLike<number>,
  op: SelectCompareOp,
  c: number,
  sel: Int32Array | null,
  count: number,
  out: Int32Array,
): number {
  let k = 0;
  if (sel === null) {
    switch (op) {
      case '=':
        for (let i = 0; i < count; i++) if (a[i] === c) out[k++] = i;
        break;
      case '<>':
        for (let i = 0; i < count; i++) if (a[i] !== c) out[k++] = i;
        break;
      case '<':
        for (let i = 0; i < count; i++) if (a[i]! < c) out[k++] = i;
        break;
      case '<=':
        for (let i = 0; i < count; i++) if (a[i]! <= c) out[k++] = i;
        break;
      case '>':
        for (let i = 0; i < count; i++) if (a[i]! > c) out[k++] = i;
        break;
      case '>=':
        for (let i = 0; i < count; i++) if (a[i]! >= c) out[k++] = i;
        break;
    }
    return k;
  }
  switch (op) {
    case '=':
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        if (a[i] === c) out[k++] = i;
      }
      break;
    case '<>':
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        if (a[i] !== c) out[k++] = i;
      }
      break;
    case '<':
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        if (a[i]! < c) out[k++] = i;
      }
      break;
    case '<=':
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        if (a[i]! <= c) out[k++] = i;
      }
      break;
    case '>':
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        if (a[i]! > c) out[k++] = i;
      }
      break;
    case '>=':
      for (let j = 0; j < count; j++) {
        const i = sel[j]!;
        if (a[i]! >= c) out[k++] = i;
      }
      break;
  }
  return k;
}

/** Floats with Spark's NaN ordering (the constant is never NaN). */
function compareFloats(
  a: ArrayLike<number>,
  op: SelectCompareOp,
  c: number,
  sel: Int32Array | null,
  count: number,
  out: Int32Array,
): number {
  const mask = outcomeMask(op);
  let k = 0;
  for (let j = 0; j < count; j++) {
    const i = sel === null ? j : sel[j]!;
    const x = a[i]!;
    // NaN compares greater than every number.
    const outcome = x < c ? 1 : x === c ? 2 : 4;
    if ((outcome & mask) !== 0) out[k++] = i;
  }
  return k;
}

/** 64-bit values as (signed high, unsigned low) Int32 word pairs. */
function compareWords(
  w: Int32Array,
  op: SelectCompareOp,
  c: bigint,
  sel: Int32Array | null,
  count: number,
  out: Int32Array,
): number {
  const ch = Number(BigInt.asIntN(32, c >> 32n));
  const cl = Number(BigInt.asUintN(32, c));
  const mask = outcomeMask(op);
  let k = 0;
  if (op === '=') {
    const clSigned = cl | 0;
    for (let j = 0; j < count; j++) {
      const i = sel === null ? j : sel[j]!;
      if (w[2 * i] === clSigned && w[2 * i + 1] === ch) out[k++] = i;
    }
    return k;
  }
  for (let j = 0; j < count; j++) {
    const i = sel === null ? j : sel[j]!;
    const h = w[2 * i + 1]!;
    let outcome: number;
    if (h !== ch) outcome = h < ch ? 1 : 4;
    else {
      const l = w[2 * i]! >>> 0;
      outcome = l < cl ? 1 : l === cl ? 2 : 4;
    }
    if ((outcome & mask) !== 0) out[k++] = i;
  }
  return k;
}

/** Removes the rows whose validity bit (at `offset + row`) is clear. */
function dropNulls(bitmap: Uint8Array, offset: number, rows: Int32Array, count: number): number {
  let k = 0;
  for (let j = 0; j < count; j++) {
    const i = rows[j]!;
    const b = offset + i;
    if (((bitmap[b >> 3]! >> (b & 7)) & 1) === 1) rows[k++] = i;
  }
  return k;
}

/** Whether `refineByColumns` handles two columns of `type`. */
export function supportsSelectColumns(type: DataType): boolean {
  return supportsSelectCompare(type, type.kind === 'float' || type.kind === 'double' ? 0 : sampleValue(type));
}

function sampleValue(type: DataType): Value {
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
      return 0;
    default:
      return 0n;
  }
}

/**
 * The rows of `selection` (null = all `n` rows) where `a op b` is TRUE for two columns of the same
 * `type` (as `refineByCompare`, with the constant replaced by the other column's value).
 */
export function refineByColumns(
  a: arrow.Data,
  b: arrow.Data,
  type: DataType,
  op: SelectCompareOp,
  selection: Int32Array | null,
  n: number,
): Int32Array {
  const count = selection === null ? n : selection.length;
  const out = new Int32Array(count);
  const mask = outcomeMask(op);
  let k = 0;
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'float':
    case 'double': {
      const x = a.values as ArrayLike<number>;
      const y = b.values as ArrayLike<number>;
      for (let j = 0; j < count; j++) {
        const i = selection === null ? j : selection[j]!;
        const p = x[i]!;
        const q = y[i]!;
        // Spark's NaN: equal to itself, above every number.
        const outcome = p < q ? 1 : p > q ? 4 : p === q || (p !== p && q !== q) ? 2 : p !== p ? 4 : 1;
        if ((outcome & mask) !== 0) out[k++] = i;
      }
      break;
    }
    default: {
      const va = a.values as ArrayBufferView;
      const vb = b.values as ArrayBufferView;
      const wa = new Int32Array(va.buffer, va.byteOffset, a.length * 2);
      const wb = new Int32Array(vb.buffer, vb.byteOffset, b.length * 2);
      for (let j = 0; j < count; j++) {
        const i = selection === null ? j : selection[j]!;
        const ha = wa[2 * i + 1]!;
        const hb = wb[2 * i + 1]!;
        let outcome: number;
        if (ha !== hb) outcome = ha < hb ? 1 : 4;
        else {
          const la = wa[2 * i]! >>> 0;
          const lb = wb[2 * i]! >>> 0;
          outcome = la < lb ? 1 : la === lb ? 2 : 4;
        }
        if ((outcome & mask) !== 0) out[k++] = i;
      }
    }
  }
  for (const c of [a, b]) {
    if (c.nullCount > 0 && c.nullBitmap !== undefined && c.nullBitmap.length > 0) {
      k = dropNulls(c.nullBitmap, c.offset, out, k);
    }
  }
  if (selection !== null && k === selection.length) return selection;
  return k === out.length ? out : out.slice(0, k);
}
