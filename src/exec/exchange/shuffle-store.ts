/**
 * The exchange outputs one executor holds: for each query, stage and map task, the batches of
 * every bucket, as shared-memory wire batches (arrow-transfer.ts) that any thread can read in
 * place. They stay until the driver releases the query (or the stage); the bytes they hold stay
 * charged to the query's and the process's budgets until then.
 */
import type { WireBatch } from '../arrow-transfer.ts';
import type { MemoryBudget } from '../memory/memory-budget.ts';

interface MapOutput {
  readonly buckets: readonly (readonly WireBatch[])[];
  readonly bytes: number;
  readonly budgets: readonly MemoryBudget[];
}

export class ShuffleStore {
  private readonly queries = new Map<string, Map<number, Map<number, MapOutput>>>();

  /** Keeps map task `map`'s buckets; the bytes are already charged to `budgets`. */
  put(
    queryId: string,
    stageId: number,
    map: number,
    buckets: readonly (readonly WireBatch[])[],
    bytes: number,
    budgets: readonly MemoryBudget[],
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
    maps.set(map, { buckets, bytes, budgets });
  }

  /** Bucket `bucket` of map task `map`; undefined when this executor does not hold it. */
  get(queryId: string, stageId: number, map: number, bucket: number): readonly WireBatch[] | undefined {
    return this.queries.get(queryId)?.get(stageId)?.get(map)?.buckets[bucket];
  }

  releaseStage(queryId: string, stageId: number): void {
    const stages = this.queries.get(queryId);
    const maps = stages?.get(stageId);
    if (maps === undefined) return;
    for (const out of maps.values()) release(out);
    stages!.delete(stageId);
  }

  releaseQuery(queryId: string): void {
    const stages = this.queries.get(queryId);
    if (stages === undefined) return;
    for (const maps of stages.values()) for (const out of maps.values()) release(out);
    this.queries.delete(queryId);
  }

  /** Bytes held for every query. */
  get bytes(): number {
    let total = 0;
    for (const stages of this.queries.values())
      for (const maps of stages.values()) for (const out of maps.values()) total += out.bytes;
    return total;
  }
}

function release(out: MapOutput): void {
  for (const b of out.budgets) b.release(out.bytes);
}
