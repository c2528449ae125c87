/**
 * Splitting rows over partitions for exchanges (and spills): the partition of each row by the hash
 * of its key columns, and a batch cut into one batch per partition (rows keep their order).
 *
 * The partition uses the row hash of `row-hash.ts` (so equal keys — NULLs, -0.0/0.0, NaNs — go
 * to the same partition, in every thread and process), mixed once more with a fixed seed: the
 * hash tables downstream index their slots by the same row hash, and without the extra mix every
 * key of partition p would share its low bits and crowd the table's slots.
 *
 * Spilling operators (a hash join or aggregate over its memory budget) spread rows over spill
 * partitions with another seed per level of re-partitioning (`spillPartitions`): their input is
 * often one exchange partition already, every row of which the exchange's seed sent to the same
 * place, and a spill partition too large is split again by a hash independent of the first.
 */
import type * as arrow from 'apache-arrow';
import { makeBatch, type DataType, type Schema } from '../../common/index.ts';
import { ColumnView } from './column-view.ts';
import { fmix32, hashRows } from './row-hash.ts';
import { take } from './take.ts';

const PARTITION_SEED = 0x2545f491;
/** Seeds of spill partitioning, one per level (a partition split again takes the next). */
const SPILL_SEEDS = [0x6a09e667, 0x3c6ef372, 0x510e527f, 0x1f83d9ab];

/** The levels of spill re-partitioning that have a seed. */
export const SPILL_LEVELS = SPILL_SEEDS.length;

let hashes = new Uint32Array(1024);

/** Writes the partition (0…count-1) of rows 0…n-1 of the key columns into `out`. */
export function hashPartitions(
  keys: readonly arrow.Data[],
  types: readonly DataType[],
  n: number,
  count: number,
  out: Int32Array,
): void {
  seededPartitions(keys, types, n, count, PARTITION_SEED, out);
}

/**
 * Like `hashPartitions`, for spilling at re-partitioning level `level` (0 … SPILL_LEVELS - 1): by
 * a hash independent of the exchange's and of every other level's.
 */
export function spillPartitions(
  keys: readonly arrow.Data[],
  types: readonly DataType[],
  n: number,
  count: number,
  level: number,
  out: Int32Array,
): void {
  seededPartitions(keys, types, n, count, SPILL_SEEDS[level]!, out);
}

function seededPartitions(
  keys: readonly arrow.Data[],
  types: readonly DataType[],
  n: number,
  count: number,
  seed: number,
  out: Int32Array,
): void {
  if (count === 1) {
    out.fill(0, 0, n);
    return;
  }
  if (hashes.length < n) hashes = new Uint32Array(Math.max(n, hashes.length * 2));
  const views = keys.map((k, i) => new ColumnView(k, types[i]!));
  const h = hashRows(views, n, hashes);
  // The mixed hash scaled to 0…count-1 (Lemire's multiply-shift, exact in doubles for count below
  // 2^21): a `%` of the unsigned hash is a floating-point remainder, some 20 ns a row.
  for (let i = 0; i < n; i++) out[i] = Math.floor((fmix32((h[i]! ^ seed) | 0) * count) / 4294967296);
}

/**
 * Cuts `batch` into one batch per partition (`parts[i]` is row i's partition); null where a
 * partition gets no row. A batch whose rows all go to one partition is passed on whole.
 */
export function splitBatch(
  batch: arrow.RecordBatch,
  schema: Schema,
  parts: Int32Array,
  count: number,
): (arrow.RecordBatch | null)[] {
  const n = batch.numRows;
  const sizes = new Int32Array(count + 1);
  for (let i = 0; i < n; i++) sizes[parts[i]! + 1]!++;
  const out: (arrow.RecordBatch | null)[] = new Array<arrow.RecordBatch | null>(count).fill(null);
  for (let p = 0; p < count; p++) {
    if (sizes[p + 1] === n) {
      out[p] = batch;
      return out;
    }
  }
  for (let p = 0; p < count; p++) sizes[p + 1]! += sizes[p]!;
  const order = new Int32Array(n);
  const fill = sizes.slice(0, count);
  for (let i = 0; i < n; i++) order[fill[parts[i]!]!++] = i;
  const types = schema.fields.map((f) => f.type);
  const columns = batch.data.children;
  for (let p = 0; p < count; p++) {
    const start = sizes[p]!;
    const rows = sizes[p + 1]! - start;
    if (rows === 0) continue;
    const idx = order.subarray(start, start + rows);
    out[p] = makeBatch(
      schema,
      columns.map((c, k) => take(c, types[k]!, idx, rows)),
      rows,
    );
  }
  return out;
}
