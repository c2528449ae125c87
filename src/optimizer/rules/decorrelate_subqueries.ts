/**
 * decorrelate_subqueries: turns subquery expressions into joins, so nothing re-executes per outer
 * row (TPC-H Q2, Q4, Q17, Q18, Q20, Q21, Q22…).
 *
 * EXISTS / IN at the top of a Filter's conjunction become semi/anti joins; the correlated
 * predicates of the subquery (see subquery/pull-up-correlated.ts) become the join condition:
 *
 *   Filter: o_date > X AND EXISTS (<subquery>)          Filter: o_date > X
 *     Subquery:                                 ==>       LeftSemi Join: l_orderkey = o_orderkey
 *       Filter: l_orderkey = outer_ref(o_orderkey)          TableScan: orders
 *         TableScan: lineitem                               TableScan: lineitem
 *     TableScan: orders
 *
 * (push_down_filter then moves `o_date > X` below the semi join.)
 *
 * - `NOT EXISTS` → left_anti; `x IN (sub)` → left_semi on `x = sub.col`; `x NOT IN (sub)` →
 *   left_anti with `nullAware` when either side may be NULL (the value equalities come first in the
 *   condition, the correlated predicates after them).
 * - EXISTS / IN anywhere else (under OR, in a select list) → a left_mark join; the mark column
 *   replaces the expression (`mark IS TRUE` for EXISTS, whose result is never NULL).
 * - A correlated scalar subquery → its correlated columns become grouping columns and it is
 *   left-joined on them; the value column replaces the expression. Count bug: if the aggregate over
 *   no rows gives a non-NULL value (`count(*)` → 0), the subquery also outputs a `TRUE AS match`
 *   column and the value becomes `CASE WHEN match IS NULL THEN <value over no rows> ELSE value END`.
 * - A correlated scalar subquery that may return several rows (not a global aggregate nor
 *   `LIMIT 1`; Spark refuses it, PostgreSQL allows it and fails at run time for an outer row with
 *   more than one) is first wrapped in `Aggregate: aggr=[first(value), count(*) AS rows]`, and the
 *   value becomes `CASE WHEN rows > 1 THEN raise_error(SCALAR_SUBQUERY_TOO_MANY_ROWS) ELSE value
 *   END` above the join: an error (21000) only for outer rows that do see several rows.
 * - What the pull-up cannot do exactly (a non-equality correlation below an aggregate, a
 *   correlation below LIMIT or in a select list, a global aggregate under EXISTS/IN whose one row
 *   over no input must survive, a reference two levels out) goes through a domain join
 *   (subquery/domain-join.ts): the subquery is computed per DISTINCT outer key and joined back on
 *   `outer <=> domain`. A correlated NOT IN over nullable columns becomes a plain anti join on
 *   `(v = s) IS NOT FALSE` plus the correlated predicates (NULLs count only within each row's result).
 * - Uncorrelated scalar subqueries stay as expressions: the physical planner runs them once (the
 *   driver optimizes their plans separately).
 *
 * A Filter or Project keeps its output: columns the joins add are projected away above the Filter.
 * Subqueries nested inside subquery plans are decorrelated first (innermost first).
 */
import { changed, EngineError, SqlState, unchanged, type DataType } from '../../common/index.ts';
import {
  exprChildren,
  exprType,
  exprWithChildren,
  outputOf,
  planChildren,
  type Attribute,
  type Expr,
  type LogicalPlan,
  type NamedExpr,
} from '../../plan/index.ts';
import type { OptimizerContext, OptimizerRule } from '../context.ts';
import {
  BOOLEAN,
  col,
  compare,
  conjoin,
  idsOf,
  isNullable,
  isSubsetOf,
  lit,
  planHasOuterRef,
  refs,
  splitConjuncts,
  substitute,
  TRUE,
} from '../expr-utils.ts';
import { mapExpressions, narrowTo } from '../plan-utils.ts';
import { domainJoin, outerAttributes, valueOverNoInput } from '../subquery/domain-join.ts';
import { pullUpCorrelated } from '../subquery/pull-up-correlated.ts';
import { simplifyExpr } from './simplify_expressions.ts';

