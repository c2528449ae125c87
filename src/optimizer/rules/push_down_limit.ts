/**
 * push_down_limit: tells a scan how many rows are enough. A Limit over a Scan, possibly through
 * Projects (which keep the row count), sets `Scan.limit` to limit + offset; the Limit stays above,
 * because a scan of several partitions may return more rows than asked.
 *
 *   Limit: skip=0, fetch=10                 Limit: skip=0, fetch=10
 *     Projection: a                  ==>      Projection: a
 *       TableScan: t                             TableScan: t fetch=10
 *
 * A Sort under the Limit stops the push (the physical planner turns Sort + Limit into a top-K), as
 * does anything that changes the row count (Filter, Aggregate, Join…).
 */
import { changed, unchanged } from '../../common/index.ts';
import type { LogicalPlan } from '../../plan/index.ts';
import type { OptimizerRule } from '../context.ts';

export const pushDownLimit: OptimizerRule = {
  name: 'push_down_limit',
  traversal: 'topDown',
  rewrite(plan) {
    if (plan.kind !== 'Limit' || plan.limit === null) return unchanged(plan);
    const rows = plan.limit + plan.offset;
    const input = withScanLimit(plan.input, rows);
    return input === plan.input ? unchanged(plan) : changed({ ...plan, input });
  },
};

function withScanLimit(plan: LogicalPlan, rows: number): LogicalPlan {
  if (plan.kind === 'Project') {
    const input = withScanLimit(plan.input, rows);
    return input === plan.input ? plan : { ...plan, input };
  }
  if (plan.kind === 'Scan' && (plan.limit === null || plan.limit > rows)) return { ...plan, limit: rows };
  return plan;
}
