/**
 * prune_columns: computes, top-down, the columns each node must produce and drops the rest:
 * narrows `Scan.projection`, removes unused Project items, aggregates and window expressions, and
 * puts narrowing Projects under joins, sorts and unions where the child would carry columns
 * nobody reads.
 *
 *   Projection: a                              Projection: a
 *     Inner Join: a = x                 ==>      Inner Join: a = x
 *       TableScan: t                               TableScan: t projection=[a]
 *       Filter: y > Int32(1)                       Projection: x
 *         TableScan: u                                Filter: y > Int32(1)
 *                                                       TableScan: u projection=[x, y]
 *
 * The root keeps its output exactly; nodes keep the order of the columns they still produce. A
 * node never ends up with zero columns (physical batches need one to carry a row count): a scan
 * keeps one narrow column, a Project or global Aggregate its first item.
 */
import { changed, unchanged, type DataType } from '../../common/index.ts';
import {
  outputOf,
  planExpressions,
  referencedIds,
  type Attribute,
  type Expr,
  type LogicalPlan,
} from '../../plan/index.ts';
import type { OptimizerRule } from '../context.ts';
import { narrowTo } from '../plan-utils.ts';

export const pruneColumns: OptimizerRule = {
  name: 'prune_columns',
  traversal: 'whole',
  rewrite(plan) {
    const next = prune(plan, idsOfAttrs(outputOf(plan)));
    return next === plan ? unchanged(plan) : changed(next);
  },
};

function idsOfAttrs(attrs: readonly Attribute[]): Set<number> {
  return new Set(attrs.map((a) => a.id));
}

function refsOf(exprs: readonly Expr[], into: Set<number> = new Set()): Set<number> {
  for (const e of exprs) referencedIds(e, into);
  return into;
}

function union(a: ReadonlySet<number>, b: ReadonlySet<number>): Set<number> {
  const out = new Set(a);
  for (const x of b) out.add(x);
  return out;
}

/** `child` pruned to `need`, with a narrowing Project on top if it still carries extra columns. */
function pruneNarrow(child: LogicalPlan, need: ReadonlySet<number>): LogicalPlan {
  const pruned = prune(child, need);
  const out = outputOf(pruned);
  const kept = out.filter((a) => need.has(a.id));
  if (kept.length === out.length || kept.length === 0) return pruned;
  return narrowTo(pruned, kept);
}

/** Width rank for choosing the one column a scan keeps when nothing is needed. */
function width(t: DataType): number {
  switch (t.kind) {
    case 'boolean':
    case 'tinyint':
      return 1;
    case 'smallint':
      return 2;
    case 'int':
    case 'date':
    case 'float':
      return 4;
    case 'bigint':
    case 'double':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
      return 8;
    case 'decimal':
      return 16;
    default:
      return 64;
  }
}

