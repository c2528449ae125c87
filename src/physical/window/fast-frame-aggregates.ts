/**
 * O(rows) window aggregates for the frames people use most — running totals and sliding windows —
 * when the function and types allow an exact shortcut; everything else takes the general path of
 * aggregate-window.ts (a segment tree of accumulator states, O(rows · log rows)).
 *
 * Frames must move forward: within each window partition `lo` and `hi` never decrease (true for
 * every ROWS frame and for RANGE frames over sorted keys). Then:
 * - `count`, `sum`/`avg` of integers and `sum` of DECIMAL(p ≤ 18): prefix sums, the frame's value is `P[hi] − P[lo]`.
 *   Exact while every prefix stays within ±2^53 (else: general path), so ANSI overflow cannot be
 *   missed (a sum that fits 2^53 fits BIGINT).
 * - `sum`/`avg` of floating point: running frames only (frame starts at the partition start),
 *   added row by row in order, as Spark's growing frame does (no reassociation of the rounding).
 * - `min`/`max` of integers, dates and timestamps: a monotonic deque of row indices.
 * Empty frames give NULL (0 for count); FILTER clauses and NULL inputs are honoured.
 */
import type * as arrow from 'apache-arrow';
import {
  MAX_DECIMAL64_PRECISION,
  decimal64Values,
  makeColumn,
  unpackValidity,
  type DataType,
} from '../../common/index.ts';
import type { FrameRanges } from './frame-bounds.ts';
import type { WindowLayout } from './window-layout.ts';

export interface FastAggregateInput {
  readonly name: string;
  readonly args: readonly arrow.Data[];
  readonly argTypes: readonly DataType[];
  readonly filter: Uint8Array | null;
  readonly type: DataType;
}

const SAFE = Number.MAX_SAFE_INTEGER;

/** True when, inside every partition, `lo` and `hi` never decrease and stay inside it. */
function framesMoveForward(frame: FrameRanges, layout: WindowLayout): boolean {
  const { lo, hi } = frame;
  const starts = layout.partitionStarts;
  for (let p = 0; p < layout.numPartitions; p++) {
    const s = starts[p]!;
    const e = starts[p + 1]!;
    let prevLo = s;
    let prevHi = s;
    for (let i = s; i < e; i++) {
      const l = lo[i]!;
      const h = hi[i]!;
      if (h <= l) continue; // an empty frame constrains nothing
      if (l < prevLo || h < prevHi || l < s || h > e) return false;
      prevLo = l;
      prevHi = h;
    }
  }
  return true;
}

/** True when every non-empty frame starts at its partition's first row. */
function framesStartAtPartition(frame: FrameRanges, layout: WindowLayout): boolean {
  const { lo, hi } = frame;
  const starts = layout.partitionStarts;
  const part = layout.partitionOf;
  for (let i = 0; i < layout.numRows; i++) {
    if (hi[i]! > lo[i]! && lo[i] !== starts[part[i]!]) return false;
  }
  return true;
}

function isSmallIntegral(t: DataType): boolean {
  return t.kind === 'tinyint' || t.kind === 'smallint' || t.kind === 'int';
}

/** Which rows count: valid argument (if any) and passing the FILTER clause. */
function countedRows(input: FastAggregateInput, n: number): Uint8Array {
  const counted = input.args.length === 0 ? new Uint8Array(n).fill(1) : unpackValidity(input.args[0]!);
  const f = input.filter;
  if (f !== null) for (let i = 0; i < n; i++) counted[i] = counted[i]! & f[i]!;
  return counted;
}

/** The argument as doubles (integers exactly; bigints only while within ±2^53), or null. */
function numericValues(
  data: arrow.Data,
  type: DataType,
  counted: Uint8Array,
  n: number,
  words: BigInt64Array | null = null,
): Float64Array | null {
  const out = new Float64Array(n);
  if (type.kind === 'bigint') {
    const v = words ?? (data.values as BigInt64Array);
    for (let i = 0; i < n; i++) {
      if (counted[i] === 0) continue;
      const x = Number(v[i]!);
      if (x > SAFE || x < -SAFE) return null;
      out[i] = x;
    }
    return out;
  }
  const v = data.values as ArrayLike<number>;
  for (let i = 0; i < n; i++) if (counted[i] === 1) out[i] = v[i]!;
  return out;
}

