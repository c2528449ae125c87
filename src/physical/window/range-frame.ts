/**
 * RANGE frames with value offsets (`RANGE BETWEEN 5 PRECEDING AND 2 FOLLOWING`): the frame of a
 * row holds the rows of its partition whose single order key lies within the offsets of the
 * current row's key, in the direction of the sort (for DESC, `n PRECEDING` means key ≤ current + n).
 *
 * Keys are first normalised to an ascending sequence (negated for DESC), then each bound is found
 * with one forward-moving pointer per partition: O(rows). Keys are read as float64 for
 * int/float/double/date keys and as exact BigInt for bigint, timestamp, interval and decimal keys
 * (offsets rescaled to the key's scale, or both to the larger scale).
 *
 * Year-month and calendar interval offsets over DATE / TIMESTAMP / TIMESTAMP_NTZ keys move each
 * key along the calendar (TIMESTAMP in the session time zone: months, then days on the local
 * clock, then microseconds); day-time interval offsets over timestamps are exact microseconds.
 *
 * NULL keys are peers of each other: a NULL row's offset bound is the edge of the NULL group, and
 * non-NULL rows' offset bounds never reach into the NULL group. NaN sorts above every number.
 */
import {
  EngineError,
  SqlState,
  isCalendarInterval,
  negateCalendarInterval,
  readDecimal128,
  typeToString,
  type CalendarInterval,
  type DataType,
  type Value,
} from '../../common/index.ts';
import { dateAddCalendarInterval, timestampAddCalendarInterval } from '../../functions/index.ts';
import type { FrameBound } from '../../plan/index.ts';
import { ColumnView } from '../batch/column-view.ts';
import { frameOffset, frameOffsetType } from './frame-offset.ts';
import type { WindowLayout } from './window-layout.ts';

type Keys =
  | { readonly kind: 'float'; readonly values: Float64Array }
  | {
      readonly kind: 'targets';
      readonly values: Float64Array | BigInt64Array;
      readonly targets: Float64Array | BigInt64Array;
    }
  | { readonly kind: 'big'; readonly values: BigInt64Array | bigint[] };

function rangeError(message: string): EngineError {
  return new EngineError(SqlState.windowingError, message);
}

function pow10(k: number): bigint {
  return 10n ** BigInt(k);
}

function scaleOf(t: DataType | null): number {
  return t !== null && t.kind === 'decimal' ? t.scale : 0;
}

/** Reads the key column in the domain its offset needs; `sign` = -1 negates (DESC). */
function readKeys(
  view: ColumnView,
  keyType: DataType,
  offset: Value,
  offsetType: DataType | null,
  n: number,
  sign: number,
): { keys: Keys; delta: number | bigint } {
  if (
    offsetType?.kind === 'interval_day_time' &&
    keyType.kind !== 'timestamp' &&
    keyType.kind !== 'timestamp_ntz'
  ) {
    throw rangeError(
      `a RANGE frame with a day-time interval offset needs a timestamp ORDER BY key, not ${typeToString(keyType)}`,
    );
  }
  const keyScale = scaleOf(keyType);
  const offScale = scaleOf(offsetType);
  const fractionalOffset = typeof offset === 'number' && !Number.isInteger(offset);
  if (view.layout === 'int' || view.layout === 'float' || (view.layout === 'words' && fractionalOffset)) {
    const values = new Float64Array(n);
    if (view.layout === 'int') {
      const src = view.ints;
      for (let i = 0; i < n; i++) values[i] = sign * src[i]!;
    } else if (view.layout === 'float') {
      const src = view.floats;
      for (let i = 0; i < n; i++) {
        const x = src[i]!;
        values[i] = sign * (x !== x ? Infinity : x);
      }
    } else {
      const big = bigKeys(view, n);
      const div = 10 ** keyScale;
      for (let i = 0; i < n; i++) values[i] = (sign * Number(big[i]!)) / div;
    }
    const off = typeof offset === 'bigint' ? Number(offset) / 10 ** offScale : (offset as number);
    return { keys: { kind: 'float', values }, delta: off };
  }
  if (view.layout === 'words') {
    const src = bigKeys(view, n);
    const scale = Math.max(keyScale, offScale);
    const keyFactor = pow10(scale - keyScale);
    const s = BigInt(sign);
    const values: bigint[] = new Array<bigint>(n);
    for (let i = 0; i < n; i++) values[i] = s * src[i]! * keyFactor;
    const off = (typeof offset === 'bigint' ? offset : BigInt(offset as number)) * pow10(scale - offScale);
    return { keys: { kind: 'big', values }, delta: off };
  }
  throw rangeError(
    `a RANGE frame with an offset needs a numeric, decimal or date ORDER BY key, not ${typeToString(keyType)}`,
  );
}

