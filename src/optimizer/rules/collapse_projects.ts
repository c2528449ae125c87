/**
 * collapse_projects: merges a Project directly above another Project by substituting the inner
 * expressions into the outer ones, and removes a Project that passes its input through unchanged.
 *
 *   Projection: x + Int32(1) AS y
 *     Projection: a * Int32(2) AS x     ==>   Projection: a * Int32(2) + Int32(1) AS y
 *       TableScan: t                            TableScan: t
 *
 * Not merged when an inner expression is non-deterministic, or when a non-trivial inner expression
 * (anything but a column or literal) would be computed more than once by the merged Project.
 */
import { changed, unchanged } from '../../common/index.ts';
import { exprChildren, outputOf, type Expr, type NamedExpr } from '../../plan/index.ts';
import type { OptimizerRule } from '../context.ts';
import { containsSubquery, isDeterministic, substitute } from '../expr-utils.ts';
import { sameIds } from '../plan-utils.ts';

export const collapseProjects: OptimizerRule = {
  name: 'collapse_projects',
  traversal: 'bottomUp',
  rewrite(plan, ctx) {
    if (plan.kind !== 'Project') return unchanged(plan);
    const input = plan.input;
    const passThrough = plan.exprs.every((n) => n.expr.kind === 'column' && n.expr.attr.id === n.attr.id);
    if (
      passThrough &&
      sameIds(
        outputOf(input),
        plan.exprs.map((n) => n.attr),
      )
    )
      return changed(input);
    if (input.kind !== 'Project') return unchanged(plan);

    const uses = new Map<number, number>();
    // Every occurrence counts, not just distinct ids: `x * x` uses x twice.
    for (const n of plan.exprs) countUses(n.expr, uses);
    const map = new Map<number, Expr>();
    for (const inner of input.exprs) {
      const e = inner.expr;
      if (!isDeterministic(e, ctx) || containsSubquery(e)) return unchanged(plan);
      const trivial = e.kind === 'column' || e.kind === 'literal';
      if (!trivial && (uses.get(inner.attr.id) ?? 0) > 1) return unchanged(plan);
      map.set(inner.attr.id, e);
    }
    const exprs: NamedExpr[] = plan.exprs.map((n) => ({ expr: substitute(n.expr, map), attr: n.attr }));
    return changed({ kind: 'Project', input: input.input, exprs });
  },
};

function countUses(e: Expr, into: Map<number, number>): void {
  if (e.kind === 'column') into.set(e.attr.id, (into.get(e.attr.id) ?? 0) + 1);
  for (const k of exprChildren(e)) countUses(k, into);
}
