/**
 * Vectorized comparisons `= <> < <= > >= <=>` for every atomic type. Both operands have the same
 * type. Each type family has one loop that writes the sign of each comparison into an Int8Array;
 * one loop per operator turns signs into booleans. Strings are compared on their UTF-8 bytes,
 * 64-bit values (bigint, timestamps, Decimal64) on their two 32-bit words, so no BigInt is created.
 */
import type * as arrow from 'apache-arrow';
import {
  MAX_DECIMAL64_PRECISION,
  makeColumn,
  unpackBits,
  utf8,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue } from '../../functions/index.ts';
import {
  andValidity,
  compareBytes,
  compareDoubles,
  compareValues,
  decimalGetter,
  numericValues,
  strideOf,
  validityOf,
} from '../../functions/index.ts';

export type CompareOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | '<=>';

/** Words of a 64-bit column or scalar: lo (unsigned) at 2i, hi (signed) at 2i+1. */
function words(v: ColumnarValue): { lo: Uint32Array; hi: Int32Array } {
  if (v.kind === 'scalar') {
    const b = new BigInt64Array(1);
    if (v.value !== null) b[0] = v.value as bigint;
    return { lo: new Uint32Array(b.buffer), hi: new Int32Array(b.buffer) };
  }
  const w = v.data.values as Uint32Array | BigInt64Array;
  const start = w.byteOffset + v.data.offset * 8;
  return {
    lo: new Uint32Array(w.buffer, start, v.data.length * 2),
    hi: new Int32Array(w.buffer, start, v.data.length * 2),
  };
}

function stringParts(v: ColumnarValue): { offsets: Int32Array; bytes: Uint8Array; base: number } {
  if (v.kind === 'scalar') {
    const bytes =
      v.value === null
        ? new Uint8Array(0)
        : typeof v.value === 'string'
          ? utf8.encoder.encode(v.value)
          : (v.value as Uint8Array);
    return { offsets: Int32Array.of(0, bytes.length), bytes, base: 0 };
  }
  return {
    offsets: v.data.valueOffsets as Int32Array,
    bytes: v.data.values as Uint8Array,
    base: v.data.offset,
  };
}

function boolBytes(v: ColumnarValue): Uint8Array {
  if (v.kind === 'scalar') return Uint8Array.of(v.value === true ? 1 : 0);
  return unpackBits(v.data);
}

/** Signs of left vs right per row (garbage where either is null). */
export function compareSigns(
  left: ColumnarValue,
  right: ColumnarValue,
  type: DataType,
  n: number,
): Int8Array {
  const out = new Int8Array(n);
  const sa = strideOf(left);
  const sb = strideOf(right);
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'interval_year_month': {
      const a = numericValues(left, type);
      const b = numericValues(right, type);
      for (let i = 0; i < n; i++) {
        const x = a[i * sa]!;
        const y = b[i * sb]!;
        out[i] = x < y ? -1 : x > y ? 1 : 0;
      }
      return out;
    }
    case 'float':
    case 'double': {
      const a = numericValues(left, type);
      const b = numericValues(right, type);
      for (let i = 0; i < n; i++) out[i] = compareDoubles(a[i * sa]!, b[i * sb]!);
      return out;
    }
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time':
      return compareWords(left, right, sa, sb, n, out);
    case 'decimal': {
      if (type.precision <= MAX_DECIMAL64_PRECISION) return compareWords(left, right, sa, sb, n, out);
      const ga = decimalGetter(left, type);
      const gb = decimalGetter(right, type);
      for (let i = 0; i < n; i++) {
        const x = ga(i * sa);
        const y = gb(i * sb);
        out[i] = x < y ? -1 : x > y ? 1 : 0;
      }
      return out;
    }
    case 'boolean': {
      const a = boolBytes(left);
      const b = boolBytes(right);
      for (let i = 0; i < n; i++) out[i] = a[i * sa]! - b[i * sb]!;
      return out;
    }
    case 'string':
    case 'binary': {
      const A = stringParts(left);
      const B = stringParts(right);
      for (let i = 0; i < n; i++) {
        const ia = A.base + i * sa;
        const ib = B.base + i * sb;
        out[i] = compareBytes(
          A.bytes,
          A.offsets[ia]!,
          A.offsets[ia + 1]!,
          B.bytes,
          B.offsets[ib]!,
          B.offsets[ib + 1]!,
        );
      }
      return out;
    }
    case 'null':
      return out;
    default: {
      // nested types: row at a time (a NULL row's sign is never read)
      const at = (c: ColumnarValue, i: number): Value =>
        c.kind === 'scalar' ? c.value : valueAt(c.data, type, i);
      for (let i = 0; i < n; i++) {
        const x = at(left, i);
        const y = at(right, i);
        out[i] = x === null || y === null ? 0 : Math.sign(compareValues(x, y, type));
      }
      return out;
    }
  }
}

