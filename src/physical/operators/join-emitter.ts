/**
 * The part of a join that does not depend on how candidate pairs are found (hash table or nested
 * loop): evaluating the residual condition on candidate pairs, tracking which probe and build rows
 * matched, and producing the output rows of every join type.
 *
 * One side is the build side (all its rows in one batch, kept for the whole join); the other side's
 * batches are probed one at a time. Candidate pairs arrive in chunks (probe row index, build row
 * index); a pair matches when the condition is TRUE (no condition = every candidate matches).
 *
 * Per join type:
 * - inner/left/right/full: matching pairs as left ++ right; unmatched rows of a preserved side with
 *   NULLs on the other side — after each probe batch for the probe side, at the end for the build side.
 * - left_semi / left_anti / left_mark: one decision per left row. mark is TRUE when a pair matched,
 *   else NULL when some comparison was unknown (the row's key is NULL and the other side is not
 *   empty, the other side has a NULL key, or the condition was NULL for a candidate), else FALSE.
 *   semi keeps TRUE, anti keeps "not TRUE", null-aware anti (NOT IN) keeps FALSE.
 *   (With several keys, "the other side has a NULL key" is judged per side, not per row pair, so a
 *   mark may be NULL where comparing the full rows would prove FALSE.)
 */
import type * as arrow from 'apache-arrow';
import { columnFromValues, makeBatch, makeColumn, type DataType, type Schema } from '../../common/index.ts';
import type { PhysicalExpr, TaskContext } from '../execution-plan.ts';
import { maskFromBoolean, nullMaskOf } from '../batch/selection.ts';
import { sliceColumn } from '../batch/slice.ts';
import { take } from '../batch/take.ts';
import { evaluateToColumn } from './exec-support.ts';

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'left_semi' | 'left_anti' | 'left_mark';

export interface JoinEmitterOptions {
  readonly joinType: JoinType;
  readonly buildIsLeft: boolean;
  readonly condition: PhysicalExpr | null;
  readonly leftSchema: Schema;
  readonly rightSchema: Schema;
  readonly schema: Schema;
  readonly nullAware: boolean;
  readonly build: arrow.RecordBatch;
  /** Build rows whose key has a NULL that can never match (null when none). */
  readonly buildKeyNull: Uint8Array | null;
  readonly ctx: TaskContext;
  /**
   * The whole build (probe) side when `build` (the probed batches) is only a part of it: one spill
   * partition of a join over its memory budget. A NULL key's answer in a semi/anti/mark join
   * depends on whether the other side is empty or has a NULL key anywhere, not just in the part.
   * `hasNullKey` counts only NULLs that make an answer unknown (see `buildKeyNull`).
   */
  readonly wholeBuild?: SideTotals;
  readonly wholeProbe?: SideTotals;
}

/** What the semi/anti/mark answers need to know of a whole side: its rows and whether a key is NULL. */
export interface SideTotals {
  readonly rows: number;
  readonly hasNullKey: boolean;
}

const BOOL: DataType = { kind: 'boolean' };

export class JoinEmitter {
  private readonly o: JoinEmitterOptions;
  private readonly joinedSchema: Schema;
  private readonly leftTypes: DataType[];
  private readonly rightTypes: DataType[];
  private readonly buildMatched: Uint8Array;
  private readonly buildUnknown: Uint8Array;
  private readonly buildHasNullKey: boolean;
  private probeRows = 0;
  private probeHasNullKey = false;
  readonly probeIsPreserved: boolean;
  readonly buildIsPreserved: boolean;
  readonly decidesPerLeftRow: boolean;
  /** Whether anything reads which probe (build) rows matched; inner joins skip the bookkeeping. */
  private readonly tracksProbe: boolean;
  private readonly tracksBuild: boolean;

  constructor(options: JoinEmitterOptions) {
    this.o = options;
    this.joinedSchema = { fields: [...options.leftSchema.fields, ...options.rightSchema.fields] };
    this.leftTypes = options.leftSchema.fields.map((f) => f.type);
    this.rightTypes = options.rightSchema.fields.map((f) => f.type);
    const nb = options.build.numRows;
    this.buildMatched = new Uint8Array(nb);
    this.buildUnknown = new Uint8Array(nb);
    let hasNull = false;
    if (options.buildKeyNull !== null)
      for (let i = 0; i < nb && !hasNull; i++) hasNull = options.buildKeyNull[i] === 1;
    this.buildHasNullKey = options.wholeBuild?.hasNullKey ?? hasNull;
    const t = options.joinType;
    const leftPreserved = t === 'left' || t === 'full';
    const rightPreserved = t === 'right' || t === 'full';
    this.buildIsPreserved = options.buildIsLeft ? leftPreserved : rightPreserved;
    this.probeIsPreserved = options.buildIsLeft ? rightPreserved : leftPreserved;
    this.decidesPerLeftRow = t === 'left_semi' || t === 'left_anti' || t === 'left_mark';
    this.tracksProbe = this.probeIsPreserved || (this.decidesPerLeftRow && !options.buildIsLeft);
    this.tracksBuild = this.buildIsPreserved || (this.decidesPerLeftRow && options.buildIsLeft);
  }