/** The frame aggregate, or null when this function/type/frame has no shortcut here. */
export function fastFrameAggregate(
  input: FastAggregateInput,
  frame: FrameRanges,
  layout: WindowLayout,
): arrow.Data | null {
  const n = layout.numRows;
  const name = input.name.toLowerCase();
  const argType = input.argTypes[0];
  if (name === 'count' && input.type.kind === 'bigint' && input.args.length <= 1) {
    if (!framesMoveForward(frame, layout)) return null;
    return countFrames(countedRows(input, n), frame, n);
  }
  if (
    name === 'sum' &&
    argType?.kind === 'decimal' &&
    argType.precision <= MAX_DECIMAL64_PRECISION &&
    input.type.kind === 'decimal' &&
    input.type.scale === argType.scale &&
    input.args.length === 1
  ) {
    if (!framesMoveForward(frame, layout)) return null;
    const counted = countedRows(input, n);
    const values = numericValues(
      input.args[0]!,
      { kind: 'bigint' },
      counted,
      n,
      decimal64Values(input.args[0]!),
    );
    return values === null ? null : prefixSums(values, counted, frame, n, false, input.type);
  }
  if (
    (name === 'sum' || name === 'avg' || name === 'mean') &&
    argType !== undefined &&
    input.args.length === 1
  ) {
    const integral = isSmallIntegral(argType) || argType.kind === 'bigint';
    const floating = argType.kind === 'double' || argType.kind === 'float';
    const avg = name !== 'sum';
    const wanted = avg ? 'double' : integral ? 'bigint' : 'double';
    if ((!integral && !floating) || input.type.kind !== wanted) return null;
    if (!framesMoveForward(frame, layout)) return null;
    const counted = countedRows(input, n);
    if (integral) {
      const values = numericValues(input.args[0]!, argType, counted, n);
      return values === null ? null : prefixSums(values, counted, frame, n, avg);
    }
    if (!framesStartAtPartition(frame, layout)) return null;
    return runningFloatSums(input.args[0]!.values as ArrayLike<number>, counted, frame, layout, avg);
  }
  if ((name === 'min' || name === 'max') && argType !== undefined && input.args.length === 1) {
    const k = argType.kind;
    const ok =
      isSmallIntegral(argType) ||
      k === 'date' ||
      k === 'bigint' ||
      k === 'timestamp' ||
      k === 'timestamp_ntz' ||
      k === 'time';
    if (!ok || input.type.kind !== k) return null;
    if (!framesMoveForward(frame, layout)) return null;
    return slidingExtreme(input.args[0]!, argType, countedRows(input, n), frame, layout, name === 'max');
  }
  return null;
}

function countFrames(counted: Uint8Array, frame: FrameRanges, n: number): arrow.Data {
  const prefix = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) prefix[i + 1] = prefix[i]! + counted[i]!;
  const out = new BigInt64Array(n);
  for (let i = 0; i < n; i++) {
    const l = frame.lo[i]!;
    const h = frame.hi[i]!;
    out[i] = h > l ? BigInt(prefix[h]! - prefix[l]!) : 0n;
  }
  return makeColumn({ kind: 'bigint' }, out, n, null);
}

function prefixSums(
  values: Float64Array,
  counted: Uint8Array,
  frame: FrameRanges,
  n: number,
  avg: boolean,
  resultType: DataType = { kind: 'bigint' },
  before: FloatRun | null = null,
): arrow.Data | null {
  const sums = new Float64Array(n + 1);
  const counts = new Float64Array(n + 1);
  // Continuing the rows before the run, every frame [0, h) also holds those (sums[0], counts[0]).
  const base = before === null ? 1 : 0;
  if (before !== null) {
    sums[0] = before.sum;
    counts[0] = before.count;
  }
  for (let i = 0; i < n; i++) {
    const s = sums[i]! + (counted[i] === 1 ? values[i]! : 0);
    if (s > SAFE || s < -SAFE) return null;
    sums[i + 1] = s;
    counts[i + 1] = counts[i]! + counted[i]!;
  }
  const valid = new Uint8Array(n);
  if (avg) {
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const l = frame.lo[i]!;
      const h = frame.hi[i]!;
      const c = h > l || base === 0 ? counts[h]! - base * counts[l]! : 0;
      if (c === 0) continue;
      valid[i] = 1;
      out[i] = (sums[h]! - base * sums[l]!) / c;
    }
    return makeColumn({ kind: 'double' }, out, n, valid);
  }
  // BIGINT and DECIMAL(p ≤ 18) hold one 64-bit word per row; wider decimals two (low, then the
  // sign-extended high word).
  const wide = resultType.kind === 'decimal' && resultType.precision > MAX_DECIMAL64_PRECISION;
  const stride = wide ? 2 : 1;
  const out = new BigInt64Array(n * stride);
  for (let i = 0; i < n; i++) {
    const l = frame.lo[i]!;
    const h = frame.hi[i]!;
    const c = h > l || base === 0 ? counts[h]! - base * counts[l]! : 0;
    if (c === 0) continue;
    valid[i] = 1;
    const v = sums[h]! - base * sums[l]!;
    out[i * stride] = BigInt(v);
    if (wide) out[i * stride + 1] = v < 0 ? -1n : 0n;
  }
  return makeColumn(resultType, out, n, valid);
}

