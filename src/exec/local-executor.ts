/**
 * Runs a physical plan in this thread: builds the task context, and merges a plan's partitions
 * into one stream when the root has several (pulling them concurrently so scans overlap their I/O).
 *
 * Small queries stay small: no scheduling, no worker hand-off. The worker pool and remote executors
 * plug in here later without changing operators (they see only `TaskContext`).
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState } from '../common/index.ts';
import type { ExecutionPlan, TaskContext } from '../physical/index.ts';

/** Every batch of every partition of `plan`, partitions interleaved as they produce. */
export async function* executeStream(
  plan: ExecutionPlan,
  ctx: TaskContext,
): AsyncGenerator<arrow.RecordBatch> {
  const n = plan.outputPartitions;
  if (n <= 1) {
    yield* plan.execute(0, ctx);
    return;
  }
  const iterators = Array.from({ length: n }, (_, p) => plan.execute(p, ctx)[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ p: number; r: IteratorResult<arrow.RecordBatch> }>>();
  const pull = (p: number): void => {
    pending.set(
      p,
      iterators[p]!.next().then((r) => ({ p, r })),
    );
  };
  for (let p = 0; p < n; p++) pull(p);
  try {
    while (pending.size > 0) {
      const { p, r } = await Promise.race(pending.values());
      if (r.done === true) {
        pending.delete(p);
        continue;
      }
      pull(p);
      yield r.value;
    }
  } finally {
    // Close every partition still open (early exit by a consumer, or an error in one of them).
    await Promise.allSettled(
      [...pending.keys()].map(async (p) => {
        await pending.get(p)!.catch(() => undefined);
        await iterators[p]!.return?.();
      }),
    );
  }
}

/** All batches of `plan` (for small results, tests and subqueries). */
export async function collect(plan: ExecutionPlan, ctx: TaskContext): Promise<arrow.RecordBatch[]> {
  const out: arrow.RecordBatch[] = [];
  for await (const b of executeStream(plan, ctx)) {
    if (ctx.signal.aborted) throw canceled();
    if (b.numRows > 0) out.push(b);
  }
  return out;
}

export function canceled(): EngineError {
  return new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
}
