/**
 * push_down_semi_joins: a semi join whose condition only needs one input of the inner join below it
 * (and its own right side) filters that input before the inner join instead of after it, so the
 * rows it removes are never joined — TPC-H Q18's `o_orderkey IN (SELECT l_orderkey … HAVING …)`
 * then cuts orders to a few rows before they meet lineitem.
 *
 *   LeftSemi Join: o_orderkey = l_orderkey            Inner Join: l_orderkey = o_orderkey
 *     Inner Join: l_orderkey = o_orderkey      ==>      TableScan: lineitem
 *       TableScan: lineitem                            LeftSemi Join: o_orderkey = l_orderkey
 *       TableScan: orders                                TableScan: orders
 *     Aggregate: …                                       Aggregate: …
 *
 * Correct for inner and cross joins (each output row of the join is one row of each input, so
 * keeping the rows whose input row has a match is keeping the input rows that have one). Spark's
 * PushLeftSemiLeftAntiThroughJoin moves it always; here it moves when that cannot cost more: when
 * the input it would filter is estimated no larger than the join's output (the semi join then
 * probes no more rows than it did, and whatever it removes the join no longer sees), or when it is
 * selective — estimated to keep less than half that input's rows, or its right side is that small.
 * TPC-H Q18's HAVING subquery (no distinct counts, so no selectivity known) sinks onto orders;
 * Q21's EXISTS over all of lineitem stays above the joins that shrink its input first. The output
 * keeps its columns and their order. Projects that only pass columns through are looked through.
 * Runs to a fixpoint, so a semi join sinks as far as its columns allow.
 */
import { changed, unchanged } from '../../common/index.ts';
import { outputOf, type JoinNode, type LogicalPlan } from '../../plan/index.ts';
import type { OptimizerRule } from '../context.ts';
import { estimatePlan } from '../cost/estimate.ts';
import { idsOf, isSubsetOf, refs } from '../expr-utils.ts';

export const pushDownSemiJoins: OptimizerRule = {
  name: 'push_down_semi_joins',
  traversal: 'topDown',
  rewrite(plan) {
    if (plan.kind !== 'Join' || plan.joinType !== 'left_semi') return unchanged(plan);
    const pushed = pushInto(plan, plan.left);
    return pushed === null ? unchanged(plan) : changed(pushed);
  },
};

/** `semi` applied inside `left` (the semi join's left input), or null when it cannot go lower. */
function pushInto(semi: JoinNode, left: LogicalPlan): LogicalPlan | null {
  const needed = semi.condition === null ? new Set<number>() : refs(semi.condition);
  for (const id of idsOf(outputOf(semi.right))) needed.delete(id);
  if (left.kind === 'Project') {
    // Only through a project that passes the needed columns through unchanged.
    const passes = [...needed].every((id) =>
      left.exprs.some((n) => n.attr.id === id && n.expr.kind === 'column' && n.expr.attr.id === id),
    );
    if (!passes) return null;
    const inner = pushInto(semi, left.input);
    return inner === null ? null : { ...left, input: inner };
  }
  if (left.kind !== 'Join' || (left.joinType !== 'inner' && left.joinType !== 'cross')) return null;
  const withSemi = (input: LogicalPlan): LogicalPlan => ({ ...semi, left: input });
  const joined = estimatePlan(left).rowCount;
  // Without distinct counts the semi join's estimate is its input's; its right side's size then
  // bounds the matches of a key-to-key semi join.
  const worthIt = (input: LogicalPlan): boolean => {
    const rows = estimatePlan(input).rowCount;
    if (rows <= joined) return true;
    return Math.min(estimatePlan(withSemi(input)).rowCount, estimatePlan(semi.right).rowCount) < 0.5 * rows;
  };
  if (isSubsetOf(needed, idsOf(outputOf(left.left)))) {
    return worthIt(left.left) ? { ...left, left: withSemi(left.left) } : null;
  }
  if (isSubsetOf(needed, idsOf(outputOf(left.right)))) {
    return worthIt(left.right) ? { ...left, right: withSemi(left.right) } : null;
  }
  return null;
}