  /** True when the build side must emit rows after all probing (so the join has one partition). */
  static emitsAtEnd(joinType: JoinType, buildIsLeft: boolean): boolean {
    if (joinType === 'full') return true;
    if (buildIsLeft) return joinType !== 'inner' && joinType !== 'right';
    return joinType === 'right';
  }

  /** Rows of left ++ right for the given index pairs (-1 = NULL row). */
  private joined(
    probe: arrow.RecordBatch,
    probeIdx: Int32Array,
    buildIdx: Int32Array,
    count: number,
    schema: Schema,
  ): arrow.RecordBatch {
    const { buildIsLeft, build } = this.o;
    const left = buildIsLeft ? build : probe;
    const right = buildIsLeft ? probe : build;
    const li = buildIsLeft ? buildIdx : probeIdx;
    const ri = buildIsLeft ? probeIdx : buildIdx;
    const cols: arrow.Data[] = [];
    gather(left, this.leftTypes, li, count, cols);
    gather(right, this.rightTypes, ri, count, cols);
    return makeBatch(schema, cols, count);
  }

  /** Handles one chunk of candidate pairs of probe batch `probe`. */
  *candidates(
    probe: arrow.RecordBatch,
    probeIdx: Int32Array,
    buildIdx: Int32Array,
    count: number,
    probeMatched: Uint8Array,
    probeUnknown: Uint8Array,
  ): Generator<arrow.RecordBatch> {
    if (count === 0) return;
    const t = this.o.joinType;
    const emitsPairs = !this.decidesPerLeftRow;
    const cond = this.o.condition;
    if (cond === null) {
      if (this.tracksProbe) for (let k = 0; k < count; k++) probeMatched[probeIdx[k]!] = 1;
      if (this.tracksBuild) {
        const buildMatched = this.buildMatched;
        for (let k = 0; k < count; k++) buildMatched[buildIdx[k]!] = 1;
      }
      if (emitsPairs) yield this.joined(probe, probeIdx, buildIdx, count, this.o.schema);
      return;
    }
    const joined = this.joined(probe, probeIdx, buildIdx, count, this.joinedSchema);
    const result = evaluateToColumn(cond, joined, this.o.ctx);
    const pass = maskFromBoolean(result);
    const unknown = t === 'left_mark' || (t === 'left_anti' && this.o.nullAware) ? nullMaskOf(result) : null;
    let passed = 0;
    for (let k = 0; k < count; k++) {
      if (pass[k] === 1) {
        passed++;
        probeMatched[probeIdx[k]!] = 1;
        this.buildMatched[buildIdx[k]!] = 1;
      } else if (unknown !== null && unknown[k] === 1) {
        probeUnknown[probeIdx[k]!] = 1;
        this.buildUnknown[buildIdx[k]!] = 1;
      }
    }
    if (!emitsPairs || passed === 0) return;
    if (passed === count) {
      yield makeBatch(this.o.schema, joined.data.children, count);
      return;
    }
    const pi = new Int32Array(passed);
    const bi = new Int32Array(passed);
    let j = 0;
    for (let k = 0; k < count; k++) {
      if (pass[k] === 1) {
        pi[j] = probeIdx[k]!;
        bi[j++] = buildIdx[k]!;
      }
    }
    yield this.joined(probe, pi, bi, passed, this.o.schema);
  }

  /** After every candidate of `probe` was handled: its unmatched rows or its semi/anti/mark rows. */
  *finishProbe(
    probe: arrow.RecordBatch,
    probeMatched: Uint8Array,
    probeUnknown: Uint8Array,
    probeKeyNull: Uint8Array | null,
  ): Generator<arrow.RecordBatch> {
    const n = probe.numRows;
    this.probeRows += n;
    if (probeKeyNull !== null && !this.probeHasNullKey) {
      for (let i = 0; i < n; i++) if (probeKeyNull[i] === 1) this.probeHasNullKey = true;
    }
    if (this.probeIsPreserved) {
      yield* this.unmatched(probe, probeMatched, n, true);
    } else if (this.decidesPerLeftRow && !this.o.buildIsLeft) {
      yield* this.decide(
        probe,
        n,
        probeMatched,
        probeUnknown,
        probeKeyNull,
        this.o.wholeBuild?.rows ?? this.o.build.numRows,
        this.buildHasNullKey,
      );
    }
  }

  /** After all probing: unmatched build rows or the build side's semi/anti/mark rows. */
  *finishBuild(): Generator<arrow.RecordBatch> {
    const build = this.o.build;
    if (this.buildIsPreserved) yield* this.unmatched(build, this.buildMatched, build.numRows, false);
    else if (this.decidesPerLeftRow && this.o.buildIsLeft) {
      yield* this.decide(
        build,
        build.numRows,
        this.buildMatched,
        this.buildUnknown,
        this.o.buildKeyNull,
        this.o.wholeProbe?.rows ?? this.probeRows,
        this.o.wholeProbe?.hasNullKey ?? this.probeHasNullKey,
      );
    }
  }

