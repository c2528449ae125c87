/**
 * What the optimizer needs from the session, and the shape of a rule. The session implements
 * `OptimizerContext` (constant evaluation is backed by the physical expression evaluator, which this
 * layer may not import); rules are plain objects listed in `rules/index.ts`.
 */
import type { Transformed, Value } from '../common/index.ts';
import type { Expr, LogicalPlan } from '../plan/index.ts';

export interface OptimizerContext {
  /** snake_case rule names to skip (`SET kindling.optimizer.disabled_rules = 'a,b'`). */
  readonly disabledRules: ReadonlySet<string>;
  /** Passes over a fixpoint batch before giving up; defaults to `DEFAULT_MAX_PASSES`. */
  readonly maxPasses?: number;
  /**
   * Evaluates a column-free deterministic expression. May throw an EngineError (e.g. `1/0`); the
   * optimizer then leaves the expression unfolded, so the error happens at run time, and only if a
   * row reaches it.
   */
  evaluateConstant(expr: Expr): Value;
  /**
   * Whether a scalar function (by canonical name) always gives the same result for the same
   * arguments; the functions registry's `deterministic` flag. Without it a built-in deny list is used.
   */
  readonly isDeterministic?: (name: string) => boolean;
  /** A fresh attribute id, never used before in this query. */
  nextId(): number;
  readonly targetPartitions: number;
}

export const DEFAULT_MAX_PASSES = 20;

/** How the driver applies a rule's `rewrite`. */
export type RuleTraversal =
  /** Called on every node, parents first; the rule matches one node and never recurses. */
  | 'topDown'
  /** Called on every node, children first. */
  | 'bottomUp'
  /** Called once with the root; the rule walks the plan itself (it needs the whole tree). */
  | 'whole';

export interface OptimizerRule {
  /** snake_case, stable: users disable rules by this name. */
  readonly name: string;
  readonly traversal: RuleTraversal;
  rewrite(plan: LogicalPlan, ctx: OptimizerContext): Transformed<LogicalPlan>;
}

/** A group of rules run in order, once or repeatedly until a full pass changes nothing. */
export interface RuleBatch {
  readonly name: string;
  readonly strategy: 'once' | 'fixpoint';
  readonly rules: readonly OptimizerRule[];
}

/** One rule application that changed the plan (for `EXPLAIN VERBOSE`). */
export interface RuleTrace {
  readonly rule: string;
  readonly batch: string;
  readonly pass: number;
  /** The whole plan after the rule (rendered by `EXPLAIN VERBOSE` only: plans are immutable). */
  readonly plan: LogicalPlan;
}
