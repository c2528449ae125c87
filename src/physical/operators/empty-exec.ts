/**
 * EmptyExec: a relation with no rows (a contradiction folded by the optimizer, `LIMIT 0`).
 *
 * Input: none. Output: `partitions` partitions (default 1), each empty.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';

export interface EmptyExecOptions {
  readonly schema: Schema;
  readonly partitions?: number;
}

export class EmptyExec implements ExecutionPlan {
  readonly name = 'EmptyExec';
  readonly schema: Schema;
  readonly outputPartitions: number;
  readonly partitioning: Partitioning;
  readonly requiredInputDistribution: readonly Distribution[] = [];

  constructor(options: EmptyExecOptions) {
    this.schema = options.schema;
    this.outputPartitions = options.partitions ?? 1;
    this.partitioning = { kind: 'unknown', count: this.outputPartitions };
  }

  children(): readonly ExecutionPlan[] {
    return [];
  }

  withChildren(_children: readonly ExecutionPlan[]): ExecutionPlan {
    return this;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
  }

  explain(): string {
    return 'EmptyExec';
  }

  spec(): OperatorSpec {
    return { kind: 'Empty', schema: this.schema, partitions: this.outputPartitions };
  }
}
