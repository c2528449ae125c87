/**
 * A tree of decimal `+`, `-` and `*` (Q1's `l_extendedprice * (1 - l_discount) * (1 + l_tax)`)
 * evaluated row by row in one generated loop over float64 unscaled values, instead of node by node
 * over 64- and 128-bit words: only the root is written as the result's decimal words (the
 * intermediates, decimal(32,4) and the like, are never materialized). The loop's source is built
 * from the tree's shape and numbers alone (operand kinds, scale multipliers, precision limits) and
 * compiled once per shape with `new Function`.
 *
 * Exactness: a value is kept only while it is an integer below 2^53 in magnitude and within its
 * node's precision. A batch with a row that is not NULL and leaves that range (or an operand
 * beyond 2^53) is evaluated again by the node-by-node kernels (`fallback`), whose answers, errors
 * and NULLs (ANSI off) are Spark's — so this path only ever answers rows it answers exactly. Trees
 * that would round (a result scale below the exact one: precision capped at 38) are not taken.
 */
import type * as arrow from 'apache-arrow';
import { MAX_DECIMAL64_PRECISION, makeColumn, type DataType } from '../../common/index.ts';
import type { Expr } from '../../plan/index.ts';
import { exprType } from '../../plan/index.ts';
import type { ColumnarValue, EvalContext } from '../../functions/index.ts';
import { validityBytes } from '../../functions/index.ts';

type Evaluator = (batch: arrow.RecordBatch, ctx: EvalContext) => ColumnarValue;

const SAFE = 9007199254740991;

/** Where a leaf's values are in the current batch. */
type LeafSource =
  | { readonly kind: 'scalar'; readonly value: number }
  | { readonly kind: 'words'; readonly lo: Uint32Array; readonly hi: Int32Array; readonly wide: boolean }
  | { readonly kind: 'ints'; readonly ints: Int32Array | Int16Array | Int8Array };

/** What the generated loop reads of a leaf (known when the tree is compiled). */
type LeafLayout = 'words' | 'wide' | 'ints';

/** `(sources, words, n, valid) → exact`: writes every row that is not NULL, false at a row it cannot. */
type TreeKernel = (
  sources: readonly unknown[],
  words: Int32Array,
  n: number,
  valid: Uint8Array | null,
) => boolean;

const kernels = new Map<string, TreeKernel>();

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

function layoutOf(t: DataType): LeafLayout {
  if (t.kind === 'decimal') return t.precision > MAX_DECIMAL64_PRECISION ? 'wide' : 'words';
  return t.kind === 'bigint' ? 'words' : 'ints';
}

/** Whether `e` is a decimal `+`, `-` or `*` this module evaluates. */
function isTreeOp(e: Expr): e is Extract<Expr, { kind: 'binary' }> & { op: '+' | '-' | '*' } {
  return e.kind === 'binary' && (e.op === '+' || e.op === '-' || e.op === '*') && e.type.kind === 'decimal';
}

/** A number as JavaScript source (integers within 2^53 and powers of ten print exactly). */
function num(x: number): string {
  return x < 0 ? `(${x})` : String(x);
}

/**
 * The evaluator of decimal tree `e`, or null when `e` is not one this module takes. `leaf`
 * compiles an operand that is not part of the tree; `fallback` evaluates `e` node by node.
 * `shared` marks subtrees computed once for several expressions (common subexpressions): they are
 * operands, read from their column, rather than computed again inside the tree.
 */
