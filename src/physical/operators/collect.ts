/**
 * Reading a whole input: every partition's batches, in partition order (build sides, tests).
 */
import type * as arrow from 'apache-arrow';
import type { ExecutionPlan, TaskContext } from '../execution-plan.ts';
import { checkCancelled } from './exec-support.ts';

export async function collectAll(plan: ExecutionPlan, ctx: TaskContext): Promise<arrow.RecordBatch[]> {
  const out: arrow.RecordBatch[] = [];
  for (let p = 0; p < plan.outputPartitions; p++) {
    for await (const batch of plan.execute(p, ctx)) {
      checkCancelled(ctx);
      if (batch.numRows > 0) out.push(batch);
    }
  }
  return out;
}

/** One partition's batches. */
export async function collectPartition(
  plan: ExecutionPlan,
  partition: number,
  ctx: TaskContext,
): Promise<arrow.RecordBatch[]> {
  const out: arrow.RecordBatch[] = [];
  for await (const batch of plan.execute(partition, ctx)) {
    checkCancelled(ctx);
    if (batch.numRows > 0) out.push(batch);
  }
  return out;
}
