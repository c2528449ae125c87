/**
 * push_down_filter: moves filter conjuncts as close to the scans as they can go.
 *
 *   Filter: a.x = b.y AND a.z > Int32(1)          Inner Join: a.x = b.y
 *     Cross Join:                        ==>        Filter: a.z > Int32(1)
 *       TableScan: a                                  TableScan: a filters=[a.z > Int32(1)]
 *       TableScan: b                                TableScan: b
 *
 * - through Project (aliases substituted; only deterministic projections), Sort, Rename;
 * - through Aggregate for conjuncts over grouping columns only (not with grouping sets, and never
 *   below a global aggregate, whose one row exists even for empty input);
 * - through Window for conjuncts over columns every window partitions by;
 * - into joins: inner/cross → each side or the join condition; left/right → the preserved side
 *   only, and a conjunct that rejects NULLs of the null-supplying side turns the outer join into an
 *   inner one (full → left/right/inner likewise); semi/anti/mark → the left side;
 * - join conditions: conjuncts over one side go below on sides where that keeps the meaning;
 * - into both inputs of UNION/INTERSECT/EXCEPT, mapping columns by position;
 * - into `Scan.filters`, keeping the Filter above (the scan may only use them to skip data).
 *
 * Only conjuncts before the first non-deterministic one move, and never ones holding subqueries.
 */
import { changed, unchanged, type Transformed } from '../../common/index.ts';
import {
  outputOf,
  type Expr,
  type FilterNode,
  type JoinNode,
  type JoinType,
  type LogicalPlan,
} from '../../plan/index.ts';
import type { OptimizerContext, OptimizerRule } from '../context.ts';
import {
  col,
  conjoin,
  exprEquals,
  idsOf,
  isMovable,
  isSubsetOf,
  refs,
  rejectsNulls,
  splitConjuncts,
  substitute,
} from '../expr-utils.ts';

export const pushDownFilter: OptimizerRule = {
  name: 'push_down_filter',
  traversal: 'topDown',
  rewrite(plan, ctx) {
    if (plan.kind === 'Filter') return pushFilter(plan, ctx);
    if (plan.kind === 'Join') return pushJoinCondition(plan, ctx);
    return unchanged(plan);
  },
};

function filterOver(input: LogicalPlan, conjuncts: readonly Expr[]): LogicalPlan {
  const predicate = conjoin(conjuncts);
  return predicate === null ? input : { kind: 'Filter', input, predicate };
}

/** The conjuncts that may move (a deterministic prefix without subqueries) and those that stay. */
function splitMovable(predicate: Expr, ctx: OptimizerContext): { movable: Expr[]; fixed: Expr[] } {
  const movable: Expr[] = [];
  const fixed: Expr[] = [];
  let blocked = false;
  for (const c of splitConjuncts(predicate)) {
    if (!blocked && isMovable(c, ctx)) movable.push(c);
    else {
      if (!blocked && c.kind !== 'exists' && c.kind !== 'in_subquery' && c.kind !== 'scalar_subquery')
        blocked = true;
      fixed.push(c);
    }
  }
  return { movable, fixed };
}

