/**
 * infer_filters_from_disjunctions: from a join condition that is an OR of ANDs across both inputs,
 * derives for each input the weaker predicate it implies there, and filters that input with it
 * (the condition stays whole). TPC-H Q7's nation pair:
 *
 *   Inner Join: … AND (n1.n_name = 'FRANCE' AND n2.n_name = 'GERMANY' OR n1.n_name = 'GERMANY' AND n2.n_name = 'FRANCE')
 *     (n1 side)                          ==>   Inner Join: … (the same condition)
 *     (n2 side)                                  Filter: n1.n_name = 'FRANCE' OR n1.n_name = 'GERMANY'
 *                                                  (n1 side)
 *                                                Filter: n2.n_name = 'GERMANY' OR n2.n_name = 'FRANCE'
 *                                                  (n2 side)
 *
 * A row of one input can only join if some disjunct's conjuncts over that input hold, so the OR
 * of those is implied — provided every disjunct has at least one such conjunct (otherwise nothing
 * is implied). Inner joins only, deterministic conjuncts only. Runs once, before join ordering, so
 * the filtered inputs are estimated smaller and the later filter push-down sinks the new filters
 * to the scans.
 */
import { changed, unchanged } from '../../common/index.ts';
import { outputOf, type Expr, type LogicalPlan } from '../../plan/index.ts';
import type { OptimizerContext, OptimizerRule } from '../context.ts';
import { conjoin, idsOf, isMovable, isSubsetOf, or, refs, splitConjuncts } from '../expr-utils.ts';

export const inferFiltersFromDisjunctions: OptimizerRule = {
  name: 'infer_filters_from_disjunctions',
  traversal: 'bottomUp',
  rewrite(plan, ctx) {
    if (plan.kind !== 'Join' || plan.joinType !== 'inner' || plan.condition === null) return unchanged(plan);
    const leftIds = idsOf(outputOf(plan.left));
    const rightIds = idsOf(outputOf(plan.right));
    const toLeft: Expr[] = [];
    const toRight: Expr[] = [];
    for (const c of splitConjuncts(plan.condition)) {
      if (!isMovable(c, ctx)) continue;
      const r = refs(c);
      if (isSubsetOf(r, leftIds) || isSubsetOf(r, rightIds)) continue;
      const l = implied(c, leftIds, ctx);
      const rr = implied(c, rightIds, ctx);
      if (l !== null) toLeft.push(l);
      if (rr !== null) toRight.push(rr);
    }
    if (toLeft.length === 0 && toRight.length === 0) return unchanged(plan);
    return changed({ ...plan, left: filterOver(plan.left, toLeft), right: filterOver(plan.right, toRight) });
  },
};

/** The predicate over `ids` that an OR of ANDs implies, or null. */
function implied(e: Expr, ids: ReadonlySet<number>, ctx: OptimizerContext): Expr | null {
  const disjuncts = splitDisjuncts(e);
  if (disjuncts.length < 2) return null;
  const parts: Expr[] = [];
  for (const d of disjuncts) {
    const own = splitConjuncts(d).filter((c) => {
      const r = refs(c);
      return r.size > 0 && isSubsetOf(r, ids) && isMovable(c, ctx);
    });
    const part = conjoin(own);
    if (part === null) return null;
    parts.push(part);
  }
  return parts.reduce((a, b) => or(a, b));
}

function splitDisjuncts(e: Expr): Expr[] {
  return e.kind === 'binary' && e.op === 'or' ? [...splitDisjuncts(e.left), ...splitDisjuncts(e.right)] : [e];
}

function filterOver(input: LogicalPlan, conjuncts: readonly Expr[]): LogicalPlan {
  const predicate = conjoin(conjuncts);
  return predicate === null ? input : { kind: 'Filter', input, predicate };
}