/** Running (frame starts at the partition start) floating sums, added in row order. */
function runningFloatSums(
  values: ArrayLike<number>,
  counted: Uint8Array,
  frame: FrameRanges,
  layout: WindowLayout,
  avg: boolean,
  before: FloatRun | null = null,
): arrow.Data {
  const n = layout.numRows;
  const out = new Float64Array(n);
  const valid = new Uint8Array(n);
  const starts = layout.partitionStarts;
  for (let p = 0; p < layout.numPartitions; p++) {
    const s = starts[p]!;
    const e = starts[p + 1]!;
    let next = s; // rows [s, next) are in `sum`
    let sum = p === 0 && before !== null ? before.sum : 0;
    let count = p === 0 && before !== null ? before.count : 0;
    for (let i = s; i < e; i++) {
      const h = frame.hi[i]!;
      // (Continuing from rows before the run, a frame without rows of the run still holds those.)
      if (h <= frame.lo[i]! && before === null) continue;
      for (; next < h; next++) {
        if (counted[next] === 1) {
          sum += values[next]!;
          count++;
        }
      }
      if (count === 0) continue;
      valid[i] = 1;
      out[i] = avg ? sum / count : sum;
    }
  }
  return makeColumn({ kind: 'double' }, out, n, valid);
}

/** min/max over forward-moving frames with a monotonic deque of candidate rows. */
function slidingExtreme(
  data: arrow.Data,
  type: DataType,
  counted: Uint8Array,
  frame: FrameRanges,
  layout: WindowLayout,
  max: boolean,
): arrow.Data {
  const n = layout.numRows;
  const wide =
    type.kind === 'bigint' ||
    type.kind === 'timestamp' ||
    type.kind === 'timestamp_ntz' ||
    type.kind === 'time';
  const narrow = wide ? null : (data.values as ArrayLike<number>);
  const big = wide ? (data.values as BigInt64Array) : null;
  const better = (a: number, b: number): boolean => {
    // true when row a's value beats (or ties) row b's
    if (narrow !== null) return max ? narrow[a]! >= narrow[b]! : narrow[a]! <= narrow[b]!;
    return max ? big![a]! >= big![b]! : big![a]! <= big![b]!;
  };
  const pick = new Int32Array(n).fill(-1);
  const deque = new Int32Array(n);
  const starts = layout.partitionStarts;
  for (let p = 0; p < layout.numPartitions; p++) {
    const s = starts[p]!;
    const e = starts[p + 1]!;
    let head = 0;
    let tail = 0;
    let next = s;
    for (let i = s; i < e; i++) {
      const l = frame.lo[i]!;
      const h = frame.hi[i]!;
      if (h <= l) continue;
      for (; next < h; next++) {
        if (counted[next] === 0) continue;
        while (tail > head && better(next, deque[tail - 1]!)) tail--;
        deque[tail++] = next;
      }
      while (tail > head && deque[head]! < l) head++;
      if (tail > head) pick[i] = deque[head]!;
    }
  }
  const valid = new Uint8Array(n);
  if (big !== null) {
    const out = new BigInt64Array(n);
    for (let i = 0; i < n; i++) {
      const r = pick[i]!;
      if (r < 0) continue;
      valid[i] = 1;
      out[i] = big[r]!;
    }
    return makeColumn(type, out, n, valid);
  }
  const out =
    type.kind === 'tinyint'
      ? new Int8Array(n)
      : type.kind === 'smallint'
        ? new Int16Array(n)
        : new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const r = pick[i]!;
    if (r < 0) continue;
    valid[i] = 1;
    out[i] = narrow![r]!;
  }
  return makeColumn(type, out, n, valid);
}

