/**
 * Where a query runs: on the executors, or — when it is tiny — in the session's own thread.
 *
 * Tiny means bounded work whatever the data, and no file to read: every input is literal rows
 * (the catalogs' rows are literal rows too) or a short `range`; no operator can multiply rows
 * beyond `INLINE_MAX_ROWS` (a join's bound is the product of its inputs'); no generator,
 * recursion, or function whose output size comes from its arguments (`sequence`, `repeat`, …).
 * Catalog and BI-tool queries answer in milliseconds this way, while a heavy query — or any read
 * of a table's files, however small — never runs in the server's thread.
 */
import { isSerializable, planToSpec, type ExecutionPlan, type PlanSpec } from '../physical/index.ts';

export const INLINE_MAX_ROWS = 1_000_000;

/** Functions whose result size (and so work) is set by argument values, not input size. */
const UNBOUNDED_FUNCTIONS = new Set([
  'sequence',
  'repeat',
  'space',
  'lpad',
  'rpad',
  'array_repeat',
  'explode',
  'posexplode',
  'collect_list',
  'collect_set',
]);

export type Placement = 'inline' | 'executors';

/** `inlineTiny` false keeps only plans that cannot leave this thread here (tests of the executors). */
export function placementOf(plan: ExecutionPlan, hasExecutors: boolean, inlineTiny = true): Placement {
  if (!hasExecutors || !isSerializable(plan)) return 'inline';
  return inlineTiny && isTiny(planToSpec(plan)) ? 'inline' : 'executors';
}

/** An upper bound of the rows a plan produces; Infinity when unbounded or too large. */
function rowBound(spec: PlanSpec): number {
  const op = spec.op;
  const kids = spec.children.map(rowBound);
  if (kids.some((k) => !Number.isFinite(k))) return Infinity;
  const sum = kids.reduce((a, b) => a + b, 0);
  switch (op.kind) {
    case 'Values':
      return op.rows.length;
    case 'Empty':
      return 0;
    case 'Range': {
      const count = op.step > 0n ? (op.end - op.start) / op.step : (op.start - op.end) / -op.step;
      return count > BigInt(INLINE_MAX_ROWS) ? Infinity : Math.max(0, Number(count) + 1);
    }
    case 'HashJoin':
    case 'NestedLoopJoin':
      return kids.reduce((a, b) => a * Math.max(1, b), 1);
    case 'Filter':
    case 'Projection':
    case 'HashAggregate':
    case 'Sort':
    case 'Limit':
    case 'Union':
    case 'Window':
    case 'Exchange':
      return sum;
    default:
      // Generators, recursion, row replication, reads of other stages: not bounded here.
      return Infinity;
  }
}

function isTiny(spec: PlanSpec): boolean {
  return rowBound(spec) <= INLINE_MAX_ROWS && !callsUnbounded(spec);
}

/** Whether any expression or aggregate of the plan calls a function of UNBOUNDED_FUNCTIONS. */
function callsUnbounded(value: unknown): boolean {
  if (typeof value !== 'object' || value === null || ArrayBuffer.isView(value)) return false;
  if (Array.isArray(value)) return value.some(callsUnbounded);
  const record = value as Record<string, unknown>;
  if (record.kind === 'call' && typeof record.name === 'string' && UNBOUNDED_FUNCTIONS.has(record.name))
    return true;
  // Aggregate specs name their registry function.
  const fn = record.function as { readonly name?: unknown } | undefined;
  if (
    typeof fn === 'object' &&
    fn !== null &&
    typeof fn.name === 'string' &&
    UNBOUNDED_FUNCTIONS.has(fn.name)
  ) {
    return true;
  }
  return Object.values(record).some(callsUnbounded);
}
