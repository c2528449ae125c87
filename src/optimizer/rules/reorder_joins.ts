/**
 * reorder_joins: picks the order of a chain of inner/cross joins greedily from estimated sizes
 * (cost/estimate.ts): start from the largest input (it is only probed, never hashed), then add the
 * smallest input connected to the joined set by an equality (a hash-join key), else by any condition;
 * a cross product only when no connected input is left. Each condition goes to the lowest join that has all its columns.
 *
 *   Inner Join: l_orderkey = o_orderkey                 Projection: c_custkey, …, l_orderkey, …
 *     Inner Join: c_custkey = o_custkey          ==>      Inner Join: c_custkey = o_custkey
 *       TableScan: customer                                 Inner Join: l_orderkey = o_orderkey
 *       TableScan: orders                                     TableScan: lineitem
 *     TableScan: lineitem                                     TableScan: orders
 *                                                           TableScan: customer
 *
 * The result is left-deep with the smaller input on the right: the physical planner should build
 * its hash table from the right child. A Project restores the original column order.
 */
import { changed, unchanged } from '../../common/index.ts';
import { outputOf, planChildren, planWithChildren, type Expr, type LogicalPlan } from '../../plan/index.ts';
import type { OptimizerRule } from '../context.ts';
import { estimateRows } from '../cost/estimate.ts';
import { conjoin, deepEqual, idsOf, isSubsetOf, refs, splitConjuncts } from '../expr-utils.ts';
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

  const items = leaves.map((p, index) => ({
    plan: p,
    index,
    rows: estimateRows(p),
    ids: idsOf(outputOf(p)),
  }));
  let start = items[0]!;
  for (const it of items) if (it.rows > start.rows) start = it;
  let remaining = items.filter((it) => it !== start);
  let unused = [...conjuncts];
  let tree = start.plan;
  const joined = new Set(start.ids);
  while (remaining.length > 0) {
    const linked = (it: (typeof items)[number], equiOnly: boolean): boolean =>
      unused.some((c) => (!equiOnly || isEquiJoinKey(c, joined, it.ids)) && connects(c, joined, it.ids));
    const equi = remaining.filter((it) => linked(it, true));
    const connected = equi.length > 0 ? equi : remaining.filter((it) => linked(it, false));
    const pool = connected.length > 0 ? connected : remaining;
    let pick = pool[0]!;
    for (const it of pool) if (it.rows < pick.rows) pick = it;
    remaining = remaining.filter((it) => it !== pick);
    for (const id of pick.ids) joined.add(id);
    const here = unused.filter((c) => isSubsetOf(refs(c), joined));
    unused = unused.filter((c) => !here.includes(c));
    const condition = conjoin(here);
    tree = {
      kind: 'Join',
      left: tree,
      right: pick.plan,
      joinType: condition === null ? 'cross' : 'inner',
      condition,
      mark: null,
      nullAware: false,
    };
  }
  const leftover = conjoin(unused);
  if (leftover !== null) tree = { kind: 'Filter', input: tree, predicate: leftover };
  const result = narrowTo(tree, outputOf(plan));
  return deepEqual(result, plan) ? plan : result;
}

/** `c` reads both the joined set and the candidate, and nothing else. */
function connects(c: Expr, joined: ReadonlySet<number>, candidate: ReadonlySet<number>): boolean {
  const r = refs(c);
  return (
    [...r].some((id) => candidate.has(id)) &&
    [...r].some((id) => joined.has(id)) &&
    isSubsetOf(r, union(joined, candidate))
  );
}

/** `c` is `x = y` with one side over the joined set and the other over the candidate (a hash-join key). */
function isEquiJoinKey(c: Expr, joined: ReadonlySet<number>, candidate: ReadonlySet<number>): boolean {
  if (c.kind !== 'binary' || c.op !== '=') return false;
  const l = refs(c.left);
  const r = refs(c.right);
  if (l.size === 0 || r.size === 0) return false;
  return (
    (isSubsetOf(l, joined) && isSubsetOf(r, candidate)) || (isSubsetOf(l, candidate) && isSubsetOf(r, joined))
  );
}

function union(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}
