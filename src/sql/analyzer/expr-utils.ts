/**
 * Small helpers over bound expressions: structural keys (to match `GROUP BY a + 1` with `a + 1` in
 * the select list), nullability, implicit casts, and folding a cast of a literal for VALUES rows.
 */
import { isIntegral, typesEqual, type DataType, type Value } from '../../common/index.ts';
import { exprChildren, exprType, type Expr, type LogicalPlan } from '../../plan/index.ts';
import { localToUtcMicros } from '../../functions/index.ts';
import type { AnalyzerContext } from './context.ts';

const planIds = new WeakMap<LogicalPlan, number>();
let nextPlanId = 0;

function planKey(p: LogicalPlan): number {
  let id = planIds.get(p);
  if (id === undefined) {
    id = nextPlanId++;
    planIds.set(p, id);
  }
  return id;
}

function valueKey(v: Value): string {
  if (v === null) return 'null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'string') return JSON.stringify(v);
  if (v instanceof Uint8Array) return `x${[...v].join(',')}`;
  if (Array.isArray(v)) return `[${(v as Value[]).map(valueKey).join(',')}]`;
  if (typeof v === 'object')
    return `map${[...(v as ReadonlyMap<Value, Value>)].map(([k, x]) => `${valueKey(k)}:${valueKey(x)}`).join(',')}`;
  return String(v);
}

function typeKey(t: DataType): string {
  return JSON.stringify(t);
}

/** A string equal for structurally equal expressions (same attribute ids, same operators). */
export function exprKey(e: Expr): string {
  switch (e.kind) {
    case 'literal':
      return `lit(${valueKey(e.value)}:${typeKey(e.type)})`;
    case 'column':
      return `#${e.attr.id}`;
    case 'outer_ref':
      return `outer#${e.attr.id}`;
    case 'parameter':
      return `$${e.index}`;
    case 'scalar_subquery':
    case 'exists':
      return `${e.kind}@${planKey(e.plan)}`;
    case 'in_subquery':
      return `in@${planKey(e.plan)}(${e.values.map(exprKey).join(',')})${e.negated ? '!' : ''}`;
    case 'binary':
      return `(${exprKey(e.left)} ${e.op} ${exprKey(e.right)})`;
    case 'unary':
      return `${e.op}(${exprKey(e.input)})`;
    case 'cast':
      return `cast(${exprKey(e.input)}:${typeKey(e.type)}:${e.mode})`;
    case 'case':
      return `case(${e.branches.map((b) => `${exprKey(b.when)}=>${exprKey(b.then)}`).join(';')};${e.otherwise === null ? '' : exprKey(e.otherwise)})`;
    case 'in_list':
      return `in(${exprKey(e.input)};${e.list.map(exprKey).join(',')})${e.negated ? '!' : ''}`;
    case 'call':
      return `${e.name}(${e.args.map(exprKey).join(',')})`;
    case 'higher_order':
      return `hof:${e.name}(${e.args.map(exprKey).join(',')};${e.lambdas.map((l) => `(${l.params.map((p) => `${p.id}:${typeKey(p.type)}`).join(',')})->${exprKey(l.body)}`).join(';')})`;
    case 'lambda_var':
      return `lambda#${e.variable.id}`;
    case 'aggregate':
      return `agg:${e.name}${e.distinct ? ':d' : ''}${e.ignoreNulls ? ':i' : ''}(${e.args.map(exprKey).join(',')})${e.filter === null ? '' : `[${exprKey(e.filter)}]`}`;
    case 'window':
      return `win(${exprKey(e.function)} over ${windowSpecKey(e)}|${JSON.stringify(e.spec.frame, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))})`;
  }
}

/** Key of a window's partitioning and ordering (not its frame): expressions sharing it share a Window node. */
export function windowSpecKey(e: Expr & { kind: 'window' }): string {
  return `p(${e.spec.partitionBy.map(exprKey).join(',')})o(${e.spec.orderBy
    .map((o) => `${exprKey(o.expr)}${o.ascending ? 'a' : 'd'}${o.nullsFirst ? 'f' : 'l'}`)
    .join(',')})`;
}