/** The floating sum (and count) of a partition's rows so far, added one by one in row order. */
export interface FloatRun {
  sum: number;
  count: number;
}

/** Whether `input` is a sum or avg of floating point: running frames add its rows in order. */
export function isFloatSum(input: Pick<FastAggregateInput, 'name' | 'argTypes' | 'type'>): boolean {
  const name = input.name.toLowerCase();
  const t = input.argTypes[0];
  return (
    (name === 'sum' || name === 'avg' || name === 'mean') &&
    input.argTypes.length === 1 &&
    (t?.kind === 'double' || t?.kind === 'float') &&
    input.type.kind === 'double'
  );
}

/**
 * A floating sum/avg (`isFloatSum`) over running frames of a run that is one stretch of a window
 * partition (one partition in `layout`, every frame starting at its first row), continuing the
 * rows before it (`before`) in row order — exactly as over the whole partition at once.
 */
export function continuedFloatSums(
  input: FastAggregateInput,
  frame: FrameRanges,
  layout: WindowLayout,
  before: FloatRun,
): arrow.Data {
  const n = layout.numRows;
  const avg = input.name.toLowerCase() !== 'sum';
  return runningFloatSums(
    input.args[0]!.values as ArrayLike<number>,
    countedRows(input, n),
    frame,
    layout,
    avg,
    before,
  );
}

/** Adds rows `[0, rows)` of `input` (`isFloatSum`) to `run`, in order. */
export function addToFloatRun(input: FastAggregateInput, rows: number, run: FloatRun): void {
  const counted = countedRows(input, rows);
  const values = input.args[0]!.values as ArrayLike<number>;
  for (let i = 0; i < rows; i++) {
    if (counted[i] === 1) {
      run.sum += values[i]!;
      run.count++;
    }
  }
}

/** Whether `input` is a count, or a sum/avg of integers (not decimals), summed exactly as doubles. */
export function isIntegerSum(input: Pick<FastAggregateInput, 'name' | 'argTypes' | 'type'>): boolean {
  const name = input.name.toLowerCase();
  const t = input.argTypes[0];
  if (name === 'count') return input.type.kind === 'bigint' && input.argTypes.length <= 1;
  if (
    (name !== 'sum' && name !== 'avg' && name !== 'mean') ||
    input.argTypes.length !== 1 ||
    t === undefined
  ) {
    return false;
  }
  if (!isSmallIntegral(t) && t.kind !== 'bigint') return false;
  return input.type.kind === (name === 'sum' ? 'bigint' : 'double');
}

/**
 * A count or integer sum/avg (`isIntegerSum`) over the running frames of a run that is one stretch
 * of a window partition, continuing the rows before it (`before`, exact below 2^53); null when a
 * sum leaves ±2^53 (then the general path is exact).
 */
export function continuedIntegerSums(
  input: FastAggregateInput,
  frame: FrameRanges,
  layout: WindowLayout,
  before: FloatRun,
): arrow.Data | null {
  const n = layout.numRows;
  const counted = countedRows(input, n);
  const name = input.name.toLowerCase();
  if (name === 'count') {
    const out = new BigInt64Array(n);
    let c = before.count;
    let next = 0;
    for (let i = 0; i < n; i++) {
      for (const h = frame.hi[i]!; next < h; next++) c += counted[next]!;
      out[i] = BigInt(c);
    }
    return makeColumn({ kind: 'bigint' }, out, n, null);
  }
  const values = numericValues(input.args[0]!, input.argTypes[0]!, counted, n);
  if (values === null) return null;
  return prefixSums(values, counted, frame, n, name !== 'sum', { kind: 'bigint' }, before);
}

/** Adds rows `[0, rows)` of `input` (`isIntegerSum`) to `run`; false once its sum leaves ±2^53. */
export function addToIntegerRun(input: FastAggregateInput, rows: number, run: FloatRun): boolean {
  const counted = countedRows(input, rows);
  const values =
    input.args.length === 0
      ? new Float64Array(rows)
      : numericValues(input.args[0]!, input.argTypes[0]!, counted, rows);
  if (values === null) return false;
  for (let i = 0; i < rows; i++) {
    if (counted[i] === 1) {
      run.sum += values[i]!;
      run.count++;
    }
  }
  return run.sum <= SAFE && run.sum >= -SAFE;
}
