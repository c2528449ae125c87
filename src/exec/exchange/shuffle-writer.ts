/**
 * The map side of an exchange, in a task: deals each output batch of the stage's plan to the
 * exchange's buckets (physical `BatchPartitioner`: by key hash, in turn, or all to one) and keeps
 * them as shared-memory batches, charging their bytes to the query's and the process's budgets as
 * they come. `finish` hands them to the executor's `ShuffleStore`; `abandon` gives the bytes back.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import { BatchPartitioner, type PhysicalExpr, type TaskContext } from '../../physical/index.ts';
import { toWireBatch, wireBatchBytes, type WireBatch } from '../arrow-transfer.ts';
import type { MemoryBudget, TaskMemoryPool } from '../memory/memory-budget.ts';
import type { TaskOutput } from '../task.ts';

export class ShuffleWriter {
  private readonly partitioner: BatchPartitioner;
  private readonly buckets: WireBatch[][];
  private readonly budgets: readonly MemoryBudget[];
  private readonly pool: TaskMemoryPool;
  /** The exchange, as errors name it. */
  private readonly consumer: string;
  bytes = 0;
  rows = 0;

  constructor(
    output: Extract<TaskOutput, { kind: 'exchange' }>,
    keys: readonly PhysicalExpr[],
    schema: Schema,
    pool: TaskMemoryPool,
  ) {
    this.partitioner = new BatchPartitioner(output.exchange, keys, output.buckets, schema);
    this.buckets = Array.from({ length: output.buckets }, () => []);
    this.pool = pool;
    this.budgets = pool.budgets;
    this.consumer =
      output.exchange === 'single'
        ? 'GatherExec'
        : output.exchange === 'broadcast'
          ? 'BroadcastExchangeExec'
          : 'ShuffleExchangeExec';
  }

  write(batch: arrow.RecordBatch, ctx: TaskContext): void {
    if (batch.numRows === 0) return;
    this.rows += batch.numRows;
    this.partitioner.split(batch, ctx).forEach((b, i) => {
      if (b === null) return;
      const wire = toWireBatch(b);
      const bytes = wireBatchBytes(wire);
      if (!this.pool.tryAcquire(bytes)) throw this.pool.refused(this.consumer, bytes, this.bytes);
      this.bytes += bytes;
      this.buckets[i]!.push(wire);
    });
  }

  /** The buckets, and the budgets their bytes stay charged to until the store releases them. */
  finish(): { buckets: readonly (readonly WireBatch[])[]; bytes: number; budgets: readonly MemoryBudget[] } {
    this.pool.disown(this.bytes);
    return { buckets: this.buckets, bytes: this.bytes, budgets: this.budgets };
  }

  abandon(): void {
    this.pool.release(this.bytes);
    this.bytes = 0;
    for (const b of this.buckets) b.length = 0;
  }
}