function bigKeys(view: ColumnView, n: number): BigInt64Array | bigint[] {
  const w = view.words;
  if (view.stride === 2) {
    if (w.byteOffset % 8 === 0) return new BigInt64Array(w.buffer, w.byteOffset, n);
    return new BigInt64Array(w.slice(0, 2 * n).buffer);
  }
  const words =
    w.byteOffset % 8 === 0
      ? new BigInt64Array(w.buffer, w.byteOffset, 2 * n)
      : new BigInt64Array(w.slice(0, 4 * n).buffer);
  const out: bigint[] = new Array<bigint>(n);
  for (let i = 0; i < n; i++) out[i] = readDecimal128(words, i);
  return out;
}

/** Fills `out` with the RANGE offset bound (`isStart` ? first row : one past the last row) of each row. */
export function rangeOffsetBounds(
  bound: FrameBound,
  layout: WindowLayout,
  out: Int32Array,
  isStart: boolean,
  timeZone: string,
): void {
  if (layout.orderKeys.length !== 1) {
    throw rangeError('a RANGE frame with an offset needs exactly one ORDER BY key');
  }
  const key = layout.orderKeys[0]!;
  const n = layout.numRows;
  const view = new ColumnView(key.column, key.type);
  if (view.layout === 'null') {
    // Every key is NULL: all rows of a partition are peers.
    out.set(isStart ? layout.peerStart : layout.peerEnd);
    return;
  }
  const offset = frameOffset(bound);
  const offsetType = frameOffsetType(bound);
  const sign = key.ascending ? 1 : -1;
  const following = bound.kind === 'following';
  // A year-month or calendar offset moves along the calendar (a month, or a day in a time zone
  // with daylight saving, has no fixed length): each row's target key is its own key plus the
  // interval, computed row by row; the sweep is the same.
  const calendar = offsetType?.kind === 'interval_year_month' || offsetType?.kind === 'calendar_interval';
  const { keys, delta } = calendar
    ? calendarTargets(view, key.type, calendarStep(offset, following === key.ascending), n, sign, timeZone)
    : readKeys(view, key.type, offset, offsetType, n, sign);
  const starts = layout.partitionStarts;
  for (let p = 0; p < layout.numPartitions; p++) {
    const ps = starts[p]!;
    const pe = starts[p + 1]!;
    // The non-NULL rows of the partition are one contiguous run [a, b).
    let a = ps;
    let b = pe;
    if (key.nullsFirst) while (a < b && view.isNull(a)) a++;
    else while (b > a && view.isNull(b - 1)) b--;
    for (let i = ps; i < a; i++) out[i] = isStart ? ps : a;
    for (let i = b; i < pe; i++) out[i] = isStart ? b : pe;
    if (keys.kind === 'targets') sweepTargets(keys.values, keys.targets, isStart, a, b, out);
    else if (keys.kind === 'float') sweepFloat(keys.values, delta as number, following, isStart, a, b, out);
    else sweepBig(keys.values, delta as bigint, following, isStart, a, b, out);
  }
}

