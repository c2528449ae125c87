/**
 * `first_value` / `last_value` / `nth_value` over each row's frame `[lo, hi)`, as gather indices
 * (−1 = NULL: empty frame, or fewer than n (non-NULL) rows in it). IGNORE NULLS skips NULL values
 * in O(1) per row through a non-NULL position index.
 */
import { assertNever } from '../../common/index.ts';
import type { ColumnView } from '../batch/column-view.ts';
import type { FrameRanges } from './frame-bounds.ts';
import { nonNullIndex } from './non-null-index.ts';

export function valueIndices(
  name: 'first_value' | 'last_value' | 'nth_value',
  nth: number,
  frame: FrameRanges,
  input: ColumnView,
  ignoreNulls: boolean,
): Int32Array {
  const { lo, hi } = frame;
  const n = lo.length;
  const out = new Int32Array(n);
  // first_value is nth_value(1); last_value counts from the end.
  const k = name === 'nth_value' ? nth : 1;
  if (!ignoreNulls) {
    switch (name) {
      case 'first_value':
      case 'nth_value':
        for (let i = 0; i < n; i++) {
          const j = lo[i]! + k - 1;
          out[i] = j < hi[i]! ? j : -1;
        }
        return out;
      case 'last_value':
        for (let i = 0; i < n; i++) out[i] = hi[i]! > lo[i]! ? hi[i]! - 1 : -1;
        return out;
      default:
        return assertNever(name, 'value function');
    }
  }
  const { positions, count, before } = nonNullIndex(input, n);
  switch (name) {
    case 'first_value':
    case 'nth_value':
      for (let i = 0; i < n; i++) {
        const l = lo[i]!;
        const h = hi[i]!;
        if (l >= h) {
          out[i] = -1;
          continue;
        }
        const r = before[l]! + k - 1;
        const j = r < count ? positions[r]! : n;
        out[i] = j < h ? j : -1;
      }
      return out;
    case 'last_value':
      for (let i = 0; i < n; i++) {
        const l = lo[i]!;
        const h = hi[i]!;
        if (l >= h) {
          out[i] = -1;
          continue;
        }
        const r = before[h]! - 1;
        const j = r >= 0 ? positions[r]! : -1;
        out[i] = j >= l ? j : -1;
      }
      return out;
    default:
      return assertNever(name, 'value function');
  }
}
