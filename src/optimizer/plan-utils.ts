/**
 * Small plan helpers shared by the rules: rebuilding a node with new expressions, empty relations,
 * narrowing projections, comparing outputs.
 */
import { typesEqual } from '../common/index.ts';
import { outputOf, type Attribute, type LogicalPlan } from '../plan/index.ts';
import { col } from './expr-utils.ts';

export { mapExpressions } from '../plan/index.ts';

/** A relation with no rows and the given output (what a filter that is always false becomes). */
export function emptyRelation(output: readonly Attribute[]): LogicalPlan {
  return { kind: 'Values', output, rows: [] };
}

export function isEmptyRelation(plan: LogicalPlan): boolean {
  return plan.kind === 'Values' && plan.rows.length === 0;
}

/** A Project passing through `attrs` of `input` by id. */
export function projectAttrs(input: LogicalPlan, attrs: readonly Attribute[]): LogicalPlan {
  return { kind: 'Project', input, exprs: attrs.map((a) => ({ expr: col(a), attr: a })) };
}

/** Same ids in the same order. */
export function sameIds(a: readonly Attribute[], b: readonly Attribute[]): boolean {
  return a.length === b.length && a.every((x, i) => x.id === b[i]!.id);
}

/** `input` itself if it already outputs exactly `attrs` (by id, in order); otherwise a Project to them. */
export function narrowTo(input: LogicalPlan, attrs: readonly Attribute[]): LogicalPlan {
  return sameIds(outputOf(input), attrs) ? input : projectAttrs(input, attrs);
}

/** Describes the first difference between two outputs (ids and types), or null when equal. */
export function outputDifference(before: readonly Attribute[], after: readonly Attribute[]): string | null {
  const show = (as: readonly Attribute[]): string => as.map((a) => `${a.name}#${a.id}`).join(', ');
  if (before.length !== after.length || before.some((a, i) => a.id !== after[i]!.id)) {
    return `output [${show(before)}] became [${show(after)}]`;
  }
  for (let i = 0; i < before.length; i++) {
    if (!typesEqual(before[i]!.type, after[i]!.type))
      return `the type of ${before[i]!.name}#${before[i]!.id} changed`;
  }
  return null;
}
