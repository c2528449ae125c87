/**
 * LimitExec: `OFFSET offset LIMIT limit`.
 *
 * Global (the default): input one partition (a gather below it); output one partition with the
 * rows after the first `offset`, at most `limit` of them (`limit` null = no limit). Local: each
 * partition on its own keeps its first `limit` rows and skips nothing — placed below a gather so
 * that no task produces more rows than the global limit can use. Either stops pulling (and closes)
 * its input as soon as it has produced `limit` rows.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { sliceBatch } from '../batch/slice.ts';
import { checkCancelled, checkPartition, schemaTypes } from './exec-support.ts';

export interface LimitExecOptions {
  readonly input: ExecutionPlan;
  readonly limit: number | null;
  readonly offset?: number;
  /** Per partition, without offset (default false: one global limit). */
  readonly local?: boolean;
}

export class LimitExec implements ExecutionPlan {
  readonly name = 'LimitExec';
  readonly input: ExecutionPlan;
  readonly limit: number | null;
  readonly offset: number;
  readonly local: boolean;
  readonly requiredInputDistribution: readonly Distribution[];

  constructor(options: LimitExecOptions) {
    this.input = options.input;
    this.limit = options.limit;
    this.local = options.local ?? false;
    this.offset = this.local ? 0 : (options.offset ?? 0);
    this.requiredInputDistribution = [this.local ? { kind: 'any' } : { kind: 'single' }];
  }

  get schema(): Schema {
    return this.input.schema;
  }

  get outputPartitions(): number {
    return this.local ? this.input.outputPartitions : 1;
  }

  get partitioning(): Partitioning {
    return this.local ? this.input.partitioning : { kind: 'single' };
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new LimitExec({ input: children[0]!, limit: this.limit, offset: this.offset, local: this.local });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    const types = schemaTypes(this.schema);
    let toSkip = this.offset;
    let remaining = this.limit ?? Infinity;
    if (remaining <= 0) return;
    for await (const batch of this.input.execute(partition, ctx)) {
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
      if (end > start) yield start === 0 && end === n ? batch : sliceBatch(batch, types, start, end);
      if (remaining <= 0) return;
    }
  }

  explain(): string {
    const fetch = this.limit === null ? 'None' : this.limit;
    return this.local ? `LimitExec: local, fetch=${fetch}` : `LimitExec: skip=${this.offset}, fetch=${fetch}`;
  }

  spec(): OperatorSpec {
    return { kind: 'Limit', limit: this.limit, offset: this.offset, local: this.local };
  }
}
