/**
 * CoalescePartitionsExec: N input partitions → 1.
 *
 * Input: any partitions. Output: one partition with every input row, in no particular order across
 * partitions (each partition's batches keep their order). Partitions are pulled concurrently; at
 * most `maxBuffered` batches wait in the buffer, producers pause beyond that. When the consumer
 * stops early, every input is closed; the first input error is re-thrown to the consumer.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import type { ExecutionPlan, TaskContext } from '../execution-plan.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';

export interface CoalescePartitionsExecOptions {
  readonly input: ExecutionPlan;
  /** Batches buffered ahead of the consumer (default: 2 per input partition). */
  readonly maxBuffered?: number;
}

export class CoalescePartitionsExec implements ExecutionPlan {
  readonly name = 'CoalescePartitionsExec';
  readonly outputPartitions = 1;
  readonly input: ExecutionPlan;
  readonly maxBuffered: number | undefined;

  constructor(options: CoalescePartitionsExecOptions) {
    this.input = options.input;
    this.maxBuffered = options.maxBuffered;
  }

  get schema(): Schema {
    return this.input.schema;
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new CoalescePartitionsExec({
      input: children[0]!,
      ...(this.maxBuffered === undefined ? {} : { maxBuffered: this.maxBuffered }),
    });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, 1);
    checkCancelled(ctx);
    const n = this.input.outputPartitions;
    if (n === 1) {
      yield* this.input.execute(0, ctx);
      return;
    }
    const limit = Math.max(1, this.maxBuffered ?? 2 * n);
    const buffer: arrow.RecordBatch[] = [];
    let active = n;
    let closed = false;
    let failure: { error: unknown } | null = null;
    let wakeConsumer: (() => void) | null = null;
    const waitingProducers: (() => void)[] = [];
    const notifyConsumer = (): void => {
      const w = wakeConsumer;
      wakeConsumer = null;
      w?.();
    };
    const releaseProducers = (): void => {
      while (waitingProducers.length > 0) waitingProducers.shift()!();
    };
    const pump = async (p: number): Promise<void> => {
      try {
        for await (const batch of this.input.execute(p, ctx)) {
          if (closed) break;
          buffer.push(batch);
          notifyConsumer();
          while (buffer.length >= limit && !closed) {
            await new Promise<void>((resolve) => waitingProducers.push(resolve));
          }
          if (closed) break;
        }
      } catch (error) {
        failure ??= { error };
      } finally {
        active--;
        notifyConsumer();
      }
    };
    const pumps: Promise<void>[] = [];
    for (let p = 0; p < n; p++) pumps.push(pump(p));
    try {
      for (;;) {
        if (failure !== null) throw (failure as { error: unknown }).error;
        if (buffer.length > 0) {
          const batch = buffer.shift()!;
          releaseProducers();
          checkCancelled(ctx);
          yield batch;
          continue;
        }
        if (active === 0) break;
        await new Promise<void>((resolve) => (wakeConsumer = resolve));
      }
    } finally {
      closed = true;
      releaseProducers();
      await Promise.all(pumps);
    }
  }

  explain(): string {
    return 'CoalescePartitionsExec';
  }
}