export const decorrelateSubqueries: OptimizerRule = {
  name: 'decorrelate_subqueries',
  traversal: 'whole',
  rewrite(plan, ctx) {
    const next = decorrelatePlan(plan, ctx);
    return next === plan ? unchanged(plan) : changed(next);
  },
};

function decorrelatePlan(plan: LogicalPlan, ctx: OptimizerContext): LogicalPlan {
  const kids = plan.kind === 'Join' || plan.kind === 'SetOp' ? [plan.left, plan.right] : null;
  let node = plan;
  // Children first.
  switch (plan.kind) {
    case 'Join':
    case 'SetOp': {
      const left = decorrelatePlan(plan.left, ctx);
      const right = decorrelatePlan(plan.right, ctx);
      if (left !== kids![0] || right !== kids![1]) node = { ...plan, left, right };
      break;
    }
    case 'RecursiveCte': {
      const anchor = decorrelatePlan(plan.anchor, ctx);
      const recursive = decorrelatePlan(plan.recursive, ctx);
      if (anchor !== plan.anchor || recursive !== plan.recursive) node = { ...plan, anchor, recursive };
      break;
    }
    case 'Scan':
    case 'Values':
    case 'Range':
    case 'WorkTable':
      break;
    default: {
      const input = decorrelatePlan(plan.input, ctx);
      if (input !== plan.input) node = { ...plan, input };
    }
  }
  // Then the plans nested in this node's subquery expressions.
  let nestedChanged = false;
  const withNested = mapExpressions(node, (e) => {
    const r = mapSubqueryPlans(e, (p) => decorrelatePlan(p, ctx));
    if (r !== e) nestedChanged = true;
    return r;
  });
  if (nestedChanged) node = withNested;
  // Then this node.
  switch (node.kind) {
    case 'Filter':
      return hasRewritable(node.predicate) ? rewriteFilter(node.input, node.predicate, ctx) : node;
    case 'Project':
      return node.exprs.some((n) => hasRewritable(n.expr))
        ? rewriteProject(node.input, node.exprs, ctx)
        : node;
    case 'Join':
      return rewriteJoin(node, ctx);
    case 'Aggregate':
    case 'Window':
    case 'Sort':
    case 'Generate':
      return mapExpressionsList(node).some(hasRewritable) ? pullOutBelow(node, ctx) : node;
    default:
      for (const e of mapExpressionsList(node)) {
        if (hasCorrelatedSubquery(e)) {
          throw new EngineError(
            SqlState.featureNotSupported,
            `correlated subquery in a ${node.kind} is not supported`,
          );
        }
      }
      return node;
  }
}

/** Whether `e` itself is a subquery expression that becomes a join (EXISTS, IN, correlated scalar). */
function isRewritable(e: Expr): boolean {
  return e.kind === 'exists' || e.kind === 'in_subquery' || isCorrelatedScalar(e);
}

/**
 * An Aggregate, Window, Sort or Generate evaluates its expressions over its input's rows, so each
 * subquery expression in them becomes a column of a Project below it (which rewriteProject turns
 * into joins), and the node reads that column:
 *
 *   Aggregate: groupBy=[a IN (<sub>)]          Projection: k
 *     TableScan: t                      ==>      Aggregate: groupBy=[in#9 AS k]
 *                                                  Projection: a, b, in#9
 *                                                    LeftMark Join: a = c, mark=in#9
 */
function pullOutBelow(
  node: Extract<LogicalPlan, { kind: 'Aggregate' | 'Window' | 'Sort' | 'Generate' }>,
  ctx: OptimizerContext,
): LogicalPlan {
  const extra: NamedExpr[] = [];
  const mapped = mapExpressions(node, (e) => replaceByColumns(e, extra, ctx)) as typeof node;
  const input = rewriteProject(node.input, [...passThrough(node.input), ...extra], ctx);
  return narrowTo({ ...mapped, input }, outputOf(node));
}

function passThrough(plan: LogicalPlan): NamedExpr[] {
  return outputOf(plan).map((a) => ({ expr: col(a), attr: a }));
}

