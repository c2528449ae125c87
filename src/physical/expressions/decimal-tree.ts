/**
 * A tree of decimal `+`, `-` and `*` (Q1's `l_extendedprice * (1 - l_discount) * (1 + l_tax)`)
 * evaluated in one go over float64 unscaled values instead of node by node over 64- and 128-bit
 * words: each operand becomes a Float64Array of exact integers once, each node one typed loop,
 * and only the root is written as the result's decimal words (the intermediates, decimal(32,4)
 * and the like, are never materialized).
 *
 * Exactness: a value is kept only while it is an integer below 2^53 in magnitude and within its
 * node's precision; past that (or for an operand beyond 2^53) it becomes NaN, which every later
 * step keeps. A batch with a NaN in a row that is not NULL is evaluated again by the node-by-node
 * kernels (`fallback`), whose answers, errors and NULLs (ANSI off) are Spark's — so this path only
 * ever answers rows it can answer exactly. Trees that would round (a result scale below the exact
 * one: precision capped at 38) are not taken.
 */
import type * as arrow from 'apache-arrow';
import { MAX_DECIMAL64_PRECISION, makeColumn, type DataType } from '../../common/index.ts';
import type { Expr } from '../../plan/index.ts';
import { exprType } from '../../plan/index.ts';
import type { ColumnarValue, EvalContext } from '../../functions/index.ts';
import { validityBytes } from '../../functions/index.ts';

type Evaluator = (batch: arrow.RecordBatch, ctx: EvalContext) => ColumnarValue;

const SAFE = 9007199254740991;
const TWO32 = 4294967296;

/** Rows evaluated at a time: every node's values stay in the first-level cache. */
const CHUNK = 2048;

/** Where a leaf's values are in the current batch. */
type LeafSource =
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'words'; readonly lo: Uint32Array; readonly hi: Int32Array; readonly wide: boolean }
  | { readonly kind: 'ints'; readonly ints: Int32Array | Int16Array | Int8Array };

type Node =
  | {
      readonly kind: 'leaf';
      readonly eval: Evaluator;
      readonly type: DataType;
      source: LeafSource | null;
      readonly scratch: Float64Array;
    }
  | {
      readonly kind: 'op';
      readonly op: '+' | '-' | '*';
      readonly left: Node;
      readonly right: Node;
      /** Multipliers that bring the operands to the node's scale (+, -); 1 for `*`. */
      readonly ma: number;
      readonly mb: number;
      /** The largest magnitude the node's precision holds (or 2^53 - 1). */
      readonly limit: number;
      readonly scratch: Float64Array;
    };

function scaleOf(t: DataType): number | null {
  switch (t.kind) {
    case 'decimal':
      return t.scale;
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return 0;
    default:
      return null;
  }
}

/** Whether `e` is a decimal `+`, `-` or `*` this module evaluates. */
function isTreeOp(e: Expr): e is Extract<Expr, { kind: 'binary' }> & { op: '+' | '-' | '*' } {
  return e.kind === 'binary' && (e.op === '+' || e.op === '-' || e.op === '*') && e.type.kind === 'decimal';
}

/**
 * The evaluator of decimal tree `e`, or null when `e` is not one this module takes. `leaf`
 * compiles an operand that is not part of the tree; `fallback` evaluates `e` node by node.
 */
