/**
 * ValuesExec: literal rows (`VALUES (1, 'a'), (2, 'b')`, and `SELECT 1` as one row of zero columns).
 *
 * Input: none. Output: one partition holding `rows` in order, in batches of at most
 * `ctx.batchSize` rows; each value has the representation of its column's type (see types.ts).
 */
import type * as arrow from 'apache-arrow';
import { columnFromValues, makeBatch, type Schema, type Value } from '../../common/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';

export interface ValuesExecOptions {
  readonly schema: Schema;
  readonly rows: readonly (readonly Value[])[];
}

export class ValuesExec implements ExecutionPlan {
  readonly name = 'ValuesExec';
  readonly schema: Schema;
  readonly outputPartitions = 1;
  readonly partitioning: Partitioning = { kind: 'single' };
  readonly requiredInputDistribution: readonly Distribution[] = [];
  readonly rows: readonly (readonly Value[])[];

  constructor(options: ValuesExecOptions) {
    this.schema = options.schema;
    this.rows = options.rows;
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
    const size = Math.max(1, ctx.batchSize);
    for (let start = 0; start < this.rows.length; start += size) {
      checkCancelled(ctx);
      const chunk = this.rows.slice(start, start + size);
      const cols = this.schema.fields.map((f, c) =>
        columnFromValues(
          f.type,
          chunk.map((r) => r[c] ?? null),
        ),
      );
      yield makeBatch(this.schema, cols, chunk.length);
    }
  }

  explain(): string {
    return `ValuesExec: rows=${this.rows.length}`;
  }

  spec(): OperatorSpec {
    return { kind: 'Values', schema: this.schema, rows: this.rows };
  }
}
