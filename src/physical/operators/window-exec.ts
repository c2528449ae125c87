/**
 * WindowExec: evaluates window functions over input sorted by (partition keys, order keys) and
 * appends one column per function to the input's columns, keeping the input's row order.
 *
 * ```ts
 * new WindowExec({
 *   input,        // sorted by partitionBy (any direction, NULLs together) then orderBy, e.g. a
 *                 // SortExec by (partition keys ASC NULLS FIRST, order keys); with several input
 *                 // partitions, each must hold whole window partitions (output partition p = input p)
 *   partitionBy,  // PhysicalExpr[] (may be empty: the whole input is one window partition)
 *   orderBy,      // SortKey[] = { expr, ascending, nullsFirst }[] (may be empty: all rows are peers)
 *   functions,    // WindowFunctionSpec[] (src/physical/window/window-function-spec.ts):
 *   //  { kind: 'ranking'; name: 'row_number'|'rank'|'dense_rank'|'percent_rank'|'cume_dist'|'ntile';
 *   //    args: PhysicalExpr[] (ntile: [bucket count constant], others: []); type: int|bigint or double }
 *   //  { kind: 'offset'; name: 'lag'|'lead'; input; offset: number; default: PhysicalExpr|null;
 *   //    ignoreNulls; type }                 — `default` must have the type of `input`
 *   //  { kind: 'value'; name: 'first_value'|'last_value'|'nth_value'; input; n?: number (nth_value);
 *   //    ignoreNulls; frame: WindowFrame; type }
 *   //  { kind: 'aggregate'; name; args; createAccumulator: (ctx: EvalContext) => GroupsAccumulator;
 *   //    distinct: false; filter: PhysicalExpr|null; frame: WindowFrame; type }
 *   schema,       // input fields ++ one field per function
 * })
 * ```
 *
 * `frame` is the logical `WindowFrame` (src/plan) with literal offsets: an integer row count for
 * ROWS; for RANGE a number/bigint in the order key's representation (decimal offsets are rescaled
 * from the literal's type to the key's scale; dates take a day count).
 *
 * Buffering: rows are buffered one run of whole window partitions at a time — when a batch
 * contains a partition boundary, every row before its last boundary is evaluated and emitted, the
 * rest waits for the next batch. Without PARTITION BY the whole input is one run. Output batches
 * hold at most `ctx.batchSize` rows.
 *
 * Spill: when the memory budget refuses room for the open window partition's rows and the task can
 * spill (`ctx.spill`), that partition's rows — those held and the input's until the partition
 * ends — are written to a spill file and evaluated from it a chunk at a time in bounded memory
 * (spilled-window-partition.ts); the file is removed however the evaluation ends. Without spill
 * space, a refused reservation fails with 53200. See src/physical/window/aggregate-window.ts for how frames
 * are aggregated (whole-partition: one pass; otherwise a segment tree of accumulator states).
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, assertNever, makeBatch, type Schema } from '../../common/index.ts';
import type { WindowFrame } from '../../plan/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { exprSpec, sortKeySpec, windowFunctionSpec, type OperatorSpec } from '../plan-spec.ts';
import { ColumnView } from '../batch/column-view.ts';
import { concatBatches, concatColumns } from '../batch/concat.ts';
import { rowsEqual } from '../batch/key-equality.ts';
import { maskFromBoolean } from '../batch/selection.ts';
import { sliceBatch } from '../batch/slice.ts';
import { take } from '../batch/take.ts';
import {
  computeFrame,
  computeLayout,
  evaluateRanking,
  evaluateWindowAggregate,
  explainFrame,
  frameKey,
  ntileBuckets,
  offsetIndices,
  valueIndices,
  type FrameRanges,
  type WindowFunctionSpec,
  type WindowLayout,
} from '../window/index.ts';
import { batchBytes, checkCancelled, checkPartition, evaluateToColumn, schemaTypes } from './exec-support.ts';
import type { SortKey } from './sort-exec.ts';
import { evaluateSpilledPartition } from './spilled-window-partition.ts';

export type { WindowFunctionSpec } from '../window/index.ts';

export interface WindowExecOptions {
  readonly input: ExecutionPlan;
  readonly partitionBy: readonly PhysicalExpr[];
  readonly orderBy: readonly SortKey[];
  readonly functions: readonly WindowFunctionSpec[];
  readonly schema: Schema;
}

export class WindowExec implements ExecutionPlan {
  readonly name = 'WindowExec';
  readonly input: ExecutionPlan;
  readonly partitionBy: readonly PhysicalExpr[];
  readonly orderBy: readonly SortKey[];
  readonly functions: readonly WindowFunctionSpec[];
  readonly schema: Schema;

  constructor(options: WindowExecOptions) {
    this.input = options.input;
    this.partitionBy = options.partitionBy;
    this.orderBy = options.orderBy;
    this.functions = options.functions;
    this.schema = options.schema;
    const expected = this.input.schema.fields.length + this.functions.length;
    if (this.schema.fields.length !== expected) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: WindowExec schema has ${this.schema.fields.length} fields, expected ${expected}`,
      );
    }
    for (const f of this.functions) validate(f, this.orderBy.length);
  }

  get outputPartitions(): number {
    return this.input.outputPartitions;
  }

  /** Whole window partitions in one partition: hashed on the PARTITION BY keys, or all in one. */
  get requiredInputDistribution(): readonly Distribution[] {
    return [this.partitionBy.length === 0 ? { kind: 'single' } : { kind: 'hash', keys: this.partitionBy }];
  }

  /** The input's columns come first and unchanged, so its partitioning holds. */
  get partitioning(): Partitioning {
    return this.input.partitioning;
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new WindowExec({ ...this, input: children[0]! });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    const types = schemaTypes(this.input.schema);
    // The buffered run of whole window partitions (the rows of the open one, once evaluated).
    let pending: arrow.RecordBatch[] = [];
    const reservation = ctx.memory.reserve(this.name);
    const input = this.input.execute(partition, ctx)[Symbol.asyncIterator]();
    // The partition keys of the last row seen, to tell where the next batch's rows belong.
    let lastKeys: ColumnView[] | null = null;
    let lastRow = 0;
    // Rows read past the end of a spilled partition, handled next.
    let stash: arrow.RecordBatch | null = null;
    const keysOf = (batch: arrow.RecordBatch): ColumnView[] =>
      this.partitionBy.map((e) => new ColumnView(evaluateToColumn(e, batch, ctx), e.type));
    /** The rows of the open partition, to spill: those held, then the input's up to its end. */
    const openPartition = async function* (): AsyncGenerator<arrow.RecordBatch> {
      yield* pending;
      pending = [];
      for (;;) {
        const r = await input.next();
        if (r.done === true) return;
        const batch = r.value;
        const n = batch.numRows;
        checkCancelled(ctx);
        if (n === 0) continue;
        const keys = keysOf(batch);
        let first = -1;
        if (lastKeys !== null && keys.length > 0) {
          if (!rowsEqual(keys, 0, lastKeys, lastRow)) first = 0;
          else for (let i = 1; i < n && first < 0; i++) if (!rowsEqual(keys, i, keys, i - 1)) first = i;
        }
        if (first < 0) {
          lastKeys = keys;
          lastRow = n - 1;
          yield batch;
          continue;
        }
        if (first > 0) {
          yield sliceBatch(batch, types, 0, first);
          lastKeys = keys;
          lastRow = first - 1;
        }
        stash = first > 0 ? sliceBatch(batch, types, first, n) : batch;
        return;
      }
    };
    try {
      for (;;) {
        let batch: arrow.RecordBatch;
        if (stash !== null) {
          batch = stash;
          stash = null;
        } else {
          const r = await input.next();
          if (r.done === true) break;
          batch = r.value;
        }
        checkCancelled(ctx);
        const n = batch.numRows;
        if (n === 0) continue;
        // The last partition start in this batch (0 when the batch starts a new partition).
        let cut = -1;
        if (this.partitionBy.length > 0) {
          const keys = keysOf(batch);
          for (let i = n - 1; i >= 1; i--) {
            if (!rowsEqual(keys, i, keys, i - 1)) {
              cut = i;
              break;
            }
          }
          if (cut < 0 && lastKeys !== null && !rowsEqual(keys, 0, lastKeys, lastRow)) cut = 0;
          lastKeys = keys;
          lastRow = n - 1;
        }
        let tail = batch;
        if (cut >= 0) {
          if (cut > 0) pending.push(sliceBatch(batch, types, 0, cut));
          if (pending.length > 0) yield* this.evaluateRun(pending, ctx);
          pending = [];
          reservation.free();
          if (cut > 0) tail = sliceBatch(batch, types, cut, n);
        }
        if (reservation.tryGrow(batchBytes(tail))) {
          pending.push(tail);
          continue;
        }
        if (ctx.spill === undefined) reservation.grow(batchBytes(tail));
        // The open window partition does not fit: write it to disk (its rows so far, and the
        // input's until it ends) and evaluate it from there a stretch at a time.
        pending.push(tail);
        reservation.free();
        const file = await ctx.spill!.write(this.name, this.input.schema, openPartition());
        try {
          yield* evaluateSpilledPartition(this, file, ctx, reservation);
        } finally {
          file.remove();
        }
      }
      if (pending.length > 0) yield* this.evaluateRun(pending, ctx);
    } finally {
      reservation.free();
      await input.return?.();
    }
  }

  /** The input's schema (for evaluating a spilled partition). */
  get inputSchema(): Schema {
    return this.input.schema;
  }

  /** Evaluates every function over a run of whole window partitions and emits it in slices. */
  private *evaluateRun(
    batches: readonly arrow.RecordBatch[],
    ctx: TaskContext,
  ): Generator<arrow.RecordBatch> {
    checkCancelled(ctx);
    const run = concatBatches(batches, this.input.schema);
    const n = run.numRows;
    if (n === 0) return;
    const layout = computeLayout(
      this.partitionBy.map((e) => ({ column: evaluateToColumn(e, run, ctx), type: e.type })),
      this.orderBy.map((k) => ({
        column: evaluateToColumn(k.expr, run, ctx),
        type: k.expr.type,
        ascending: k.ascending,
        nullsFirst: k.nullsFirst,
      })),
      n,
    );
    const frames = new Map<string, FrameRanges>();
    const frameOf = (spec: { readonly frame: WindowFrame }): FrameRanges => {
      const key = frameKey(spec.frame);
      let f = frames.get(key);
      if (f === undefined) {
        f = computeFrame(spec.frame, layout, ctx.eval.timeZone);
        frames.set(key, f);
      }
      return f;
    };
    const columns = [...run.data.children];
    for (const spec of this.functions) {
      columns.push(this.evaluateFunction(spec, run, layout, frameOf, ctx));
    }
    const out = makeBatch(this.schema, columns, n);
    const size = Math.max(1, ctx.batchSize);
    if (n <= size) {
      yield out;
      return;
    }
    const outTypes = schemaTypes(this.schema);
    for (let start = 0; start < n; start += size) {
      checkCancelled(ctx);
      yield sliceBatch(out, outTypes, start, Math.min(n, start + size));
    }
  }

  private evaluateFunction(
    spec: WindowFunctionSpec,
    run: arrow.RecordBatch,
    layout: WindowLayout,
    frameOf: (spec: { readonly frame: WindowFrame }) => FrameRanges,
    ctx: TaskContext,
  ): arrow.Data {
    const n = layout.numRows;
    switch (spec.kind) {
      case 'ranking': {
        let buckets = 1;
        if (spec.name === 'ntile') {
          const arg = spec.args[0]!;
          buckets = ntileBuckets(evaluateToColumn(arg, run, ctx), arg.type);
        }
        return evaluateRanking(spec.name, spec.type, layout, buckets);
      }
      case 'offset': {
        const type = spec.input.type;
        const input = evaluateToColumn(spec.input, run, ctx);
        const delta = spec.name === 'lead' ? spec.offset : -spec.offset;
        const idx = offsetIndices(layout, new ColumnView(input, type), delta, spec.ignoreNulls);
        if (spec.default === null) return take(input, type, idx, n);
        const withDefault = concatColumns([input, evaluateToColumn(spec.default, run, ctx)], type);
        for (let i = 0; i < n; i++) if (idx[i]! < 0) idx[i] = n + i;
        return take(withDefault, type, idx, n);
      }
      case 'value': {
        const type = spec.input.type;
        const input = evaluateToColumn(spec.input, run, ctx);
        const idx = valueIndices(
          spec.name,
          spec.n ?? 1,
          frameOf(spec),
          new ColumnView(input, type),
          spec.ignoreNulls,
        );
        return take(input, type, idx, n);
      }
      case 'aggregate': {
        const filter = spec.filter === null ? null : maskFromBoolean(evaluateToColumn(spec.filter, run, ctx));
        return evaluateWindowAggregate(
          {
            name: spec.name,
            create: () => spec.createAccumulator(ctx.eval),
            args: spec.args.map((a) => evaluateToColumn(a, run, ctx)),
            argTypes: spec.args.map((a) => a.type),
            filter,
            type: spec.type,
          },
          frameOf(spec),
          layout,
        );
      }
      default:
        return assertNever(spec, 'window function');
    }
  }

  explain(): string {
    const order = this.orderBy.map(
      (k) => `${k.expr.toString()} ${k.ascending ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`,
    );
    const base = this.input.schema.fields.length;
    const fns = this.functions.map((f, i) => `${this.schema.fields[base + i]!.name}: ${describe(f)}`);
    return (
      `WindowExec: partition_by=[${this.partitionBy.map((e) => e.toString()).join(', ')}], ` +
      `order_by=[${order.join(', ')}], functions=[${fns.join(', ')}]`
    );
  }

  spec(): OperatorSpec {
    return {
      kind: 'Window',
      partitionBy: this.partitionBy.map(exprSpec),
      orderBy: this.orderBy.map(sortKeySpec),
      functions: this.functions.map(windowFunctionSpec),
      schema: this.schema,
    };
  }
}

