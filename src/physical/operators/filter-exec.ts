/**
 * FilterExec: keeps the rows where the predicate is TRUE (NULL counts as FALSE).
 *
 * Input: any batches. Output: the same partitions and schema — or, with `projection`, only those
 * input columns (named by `schema`), so a column read only by the predicate (a long comment
 * string) is never copied; empty batches are skipped, and the columns of a batch whose rows all
 * pass are passed through untouched.
 *
 * With `conjuncts` (the predicate's AND-ed parts, which the planner supplies), the rows are
 * narrowed conjunct by conjunct: `column op constant` parts refine a selection vector in one loop
 * over the surviving rows (src/physical/kernels/select-compare.ts) and run first; every other part
 * is evaluated on the batch and intersected with the selection — or, once fewer than half the
 * rows survive and the part has a `compact` form, on just the surviving rows of just the columns
 * it reads. A part that raises while evaluated on the whole batch is evaluated again on just the
 * surviving rows: as in Spark, a row an earlier part dropped never makes a later part fail. Without
 * conjuncts the predicate is evaluated as one expression.
 */
import type * as arrow from 'apache-arrow';
import type { ScanFilterStep, ScanRowFilter } from '../../catalog/index.ts';
import type { ColumnarValue } from '../../functions/index.ts';
import type { DataType, Schema, Value } from '../../common/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  MaskedBatch,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { conjunctSpec, exprSpec, type OperatorSpec } from '../plan-spec.ts';
import { makeBatch } from '../../common/index.ts';
import { columnExpr, columnPosition } from '../expressions/index.ts';
import { filterBatch } from '../batch/filter.ts';
import { take, takeRows } from '../batch/take.ts';
import { maskFromBoolean, selectionFromMask } from '../batch/selection.ts';
import { refineByColumns, refineByCompare, type SelectCompareOp } from '../kernels/select-compare.ts';
import { checkCancelled, schemaTypes } from './exec-support.ts';

/** The least fraction of a batch's rows passing for `executeMasked` to mask rather than copy. */
export const MASK_MIN_FRACTION = 0.75;

/** One AND-ed part of a filter predicate. */
export type FilterConjunct =
  | {
      readonly kind: 'compare';
      /** Input column index. */
      readonly column: number;
      readonly type: DataType;
      readonly op: SelectCompareOp;
      /** Non-NULL, in the representation of `type` (see supportsSelectCompare). */
      readonly value: Value;
    }
  | {
      /** `column op column`, both of `type`. */
      readonly kind: 'compare_columns';
      readonly left: number;
      readonly right: number;
      readonly type: DataType;
      readonly op: SelectCompareOp;
    }
  | {
      readonly kind: 'expr';
      readonly expr: PhysicalExpr;
      /** The same predicate over only the input columns it reads (`columns`, in this order). */
      readonly compact?: { readonly columns: readonly number[]; readonly expr: PhysicalExpr };
    };

export interface FilterExecOptions {
  readonly input: ExecutionPlan;
  readonly predicate: PhysicalExpr;
  /** The predicate split into conjuncts, cheapest first; omitted = evaluate `predicate` whole. */
  readonly conjuncts?: readonly FilterConjunct[];
  /** Input columns to output, in this order, with `schema` naming them; omitted = all. */
  readonly projection?: { readonly columns: readonly number[]; readonly schema: Schema };
}

export class FilterExec implements ExecutionPlan {
  readonly name = 'FilterExec';
  readonly input: ExecutionPlan;
  readonly predicate: PhysicalExpr;
  readonly conjuncts: readonly FilterConjunct[] | undefined;
  readonly projection: FilterExecOptions['projection'];

  constructor(options: FilterExecOptions) {
    this.input = options.input;
    this.predicate = options.predicate;
    this.conjuncts = options.conjuncts;
    this.projection = options.projection;
  }

