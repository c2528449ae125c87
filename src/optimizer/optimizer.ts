/**
 * The optimizer driver: runs rule batches over a logical plan, each batch once or to a fixpoint
 * (a full pass that changes nothing, or `maxPasses`). It owns the invariants so rules stay small:
 *
 * - after every rule application the plan's output attributes (ids and types, in order) must be
 *   unchanged, else an internal error names the rule;
 * - after all batches no `outer_ref` may remain (every correlated subquery was decorrelated);
 * - disabled rules (by snake_case name) are skipped;
 * - each rule application that changed the plan is recorded with the plan text after it, for
 *   `EXPLAIN VERBOSE`.
 *
 * Subquery plans that stay inside expressions (uncorrelated scalar subqueries) are optimized
 * separately, with the same rules, once the outer plan is done.
 */
import {
  changed,
  EngineError,
  SqlState,
  transformDown,
  transformUp,
  unchanged,
  assertNever,
  type Transformed,
} from '../common/index.ts';
import { exprOps, outputOf, planOps, type Expr, type LogicalPlan } from '../plan/index.ts';
import {
  DEFAULT_MAX_PASSES,
  type OptimizerContext,
  type OptimizerRule,
  type RuleBatch,
  type RuleTrace,
} from './context.ts';
import { planHasOuterRef } from './expr-utils.ts';
import { mapExpressions, outputDifference } from './plan-utils.ts';
import { defaultBatches, DECORRELATION_RULES } from './rules/index.ts';

export interface OptimizeResult {
  readonly plan: LogicalPlan;
  readonly trace: RuleTrace[];
}

export function optimize(
  plan: LogicalPlan,
  ctx: OptimizerContext,
  batches: readonly RuleBatch[] = defaultBatches,
): OptimizeResult {
  const trace: RuleTrace[] = [];
  const optimized = optimizeInto(plan, ctx, batches, trace, '');
  return { plan: optimized, trace };
}

function optimizeInto(
  plan: LogicalPlan,
  ctx: OptimizerContext,
  batches: readonly RuleBatch[],
  trace: RuleTrace[],
  prefix: string,
): LogicalPlan {
  const maxPasses = Math.max(1, ctx.maxPasses ?? DEFAULT_MAX_PASSES);
  let current = plan;
  for (const batch of batches) {
    const passes = batch.strategy === 'once' ? 1 : maxPasses;
    for (let pass = 1; pass <= passes; pass++) {
      let passChanged = false;
      for (const rule of batch.rules) {
        if (ctx.disabledRules.has(rule.name)) continue;
        const r = applyRule(rule, current, ctx);
        if (!r.changed) continue;
        const difference = outputDifference(outputOf(current), outputOf(r.node));
        if (difference !== null) {
          throw new EngineError(
            SqlState.internalError,
            `internal error: optimizer rule ${rule.name} changed the plan's output: ${difference}`,
          );
        }
        current = r.node;
        passChanged = true;
        trace.push({ rule: rule.name, batch: prefix + batch.name, pass, plan: current });
      }
      if (!passChanged) break;
    }
  }
  if (planHasOuterRef(current)) {
    const disabled = DECORRELATION_RULES.filter((n) => ctx.disabledRules.has(n));
    if (disabled.length > 0) {
      throw new EngineError(
        SqlState.featureNotSupported,
        `correlated subqueries cannot run with optimizer rule(s) ${disabled.join(', ')} disabled`,
      );
    }
    throw new EngineError(
      SqlState.internalError,
      'internal error: a correlated reference (outer_ref) remains after optimization',
    );
  }
  return optimizeSubqueries(current, ctx, batches, trace, prefix);
}

function applyRule(rule: OptimizerRule, plan: LogicalPlan, ctx: OptimizerContext): Transformed<LogicalPlan> {
  switch (rule.traversal) {
    case 'whole':
      return rule.rewrite(plan, ctx);
    case 'topDown':
      return transformDown(planOps, plan, (n) => rule.rewrite(n, ctx));
    case 'bottomUp':
      return transformUp(planOps, plan, (n) => rule.rewrite(n, ctx));
    default:
      return assertNever(rule.traversal, 'rule traversal');
  }
}

/** Optimizes the plans of subquery expressions that remain (uncorrelated ones run once at execution). */
function optimizeSubqueries(
  plan: LogicalPlan,
  ctx: OptimizerContext,
  batches: readonly RuleBatch[],
  trace: RuleTrace[],
  prefix: string,
): LogicalPlan {
  const rewriteExpr = (e: Expr): Transformed<Expr> =>
    transformUp(exprOps, e, (n) => {
      if (n.kind === 'scalar_subquery' || n.kind === 'exists' || n.kind === 'in_subquery') {
        const sub = optimizeInto(n.plan, ctx, batches, trace, `${prefix}subquery/`);
        return sub === n.plan ? unchanged(n) : changed({ ...n, plan: sub });
      }
      return unchanged(n);
    });
  return transformUp(planOps, plan, (node) => {
    let any = false;
    const next = mapExpressions(node, (e) => {
      const r = rewriteExpr(e);
      if (r.changed) any = true;
      return r.node;
    });
    return any ? changed(next) : unchanged(node);
  }).node;
}
