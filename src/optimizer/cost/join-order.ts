/**
 * The order of an inner-join group (Spark's `CostBasedJoinReorder`): given the group's inputs and
 * its join conditions split into conjuncts, find the join tree with the least cost, where the cost
 * of a plan is the sum over its intermediate joins (not the inputs, not the final join) of
 * `0.7 · rows + 0.3 · bytes` (Spark's `spark.sql.cbo.joinReorder.card.weight`).
 *
 * - Up to `DP_MAX_RELATIONS` inputs: dynamic programming over connected subsets, level by level,
 *   keeping the cheapest plan per subset; two subsets are joined only when a condition connects
 *   them (no cross products). Plans may be bushy.
 * - More inputs, a disconnected graph, or too many candidate pairs: greedy operator ordering —
 *   repeatedly join the two connected trees whose join is estimated smallest; a cross product of
 *   the two smallest trees only when no connected pair is left.
 *
 * Every join puts its smaller input (by estimated rows, then bytes) on the right, the side the
 * physical planner builds its hash table from. Conditions go to the lowest join that has all their columns;
 * a conjunct that reads a single input filters that input first; one that reads none filters the
 * top.
 */
import { outputOf, referencedIds, type Expr, type LogicalPlan } from '../../plan/index.ts';
import { conjoin } from '../expr-utils.ts';
import { estimatePlan, type PlanEstimate } from './estimate.ts';

/** Spark's `spark.sql.cbo.joinReorder.dp.threshold` is 12; beyond 10 inputs the search grows fast. */
export const DP_MAX_RELATIONS = 10;
/** Candidate joins the dynamic programming may build before it falls back to the greedy order. */
const DP_MAX_CANDIDATES = 20_000;
/** Weight of rows against bytes in a plan's cost. */
const CARD_WEIGHT = 0.7;

interface Tree {
  /** Bit i set: input i is in this tree. */
  readonly mask: bigint;
  readonly plan: LogicalPlan;
  readonly est: PlanEstimate;
  /** Sum of the weighted sizes of the joins below the top of this tree. */
  readonly cost: number;
  readonly isJoin: boolean;
  /** The lowest input index, to break ties deterministically. */
  readonly first: number;
}

interface Conjunct {
  readonly expr: Expr;
  readonly mask: bigint;
}

function weight(est: PlanEstimate): number {
  return CARD_WEIGHT * est.rowCount + (1 - CARD_WEIGHT) * est.sizeInBytes;
}

/** The cost the search minimizes, of any join tree: the weighted sizes of its joins below the top. */
export function joinTreeCost(plan: LogicalPlan): number {
  const below = (p: LogicalPlan): number => {
    if (p.kind === 'Join') return weight(estimatePlan(p)) + below(p.left) + below(p.right);
    if (p.kind === 'Filter' || p.kind === 'Project') return below(p.input);
    return 0;
  };
  let top = plan;
  while (top.kind === 'Filter' || top.kind === 'Project') top = top.input;
  return top.kind === 'Join' ? below(top.left) + below(top.right) : 0;
}

function popcount(mask: bigint): number {
  let n = 0;
  for (let m = mask; m !== 0n; m &= m - 1n) n++;
  return n;
}

/**
 * Whether `a` should be the right (build) side rather than `b`: fewer rows (a hash table's cost is
 * per row, and the widths of intermediate results are not final before column pruning), then
 * fewer bytes, then the later input.
 */
function buildsBetter(a: Tree, b: Tree): boolean {
  if (a.est.rowCount !== b.est.rowCount) return a.est.rowCount < b.est.rowCount;
  if (a.est.sizeInBytes !== b.est.sizeInBytes) return a.est.sizeInBytes < b.est.sizeInBytes;
  return a.first > b.first;
}

class JoinSearch {
  private readonly conjuncts: readonly Conjunct[];
  candidates = 0;

  constructor(conjuncts: readonly Conjunct[]) {
    this.conjuncts = conjuncts;
  }

  /** The conjuncts that join `a` and `b`: they read both, and nothing outside them. */
  between(a: bigint, b: bigint): Expr[] {
    const both = a | b;
    const out: Expr[] = [];
    for (const c of this.conjuncts) {
      if ((c.mask & ~both) === 0n && (c.mask & a) !== 0n && (c.mask & b) !== 0n) out.push(c.expr);
    }
    return out;
  }

  join(a: Tree, b: Tree, conditions: readonly Expr[]): Tree {
    this.candidates++;
    const [left, right] = buildsBetter(b, a) ? [a, b] : [b, a];
    const condition = conjoin(conditions);
    const plan: LogicalPlan = {
      kind: 'Join',
      left: left.plan,
      right: right.plan,
      joinType: condition === null ? 'cross' : 'inner',
      condition,
      mark: null,
      nullAware: false,
    };
    const cost = a.cost + b.cost + (a.isJoin ? weight(a.est) : 0) + (b.isJoin ? weight(b.est) : 0);
    return {
      mask: a.mask | b.mask,
      plan,
      est: estimatePlan(plan),
      cost,
      isJoin: true,
      first: Math.min(a.first, b.first),
    };
  }
}

