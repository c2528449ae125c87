/**
 * The optimizer's rules, as data: batches run in this order by the driver (optimizer.ts).
 *
 * 1. decorrelation, once, first: every later rule may then assume no `outer_ref` and no EXISTS/IN
 *    expression (they became joins that the filter and pruning rules understand).
 * 2. operator optimization, to a fixpoint: simplification first (folded filters disappear, so there
 *    is less to push), then merging filters (one predicate to split), pushing filters down (turning
 *    comma joins into equi-joins, which join ordering needs), then semi and anti joins (after the
 *    filters, so the joins they sink through are equi-joins already; before join ordering, which
 *    then sees the filtered input as smaller), then limits, then merging projects last (pushing
 *    filters through projects leaves project chains). A global aggregate of DISTINCT calls is split
 *    into a keyed DISTINCT and a plain aggregate early (split_global_distinct), so filters and
 *    pruning see the final shape.
 * 3. join ordering by estimated cost, once, on the equi-joins the previous batch produced — after inferring from
 *    conditions that are ORs across both inputs the filters they imply for each input (once: the
 *    inferred filters must not be inferred again), so the inputs are estimated as they will be;
 *    then, with the order fixed, an aggregate joined on its keys to a much smaller input reads
 *    only the rows with those keys (once: it copies the small input).
 * 4. a second operator-optimization pass: reordering moves conditions, and may leave filters that
 *    can sink further.
 * 5. column pruning last, when the plan's shape is final: it inserts narrowing projects that other
 *    rules would otherwise have to look through.
 */
import type { OptimizerRule, RuleBatch } from '../context.ts';
import { collapseProjects } from './collapse_projects.ts';
import { combineFilters } from './combine_filters.ts';
import { decorrelateSubqueries } from './decorrelate_subqueries.ts';
import { eliminateLimits } from './eliminate_limits.ts';
import { inferFiltersFromDisjunctions } from './infer_filters_from_disjunctions.ts';
import { pruneColumns } from './prune_columns.ts';
import { pushDownFilter } from './push_down_filter.ts';
import { pushDownLimit } from './push_down_limit.ts';
import { pushDownSemiJoins } from './push_down_semi_joins.ts';
import { pushJoinKeysIntoAggregates } from './push_join_keys_into_aggregates.ts';
import { reorderJoins } from './reorder_joins.ts';
import { simplifyExpressions } from './simplify_expressions.ts';
import { splitGlobalDistinct } from './split_global_distinct.ts';

const operatorOptimization: readonly OptimizerRule[] = [
  simplifyExpressions,
  splitGlobalDistinct,
  combineFilters,
  pushDownFilter,
  pushDownSemiJoins,
  eliminateLimits,
  pushDownLimit,
  collapseProjects,
];

export const defaultBatches: readonly RuleBatch[] = [
  { name: 'decorrelation', strategy: 'once', rules: [decorrelateSubqueries] },
  { name: 'operator_optimization', strategy: 'fixpoint', rules: operatorOptimization },
  {
    name: 'join_reorder',
    strategy: 'once',
    rules: [inferFiltersFromDisjunctions, reorderJoins, pushJoinKeysIntoAggregates],
  },
  { name: 'operator_optimization_after_reorder', strategy: 'fixpoint', rules: operatorOptimization },
  { name: 'column_pruning', strategy: 'fixpoint', rules: [pruneColumns, collapseProjects] },
];

/** Every rule once, in first-use order. */
export const defaultRules: readonly OptimizerRule[] = [...new Set(defaultBatches.flatMap((b) => b.rules))];

/** The names users may list in `kindling.optimizer.disabled_rules`. */
export const ruleNames: readonly string[] = defaultRules.map((r) => r.name);

/** Rules without which a correlated subquery cannot run. */
export const DECORRELATION_RULES: readonly string[] = [decorrelateSubqueries.name];

export {
  collapseProjects,
  combineFilters,
  decorrelateSubqueries,
  eliminateLimits,
  inferFiltersFromDisjunctions,
  pruneColumns,
  pushDownFilter,
  pushDownLimit,
  pushDownSemiJoins,
  pushJoinKeysIntoAggregates,
  reorderJoins,
  simplifyExpressions,
};
