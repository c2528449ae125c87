/**
 * LimitExec: a global `OFFSET offset LIMIT limit`.
 *
 * Input: any partitions, read one after the other in partition order. Output: one partition with
 * the rows after the first `offset`, at most `limit` of them (`limit` null = no limit). Stops
 * pulling (and closes) its input as soon as it has produced `limit` rows.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import type { ExecutionPlan, TaskContext } from '../execution-plan.ts';
import { sliceBatch } from '../batch/slice.ts';
import { checkCancelled, checkPartition, schemaTypes } from './exec-support.ts';

export interface LimitExecOptions {
  readonly input: ExecutionPlan;
  readonly limit: number | null;
  readonly offset?: number;
}

export class LimitExec implements ExecutionPlan {
  readonly name = 'LimitExec';
  readonly outputPartitions = 1;
  readonly input: ExecutionPlan;
  readonly limit: number | null;
  readonly offset: number;

  constructor(options: LimitExecOptions) {
    this.input = options.input;
    this.limit = options.limit;
    this.offset = options.offset ?? 0;
  }

  get schema(): Schema {
    return this.input.schema;
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new LimitExec({ input: children[0]!, limit: this.limit, offset: this.offset });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, 1);
    checkCancelled(ctx);
    const types = schemaTypes(this.schema);
    let toSkip = this.offset;
    let remaining = this.limit ?? Infinity;
    if (remaining <= 0) return;
    for (let p = 0; p < this.input.outputPartitions; p++) {
      for await (const batch of this.input.execute(p, ctx)) {
        checkCancelled(ctx);
        const n = batch.numRows;
        if (toSkip >= n) {
          toSkip -= n;
          continue;
        }
        const start = toSkip;
        toSkip = 0;
        const end = Math.min(n, start + remaining);
        remaining -= end - start;
        if (end > start) yield sliceBatch(batch, types, start, end);
        if (remaining <= 0) return;
      }
    }
  }

  explain(): string {
    return `LimitExec: skip=${this.offset}, fetch=${this.limit === null ? 'None' : this.limit}`;
  }
}
