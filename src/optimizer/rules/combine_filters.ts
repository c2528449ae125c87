/**
 * combine_filters: merges a Filter directly above another Filter into one, inner conjuncts first,
 * dropping conjuncts that appear twice. Both predicates must be deterministic (a `rand()` filter
 * sees a different set of rows once merged).
 *
 *   Filter: b < Int32(5)
 *     Filter: a > Int32(1)              ==>   Filter: a > Int32(1) AND b < Int32(5)
 *       TableScan: t                            TableScan: t
 */
import { changed, unchanged } from '../../common/index.ts';
import type { Expr } from '../../plan/index.ts';
import type { OptimizerRule } from '../context.ts';
import { conjoin, exprEquals, isDeterministic, splitConjuncts } from '../expr-utils.ts';

export const combineFilters: OptimizerRule = {
  name: 'combine_filters',
  traversal: 'bottomUp',
  rewrite(plan, ctx) {
    if (plan.kind !== 'Filter' || plan.input.kind !== 'Filter') return unchanged(plan);
    const inner = plan.input;
    if (!isDeterministic(plan.predicate, ctx) || !isDeterministic(inner.predicate, ctx))
      return unchanged(plan);
    const conjuncts: Expr[] = [];
    for (const c of [...splitConjuncts(inner.predicate), ...splitConjuncts(plan.predicate)]) {
      if (!conjuncts.some((x) => exprEquals(x, c))) conjuncts.push(c);
    }
    return changed({ kind: 'Filter', input: inner.input, predicate: conjoin(conjuncts)! });
  },
};