export function compileDecimalTree(
  e: Expr,
  leaf: (operand: Expr) => Evaluator,
  fallback: Evaluator,
): Evaluator | null {
  if (!isTreeOp(e)) return null;
  const build = (x: Expr): Node | null => {
    if (!isTreeOp(x)) {
      const type = exprType(x);
      if (scaleOf(type) === null) return null;
      const node: Node = {
        kind: 'leaf',
        eval: leaf(x),
        type,
        source: null,
        scratch: new Float64Array(CHUNK),
      };
      leaves.push(node);
      return node;
    }
    if (x.type.kind !== 'decimal') return null;
    const s1 = scaleOf(exprType(x.left));
    const s2 = scaleOf(exprType(x.right));
    if (s1 === null || s2 === null) return null;
    const s = x.type.scale;
    const p = x.type.precision;
    let ma = 1;
    let mb = 1;
    if (x.op === '*') {
      if (s1 + s2 !== s) return null; // rounds
    } else {
      if (Math.max(s1, s2) !== s) return null; // rounds
      ma = 10 ** (s - s1);
      mb = 10 ** (s - s2);
      if (ma > 1e15 || mb > 1e15) return null;
    }
    const left = build(x.left);
    const right = build(x.right);
    if (left === null || right === null) return null;
    const limit = p <= 15 ? 10 ** p - 1 : SAFE;
    return { kind: 'op', op: x.op, left, right, ma, mb, limit, scratch: new Float64Array(CHUNK) };
  };
  const leaves: Extract<Node, { kind: 'leaf' }>[] = [];
  const root = build(e);
  if (root === null || root.kind !== 'op') return null;
  const type = e.type as Extract<DataType, { kind: 'decimal' }>;
  const wide = type.precision > MAX_DECIMAL64_PRECISION;
  return (batch, ctx) => {
    const n = batch.numRows;
    let valid: Uint8Array | null = null;
    for (const l of leaves) {
      const v = l.eval(batch, ctx);
      const bound = bindLeaf(v, l.type, n);
      if (bound === null) return fallback(batch, ctx);
      l.source = bound.source;
      if (bound.valid !== null) {
        if (valid === null) valid = bound.valid.slice(0, n);
        else for (let i = 0; i < n; i++) valid[i]! &= bound.valid[i]!;
      }
    }
    const out = new BigInt64Array(wide ? 2 * n : n);
    const words = new Int32Array(out.buffer);
    for (let from = 0; from < n; from += CHUNK) {
      const len = Math.min(CHUNK, n - from);
      const values = evaluate(root, from, len);
      if (typeof values === 'number') return fallback(batch, ctx); // constants: folded by the optimizer
      // Rows that are NULL write 0 (their value may be NaN).
      if (valid !== null) for (let i = 0; i < len; i++) if (valid[from + i] === 0) values[i] = 0;
      if (!(wide ? toWide(values, words, from, len) : toWords(values, words, from, len)))
        return fallback(batch, ctx);
    }
    for (const l of leaves) l.source = null;
    return { kind: 'array', data: makeColumn(type, out, n, valid) };
  };
}

/** A node's values for rows `from..from+len-1`: in its scratch array, or one number for all. */
function evaluate(node: Node, from: number, len: number): Float64Array | number {
  if (node.kind === 'leaf') {
    const src = node.source!;
    switch (src.kind) {
      case 'scalar':
        return src.value;
      case 'words':
        if (src.wide) fromWide(src.lo, src.hi, from, len, node.scratch);
        else fromWords(src.lo, src.hi, from, len, node.scratch);
        return node.scratch;
      case 'ints': {
        const out = node.scratch;
        const ints = src.ints;
        for (let i = 0; i < len; i++) out[i] = ints[from + i]!;
        return out;
      }
    }
  }
  const a = evaluate(node.left, from, len);
  const b = evaluate(node.right, from, len);
  const out = node.scratch;
  const { ma, mb, limit } = node;
  const n = len;
  // One monomorphic loop per shape; NaN fails every comparison, so it stays NaN.
  if (typeof a === 'number') {
    if (typeof b === 'number') return NaN;
    if (node.op === '*') mulScalar(b, a, out, n, limit);
    else addScalar(b, mb, a * ma, node.op === '-' ? -1 : 1, out, n, limit);
  } else if (typeof b === 'number') {
    if (node.op === '*') mulScalar(a, b, out, n, limit);
    else addScalar(a, ma, node.op === '-' ? -b * mb : b * mb, 1, out, n, limit);
  } else if (node.op === '*') mulArrays(a, b, out, n, limit);
  else addArrays(a, ma, b, node.op === '-' ? -mb : mb, out, n, limit);
  return out;
}

function mulArrays(a: Float64Array, b: Float64Array, out: Float64Array, n: number, limit: number): void {
  for (let i = 0; i < n; i++) {
    const r = a[i]! * b[i]!;
    out[i] = Math.abs(r) <= limit ? r : NaN;
  }
}

function mulScalar(a: Float64Array, c: number, out: Float64Array, n: number, limit: number): void {
  for (let i = 0; i < n; i++) {
    const r = a[i]! * c;
    out[i] = Math.abs(r) <= limit ? r : NaN;
  }
}

/** out = a·ma + b·mb (mb negative for a difference). */
function addArrays(
  a: Float64Array,
  ma: number,
  b: Float64Array,
  mb: number,
  out: Float64Array,
  n: number,
  limit: number,
): void {
  for (let i = 0; i < n; i++) {
    const x = a[i]! * ma;
    const y = b[i]! * mb;
    const r = x + y;
    out[i] = Math.abs(x) <= SAFE && Math.abs(y) <= SAFE && Math.abs(r) <= limit ? r : NaN;
  }
}

