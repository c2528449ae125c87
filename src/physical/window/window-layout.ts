/**
 * The shape of a buffered run of sorted rows: where each window partition starts and ends, and
 * which rows are peers (equal on every ORDER BY key, NULL equal to NULL) — computed once per run
 * and shared by every window function of the operator.
 *
 * Rows must arrive sorted by (partition keys, order keys); the partitions of a run are whole.
 */
import type * as arrow from 'apache-arrow';
import type { DataType } from '../../common/index.ts';
import { ColumnView } from '../batch/column-view.ts';
import { rowsEqual } from '../batch/key-equality.ts';
import { rowComparator } from '../batch/sort-indices.ts';

export interface OrderKeyColumn {
  readonly column: arrow.Data;
  readonly type: DataType;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

export interface WindowLayout {
  readonly numRows: number;
  /** Start row of each partition, then `numRows`: `numPartitions + 1` entries. */
  readonly partitionStarts: Int32Array;
  readonly numPartitions: number;
  /** Partition index of each row. */
  readonly partitionOf: Int32Array;
  /** First row of each row's peer group. */
  readonly peerStart: Int32Array;
  /** One past the last row of each row's peer group. */
  readonly peerEnd: Int32Array;
  readonly orderKeys: readonly OrderKeyColumn[];
}

export function computeLayout(
  partitionKeys: readonly { readonly column: arrow.Data; readonly type: DataType }[],
  orderKeys: readonly OrderKeyColumn[],
  numRows: number,
): WindowLayout {
  const n = numRows;
  const views = partitionKeys.map((k) => new ColumnView(k.column, k.type));
  const partitionOf = new Int32Array(n);
  const starts: number[] = n > 0 ? [0] : [];
  let p = 0;
  for (let i = 1; i < n; i++) {
    if (views.length > 0 && !rowsEqual(views, i, views, i - 1)) {
      p++;
      starts.push(i);
    }
    partitionOf[i] = p;
  }
  starts.push(n);
  const partitionStarts = Int32Array.from(starts);
  const numPartitions = partitionStarts.length - 1;

  const peerStart = new Int32Array(n);
  const peerEnd = new Int32Array(n);
  const cmp = orderKeys.length > 0 ? rowComparator(orderKeys) : null;
  let groupStart = 0;
  for (let i = 0; i < n; i++) {
    const newGroup =
      i === 0 || partitionOf[i] !== partitionOf[i - 1] || (cmp !== null && cmp(i, i - 1) !== 0);
    if (newGroup) {
      for (let k = groupStart; k < i; k++) peerEnd[k] = i;
      groupStart = i;
    }
    peerStart[i] = groupStart;
  }
  for (let k = groupStart; k < n; k++) peerEnd[k] = n;
  return { numRows: n, partitionStarts, numPartitions, partitionOf, peerStart, peerEnd, orderKeys };
}
