/**
 * ReplicateRowsExec: repeats each input row as many times as its count column says (Spark's
 * `replicate_rows`, used for INTERSECT ALL and EXCEPT ALL).
 *
 * Input: batches whose column `countIndex` is a bigint count (NULL or ≤ 0 means the row is
 * dropped). Output: the other columns, each row repeated, in input order; batches keep at most
 * about `ctx.batchSize` rows unless one row alone repeats more.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, isValid, makeBatch, type Schema } from '../../common/index.ts';
import { take } from '../batch/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled } from './exec-support.ts';

export interface ReplicateRowsExecOptions {
  readonly input: ExecutionPlan;
  /** The bigint column holding each row's count; it is not part of the output. */
  readonly countIndex: number;
  readonly schema: Schema;
}

export class ReplicateRowsExec implements ExecutionPlan {
  readonly name = 'ReplicateRowsExec';
  readonly schema: Schema;
  readonly outputPartitions: number;
  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }];
  private readonly options: ReplicateRowsExecOptions;

  constructor(options: ReplicateRowsExecOptions) {
    this.options = options;
    this.schema = options.schema;
    this.outputPartitions = options.input.outputPartitions;
    if (options.input.schema.fields.length !== options.schema.fields.length + 1) {
      throw new EngineError(
        SqlState.internalError,
        'internal error: ReplicateRowsExec drops exactly the count column',
      );
    }
  }

  children(): readonly ExecutionPlan[] {
    return [this.options.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new ReplicateRowsExec({ ...this.options, input: children[0]! });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    const { input, countIndex } = this.options;
    const inTypes = input.schema.fields.map((f) => f.type);
    for await (const batch of input.execute(partition, ctx)) {
      checkCancelled(ctx);
      const n = batch.numRows;
      const countColumn = batch.data.children[countIndex]!;
      const counts = countColumn.values as BigInt64Array;
      let total = 0;
      for (let i = 0; i < n; i++) {
        if (isValid(countColumn, i) && counts[i]! > 0n) total += Number(counts[i]!);
      }
      if (total === 0) continue;
      const indices = new Int32Array(total);
      let k = 0;
      for (let i = 0; i < n; i++) {
        if (!isValid(countColumn, i)) continue;
        const c = Number(counts[i]!);
        for (let r = 0; r < c; r++) indices[k++] = i;
      }
      const columns: arrow.Data[] = [];
      batch.data.children.forEach((col, c) => {
        if (c !== countIndex) columns.push(take(col, inTypes[c]!, indices, total));
      });
      yield makeBatch(this.schema, columns, total);
    }
  }

  explain(): string {
    return `ReplicateRowsExec: count=@${this.options.countIndex}`;
  }

  get partitioning(): Partitioning {
    return { kind: 'unknown', count: this.outputPartitions };
  }

  spec(): OperatorSpec {
    return { kind: 'ReplicateRows', countIndex: this.options.countIndex, schema: this.schema };
  }
}