function describe(f: WindowFunctionSpec): string {
  switch (f.kind) {
    case 'ranking':
      return `${f.name}(${f.args.map((a) => a.toString()).join(', ')})`;
    case 'offset': {
      const args = [f.input.toString(), String(f.offset)];
      if (f.default !== null) args.push(f.default.toString());
      return `${f.name}(${args.join(', ')})${f.ignoreNulls ? ' IGNORE NULLS' : ''}`;
    }
    case 'value': {
      const args = [f.input.toString()];
      if (f.name === 'nth_value') args.push(String(f.n ?? 1));
      return `${f.name}(${args.join(', ')})${f.ignoreNulls ? ' IGNORE NULLS' : ''} ${explainFrame(f.frame)}`;
    }
    case 'aggregate': {
      const args = f.args.map((a) => a.toString()).join(', ');
      const filter = f.filter === null ? '' : ` FILTER (WHERE ${f.filter.toString()})`;
      return `${f.name}(${f.distinct ? 'DISTINCT ' : ''}${args})${filter} ${explainFrame(f.frame)}`;
    }
    default:
      return assertNever(f, 'window function');
  }
}

/** Rejects what cannot be evaluated, before any row is read. */
function validate(f: WindowFunctionSpec, orderKeys: number): void {
  if (f.kind === 'aggregate' && f.distinct) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `DISTINCT is not supported in window function ${f.name}`,
    );
  }
  if (f.kind === 'value' && f.name === 'nth_value') {
    const k = f.n ?? 1;
    if (!Number.isInteger(k) || k <= 0) {
      throw new EngineError(
        SqlState.invalidParameterValue,
        `nth_value: the position must be a positive integer, got ${k}`,
      );
    }
  }
  if (f.kind === 'offset' && !Number.isInteger(f.offset)) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `${f.name}: the offset must be an integer, got ${f.offset}`,
    );
  }
  if (f.kind === 'value' || f.kind === 'aggregate') {
    const hasRangeOffset =
      f.frame.units === 'range' &&
      (f.frame.start.kind === 'preceding' ||
        f.frame.start.kind === 'following' ||
        f.frame.end.kind === 'preceding' ||
        f.frame.end.kind === 'following');
    if (hasRangeOffset && orderKeys !== 1) {
      throw new EngineError(
        SqlState.windowingError,
        'a RANGE frame with an offset needs exactly one ORDER BY key',
      );
    }
  }
}
