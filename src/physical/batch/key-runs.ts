/**
 * Runs of equal keys in a batch: rows whose group keys equal the kept row before them (TPC-H's
 * lineitem comes sorted on l_orderkey, four rows an order). A partial aggregate over such input
 * needs no hash table — each run is one group of its own (see HashAggregateExec).
 */
import type { ColumnView } from './column-view.ts';
import { rowsEqual } from './key-equality.ts';

/**
 * Numbers the runs of equal keys among rows `0..n-1` (rows where `mask` is 0 skipped: group -1):
 * `groups[i]` is row i's run, `starts[r]` run r's first row. Returns the run count.
 */
export function keyRuns(
  views: readonly ColumnView[],
  n: number,
  mask: Uint8Array | null,
  groups: Int32Array,
  starts: Int32Array,
): number {
  const only = views.length === 1 ? views[0]! : null;
  if (mask === null && only !== null && only.validity === null && !only.allNull) {
    if (only.layout === 'int') return intRuns(only.ints, n, groups, starts);
    if (only.layout === 'words' && only.stride === 2) return wordRuns(only.words, n, groups, starts);
  }
  let runs = 0;
  let last = -1;
  for (let i = 0; i < n; i++) {
    if (mask !== null && mask[i] === 0) {
      groups[i] = -1;
      continue;
    }
    if (last < 0 || !rowsEqual(views, i, views, last)) starts[runs++] = i;
    groups[i] = runs - 1;
    last = i;
  }
  return runs;
}

function intRuns(keys: ArrayLike<number>, n: number, groups: Int32Array, starts: Int32Array): number {
  let runs = 0;
  let prev = 0;
  for (let i = 0; i < n; i++) {
    const k = keys[i]!;
    if (i === 0 || k !== prev) {
      starts[runs++] = i;
      prev = k;
    }
    groups[i] = runs - 1;
  }
  return runs;
}

function wordRuns(words: Int32Array, n: number, groups: Int32Array, starts: Int32Array): number {
  let runs = 0;
  let lo = 0;
  let hi = 0;
  for (let i = 0; i < n; i++) {
    const l = words[2 * i]!;
    const h = words[2 * i + 1]!;
    if (i === 0 || l !== lo || h !== hi) {
      starts[runs++] = i;
      lo = l;
      hi = h;
    }
    groups[i] = runs - 1;
  }
  return runs;
}