function prune(plan: LogicalPlan, required: ReadonlySet<number>): LogicalPlan {
  switch (plan.kind) {
    case 'Scan': {
      const current = plan.projection ?? plan.tableOutput.map((_, i) => i);
      let projection = current.filter((i) => required.has(plan.tableOutput[i]!.id));
      if (projection.length === 0 && current.length > 0) {
        let best = current[0]!;
        for (const i of current)
          if (width(plan.tableOutput[i]!.type) < width(plan.tableOutput[best]!.type)) best = i;
        projection = [best];
      }
      if (projection.length === current.length) return plan;
      return { ...plan, projection };
    }
    case 'Values':
    case 'Range':
    case 'WorkTable':
    case 'RecursiveCte':
      return plan;
    case 'Filter':
    case 'Sort': {
      const need = refsOf(planExpressions(plan), new Set(required));
      const input = plan.kind === 'Sort' ? pruneNarrow(plan.input, need) : prune(plan.input, need);
      return input === plan.input ? plan : { ...plan, input };
    }
    case 'Limit': {
      const input = prune(plan.input, required);
      return input === plan.input ? plan : { ...plan, input };
    }
    case 'Project': {
      let exprs = plan.exprs.filter((n) => required.has(n.attr.id));
      if (exprs.length === 0) exprs = plan.exprs.slice(0, 1);
      const input = prune(plan.input, refsOf(exprs.map((n) => n.expr)));
      if (exprs.length === plan.exprs.length && input === plan.input) return plan;
      return { ...plan, exprs, input };
    }
    case 'Aggregate': {
      let aggregates = plan.aggregates.filter((n) => required.has(n.attr.id));
      if (aggregates.length === 0 && plan.groupBy.length === 0) aggregates = plan.aggregates.slice(0, 1);
      const need = refsOf([...plan.groupBy.map((g) => g.expr), ...aggregates.map((a) => a.expr)]);
      const input = prune(plan.input, need);
      if (aggregates.length === plan.aggregates.length && input === plan.input) return plan;
      return { ...plan, aggregates, input };
    }
    case 'Window': {
      const windows = plan.windows.filter((n) => required.has(n.attr.id));
      const need = refsOf(
        windows.map((w) => w.expr),
        new Set(required),
      );
      if (windows.length === 0) return prune(plan.input, need);
      const input = prune(plan.input, need);
      if (windows.length === plan.windows.length && input === plan.input) return plan;
      return { ...plan, windows, input };
    }
    case 'Generate': {
      // The generator's columns always stay; the input keeps what is read above and by `arg`.
      const input = pruneNarrow(plan.input, referencedIds(plan.arg, new Set(required)));
      return input === plan.input ? plan : { ...plan, input };
    }
    case 'Join': {
      const condRefs = plan.condition === null ? new Set<number>() : referencedIds(plan.condition);
      const leftOnly =
        plan.joinType === 'left_semi' || plan.joinType === 'left_anti' || plan.joinType === 'left_mark';
      const leftNeed = union(required, condRefs);
      const rightNeed = leftOnly ? condRefs : union(required, condRefs);
      const left = pruneNarrow(plan.left, leftNeed);
      const right = pruneNarrow(plan.right, rightNeed);
      if (left === plan.left && right === plan.right) return plan;
      return { ...plan, left, right };
    }
    case 'SetOp': {
      if (!(plan.op === 'union' && plan.all)) return pruneChildrenFully(plan);
      const keep = plan.output.map((a, i) => (required.has(a.id) ? i : -1)).filter((i) => i >= 0);
      if (keep.length === 0) keep.push(0);
      if (keep.length === plan.output.length) return pruneChildrenFully(plan);
      const side = (child: LogicalPlan): LogicalPlan => {
        const out = outputOf(child);
        const attrs = keep.map((i) => out[i]!);
        return narrowTo(prune(child, idsOfAttrs(attrs)), attrs);
      };
      return {
        ...plan,
        left: side(plan.left),
        right: side(plan.right),
        output: keep.map((i) => plan.output[i]!),
      };
    }
    case 'Rename': {
      const inner = outputOf(plan.input);
      const keep = plan.output.map((a, i) => (required.has(a.id) ? i : -1)).filter((i) => i >= 0);
      if (keep.length === 0) keep.push(0);
      const attrs = keep.map((i) => inner[i]!);
      const input = narrowTo(prune(plan.input, idsOfAttrs(attrs)), attrs);
      if (keep.length === plan.output.length && input === plan.input) return plan;
      return { ...plan, input, output: keep.map((i) => plan.output[i]!) };
    }
    default:
      return plan;
  }
}

/** Set operations that compare whole rows need every column of both inputs. */
function pruneChildrenFully(plan: LogicalPlan & { kind: 'SetOp' }): LogicalPlan {
  const left = prune(plan.left, idsOfAttrs(outputOf(plan.left)));
  const right = prune(plan.right, idsOfAttrs(outputOf(plan.right)));
  return left === plan.left && right === plan.right ? plan : { ...plan, left, right };
}