export function compileDecimalTree(
  e: Expr,
  leaf: (operand: Expr) => Evaluator,
  fallback: Evaluator,
  shared: (x: Expr) => boolean = () => false,
): Evaluator | null {
  if (!isTreeOp(e)) return null;
  const leaves: { readonly eval: Evaluator; readonly type: DataType }[] = [];
  const prologue: string[] = [];
  const body: string[] = [];
  let temps = 0;
  // Appends the code computing `x` for row i; returns the expression naming its value.
  const emit = (x: Expr): string | null => {
    if (!isTreeOp(x) || (x !== e && shared(x))) {
      const type = exprType(x);
      if (scaleOf(type) === null) return null;
      if (x.kind === 'literal') {
        const v = x.value;
        const n = typeof v === 'bigint' ? Number(v) : typeof v === 'number' ? v : NaN;
        return Number.isSafeInteger(n) ? num(n) : null;
      }
      const k = leaves.length;
      leaves.push({ eval: leaf(x), type });
      const layout = layoutOf(type);
      const v = `v${k}`;
      if (layout === 'ints') {
        prologue.push(`const i${k} = s[${k}];`);
        body.push(`const ${v} = i${k}[i];`);
        return v;
      }
      const stride = layout === 'wide' ? 4 : 2;
      prologue.push(`const lo${k} = s[${k}].lo, hi${k} = s[${k}].hi;`);
      body.push(`const h${k} = hi${k}[${stride} * i + 1];`);
      const sign =
        layout === 'wide' ? ` || hi${k}[4 * i + 2] !== h${k} >> 31 || hi${k}[4 * i + 3] !== h${k} >> 31` : '';
      body.push(`if (h${k} < -2097152 || h${k} >= 2097152${sign}) return false;`);
      body.push(`const ${v} = h${k} * 4294967296 + lo${k}[${stride} * i];`);
      return v;
    }
    const s1 = scaleOf(exprType(x.left));
    const s2 = scaleOf(exprType(x.right));
    if (s1 === null || s2 === null || x.type.kind !== 'decimal') return null;
    const s = x.type.scale;
    const limit = x.type.precision <= 15 ? 10 ** x.type.precision - 1 : SAFE;
    const a = emit(x.left);
    if (a === null) return null;
    const b = emit(x.right);
    if (b === null) return null;
    const t = `t${temps++}`;
    if (x.op === '*') {
      if (s1 + s2 !== s) return null; // rounds
      body.push(`const ${t} = ${a} * ${b};`);
      body.push(`if (!(Math.abs(${t}) <= ${num(limit)})) return false;`);
      return t;
    }
    if (Math.max(s1, s2) !== s) return null; // rounds
    const ma = 10 ** (s - s1);
    const mb = 10 ** (s - s2);
    if (ma > 1e15 || mb > 1e15) return null;
    const x1 = ma === 1 ? a : `(${a} * ${num(ma)})`;
    const y1 = mb === 1 ? b : `(${b} * ${num(mb)})`;
    body.push(`const ${t}a = ${x1}, ${t}b = ${y1}, ${t} = ${t}a ${x.op} ${t}b;`);
    body.push(
      `if (!(Math.abs(${t}a) <= ${num(SAFE)} && Math.abs(${t}b) <= ${num(SAFE)} && Math.abs(${t}) <= ${num(limit)})) return false;`,
    );
    return t;
  };
  const root = emit(e);
  if (root === null || temps === 0) return null;
  const type = e.type as Extract<DataType, { kind: 'decimal' }>;
  const wide = type.precision > MAX_DECIMAL64_PRECISION;
  const kernel = kernelFor(prologue, body, root, wide);
  const layouts = leaves.map((l) => layoutOf(l.type));
  return (batch, ctx) => {
    const n = batch.numRows;
    let valid: Uint8Array | null = null;
    const sources: unknown[] = [];
    for (let k = 0; k < leaves.length; k++) {
      const l = leaves[k]!;
      const bound = bindLeaf(l.eval(batch, ctx), l.type, n);
      // A constant where a column was expected: the node-by-node kernels answer.
      if (bound === null || bound.source.kind === 'scalar') return fallback(batch, ctx);
      const src = bound.source;
      if ((src.kind === 'ints') !== (layouts[k] === 'ints')) return fallback(batch, ctx);
      sources.push(src.kind === 'ints' ? src.ints : src);
      if (bound.valid !== null) {
        if (valid === null) valid = bound.valid.slice(0, n);
        else for (let i = 0; i < n; i++) valid[i]! &= bound.valid[i]!;
      }
    }
    const out = new BigInt64Array(wide ? 2 * n : n);
    if (!kernel(sources, new Int32Array(out.buffer), n, valid)) return fallback(batch, ctx);
    return { kind: 'array', data: makeColumn(type, out, n, valid) };
  };
}

/** The compiled loop of one tree shape (cached by its source). */
function kernelFor(
  prologue: readonly string[],
  body: readonly string[],
  root: string,
  wide: boolean,
): TreeKernel {
  const write = wide
    ? [
        'const o = 4 * i;',
        `if (${root} >= 0 && ${root} < 4294967296) { w[o] = ${root}; continue; }`,
        `const g = Math.floor(${root} / 4294967296), sg = g < 0 ? -1 : 0;`,
        `w[o] = ${root} - g * 4294967296; w[o + 1] = g; w[o + 2] = sg; w[o + 3] = sg;`,
      ]
    : [
        'const o = 2 * i;',
        `if (${root} >= 0 && ${root} < 4294967296) { w[o] = ${root}; continue; }`,
        `const g = Math.floor(${root} / 4294967296);`,
        `w[o] = ${root} - g * 4294967296; w[o + 1] = g;`,
      ];
  const source = [
    "'use strict';",
    ...prologue,
    'for (let i = 0; i < n; i++) {',
    'if (valid !== null && valid[i] === 0) continue;',
    ...body,
    ...write,
    '}',
    'return true;',
  ].join('\n');
  let kernel = kernels.get(source);
  if (kernel === undefined) {
    // The source holds only names and numbers built above, never text from a query.
    // eslint-disable-next-line @typescript-eslint/no-implied-eval
    kernel = new Function('s', 'w', 'n', 'valid', source) as TreeKernel;
    kernels.set(source, kernel);
  }
  return kernel;
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