/** Replaces each outermost subquery expression of `e` by a new column, recorded in `extra`. */
function replaceByColumns(
  e: Expr,
  extra: NamedExpr[],
  ctx: OptimizerContext,
  place?: (sub: Expr) => NamedExpr[],
): Expr {
  const walk = (x: Expr): Expr => {
    if (isRewritable(x)) {
      const attr: Attribute = {
        id: ctx.nextId(),
        name: x.kind,
        type: exprType(x),
        nullable: isNullable(x),
        qualifier: null,
      };
      (place === undefined ? extra : place(x)).push({ expr: x, attr });
      return col(attr);
    }
    const kids = exprChildren(x);
    if (kids.length === 0) return x;
    const newKids = kids.map(walk);
    return newKids.every((k, i) => k === kids[i]) ? x : exprWithChildren(x, newKids);
  };
  return walk(e);
}

/**
 * A Join: a LATERAL right side correlated to the left one is decorrelated into a plain join; then
 * each subquery expression of the condition is computed by a Project over the side whose columns it
 * reads (Spark's rule: a subquery in a join condition may not read both sides).
 *
 *   Inner Join: a = c AND a IN (<sub>)          Inner Join: a = c AND in#9
 *     TableScan: t1                     ==>       Projection: a, b, in#9
 *     TableScan: t2                                 LeftMark Join: a = x, mark=in#9 …
 *                                                 TableScan: t2
 */
function rewriteJoin(node: Extract<LogicalPlan, { kind: 'Join' }>, ctx: OptimizerContext): LogicalPlan {
  let join = node;
  const leftIds = idsOf(outputOf(join.left));
  const lateral = outerAttributes(join.right);
  if (lateral.some((a) => leftIds.has(a.id))) join = decorrelateLateral(join, lateral, ctx);
  if (join.condition === null || !hasRewritable(join.condition)) return narrowTo(join, outputOf(node));
  const rightIds = idsOf(outputOf(join.right));
  const leftExtra: NamedExpr[] = [];
  const rightExtra: NamedExpr[] = [];
  const place = (sub: Expr): NamedExpr[] => {
    if (sub.kind === 'scalar_subquery') {
      throw new EngineError(
        SqlState.featureNotSupported,
        '[UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.UNSUPPORTED_CORRELATED_SCALAR_SUBQUERY] Unsupported subquery expression: Correlated scalar subqueries can only be used in filters, aggregations, projections, and UPDATE/MERGE/DELETE commands.',
      );
    }
    const used = new Set([...refs(sub), ...subqueryOuterIds(sub)]);
    if (isSubsetOf(used, leftIds)) return leftExtra;
    if (isSubsetOf(used, rightIds)) return rightExtra;
    throw new EngineError(
      SqlState.featureNotSupported,
      '[UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.UNSUPPORTED_CORRELATED_EXPRESSION_IN_JOIN_CONDITION] Unsupported subquery expression: Correlated subqueries in the join predicate cannot reference both join inputs.',
    );
  };
  const condition = replaceByColumns(join.condition, [], ctx, place);
  const side = (plan: LogicalPlan, extra: NamedExpr[]): LogicalPlan =>
    extra.length === 0 ? plan : rewriteProject(plan, [...passThrough(plan), ...extra], ctx);
  const rewritten: LogicalPlan = {
    ...join,
    left: side(join.left, leftExtra),
    right: side(join.right, rightExtra),
    condition,
  };
  return narrowTo(rewritten, outputOf(node));
}

/** The outer columns a subquery expression's plan reads (its correlation). */
function subqueryOuterIds(e: Expr): number[] {
  return e.kind === 'scalar_subquery' || e.kind === 'exists' || e.kind === 'in_subquery'
    ? outerAttributes(e.plan).map((a) => a.id)
    : [];
}

/**
 * `left JOIN LATERAL (<sub correlated to left>) ON cond`: the subquery is decorrelated against the
 * left side as an EXISTS would be, and its correlated predicates join the condition (an inner or
 * left outer join keeps its type: each left row meets exactly the rows its subquery gives).
 */
