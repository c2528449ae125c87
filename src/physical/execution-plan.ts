/**
 * The physical operator contract: an `ExecutionPlan` produces `outputPartitions` partitions, each a
 * lazy stream of Arrow record batches. Nothing runs before the first pull; cancellation arrives
 * through `ctx.signal`.
 */
import type * as arrow from 'apache-arrow';
import type { ScanRequest, TableDefinition } from '../catalog/index.ts';
import type { DataType, Schema } from '../common/index.ts';
import type { ColumnarValue, EvalContext } from '../functions/index.ts';

/** What a task sees of the engine around it; src/exec provides it, tests build one inline. */
export interface TaskContext {
  readonly eval: EvalContext;
  readonly signal: AbortSignal;
  /** Target rows per batch (8K–64K). */
  readonly batchSize: number;
  /** Runs table-scan partitions on other threads; absent = every scan runs in this thread. */
  readonly scanRunner?: ScanRunner | undefined;
}

/**
 * Reads one partition of a table scan somewhere else (src/exec's worker pool): the table's
 * definition and the scan request are plain data, so another thread can plan the same scan and
 * stream its batches back. Batches must have `schema`.
 */
export interface ScanRunner {
  run(
    definition: TableDefinition,
    request: ScanRequest,
    partition: number,
    schema: Schema,
    ctx: TaskContext,
  ): AsyncIterable<arrow.RecordBatch>;
}

export interface ExecutionPlan {
  /** `FilterExec`, `HashAggregateExec`, … */
  readonly name: string;
  readonly schema: Schema;
  readonly outputPartitions: number;
  children(): readonly ExecutionPlan[];
  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan;
  execute(partition: number, ctx: TaskContext): AsyncIterable<arrow.RecordBatch>;
  /** One deterministic line: `HashJoinExec: type=inner, on=[o_orderkey@0 = l_orderkey@0]`. */
  explain(): string;
}

/** An expression bound to the positions of its input batch's columns. */
export interface PhysicalExpr {
  readonly type: DataType;
  readonly nullable: boolean;
  evaluate(batch: arrow.RecordBatch, ctx: EvalContext): ColumnarValue;
  /** `l_extendedprice@5 * (Decimal(1, 0, 10) - l_discount@6)`. */
  toString(): string;
}
