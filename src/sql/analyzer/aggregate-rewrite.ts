/**
 * Splits bound select-block expressions around an Aggregate and Window nodes:
 * grouping expressions become group attributes, aggregate calls become aggregate attributes
 * (deduplicated), `grouping()`/`grouping_id()` are computed from the grouping id, and any column
 * left over that is not grouped is a MISSING_AGGREGATION error. Window expressions are then
 * replaced by the attributes of Window nodes (one node per partition/order spec).
 */
import { SqlState, T } from '../../common/index.ts';
import {
  exprChildren,
  exprWithChildren,
  mapExpressions,
  planExpressions,
  planChildren,
  planWithChildren,
  type LogicalPlan,
  type AggregateExpr,
  type Attribute,
  type Expr,
  type NamedExpr,
  type WindowExpr,
} from '../../plan/index.ts';
import { analysisError } from './errors.ts';
import { exprKey, exprNullable, windowSpecKey } from './expr-utils.ts';

/**
 * True if `e` contains an aggregate call of the query it stands in, outside a window function
 * position: its own, or one written in a subquery, however deep, over `inputIds` (the columns of
 * the query's FROM) only. Without `inputIds`, a subquery's aggregate of any enclosing query counts.
 */
export function containsAggregate(e: Expr, inputIds: ReadonlySet<number> | null = null): boolean {
  const contains = (x: Expr): boolean => containsAggregate(x, inputIds);
  if (e.kind === 'aggregate') return true;
  if (e.kind === 'window') {
    const fn = e.function;
    const inner: Expr[] = [
      ...fn.args,
      ...(fn.kind === 'aggregate' && fn.filter !== null ? [fn.filter] : []),
      ...e.spec.partitionBy,
      ...e.spec.orderBy.map((o) => o.expr),
    ];
    return inner.some(contains);
  }
  if (e.kind === 'call' && groupingMarker.has(e)) return true;
  if (e.kind === 'exists' || e.kind === 'in_subquery' || e.kind === 'scalar_subquery') {
    if (holdsOuterAggregate(e.plan, inputIds)) return true;
  }
  return exprChildren(e).some(contains);
}

/**
 * Whether a subquery's plan holds an aggregate of the enclosing query (one outside any Aggregate
 * node of its own: `WHERE x = sum(t.b)`, over `inputIds` only when given), which makes the
 * enclosing query an aggregate query.
 */
function holdsOuterAggregate(plan: LogicalPlan, inputIds: ReadonlySet<number> | null): boolean {
  const own = plan.kind === 'Aggregate' ? new Set(plan.aggregates.map((a) => a.expr)) : null;
  const found = (x: Expr): boolean => {
    if (x.kind === 'window') return false; // the subquery's own window functions
    if (x.kind === 'aggregate') {
      if (own !== null && own.has(x)) return false;
      return inputIds === null || aggregateReferences(x).outer.every((a) => inputIds.has(a.id));
    }
    if (x.kind === 'exists' || x.kind === 'in_subquery' || x.kind === 'scalar_subquery')
      return holdsOuterAggregate(x.plan, inputIds) || exprChildren(x).some(found);
    return exprChildren(x).some(found);
  };
  return (
    planExpressions(plan).some(found) || planChildren(plan).some((c) => holdsOuterAggregate(c, inputIds))
  );
}

/** What an aggregate call's arguments and filter read: outer references, and any own column. */
export interface AggregateReferences {
  readonly outer: readonly Attribute[];
  readonly local: boolean;
}

export function aggregateReferences(agg: AggregateExpr): AggregateReferences {
  const outer: Attribute[] = [];
  let local = false;
  const walk = (x: Expr): void => {
    if (x.kind === 'outer_ref') outer.push(x.attr);
    else if (x.kind === 'column') local = true;
    else exprChildren(x).forEach(walk);
  };
  agg.args.forEach(walk);
  if (agg.filter !== null) walk(agg.filter);
  return { outer, local };
}

/** Calls to grouping()/grouping_id() created by the binder (they are not registry functions). */
export const groupingMarker = new WeakSet<Expr>();

