/**
 * FileSchemaExec: the schema of JSON or Parquet files that come without a column list
 * (`CREATE TABLE t USING json LOCATION '…'`, `SELECT * FROM json.\`path\``), inferred where the
 * plan runs — on an executor, so that reading the files (up to 16 MiB of JSON records, Parquet
 * footers) never holds the session's thread.
 *
 * Input: none. Output: one partition of one row, one STRING column `schema`: the inferred columns
 * (data columns, then partition columns) and the names of the partition columns, as JSON text
 * that `parseFileSchema` reads back. Data types are plain data, so they survive JSON exactly.
 * Errors are the inference's own (58030 for an unreadable file, the JSON mode's malformed-record
 * error, 42K03 for a missing path, UNABLE_TO_INFER_SCHEMA).
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  columnFromValues,
  makeBatch,
  type Field,
  type Schema,
} from '../../common/index.ts';
import {
  inferJsonSchema,
  inferParquetSchema,
  inferPartitionColumns,
  listDataFiles,
} from '../../catalog/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';

/** What to infer: the files of `location` in `format`, read with the table's options. */
export interface FileSchemaRequest {
  readonly format: 'json' | 'parquet';
  /** Absolute, already checked against the allowed folders. */
  readonly location: string;
  readonly options: Readonly<Record<string, string>>;
  /** The partition columns the DDL names; null takes every `col=value` folder level found. */
  readonly partitionColumns: readonly string[] | null;
}

/** What inference found. */
export interface FileSchema {
  /** Data columns, then partition columns. */
  readonly columns: readonly Field[];
  /** The partition columns' names, lower case. */
  readonly partitionColumns: readonly string[];
}

const STRING = { kind: 'string' } as const;

/** The operator's output: one row holding the inferred schema as JSON text. */
export const FILE_SCHEMA_OUTPUT: Schema = { fields: [{ name: 'schema', type: STRING, nullable: false }] };

/** The schema a run of `FileSchemaExec` produced, from its one value. */
export function parseFileSchema(text: string): FileSchema {
  const parsed = JSON.parse(text) as FileSchema;
  if (!Array.isArray(parsed.columns) || !Array.isArray(parsed.partitionColumns)) {
    throw new EngineError(SqlState.internalError, 'internal error: malformed inferred file schema');
  }
  return parsed;
}

/** Infers the schema here, in the calling thread (the operator's body). */
function inferHere(request: FileSchemaRequest): FileSchema {
  const wanted = request.partitionColumns ?? undefined;
  const columns =
    request.format === 'json'
      ? inferJsonSchema(request.location, request.options, wanted)
      : inferParquetSchema(request.location, wanted);
  const partitionColumns =
    request.partitionColumns ??
    inferPartitionColumns(
      request.location,
      listDataFiles(request.location, []).map((f) => f.path),
    ).map((c) => c.name.toLowerCase());
  return { columns, partitionColumns };
}

export class FileSchemaExec implements ExecutionPlan {
  readonly name = 'FileSchemaExec';
  readonly schema: Schema = FILE_SCHEMA_OUTPUT;
  readonly outputPartitions = 1;
  readonly partitioning: Partitioning = { kind: 'single' };
  readonly requiredInputDistribution: readonly Distribution[] = [];
  readonly request: FileSchemaRequest;

  constructor(request: FileSchemaRequest) {
    this.request = request;
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
    checkCancelled(ctx);
    const text = JSON.stringify(inferHere(this.request));
    yield makeBatch(this.schema, [columnFromValues(STRING, [text])], 1);
  }

  explain(): string {
    const r = this.request;
    const partitions = r.partitionColumns === null ? '' : `, partitions=[${r.partitionColumns.join(', ')}]`;
    return `FileSchemaExec: format=${r.format}, location=${r.location}${partitions}`;
  }

  spec(): OperatorSpec {
    return { kind: 'FileSchema', request: this.request };
  }
}
