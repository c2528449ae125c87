/**
 * Small expression helpers shared by the rules: conjunct splitting, building boolean expressions,
 * column substitution, determinism, nullability, null-rejection and structural equality.
 */
import { transformUp, changed, unchanged, type DataType, type Value } from '../common/index.ts';
import {
  exprChildren,
  exprOps,
  exprType,
  planChildren,
  planExpressions,
  referencedIds,
  type Attribute,
  type ComparisonOp,
  type Expr,
  type LogicalPlan,
} from '../plan/index.ts';
import type { OptimizerContext } from './context.ts';

export const BOOLEAN: DataType = { kind: 'boolean' };

export function col(attr: Attribute): Expr {
  return { kind: 'column', attr };
}

export function lit(value: Value, type: DataType): Expr {
  return { kind: 'literal', value, type };
}

export const TRUE: Expr = lit(true, BOOLEAN);
export const FALSE: Expr = lit(false, BOOLEAN);

export function and(left: Expr, right: Expr): Expr {
  return { kind: 'binary', op: 'and', left, right, type: BOOLEAN, failOnError: false };
}

export function or(left: Expr, right: Expr): Expr {
  return { kind: 'binary', op: 'or', left, right, type: BOOLEAN, failOnError: false };
}

export function compare(op: ComparisonOp, left: Expr, right: Expr): Expr {
  return { kind: 'binary', op, left, right, type: BOOLEAN, failOnError: false };
}

export { conjoin, splitConjuncts } from '../plan/index.ts';

export function idsOf(attrs: readonly Attribute[]): Set<number> {
  return new Set(attrs.map((a) => a.id));
}

export function refs(e: Expr): Set<number> {
  return referencedIds(e);
}

export function isSubsetOf(a: ReadonlySet<number>, b: ReadonlySet<number>): boolean {
  for (const x of a) if (!b.has(x)) return false;
  return true;
}

/** Replaces column references whose id is in `map`. */
export function substitute(e: Expr, map: ReadonlyMap<number, Expr>): Expr {
  return transformUp(exprOps, e, (n) => {
    if (n.kind === 'column') {
      const r = map.get(n.attr.id);
      if (r !== undefined) return changed(r);
    }
    return unchanged(n);
  }).node;
}

/** Calls that must not be folded, deduplicated or moved (used when the context has no registry hook). */
const NON_DETERMINISTIC = new Set([
  'rand',
  'random',
  'randn',
  'uuid',
  'shuffle',
  'monotonically_increasing_id',
  'spark_partition_id',
  'input_file_name',
  'current_timestamp',
  'now',
  'current_date',
  'curdate',
  'current_time',
  'localtimestamp',
]);

export function isDeterministicCall(name: string, ctx: OptimizerContext): boolean {
  const lower = name.toLowerCase();
  if (NON_DETERMINISTIC.has(lower)) return false;
  return ctx.isDeterministic === undefined ? true : ctx.isDeterministic(lower);
}

/** False if any call inside is non-deterministic (window functions and aggregates count as not movable). */
export function isDeterministic(e: Expr, ctx: OptimizerContext): boolean {
  if (e.kind === 'call' && !isDeterministicCall(e.name, ctx)) return false;
  if (e.kind === 'window') return false;
  return exprChildren(e).every((c) => isDeterministic(c, ctx));
}

export function containsSubquery(e: Expr): boolean {
  if (e.kind === 'scalar_subquery' || e.kind === 'exists' || e.kind === 'in_subquery') return true;
  return exprChildren(e).some(containsSubquery);
}

export function containsAggregateOrWindow(e: Expr): boolean {
  if (e.kind === 'aggregate' || e.kind === 'window') return true;
  return exprChildren(e).some(containsAggregateOrWindow);
}

/** Deterministic, no subqueries, no aggregates: safe to evaluate at another place in the plan. */
export function isMovable(e: Expr, ctx: OptimizerContext): boolean {
  return isDeterministic(e, ctx) && !containsSubquery(e) && !containsAggregateOrWindow(e);
}

export function hasOuterRef(e: Expr): boolean {
  if (e.kind === 'outer_ref') return true;
  if (e.kind === 'scalar_subquery' || e.kind === 'exists' || e.kind === 'in_subquery') {
    if (planHasOuterRef(e.plan)) return true;
  }
  return exprChildren(e).some(hasOuterRef);
}

