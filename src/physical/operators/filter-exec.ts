/**
 * FilterExec: keeps the rows where the predicate is TRUE (NULL counts as FALSE).
 *
 * Input: any batches. Output: the same partitions and schema; empty batches are skipped, and a
 * batch whose rows all pass is passed through untouched.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import type { ExecutionPlan, PhysicalExpr, TaskContext } from '../execution-plan.ts';
import { filterBatch } from '../batch/filter.ts';
import { selectionFromMask } from '../batch/selection.ts';
import { checkCancelled, schemaTypes } from './exec-support.ts';

export interface FilterExecOptions {
  readonly input: ExecutionPlan;
  readonly predicate: PhysicalExpr;
}

export class FilterExec implements ExecutionPlan {
  readonly name = 'FilterExec';
  readonly input: ExecutionPlan;
  readonly predicate: PhysicalExpr;

  constructor(options: FilterExecOptions) {
    this.input = options.input;
    this.predicate = options.predicate;
  }

  get schema(): Schema {
    return this.input.schema;
  }

  get outputPartitions(): number {
    return this.input.outputPartitions;
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new FilterExec({ input: children[0]!, predicate: this.predicate });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    const types = schemaTypes(this.input.schema);
    for await (const batch of this.input.execute(partition, ctx)) {
      checkCancelled(ctx);
      const n = batch.numRows;
      if (n === 0) continue;
      const v = this.predicate.evaluate(batch, ctx.eval);
      if (v.kind === 'scalar') {
        if (v.value === true) yield batch;
        continue;
      }
      const selection = selectionFromMask(v.data);
      if (selection.length === 0) continue;
      if (selection.length === n) yield batch;
      else yield filterBatch(batch, types, selection);
    }
  }

  explain(): string {
    return `FilterExec: ${this.predicate.toString()}`;
  }
}
