/**
 * One window partition too large for memory, evaluated from its spill file in bounded memory:
 * `WindowExec` writes the partition's rows (sorted by the order keys) to disk, then this reads them
 * back one batch per round, holding a sliding stretch of rows — those not emitted yet, and before
 * them the rows their frames still reach — plus a little state carried forward. Each round
 * evaluates the functions over the stretch with the in-memory code (the stretch laid out as one
 * partition), corrected for what lies outside it, and emits the rows whose frames ended inside it:
 *
 * | function / frame                                  | what it needs                              |
 * |---------------------------------------------------|--------------------------------------------|
 * | row_number, rank, dense_rank                      | carried: rows before, peer start, dense rank |
 * | ntile, percent_rank                               | the partition's row count (the file's)     |
 * | cume_dist, RANGE … CURRENT ROW ends               | rows ahead to the end of the last peer group |
 * | lag/lead(k), ROWS n PRECEDING / FOLLOWING, RANGE  | k / n rows (or keys within n) either side  |
 * | aggregates from UNBOUNDED PRECEDING               | carried accumulator state of the rows before (exact sums for counts, integer and floating sums) |
 * | aggregates over the whole partition               | a first pass over the file: one state      |
 * | aggregates to UNBOUNDED FOLLOWING                 | a first pass: the state of each batch's rows to the end |
 * | first/nth_value from UNBOUNDED PRECEDING          | a first pass: the n-th (non-NULL) row      |
 * | last_value to UNBOUNDED FOLLOWING                 | a first pass: the last (non-NULL) row      |
 * | last_value IGNORE NULLS from UNBOUNDED PRECEDING  | carried: the last non-NULL value before    |
 *
 * A row waits in the stretch until its frame (peer group, lead target, frame end) ends inside it
 * or the partition ends; the stretch keeps behind the first row that the following rows' frames
 * start at (frame bounds never move back as rows advance). Its memory is reserved: a stretch that
 * the budget cannot hold — one peer group, or the rows between a row and its k-th non-NULL
 * neighbour, larger than the budget — fails with 53200 naming the operator.
 *
 * Answers are those of the partition evaluated at once, floating ones to the bit where the
 * in-memory order of additions is fixed: running sums and averages carry their sum and add the
 * rows in order; sliding frames (up to a few batches long) keep stretches aligned so that their
 * segment trees add the same nodes. Suffix frames merge the state of the rows after the stretch,
 * which may round differently.
 *
 * Its spill passes (EXPLAIN ANALYZE) are its reads of the file: 2 when a first pass is needed,
 * else 1.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  assertNever,
  makeBatch,
  makeColumn,
  type DataType,
  type Schema,
} from '../../common/index.ts';
import type { GroupsAccumulator } from '../../functions/index.ts';
import type { WindowFrame } from '../../plan/index.ts';
import type { MemoryReservation, SpillFile, TaskContext } from '../execution-plan.ts';
import { ColumnView } from '../batch/column-view.ts';
import { concatBatches, concatColumns } from '../batch/concat.ts';
import { maskFromBoolean } from '../batch/selection.ts';
import { sliceBatch } from '../batch/slice.ts';
import { take } from '../batch/take.ts';
import {
  addToFloatRun,
  addToIntegerRun,
  computeFrame,
  continuedFloatSums,
  continuedIntegerSums,
  computeLayout,
  evaluateRankingInStretch,
  evaluateWindowAggregate,
  frameKey,
  isFloatSum,
  isIntegerSum,
  ntileBuckets,
  offsetIndices,
  valueIndices,
  type FrameRanges,
  type FloatRun,
  type PartitionStretch,
  type WindowAggregateInput,
  type WindowFunctionSpec,
  type WindowLayout,
} from '../window/index.ts';
import { batchBytes, checkCancelled, evaluateToColumn, schemaTypes } from './exec-support.ts';
import type { SortKey } from './sort-exec.ts';

/** What of `WindowExec` the evaluation reads. */
export interface WindowOperator {
  readonly name: string;
  readonly inputSchema: Schema;
  readonly orderBy: readonly SortKey[];
  readonly functions: readonly WindowFunctionSpec[];
  readonly schema: Schema;
}

