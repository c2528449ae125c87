/**
 * Frame evaluation: for every row of a buffered run, the half-open row range `[lo, hi)` of its
 * window frame, clipped to its partition (`lo >= hi` = empty frame). O(rows) for every frame kind.
 *
 * - ROWS: by position; `n PRECEDING` = row − n, `n FOLLOWING` = row + n.
 * - RANGE with CURRENT ROW: the current row's peer group (all rows equal on the order keys).
 * - RANGE with offsets: by the value of the single order key (see range-frame.ts).
 * - UNBOUNDED PRECEDING / FOLLOWING: the partition's first / last row.
 */
import { EngineError, SqlState, assertNever } from '../../common/index.ts';
import type { FrameBound, WindowFrame } from '../../plan/index.ts';
import { frameOffset, frameOffsetType, valueText } from './frame-offset.ts';
import { rangeOffsetBounds } from './range-frame.ts';
import type { WindowLayout } from './window-layout.ts';

export interface FrameRanges {
  readonly lo: Int32Array;
  readonly hi: Int32Array;
}

function rowsOffset(bound: FrameBound): number {
  const v = frameOffset(bound);
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'number' && Number.isInteger(v)) return v;
  throw new EngineError(SqlState.windowingError, 'ROWS frame offset must be an integer constant');
}

/** A key string for caching identical frames across functions of one operator. */
export function frameKey(frame: WindowFrame): string {
  const b = (x: FrameBound): string => {
    if (x.kind === 'preceding' || x.kind === 'following') {
      const v = frameOffset(x);
      return `${x.kind}:${valueText(v)}${typeof v === 'bigint' ? 'n' : ''}:${JSON.stringify(frameOffsetType(x))}`;
    }
    return x.kind;
  };
  return `${frame.units}|${b(frame.start)}|${b(frame.end)}`;
}

/** True when every row's frame is its whole partition. */
export function isWholePartition(ranges: FrameRanges, layout: WindowLayout): boolean {
  const { lo, hi } = ranges;
  const starts = layout.partitionStarts;
  const part = layout.partitionOf;
  for (let i = 0; i < layout.numRows; i++) {
    const p = part[i]!;
    if (lo[i] !== starts[p] || hi[i] !== starts[p + 1]) return false;
  }
  return true;
}

/** `timeZone` places year-month RANGE offsets on a timestamp key's calendar. */
export function computeFrame(frame: WindowFrame, layout: WindowLayout, timeZone: string): FrameRanges {
  const n = layout.numRows;
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  fillBound(frame, frame.start, layout, lo, true, timeZone);
  fillBound(frame, frame.end, layout, hi, false, timeZone);
  return { lo, hi };
}

/** Fills `out` with the frame start (`isStart`) or end (exclusive) of every row. */
function fillBound(
  frame: WindowFrame,
  bound: FrameBound,
  layout: WindowLayout,
  out: Int32Array,
  isStart: boolean,
  timeZone: string,
): void {
  const n = layout.numRows;
  const starts = layout.partitionStarts;
  const part = layout.partitionOf;
  switch (bound.kind) {
    case 'unbounded_preceding':
      for (let i = 0; i < n; i++) out[i] = starts[part[i]!]!;
      return;
    case 'unbounded_following':
      for (let i = 0; i < n; i++) out[i] = starts[part[i]! + 1]!;
      return;
    case 'current_row':
      if (frame.units === 'rows') {
        for (let i = 0; i < n; i++) out[i] = isStart ? i : i + 1;
      } else {
        out.set(isStart ? layout.peerStart : layout.peerEnd);
      }
      return;
    case 'preceding':
    case 'following': {
      if (frame.units === 'range') {
        rangeOffsetBounds(bound, layout, out, isStart, timeZone);
        return;
      }
      const off = rowsOffset(bound);
      const delta = (bound.kind === 'preceding' ? -off : off) + (isStart ? 0 : 1);
      for (let i = 0; i < n; i++) {
        const p = part[i]!;
        const s = starts[p]!;
        const e = starts[p + 1]!;
        const v = i + delta;
        out[i] = v < s ? s : v > e ? e : v;
      }
      return;
    }
    default:
      assertNever(bound, 'frame bound');
  }
}
