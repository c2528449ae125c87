/**
 * Row-group and file pruning: turns the scan's pushed-down conjuncts into a test "could any row of
 * this row group (or file) satisfy them?" over per-column ranges (min, max, null count).
 *
 * Understood: `col <op> literal` for = <> < <= > >= <=> (either side), `col [NOT] IN (literals)`
 * (only the positive form prunes), `IS [NOT] NULL`, `IS TRUE/FALSE` and bare boolean columns, AND,
 * OR, NOT of null tests; a column may be wrapped in casts that never reorder values (integer
 * widening, integer/float → double, integer → decimal, decimal → decimal with no lower scale).
 * Everything else counts as "may match": pruning never drops a row group that could hold a match.
 * NULLs never satisfy a comparison; float/double columns are pruned only where NaN (greater than
 * every number in Spark, and absent from Parquet statistics) could not match either.
 */
import {
  decimalForIntegral,
  isIntegral,
  utf8,
  type DataType,
  type Field,
  type Value,
} from '../../common/index.ts';
import type { ComparisonOp, Expr } from '../../plan/index.ts';
import type { ColumnRange } from './parquet-stats.ts';

/** A column's range in a row group or file; null when nothing is known. */
export type RangeLookup = (column: number) => ColumnRange | null;

type Transform = (v: Value) => Value;

interface ColumnTerm {
  readonly column: number;
  /** The type values are compared in (after casts). */
  readonly type: DataType;
  /** Maps a bound of the column's declared type into `type` (monotone non-decreasing). */
  readonly transform: Transform | null;
}

type Node =
  | { readonly kind: 'const'; readonly value: boolean }
  | { readonly kind: 'cmp'; readonly term: ColumnTerm; readonly op: ComparisonOp; readonly value: Value }
  | { readonly kind: 'in'; readonly term: ColumnTerm; readonly values: readonly Value[] }
  | { readonly kind: 'null'; readonly column: number; readonly isNull: boolean }
  | { readonly kind: 'and' | 'or'; readonly children: readonly Node[] };

const MAYBE: Node = { kind: 'const', value: true };
const NEVER: Node = { kind: 'const', value: false };

export interface PruningPredicate {
  /** Table column indexes the predicate looks at. */
  readonly columns: ReadonlySet<number>;
  /** False only when no row described by the ranges can satisfy every conjunct. */
  canMatch(lookup: RangeLookup): boolean;
}

/** Compiles the conjuncts over the table columns `columns`; null when none of them can prune. */
export function compilePruningPredicate(
  filters: readonly Expr[],
  columns: readonly Field[],
): PruningPredicate | null {
  const byName = new Map<string, number>();
  columns.forEach((c, i) => byName.set(c.name.toLowerCase(), i));
  const compiler = new Compiler(byName, columns);
  const nodes = filters.map((f) => compiler.node(f)).filter((n) => !(n.kind === 'const' && n.value));
  if (nodes.length === 0) return null;
  const root: Node = nodes.length === 1 ? nodes[0]! : { kind: 'and', children: nodes };
  const used = new Set<number>();
  collectColumns(root, used);
  return { columns: used, canMatch: (lookup) => evaluate(root, lookup) };
}

function collectColumns(n: Node, out: Set<number>): void {
  switch (n.kind) {
    case 'const':
      return;
    case 'cmp':
    case 'in':
      out.add(n.term.column);
      return;
    case 'null':
      out.add(n.column);
      return;
    case 'and':
    case 'or':
      for (const c of n.children) collectColumns(c, out);
  }
}

const FLIPPED: Record<ComparisonOp, ComparisonOp> = {
  '=': '=',
  '<>': '<>',
  '<': '>',
  '<=': '>=',
  '>': '<',
  '>=': '<=',
  '<=>': '<=>',
};

function isComparison(op: string): op is ComparisonOp {
  return op in FLIPPED;
}

class Compiler {
  private readonly byName: ReadonlyMap<string, number>;
  private readonly columns: readonly Field[];

  constructor(byName: ReadonlyMap<string, number>, columns: readonly Field[]) {
    this.byName = byName;
    this.columns = columns;
  }

