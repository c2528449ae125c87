/**
 * The map side of an exchange, in a task: deals each output batch of the stage's plan to the
 * exchange's buckets (physical `BatchPartitioner`: by key hash, in turn, or all to one) and keeps
 * them as shared-memory batches, charging their bytes to the query's and the process's budgets as
 * they come — while the query's budget stays within `MEMORY_SHARE` of its limit, so that outputs
 * waiting for the stage that reads them leave that stage room for its own work.
 *
 * When the budget refuses a batch, the writer spills (given a file to spill to): the buckets held
 * so far go to the map task's file (map-output-file.ts), one block per bucket, and their memory is
 * released; from then on the rest of the task's output goes to the file too, gathered in memory
 * `STAGED_BYTES` at most at a time (a piece that cannot be held even then is written at once).
 * `finish` hands over what the task wrote — buckets in memory, the file, or both (each bucket's
 * blocks on disk come before its batches in memory) — for the executor's `ShuffleStore`; `abandon`
 * gives the memory back and removes the file.
 *
 *   write ─► split ─► bucket 0: [b, b, …] ─┐ refused: spill
 *                     bucket 1: [b, …]     ├──────────────► file: [0][1]…  [0][1]…  index
 *                     …                    ┘                    round 1   round 2
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import { BatchPartitioner, type PhysicalExpr, type TaskContext } from '../../physical/index.ts';
import { fromWireBatch, toWireBatch, wireBytesOf, type WireBatch } from '../arrow-transfer.ts';
import type { MemoryBudget, TaskMemoryPool } from '../memory/memory-budget.ts';
import type { TaskOutput } from '../task.ts';
import { MapOutputFileWriter } from './map-output-file.ts';
import type { MapOutput } from './shuffle-store.ts';

/** The share of the query's budget up to which exchange outputs stay in memory. */
export const MEMORY_SHARE = 0.5;
/** Once a task has spilled, the most of its output it gathers in memory before writing it out. */
export const STAGED_BYTES = 8 << 20;

/** A finished map task's output, and the memory it keeps charged until the store releases it. */
export interface FinishedMapOutput {
  readonly output: MapOutput;
  readonly bytes: number;
  readonly budgets: readonly MemoryBudget[];
}

export class ShuffleWriter {
  private readonly partitioner: BatchPartitioner;
  private readonly buckets: WireBatch[][];
  private readonly schema: Schema;
  private readonly budgets: readonly MemoryBudget[];
  private readonly pool: TaskMemoryPool;
  /** Where the output goes when memory runs out; null: it cannot spill (over budget is 53200). */
  private readonly path: string | null;
  private file: MapOutputFileWriter | null = null;
  private finished = false;
  /** The exchange, as errors name it. */
  private readonly consumer: string;
  /** Bytes held in memory (charged to the budgets). */
  bytes = 0;
  rows = 0;
  /** Bytes dealt to each bucket (in memory or on disk), for the scheduler's task locality. */
  readonly bucketBytes: number[];

  constructor(
    output: Extract<TaskOutput, { kind: 'exchange' }>,
    keys: readonly PhysicalExpr[],
    schema: Schema,
    pool: TaskMemoryPool,
    spillPath: string | null,
  ) {
    this.partitioner = new BatchPartitioner(output.exchange, keys, output.buckets, schema);
    this.buckets = Array.from({ length: output.buckets }, () => []);
    this.bucketBytes = new Array<number>(output.buckets).fill(0);
    this.schema = schema;
    this.pool = pool;
    this.budgets = pool.budgets;
    this.path = spillPath;
    this.consumer =
      output.exchange === 'single'
        ? 'GatherExec'
        : output.exchange === 'broadcast'
          ? 'BroadcastExchangeExec'
          : 'ShuffleExchangeExec';
  }

  /** Bytes written to disk so far. */
  get spilledBytes(): number {
    return this.file?.bytes ?? 0;
  }

  async write(batch: arrow.RecordBatch, ctx: TaskContext): Promise<void> {
    if (batch.numRows === 0) return;
    this.rows += batch.numRows;
    const pieces = this.partitioner.split(batch, ctx);
    for (let i = 0; i < pieces.length; i++) {
      const piece = pieces[i];
      if (piece === null || piece === undefined || piece.numRows === 0) continue;
      const bytes = wireBytesOf(piece);
      this.bucketBytes[i]! += bytes;
      if (!this.tryHold(bytes)) {
        if (this.path === null) throw this.pool.refused(this.consumer, bytes, this.bytes);
        await this.spill();
        if (!this.tryHold(bytes)) {
          // No room even for this piece alone (nothing is held now, so the order stays).
          await this.file!.appendBlock(i, [piece]);
          continue;
        }
      }
      this.buckets[i]!.push(toWireBatch(piece));
    }
  }

  private tryHold(bytes: number): boolean {
    if (this.file !== null && this.bytes + bytes > STAGED_BYTES) return false;
    if (!this.pool.tryAcquire(bytes, MEMORY_SHARE)) return false;
    this.bytes += bytes;
    return true;
  }

  /** Writes every bucket held in memory to the file, one block each, and releases their memory. */
  private async spill(): Promise<void> {
    this.file ??= new MapOutputFileWriter(this.path!, this.buckets.length);
    for (let b = 0; b < this.buckets.length; b++) {
      const held = this.buckets[b]!;
      if (held.length === 0) continue;
      await this.file.appendBlock(
        b,
        held.map((w) => fromWireBatch(this.schema, w)),
      );
      held.length = 0;
    }
    this.pool.release(this.bytes);
    this.bytes = 0;
  }

  /** The output, for the store; its memory stays charged to the budgets until the store releases it. */
  async finish(): Promise<FinishedMapOutput> {
    const file = this.file === null ? null : await this.file.finish();
    this.pool.disown(this.bytes);
    this.finished = true;
    return { output: { buckets: this.buckets, file }, bytes: this.bytes, budgets: this.budgets };
  }

  /** Gives the memory back and removes the file (the task failed or was cancelled). */
  async abandon(): Promise<void> {
    if (this.finished) return;
    this.finished = true;
    this.pool.release(this.bytes);
    this.bytes = 0;
    for (const b of this.buckets) b.length = 0;
    await this.file?.abandon();
  }
}