function pushFilter(filter: FilterNode, ctx: OptimizerContext): Transformed<LogicalPlan> {
  const input = filter.input;
  const { movable, fixed } = splitMovable(filter.predicate, ctx);
  if (movable.length === 0) return unchanged(filter);
  switch (input.kind) {
    case 'Project': {
      if (!input.exprs.every((n) => isMovable(n.expr, ctx))) return unchanged(filter);
      const map = new Map(input.exprs.map((n) => [n.attr.id, n.expr] as const));
      const below = movable.map((c) => substitute(c, map));
      return changed(filterOver({ ...input, input: filterOver(input.input, below) }, fixed));
    }
    case 'Sort':
      return changed(filterOver({ ...input, input: filterOver(input.input, movable) }, fixed));
    case 'Rename': {
      const inner = outputOf(input.input);
      const map = new Map(input.output.map((a, i) => [a.id, col(inner[i]!)] as const));
      const below = movable.map((c) => substitute(c, map));
      return changed(filterOver({ ...input, input: filterOver(input.input, below) }, fixed));
    }
    case 'Aggregate': {
      if (input.groupingSets !== null || input.groupBy.length === 0) return unchanged(filter);
      if (!input.groupBy.every((g) => isMovable(g.expr, ctx))) return unchanged(filter);
      const groupIds = new Set(input.groupBy.map((g) => g.attr.id));
      const map = new Map(input.groupBy.map((g) => [g.attr.id, g.expr] as const));
      const below: Expr[] = [];
      const stay: Expr[] = [];
      for (const c of movable) {
        const r = refs(c);
        if (r.size > 0 && isSubsetOf(r, groupIds)) below.push(substitute(c, map));
        else stay.push(c);
      }
      if (below.length === 0) return unchanged(filter);
      return changed(filterOver({ ...input, input: filterOver(input.input, below) }, [...stay, ...fixed]));
    }
    case 'Window': {
      const partitionIds = commonPartitionIds(input.windows.map((w) => w.expr));
      const below: Expr[] = [];
      const stay: Expr[] = [];
      for (const c of movable) {
        const r = refs(c);
        if (r.size > 0 && isSubsetOf(r, partitionIds)) below.push(c);
        else stay.push(c);
      }
      if (below.length === 0) return unchanged(filter);
      return changed(filterOver({ ...input, input: filterOver(input.input, below) }, [...stay, ...fixed]));
    }
    case 'Generate': {
      // Conjuncts over the input's columns only hold per input row: test them before generating.
      const inputIds = idsOf(outputOf(input.input));
      const below = movable.filter((c) => isSubsetOf(refs(c), inputIds));
      if (below.length === 0) return unchanged(filter);
      const stay = movable.filter((c) => !isSubsetOf(refs(c), inputIds));
      return changed(filterOver({ ...input, input: filterOver(input.input, below) }, [...stay, ...fixed]));
    }
    case 'Join':
      return pushIntoJoin(filter, input, movable, fixed);
    case 'SetOp': {
      const leftOut = outputOf(input.left);
      const rightOut = outputOf(input.right);
      const toLeft = new Map(input.output.map((a, i) => [a.id, col(leftOut[i]!)] as const));
      const toRight = new Map(input.output.map((a, i) => [a.id, col(rightOut[i]!)] as const));
      return changed(
        filterOver(
          {
            ...input,
            left: filterOver(
              input.left,
              movable.map((c) => substitute(c, toLeft)),
            ),
            right: filterOver(
              input.right,
              movable.map((c) => substitute(c, toRight)),
            ),
          },
          fixed,
        ),
      );
    }
    case 'Scan': {
      const tableIds = idsOf(input.tableOutput);
      const added = movable.filter(
        (c) => isSubsetOf(refs(c), tableIds) && !input.filters.some((f) => exprEquals(f, c)),
      );
      if (added.length === 0) return unchanged(filter);
      return changed({ ...filter, input: { ...input, filters: [...input.filters, ...added] } });
    }
    default:
      return unchanged(filter);
  }
}

/** Ids of plain columns that every window expression partitions by. */
function commonPartitionIds(windows: readonly Expr[]): Set<number> {
  let common: Set<number> | undefined;
  for (const w of windows) {
    const ids = new Set<number>();
    if (w.kind === 'window') for (const p of w.spec.partitionBy) if (p.kind === 'column') ids.add(p.attr.id);
    const previous: Set<number> | undefined = common;
    common = previous === undefined ? ids : new Set<number>([...previous].filter((x) => ids.has(x)));
  }
  return common ?? new Set<number>();
}