  node(e: Expr): Node {
    switch (e.kind) {
      case 'binary': {
        if (e.op === 'and' || e.op === 'or') {
          return { kind: e.op, children: [this.node(e.left), this.node(e.right)] };
        }
        if (!isComparison(e.op)) return MAYBE;
        const left = this.term(e.left);
        if (left !== null && e.right.kind === 'literal') return this.comparison(left, e.op, e.right);
        const right = this.term(e.right);
        if (right !== null && e.left.kind === 'literal') return this.comparison(right, FLIPPED[e.op], e.left);
        return MAYBE;
      }
      case 'in_list': {
        if (e.negated) return MAYBE;
        const term = this.term(e.input);
        if (term === null) return MAYBE;
        const values: Value[] = [];
        for (const item of e.list) {
          if (item.kind !== 'literal' || !literalFits(item.type, term.type)) return MAYBE;
          if (item.value !== null) values.push(comparable(item.value));
        }
        return { kind: 'in', term, values };
      }
      case 'unary': {
        switch (e.op) {
          case 'is_null':
          case 'is_not_null': {
            const column = this.nullTestColumn(e.input);
            return column === null ? MAYBE : { kind: 'null', column, isNull: e.op === 'is_null' };
          }
          case 'is_true':
          case 'is_false': {
            const term = this.term(e.input);
            if (term === null || term.type.kind !== 'boolean') return MAYBE;
            return { kind: 'cmp', term, op: '=', value: e.op === 'is_true' };
          }
          case 'not': {
            const inner = e.input;
            if (inner.kind === 'unary' && (inner.op === 'is_null' || inner.op === 'is_not_null')) {
              const column = this.nullTestColumn(inner.input);
              return column === null ? MAYBE : { kind: 'null', column, isNull: inner.op !== 'is_null' };
            }
            return MAYBE;
          }
          default:
            return MAYBE;
        }
      }
      case 'column': {
        const term = this.term(e);
        if (term === null || term.type.kind !== 'boolean') return MAYBE;
        return { kind: 'cmp', term, op: '=', value: true };
      }
      case 'literal':
        return e.value === null || e.value === false ? NEVER : MAYBE;
      default:
        return MAYBE;
    }
  }

  private comparison(term: ColumnTerm, op: ComparisonOp, literal: Expr & { kind: 'literal' }): Node {
    if (!literalFits(literal.type, term.type)) return MAYBE;
    if (literal.value === null) {
      // `col <=> NULL` is `col IS NULL`; any other comparison with NULL is never true.
      if (op !== '<=>') return NEVER;
      return term.transform === null ? { kind: 'null', column: term.column, isNull: true } : MAYBE;
    }
    if (typeof literal.value === 'number' && Number.isNaN(literal.value)) return MAYBE;
    const kind = term.type.kind;
    if ((kind === 'float' || kind === 'double') && (op === '>' || op === '>=' || op === '<>')) return MAYBE;
    return { kind: 'cmp', term, op, value: comparable(literal.value) };
  }

  private nullTestColumn(e: Expr): number | null {
    // Casts of these kinds keep NULL as NULL and never make NULL from a value.
    const term = this.term(e);
    return term === null ? null : term.column;
  }

  /** A table column, possibly under order-preserving casts. */
  private term(e: Expr): ColumnTerm | null {
    if (e.kind === 'column') {
      const column = this.byName.get(e.attr.name.toLowerCase());
      if (column === undefined) return null;
      return { column, type: this.columns[column]!.type, transform: null };
    }
    if (e.kind === 'cast' && e.mode !== 'try') {
      const inner = this.term(e.input);
      if (inner === null) return null;
      const step = monotoneCast(inner.type, e.type);
      if (step === null) return null;
      const previous = inner.transform;
      const transform: Transform = previous === null ? step : (v) => step(previous(v));
      return { column: inner.column, type: e.type, transform };
    }
    return null;
  }
}

/** The literal is compared in the term's type (the analyzer's contract; checked to be safe). */
function literalFits(literal: DataType, term: DataType): boolean {
  if (literal.kind === 'null') return true;
  if (literal.kind !== term.kind) return false;
  if (literal.kind === 'decimal' && term.kind === 'decimal') return literal.scale === term.scale;
  if (term.kind === 'string' && term.fixed === true) return false;
  return true;
}

