/**
 * ProjectionExec: computes one column per expression for every input row.
 *
 * Input: any batches. Output: the same partitions and row counts, columns `exprs` in order named
 * by `name` (a scalar result is broadcast to every row).
 */
import type * as arrow from 'apache-arrow';
import type { ScanFilterStep, ScanRowFilter } from '../../catalog/index.ts';
import { toArrowSchema, makeBatchWithArrowSchema, type Schema } from '../../common/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { exprSpec, type OperatorSpec } from '../plan-spec.ts';
import { columnPosition, columnExpr } from '../expressions/index.ts';
import { checkCancelled, evaluateToColumn } from './exec-support.ts';

export interface ProjectionExecOptions {
  readonly input: ExecutionPlan;
  readonly exprs: readonly { readonly expr: PhysicalExpr; readonly name: string }[];
  /** Defaults to the expressions' names, types and nullability. */
  readonly schema?: Schema;
}

export class ProjectionExec implements ExecutionPlan {
  readonly name = 'ProjectionExec';
  readonly schema: Schema;
  readonly input: ExecutionPlan;
  readonly exprs: readonly { readonly expr: PhysicalExpr; readonly name: string }[];

  constructor(options: ProjectionExecOptions) {
    this.input = options.input;
    this.exprs = options.exprs;
    this.schema = options.schema ?? {
      fields: options.exprs.map((e) => ({ name: e.name, type: e.expr.type, nullable: e.expr.nullable })),
    };
  }

  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }];

  get outputPartitions(): number {
    return this.input.outputPartitions;
  }

  /** The input's hash partitioning carries over when every key column is projected as it is. */
  get partitioning(): Partitioning {
    const p = this.input.partitioning;
    if (p.kind !== 'hash') return p;
    const keys: PhysicalExpr[] = [];
    for (const k of p.keys) {
      const from = columnPosition(k);
      const to = from === null ? -1 : this.exprs.findIndex((e) => columnPosition(e.expr) === from);
      if (to < 0) return { kind: 'unknown', count: p.count };
      keys.push(columnExpr(this.schema, to));
    }
    return { kind: 'hash', keys, count: p.count };
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new ProjectionExec({ input: children[0]!, exprs: this.exprs, schema: this.schema });
  }

  execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    return this.project(this.input.execute(partition, ctx), ctx);
  }

  /**
   * `execute` passing a filter from above (a join's keys) on to the input, its steps' columns
   * mapped to the input columns they are; a step over a computed column is left out.
   */
  executeFiltered(
    partition: number,
    ctx: TaskContext,
    rowFilter: ScanRowFilter,
  ): AsyncGenerator<arrow.RecordBatch> {
    const input = this.input;
    const steps: ScanFilterStep[] = [];
    for (const step of rowFilter.steps) {
      const columns = step.columns.map((c) => columnPosition(this.exprs[c]!.expr));
      if (columns.every((c) => c !== null)) steps.push({ ...step, columns });
    }
    const batches =
      steps.length === 0 || input.executeFiltered === undefined
        ? input.execute(partition, ctx)
        : input.executeFiltered(partition, ctx, { steps, take: rowFilter.take });
    return this.project(batches, ctx);
  }

  private async *project(
    batches: AsyncIterable<arrow.RecordBatch>,
    ctx: TaskContext,
  ): AsyncGenerator<arrow.RecordBatch> {
    const arrowSchema = toArrowSchema(this.schema);
    for await (const batch of batches) {
      checkCancelled(ctx);
      const cols = this.exprs.map((e) => evaluateToColumn(e.expr, batch, ctx));
      yield makeBatchWithArrowSchema(arrowSchema, cols, batch.numRows);
    }
  }

  explain(): string {
    const items = this.exprs.map((e) => {
      const s = e.expr.toString();
      return s === e.name || s.startsWith(`${e.name}@`) ? s : `${s} as ${e.name}`;
    });
    return `ProjectionExec: expr=[${items.join(', ')}]`;
  }

  spec(): OperatorSpec {
    return {
      kind: 'Projection',
      exprs: this.exprs.map((e) => ({ expr: exprSpec(e.expr), name: e.name })),
      schema: this.schema,
    };
  }
}