/** Whether the expression may evaluate to NULL (conservative). */
export function exprNullable(e: Expr): boolean {
  switch (e.kind) {
    case 'literal':
      return e.value === null;
    case 'column':
    case 'outer_ref':
      return e.attr.nullable;
    case 'call':
    case 'higher_order':
      return e.nullable;
    case 'lambda_var':
      return e.variable.nullable;
    case 'exists':
      return false;
    case 'unary':
      if (e.op === 'is_null' || e.op === 'is_not_null' || e.op.startsWith('is_')) return false;
      return exprNullable(e.input);
    case 'binary':
      if (e.op === '<=>') return false;
      if (e.op === '/' || e.op === '%' || e.op === 'div') return true;
      return exprNullable(e.left) || exprNullable(e.right) || !e.failOnError;
    case 'cast':
      return e.mode !== 'ansi' || exprNullable(e.input);
    case 'case':
      return (
        e.otherwise === null || exprNullable(e.otherwise) || e.branches.some((b) => exprNullable(b.then))
      );
    case 'in_list':
      return exprNullable(e.input) || e.list.some(exprNullable);
    case 'aggregate':
      return e.name !== 'count' && e.name !== 'count_if' && e.name !== 'approx_count_distinct';
    case 'window':
      return e.function.kind === 'aggregate'
        ? exprNullable(e.function)
        : !['row_number', 'rank', 'dense_rank', 'percent_rank', 'cume_dist', 'ntile'].includes(
            e.function.name,
          );
    case 'in_subquery':
    case 'parameter':
    case 'scalar_subquery':
      return true;
  }
}

/** `e` cast to `type` (no-op when already of that type; a NULL literal just changes type). */
export function castTo(e: Expr, type: DataType, mode: 'ansi' | 'try' | 'legacy' = 'ansi'): Expr {
  const from = exprType(e);
  if (
    typesEqual(from, type) &&
    !(
      type.kind === 'string' &&
      from.kind === 'string' &&
      type.maxLength !== from.maxLength &&
      type.maxLength !== undefined
    )
  ) {
    return e;
  }
  if (e.kind === 'literal' && e.value === null) return { kind: 'literal', value: null, type };
  return { kind: 'cast', input: e, type, mode };
}

/**
 * The value of a literal cast to `to`, for the exact widening casts VALUES needs; undefined
 * otherwise. `timeZone` (the session's) places a DATE's midnight when it becomes a TIMESTAMP.
 */
export function foldLiteralCast(
  value: Value,
  from: DataType,
  to: DataType,
  timeZone: string,
): Value | undefined {
  if (value === null || typesEqual(from, to)) return value;
  if (isIntegral(from)) {
    const v = BigInt(value as number | bigint);
    if (to.kind === 'tinyint' || to.kind === 'smallint' || to.kind === 'int') return Number(v);
    if (to.kind === 'bigint') return v;
    if (to.kind === 'decimal') return v * 10n ** BigInt(to.scale);
    if (to.kind === 'double' || to.kind === 'float') return Number(v);
  }
  if (from.kind === 'decimal') {
    const v = value as bigint;
    if (to.kind === 'decimal' && to.scale >= from.scale) return v * 10n ** BigInt(to.scale - from.scale);
    if (to.kind === 'double' || to.kind === 'float') return Number(v) / 10 ** from.scale;
  }
  if (from.kind === 'float' && to.kind === 'double') return value;
  if (from.kind === 'date' && to.kind === 'timestamp_ntz') return BigInt(value as number) * 86400000000n;
  if (from.kind === 'date' && to.kind === 'timestamp')
    return localToUtcMicros(BigInt(value as number) * 86400000000n, timeZone);
  if (from.kind === 'null') return null;
  return undefined;
}

/** True if any sub-expression (not looking into subquery plans) satisfies `pred`. */
export function anyExpr(e: Expr, pred: (x: Expr) => boolean): boolean {
  if (pred(e)) return true;
  return exprChildren(e).some((c) => anyExpr(c, pred));
}

/**
 * `e` as a literal when it is foldable — no column, outer reference, subquery, aggregate, window,
 * lambda or non-deterministic call — and evaluates without error (Spark's foldable constants, as
 * in `LIMIT 1 + 1`); `e` itself otherwise.
 */
export function foldConstant(ctx: AnalyzerContext, e: Expr): Expr {
  if (e.kind === 'literal' || ctx.evaluateConstant === undefined) return e;
  const foldable = (x: Expr): boolean => {
    switch (x.kind) {
      case 'literal':
        return true;
      case 'binary':
      case 'unary':
      case 'cast':
      case 'case':
      case 'in_list':
        return exprChildren(x).every(foldable);
      case 'call': {
        const def = ctx.functions.lookup(x.name);
        return def?.kind === 'scalar' && def.deterministic !== false && x.args.every(foldable);
      }
      default:
        return false;
    }
  };
  if (!foldable(e)) return e;
  try {
    return { kind: 'literal', value: ctx.evaluateConstant(e), type: exprType(e) };
  } catch {
    return e;
  }
}