/** out = sign·a·ma + c (c already scaled, and negated for `c - a`). */
function addScalar(
  a: Float64Array,
  ma: number,
  c: number,
  sign: number,
  out: Float64Array,
  n: number,
  limit: number,
): void {
  if (!(Math.abs(c) <= SAFE)) {
    out.fill(NaN, 0, n);
    return;
  }
  const m = sign * ma;
  for (let i = 0; i < n; i++) {
    const x = a[i]! * m;
    const r = x + c;
    out[i] = Math.abs(x) <= SAFE && Math.abs(r) <= limit ? r : NaN;
  }
}

/**
 * Where an operand's values are in this batch, with its validity (one byte a row, or null); null
 * when the tree cannot take it (a NULL or huge constant, a column of Arrow's Null type).
 */
function bindLeaf(
  v: ColumnarValue,
  type: DataType,
  n: number,
): { source: LeafSource; valid: Uint8Array | null } | null {
  if (v.kind === 'scalar') {
    if (v.value === null) return null;
    const x = typeof v.value === 'bigint' ? Number(v.value) : (v.value as number);
    return Number.isSafeInteger(x) ? { source: { kind: 'scalar', value: x }, valid: null } : null;
  }
  const data = v.data;
  if ((data.values as ArrayBufferView | undefined) === undefined) return null;
  const valid = validityBytes(data);
  if (type.kind === 'bigint' || type.kind === 'decimal') {
    const wide = type.kind === 'decimal' && type.precision > MAX_DECIMAL64_PRECISION;
    const k = wide ? 4 : 2;
    const w = data.values as Uint32Array | BigInt64Array;
    const start = w.byteOffset + data.offset * 4 * k;
    return {
      source: {
        kind: 'words',
        lo: new Uint32Array(w.buffer, start, n * k),
        hi: new Int32Array(w.buffer, start, n * k),
        wide,
      },
      valid,
    };
  }
  const ints = (data.values as Int32Array | Int16Array | Int8Array).subarray(data.offset, data.offset + n);
  return { source: { kind: 'ints', ints }, valid };
}

/** Rows `from..from+n-1` of 64-bit values (two words each) as float64, NaN beyond 2^53. */
function fromWords(lo: Uint32Array, hi: Int32Array, from: number, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = 2 * (from + i);
    const h = hi[o + 1]!;
    out[i] = h >= -2097152 && h < 2097152 ? h * TWO32 + lo[o]! : NaN;
  }
}

/** Rows `from..from+n-1` of 128-bit values (four words each) as float64, NaN beyond 2^53. */
function fromWide(lo: Uint32Array, hi: Int32Array, from: number, n: number, out: Float64Array): void {
  for (let i = 0; i < n; i++) {
    const o = 4 * (from + i);
    const h = hi[o + 1]!;
    const sign = h >> 31;
    out[i] =
      h >= -2097152 && h < 2097152 && hi[o + 2] === sign && hi[o + 3] === sign ? h * TWO32 + lo[o]! : NaN;
  }
}

/** Writes `n` integers below 2^53 as the 64-bit words of rows `from…`; false at the first NaN. */
function toWords(values: Float64Array, words: Int32Array, from: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const r = values[i]!;
    const o = 2 * (from + i);
    if (r >= 0 && r < TWO32) {
      words[o] = r;
      continue;
    }
    if (r !== r) return false;
    const h = Math.floor(r / TWO32);
    words[o] = r - h * TWO32;
    words[o + 1] = h;
  }
  return true;
}

/** Writes `n` integers below 2^53 as the 128-bit words of rows `from…`; false at the first NaN. */
function toWide(values: Float64Array, words: Int32Array, from: number, n: number): boolean {
  for (let i = 0; i < n; i++) {
    const r = values[i]!;
    const o = 4 * (from + i);
    if (r >= 0 && r < TWO32) {
      words[o] = r;
      continue;
    }
    if (r !== r) return false;
    const h = Math.floor(r / TWO32);
    const sign = h < 0 ? -1 : 0;
    words[o] = r - h * TWO32;
    words[o + 1] = h;
    words[o + 2] = sign;
    words[o + 3] = sign;
  }
  return true;
}