function compareWords(
  left: ColumnarValue,
  right: ColumnarValue,
  sa: number,
  sb: number,
  n: number,
  out: Int8Array,
): Int8Array {
  const A = words(left);
  const B = words(right);
  for (let i = 0; i < n; i++) {
    const ia = 2 * i * sa;
    const ib = 2 * i * sb;
    const ha = A.hi[ia + 1]!;
    const hb = B.hi[ib + 1]!;
    if (ha !== hb) out[i] = ha < hb ? -1 : 1;
    else {
      const la = A.lo[ia]!;
      const lb = B.lo[ib]!;
      out[i] = la < lb ? -1 : la > lb ? 1 : 0;
    }
  }
  return out;
}

/** Equality fast path for a string column against a constant: length first, then bytes. */
function stringEqualsConstant(col: arrow.Data, constant: Uint8Array, n: number, out: Uint8Array): void {
  const offsets = col.valueOffsets as Int32Array;
  const bytes = col.values as Uint8Array;
  const base = col.offset;
  const len = constant.length;
  for (let i = 0; i < n; i++) {
    const s = offsets[base + i]!;
    if (offsets[base + i + 1]! - s !== len) {
      out[i] = 0;
      continue;
    }
    let eq = 1;
    for (let k = 0; k < len; k++) {
      if (bytes[s + k] !== constant[k]) {
        eq = 0;
        break;
      }
    }
    out[i] = eq;
  }
}

export function compare(
  op: CompareOp,
  left: ColumnarValue,
  right: ColumnarValue,
  type: DataType,
  numRows: number,
): ColumnarValue {
  const boolType: DataType = { kind: 'boolean' };
  if (left.kind === 'scalar' && right.kind === 'scalar') {
    if (left.value === null || right.value === null) {
      if (op === '<=>')
        return { kind: 'scalar', value: left.value === null && right.value === null, type: boolType };
      return { kind: 'scalar', value: null, type: boolType };
    }
    const c = compareValues(left.value, right.value, type);
    return { kind: 'scalar', value: testSign(op, c), type: boolType };
  }
  const n = numRows;
  const va = validityOf(left);
  const vb = validityOf(right);
  const sa = strideOf(left);
  const sb = strideOf(right);
  const out = new Uint8Array(n);
  if (
    (op === '=' || op === '<>') &&
    (type.kind === 'string' || type.kind === 'binary') &&
    (left.kind === 'scalar' || right.kind === 'scalar')
  ) {
    const col = left.kind === 'array' ? left.data : (right as { data: arrow.Data }).data;
    const sc = left.kind === 'scalar' ? left : (right as ColumnarValue & { kind: 'scalar' });
    const constant =
      sc.value === null
        ? new Uint8Array(0)
        : typeof sc.value === 'string'
          ? utf8.encoder.encode(sc.value)
          : (sc.value as Uint8Array);
    stringEqualsConstant(col, constant, n, out);
    if (op === '<>') for (let i = 0; i < n; i++) out[i] = 1 - out[i]!;
  } else if (
    op !== '<=>' &&
    (left.kind === 'array') !== (right.kind === 'array') &&
    constantFastPath(op, left, right, type, n, out)
  ) {
    // done: column against a constant
  } else {
    const signs = compareSigns(left, right, type, n);
    switch (op) {
      case '=':
      case '<=>':
        for (let i = 0; i < n; i++) out[i] = signs[i] === 0 ? 1 : 0;
        break;
      case '<>':
        for (let i = 0; i < n; i++) out[i] = signs[i] !== 0 ? 1 : 0;
        break;
      case '<':
        for (let i = 0; i < n; i++) out[i] = signs[i]! < 0 ? 1 : 0;
        break;
      case '<=':
        for (let i = 0; i < n; i++) out[i] = signs[i]! <= 0 ? 1 : 0;
        break;
      case '>':
        for (let i = 0; i < n; i++) out[i] = signs[i]! > 0 ? 1 : 0;
        break;
      case '>=':
        for (let i = 0; i < n; i++) out[i] = signs[i]! >= 0 ? 1 : 0;
        break;
    }
  }
  if (op === '<=>') {
    if (va !== null || vb !== null) {
      for (let i = 0; i < n; i++) {
        const x = va === null ? 1 : va[i * sa]!;
        const y = vb === null ? 1 : vb[i * sb]!;
        if (x === 0 || y === 0) out[i] = x === y ? 1 : 0;
      }
    }
    return { kind: 'array', data: makeColumn(boolType, out, n, null) };
  }
  return { kind: 'array', data: makeColumn(boolType, out, n, andValidity(va, sa, vb, sb, n)) };
}

