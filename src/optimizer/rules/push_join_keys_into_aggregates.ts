/**
 * push_join_keys_into_aggregates: an inner join between an aggregate and a much smaller input, on
 * the aggregate's grouping columns, keeps only the groups whose keys the small input has — so the
 * aggregate may read only the rows with those keys. A semi join with (a renamed copy of) the small
 * input filters the aggregate's input; the join above stays. TPC-H Q17: the average quantity per
 * part is computed for the ~200 parts of one brand and container, not for all 200,000.
 *
 *   Inner Join: p_partkey = l_partkey                 Inner Join: p_partkey = l_partkey
 *     Aggregate: [l_partkey], [avg(l_quantity)]   ==>   Aggregate: [l_partkey], [avg(l_quantity)]
 *       TableScan: lineitem                               LeftSemi Join: l_partkey = p_partkey#2
 *     Filter: p_brand = 'Brand#23' …                        TableScan: lineitem
 *       TableScan: part                                     Rename: p_partkey#2, …
 *                                                             Filter: p_brand = 'Brand#23' …
 *                                                               TableScan: part
 *     Filter: p_brand = 'Brand#23' …
 *       TableScan: part
 *
 * Correct because a group whose key finds no partner is dropped by the inner join anyway, and a
 * group's rows all share its key. Only plain grouping columns, no grouping sets, an equality
 * condition; worth it only when the small side is estimated at under a tenth of the aggregate's
 * input (the copy is computed twice) and at under half the values its key ranges over there. Runs
 * once, after join ordering.
 */
import { changed, unchanged } from '../../common/index.ts';
import {
  outputOf,
  type AggregateNode,
  type Attribute,
  type Expr,
  type LogicalPlan,
} from '../../plan/index.ts';
import type { OptimizerContext, OptimizerRule } from '../context.ts';
import { distinctAtMost } from '../cost/column-estimate.ts';
import { estimatePlan } from '../cost/estimate.ts';
import { col, conjoin, idsOf, splitConjuncts } from '../expr-utils.ts';

export const pushJoinKeysIntoAggregates: OptimizerRule = {
  name: 'push_join_keys_into_aggregates',
  traversal: 'bottomUp',
  rewrite(plan, ctx) {
    if (plan.kind !== 'Join' || plan.joinType !== 'inner' || plan.condition === null) return unchanged(plan);
    const left = withKeys(plan.left, plan.right, plan.condition, ctx);
    if (left !== null) return changed({ ...plan, left });
    const right = withKeys(plan.right, plan.left, plan.condition, ctx);
    if (right !== null) return changed({ ...plan, right });
    return unchanged(plan);
  },
};

/** `side` (an aggregate, maybe under a project) with its input semi-joined to `other`, or null. */
function withKeys(
  side: LogicalPlan,
  other: LogicalPlan,
  condition: Expr,
  ctx: OptimizerContext,
): LogicalPlan | null {
  const project = side.kind === 'Project' ? side : null;
  const agg = project !== null ? project.input : side;
  if (agg.kind !== 'Aggregate' || agg.groupingSets !== null || agg.groupBy.length === 0) return null;
  // The aggregate's output attribute of each grouping column, as the side above shows it.
  const keyOf = new Map<number, Attribute>();
  for (const g of agg.groupBy) {
    if (g.expr.kind !== 'column') continue;
    const shown = project === null ? g.attr : passedThrough(project, g.attr.id);
    if (shown !== undefined) keyOf.set(shown.id, g.expr.attr);
  }
  const otherIds = idsOf(outputOf(other));
  const pairs: { input: Attribute; other: Attribute }[] = [];
  for (const c of splitConjuncts(condition)) {
    if (c.kind !== 'binary' || c.op !== '=' || c.left.kind !== 'column' || c.right.kind !== 'column')
      continue;
    const [a, b] = [c.left.attr, c.right.attr];
    if (keyOf.has(a.id) && otherIds.has(b.id)) pairs.push({ input: keyOf.get(a.id)!, other: b });
    else if (keyOf.has(b.id) && otherIds.has(a.id)) pairs.push({ input: keyOf.get(b.id)!, other: a });
  }
  if (pairs.length === 0 || alreadyFiltered(agg)) return null;
  const otherRows = estimatePlan(other).rowCount;
  const input = estimatePlan(agg.input);
  if (otherRows >= 0.1 * input.rowCount) return null;
  // Nor when the small side has about as many rows as the keys have values in the aggregate's
  // input (TPC-H Q15: all 10,000 suppliers against l_suppkey's 10,000): the semi join would keep
  // every row. Several keys together take at most the product of their values (Q20's part and
  // supplier pairs), and no more than the input's rows.
  let product = 1;
  for (const p of pairs) {
    const c = input.columns.get(p.input.id);
    product *= (c === undefined ? null : distinctAtMost(c, p.input.type, input.rowCount)) ?? Infinity;
  }
  const keyValues = Math.min(input.rowCount, product);
  if (otherRows >= 0.5 * keyValues) return null;
  // A renamed copy of the small side: the same rows under attribute ids of their own.
  const copyOutput = outputOf(other).map((a) => ({ ...a, id: ctx.nextId() }));
  const copy: LogicalPlan = { kind: 'Rename', input: other, output: copyOutput };
  const renamed = new Map(outputOf(other).map((a, i) => [a.id, copyOutput[i]!] as const));
  const semiCondition = conjoin(
    pairs.map((p): Expr => ({
      kind: 'binary',
      op: '=',
      left: col(p.input),
      right: col(renamed.get(p.other.id)!),
      type: { kind: 'boolean' },
      failOnError: true,
    })),
  );
  const filtered: AggregateNode = {
    ...agg,
    input: {
      kind: 'Join',
      joinType: 'left_semi',
      left: agg.input,
      right: copy,
      condition: semiCondition,
      mark: null,
      nullAware: false,
    },
  };
  return project === null ? filtered : { ...project, input: filtered };
}

function passedThrough(
  project: Extract<LogicalPlan, { kind: 'Project' }>,
  id: number,
): Attribute | undefined {
  return project.exprs.find((n) => n.expr.kind === 'column' && n.expr.attr.id === id)?.attr;
}

/** Whether the aggregate already reads a semi join this rule made (the rule runs once, but be safe). */
function alreadyFiltered(agg: AggregateNode): boolean {
  return agg.input.kind === 'Join' && agg.input.joinType === 'left_semi' && agg.input.right.kind === 'Rename';
}
