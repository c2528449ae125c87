/**
 * Ranking window functions over a buffered run (see window-layout.ts), one typed-array pass each:
 *
 * | function     | value (k = 0-based position in the partition, size = partition rows)        |
 * |--------------|------------------------------------------------------------------------------|
 * | row_number   | k + 1                                                                        |
 * | rank         | position of the first peer + 1 (gaps after ties)                             |
 * | dense_rank   | number of distinct peer groups up to the row                                 |
 * | percent_rank | (rank − 1) / (size − 1), 0 for a one-row partition                           |
 * | cume_dist    | (rows up to the last peer) / size                                            |
 * | ntile(n)     | bucket 1..n; the first size % n buckets get one row more                     |
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  assertNever,
  makeColumn,
  valueAt,
  type DataType,
} from '../../common/index.ts';
import { valueText } from './frame-offset.ts';
import type { RankingFunctionName } from './window-function-spec.ts';
import type { WindowLayout } from './window-layout.ts';

/** An int (or bigint) column from Int32 values. */
function intColumn(type: DataType, values: Int32Array, n: number): arrow.Data {
  if (type.kind === 'bigint') {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) out[i] = BigInt(values[i]!);
    return makeColumn(type, out, n, null);
  }
  return makeColumn({ kind: 'int' }, values, n, null);
}

export function evaluateRanking(
  name: RankingFunctionName,
  type: DataType,
  layout: WindowLayout,
  buckets: number,
): arrow.Data {
  const n = layout.numRows;
  const { partitionOf, partitionStarts: starts, peerStart, peerEnd } = layout;
  switch (name) {
    case 'row_number': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = i - starts[partitionOf[i]!]! + 1;
      return intColumn(type, out, n);
    }
    case 'rank': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = peerStart[i]! - starts[partitionOf[i]!]! + 1;
      return intColumn(type, out, n);
    }
    case 'dense_rank': {
      const out = new Int32Array(n);
      let r = 0;
      for (let i = 0; i < n; i++) {
        if (i === 0 || partitionOf[i] !== partitionOf[i - 1]) r = 0;
        if (peerStart[i] === i) r++;
        out[i] = r;
      }
      return intColumn(type, out, n);
    }
    case 'percent_rank': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const p = partitionOf[i]!;
        const size = starts[p + 1]! - starts[p]!;
        out[i] = size <= 1 ? 0 : (peerStart[i]! - starts[p]!) / (size - 1);
      }
      return makeColumn({ kind: 'double' }, out, n, null);
    }
    case 'cume_dist': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) {
        const p = partitionOf[i]!;
        out[i] = (peerEnd[i]! - starts[p]!) / (starts[p + 1]! - starts[p]!);
      }
      return makeColumn({ kind: 'double' }, out, n, null);
    }
    case 'ntile': {
      const out = new Int32Array(n);
      for (let p = 0; p < layout.numPartitions; p++) {
        const s = starts[p]!;
        const size = starts[p + 1]! - s;
        const base = Math.floor(size / buckets);
        const extra = size % buckets;
        // The first `extra` buckets hold base + 1 rows.
        const bigRows = extra * (base + 1);
        for (let k = 0; k < size; k++) {
          out[s + k] =
            k < bigRows ? Math.floor(k / (base + 1)) + 1 : Math.floor((k - bigRows) / base) + extra + 1;
        }
      }
      return intColumn(type, out, n);
    }
    default:
      return assertNever(name, 'ranking function');
  }
}

/** ntile's bucket count from its argument column (a constant): a positive integer. */
export function ntileBuckets(column: arrow.Data, type: DataType): number {
  const raw = column.length === 0 ? null : valueAt(column, type, 0);
  const v = typeof raw === 'bigint' ? Number(raw) : raw;
  if (typeof v !== 'number' || !Number.isInteger(v) || v <= 0) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `ntile: the number of buckets must be a positive integer, got ${valueText(v)}`,
    );
  }
  return v;
}

/**
 * Where a run of rows lies in its window partition, when the run is only a stretch of one
 * partition (a partition too large for memory, evaluated a stretch at a time): what comes before
 * the run is summed up here, and the ranks are those of the whole partition.
 */
export interface PartitionStretch {
  /** Rows of the partition before the run's first row. */
  readonly before: number;
  /** Rows of the whole partition. */
  readonly size: number;
  /** Position in the partition where the run's first row's peer group starts (≤ `before`). */
  readonly firstPeerStart: number;
  /** dense_rank of the run's first row. */
  readonly firstDense: number;
}

/**
 * The ranking functions of rows of a run that is one stretch of a window partition (the layout has
 * a single partition). Exact for every row whose peer group ends inside the run or whose run ends
 * the partition (cume_dist reads the end of the row's peer group).
 */
export function evaluateRankingInStretch(
  name: RankingFunctionName,
  type: DataType,
  layout: WindowLayout,
  buckets: number,
  stretch: PartitionStretch,
): arrow.Data {
  const n = layout.numRows;
  const { peerStart, peerEnd } = layout;
  const { before, size, firstPeerStart, firstDense } = stretch;
  // The rank of row i: 1 + rows of the partition before its peer group.
  const rankOf = (i: number): number => (peerStart[i] === 0 ? firstPeerStart : before + peerStart[i]!) + 1;
  switch (name) {
    case 'row_number': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = before + i + 1;
      return intColumn(type, out, n);
    }
    case 'rank': {
      const out = new Int32Array(n);
      for (let i = 0; i < n; i++) out[i] = rankOf(i);
      return intColumn(type, out, n);
    }
    case 'dense_rank': {
      const out = new Int32Array(n);
      let r = firstDense;
      for (let i = 0; i < n; i++) {
        if (i > 0 && peerStart[i] === i) r++;
        out[i] = r;
      }
      return intColumn(type, out, n);
    }
    case 'percent_rank': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = size <= 1 ? 0 : (rankOf(i) - 1) / (size - 1);
      return makeColumn({ kind: 'double' }, out, n, null);
    }
    case 'cume_dist': {
      const out = new Float64Array(n);
      for (let i = 0; i < n; i++) out[i] = (before + peerEnd[i]!) / size;
      return makeColumn({ kind: 'double' }, out, n, null);
    }
    case 'ntile': {
      const out = new Int32Array(n);
      const base = Math.floor(size / buckets);
      const extra = size % buckets;
      const bigRows = extra * (base + 1);
      for (let i = 0; i < n; i++) {
        const k = before + i;
        out[i] = k < bigRows ? Math.floor(k / (base + 1)) + 1 : Math.floor((k - bigRows) / base) + extra + 1;
      }
      return intColumn(type, out, n);
    }
    default:
      return assertNever(name, 'ranking function');
  }
}