const FLIP: Record<CompareOp, CompareOp> = {
  '=': '=',
  '<>': '<>',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
  '<=>': '<=>',
};

/**
 * `column op constant` (or `constant op column`) for 32-bit integers, dates and 64-bit values
 * (bigint, timestamps, Decimal64) in one loop; false when the type has no fast path.
 */
function constantFastPath(
  op: CompareOp,
  left: ColumnarValue,
  right: ColumnarValue,
  type: DataType,
  n: number,
  out: Uint8Array,
): boolean {
  const colSide = left.kind === 'array' ? left : right;
  const constSide = left.kind === 'array' ? right : left;
  if (colSide.kind !== 'array' || constSide.kind !== 'scalar' || constSide.value === null) return false;
  const o = left.kind === 'array' ? op : FLIP[op];
  switch (type.kind) {
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date': {
      const a = numericValues(colSide, type);
      const c = constSide.value as number;
      switch (o) {
        case '=':
          for (let i = 0; i < n; i++) out[i] = a[i] === c ? 1 : 0;
          return true;
        case '<>':
          for (let i = 0; i < n; i++) out[i] = a[i] !== c ? 1 : 0;
          return true;
        case '<':
          for (let i = 0; i < n; i++) out[i] = a[i]! < c ? 1 : 0;
          return true;
        case '<=':
          for (let i = 0; i < n; i++) out[i] = a[i]! <= c ? 1 : 0;
          return true;
        case '>':
          for (let i = 0; i < n; i++) out[i] = a[i]! > c ? 1 : 0;
          return true;
        case '>=':
          for (let i = 0; i < n; i++) out[i] = a[i]! >= c ? 1 : 0;
          return true;
        case '<=>':
          return false;
      }
      return false;
    }
    case 'bigint':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'decimal': {
      if (type.kind === 'decimal' && type.precision > MAX_DECIMAL64_PRECISION) return false;
      const A = words(colSide);
      const C = words(constSide);
      const ch = C.hi[1]!;
      const cl = C.lo[0]!;
      const lt = o === '<' || o === '<=' || o === '<>';
      const eq = o === '=' || o === '<=' || o === '>=';
      const gt = o === '>' || o === '>=' || o === '<>';
      const vLt = lt ? 1 : 0;
      const vEq = eq ? 1 : 0;
      const vGt = gt ? 1 : 0;
      for (let i = 0; i < n; i++) {
        const h = A.hi[2 * i + 1]!;
        if (h !== ch) out[i] = h < ch ? vLt : vGt;
        else {
          const l = A.lo[2 * i]!;
          out[i] = l < cl ? vLt : l > cl ? vGt : vEq;
        }
      }
      return true;
    }
    case 'array':
    case 'binary':
    case 'boolean':
    case 'double':
    case 'float':
    case 'interval_day_time':
    case 'interval_year_month':
    case 'calendar_interval':
    case 'map':
    case 'null':
    case 'string':
    case 'struct':
      return false;
  }
}

export function testSign(op: CompareOp, c: number): boolean {
  switch (op) {
    case '=':
    case '<=>':
      return c === 0;
    case '<>':
      return c !== 0;
    case '<':
      return c < 0;
    case '<=':
      return c <= 0;
    case '>':
      return c > 0;
    case '>=':
      return c >= 0;
  }
}
