/**
 * SpillPartitioner: rows an operator cannot hold in memory, spread over `count` spill partitions by
 * a hash of their key columns and written to disk — the partitioning step of a grace hash join.
 *
 * The hash is `spillPartitions` at re-partitioning level `level`: independent of the exchange's
 * (whose partition p is the input here, every row of it sent there by the exchange's hash) and of
 * every other level's, so a partition too large is split again by the next level. Rows with a
 * NULL in a key that is not null-safe never match anything: they go to the partitions in turn
 * instead of all to the NULL hash's, so that many of them never make one partition too large to
 * split.
 *
 * Each partition's rows wait in memory, reserved from the budget, and the rows of every partition
 * are written out (one file per partition that holds any, in batches of about `ctx.batchSize`
 * rows) whenever the budget refuses the next piece, and at `finish`; a piece the budget still
 * refuses then (others hold it all) is written at once, as a file of its own. A partition is then the files
 * of every round, in the order written. The files are the caller's to remove (`remove` removes every
 * file written); the task's end removes them in any case. A partitioner at level l tells the spill
 * space its operator makes l + 1 passes (EXPLAIN ANALYZE shows the deepest).
 */
import type * as arrow from 'apache-arrow';
import type { DataType, Schema } from '../../common/index.ts';
import { ColumnView } from '../batch/column-view.ts';
import { concatBatches } from '../batch/concat.ts';
import { rowsWithNullKey } from '../batch/key-equality.ts';
import { spillPartitions, splitBatch } from '../batch/partition.ts';
import type {
  MemoryReservation,
  PhysicalExpr,
  SpillFile,
  SpillSpace,
  TaskContext,
} from '../execution-plan.ts';
import { batchBytes, checkCancelled, evaluateToColumn } from './exec-support.ts';

/** One spill partition: its files, rows and the bytes its rows take in memory. */
export interface SpillPartition {
  readonly files: SpillFile[];
  rows: number;
  /** Rows whose key can match (no NULL in a key that is not null-safe). */
  keyedRows: number;
  bytes: number;
}

export interface SpillPartitionerOptions {
  /** The operator, as spill files and reservations name it. */
  readonly consumer: string;
  readonly schema: Schema;
  readonly keys: readonly PhysicalExpr[];
  /** Per key: true when NULL is a value like any other (`<=>`). */
  readonly nullSafe: readonly boolean[];
  readonly count: number;
  /** The re-partitioning level (0 for the first split; see `SPILL_LEVELS`). */
  readonly level: number;
  readonly spill: SpillSpace;
  readonly ctx: TaskContext;
}

export class SpillPartitioner {
  readonly partitions: SpillPartition[];
  /** Rows added, and those whose key has a NULL that never matches. */
  rows = 0;
  nullKeyRows = 0;
  private readonly o: SpillPartitionerOptions;
  private readonly types: readonly DataType[];
  private readonly reservation: MemoryReservation;
  private pending: arrow.RecordBatch[][];
  private parts = new Int32Array(0);
  /** The partition the next row with a NULL key goes to. */
  private nextNullPartition = 0;

  constructor(options: SpillPartitionerOptions) {
    this.o = options;
    this.types = options.keys.map((k) => k.type);
    this.reservation = options.ctx.memory.reserve(options.consumer);
    options.spill.recordPasses?.(options.consumer, options.level + 1);
    this.partitions = Array.from({ length: options.count }, () => ({
      files: [],
      rows: 0,
      keyedRows: 0,
      bytes: 0,
    }));
    this.pending = Array.from({ length: options.count }, () => []);
  }

  /** Deals the rows of `batch` to their partitions (writing every partition out when memory is short). */
  async add(batch: arrow.RecordBatch): Promise<void> {
    const n = batch.numRows;
    if (n === 0) return;
    const { ctx, count } = this.o;
    checkCancelled(ctx);
    const keys = this.o.keys.map((k) => evaluateToColumn(k, batch, ctx));
    const views = keys.map((c, i) => new ColumnView(c, this.types[i]!));
    const keyNull = rowsWithNullKey(views, this.o.nullSafe, n);
    if (this.parts.length < n) this.parts = new Int32Array(Math.max(n, 2 * this.parts.length));
    const parts = this.parts;
    spillPartitions(keys, this.types, n, count, this.o.level, parts);
    this.rows += n;
    let nullRows = 0;
    if (keyNull !== null) {
      let next = this.nextNullPartition;
      for (let i = 0; i < n; i++) {
        if (keyNull[i] === 0) continue;
        parts[i] = next;
        next = next + 1 === count ? 0 : next + 1;
        nullRows++;
      }
      this.nextNullPartition = next;
      this.nullKeyRows += nullRows;
    }
    const pieces = splitBatch(batch, this.o.schema, parts, count);
    const keyed = nullRows === 0 ? null : new Int32Array(count);
    if (keyed !== null) for (let i = 0; i < n; i++) if (keyNull![i] === 0) keyed[parts[i]!]!++;
    for (let p = 0; p < count; p++) {
      const piece = pieces[p];
      if (piece === null || piece === undefined) continue;
      const bytes = batchBytes(piece);
      const part = this.partitions[p]!;
      part.rows += piece.numRows;
      part.keyedRows += keyed === null ? piece.numRows : keyed[p]!;
      part.bytes += bytes;
      if (!this.reservation.tryGrow(bytes)) {
        await this.flush();
        if (!this.reservation.tryGrow(bytes)) {
          // Other operators or tasks hold the whole budget: the piece goes to disk on its own.
          part.files.push(await this.o.spill.write(this.o.consumer, this.o.schema, [piece]));
          continue;
        }
      }
      this.pending[p]!.push(piece);
    }
  }

  /** Writes out the rows still in memory; the partitions are then complete. */
  async finish(): Promise<SpillPartition[]> {
    await this.flush();
    return this.partitions;
  }

  /** Removes every file written (a partition's files may have been removed already). */
  remove(): void {
    for (const p of this.partitions) for (const f of p.files) f.remove();
    this.pending = this.pending.map(() => []);
    this.reservation.free();
  }

  /** Writes each partition's waiting rows as one file and releases their memory. */
  private async flush(): Promise<void> {
    for (let p = 0; p < this.o.count; p++) {
      const pieces = this.pending[p]!;
      if (pieces.length === 0) continue;
      this.pending[p] = [];
      const file = await this.o.spill.write(
        this.o.consumer,
        this.o.schema,
        coalesced(pieces, this.o.schema, this.o.ctx),
      );
      this.partitions[p]!.files.push(file);
    }
    this.reservation.free();
  }
}

/**
 * `pieces` joined into batches of about `ctx.batchSize` rows, taken out of the array as they go
 * (so that what is written can be collected).
 */
function* coalesced(
  pieces: arrow.RecordBatch[],
  schema: Schema,
  ctx: TaskContext,
): Generator<arrow.RecordBatch> {
  const size = Math.max(1, ctx.batchSize);
  let group: arrow.RecordBatch[] = [];
  let rows = 0;
  while (pieces.length > 0) {
    const piece = pieces.shift()!;
    group.push(piece);
    rows += piece.numRows;
    if (rows < size && pieces.length > 0) continue;
    checkCancelled(ctx);
    yield group.length === 1 ? group[0]! : concatBatches(group, schema);
    group = [];
    rows = 0;
  }
}
