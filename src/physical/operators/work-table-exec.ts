/**
 * WorkTableExec: the rows of the previous iteration of a recursive CTE (`WITH RECURSIVE`).
 *
 * Input: none; it reads a `WorkTable` that its `RecursiveCteExec` fills before each run of the
 * recursive part. Output: one partition with those batches, unchanged.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';

/** The rows a recursive CTE's last iteration produced; shared by the CTE and its work-table scans. */
export class WorkTable {
  batches: readonly arrow.RecordBatch[] = [];
}

export interface WorkTableExecOptions {
  readonly table: WorkTable;
  readonly cteId: number;
  readonly schema: Schema;
}

export class WorkTableExec implements ExecutionPlan {
  readonly name = 'WorkTableExec';
  readonly schema: Schema;
  readonly outputPartitions = 1;
  readonly partitioning: Partitioning = { kind: 'single' };
  readonly requiredInputDistribution: readonly Distribution[] = [];
  private readonly options: WorkTableExecOptions;

  constructor(options: WorkTableExecOptions) {
    this.options = options;
    this.schema = options.schema;
  }

  children(): readonly ExecutionPlan[] {
    return [];
  }

  withChildren(_children: readonly ExecutionPlan[]): ExecutionPlan {
    return this;
  }

  // eslint-disable-next-line @typescript-eslint/require-await
  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, 1);
    for (const batch of this.options.table.batches) {
      checkCancelled(ctx);
      yield batch;
    }
  }

  explain(): string {
    return `WorkTableExec: cte=${this.options.cteId}`;
  }

  spec(): OperatorSpec {
    return { kind: 'WorkTable', cteId: this.options.cteId, schema: this.schema };
  }
}
