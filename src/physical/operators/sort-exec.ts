/**
 * SortExec: orders rows by several keys (ASC/DESC, NULLS FIRST/LAST), stable for equal keys.
 *
 * Input: any partitions. Output: the same partitions, each sorted on its own (a global ORDER BY is
 * a sort of one partition, or sorted partitions merged by a `GatherExec: merge=[…]`). With
 * `fetch`, only the first `fetch` rows of each partition are produced and memory stays bounded
 * (top-K: the buffer is cut back to `fetch` rows whenever it grows past twice that).
 *
 * A full sort that the memory budget refuses more room becomes an external merge sort (when the
 * task can spill, `ctx.spill`): the rows buffered so far are sorted and written to disk as a run,
 * their memory released, and at the end the rows still in memory become a last run and the runs
 * are merged k-way (`mergeSortedStreams`; ties to the earlier run, so the sort stays stable), one
 * batch of each run in memory at a time. Its spill files are removed however the sort ends. A top-K sort
 * stays in memory. Its spill passes (EXPLAIN ANALYZE) are its merges: 1 when every run is merged at
 * once, one more for each merge of the first runs into one that too little memory forced first.
 */
import type * as arrow from 'apache-arrow';
import { makeBatch, type Schema } from '../../common/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  SpillFile,
  SpillSpace,
  TaskContext,
} from '../execution-plan.ts';
import { sortKeySpec, type OperatorSpec } from '../plan-spec.ts';
import { concatBatches } from '../batch/concat.ts';
import { sortIndices, type SortColumn } from '../batch/sort-indices.ts';
import { take } from '../batch/take.ts';
import { batchBytes, checkCancelled, checkPartition, evaluateToColumn, schemaTypes } from './exec-support.ts';
import { sliceBatch } from '../batch/slice.ts';
import { mergeSortedStreams } from './sorted-merge.ts';

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
    // Sorted runs written to disk when the budget refused more memory (a full sort only).
    const runs: SpillFile[] = [];
    try {
      for await (const batch of this.input.execute(partition, ctx)) {
        checkCancelled(ctx);
        if (batch.numRows === 0) continue;
        const b = batchBytes(batch);
        if (fetch !== null) {
          reservation.grow(b);
        } else if (!reservation.tryGrow(2 * b)) {
          // A full sort holds the batch and, when sorting, its sorted copy: reserved together, so
          // that the buffered rows can always be sorted and spilled.
          if (ctx.spill === undefined || rows === 0) reservation.grow(2 * b);
          else {
            runs.push(await this.spillRun(this.sorted(buffered, ctx), ctx, ctx.spill));
            buffered = [];
            rows = 0;
            bytes = 0;
            reservation.free();
            reservation.grow(2 * b);
          }
        }
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
      if (rows === 0 && runs.length === 0) return;
      if (runs.length === 0) {
        if (fetch !== null) reservation.grow(bytes);
        const sorted = this.sorted(buffered, ctx);
        buffered = [];
        reservation.resize(batchBytes(sorted));
        yield* this.slices(sorted, ctx);
        return;
      }
      // Merge the runs, holding one batch of each run and the batch being gathered. The rows still
      // in memory go to disk as a run too: a sort that had to spill keeps only its merge buffers
      // while it emits, so the operators above it (a window, a join) find the budget free rather
      // than held by rows that wait their turn. Without room to read every run at once, the first
      // runs are merged into one (ahead of the others, so ties keep their order) until there is.
      if (rows > 0) {
        runs.push(await this.spillRun(this.sorted(buffered, ctx), ctx, ctx.spill!));
        buffered = [];
        reservation.free();
      }
      const readSize = (n: number): number => (n + 1) * Math.max(...runs.map((r) => r.maxBatchBytes));
      let merges = 0;
      for (;;) {
        const all = readSize(runs.length);
        if (reservation.tryGrow(all)) break;
        let fanIn = 0;
        while (fanIn < runs.length && reservation.tryGrow(readSize(fanIn + 1) - readSize(fanIn))) fanIn++;
        if (fanIn < 2) {
          // Not even two runs can be read at once: 53200.
          reservation.free();
          reservation.grow(all);
        }
        const first = runs.splice(0, fanIn);
        try {
          const merged = mergeSortedStreams(
            first.map((r) => r.read()),
            this.keys,
            this.schema,
            ctx,
          );
          runs.unshift(await ctx.spill!.write(this.name, this.schema, merged));
        } finally {
          for (const r of first) r.remove();
        }
        merges++;
        reservation.free();
      }
      ctx.spill!.recordPasses?.(this.name, merges + 1);
      yield* mergeSortedStreams(
        runs.map((r) => r.read()),
        this.keys,
        this.schema,
        ctx,
      );
    } finally {
      for (const r of runs) r.remove();
      reservation.free();
    }
  }

  /** A sorted run written to disk in batches of `ctx.batchSize` rows. */
  private spillRun(run: arrow.RecordBatch, ctx: TaskContext, spill: SpillSpace): Promise<SpillFile> {
    return spill.write(this.name, this.schema, this.slices(run, ctx));
  }

  /** `all` cut into batches of at most `ctx.batchSize` rows. */
  private *slices(all: arrow.RecordBatch, ctx: TaskContext): Generator<arrow.RecordBatch> {
    const size = Math.max(1, ctx.batchSize);
    const types = schemaTypes(this.schema);
    for (let start = 0; start < all.numRows; start += size) {
      checkCancelled(ctx);
      const end = Math.min(all.numRows, start + size);
      yield start === 0 && end === all.numRows ? all : sliceBatch(all, types, start, end);
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