/** True if an outer_ref appears anywhere in the plan, including nested subquery plans. */
export function planHasOuterRef(plan: LogicalPlan): boolean {
  return planExpressions(plan).some(hasOuterRef) || planChildren(plan).some(planHasOuterRef);
}

/** Conservative: true unless the expression provably never yields NULL. */
export function isNullable(e: Expr): boolean {
  switch (e.kind) {
    case 'literal':
      return e.value === null;
    case 'column':
    case 'outer_ref':
      return e.attr.nullable;
    case 'binary':
      if (e.op === '<=>') return false;
      if (e.op === '/' || e.op === '%' || e.op === 'div') return true;
      if (!e.failOnError && (e.op === '+' || e.op === '-' || e.op === '*')) return true;
      return isNullable(e.left) || isNullable(e.right);
    case 'unary':
      if (e.op === 'not' || e.op === 'negate') return isNullable(e.input);
      return false;
    case 'cast':
      return e.mode !== 'ansi' || isNullable(e.input);
    case 'call':
      return e.nullable;
    case 'exists':
      return false;
    default:
      return true;
  }
}

/**
 * True if `e` is NULL whenever all of `attrs` are NULL (so a WHERE conjunct `e` rejects the
 * NULL-extended rows of an outer join). Syntactic and conservative.
 */
export function rejectsNulls(e: Expr, attrs: ReadonlySet<number>): boolean {
  switch (e.kind) {
    case 'binary':
      if (e.op === 'and') return rejectsNulls(e.left, attrs) || rejectsNulls(e.right, attrs);
      if (e.op === 'or') return rejectsNulls(e.left, attrs) && rejectsNulls(e.right, attrs);
      if (e.op === '<=>') return false;
      return nullIntolerant(e.left, attrs) || nullIntolerant(e.right, attrs);
    case 'unary':
      if (e.op === 'is_not_null' || e.op === 'is_true' || e.op === 'is_false')
        return nullIntolerant(e.input, attrs);
      if (e.op === 'not') return nullIntolerant(e.input, attrs);
      return false;
    case 'in_list':
      return nullIntolerant(e.input, attrs);
    default:
      return nullIntolerant(e, attrs);
  }
}

/** True if `e` is NULL whenever all of `attrs` are NULL. */
function nullIntolerant(e: Expr, attrs: ReadonlySet<number>): boolean {
  switch (e.kind) {
    case 'column':
      return attrs.has(e.attr.id);
    case 'binary':
      if (e.op === 'and' || e.op === 'or' || e.op === '<=>') return false;
      return nullIntolerant(e.left, attrs) || nullIntolerant(e.right, attrs);
    case 'unary':
      return (e.op === 'not' || e.op === 'negate') && nullIntolerant(e.input, attrs);
    case 'cast':
      return nullIntolerant(e.input, attrs);
    case 'in_list':
      return nullIntolerant(e.input, attrs);
    case 'call':
      return NULL_INTOLERANT_CALLS.has(e.name) && e.args.some((a) => nullIntolerant(a, attrs));
    default:
      return false;
  }
}

const NULL_INTOLERANT_CALLS = new Set([
  'like',
  'ilike',
  'substring',
  'substr',
  'upper',
  'lower',
  'abs',
  'year',
  'month',
]);

/** Structural equality of plain data (expressions, plans, values). */
export function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== typeof b || a === null || b === null) return false;
  if (typeof a !== 'object') return false;
  if (a instanceof Uint8Array || b instanceof Uint8Array) {
    if (!(a instanceof Uint8Array && b instanceof Uint8Array) || a.length !== b.length) return false;
    return a.every((x, i) => x === b[i]);
  }
  if (a instanceof Map || b instanceof Map) {
    if (!(a instanceof Map && b instanceof Map) || a.size !== b.size) return false;
    const bs = [...b.entries()];
    return [...a.entries()].every(([k, v], i) => deepEqual(k, bs[i]![0]) && deepEqual(v, bs[i]![1]));
  }
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ao = a as Record<string, unknown>;
  const bo = b as Record<string, unknown>;
  const ak = Object.keys(ao).filter((k) => ao[k] !== undefined);
  const bk = Object.keys(bo).filter((k) => bo[k] !== undefined);
  if (ak.length !== bk.length) return false;
  return ak.every((k) => deepEqual(ao[k], bo[k]));
}

export function exprEquals(a: Expr, b: Expr): boolean {
  return deepEqual(a, b);
}

export { exprType };