export function containsWindow(e: Expr): boolean {
  return e.kind === 'window' || exprChildren(e).some(containsWindow);
}

/** A short display name for a bound expression (names of Aggregate outputs in EXPLAIN). */
export function planExprName(e: Expr): string {
  switch (e.kind) {
    case 'column':
    case 'outer_ref':
      return e.attr.name;
    case 'literal':
      if (e.value === null) return 'NULL';
      if (typeof e.value === 'bigint' && e.type.kind === 'decimal') return decimalText(e.value, e.type.scale);
      return typeof e.value === 'object' ? 'literal' : String(e.value);
    case 'binary':
      return `(${planExprName(e.left)} ${e.op === 'and' || e.op === 'or' ? e.op.toUpperCase() : e.op} ${planExprName(e.right)})`;
    case 'cast':
      return planExprName(e.input);
    case 'aggregate':
      return e.name === 'count' && e.args.length === 0
        ? 'count(1)'
        : `${e.name}(${e.distinct ? 'DISTINCT ' : ''}${e.args.map(planExprName).join(', ')})`;
    case 'call':
      return `${e.name}(${e.args.map(planExprName).join(', ')})`;
    case 'higher_order':
      return `${e.name}(${[...e.args.map(planExprName), ...e.lambdas.map((l) => `lambdafunction(${planExprName(l.body)})`)].join(', ')})`;
    case 'lambda_var':
      return e.variable.name;
    case 'unary':
      return `${e.op}(${planExprName(e.input)})`;
    case 'case':
    case 'exists':
    case 'in_list':
    case 'in_subquery':
    case 'parameter':
    case 'scalar_subquery':
    case 'window':
      return e.kind;
  }
}

function decimalText(v: bigint, scale: number): string {
  const neg = v < 0n;
  const s = (neg ? -v : v).toString().padStart(scale + 1, '0');
  const txt = scale === 0 ? s : `${s.slice(0, s.length - scale)}.${s.slice(s.length - scale)}`;
  return neg ? `-${txt}` : txt;
}

export interface AggregateRewriter {
  readonly aggregates: NamedExpr[];
  readonly rewrite: (e: Expr) => Expr;
}

/**
 * `groups` are the grouping expressions with their output attributes; `inputIds` the ids of the
 * Aggregate's input columns (a reference to one that is not grouped is an error).
 */
