/**
 * The groups a hash aggregate wrote to disk when its memory budget was refused, split into
 * `SPILL_PARTITIONS` partitions by a hash of their keys (`spillPartitions`: seeded per level of
 * re-partitioning, independent of the exchange's hash).
 *
 * Each spill writes, per partition that gets any group, one file of state rows — the group keys
 * (with the grouping id) followed by the state columns of every accumulator that is not DISTINCT,
 * the layout a partial aggregate outputs — and, per DISTINCT aggregate, one file of its distinct
 * (group keys, arguments) pairs. All of a group's rows, of every spill, land in the same
 * partition, so merging a partition's files gives its groups' final states; DISTINCT aggregates
 * deduplicate their pairs again there, so a value seen before and after a spill counts once.
 *
 * Every file is removed once read, and whatever remains when the aggregate ends (`removeAll`).
 * A partitioning at level l tells the spill space the aggregate makes l + 1 passes (EXPLAIN
 * ANALYZE shows the deepest).
 */
import type * as arrow from 'apache-arrow';
import { makeBatch, type DataType, type Field, type Schema } from '../../common/index.ts';
import type { SpillFile, SpillSpace, TaskContext } from '../execution-plan.ts';
import { SPILL_LEVELS, spillPartitions } from '../batch/partition.ts';
import { take } from '../batch/take.ts';
import { checkCancelled } from './exec-support.ts';

/** Spill partitions a level. */
export const SPILL_PARTITIONS = 16;
/**
 * Levels of partitioning, at most (16^4 = 65536 partitions): a partition that still does not fit
 * at the last is held by groups that hashing cannot split (a few keys with huge states).
 */
export const MAX_SPILL_LEVELS = SPILL_LEVELS;

/** The files of one spill partition. */
export interface SpillPartition {
  readonly states: SpillFile[];
  /** Per aggregate: the files of its DISTINCT pairs (empty for the others). */
  readonly pairs: SpillFile[][];
}

/** The layouts of spilled rows: state rows, and per DISTINCT aggregate its pair rows. */
export interface SpillLayout {
  readonly keyTypes: readonly DataType[];
  readonly states: Schema;
  /** Per aggregate: the schema of its pair rows, or null when it is not DISTINCT. */
  readonly pairs: readonly (Schema | null)[];
}

/** What is written of a set of groups: the keys of every group, state columns, DISTINCT pairs. */
export interface GroupsToSpill {
  readonly numGroups: number;
  /** Group keys, one row per group (with the grouping id last, when there are grouping sets). */
  readonly keys: readonly arrow.Data[];
  /** The state columns of the accumulators that are not DISTINCT, one row per group. */
  readonly states: readonly arrow.Data[];
  /** Per aggregate: its distinct pairs — the group id of each, and the argument columns — or null. */
  readonly pairs: readonly ({ readonly groupIds: Int32Array; readonly args: readonly arrow.Data[] } | null)[];
}

export function spillLayout(
  keyTypes: readonly DataType[],
  stateTypes: readonly DataType[],
  distinctArgTypes: readonly (readonly DataType[] | null)[],
): SpillLayout {
  const keys: Field[] = keyTypes.map((type, i) => ({ name: `key${i}`, type, nullable: true }));
  return {
    keyTypes,
    states: {
      fields: [...keys, ...stateTypes.map((type, i) => ({ name: `state${i}`, type, nullable: true }))],
    },
    pairs: distinctArgTypes.map((types) =>
      types === null
        ? null
        : { fields: [...keys, ...types.map((type, i) => ({ name: `arg${i}`, type, nullable: true }))] },
    ),
  };
}

export class SpilledGroups {
  readonly partitions: SpillPartition[] = [];
  /** The level of this partitioning (the seed of its hash). */
  readonly level: number;
  private readonly consumer: string;
  private readonly layout: SpillLayout;
  private readonly space: SpillSpace;
  /** Every file not removed yet, of every level: what the aggregate removes when it ends. */
  private readonly live: Set<SpillFile>;

  constructor(consumer: string, layout: SpillLayout, space: SpillSpace, level: number, live: Set<SpillFile>) {
    this.consumer = consumer;
    this.layout = layout;
    this.space = space;
    this.level = level;
    this.live = live;
    space.recordPasses?.(consumer, level + 1);
    for (let p = 0; p < SPILL_PARTITIONS; p++)
      this.partitions.push({ states: [], pairs: layout.pairs.map(() => []) });
  }