/** The rows held: positions `[start, start + run.numRows)` of the partition. */
interface Stretch {
  readonly run: arrow.RecordBatch;
  readonly layout: WindowLayout;
  readonly start: number;
  /** The run ends the partition. */
  readonly atEnd: boolean;
  /** The rows not emitted yet start at run row `a`; once evaluated, those before `b` are emitted. */
  readonly a: number;
  b: number;
  readonly frameOf: (frame: WindowFrame) => FrameRanges;
  readonly position: PartitionStretch;
}

/** One window function evaluated chunk by chunk. */
interface ChunkedFunction {
  /** Reads one batch of the first pass (rows `[offset, offset + numRows)` of the partition). */
  firstPass?(batch: arrow.RecordBatch, offset: number): void;
  /**
   * The function over every row of the run, and how many of the run's first rows have their final
   * value (the others' frames may reach past the run: they are evaluated again with more rows).
   */
  evaluate(s: Stretch): Evaluated;
  /** The first run row that the rows after `s.b` may still need (≤ `s.b`). */
  keep(s: Stretch): number;
  /** Run rows `[0, r)` are about to be dropped. */
  drop?(s: Stretch, r: number): void;
}

interface Evaluated {
  readonly column: arrow.Data;
  readonly ready: number;
}

/** The first `i` with `values[i] >= n` (`values` non-decreasing), else `values.length`. */
function firstReaching(values: Int32Array, n: number): number {
  let lo = 0;
  let hi = values.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (values[mid]! >= n) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}

/** The first `i ≥ from` with `idx[i] < 0`, else `idx.length`. */
function firstMissing(idx: Int32Array, from: number): number {
  for (let i = from; i < idx.length; i++) if (idx[i]! < 0) return i;
  return idx.length;
}

/**
 * Evaluates every function over the spilled partition `file` and yields the input's columns and
 * one column per function, in the partition's row order, at most `ctx.batchSize` rows at a time.
 */