/** Strings compare as UTF-8 bytes, unsigned, as Parquet orders them. */
function comparable(v: Value): Value {
  return typeof v === 'string' ? utf8.encoder.encode(v) : v;
}

/** A cast that maps ordered values to ordered values (never reorders), as a function on bounds. */
function monotoneCast(from: DataType, to: DataType): Transform | null {
  if (from.kind === to.kind && from.kind !== 'decimal') return (v) => v;
  if (isIntegral(from) && isIntegral(to)) {
    const rank = { tinyint: 1, smallint: 2, int: 3, bigint: 4 } as Record<string, number>;
    if (rank[from.kind]! > rank[to.kind]!) return null;
    if (to.kind === 'bigint') return (v) => (typeof v === 'number' ? BigInt(v) : v);
    return (v) => v;
  }
  if (to.kind === 'double' && (isIntegral(from) || from.kind === 'float')) {
    return (v) => (typeof v === 'bigint' ? Number(v) : v);
  }
  if (to.kind === 'decimal') {
    const src = from.kind === 'decimal' ? from : isIntegral(from) ? decimalForIntegral(from) : undefined;
    if (src === undefined) return null;
    if (to.scale < src.scale || to.precision - to.scale < src.precision - src.scale) return null;
    const factor = 10n ** BigInt(to.scale - src.scale);
    return (v) => (typeof v === 'number' ? BigInt(v) * factor : typeof v === 'bigint' ? v * factor : null);
  }
  return null;
}

function compareBytes(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const d = a[i]! - b[i]!;
    if (d !== 0) return d;
  }
  return a.length - b.length;
}

/** Orders two bounds of one type; null when they are not comparable (then nothing is pruned). */
export function compareBounds(a: Value, b: Value): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  if (a instanceof Uint8Array && b instanceof Uint8Array) return compareBytes(a, b);
  return null;
}

function mayHoldValue(r: ColumnRange): boolean {
  return r.nullCount === null || r.nullCount < r.rowCount;
}

function cmpCanMatch(min: Value, max: Value, op: ComparisonOp, value: Value): boolean {
  const lo = compareBounds(min, value); // min vs value
  const hi = compareBounds(max, value); // max vs value
  if (lo === null || hi === null) return true;
  switch (op) {
    case '=':
    case '<=>':
      return lo <= 0 && hi >= 0;
    case '<>':
      return !(lo === 0 && hi === 0);
    case '<':
      return lo < 0;
    case '<=':
      return lo <= 0;
    case '>':
      return hi > 0;
    case '>=':
      return hi >= 0;
  }
}

function bounds(term: ColumnTerm, r: ColumnRange): [Value, Value] | null {
  if (r.min === null || r.max === null) return null;
  if (term.transform === null) return [r.min, r.max];
  const min = term.transform(r.min);
  const max = term.transform(r.max);
  return min === null || max === null ? null : [min, max];
}

function evaluate(n: Node, lookup: RangeLookup): boolean {
  switch (n.kind) {
    case 'const':
      return n.value;
    case 'and':
      return n.children.every((c) => evaluate(c, lookup));
    case 'or':
      return n.children.some((c) => evaluate(c, lookup));
    case 'null': {
      const r = lookup(n.column);
      if (r === null || r.nullCount === null) return true;
      return n.isNull ? r.nullCount > 0 : r.nullCount < r.rowCount;
    }
    case 'cmp': {
      const r = lookup(n.term.column);
      if (r === null) return true;
      if (!mayHoldValue(r)) return false;
      const b = bounds(n.term, r);
      return b === null || cmpCanMatch(b[0], b[1], n.op, n.value);
    }
    case 'in': {
      const r = lookup(n.term.column);
      if (r === null) return true;
      if (!mayHoldValue(r) || n.values.length === 0) return false;
      const b = bounds(n.term, r);
      return b === null || n.values.some((v) => cmpCanMatch(b[0], b[1], '=', v));
    }
  }
}