function decorrelateLateral(
  join: Extract<LogicalPlan, { kind: 'Join' }>,
  lateral: readonly Attribute[],
  ctx: OptimizerContext,
): Extract<LogicalPlan, { kind: 'Join' }> {
  if (join.joinType !== 'inner' && join.joinType !== 'cross' && join.joinType !== 'left') {
    const name =
      join.joinType === 'full' ? 'FULL OUTER' : join.joinType === 'right' ? 'RIGHT OUTER' : 'LEFT SEMI/ANTI';
    throw new EngineError(
      SqlState.invalidLateralJoinType,
      `[INVALID_LATERAL_JOIN_TYPE] The ${name} JOIN with LATERAL correlation is not allowed because an OUTER subquery cannot correlate to its join partner. Remove the LATERAL correlation or use an INNER JOIN, or LEFT OUTER JOIN instead.`,
    );
  }
  const leftIds = idsOf(outputOf(join.left));
  if (!lateral.every((a) => leftIds.has(a.id))) {
    throw new EngineError(
      SqlState.featureNotSupported,
      'a LATERAL subquery that reads both the FROM items to its left and an enclosing query is not supported',
    );
  }
  const d = decorrelateSubquery(join.right, join.left, false, ctx);
  return {
    ...join,
    right: d.right,
    joinType: join.joinType === 'cross' ? 'inner' : join.joinType,
    condition: conjoin([...(join.condition === null ? [] : [join.condition]), ...d.predicates]),
  };
}

function mapExpressionsList(plan: LogicalPlan): Expr[] {
  const out: Expr[] = [];
  mapExpressions(plan, (e) => {
    out.push(e);
    return e;
  });
  return out;
}

/** Rewrites subquery plans inside `e` (not recursing into those plans); same object if unchanged. */
function mapSubqueryPlans(e: Expr, f: (p: LogicalPlan) => LogicalPlan): Expr {
  let next = e;
  if (e.kind === 'scalar_subquery' || e.kind === 'exists' || e.kind === 'in_subquery') {
    const p = f(e.plan);
    if (p !== e.plan) next = { ...e, plan: p };
  }
  const kids = exprChildren(next);
  if (kids.length === 0) return next;
  const newKids = kids.map((k) => mapSubqueryPlans(k, f));
  return newKids.every((k, i) => k === kids[i]) ? next : exprWithChildren(next, newKids);
}

function isCorrelatedScalar(e: Expr): boolean {
  return e.kind === 'scalar_subquery' && planHasOuterRef(e.plan);
}

/** EXISTS and IN always become joins; scalar subqueries only when correlated. */
function hasRewritable(e: Expr): boolean {
  if (e.kind === 'exists' || e.kind === 'in_subquery' || isCorrelatedScalar(e)) return true;
  return exprChildren(e).some(hasRewritable);
}

function hasCorrelatedSubquery(e: Expr): boolean {
  if (
    (e.kind === 'scalar_subquery' || e.kind === 'exists' || e.kind === 'in_subquery') &&
    planHasOuterRef(e.plan)
  ) {
    return true;
  }
  return exprChildren(e).some(hasCorrelatedSubquery);
}

/** A subquery plan made uncorrelated, and the predicates that join it to the outer plan. */
interface Decorrelated {
  readonly right: LogicalPlan;
  readonly predicates: readonly Expr[];
  /** True when a domain join was needed (the result then has a row per outer value already). */
  readonly viaDomain: boolean;
}

/**
 * Pulls the correlated predicates up when that is exact (the cheap rewrite TPC-H needs); otherwise
 * joins the domain of the outer values into the subquery (subquery/domain-join.ts).
 */
function decorrelateSubquery(
  sub: LogicalPlan,
  base: LogicalPlan,
  scalar: boolean,
  ctx: OptimizerContext,
): Decorrelated {
  if (pullUpIsExact(sub, scalar)) {
    try {
      const pulled = pullUpCorrelated(sub);
      const available = idsOf([...outputOf(base), ...outputOf(pulled.plan)]);
      if (pulled.predicates.every((p) => isSubsetOf(refs(p), available))) {
        return { right: pulled.plan, predicates: pulled.predicates, viaDomain: false };
      }
    } catch (e) {
      if (!(e instanceof EngineError && e.sqlstate === SqlState.featureNotSupported)) throw e;
    }
  }
  const joined = domainJoin(sub, base, ctx);
  return {
    right: joined.plan,
    predicates: joined.outer.map((o, i) => compare('<=>', col(o), col(joined.domain[i]!))),
    viaDomain: true,
  };
}

