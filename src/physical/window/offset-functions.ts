/**
 * `lag` / `lead`: the row to read for each row of a buffered run, as gather indices (−1 = the target
 * falls outside the partition, so the default applies). `delta` is signed: lead(x, k) = +k,
 * lag(x, k) = −k. With IGNORE NULLS the target is the |delta|-th non-NULL row before/after the
 * current one (not counting the current row); offset 0 is the current row.
 */
import type { ColumnView } from '../batch/column-view.ts';
import { nonNullIndex } from './non-null-index.ts';
import type { WindowLayout } from './window-layout.ts';

export function offsetIndices(
  layout: WindowLayout,
  input: ColumnView,
  delta: number,
  ignoreNulls: boolean,
): Int32Array {
  const n = layout.numRows;
  const out = new Int32Array(n);
  const starts = layout.partitionStarts;
  const part = layout.partitionOf;
  if (!ignoreNulls || delta === 0) {
    for (let i = 0; i < n; i++) {
      const p = part[i]!;
      const j = i + delta;
      out[i] = j >= starts[p]! && j < starts[p + 1]! ? j : -1;
    }
    return out;
  }
  const { positions, count, before } = nonNullIndex(input, n);
  if (delta > 0) {
    for (let i = 0; i < n; i++) {
      const r = before[i + 1]! + delta - 1;
      const j = r < count ? positions[r]! : n;
      out[i] = j < starts[part[i]! + 1]! ? j : -1;
    }
  } else {
    for (let i = 0; i < n; i++) {
      const r = before[i]! + delta;
      const j = r >= 0 ? positions[r]! : -1;
      out[i] = j >= starts[part[i]!]! ? j : -1;
    }
  }
  return out;
}
