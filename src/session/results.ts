/**
 * Small helpers to answer utility statements (SHOW, DESCRIBE, EXPLAIN, SET) with rows.
 */
import type * as arrow from 'apache-arrow';
import { columnFromValues, makeBatch, type DataType, type Schema, type Value } from '../common/index.ts';
import type { StatementResult } from './types.ts';

/** A rows result from literal values; every column is nullable. */
export function rowsResult(
  columns: readonly (readonly [string, DataType])[],
  rows: readonly (readonly Value[])[],
  tag = 'SELECT',
): StatementResult {
  const schema: Schema = { fields: columns.map(([name, type]) => ({ name, type, nullable: true })) };
  const data = columns.map(([, type], c) =>
    columnFromValues(
      type,
      rows.map((r) => r[c] ?? null),
    ),
  );
  const batch = makeBatch(schema, data, rows.length);
  return { kind: 'rows', schema, batches: once(batch), tag };
}

async function* once(batch: arrow.RecordBatch): AsyncGenerator<arrow.RecordBatch> {
  await Promise.resolve();
  yield batch;
}

export function commandResult(tag: string): StatementResult {
  return { kind: 'command', tag };
}
