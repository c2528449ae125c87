/**
 * Distribution rules: whether a child's partitioning meets what its parent requires, and the check
 * the planner runs on every plan it builds (the driver owns the invariant: an operator may assume
 * its inputs are distributed as it asked).
 *
 *   HashAggregateExec: mode=final            requires hash([l_orderkey@0])
 *     ShuffleExchangeExec: hash([l_orderkey@0], 4)   provides hash([l_orderkey@0], 4)  ✓
 */
import { EngineError, SqlState } from '../common/index.ts';
import {
  partitionCount,
  type Distribution,
  type ExecutionPlan,
  type Partitioning,
  type PhysicalExpr,
} from './execution-plan.ts';

/** Two key lists that hash rows the same way: the same expressions over the same columns, in order. */
export function sameKeys(a: readonly PhysicalExpr[], b: readonly PhysicalExpr[]): boolean {
  return a.length === b.length && a.every((k, i) => k.toString() === b[i]!.toString());
}

export function satisfies(p: Partitioning, d: Distribution): boolean {
  switch (d.kind) {
    case 'any':
      return true;
    case 'single':
      return partitionCount(p) === 1 && p.kind !== 'broadcast';
    case 'broadcast':
      return p.kind === 'broadcast' || partitionCount(p) === 1;
    case 'hash':
      if (p.kind === 'broadcast') return false;
      if (partitionCount(p) === 1) return true;
      return p.kind === 'hash' && sameKeys(p.keys, d.keys);
  }
}

/**
 * Throws an internal error naming the operator when a child does not meet its requirement, or
 * when the two hashed inputs of an operator are not co-partitioned (same partition count).
 */
export function checkDistribution(plan: ExecutionPlan): void {
  const children = plan.children();
  const required = plan.requiredInputDistribution;
  if (required.length !== children.length) {
    throw new EngineError(
      SqlState.internalError,
      `internal error: ${plan.name} states ${required.length} distributions for ${children.length} inputs`,
    );
  }
  const hashed: number[] = [];
  children.forEach((child, i) => {
    const d = required[i]!;
    if (partitionCount(child.partitioning) !== child.outputPartitions) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: ${child.name} reports ${child.outputPartitions} partitions but a partitioning of ${partitionCount(child.partitioning)}`,
      );
    }
    if (!satisfies(child.partitioning, d)) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: ${plan.explain()} requires a ${d.kind} distribution of input ${i}, which is ${child.explain()}`,
      );
    }
    if (d.kind === 'hash') hashed.push(child.outputPartitions);
  });
  if (hashed.length > 1 && hashed.some((n) => n !== hashed[0])) {
    throw new EngineError(
      SqlState.internalError,
      `internal error: the inputs of ${plan.explain()} are hashed into ${hashed.join(' and ')} partitions`,
    );
  }
  for (const c of children) checkDistribution(c);
}