  get schema(): Schema {
    return this.projection?.schema ?? this.input.schema;
  }

  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }];

  get outputPartitions(): number {
    return this.input.outputPartitions;
  }

  /** The input's partitioning, its hash keys moved to their output positions (unknown if dropped). */
  get partitioning(): Partitioning {
    const p = this.input.partitioning;
    const projection = this.projection;
    if (projection === undefined || p.kind !== 'hash') return p;
    const keys: PhysicalExpr[] = [];
    for (const k of p.keys) {
      const from = columnPosition(k);
      const to = from === null ? -1 : projection.columns.indexOf(from);
      if (to < 0) return { kind: 'unknown', count: p.count };
      keys.push(columnExpr(projection.schema, to));
    }
    return { kind: 'hash', keys, count: p.count };
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new FilterExec({
      input: children[0]!,
      predicate: this.predicate,
      ...(this.conjuncts === undefined ? {} : { conjuncts: this.conjuncts }),
      ...(this.projection === undefined ? {} : { projection: this.projection }),
    });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    for await (const m of this.filtered(partition, ctx, false, undefined)) yield m.batch;
  }

  /**
   * `execute` with a filter from the operator above (a join's keys) that the scan below may also
   * apply: its steps follow this filter's own, columns mapped through the projection. The rows it
   * would drop may still come (the operator above decides).
   */
  async *executeFiltered(
    partition: number,
    ctx: TaskContext,
    rowFilter: ScanRowFilter,
  ): AsyncGenerator<arrow.RecordBatch> {
    for await (const m of this.filtered(partition, ctx, false, rowFilter)) yield m.batch;
  }

  /**
   * `execute` for a consumer that skips masked rows itself (HashAggregateExec): a batch of which
   * at least `MASK_MIN_FRACTION` of the rows pass comes whole with a mask of them, so its columns
   * are not copied (TPC-H Q1 keeps 98 % of lineitem).
   */
  executeMasked(partition: number, ctx: TaskContext): AsyncIterable<MaskedBatch> {
    return this.filtered(partition, ctx, true, undefined);
  }

  private async *filtered(
    partition: number,
    ctx: TaskContext,
    masks: boolean,
    above: ScanRowFilter | undefined,
  ): AsyncGenerator<MaskedBatch> {
    const projection = this.projection;
    const types = schemaTypes(this.schema);
    const input = this.input;
    const rowFilter = input.executeFiltered === undefined ? undefined : this.scanRowFilter(ctx, above);
    const batches =
      rowFilter === undefined
        ? input.execute(partition, ctx)
        : input.executeFiltered!(partition, ctx, rowFilter);
    for await (const batch of batches) {
      checkCancelled(ctx);
      const n = batch.numRows;
      if (n === 0) continue;
      const selection = this.select(batch, n, ctx);
      if (selection !== null && selection.length === 0) continue;
      const out =
        projection === undefined
          ? batch
          : makeBatch(
              projection.schema,
              projection.columns.map((i) => batch.data.children[i]!),
              n,
            );
      if (selection === null || selection.length === n) yield { batch: out, mask: null, rows: n };
      else if (masks && selection.length >= n * MASK_MIN_FRACTION) {
        const mask = new Uint8Array(n);
        for (let k = 0; k < selection.length; k++) mask[selection[k]!] = 1;
        yield { batch: out, mask, rows: selection.length };
      } else yield { batch: filterBatch(out, types, selection), mask: null, rows: selection.length };
    }
  }

  /**
   * The conjuncts as steps an input scan may apply while decoding (late materialization), then
   * the steps of `above` (a join's keys); each step is one conjunct over just the columns it
   * reads, up to the first that is not deterministic or has no compact form. Undefined when there
   * are none.
   */
  private scanRowFilter(ctx: TaskContext, above: ScanRowFilter | undefined): ScanRowFilter | undefined {
    const steps: ScanFilterStep[] = [];
    for (const c of this.conjuncts ?? []) {
      if (c.kind === 'compare') {
        steps.push({
          columns: [c.column],
          keep: (cols, n) => refineByCompare(cols[0]!, c.type, c.op, c.value, null, n),
          rechecked: true,
        });
      } else if (c.kind === 'compare_columns') {
        steps.push({
          columns: [c.left, c.right],
          keep: (cols, n) => refineByColumns(cols[0]!, cols[1]!, c.type, c.op, null, n),
          rechecked: true,
        });
      } else if (c.compact !== undefined) {
        // A scan evaluates a step over other rows (and per dictionary entry): not rand() & co.
        if (c.compact.expr.deterministic !== true) break;
        const { columns, expr } = c.compact;
        const fields = columns.map((i) => this.input.schema.fields[i]!);
        steps.push({
          columns,
          keep: (cols, n) => {
            const v = expr.evaluate(makeBatch({ fields }, cols, n), ctx.eval);
            if (v.kind === 'scalar') return v.value === true ? allRows(n) : new Int32Array(0);
            return selectionFromMask(v.data);
          },
          rechecked: true,
        });
      } else break;
    }
    if (above !== undefined) {
      // The columns above are this operator's output: the projection's, or the input's own.
      const projection = this.projection;
      for (const step of above.steps) {
        const columns =
          projection === undefined ? step.columns : step.columns.map((c) => projection.columns[c]!);
        steps.push({ columns, keep: step.keep });
      }
    }
    if (steps.length === 0) return undefined;
    return { steps, take: takeRows };
  }

  /** The passing rows' indices; null when every row passes. */
  private select(batch: arrow.RecordBatch, n: number, ctx: TaskContext): Int32Array | null {
    if (this.conjuncts === undefined) {
      const v = this.predicate.evaluate(batch, ctx.eval);
      if (v.kind === 'scalar') return v.value === true ? null : new Int32Array(0);
      return selectionFromMask(v.data);
    }
    let selection: Int32Array | null = null;
    for (const c of this.conjuncts) {
      if (c.kind === 'compare') {
        selection = refineByCompare(batch.data.children[c.column]!, c.type, c.op, c.value, selection, n);
      } else if (c.kind === 'compare_columns') {
        const cols = batch.data.children;
        selection = refineByColumns(cols[c.left]!, cols[c.right]!, c.type, c.op, selection, n);
      } else if (selection !== null && c.compact !== undefined && selection.length < n / 2) {
        selection = this.refineCompact(batch, selection, c.compact, ctx);
      } else {
        let v: ColumnarValue;
        try {
          v = c.expr.evaluate(batch, ctx.eval);
        } catch (err) {
          // It may have raised on a row an earlier part dropped: only the survivors count.
          if (selection === null) throw err;
          selection = this.refineCompact(batch, selection, c.compact ?? this.wholeCompact(c.expr), ctx);
          if (selection.length === 0) return selection;
          continue;
        }
        if (v.kind === 'scalar') {
          if (v.value !== true) return new Int32Array(0);
          continue;
        }
        selection = selection === null ? selectionFromMask(v.data) : intersect(selection, v.data);
      }
      if (selection.length === 0) return selection;
    }
    return selection;
  }

  /** `expr` as a compact predicate over every input column. */
  private wholeCompact(expr: PhysicalExpr): {
    readonly columns: readonly number[];
    readonly expr: PhysicalExpr;
  } {
    return { columns: this.input.schema.fields.map((_, i) => i), expr };
  }

  /** The rows of `selection` where the predicate holds, evaluated on those rows alone. */
  private refineCompact(
    batch: arrow.RecordBatch,
    selection: Int32Array,
    compact: { readonly columns: readonly number[]; readonly expr: PhysicalExpr },
    ctx: TaskContext,
  ): Int32Array {
    const types = this.input.schema.fields;
    const k = selection.length;
    const fields = compact.columns.map((i) => types[i]!);
    const columns = compact.columns.map((i) => take(batch.data.children[i]!, types[i]!.type, selection, k));
    const v = compact.expr.evaluate(makeBatch({ fields }, columns, k), ctx.eval);
    if (v.kind === 'scalar') return v.value === true ? selection : new Int32Array(0);
    const pass = maskFromBoolean(v.data);
    const out = new Int32Array(k);
    let j = 0;
    for (let r = 0; r < k; r++) if (pass[r] === 1) out[j++] = selection[r]!;
    return j === k ? selection : out.slice(0, j);
  }

  explain(): string {
    const p = this.projection;
    if (p === undefined) return `FilterExec: ${this.predicate.toString()}`;
    const inputs = this.input.schema.fields;
    const cols = p.columns.map((i, k) => {
      const name = `${inputs[i]!.name}@${i}`;
      const shown = p.schema.fields[k]!.name;
      return shown === inputs[i]!.name ? name : `${name} as ${shown}`;
    });
    return `FilterExec: ${this.predicate.toString()}, projection=[${cols.join(', ')}]`;
  }

  spec(): OperatorSpec {
    return {
      kind: 'Filter',
      predicate: exprSpec(this.predicate),
      conjuncts: this.conjuncts === undefined ? null : this.conjuncts.map(conjunctSpec),
      projection: this.projection ?? null,
    };
  }
}

function allRows(n: number): Int32Array {
  const out = new Int32Array(n);
  for (let i = 0; i < n; i++) out[i] = i;
  return out;
}

/** The rows of `selection` where the boolean column `mask` is TRUE. */
function intersect(selection: Int32Array, mask: arrow.Data): Int32Array {
  const bytes = maskFromBoolean(mask);
  const out = new Int32Array(selection.length);
  let k = 0;
  for (let j = 0; j < selection.length; j++) {
    const i = selection[j]!;
    if (bytes[i] === 1) out[k++] = i;
  }
  return k === selection.length ? selection : out.slice(0, k);
}