/**
 * Pull-up drops the rows a global aggregate (no GROUP BY) gives over no input, so it is exact only
 * when no such aggregate has a correlation below it, except at the top of a scalar subquery (the
 * count-bug fix in `replaceSubqueries` restores those rows).
 */
function pullUpIsExact(sub: LogicalPlan, scalar: boolean): boolean {
  let top: LogicalPlan | null = null;
  if (scalar) {
    top = sub;
    while (top.kind === 'Project') top = top.input;
  }
  const exact = (p: LogicalPlan): boolean => {
    if (p.kind === 'Aggregate' && p.groupBy.length === 0 && p !== top && planHasOuterRef(p.input))
      return false;
    return planChildren(p).every(exact);
  };
  return exact(sub);
}

/** Builds `base JOIN decorrelated(sub)`; the condition is `extra` (value equalities) then the correlated predicates. */
function joinSubquery(
  base: LogicalPlan,
  sub: LogicalPlan,
  extra: (subOutput: readonly Attribute[]) => Expr[],
  joinType: 'left_semi' | 'left_anti' | 'left_mark' | 'left',
  ctx: OptimizerContext,
  options: { mark?: Attribute; nullAware?: boolean; scalar?: boolean; addMatch?: Attribute } = {},
): { plan: LogicalPlan; viaDomain: boolean } {
  const subOutput = outputOf(sub);
  const d = decorrelateSubquery(sub, base, options.scalar ?? false, ctx);
  let right = d.right;
  if (options.addMatch !== undefined && !d.viaDomain) {
    const exprs: NamedExpr[] = [
      ...outputOf(right).map((a) => ({ expr: col(a), attr: a })),
      { expr: TRUE, attr: options.addMatch },
    ];
    right = { kind: 'Project', input: right, exprs };
  }
  // A mark is three-valued in the compared values only: a correlated predicate that is NULL
  // removes the row from the subquery's result (two-valued), so it is wrapped in IS TRUE.
  const predicates =
    joinType === 'left_mark'
      ? d.predicates.map((p): Expr =>
          isNullable(p) ? { kind: 'unary', op: 'is_true', input: p, type: BOOLEAN, failOnError: false } : p,
        )
      : d.predicates;
  const condition = conjoin([...extra(subOutput), ...predicates]);
  return {
    plan: {
      kind: 'Join',
      left: base,
      right,
      joinType,
      condition,
      mark: options.mark ?? null,
      nullAware: options.nullAware ?? false,
    },
    viaDomain: d.viaDomain,
  };
}

function valueEqualities(values: readonly Expr[]): (subOutput: readonly Attribute[]) => Expr[] {
  return (subOutput) => {
    if (subOutput.length < values.length) {
      throw new EngineError(
        SqlState.datatypeMismatch,
        `[DATATYPE_MISMATCH.IN_SUBQUERY_LENGTH_MISMATCH] The number of columns in the left hand side of an IN subquery does not match the number of columns in the output of subquery. Left hand side columns(length: ${values.length}), right hand side columns(length: ${subOutput.length}).`,
      );
    }
    return values.map((v, i) => compare('=', v, col(subOutput[i]!)));
  };
}

