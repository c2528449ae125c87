/**
 * split_global_distinct: an aggregate without grouping keys whose aggregates are all DISTINCT first
 * makes their arguments distinct — an aggregate grouped by them, which runs partitioned on every
 * executor and spills like any keyed aggregate — and then aggregates the distinct rows without
 * DISTINCT. Without it the distinct values of the whole input are gathered in one task's memory
 * (and a budget too small for them fails the query).
 *
 *   Aggregate: groupBy=[], aggr=[count(DISTINCT x), sum(DISTINCT x)]
 *     input
 * ==>
 *   Aggregate: groupBy=[], aggr=[count(x#9) AS count(DISTINCT x), sum(x#9) AS sum(DISTINCT x)]
 *     Aggregate: groupBy=[x AS x#9], aggr=[]
 *       input
 *
 * Aggregates DISTINCT over different arguments (Spark's Expand rewrite) group by all of them in
 * one grouping set per set of arguments, and each outer aggregate reads only its set's rows:
 *
 *   Aggregate: groupBy=[], aggr=[count(DISTINCT x), sum(DISTINCT y)]
 * ==>
 *   Aggregate: groupBy=[], aggr=[count(x#9) FILTER (gid#11 = 1), sum(y#10) FILTER (gid#11 = 2)]
 *     Aggregate: groupBy=[x AS x#9, y AS y#10], sets=[[0], [1]], gid#11, aggr=[]
 *       input
 *
 * Correct because `f(DISTINCT args)` is `f` over the distinct rows of `args`, NULLs included as
 * `f` treats them (count(DISTINCT a, b) skips a row with a NULL, as count(a, b) does), and over an
 * empty input both give the same single row; a grouping set's rows are the distinct values of its
 * columns, the others NULL. Only plain aggregate calls with no FILTER and no grouping sets.
 */
import { T, changed, unchanged } from '../../common/index.ts';
import {
  exprType,
  type AggregateExpr,
  type Attribute,
  type Expr,
  type LogicalPlan,
  type NamedExpr,
} from '../../plan/index.ts';
import type { OptimizerRule } from '../context.ts';
import { exprEquals, isNullable } from '../expr-utils.ts';

export const splitGlobalDistinct: OptimizerRule = {
  name: 'split_global_distinct',
  traversal: 'bottomUp',
  rewrite(plan, ctx) {
    if (plan.kind !== 'Aggregate' || plan.groupBy.length > 0 || plan.groupingSets !== null) {
      return unchanged(plan);
    }
    const calls: AggregateExpr[] = [];
    for (const a of plan.aggregates) {
      const e = a.expr;
      if (e.kind !== 'aggregate' || !e.distinct || e.filter !== null || e.args.length === 0) {
        return unchanged(plan);
      }
      calls.push(e);
    }
    if (calls.length === 0) return unchanged(plan);
    // The distinct argument expressions, and each call's as indexes into them.
    const columns: Expr[] = [];
    const indexOf = (x: Expr): number => {
      const at = columns.findIndex((c) => exprEquals(c, x));
      if (at >= 0) return at;
      columns.push(x);
      return columns.length - 1;
    };
    const callColumns = calls.map((c) => c.args.map(indexOf));
    const sets = distinctSets(callColumns);
    const keys: NamedExpr[] = columns.map((expr, i) => {
      const attr: Attribute = {
        id: ctx.nextId(),
        name: expr.kind === 'column' ? expr.attr.name : `distinct_${i}`,
        type: exprType(expr),
        // NULL in the rows of the sets without it
        nullable: isNullable(expr) || sets.length > 1,
        qualifier: null,
      };
      return { expr, attr };
    });
    const column = (i: number): Expr => ({ kind: 'column', attr: keys[i]!.attr });
    // One set of arguments: the distinct rows of its columns.
    if (sets.length === 1) {
      const distinct: LogicalPlan = {
        kind: 'Aggregate',
        input: plan.input,
        groupBy: keys,
        aggregates: [],
        groupingSets: null,
        groupingId: null,
      };
      const aggregates: NamedExpr[] = plan.aggregates.map((a, i) => ({
        attr: a.attr,
        expr: { ...calls[i]!, distinct: false, args: callColumns[i]!.map(column) },
      }));
      return changed({ ...plan, input: distinct, aggregates });
    }
    const gid: Attribute = {
      id: ctx.nextId(),
      name: 'spark_grouping_id',
      type: T.bigint,
      nullable: false,
      qualifier: null,
    };
    const distinct: LogicalPlan = {
      kind: 'Aggregate',
      input: plan.input,
      groupBy: keys,
      aggregates: [],
      groupingSets: sets,
      groupingId: gid,
    };
    const aggregates: NamedExpr[] = plan.aggregates.map((a, i) => {
      const set = sets.findIndex((s) => sameSet(s, callColumns[i]!));
      const inSet: Expr = {
        kind: 'binary',
        op: '=',
        left: { kind: 'column', attr: gid },
        right: { kind: 'literal', value: groupingIdOf(sets[set]!, keys.length), type: T.bigint },
        type: T.boolean,
        failOnError: true,
      };
      return {
        attr: a.attr,
        expr: { ...calls[i]!, distinct: false, args: callColumns[i]!.map(column), filter: inSet },
      };
    });
    return changed({ ...plan, input: distinct, aggregates });
  },
};

/** The different sets of columns among the calls' arguments (each sorted, no repeats), in order. */
function distinctSets(callColumns: readonly (readonly number[])[]): number[][] {
  const sets: number[][] = [];
  for (const c of callColumns) {
    const set = [...new Set(c)].sort((x, y) => x - y);
    if (!sets.some((s) => sameSet(s, set))) sets.push(set);
  }
  return sets;
}

function sameSet(set: readonly number[], columns: readonly number[]): boolean {
  const distinct = new Set(columns);
  return distinct.size === set.length && set.every((i) => distinct.has(i));
}

/** Spark's grouping id of a set of `count` group columns: bit i set when column i is not in it, MSB first. */
function groupingIdOf(set: readonly number[], count: number): bigint {
  let id = 0n;
  for (let i = 0; i < count; i++) if (!set.includes(i)) id |= 1n << BigInt(count - 1 - i);
  return id;
}