export function aggregateRewriter(
  groups: readonly NamedExpr[],
  inputIds: ReadonlySet<number>,
  nextId: () => number,
  positions: WeakMap<Expr, number>,
  groupingId: Attribute | null,
): AggregateRewriter {
  const groupByKey = new Map<string, Attribute>();
  groups.forEach((g) => {
    const k = exprKey(g.expr);
    if (!groupByKey.has(k)) groupByKey.set(k, g.attr);
  });
  const aggregates: NamedExpr[] = [];
  const aggByKey = new Map<string, Attribute>();
  const n = groups.length;

  const groupingBit = (arg: Expr, pos: number | undefined): Expr => {
    const index = groups.findIndex((g) => exprKey(g.expr) === exprKey(arg));
    if (index < 0) {
      throw analysisError(
        SqlState.groupingError,
        `[GROUPING_COLUMN_MISMATCH] Column of grouping (${planExprName(arg)}) can't be found in grouping columns.`,
        pos,
      );
    }
    const gid: Expr = { kind: 'column', attr: groupingId! };
    const shifted: Expr = {
      kind: 'binary',
      op: 'div',
      left: gid,
      right: { kind: 'literal', value: 2n ** BigInt(n - 1 - index), type: T.bigint },
      type: T.bigint,
      failOnError: true,
    };
    return {
      kind: 'binary',
      op: '%',
      left: shifted,
      right: { kind: 'literal', value: 2n, type: T.bigint },
      type: T.bigint,
      failOnError: true,
    };
  };

  const rewrite = (e: Expr): Expr => {
    const key = exprKey(e);
    const g = groupByKey.get(key);
    if (g !== undefined) return { kind: 'column', attr: g };
    if (e.kind === 'aggregate') {
      // An aggregate of the enclosing query's columns only: that query computes it.
      if (aggregateReferences(e).outer.length > 0) return e;
      let attr = aggByKey.get(key);
      if (attr === undefined) {
        attr = {
          id: nextId(),
          name: planExprName(e),
          type: e.type,
          nullable: exprNullable(e),
          qualifier: null,
        };
        aggByKey.set(key, attr);
        aggregates.push({ expr: e, attr });
      }
      return { kind: 'column', attr };
    }
    if (e.kind === 'window') {
      const fn = e.function;
      const newFn: AggregateExpr | typeof fn =
        fn.kind === 'aggregate'
          ? { ...fn, args: fn.args.map(rewrite), filter: fn.filter === null ? null : rewrite(fn.filter) }
          : { ...fn, args: fn.args.map(rewrite) };
      return {
        ...e,
        function: newFn,
        spec: {
          ...e.spec,
          partitionBy: e.spec.partitionBy.map(rewrite),
          orderBy: e.spec.orderBy.map((o) => ({ ...o, expr: rewrite(o.expr) })),
        },
      } satisfies WindowExpr;
    }
    if (e.kind === 'call' && groupingMarker.has(e)) {
      const pos = positions.get(e);
      if (groupingId === null) {
        throw analysisError(
          SqlState.invalidExpressionContext,
          `[UNSUPPORTED_GROUPING_EXPRESSION] grouping()/grouping_id() can only be used with GroupingSets/Cube/Rollup.`,
          pos,
        );
      }
      if (e.name === 'grouping')
        return { kind: 'cast', input: groupingBit(e.args[0]!, pos), type: T.tinyint, mode: 'ansi' };
      if (e.args.length === 0) return { kind: 'column', attr: groupingId };
      let acc: Expr | null = null;
      e.args.forEach((a, j) => {
        const bit = groupingBit(a, pos);
        const weight = 2n ** BigInt(e.args.length - 1 - j);
        const term: Expr =
          weight === 1n
            ? bit
            : {
                kind: 'binary',
                op: '*',
                left: bit,
                right: { kind: 'literal', value: weight, type: T.bigint },
                type: T.bigint,
                failOnError: true,
              };
        acc =
          acc === null
            ? term
            : { kind: 'binary', op: '+', left: acc, right: term, type: T.bigint, failOnError: true };
      });
      return acc!;
    }
    if (e.kind === 'exists' || e.kind === 'in_subquery' || e.kind === 'scalar_subquery') {
      const withPlan = { ...e, plan: rewriteOuterRefs(e.plan) };
      const kids = exprChildren(withPlan);
      return kids.length === 0 ? withPlan : exprWithChildren(withPlan, kids.map(rewrite));
    }
    if (e.kind === 'column') {
      if (inputIds.has(e.attr.id)) {
        throw analysisError(
          SqlState.groupingError,
          `[MISSING_AGGREGATION] The non-aggregating expression "${e.attr.name}" is based on columns which are not participating in the GROUP BY clause. Add the columns or the expression to the GROUP BY, or use "any_value(${e.attr.name})" if you do not care which of the values within a group is returned.`,
          positions.get(e),
        );
      }
      return e;
    }
    const kids = exprChildren(e);
    if (kids.length === 0) return e;
    return exprWithChildren(e, kids.map(rewrite));
  };
  /**
   * A subquery above the Aggregate (in HAVING, or the select list of a grouped query) sees the
   * grouped rows: its references to the Aggregate's input must be grouping expressions, which
   * become references to the group columns (`GROUP BY a % 2 … WHERE c % 2 = outer(a) % 2`).
   */
  const rewriteOuterRefs = (plan: LogicalPlan): LogicalPlan => {
    const outer = (x: Expr): Expr => {
      if (x.kind === 'aggregate' && aggregatesOuterInput(x)) {
        // An aggregate of this query's rows written in the subquery: computed here.
        const local = outerAsColumns(x);
        const attr = rewrite(local);
        if (attr.kind !== 'column') return x;
        return { kind: 'outer_ref', attr: attr.attr };
      }
      if (readsOnlyOuterInput(x)) {
        const g = groupByKey.get(exprKey(outerAsColumns(x)));
        if (g !== undefined) return { kind: 'outer_ref', attr: g };
        if (x.kind === 'outer_ref') {
          throw analysisError(
            SqlState.groupingError,
            `[MISSING_AGGREGATION] The non-aggregating expression "${x.attr.name}" is based on columns which are not participating in the GROUP BY clause. Add the columns or the expression to the GROUP BY, or use "any_value(${x.attr.name})" if you do not care which of the values within a group is returned.`,
            positions.get(x),
          );
        }
      }
      const nested =
        x.kind === 'exists' || x.kind === 'in_subquery' || x.kind === 'scalar_subquery'
          ? { ...x, plan: rewriteOuterRefs(x.plan) }
          : x;
      const kids = exprChildren(nested);
      return kids.length === 0 ? nested : exprWithChildren(nested, kids.map(outer));
    };
    const mapped = mapExpressions(plan, outer);
    return planWithChildren(mapped, planChildren(mapped).map(rewriteOuterRefs));
  };
  /** An aggregate whose arguments and filter read outer references to the Aggregate's input only. */
  const aggregatesOuterInput = (x: Expr & { kind: 'aggregate' }): boolean =>
    x.args.some(readsOnlyOuterInput) &&
    x.args.every((a) => a.kind === 'literal' || readsOnlyOuterInput(a)) &&
    (x.filter === null || readsOnlyOuterInput(x.filter));
  /** An expression over outer references to the Aggregate's input only (at least one). */
  const readsOnlyOuterInput = (x: Expr): boolean => {
    let outerSeen = false;
    const ok = (y: Expr): boolean => {
      if (y.kind === 'outer_ref') {
        outerSeen ||= inputIds.has(y.attr.id);
        return inputIds.has(y.attr.id);
      }
      if (
        y.kind === 'column' ||
        y.kind === 'aggregate' ||
        y.kind === 'window' ||
        y.kind === 'exists' ||
        y.kind === 'in_subquery' ||
        y.kind === 'scalar_subquery'
      )
        return false;
      return exprChildren(y).every(ok);
    };
    return ok(x) && outerSeen;
  };
  return { aggregates, rewrite };
}

