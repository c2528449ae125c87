/**
 * The exchange outputs one executor holds: for each query, stage and map task, where that map
 * task's output is (`MapOutput`) — every bucket's batches in memory, as shared-memory wire batches
 * (arrow-transfer.ts) that any thread can read in place; a file on local disk
 * (map-output-file.ts) that any thread or process can read from its path and index; or both, when
 * the task ran out of memory part way (in each bucket, the file's blocks come first). A
 * `MapOutput` is plain data: it is what the executor publishes to the other threads of its
 * process and what a reader is told of one bucket (`MapOutputBucket`).
 *
 * An output stays until the driver releases its query (or stage); then its bytes go back to the
 * query's and the process's budgets and its file is removed. A store also keeps mirrors of other
 * executors' outputs (`put` without a charge): those are neither its bytes nor its files.
 */
import type * as arrow from 'apache-arrow';
import * as fs from 'node:fs';
import type { Schema } from '../../common/index.ts';
import { fromWireBatch, type WireBatch } from '../arrow-transfer.ts';
import type { MemoryBudget } from '../memory/memory-budget.ts';
import { readBlocks, type ByteRange, type MapOutputFile } from './map-output-file.ts';

/** Where one map task's output is. */
export interface MapOutput {
  /** Per bucket, the batches kept in memory (after the file's blocks of that bucket). */
  readonly buckets: readonly (readonly WireBatch[])[];
  /** The blocks written to disk, if any. */
  readonly file: MapOutputFile | null;
}

/** One bucket of one map output, as a reader reads it: the file's ranges first, then the batches. */
export interface MapOutputBucket {
  readonly file: { readonly path: string; readonly ranges: readonly ByteRange[] } | null;
  readonly batches: readonly WireBatch[];
}

/** What an output holds of its executor's budgets: `bytes` charged to each of `budgets`. */
export interface MapOutputCharge {
  readonly bytes: number;
  readonly budgets: readonly MemoryBudget[];
}

interface Held {
  readonly output: MapOutput;
  /** Null for a mirror of another executor's output. */
  readonly charge: MapOutputCharge | null;
}

export class ShuffleStore {
  private readonly queries = new Map<string, Map<number, Map<number, Held>>>();

  /**
   * Keeps map task `map`'s output. With a charge it is this executor's own: its bytes (already
   * charged) and its file are released with it; without, a mirror.
   */
  put(
    queryId: string,
    stageId: number,
    map: number,
    output: MapOutput,
    charge: MapOutputCharge | null,
  ): void {
    let stages = this.queries.get(queryId);
    if (stages === undefined) {
      stages = new Map();
      this.queries.set(queryId, stages);
    }
    let maps = stages.get(stageId);
    if (maps === undefined) {
      maps = new Map();
      stages.set(stageId, maps);
    }
    const previous = maps.get(map);
    if (previous !== undefined) release(previous);
    maps.set(map, { output, charge });
  }

  /** Map task `map`'s output; undefined when this executor does not hold it. */
  output(queryId: string, stageId: number, map: number): MapOutput | undefined {
    return this.queries.get(queryId)?.get(stageId)?.get(map)?.output;
  }

  /** Bucket `bucket` of map task `map`'s output; undefined when this executor does not hold it. */
  get(queryId: string, stageId: number, map: number, bucket: number): MapOutputBucket | undefined {
    const output = this.output(queryId, stageId, map);
    if (output === undefined) return undefined;
    const ranges = output.file?.index[bucket];
    return {
      file: output.file === null || ranges === undefined ? null : { path: output.file.path, ranges },
      batches: output.buckets[bucket] ?? [],
    };
  }

  releaseStage(queryId: string, stageId: number): void {
    const stages = this.queries.get(queryId);
    const maps = stages?.get(stageId);
    if (maps === undefined) return;
    for (const held of maps.values()) release(held);
    stages!.delete(stageId);
  }

  releaseQuery(queryId: string): void {
    const stages = this.queries.get(queryId);
    if (stages === undefined) return;
    for (const maps of stages.values()) for (const held of maps.values()) release(held);
    this.queries.delete(queryId);
  }

  /** Bytes held in memory for every query (this executor's own outputs). */
  get bytes(): number {
    let total = 0;
    for (const stages of this.queries.values())
      for (const maps of stages.values()) for (const held of maps.values()) total += held.charge?.bytes ?? 0;
    return total;
  }
}

function release(held: Held): void {
  if (held.charge === null) return;
  for (const b of held.charge.budgets) b.release(held.charge.bytes);
  if (held.output.file !== null) fs.rmSync(held.output.file.path, { force: true });
}

/** The batches of one bucket of a map output, as batches of `schema`: from disk, then from memory. */
export async function* readMapOutputBucket(
  bucket: MapOutputBucket,
  schema: Schema,
): AsyncGenerator<arrow.RecordBatch> {
  if (bucket.file !== null && bucket.file.ranges.length > 0) {
    yield* readBlocks(bucket.file.path, bucket.file.ranges, schema);
  }
  for (const w of bucket.batches) yield fromWireBatch(schema, w);
}
