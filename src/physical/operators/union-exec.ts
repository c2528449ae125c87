/**
 * UnionExec: `UNION ALL` of inputs with the same column types.
 *
 * Input: any partitions. Output: the partitions of every input in order (input 0's partitions
 * first), rows untouched, re-labelled with `schema` (the first input's by default).
 */
import type * as arrow from 'apache-arrow';
import { makeBatchWithArrowSchema, toArrowSchema, type Schema } from '../../common/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';

export interface UnionExecOptions {
  readonly inputs: readonly ExecutionPlan[];
  readonly schema?: Schema;
}

export class UnionExec implements ExecutionPlan {
  readonly name = 'UnionExec';
  readonly inputs: readonly ExecutionPlan[];
  readonly schema: Schema;

  constructor(options: UnionExecOptions) {
    this.inputs = options.inputs;
    this.schema = options.schema ?? options.inputs[0]?.schema ?? { fields: [] };
  }

  get partitioning(): Partitioning {
    return { kind: 'unknown', count: this.outputPartitions };
  }

  get requiredInputDistribution(): readonly Distribution[] {
    return this.inputs.map(() => ({ kind: 'any' }));
  }

  get outputPartitions(): number {
    let n = 0;
    for (const i of this.inputs) n += i.outputPartitions;
    return n;
  }

  children(): readonly ExecutionPlan[] {
    return this.inputs;
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new UnionExec({ inputs: children, schema: this.schema });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    let p = partition;
    for (const input of this.inputs) {
      if (p < input.outputPartitions) {
        const arrowSchema = toArrowSchema(this.schema);
        for await (const batch of input.execute(p, ctx)) {
          checkCancelled(ctx);
          yield makeBatchWithArrowSchema(arrowSchema, batch.data.children, batch.numRows);
        }
        return;
      }
      p -= input.outputPartitions;
    }
  }

  explain(): string {
    return 'UnionExec';
  }

  spec(): OperatorSpec {
    return { kind: 'Union', schema: this.schema };
  }
}