  private *unmatched(
    side: arrow.RecordBatch,
    matched: Uint8Array,
    n: number,
    isProbe: boolean,
  ): Generator<arrow.RecordBatch> {
    const size = Math.max(1, this.o.ctx.batchSize);
    let rows = new Int32Array(Math.min(size, n));
    let count = 0;
    for (let i = 0; i < n; i++) {
      if (matched[i] === 1) continue;
      rows[count++] = i;
      if (count === size) {
        yield this.withNullSide(side, rows, count, isProbe);
        rows = new Int32Array(size);
        count = 0;
      }
    }
    if (count > 0) yield this.withNullSide(side, rows, count, isProbe);
  }

  private withNullSide(
    side: arrow.RecordBatch,
    rows: Int32Array,
    count: number,
    isProbe: boolean,
  ): arrow.RecordBatch {
    const none = new Int32Array(count).fill(-1);
    return isProbe
      ? this.joined(side, rows, none, count, this.o.schema)
      : this.joined(this.emptyProbe(), none, rows, count, this.o.schema);
  }

  private emptyProbe(): arrow.RecordBatch {
    const s = this.o.buildIsLeft ? this.o.rightSchema : this.o.leftSchema;
    return makeBatch(
      s,
      s.fields.map((f) => columnFromValues(f.type, [])),
      0,
    );
  }

  /** The semi/anti/mark output for the left rows in `left`. */
  private *decide(
    left: arrow.RecordBatch,
    n: number,
    matched: Uint8Array,
    unknown: Uint8Array,
    keyNull: Uint8Array | null,
    otherRows: number,
    otherHasNullKey: boolean,
  ): Generator<arrow.RecordBatch> {
    // 1 = TRUE, 0 = FALSE, 2 = NULL
    const mark = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (matched[i] === 1) mark[i] = 1;
      else if (keyNull !== null && keyNull[i] === 1) mark[i] = otherRows > 0 ? 2 : 0;
      else if (unknown[i] === 1 || otherHasNullKey) mark[i] = 2;
    }
    const t = this.o.joinType;
    const size = Math.max(1, this.o.ctx.batchSize);
    if (t === 'left_mark') {
      for (let start = 0; start < n; start += size) {
        const end = Math.min(n, start + size);
        const idx = new Int32Array(end - start);
        const bits = new Uint8Array(end - start);
        const valid = new Uint8Array(end - start);
        for (let k = 0; k < idx.length; k++) {
          idx[k] = start + k;
          const m = mark[start + k]!;
          bits[k] = m === 1 ? 1 : 0;
          valid[k] = m === 2 ? 0 : 1;
        }
        const cols = left.data.children.map((c, i) => take(c, this.leftTypes[i]!, idx, idx.length));
        cols.push(makeColumn(BOOL, bits, idx.length, valid));
        yield makeBatch(this.o.schema, cols, idx.length);
      }
      return;
    }
    const keep = t === 'left_semi' ? 1 : 0;
    const strict = t === 'left_anti' && this.o.nullAware;
    let idx = new Int32Array(Math.min(size, n));
    let count = 0;
    for (let i = 0; i < n; i++) {
      const m = mark[i]!;
      const ok = keep === 1 ? m === 1 : strict ? m === 0 : m !== 1;
      if (!ok) continue;
      idx[count++] = i;
      if (count === size) {
        yield makeBatch(
          this.o.schema,
          left.data.children.map((c, j) => take(c, this.leftTypes[j]!, idx, count)),
          count,
        );
        idx = new Int32Array(size);
        count = 0;
      }
    }
    if (count > 0) {
      yield makeBatch(
        this.o.schema,
        left.data.children.map((c, j) => take(c, this.leftTypes[j]!, idx, count)),
        count,
      );
    }
  }
}

/**
 * Appends rows `indices[0..count)` of every column of `batch` to `out`: a zero-copy slice when the
 * indices are a run of consecutive rows (a probe batch whose rows each match once, the common case
 * of a foreign-key join), a gather otherwise.
 */
function gather(
  batch: arrow.RecordBatch,
  types: readonly DataType[],
  indices: Int32Array,
  count: number,
  out: arrow.Data[],
): void {
  const first = indices[0]!;
  let run = first >= 0 && first + count <= batch.numRows;
  for (let k = 1; run && k < count; k++) run = indices[k] === first + k;
  for (let i = 0; i < batch.numCols; i++) {
    const column = batch.data.children[i]!;
    out.push(
      run
        ? count === batch.numRows
          ? column
          : sliceColumn(column, types[i]!, first, first + count)
        : take(column, types[i]!, indices, count),
    );
  }
}
