/**
 * eliminate_limits: combines adjacent limits, removes limits that do nothing and turns `LIMIT 0`
 * into an empty relation.
 *
 *   Limit: skip=0, fetch=10
 *     Limit: skip=5, fetch=100        ==>   Limit: skip=5, fetch=10
 *       TableScan: t                          TableScan: t
 *
 *   Limit: skip=0, fetch=None  ==>  (its input)        Limit: skip=0, fetch=0  ==>  Values: rows=[]
 *
 * The inner limit keeps rows [o2, o2 + l2) of its input; the outer one then skips o1 and takes
 * l1 of those, i.e. rows [o2 + o1, o2 + min(l2, o1 + l1)).
 */
import { changed, unchanged } from '../../common/index.ts';
import { outputOf } from '../../plan/index.ts';
import type { OptimizerRule } from '../context.ts';
import { emptyRelation, isEmptyRelation } from '../plan-utils.ts';

export const eliminateLimits: OptimizerRule = {
  name: 'eliminate_limits',
  traversal: 'bottomUp',
  rewrite(plan) {
    if (plan.kind !== 'Limit') return unchanged(plan);
    if (plan.limit === null && plan.offset === 0) return changed(plan.input);
    if (plan.limit === 0 || isEmptyRelation(plan.input)) {
      return isEmptyRelation(plan.input) ? changed(plan.input) : changed(emptyRelation(outputOf(plan)));
    }
    const inner = plan.input;
    if (inner.kind !== 'Limit') return unchanged(plan);
    const remaining = inner.limit === null ? null : Math.max(0, inner.limit - plan.offset);
    const limit =
      remaining === null ? plan.limit : plan.limit === null ? remaining : Math.min(plan.limit, remaining);
    return changed({ kind: 'Limit', input: inner.input, limit, offset: inner.offset + plan.offset });
  },
};
