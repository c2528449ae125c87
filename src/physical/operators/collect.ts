/**
 * Reading a whole input: every partition's batches, in partition order (build sides, tests).
 */
import type * as arrow from 'apache-arrow';
import type { ExecutionPlan, MemoryReservation, TaskContext } from '../execution-plan.ts';
import { batchBytes, checkCancelled } from './exec-support.ts';

/** Every partition's batches; `reservation` (when given) grows by each batch kept. */
export async function collectAll(
  plan: ExecutionPlan,
  ctx: TaskContext,
  reservation?: MemoryReservation,
): Promise<arrow.RecordBatch[]> {
  const out: arrow.RecordBatch[] = [];
  for (let p = 0; p < plan.outputPartitions; p++)
    out.push(...(await collectPartition(plan, p, ctx, reservation)));
  return out;
}

/** One partition's batches. */
export async function collectPartition(
  plan: ExecutionPlan,
  partition: number,
  ctx: TaskContext,
  reservation?: MemoryReservation,
): Promise<arrow.RecordBatch[]> {
  const out: arrow.RecordBatch[] = [];
  for await (const batch of plan.execute(partition, ctx)) {
    checkCancelled(ctx);
    if (batch.numRows === 0) continue;
    reservation?.grow(batchBytes(batch));
    out.push(batch);
  }
  return out;
}
