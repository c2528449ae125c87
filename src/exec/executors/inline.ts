/**
 * Running a whole physical plan in the calling thread, exchanges in-process: for tiny queries
 * (catalog lookups, VALUES, small tables — see placement.ts), where handing tasks to another
 * thread would cost more than the work, and for engines built without executor threads.
 */
import type * as arrow from 'apache-arrow';
import { checkCancelled, type ExecutionPlan, type TaskContext } from '../../physical/index.ts';

/**
 * Every batch of every partition of `plan`, partition after partition (the order the executors
 * give too); 57014 once cancelled.
 */
export async function* executeInline(
  plan: ExecutionPlan,
  ctx: TaskContext,
): AsyncGenerator<arrow.RecordBatch> {
  checkCancelled(ctx);
  for (let p = 0; p < plan.outputPartitions; p++) {
    for await (const batch of plan.execute(p, ctx)) {
      checkCancelled(ctx);
      yield batch;
    }
  }
}