export async function* evaluateSpilledPartition(
  op: WindowOperator,
  file: SpillFile,
  ctx: TaskContext,
  reservation: MemoryReservation,
): AsyncGenerator<arrow.RecordBatch> {
  const size = file.rows;
  if (size === 0) return;
  const chunk = Math.max(1, ctx.batchSize);
  const inputTypes = schemaTypes(op.inputSchema);
  const outTypes = schemaTypes(op.schema);
  const fns = op.functions.map((f) => chunkedFunction(op, f, ctx));
  const firstPass = fns.some((f) => f.firstPass !== undefined);
  ctx.spill?.recordPasses?.(op.name, firstPass ? 2 : 1);

  if (firstPass) {
    reservation.resize(2 * file.maxBatchBytes);
    let offset = 0;
    for await (const batch of file.read()) {
      checkCancelled(ctx);
      for (const f of fns) f.firstPass?.(batch, offset);
      offset += batch.numRows;
    }
  }

  // Holding the rows, and while evaluating their concatenation, the layout and frame bounds
  // (Int32Arrays), and each function's column and gather indices.
  const perRow =
    12 +
    8 *
      new Set(op.functions.map((f) => (f.kind === 'ranking' || f.kind === 'offset' ? '' : frameKey(f.frame))))
        .size +
    12 * fns.length;
  const reader = file.read()[Symbol.asyncIterator]();
  let held: arrow.RecordBatch[] = [];
  let heldBytes = 0;
  let start = 0; // partition position of the first held row
  let end = 0; // one past the last held row
  const hold = (): void => reservation.resize(2 * heldBytes + perRow * (end - start) + file.maxBatchBytes);
  const load = async (): Promise<void> => {
    const r = await reader.next();
    if (r.done === true) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: ${op.name} read ${end} of the ${size} rows of its spill file`,
      );
    }
    held.push(r.value);
    heldBytes += batchBytes(r.value);
    end += r.value.numRows;
    hold();
  };
  let firstPeerStart = 0;
  let firstDense = 1;
  try {
    // Each round reads one more batch, evaluates the held rows, and emits those whose frames
    // ended inside them; the rows their successors still need stay held.
    for (let cs = 0; cs < size;) {
      checkCancelled(ctx);
      if (end < size) await load();
      const run = concatBatches(held, op.inputSchema);
      if (held.length > 1) held = [run];
      const n = run.numRows;
      const s = stretchOf(op, run, start, end === size, cs, size, firstPeerStart, firstDense, ctx);
      const columns: arrow.Data[] = [];
      let ready = n;
      for (const f of fns) {
        const e = f.evaluate(s);
        columns.push(e.column);
        ready = Math.min(ready, e.ready);
      }
      if (end === size) ready = n;
      if (ready <= s.a) continue;
      s.b = ready;
      const out = makeBatch(op.schema, [...run.data.children, ...columns], n);
      for (let i = s.a; i < ready; i += chunk) yield sliceBatch(out, outTypes, i, Math.min(ready, i + chunk));
      cs = start + ready;
      // Keep what the rows after need, and at least the last row emitted (so that peer groups
      // carry over).
      let keep = ready - 1;
      for (const f of fns) keep = Math.min(keep, f.keep(s));
      keep = Math.max(0, keep);
      if (keep > 0) {
        for (const f of fns) f.drop?.(s, keep);
        const { peerStart } = s.layout;
        if (peerStart[keep] !== 0) firstPeerStart = start + peerStart[keep]!;
        for (let i = 1; i <= keep; i++) if (peerStart[i] === i) firstDense++;
        const rest = sliceBatch(run, inputTypes, keep, n);
        held = [rest];
        heldBytes = batchBytes(rest);
        start += keep;
        hold();
      }
    }
    // Read to the end, so that the file is closed now.
    while ((await reader.next()).done !== true);
  } finally {
    await reader.return?.();
    reservation.free();
  }
}

function stretchOf(
  op: WindowOperator,
  run: arrow.RecordBatch,
  start: number,
  atEnd: boolean,
  cs: number,
  size: number,
  firstPeerStart: number,
  firstDense: number,
  ctx: TaskContext,
): Stretch {
  const n = run.numRows;
  const layout = computeLayout(
    [],
    op.orderBy.map((k) => ({
      column: evaluateToColumn(k.expr, run, ctx),
      type: k.expr.type,
      ascending: k.ascending,
      nullsFirst: k.nullsFirst,
    })),
    n,
  );
  const frames = new Map<string, FrameRanges>();
  const frameOf = (frame: WindowFrame): FrameRanges => {
    const key = frameKey(frame);
    let f = frames.get(key);
    if (f === undefined) {
      f = computeFrame(frame, layout, ctx.eval.timeZone);
      frames.set(key, f);
    }
    return f;
  };
  return {
    run,
    layout,
    start,
    atEnd,
    a: cs - start,
    b: cs - start,
    frameOf,
    position: { before: start, size, firstPeerStart, firstDense },
  };
}

/** Whether frames of `frame` start at the partition's first row / end at its last. */
function frameEnds(frame: WindowFrame, ordered: boolean): { fromStart: boolean; toEnd: boolean } {
  // Without ORDER BY every row is a peer of every other: RANGE CURRENT ROW is the partition's edge.
  const peersAll = frame.units === 'range' && !ordered;
  return {
    fromStart: frame.start.kind === 'unbounded_preceding' || (peersAll && frame.start.kind === 'current_row'),
    toEnd: frame.end.kind === 'unbounded_following' || (peersAll && frame.end.kind === 'current_row'),
  };
}

/** A one-row column holding `column`'s row `row`. */
function rowOf(column: arrow.Data, type: DataType, row: number): arrow.Data {
  return take(column, type, Int32Array.of(row), 1);
}

/** `column` gathered at `idx` (−1 = NULL), where `n + k` reads row k of `extra`. */
function gather(column: arrow.Data, extra: arrow.Data | null, type: DataType, idx: Int32Array): arrow.Data {
  const n = idx.length;
  return take(extra === null ? column : concatColumns([column, extra], type), type, idx, n);
}

function chunkedFunction(op: WindowOperator, spec: WindowFunctionSpec, ctx: TaskContext): ChunkedFunction {
  const ordered = op.orderBy.length > 0;
  switch (spec.kind) {
    case 'ranking':
      return {
        evaluate: (s) => {
          const n = s.run.numRows;
          if (spec.name === 'cume_dist' && !ordered) {
            // Without ORDER BY every row is a peer of every other.
            return { column: makeColumn({ kind: 'double' }, new Float64Array(n).fill(1), n, null), ready: n };
          }
          let buckets = 1;
          if (spec.name === 'ntile') {
            const arg = spec.args[0]!;
            buckets = ntileBuckets(evaluateToColumn(arg, s.run, ctx), arg.type);
          }
          const column = evaluateRankingInStretch(spec.name, spec.type, s.layout, buckets, s.position);
          // cume_dist reads the end of the row's peer group: the last group may go on.
          const ready = spec.name === 'cume_dist' ? s.layout.peerStart[n - 1]! : n;
          return { column, ready };
        },
        keep: (s) => s.b,
      };
    case 'offset':
      return chunkedOffset(spec, ctx);
    case 'value':
      return chunkedValue(spec, ordered, ctx);
    case 'aggregate':
      return chunkedAggregate(op, spec, ordered, ctx);
    default:
      return assertNever(spec, 'window function');
  }
}

function chunkedOffset(
  spec: Extract<WindowFunctionSpec, { kind: 'offset' }>,
  ctx: TaskContext,
): ChunkedFunction {
  const type = spec.input.type;
  const delta = spec.name === 'lead' ? spec.offset : -spec.offset;
  return {
    evaluate: (s) => {
      const n = s.run.numRows;
      const input = evaluateToColumn(spec.input, s.run, ctx);
      const idx = offsetIndices(s.layout, new ColumnView(input, type), delta, spec.ignoreNulls);
      // A lead's target not found may lie past the held rows (and then the later rows' too).
      const ready = delta > 0 ? firstMissing(idx, s.a) : n;
      if (spec.default === null) return { column: take(input, type, idx, n), ready };
      for (let i = 0; i < n; i++) if (idx[i]! < 0) idx[i] = n + i;
      return { column: gather(input, evaluateToColumn(spec.default, s.run, ctx), type, idx), ready };
    },
    keep: (s) => {
      if (delta >= 0) return s.b;
      if (!spec.ignoreNulls) return s.b + delta;
      // The rows from the k-th last non-NULL value before the next chunk.
      const view = new ColumnView(evaluateToColumn(spec.input, s.run, ctx), type);
      let seen = 0;
      for (let i = s.b - 1; i >= 0; i--) if (!view.isNull(i) && ++seen === -delta) return i;
      return 0;
    },
  };
}

/** Where the first pass finds the n-th (or last) selected row: partition position and value. */
interface FoundRow {
  position: number;
  value: arrow.Data | null;
}

function chunkedValue(
  spec: Extract<WindowFunctionSpec, { kind: 'value' }>,
  ordered: boolean,
  ctx: TaskContext,
): ChunkedFunction {
  const type = spec.input.type;
  const { fromStart, toEnd } = frameEnds(spec.frame, ordered);
  const last = spec.name === 'last_value';
  const k = spec.name === 'nth_value' ? (spec.n ?? 1) : 1;
  // first/nth_value from the partition's start: its k-th (non-NULL) row; last_value to its end:
  // its last (non-NULL) row. Both found by a first pass over the whole partition.
  const found: FoundRow = { position: -1, value: null };
  let seen = 0;
  const firstPass =
    (fromStart && !last) || (toEnd && last)
      ? (batch: arrow.RecordBatch, offset: number): void => {
          const column = evaluateToColumn(spec.input, batch, ctx);
          const view = new ColumnView(column, type);
          const rows = batch.numRows;
          if (last) {
            for (let i = rows - 1; i >= 0; i--) {
              if (spec.ignoreNulls && view.isNull(i)) continue;
              found.position = offset + i;
              found.value = rowOf(column, type, i);
              return;
            }
            return;
          }
          if (found.position >= 0) return;
          for (let i = 0; i < rows; i++) {
            if (spec.ignoreNulls && view.isNull(i)) continue;
            if (++seen === k) {
              found.position = offset + i;
              found.value = rowOf(column, type, i);
              return;
            }
          }
        }
      : undefined;
  // last_value IGNORE NULLS from the partition's start: the last non-NULL value before the run.
  let before: arrow.Data | null = null;
  const fn: ChunkedFunction = {
    evaluate: (s) => {
      const n = s.run.numRows;
      const frame = s.frameOf(spec.frame);
      // Frames that end (or, to the partition's end, start) at the last held row may reach past it.
      let ready = toEnd ? (fromStart ? n : firstReaching(frame.lo, n)) : firstReaching(frame.hi, n);
      const input = evaluateToColumn(spec.input, s.run, ctx);
      if (firstPass !== undefined) {
        // The row the first pass found, if it lies in the row's frame.
        const idx = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          const lo = fromStart ? 0 : s.start + frame.lo[i]!;
          const hi = toEnd ? s.position.size : s.start + frame.hi[i]!;
          const inFrame =
            found.position >= 0 && hi > lo && (last ? found.position >= lo : found.position < hi);
          idx[i] = inFrame ? n : -1;
        }
        return { column: gather(input, found.value, type, idx), ready };
      }
      const idx = valueIndices(spec.name, k, frame, new ColumnView(input, type), spec.ignoreNulls);
      // Not found in a frame to the partition's end: it may lie past the held rows.
      if (toEnd) ready = firstMissing(idx, s.a);
      if (last && fromStart && spec.ignoreNulls && before !== null) {
        for (let i = 0; i < n; i++) if (idx[i]! < 0) idx[i] = n;
        return { column: gather(input, before, type, idx), ready };
      }
      return { column: take(input, type, idx, n), ready };
    },
    keep: (s) => {
      const frame = s.frameOf(spec.frame);
      if (!fromStart) return Math.min(s.b, frame.lo[s.b - 1]!);
      // From the partition's start: last_value reads the frame's last row.
      return last && !toEnd ? Math.min(s.b, Math.max(0, frame.hi[s.b - 1]! - 1)) : s.b;
    },
  };
  if (firstPass !== undefined) fn.firstPass = firstPass;
  if (last && fromStart && !toEnd && spec.ignoreNulls) {
    fn.drop = (s, r) => {
      const column = evaluateToColumn(spec.input, s.run, ctx);
      const view = new ColumnView(column, type);
      for (let i = r - 1; i >= 0; i--) {
        if (view.isNull(i)) continue;
        before = rowOf(column, type, i);
        return;
      }
    };
  }
  return fn;
}

function chunkedAggregate(
  op: WindowOperator,
  spec: Extract<WindowFunctionSpec, { kind: 'aggregate' }>,
  ordered: boolean,
  ctx: TaskContext,
): ChunkedFunction {
  const { fromStart, toEnd } = frameEnds(spec.frame, ordered);
  const argsOf = (batch: arrow.RecordBatch): arrow.Data[] =>
    spec.args.map((a) => evaluateToColumn(a, batch, ctx));
  const filterOf = (batch: arrow.RecordBatch): Uint8Array | null =>
    spec.filter === null ? null : maskFromBoolean(evaluateToColumn(spec.filter, batch, ctx));
  /** One accumulator, one group, fed rows in order. */
  const single = (): { acc: GroupsAccumulator; add: (batch: arrow.RecordBatch) => void } => {
    // Asked for its state or value only after it was fed rows.
    const acc = spec.createAccumulator(ctx.eval);
    return {
      acc,
      add: (batch) => {
        const rows = batch.numRows;
        if (rows > 0) acc.update(argsOf(batch), new Int32Array(rows), 1, rows, filterOf(batch));
      },
    };
  };
  if (toEnd && fromStart) {
    // The whole partition: one state from the first pass, every row takes its value.
    const total = single();
    let value: arrow.Data | null = null;
    return {
      firstPass: (batch) => total.add(batch),
      evaluate: (s) => {
        value ??= total.acc.evaluate();
        const n = s.run.numRows;
        return { column: take(value, spec.type, new Int32Array(n), n), ready: n };
      },
      keep: (s) => s.b,
    };
  }
  // To the partition's end: the state of the rows after the run. Held rows always end at a batch
  // of the file, so the first pass keeps the state of every batch's rows to the end.
  const batchStarts: number[] = [];
  let batchStates: GroupsAccumulator | null = null;
  const suffixes: arrow.Data[][] = [];
  const suffixAt = (end: number): arrow.Data[] => {
    if (suffixes.length === 0) {
      // Merged from the last batch back: suffixes[j] is the state of batches j…last.
      const states = batchStates!.state();
      const types = batchStates!.stateTypes;
      const running = spec.createAccumulator(ctx.eval);
      const one = new Int32Array(1);
      for (let j = batchStarts.length - 1; j >= 0; j--) {
        running.merge(
          states.map((c, k) => take(c, types[k]!, Int32Array.of(j), 1)),
          one,
          1,
          1,
        );
        suffixes[j] = running.state();
      }
    }
    const j = batchStarts.indexOf(end);
    if (j < 0) {
      throw new EngineError(SqlState.internalError, `internal error: ${op.name} holds rows up to ${end}`);
    }
    return suffixes[j]!;
  };
  const inputOf = (batch: arrow.RecordBatch): WindowAggregateInput => ({
    name: spec.name,
    create: () => spec.createAccumulator(ctx.eval),
    args: argsOf(batch),
    argTypes: spec.args.map((a) => a.type),
    filter: filterOf(batch),
    type: spec.type,
  });
  // From the partition's start: the state of the rows before the run, carried forward — for a
  // floating sum or avg their sum, added in row order as over the whole partition at once.
  const floatRun: FloatRun | null =
    fromStart && isFloatSum({ name: spec.name, argTypes: spec.args.map((a) => a.type), type: spec.type })
      ? { sum: 0, count: 0 }
      : null;
  // …for a count or integer sum or avg, also their exact sum while it stays below 2^53 (the
  // general path merging the carried state takes over beyond).
  let intRun: FloatRun | null =
    fromStart && isIntegerSum({ name: spec.name, argTypes: spec.args.map((a) => a.type), type: spec.type })
      ? { sum: 0, count: 0 }
      : null;
  const carried = fromStart && floatRun === null ? single() : null;
  const floating = spec.type.kind === 'double' || spec.type.kind === 'float';
  const fn: ChunkedFunction = {
    evaluate: (s) => {
      const frame = s.frameOf(spec.frame);
      const n = s.run.numRows;
      const input = inputOf(s.run);
      let outside: arrow.Data[] | null = null;
      if (floatRun !== null && s.start > 0) {
        return {
          column: continuedFloatSums(input, frame, s.layout, floatRun),
          ready: firstReaching(frame.hi, n),
        };
      }
      if (intRun !== null && s.start > 0) {
        const column = continuedIntegerSums(input, frame, s.layout, intRun);
        if (column !== null) return { column, ready: firstReaching(frame.hi, n) };
      }
      if (carried !== null && s.start > 0) outside = carried.acc.state();
      if (toEnd && !s.atEnd) outside = suffixAt(s.start + n);
      const column = evaluateWindowAggregate(input, frame, s.layout, outside);
      // Frames that end (or, to the partition's end, start) at the last held row may reach past it.
      return { column, ready: firstReaching(toEnd ? frame.lo : frame.hi, n) };
    },
    keep: (s) => {
      const frame = s.frameOf(spec.frame);
      const keep = Math.min(s.b, fromStart ? frame.hi[s.b - 1]! : frame.lo[s.b - 1]!);
      if (fromStart || toEnd || !floating) return keep;
      // A floating aggregate over sliding frames adds the states of segment tree nodes, aligned on
      // row positions: runs that start at a multiple of the tree's widest node add the same nodes
      // in the same order as one run over the whole partition, so round to the same bits.
      let maxLen = 0;
      for (let i = 0; i < frame.lo.length; i++) maxLen = Math.max(maxLen, frame.hi[i]! - frame.lo[i]!);
      let width = 2;
      while (width <= maxLen) width *= 2;
      // (Frames far longer than a batch: the rows are not held for that.)
      if (width > 4 * Math.max(1, ctx.batchSize)) return keep;
      return Math.max(0, Math.floor((s.start + keep) / width) * width - s.start);
    },
  };
  if (toEnd) {
    fn.firstPass = (batch, offset) => {
      batchStates ??= spec.createAccumulator(ctx.eval);
      const rows = batch.numRows;
      const group = batchStarts.length;
      batchStarts.push(offset);
      batchStates.update(argsOf(batch), new Int32Array(rows).fill(group), group + 1, rows, filterOf(batch));
    };
  }
  if (floatRun !== null) fn.drop = (s, r) => addToFloatRun(inputOf(s.run), r, floatRun);
  if (carried !== null) {
    fn.drop = (s, r) => {
      const dropped = sliceBatch(s.run, schemaTypes(op.inputSchema), 0, r);
      carried.add(dropped);
      if (intRun !== null && !addToIntegerRun(inputOf(dropped), r, intRun)) intRun = null;
    };
  }
  return fn;
}
