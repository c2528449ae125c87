/**
 * EXPLAIN text of a window frame: `ROWS BETWEEN 2 PRECEDING AND CURRENT ROW`.
 */
import { assertNever } from '../../common/index.ts';
import type { FrameBound, WindowFrame } from '../../plan/index.ts';
import { frameOffset, valueText } from './frame-offset.ts';

function boundText(b: FrameBound): string {
  switch (b.kind) {
    case 'unbounded_preceding':
      return 'UNBOUNDED PRECEDING';
    case 'unbounded_following':
      return 'UNBOUNDED FOLLOWING';
    case 'current_row':
      return 'CURRENT ROW';
    case 'preceding':
    case 'following': {
      const v = frameOffset(b);
      return `${valueText(v)} ${b.kind.toUpperCase()}`;
    }
    default:
      return assertNever(b, 'frame bound');
  }
}

export function explainFrame(frame: WindowFrame): string {
  return `${frame.units.toUpperCase()} BETWEEN ${boundText(frame.start)} AND ${boundText(frame.end)}`;
}