function rewriteFilter(input: LogicalPlan, predicate: Expr, ctx: OptimizerContext): LogicalPlan {
  let base = input;
  const remaining: Expr[] = [];
  for (const c of splitConjuncts(predicate)) {
    const negated = c.kind === 'unary' && c.op === 'not';
    const target = negated ? c.input : c;
    if (target.kind === 'exists') {
      base = joinSubquery(base, target.plan, () => [], negated ? 'left_anti' : 'left_semi', ctx).plan;
    } else if (target.kind === 'in_subquery' && !target.values.some(hasRewritable)) {
      const anti = negated !== target.negated;
      const nullAware =
        anti && (target.values.some(isNullable) || outputOf(target.plan).some((a) => a.nullable));
      if (nullAware && (planHasOuterRef(target.plan) || target.values.length > 1)) {
        // NOT IN: a row is dropped if a row of its own subquery result is not known to differ. The
        // correlated predicates filter that result (two-valued), so a null-aware join — whose NULL
        // handling spans all keys — cannot express it: a plain anti join with `(v = s) IS NOT FALSE`.
        // So for several columns: `(a, b) NOT IN` with b NULL is unknown only where `a` may be equal.
        const values = valueEqualities(target.values);
        const notFalse = (out: readonly Attribute[]): Expr[] => [
          {
            kind: 'unary',
            op: 'is_not_false',
            input: conjoin(values(out))!,
            type: BOOLEAN,
            failOnError: false,
          },
        ];
        base = joinSubquery(base, target.plan, notFalse, 'left_anti', ctx).plan;
        continue;
      }
      base = joinSubquery(
        base,
        target.plan,
        valueEqualities(target.values),
        anti ? 'left_anti' : 'left_semi',
        ctx,
        { nullAware },
      ).plan;
    } else {
      remaining.push(c);
    }
  }
  const rewritten: Expr[] = [];
  for (const c of remaining) {
    const r = replaceSubqueries(c, base, ctx);
    base = r.base;
    rewritten.push(r.expr);
  }
  const cond = conjoin(rewritten);
  const filtered: LogicalPlan = cond === null ? base : { kind: 'Filter', input: base, predicate: cond };
  return narrowTo(filtered, outputOf(input));
}

function rewriteProject(input: LogicalPlan, exprs: readonly NamedExpr[], ctx: OptimizerContext): LogicalPlan {
  let base = input;
  const out: NamedExpr[] = [];
  for (const n of exprs) {
    const r = replaceSubqueries(n.expr, base, ctx);
    base = r.base;
    out.push({ expr: r.expr, attr: n.attr });
  }
  return { kind: 'Project', input: base, exprs: out };
}

/** Replaces EXISTS/IN (by mark joins) and correlated scalar subqueries (by left joins) inside `e`. */
function replaceSubqueries(
  e: Expr,
  base: LogicalPlan,
  ctx: OptimizerContext,
): { expr: Expr; base: LogicalPlan } {
  let current = base;
  const walk = (x: Expr): Expr => {
    if (x.kind === 'exists') {
      const mark = newAttr(ctx, 'exists', false);
      current = joinSubquery(current, x.plan, () => [], 'left_mark', ctx, { mark }).plan;
      return { kind: 'unary', op: 'is_true', input: col(mark), type: BOOLEAN, failOnError: false };
    }
    if (x.kind === 'in_subquery') {
      const values = x.values.map(walk);
      const mark = newAttr(ctx, 'in', true);
      current = joinSubquery(current, x.plan, valueEqualities(values), 'left_mark', ctx, { mark }).plan;
      return x.negated
        ? { kind: 'unary', op: 'not', input: col(mark), type: BOOLEAN, failOnError: false }
        : col(mark);
    }
    if (isCorrelatedScalar(x) && x.kind === 'scalar_subquery') {
      const original = outputOf(x.plan)[0];
      if (original === undefined)
        throw new EngineError(SqlState.internalError, 'internal error: scalar subquery without columns');
      const checked = atMostOneRow(x.plan) ? null : singleRowChecked(x.plan, original, ctx);
      const plan = checked?.plan ?? x.plan;
      const value = checked?.value ?? original;
      const onEmpty = valueOverNoRows(plan, value, ctx);
      const match = onEmpty === null ? undefined : newAttr(ctx, 'match', true);
      const joined = joinSubquery(
        current,
        plan,
        () => [],
        'left',
        ctx,
        match === undefined ? { scalar: true } : { scalar: true, addMatch: match },
      );
      current = joined.plan;
      const valueCol = col({ ...value, nullable: true });
      const result: Expr =
        onEmpty === null || match === undefined || joined.viaDomain
          ? valueCol
          : {
              kind: 'case',
              branches: [
                {
                  when: {
                    kind: 'unary',
                    op: 'is_null',
                    input: col(match),
                    type: BOOLEAN,
                    failOnError: false,
                  },
                  then: onEmpty,
                },
              ],
              otherwise: valueCol,
              type: value.type,
            };
      return checked === null ? result : failOnSeveralRows(checked.rows, result, value.type);
    }
    const kids = exprChildren(x);
    if (kids.length === 0) return x;
    const newKids = kids.map(walk);
    return newKids.every((k, i) => k === kids[i]) ? x : exprWithChildren(x, newKids);
  };
  const expr = walk(e);
  return { expr, base: current };
}