function pushIntoJoin(
  filter: FilterNode,
  join: JoinNode,
  movable: Expr[],
  fixed: Expr[],
): Transformed<LogicalPlan> {
  const leftIds = idsOf(outputOf(join.left));
  const rightIds = idsOf(outputOf(join.right));

  // Outer joins whose NULL-extended rows the filter rejects are really inner (or one-sided) joins.
  const simplified = eliminateOuterJoin(join.joinType, movable, leftIds, rightIds);
  if (simplified !== join.joinType) {
    return changed({ ...filter, input: { ...join, joinType: simplified } });
  }

  const toLeft: Expr[] = [];
  const toRight: Expr[] = [];
  const toCondition: Expr[] = [];
  const stay: Expr[] = [];
  const type = join.joinType;
  for (const c of movable) {
    const r = refs(c);
    const onLeft = isSubsetOf(r, leftIds);
    const onRight = r.size > 0 && isSubsetOf(r, rightIds);
    if (type === 'inner' || type === 'cross') {
      if (onLeft) toLeft.push(c);
      else if (onRight) toRight.push(c);
      else toCondition.push(c);
    } else if (type === 'left' || type === 'left_semi' || type === 'left_anti' || type === 'left_mark') {
      if (onLeft) toLeft.push(c);
      else stay.push(c);
    } else if (type === 'right') {
      if (onRight) toRight.push(c);
      else stay.push(c);
    } else {
      stay.push(c);
    }
  }
  if (toLeft.length === 0 && toRight.length === 0 && toCondition.length === 0) return unchanged(filter);
  const condition = conjoin([...(join.condition === null ? [] : [join.condition]), ...toCondition]);
  const newJoin: JoinNode = {
    ...join,
    left: filterOver(join.left, toLeft),
    right: filterOver(join.right, toRight),
    joinType: type === 'cross' && condition !== null ? 'inner' : type,
    condition,
  };
  return changed(filterOver(newJoin, [...stay, ...fixed]));
}

function eliminateOuterJoin(
  type: JoinType,
  conjuncts: readonly Expr[],
  leftIds: ReadonlySet<number>,
  rightIds: ReadonlySet<number>,
): JoinType {
  const rejectsLeft = (): boolean => conjuncts.some((c) => rejectsNulls(c, leftIds));
  const rejectsRight = (): boolean => conjuncts.some((c) => rejectsNulls(c, rightIds));
  switch (type) {
    case 'left':
      return rejectsRight() ? 'inner' : type;
    case 'right':
      return rejectsLeft() ? 'inner' : type;
    case 'full': {
      const l = rejectsLeft();
      const r = rejectsRight();
      return l && r ? 'inner' : l ? 'left' : r ? 'right' : type;
    }
    default:
      return type;
  }
}

/**
 * Conjuncts of a join condition that read one side only go below where that keeps the meaning:
 * both sides of an inner join; the null-supplying side of an outer join; the right side of a
 * semi/anti join (not of a null-aware anti or a mark join, whose NULL handling depends on them).
 */
function pushJoinCondition(join: JoinNode, ctx: OptimizerContext): Transformed<LogicalPlan> {
  if (join.condition === null) return unchanged(join);
  const type = join.joinType;
  const leftIds = idsOf(outputOf(join.left));
  const rightIds = idsOf(outputOf(join.right));
  const canLeft = type === 'inner' || type === 'right';
  const canRight =
    type === 'inner' || type === 'left' || type === 'left_semi' || (type === 'left_anti' && !join.nullAware);
  const toLeft: Expr[] = [];
  const toRight: Expr[] = [];
  const keep: Expr[] = [];
  for (const c of splitConjuncts(join.condition)) {
    const r = refs(c);
    if (r.size > 0 && isMovable(c, ctx) && canLeft && isSubsetOf(r, leftIds)) toLeft.push(c);
    else if (r.size > 0 && isMovable(c, ctx) && canRight && isSubsetOf(r, rightIds)) toRight.push(c);
    else keep.push(c);
  }
  if (toLeft.length === 0 && toRight.length === 0) return unchanged(join);
  return changed({
    ...join,
    left: filterOver(join.left, toLeft),
    right: filterOver(join.right, toRight),
    condition: conjoin(keep),
  });
}