/**
 * A year-month (months) or calendar (`[months, days, micros]`) offset as the interval to add to
 * a key: itself when the frame moves towards larger keys, else its negation.
 */
function calendarStep(offset: Value, towardsLarger: boolean): CalendarInterval {
  const iv: CalendarInterval = isCalendarInterval(offset) ? offset : [offset as number, 0, 0n];
  return towardsLarger ? iv : negateCalendarInterval(iv);
}

/**
 * Keys of a date or timestamp column (negated for DESC) and each row's target key: its own key
 * plus `step` on the calendar (of `timeZone` for TIMESTAMP, UTC for TIMESTAMP_NTZ): days as
 * float64, micros as int64.
 */
function calendarTargets(
  view: ColumnView,
  keyType: DataType,
  step: CalendarInterval,
  n: number,
  sign: number,
  timeZone: string,
): { keys: Keys; delta: number } {
  if (keyType.kind === 'date' && view.layout === 'int' && step[2] === 0n) {
    const src = view.ints;
    const values = new Float64Array(n);
    const targets = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      values[i] = sign * src[i]!;
      targets[i] = view.isNull(i) ? 0 : sign * dateAddCalendarInterval(src[i]!, step);
    }
    return { keys: { kind: 'targets', values, targets }, delta: 0 };
  }
  if ((keyType.kind === 'timestamp' || keyType.kind === 'timestamp_ntz') && view.layout === 'words') {
    const src = bigKeys(view, n);
    const zone = keyType.kind === 'timestamp' ? timeZone : 'UTC';
    const s = BigInt(sign);
    const values = new BigInt64Array(n);
    const targets = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      values[i] = s * src[i]!;
      targets[i] = view.isNull(i) ? 0n : s * timestampAddCalendarInterval(src[i]!, step, zone);
    }
    return { keys: { kind: 'targets', values, targets }, delta: 0 };
  }
  throw rangeError(
    `a RANGE frame with a calendar interval offset needs a date or timestamp ORDER BY key, not ${typeToString(keyType)}`,
  );
}

/**
 * As `sweepFloat`, with each row's own target key. Calendar targets need not rise with the keys
 * (two instants an hour apart can share a wall-clock time when clocks fall back), so the pointer
 * may also step back; for rising targets it only moves forward and the sweep stays O(rows).
 */
function sweepTargets(
  w: Float64Array | BigInt64Array,
  targets: Float64Array | BigInt64Array,
  isStart: boolean,
  a: number,
  b: number,
  out: Int32Array,
): void {
  let j = a;
  for (let i = a; i < b; i++) {
    const target = targets[i]!;
    if (isStart) {
      while (j > a && w[j - 1]! >= target) j--;
      while (j < b && w[j]! < target) j++;
    } else {
      while (j > a && w[j - 1]! > target) j--;
      while (j < b && w[j]! <= target) j++;
    }
    out[i] = j;
  }
}

/** For rows [a, b) with ascending keys `w`: the first j with w[j] ≥ (start) or > (end) w[i] ± d. */
function sweepFloat(
  w: Float64Array,
  d: number,
  following: boolean,
  isStart: boolean,
  a: number,
  b: number,
  out: Int32Array,
): void {
  const delta = following ? d : -d;
  let j = a;
  for (let i = a; i < b; i++) {
    const target = w[i]! + delta;
    if (isStart) while (j < b && w[j]! < target) j++;
    else while (j < b && w[j]! <= target) j++;
    out[i] = j;
  }
}

function sweepBig(
  w: BigInt64Array | bigint[],
  d: bigint,
  following: boolean,
  isStart: boolean,
  a: number,
  b: number,
  out: Int32Array,
): void {
  const delta = following ? d : -d;
  let j = a;
  for (let i = a; i < b; i++) {
    const target = w[i]! + delta;
    if (isStart) while (j < b && w[j]! < target) j++;
    else while (j < b && w[j]! <= target) j++;
    out[i] = j;
  }
}
