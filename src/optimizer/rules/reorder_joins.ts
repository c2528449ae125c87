/**
 * reorder_joins: picks the order of each group of inner/cross joins by cost (cost/join-order.ts,
 * Spark's CostBasedJoinReorder): dynamic programming over connected subsets of up to ten inputs,
 * greedy beyond; cost is the sum of the estimated intermediate results (cost/estimate.ts), no
 * cross products unless the conditions leave no other way; each join has its smaller input on the
 * right (the side the physical planner builds from). Semi, anti and outer joins are not reordered
 * (their inputs are, as groups of their own). A Project restores the original column order.
 *
 *   Inner Join: l_orderkey = o_orderkey            Projection: c_custkey, …, l_orderkey, …
 *     Inner Join: c_custkey = o_custkey     ==>     Inner Join: l_orderkey = o_orderkey
 *       TableScan: customer                           TableScan: lineitem
 *       TableScan: orders                             Inner Join: c_custkey = o_custkey
 *     TableScan: lineitem                               TableScan: orders
 *                                                       TableScan: customer
 */
import { changed, unchanged } from '../../common/index.ts';
import { outputOf, planChildren, planWithChildren, type Expr, type LogicalPlan } from '../../plan/index.ts';
import type { OptimizerRule } from '../context.ts';
import { orderJoins } from '../cost/join-order.ts';
import { deepEqual, splitConjuncts } from '../expr-utils.ts';
import { narrowTo } from '../plan-utils.ts';

export const reorderJoins: OptimizerRule = {
  name: 'reorder_joins',
  traversal: 'whole',
  rewrite(plan) {
    const next = reorder(plan);
    return next === plan ? unchanged(plan) : changed(next);
  },
};

function isInnerJoin(plan: LogicalPlan): plan is LogicalPlan & { kind: 'Join' } {
  return plan.kind === 'Join' && (plan.joinType === 'inner' || plan.joinType === 'cross');
}

function reorder(plan: LogicalPlan): LogicalPlan {
  if (!isInnerJoin(plan)) {
    const kids = planChildren(plan);
    const next = kids.map(reorder);
    return next.every((k, i) => k === kids[i]) ? plan : planWithChildren(plan, next);
  }
  const leaves: LogicalPlan[] = [];
  const conjuncts: Expr[] = [];
  const flatten = (node: LogicalPlan): void => {
    if (isInnerJoin(node)) {
      flatten(node.left);
      flatten(node.right);
      if (node.condition !== null) conjuncts.push(...splitConjuncts(node.condition));
    } else {
      leaves.push(reorder(node));
    }
  };
  flatten(plan);
  const result = narrowTo(orderJoins(leaves, conjuncts), outputOf(plan));
  return deepEqual(result, plan) ? plan : result;
}