function newAttr(ctx: OptimizerContext, name: string, nullable: boolean): Attribute {
  return { id: ctx.nextId(), name, type: BOOLEAN, nullable, qualifier: null };
}

/**
 * Whether the subquery returns at most one row per outer row by its shape: a global aggregate
 * (no GROUP BY) or a LIMIT of at most one, under projections, filters and sorts.
 */
function atMostOneRow(plan: LogicalPlan): boolean {
  let node = plan;
  while (node.kind === 'Project' || node.kind === 'Filter' || node.kind === 'Sort') node = node.input;
  return (
    (node.kind === 'Aggregate' && node.groupBy.length === 0 && node.groupingSets === null) ||
    (node.kind === 'Limit' && node.limit !== null && node.limit <= 1)
  );
}

const BIGINT: DataType = { kind: 'bigint' };

/**
 * The subquery as one global aggregate: its value (`first`, the only one where it counts) and how
 * many rows it had. Decorrelation then groups it by the correlated columns, one row per outer row.
 */
function singleRowChecked(
  plan: LogicalPlan,
  value: Attribute,
  ctx: OptimizerContext,
): { plan: LogicalPlan; value: Attribute; rows: Attribute } {
  const single: Attribute = { ...value, id: ctx.nextId(), nullable: true, qualifier: null };
  const rows: Attribute = { id: ctx.nextId(), name: 'rows', type: BIGINT, nullable: false, qualifier: null };
  const aggregate = (name: string, args: readonly Expr[], type: DataType): Expr => ({
    kind: 'aggregate',
    name,
    args,
    distinct: false,
    filter: null,
    ignoreNulls: false,
    type,
    failOnError: true,
  });
  return {
    plan: {
      kind: 'Aggregate',
      input: plan,
      groupBy: [],
      aggregates: [
        { expr: aggregate('first', [col(value)], value.type), attr: single },
        { expr: aggregate('count', [], BIGINT), attr: rows },
      ],
      groupingSets: null,
      groupingId: null,
    },
    value: single,
    rows,
  };
}

/** `CASE WHEN rows > 1 THEN <21000> ELSE value END` (PostgreSQL's check, done per outer row). */
function failOnSeveralRows(rows: Attribute, value: Expr, type: DataType): Expr {
  const text = (s: string): Expr => lit(s, { kind: 'string' });
  return {
    kind: 'case',
    branches: [
      {
        when: compare('>', col({ ...rows, nullable: true }), lit(1n, BIGINT)),
        then: {
          kind: 'call',
          name: 'raise_error',
          args: [
            text('SCALAR_SUBQUERY_TOO_MANY_ROWS'),
            text('More than one row returned by a subquery used as an expression.'),
          ],
          type,
          nullable: true,
          failOnError: true,
        },
      },
    ],
    otherwise: value,
    type,
  };
}

/**
 * What the scalar subquery yields for an outer row with no matching rows, when that is not NULL
 * (the count bug); null when a NULL from the left join is already right.
 */
function valueOverNoRows(plan: LogicalPlan, value: Attribute, ctx: OptimizerContext): Expr | null {
  let expr: Expr = col(value);
  let node = plan;
  while (node.kind === 'Project') {
    expr = substitute(expr, new Map(node.exprs.map((n) => [n.attr.id, n.expr] as const)));
    node = node.input;
  }
  if (node.kind !== 'Aggregate' || node.groupBy.length > 0) return null;
  const defaults = new Map<number, Expr>();
  for (const a of node.aggregates) {
    const onEmpty = a.expr.kind === 'aggregate' ? valueOverNoInput(a.expr.name, a.attr.type) : undefined;
    defaults.set(a.attr.id, onEmpty ?? lit(null, a.attr.type));
  }
  expr = substitute(expr, defaults);
  if (refs(expr).size > 0) return null;
  const folded = simplifyExpr(expr, ctx).node;
  return folded.kind === 'literal' && folded.value === null ? null : folded;
}
