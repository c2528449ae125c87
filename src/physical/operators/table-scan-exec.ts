/**
 * TableScanExec: reads a table through the scan its provider planned (projection, filters and
 * limit already pushed into it).
 *
 * Input: none. Output: the scan's partitions, batches of `schema` as the provider produces them.
 * With `remote` (a file table worth it, chosen by the planner) and a `ctx.scanRunner`, each
 * partition is read on a worker thread, so decoding runs beside the operators above.
 */
import type * as arrow from 'apache-arrow';
import type { ScanRequest, TableDefinition, TableScan } from '../../catalog/index.ts';
import type { Schema } from '../../common/index.ts';
import type { ExecutionPlan, TaskContext } from '../execution-plan.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';

export interface TableScanExecOptions {
  readonly scan: TableScan;
  readonly schema: Schema;
  readonly tableName: string;
  /** Extra explain text, such as `projection=[a, b], limit=10`. */
  readonly details: string;
  /** What another thread needs to plan the same scan; absent = always read here. */
  readonly remote?: { readonly definition: TableDefinition; readonly request: ScanRequest };
}

export class TableScanExec implements ExecutionPlan {
  readonly name = 'TableScanExec';
  readonly schema: Schema;
  readonly outputPartitions: number;
  readonly scan: TableScan;
  readonly tableName: string;
  readonly details: string;
  readonly remote: TableScanExecOptions['remote'];

  constructor(options: TableScanExecOptions) {
    this.remote = options.remote;
    this.scan = options.scan;
    this.schema = options.schema;
    this.tableName = options.tableName;
    this.details = options.details;
    this.outputPartitions = Math.max(1, options.scan.partitions);
  }

  children(): readonly ExecutionPlan[] {
    return [];
  }

  withChildren(_children: readonly ExecutionPlan[]): ExecutionPlan {
    return this;
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    if (partition >= this.scan.partitions) return;
    const batches =
      this.remote !== undefined && ctx.scanRunner !== undefined
        ? ctx.scanRunner.run(this.remote.definition, this.remote.request, partition, this.schema, ctx)
        : this.scan.open(partition, { signal: ctx.signal, batchSize: ctx.batchSize });
    for await (const batch of batches) {
      checkCancelled(ctx);
      if (batch.numRows > 0) yield batch;
    }
  }

  explain(): string {
    return `TableScanExec: ${this.tableName}${this.details === '' ? '' : `, ${this.details}`}`;
  }
}