  /** Writes `groups`, partitioned by the hash of their keys. */
  async add(groups: GroupsToSpill, ctx: TaskContext): Promise<void> {
    const n = groups.numGroups;
    if (n === 0) return;
    const keyTypes = this.layout.keyTypes;
    const parts = new Int32Array(n);
    spillPartitions(groups.keys, keyTypes, n, SPILL_PARTITIONS, this.level, parts);
    const groupsOf = byPartition(parts, n);
    const stateTypes = this.layout.states.fields.map((f) => f.type);
    const stateCols = [...groups.keys, ...groups.states];
    for (let p = 0; p < SPILL_PARTITIONS; p++) {
      const rows = groupsOf.rows.subarray(groupsOf.starts[p], groupsOf.starts[p + 1]);
      if (rows.length === 0) continue;
      const batches = this.slices(this.layout.states, rows, ctx, (idx) =>
        stateCols.map((c, i) => take(c, stateTypes[i]!, idx, idx.length)),
      );
      this.partitions[p]!.states.push(await this.write(this.layout.states, batches));
    }
    for (let a = 0; a < groups.pairs.length; a++) {
      const pairs = groups.pairs[a];
      const schema = this.layout.pairs[a];
      if (pairs === null || pairs === undefined || schema === null || schema === undefined) continue;
      const m = pairs.groupIds.length;
      if (m === 0) continue;
      // A pair goes where its group went.
      const pairParts = new Int32Array(m);
      for (let i = 0; i < m; i++) pairParts[i] = parts[pairs.groupIds[i]!]!;
      const pairsOf = byPartition(pairParts, m);
      const argTypes = schema.fields.slice(keyTypes.length).map((f) => f.type);
      for (let p = 0; p < SPILL_PARTITIONS; p++) {
        const rows = pairsOf.rows.subarray(pairsOf.starts[p], pairsOf.starts[p + 1]);
        if (rows.length === 0) continue;
        const batches = this.slices(schema, rows, ctx, (idx) => {
          const gids = new Int32Array(idx.length);
          for (let i = 0; i < idx.length; i++) gids[i] = pairs.groupIds[idx[i]!]!;
          return [
            ...groups.keys.map((c, i) => take(c, keyTypes[i]!, gids, gids.length)),
            ...pairs.args.map((c, i) => take(c, argTypes[i]!, idx, idx.length)),
          ];
        });
        this.partitions[p]!.pairs[a]!.push(await this.write(schema, batches));
      }
    }
  }

  /** Reads a file's batches, then removes it. */
  async *drain(file: SpillFile): AsyncGenerator<arrow.RecordBatch> {
    try {
      yield* file.read();
    } finally {
      file.remove();
      this.live.delete(file);
    }
  }

  private async write(schema: Schema, batches: Iterable<arrow.RecordBatch>): Promise<SpillFile> {
    const file = await this.space.write(this.consumer, schema, batches);
    this.live.add(file);
    return file;
  }

  /** Rows `rows` as batches of `schema` of `ctx.batchSize` rows at most, each made by `columns`. */
  private *slices(
    schema: Schema,
    rows: Int32Array,
    ctx: TaskContext,
    columns: (idx: Int32Array) => arrow.Data[],
  ): Generator<arrow.RecordBatch> {
    const size = Math.max(1, ctx.batchSize);
    for (let start = 0; start < rows.length; start += size) {
      checkCancelled(ctx);
      const idx = rows.subarray(start, Math.min(rows.length, start + size));
      yield makeBatch(schema, columns(idx), idx.length);
    }
  }
}

/** Row numbers grouped by partition (stable): partition p's rows are `rows[starts[p]…starts[p+1])`. */
function byPartition(parts: Int32Array, n: number): { rows: Int32Array; starts: Int32Array } {
  const starts = new Int32Array(SPILL_PARTITIONS + 1);
  for (let i = 0; i < n; i++) starts[parts[i]! + 1]!++;
  for (let p = 0; p < SPILL_PARTITIONS; p++) starts[p + 1]! += starts[p]!;
  const fill = starts.slice(0, SPILL_PARTITIONS);
  const rows = new Int32Array(n);
  for (let i = 0; i < n; i++) rows[fill[parts[i]!]!++] = i;
  return { rows, starts };
}
