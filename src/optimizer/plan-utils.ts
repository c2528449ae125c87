/**
 * Small plan helpers shared by the rules: rebuilding a node with new expressions, empty relations,
 * narrowing projections, comparing outputs.
 */
import { assertNever, typesEqual } from '../common/index.ts';
import { outputOf, type Attribute, type Expr, type LogicalPlan, type NamedExpr } from '../plan/index.ts';
import { col } from './expr-utils.ts';

/** A copy of `plan` with each expression it holds directly replaced by `f(expr)`. */
export function mapExpressions(plan: LogicalPlan, f: (e: Expr) => Expr): LogicalPlan {
  const named = (ns: readonly NamedExpr[]): NamedExpr[] => ns.map((n) => ({ expr: f(n.expr), attr: n.attr }));
  switch (plan.kind) {
    case 'Scan':
      return { ...plan, filters: plan.filters.map(f) };
    case 'Values':
    case 'Range':
    case 'SetOp':
    case 'RecursiveCte':
    case 'WorkTable':
    case 'Rename':
    case 'Limit':
      return plan;
    case 'Filter':
      return { ...plan, predicate: f(plan.predicate) };
    case 'Project':
      return { ...plan, exprs: named(plan.exprs) };
    case 'Aggregate':
      return { ...plan, groupBy: named(plan.groupBy), aggregates: named(plan.aggregates) };
    case 'Window':
      return { ...plan, windows: named(plan.windows) };
    case 'Generate':
      return { ...plan, arg: f(plan.arg) };
    case 'Join':
      return { ...plan, condition: plan.condition === null ? null : f(plan.condition) };
    case 'Sort':
      return { ...plan, orders: plan.orders.map((o) => ({ ...o, expr: f(o.expr) })) };
    default:
      return assertNever(plan, 'plan node');
  }
}

/** A relation with no rows and the given output (what a filter that is always false becomes). */
export function emptyRelation(output: readonly Attribute[]): LogicalPlan {
  return { kind: 'Values', output, rows: [] };
}

export function isEmptyRelation(plan: LogicalPlan): boolean {
  return plan.kind === 'Values' && plan.rows.length === 0;
}

/** A Project passing through `attrs` of `input` by id. */
export function projectAttrs(input: LogicalPlan, attrs: readonly Attribute[]): LogicalPlan {
  return { kind: 'Project', input, exprs: attrs.map((a) => ({ expr: col(a), attr: a })) };
}

/** Same ids in the same order. */
export function sameIds(a: readonly Attribute[], b: readonly Attribute[]): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i]!.id);
}

/** `input` itself if it already outputs exactly `attrs` (by id, in order); otherwise a Project to them. */
export function narrowTo(input: LogicalPlan, attrs: readonly Attribute[]): LogicalPlan {
  return sameIds(outputOf(input), attrs) ? input : projectAttrs(input, attrs);
}

/** Describes the first difference between two outputs (ids and types), or null when equal. */
export function outputDifference(before: readonly Attribute[], after: readonly Attribute[]): string | null {
  const show = (as: readonly Attribute[]): string => as.map((a) => `${a.name}#${a.id}`).join(', ');
  if (before.length !== after.length || before.some((a, i) => a.id !== after[i]!.id)) {
    return `output [${show(before)}] became [${show(after)}]`;
  }
  for (let i = 0; i < before.length; i++) {
    if (!typesEqual(before[i]!.type, after[i]!.type))
      return `the type of ${before[i]!.name}#${before[i]!.id} changed`;
  }
  return null;
}
