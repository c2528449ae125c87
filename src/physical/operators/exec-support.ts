/**
 * Small helpers every operator uses: cancellation checks, evaluating a physical expression to a
 * column (scalars broadcast), and the Spark types of a schema.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, repeatValue, type DataType, type Schema } from '../../common/index.ts';
import type { PhysicalExpr, TaskContext } from '../execution-plan.ts';

/** Throws 57014 when the task was cancelled. */
export function checkCancelled(ctx: TaskContext): void {
  if (ctx.signal.aborted)
    throw new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
}

/** Evaluates `expr` over `batch` to a column of `batch.numRows` rows. */
export function evaluateToColumn(expr: PhysicalExpr, batch: arrow.RecordBatch, ctx: TaskContext): arrow.Data {
  const v = expr.evaluate(batch, ctx.eval);
  if (v.kind === 'array') return v.data;
  return repeatValue(expr.type, v.value, batch.numRows);
}

export function schemaTypes(schema: Schema): DataType[] {
  return schema.fields.map((f) => f.type);
}

/** Concatenation of two schemas (join rows: left columns then right columns). */
export function concatSchemas(a: Schema, b: Schema): Schema {
  return { fields: [...a.fields, ...b.fields] };
}

/** Checks a partition number against the operator's partition count. */
export function checkPartition(name: string, partition: number, count: number): void {
  if (!Number.isInteger(partition) || partition < 0 || partition >= count) {
    throw new EngineError(
      SqlState.internalError,
      `internal error: ${name} has no partition ${partition} (of ${count})`,
    );
  }
}

export { yieldToEventLoop } from '../../common/index.ts';

/** The bytes of a batch's buffers (for memory reservations). */
export function batchBytes(batch: arrow.RecordBatch): number {
  let bytes = 0;
  for (const c of batch.data.children) bytes += c.byteLength;
  return bytes;
}
