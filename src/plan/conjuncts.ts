/**
 * Splitting a predicate into its AND-ed parts and joining parts back, for every layer that moves
 * predicates (the optimizer's pushdowns, the physical planner's join-key extraction).
 */
import type { Expr } from './expr.ts';

/** `a AND (b AND c)` → `[a, b, c]`. */
export function splitConjuncts(e: Expr): Expr[] {
  if (e.kind === 'binary' && e.op === 'and') return [...splitConjuncts(e.left), ...splitConjuncts(e.right)];
  return [e];
}

/** Left-deep AND of `es`; null when empty. */
export function conjoin(es: readonly Expr[]): Expr | null {
  let out: Expr | null = null;
  for (const e of es) {
    out =
      out === null
        ? e
        : { kind: 'binary', op: 'and', left: out, right: e, type: { kind: 'boolean' }, failOnError: false };
  }
  return out;
}