/** `e` with its outer references read as plain columns (to compare with grouping expressions). */
function outerAsColumns(e: Expr): Expr {
  if (e.kind === 'outer_ref') return { kind: 'column', attr: e.attr };
  const kids = exprChildren(e);
  return kids.length === 0 ? e : exprWithChildren(e, kids.map(outerAsColumns));
}

/** Groups of window expressions sharing a partition/order spec, in first-appearance order. */
export interface WindowExtraction {
  readonly groups: NamedExpr[][];
  readonly rewrite: (e: Expr) => Expr;
}

export function windowExtractor(nextId: () => number): WindowExtraction {
  const byKey = new Map<string, Attribute>();
  const groupIndex = new Map<string, number>();
  const groups: NamedExpr[][] = [];
  const rewrite = (e: Expr): Expr => {
    if (e.kind === 'window') {
      const key = exprKey(e);
      let attr = byKey.get(key);
      if (attr === undefined) {
        attr = {
          id: nextId(),
          name: `${planExprName(e.function)} over`,
          type: e.type,
          nullable: exprNullable(e),
          qualifier: null,
        };
        byKey.set(key, attr);
        const sk = windowSpecKey(e);
        let gi = groupIndex.get(sk);
        if (gi === undefined) {
          gi = groups.length;
          groupIndex.set(sk, gi);
          groups.push([]);
        }
        groups[gi]!.push({ expr: e, attr });
      }
      return { kind: 'column', attr };
    }
    const kids = exprChildren(e);
    if (kids.length === 0) return e;
    return exprWithChildren(e, kids.map(rewrite));
  };
  return { groups, rewrite };
}
