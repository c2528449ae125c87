/**
 * Positions of the non-NULL rows of a column, for IGNORE NULLS: `positions` lists them in order and
 * `before[i]` counts those at rows < i (`numRows + 1` entries), so "the k-th non-NULL value at or
 * after row i" is `positions[before[i] + k − 1]` — O(1) per lookup after one O(rows) pass.
 */
import type { ColumnView } from '../batch/column-view.ts';

export interface NonNullIndex {
  readonly positions: Int32Array;
  readonly count: number;
  readonly before: Int32Array;
}

export function nonNullIndex(view: ColumnView, n: number): NonNullIndex {
  const positions = new Int32Array(n);
  const before = new Int32Array(n + 1);
  let c = 0;
  for (let i = 0; i < n; i++) {
    before[i] = c;
    if (!view.isNull(i)) positions[c++] = i;
  }
  before[n] = c;
  return { positions, count: c, before };
}
