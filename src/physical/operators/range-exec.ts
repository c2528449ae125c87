/**
 * RangeExec: `range(start, end, step)` — the BIGINT column `id`, start inclusive, end exclusive.
 *
 * Input: none. Output: `partitions` partitions, each a contiguous slice of the sequence (Spark's
 * split: element `i` of `n` goes to partition `floor(i * partitions / n)`), in batches of at most
 * `ctx.batchSize` rows, produced lazily so `range(1e10)` under a LIMIT costs only what is read.
 */
import type * as arrow from 'apache-arrow';
import { makeBatch, makeColumn, type Schema } from '../../common/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition, yieldToEventLoop } from './exec-support.ts';

const BIGINT = { kind: 'bigint' } as const;

export interface RangeExecOptions {
  readonly schema: Schema;
  readonly start: bigint;
  readonly end: bigint;
  /** Never 0 (the analyzer rejects it). */
  readonly step: bigint;
  readonly partitions: number;
}

/** Number of elements of the sequence. */
export function rangeCount(start: bigint, end: bigint, step: bigint): bigint {
  if (step > 0n) return end > start ? (end - start + step - 1n) / step : 0n;
  return start > end ? (start - end - step - 1n) / -step : 0n;
}

export class RangeExec implements ExecutionPlan {
  readonly name = 'RangeExec';
  readonly schema: Schema;
  readonly outputPartitions: number;
  readonly partitioning: Partitioning;
  readonly requiredInputDistribution: readonly Distribution[] = [];
  readonly options: RangeExecOptions;
  private readonly count: bigint;

  constructor(options: RangeExecOptions) {
    this.options = options;
    this.schema = options.schema;
    this.count = rangeCount(options.start, options.end, options.step);
    this.outputPartitions = Math.max(1, options.partitions);
    this.partitioning = { kind: 'unknown', count: this.outputPartitions };
  }

  children(): readonly ExecutionPlan[] {
    return [];
  }

  withChildren(_children: readonly ExecutionPlan[]): ExecutionPlan {
    return this;
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    const parts = BigInt(this.outputPartitions);
    const first = (this.count * BigInt(partition)) / parts;
    const last = (this.count * BigInt(partition + 1)) / parts;
    const { start, step } = this.options;
    const size = BigInt(Math.max(1, ctx.batchSize));
    for (let i = first; i < last; i += size) {
      await yieldToEventLoop();
      checkCancelled(ctx);
      const n = Number(last - i < size ? last - i : size);
      const values = new BigInt64Array(n);
      let v = start + i * step;
      for (let k = 0; k < n; k++) {
        values[k] = v;
        v += step;
      }
      yield makeBatch(this.schema, [makeColumn(BIGINT, values, n, null)], n);
    }
  }

  explain(): string {
    const o = this.options;
    return `RangeExec: start=${o.start}, end=${o.end}, step=${o.step}, partitions=${this.outputPartitions}`;
  }

  spec(): OperatorSpec {
    const o = this.options;
    return {
      kind: 'Range',
      schema: o.schema,
      start: o.start,
      end: o.end,
      step: o.step,
      partitions: o.partitions,
    };
  }
}
