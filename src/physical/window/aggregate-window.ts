/**
 * Aggregates over window frames, through any `GroupsAccumulator` (no per-function code):
 *
 * - **Whole-partition frames** (no ORDER BY, or UNBOUNDED PRECEDING → UNBOUNDED FOLLOWING): one
 *   group per partition, one `update`, then each row takes its partition's value. O(rows).
 * - **Running and sliding frames of count/sum/avg/min/max** over suitable types: O(rows) shortcuts
 *   (fast-frame-aggregates.ts).
 * - **Every other frame** (running, sliding, RANGE): a segment tree of accumulator *states*.
 *   Level 0 holds one group per row (`update`); level L+1 merges pairs of level-L states
 *   (`state` → `merge`), so building costs O(rows). Each frame `[lo, hi)` splits into O(log rows)
 *   tree nodes; one final accumulator has one group per distinct frame and merges, level by level,
 *   the states of every frame's nodes at once. O(rows · log(frame length)) in all; only the levels
 *   the longest frame needs are built, so small sliding frames stay close to linear. Consecutive
 *   rows with the same frame (peers of a RANGE frame) share one group.
 * - Accumulators whose state columns are nested types (e.g. arrays) cannot be gathered by `take`:
 *   those are fed every row of every frame (quadratic; a fallback only).
 *
 * An empty frame is a group that received nothing: NULL for sum/avg/min/max, 0 for count.
 *
 * With `outside` (a run that is one stretch of a window partition too large for memory), every
 * frame also holds rows of the partition outside the run — those before it (every frame starts at
 * the partition's first row) or those after it (every frame ends at its last) — and `outside` is
 * their accumulator state (one group): each frame of the run is merged with it, through the
 * general path.
 */
import type * as arrow from 'apache-arrow';
import type { DataType } from '../../common/index.ts';
import type { GroupsAccumulator } from '../../functions/index.ts';
import { layoutOf } from '../batch/column-view.ts';
import { take } from '../batch/take.ts';
import { fastFrameAggregate } from './fast-frame-aggregates.ts';
import { isWholePartition, type FrameRanges } from './frame-bounds.ts';
import type { WindowLayout } from './window-layout.ts';

export interface WindowAggregateInput {
  /** The aggregate's name (`sum`, `count`…), for the O(rows) shortcuts of fast-frame-aggregates.ts. */
  readonly name: string;
  readonly create: () => GroupsAccumulator;
  /** Argument columns, `layout.numRows` rows each. */
  readonly args: readonly arrow.Data[];
  readonly argTypes: readonly DataType[];
  /** FILTER clause: 1 = row counts. */
  readonly filter: Uint8Array | null;
  readonly type: DataType;
}

export function evaluateWindowAggregate(
  input: WindowAggregateInput,
  frame: FrameRanges,
  layout: WindowLayout,
  outside: readonly arrow.Data[] | null = null,
): arrow.Data {
  const n = layout.numRows;
  if (outside === null && isWholePartition(frame, layout)) {
    const acc = input.create();
    acc.update(input.args, layout.partitionOf, layout.numPartitions, n, input.filter);
    return take(acc.evaluate(), input.type, layout.partitionOf, n);
  }
  const fast = outside === null ? fastFrameAggregate(input, frame, layout) : null;
  if (fast !== null) return fast;
  // Rows with the same frame as the row before share one group.
  const frameOf = new Int32Array(n);
  const flo: number[] = [];
  const fhi: number[] = [];
  let maxLen = 0;
  for (let i = 0; i < n; i++) {
    let l = frame.lo[i]!;
    let h = frame.hi[i]!;
    if (h <= l) l = h = 0;
    const f = flo.length;
    if (f > 0 && flo[f - 1] === l && fhi[f - 1] === h) {
      frameOf[i] = f - 1;
      continue;
    }
    frameOf[i] = f;
    flo.push(l);
    fhi.push(h);
    if (h - l > maxLen) maxLen = h - l;
  }
  const numFrames = flo.length;
  const probe = input.create();
  const flat = hasFlatState(probe.stateTypes);
  const out = input.create();
  if (outside !== null) mergeIntoEvery(out, probe.stateTypes, outside, numFrames, flat);
  const result = flat
    ? segmentTree(input, probe, out, Int32Array.from(flo), Int32Array.from(fhi), maxLen, n, outside !== null)
    : expandFrames(input, out, flo, fhi, outside !== null);
  const values = result.evaluate();
  return numFrames === n ? values : take(values, input.type, frameOf, n);
}

