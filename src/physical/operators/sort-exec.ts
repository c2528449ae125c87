/**
 * SortExec: orders rows by several keys (ASC/DESC, NULLS FIRST/LAST), stable for equal keys.
 *
 * Input: any partitions. Output: the same partitions, each sorted on its own (a global ORDER BY is
 * a sort of one partition, or sorted partitions merged by a `GatherExec: merge=[…]`). With
 * `fetch`, only the first `fetch` rows of each partition are produced and memory stays bounded
 * (top-K: the buffer is cut back to `fetch` rows whenever it grows past twice that).
 */
import type * as arrow from 'apache-arrow';
import { makeBatch, type Schema } from '../../common/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { sortKeySpec, type OperatorSpec } from '../plan-spec.ts';
import { concatBatches } from '../batch/concat.ts';
import { sortIndices, type SortColumn } from '../batch/sort-indices.ts';
import { take } from '../batch/take.ts';
import { batchBytes, checkCancelled, checkPartition, evaluateToColumn } from './exec-support.ts';
import { sliceBatch } from '../batch/slice.ts';

export interface SortKey {
  readonly expr: PhysicalExpr;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

export interface SortExecOptions {
  readonly input: ExecutionPlan;
  readonly keys: readonly SortKey[];
  readonly fetch?: number | null;
}

export class SortExec implements ExecutionPlan {
  readonly name = 'SortExec';
  readonly input: ExecutionPlan;
  readonly keys: readonly SortKey[];
  readonly fetch: number | null;
  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }];

  constructor(options: SortExecOptions) {
    this.input = options.input;
    this.keys = options.keys;
    this.fetch = options.fetch ?? null;
  }

  get schema(): Schema {
    return this.input.schema;
  }

  get outputPartitions(): number {
    return this.input.outputPartitions;
  }

  get partitioning(): Partitioning {
    return this.input.partitioning;
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new SortExec({
      input: children[0]!,
      keys: this.keys,
      fetch: this.fetch,
    });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    const fetch = this.fetch;
    if (fetch !== null && fetch <= 0) return;
    let buffered: arrow.RecordBatch[] = [];
    let rows = 0;
    let bytes = 0;
    const threshold = fetch === null ? Infinity : Math.max(2 * fetch, ctx.batchSize);
    // The buffered rows, and while sorting their sorted copy too.
    const reservation = ctx.memory.reserve(this.name);
    try {
      for await (const batch of this.input.execute(partition, ctx)) {
        checkCancelled(ctx);
        if (batch.numRows === 0) continue;
        const b = batchBytes(batch);
        reservation.grow(b);
        buffered.push(batch);
        rows += batch.numRows;
        bytes += b;
        if (rows > threshold) {
          reservation.grow(bytes);
          const kept = this.sorted(buffered, ctx);
          buffered = [kept];
          rows = kept.numRows;
          bytes = batchBytes(kept);
          reservation.resize(bytes);
        }
      }
      if (rows === 0) return;
      reservation.grow(bytes);
      const all = this.sorted(buffered, ctx);
      buffered = [];
      reservation.resize(batchBytes(all));
      const size = Math.max(1, ctx.batchSize);
      const types = this.schema.fields.map((f) => f.type);
      for (let start = 0; start < all.numRows; start += size) {
        checkCancelled(ctx);
        const end = Math.min(all.numRows, start + size);
        yield start === 0 && end === all.numRows ? all : sliceBatch(all, types, start, end);
      }
    } finally {
      reservation.free();
    }
  }

  /** Concatenates, sorts, and cuts to `fetch` rows. */
  private sorted(batches: readonly arrow.RecordBatch[], ctx: TaskContext): arrow.RecordBatch {
    const one = concatBatches(batches, this.schema);
    const keys: SortColumn[] = this.keys.map((k) => ({
      column: evaluateToColumn(k.expr, one, ctx),
      type: k.expr.type,
      ascending: k.ascending,
      nullsFirst: k.nullsFirst,
    }));
    let idx = sortIndices(keys, one.numRows);
    if (this.fetch !== null && idx.length > this.fetch) idx = idx.subarray(0, this.fetch);
    const types = this.schema.fields.map((f) => f.type);
    return makeBatch(
      this.schema,
      one.data.children.map((c, i) => take(c, types[i]!, idx, idx.length)),
      idx.length,
    );
  }

  explain(): string {
    const keys = this.keys.map(
      (k) => `${k.expr.toString()} ${k.ascending ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`,
    );
    let s = `SortExec: [${keys.join(', ')}]`;
    if (this.fetch !== null) s += `, fetch=${this.fetch}`;
    return s;
  }

  spec(): OperatorSpec {
    return { kind: 'Sort', keys: this.keys.map(sortKeySpec), fetch: this.fetch };
  }
}
