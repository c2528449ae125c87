/**
 * The constant offset of a `n PRECEDING` / `n FOLLOWING` frame bound, and constants as text.
 */
import {
  EngineError,
  SqlState,
  calendarIntervalToString,
  isCalendarInterval,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { FrameBound } from '../../plan/index.ts';

/** A number-like constant as text (for EXPLAIN and messages). */
export function valueText(v: Value): string {
  if (v === null) return 'NULL';
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return v.toString();
  if (typeof v === 'string') return `'${v}'`;
  if (isCalendarInterval(v)) return `INTERVAL '${calendarIntervalToString(v)}'`;
  return 'constant';
}

/** The literal offset of a `n PRECEDING` / `n FOLLOWING` bound. */
export function frameOffset(bound: FrameBound): Value {
  if (bound.kind !== 'preceding' && bound.kind !== 'following') return null;
  const e = bound.offset;
  if (e.kind === 'literal' && e.value !== null) return e.value;
  throw new EngineError(SqlState.windowingError, 'window frame offset must be a non-null constant');
}

/** The literal type of a bound's offset (for RANGE offsets whose scale differs from the key's). */
export function frameOffsetType(bound: FrameBound): DataType | null {
  if (bound.kind !== 'preceding' && bound.kind !== 'following') return null;
  return bound.offset.kind === 'literal' ? bound.offset.type : null;
}