/** Merges the one-group state `state` into each of `numFrames` groups of `out`. */
function mergeIntoEvery(
  out: GroupsAccumulator,
  stateTypes: readonly DataType[],
  state: readonly arrow.Data[],
  numFrames: number,
  flat: boolean,
): void {
  const groups = new Int32Array(numFrames);
  for (let f = 0; f < numFrames; f++) groups[f] = f;
  if (flat) {
    const zeros = new Int32Array(numFrames);
    out.merge(
      stateTypes.map((t, c) => take(state[c]!, t, zeros, numFrames)),
      groups,
      numFrames,
      numFrames,
    );
    return;
  }
  // Nested states cannot be gathered: one merge of the single row per group.
  for (let f = 0; f < numFrames; f++) out.merge(state, groups.subarray(f, f + 1), numFrames, 1);
}

function hasFlatState(types: readonly DataType[]): boolean {
  try {
    for (const t of types) layoutOf(t);
    return true;
  } catch {
    return false;
  }
}

function segmentTree(
  input: WindowAggregateInput,
  leaf: GroupsAccumulator,
  out: GroupsAccumulator,
  lo: Int32Array,
  hi: Int32Array,
  maxLen: number,
  n: number,
  merged0: boolean,
): GroupsAccumulator {
  const stateTypes = leaf.stateTypes;
  const numFrames = lo.length;
  // Levels 0..top, where 2^top ≤ the longest frame.
  let top = 0;
  while (2 ** (top + 1) <= maxLen) top++;
  const identity = new Int32Array(n);
  for (let i = 0; i < n; i++) identity[i] = i;
  leaf.update(input.args, identity, n, n, input.filter);
  const levels: arrow.Data[][] = [leaf.state()];
  let size = n;
  for (let level = 1; level <= top; level++) {
    const next = (size + 1) >> 1;
    const parent = new Int32Array(size);
    for (let i = 0; i < size; i++) parent[i] = i >> 1;
    const acc = input.create();
    acc.merge(levels[level - 1]!, parent, next, size);
    levels.push(acc.state());
    size = next;
  }
  // Bottom-up decomposition of every frame at once: l/r walk up the tree level by level.
  const l = lo.slice();
  const r = hi.slice();
  const nodes = new Int32Array(2 * numFrames);
  const groups = new Int32Array(2 * numFrames);
  let merged = merged0;
  for (let level = 0; level <= top; level++) {
    let count = 0;
    for (let f = 0; f < numFrames; f++) {
      let a = l[f]!;
      let b = r[f]!;
      if (a >= b) continue;
      if ((a & 1) === 1) {
        nodes[count] = a++;
        groups[count++] = f;
      }
      if ((b & 1) === 1 && a < b) {
        nodes[count] = --b;
        groups[count++] = f;
      }
      l[f] = a >> 1;
      r[f] = b >> 1;
    }
    if (count === 0 && merged) continue;
    const states = levels[level]!;
    const taken = stateTypes.map((t, c) => take(states[c]!, t, nodes, count));
    out.merge(taken, groups, numFrames, count);
    merged = true;
  }
  return out;
}

/** The fallback: every row of every frame fed to the frame's group, in bounded slices. */
function expandFrames(
  input: WindowAggregateInput,
  out: GroupsAccumulator,
  lo: readonly number[],
  hi: readonly number[],
  merged: boolean,
): GroupsAccumulator {
  const numFrames = lo.length;
  const cap = 65536;
  const rows = new Int32Array(cap);
  const groups = new Int32Array(cap);
  let count = 0;
  let updated = merged;
  const flush = (): void => {
    const args = input.args.map((a, c) => take(a, input.argTypes[c]!, rows, count));
    let filter: Uint8Array | null = null;
    if (input.filter !== null) {
      filter = new Uint8Array(count);
      for (let k = 0; k < count; k++) filter[k] = input.filter[rows[k]!]!;
    }
    out.update(args, groups.subarray(0, count), numFrames, count, filter);
    updated = true;
    count = 0;
  };
  for (let f = 0; f < numFrames; f++) {
    for (let j = lo[f]!; j < hi[f]!; j++) {
      if (count === cap) flush();
      rows[count] = j;
      groups[count++] = f;
    }
  }
  if (count > 0 || !updated) flush();
  return out;
}
