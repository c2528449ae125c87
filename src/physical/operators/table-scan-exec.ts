/**
 * TableScanExec: reads a table through the scan its provider planned (projection, filters and
 * limit already pushed into it).
 *
 * Input: none. Output: the scan's partitions, batches of `schema` as the provider produces them.
 * `source` (the catalog definition and the scan request) lets another thread or process plan the
 * same scan; a table without one (an in-memory test table) is read only where it was planned.
 * A scan of a cached table (format `cached`) explains itself as `InMemoryTableScan`.
 */
import type * as arrow from 'apache-arrow';
import {
  CACHED_FORMAT,
  type ScanRequest,
  type ScanRowFilter,
  type TableDefinition,
  type TableScan,
} from '../../catalog/index.ts';
import type { Schema } from '../../common/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import { NotSerializableError, type OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition, yieldToEventLoop } from './exec-support.ts';

export interface TableScanExecOptions {
  readonly scan: TableScan;
  readonly schema: Schema;
  readonly tableName: string;
  /** Extra explain text, such as `projection=[a, b], limit=10`. */
  readonly details: string;
  /** What another thread needs to plan the same scan. */
  readonly source?: { readonly definition: TableDefinition; readonly request: ScanRequest };
}

export class TableScanExec implements ExecutionPlan {
  readonly name = 'TableScanExec';
  readonly schema: Schema;
  readonly outputPartitions: number;
  readonly partitioning: Partitioning;
  readonly requiredInputDistribution: readonly Distribution[] = [];
  readonly scan: TableScan;
  readonly tableName: string;
  readonly details: string;
  readonly source: TableScanExecOptions['source'];

  constructor(options: TableScanExecOptions) {
    this.source = options.source;
    this.scan = options.scan;
    this.schema = options.schema;
    this.tableName = options.tableName;
    this.details = options.details;
    this.outputPartitions = Math.max(1, options.scan.partitions);
    this.partitioning = { kind: 'unknown', count: this.outputPartitions };
  }

  children(): readonly ExecutionPlan[] {
    return [];
  }

  withChildren(_children: readonly ExecutionPlan[]): ExecutionPlan {
    return this;
  }

  execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    return this.read(partition, ctx, undefined);
  }

  /** The scan with the filter above it to apply as it decodes (where the format can). */
  executeFiltered(
    partition: number,
    ctx: TaskContext,
    rowFilter: ScanRowFilter,
  ): AsyncGenerator<arrow.RecordBatch> {
    return this.read(partition, ctx, rowFilter);
  }

  private async *read(
    partition: number,
    ctx: TaskContext,
    rowFilter: ScanRowFilter | undefined,
  ): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    if (partition >= this.scan.partitions) return;
    const scanCtx = {
      signal: ctx.signal,
      batchSize: ctx.batchSize,
      timeZone: ctx.eval.timeZone,
      ...(rowFilter === undefined ? {} : { rowFilter }),
    };
    for await (const batch of this.scan.open(partition, scanCtx)) {
      await yieldToEventLoop();
      checkCancelled(ctx);
      if (batch.numRows > 0) yield batch;
    }
  }

  explain(): string {
    // A scan of CACHE TABLE's batches is named as Spark names it.
    const cached = this.source?.definition.format === CACHED_FORMAT;
    return `${cached ? 'InMemoryTableScan' : 'TableScanExec'}: ${this.tableName}${this.details === '' ? '' : `, ${this.details}`}`;
  }

  spec(): OperatorSpec {
    if (this.source === undefined) throw new NotSerializableError(`the table ${this.tableName}`);
    return {
      kind: 'TableScan',
      definition: this.source.definition,
      request: this.source.request,
      schema: this.schema,
      tableName: this.tableName,
      details: this.details,
    };
  }
}