/** Dynamic programming over connected subsets; null when no connected plan covers every input. */
function dynamicProgramming(search: JoinSearch, inputs: readonly Tree[]): Tree | null {
  const n = inputs.length;
  const full = (1n << BigInt(n)) - 1n;
  const levels: Tree[][] = [[], [...inputs]];
  for (let size = 2; size <= n; size++) {
    const best = new Map<bigint, Tree>();
    for (let leftSize = 1; leftSize <= size / 2; leftSize++) {
      const rightSize = size - leftSize;
      for (const a of levels[leftSize]!) {
        for (const b of levels[rightSize]!) {
          if ((a.mask & b.mask) !== 0n) continue;
          if (leftSize === rightSize && a.mask > b.mask) continue; // each pair once
          const conditions = search.between(a.mask, b.mask);
          if (conditions.length === 0) continue;
          if (search.candidates >= DP_MAX_CANDIDATES) return null;
          const t = search.join(a, b, conditions);
          const seen = best.get(t.mask);
          if (seen === undefined || t.cost < seen.cost) best.set(t.mask, t);
        }
      }
    }
    levels.push([...best.values()]);
  }
  return levels[n]!.find((t) => t.mask === full) ?? null;
}

/** Greedy operator ordering: join the connected pair with the smallest estimated result first. */
function greedy(search: JoinSearch, inputs: readonly Tree[]): Tree {
  const forest = [...inputs];
  while (forest.length > 1) {
    let pick: { i: number; j: number; tree: Tree } | null = null;
    for (let i = 0; i < forest.length; i++) {
      for (let j = i + 1; j < forest.length; j++) {
        const conditions = search.between(forest[i]!.mask, forest[j]!.mask);
        if (conditions.length === 0) continue;
        const t = search.join(forest[i]!, forest[j]!, conditions);
        if (
          pick === null ||
          t.est.rowCount < pick.tree.est.rowCount ||
          (t.est.rowCount === pick.tree.est.rowCount && t.cost < pick.tree.cost)
        ) {
          pick = { i, j, tree: t };
        }
      }
    }
    if (pick === null) {
      // Nothing connects the trees left: a cross product of the two smallest.
      const order = forest
        .map((t, k) => ({ t, k }))
        .sort((x, y) => (buildsBetter(x.t, y.t) ? -1 : buildsBetter(y.t, x.t) ? 1 : 0));
      const [x, y] = [order[0]!, order[1]!];
      pick = { i: Math.min(x.k, y.k), j: Math.max(x.k, y.k), tree: search.join(x.t, y.t, []) };
    }
    forest.splice(pick.j, 1);
    forest.splice(pick.i, 1, pick.tree);
  }
  return forest[0]!;
}

/**
 * The cheapest join tree of `relations` under `conjuncts` (each a conjunct of some join
 * condition of the group). The result's output holds every relation's columns, in some order.
 */
export function orderJoins(relations: readonly LogicalPlan[], conjuncts: readonly Expr[]): LogicalPlan {
  const owner = new Map<number, number>();
  relations.forEach((r, i) => {
    for (const a of outputOf(r)) owner.set(a.id, i);
  });
  const perRelation: Expr[][] = relations.map(() => []);
  const top: Expr[] = [];
  const joining: Conjunct[] = [];
  for (const expr of conjuncts) {
    let mask = 0n;
    let foreign = false;
    for (const id of referencedIds(expr)) {
      const i = owner.get(id);
      if (i === undefined) foreign = true;
      else mask |= 1n << BigInt(i);
    }
    const count = popcount(mask);
    if (foreign || count === 0) top.push(expr);
    else if (count === 1) perRelation[relations.findIndex((_, i) => mask === 1n << BigInt(i))]!.push(expr);
    else joining.push({ expr, mask });
  }
  const inputs: Tree[] = relations.map((r, i) => {
    const own = conjoin(perRelation[i]!);
    const plan: LogicalPlan = own === null ? r : { kind: 'Filter', input: r, predicate: own };
    return { mask: 1n << BigInt(i), plan, est: estimatePlan(plan), cost: 0, isJoin: false, first: i };
  });
  const search = new JoinSearch(joining);
  const best =
    (inputs.length <= DP_MAX_RELATIONS ? dynamicProgramming(search, inputs) : null) ?? greedy(search, inputs);
  const rest = conjoin(top);
  return rest === null ? best.plan : { kind: 'Filter', input: best.plan, predicate: rest };
}
