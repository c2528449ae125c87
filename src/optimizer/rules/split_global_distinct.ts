/**
 * split_global_distinct: an aggregate without grouping keys whose aggregates are all DISTINCT over
 * the same arguments first makes those arguments distinct — an aggregate grouped by them, which
 * runs partitioned on every executor and spills like any keyed aggregate — and then aggregates the
 * distinct rows without DISTINCT. Without it the distinct values of the whole input are gathered
 * in one task's memory (and a budget too small for them fails the query).
 *
 *   Aggregate: groupBy=[], aggr=[count(DISTINCT x), sum(DISTINCT x)]
 *     input
 * ==>
 *   Aggregate: groupBy=[], aggr=[count(x#9) AS count(DISTINCT x), sum(x#9) AS sum(DISTINCT x)]
 *     Aggregate: groupBy=[x AS x#9], aggr=[]
 *       input
 *
 * Correct because `f(DISTINCT args)` is `f` over the distinct rows of `args`, NULLs included as
 * `f` treats them (count(DISTINCT a, b) skips a row with a NULL, as count(a, b) does), and over an
 * empty input both give the same single row. Only plain aggregate calls with no FILTER, one set of
 * DISTINCT arguments, no grouping sets.
 */
import { changed, unchanged } from '../../common/index.ts';
import {
  exprType,
  type AggregateExpr,
  type Attribute,
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
    const args = calls[0]?.args;
    if (args === undefined) return unchanged(plan);
    const sameArgs = (c: AggregateExpr): boolean =>
      c.args.length === args.length && c.args.every((x, i) => exprEquals(x, args[i]!));
    if (!calls.every(sameArgs)) return unchanged(plan);
    const keys: NamedExpr[] = args.map((expr, i) => {
      const attr: Attribute = {
        id: ctx.nextId(),
        name: expr.kind === 'column' ? expr.attr.name : `distinct_${i}`,
        type: exprType(expr),
        nullable: isNullable(expr),
        qualifier: null,
      };
      return { expr, attr };
    });
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
      expr: {
        ...calls[i]!,
        distinct: false,
        args: keys.map((k) => ({ kind: 'column', attr: k.attr }) as const),
      },
    }));
    return changed({ ...plan, input: distinct, aggregates });
  },
};
