/**
 * Optimizer: rewrites an analyzed logical plan into an equivalent, cheaper one.
 *
 *   LogicalPlan ─► decorrelation ─► simplify / push filters & limits / collapse (fixpoint)
 *               ─► join reorder ─► again ─► column pruning ─► LogicalPlan
 *
 * Rules live one per file in `rules/` and are listed, in order, in `rules/index.ts`; the driver
 * (`optimizer.ts`) checks after each rule that the plan's output is unchanged.
 *
 * `cost/` estimates any logical plan node (`estimatePlan`: rows, bytes, per-column statistics),
 * for join ordering, EXPLAIN COST, and the physical planner's choice of build sides and exchanges.
 */
export { optimize, type OptimizeResult } from './optimizer.ts';
export {
  DEFAULT_MAX_PASSES,
  type OptimizerContext,
  type OptimizerRule,
  type RuleBatch,
  type RuleTrace,
  type RuleTraversal,
} from './context.ts';
export { defaultBatches, defaultRules, ruleNames } from './rules/index.ts';
export { DEFAULT_SIZE_IN_BYTES, estimatePlan, estimateRows, type PlanEstimate } from './cost/estimate.ts';
export type { ColumnEstimate } from './cost/column-estimate.ts';
export { bytesToString, explainCost, statisticsString } from './cost/explain-cost.ts';
