/**
 * GenerateExec: explode / posexplode / inline (optionally outer) of an array expression.
 *
 * Input: any batches. Output: every input column, then the generator's columns (`pos` int for
 * posexplode, then the element; for inline, an array of structs, one column per field of the
 * element, NULL where the element is NULL); each input row is repeated once per element of its array, in
 * order. A NULL or empty array yields no row, or with `outer` one row whose generator columns are
 * NULL. Rows are replicated with one typed pass over the List offsets and one `take` per column
 * (the elements with one `take` of computed child indices); output batches hold about
 * `ctx.batchSize` rows unless a single array is longer.
 */
import type * as arrow from 'apache-arrow';
import { T, makeBatch, makeColumn, type DataType, type Schema } from '../../common/index.ts';
import { take } from '../batch/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { exprSpec, type OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, evaluateToColumn, schemaTypes } from './exec-support.ts';

export interface GenerateExecOptions {
  readonly input: ExecutionPlan;
  /** The array to explode, over the input's columns. */
  readonly arg: PhysicalExpr;
  readonly withPosition: boolean;
  /** The elements are structs whose fields become the generated columns (inline). */
  readonly spread: boolean;
  readonly outer: boolean;
  /** Input fields, then `pos` (when withPosition), then the element (or its fields). */
  readonly schema: Schema;
}

export class GenerateExec implements ExecutionPlan {
  readonly name = 'GenerateExec';
  readonly schema: Schema;
  readonly outputPartitions: number;
  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }];
  private readonly options: GenerateExecOptions;

  constructor(options: GenerateExecOptions) {
    this.options = options;
    this.schema = options.schema;
    this.outputPartitions = options.input.outputPartitions;
  }

  children(): readonly ExecutionPlan[] {
    return [this.options.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new GenerateExec({ ...this.options, input: children[0]! });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    const { input, arg, withPosition, outer } = this.options;
    const inTypes = schemaTypes(input.schema);
    const argType = arg.type;
    const element: DataType = argType.kind === 'array' ? argType.element : T.null;
    for await (const batch of input.execute(partition, ctx)) {
      checkCancelled(ctx);
      const n = batch.numRows;
      if (n === 0) continue;
      const list = evaluateToColumn(arg, batch, ctx);
      const counts = rowCounts(list, n, outer);
      let start = 0;
      while (start < n) {
        let end = start;
        let total = 0;
        while (end < n && (total === 0 || total + counts[end]! <= ctx.batchSize)) total += counts[end++]!;
        if (total > 0)
          yield this.#emit(batch, inTypes, list, counts, start, end, total, element, withPosition);
        start = end;
      }
    }
  }

  #emit(
    batch: arrow.RecordBatch,
    inTypes: readonly DataType[],
    list: arrow.Data,
    counts: Int32Array,
    start: number,
    end: number,
    total: number,
    element: DataType,
    withPosition: boolean,
  ): arrow.RecordBatch {
    const offsets = list.valueOffsets as Int32Array | undefined;
    const rowIdx = new Int32Array(total);
    const childIdx = new Int32Array(total);
    const pos = withPosition ? new Int32Array(total) : null;
    let posValid: Uint8Array | null = null;
    let k = 0;
    for (let i = start; i < end; i++) {
      const c = counts[i]!;
      if (c === 0) continue;
      const first = offsets === undefined ? 0 : offsets[i]!;
      const len = offsets === undefined ? 0 : offsets[i + 1]! - first;
      if (len === 0 || !isValidAt(list, i)) {
        // outer with a NULL or empty array: one row of NULL generator columns
        rowIdx[k] = i;
        childIdx[k] = -1;
        if (pos !== null) {
          posValid ??= new Uint8Array(total).fill(1);
          posValid[k] = 0;
        }
        k++;
        continue;
      }
      for (let j = 0; j < len; j++, k++) {
        rowIdx[k] = i;
        childIdx[k] = first + j;
        if (pos !== null) pos[k] = j;
      }
    }
    const columns: arrow.Data[] = [];
    const cols = batch.data.children;
    for (let c = 0; c < cols.length; c++) columns.push(take(cols[c]!, inTypes[c]!, rowIdx, total));
    if (pos !== null) columns.push(makeColumn(T.int, pos, total, posValid));
    const child = list.children[0];
    if (this.options.spread && element.kind === 'struct') {
      // One column per field; a NULL struct element gives NULL in each.
      if (child !== undefined) {
        for (let k = 0; k < total; k++) {
          const c = childIdx[k]!;
          if (c >= 0 && !isValidAt(child, c)) childIdx[k] = -1;
        }
      }
      element.fields.forEach((f, j) => {
        columns.push(
          child === undefined
            ? take(list, T.null, childIdx, total)
            : take(child.children[j]!, f.type, childIdx, total),
        );
      });
    } else {
      columns.push(
        child === undefined ? take(list, T.null, childIdx, total) : take(child, element, childIdx, total),
      );
    }
    return makeBatch(this.schema, columns, total);
  }

  explain(): string {
    const { arg, withPosition, spread, outer } = this.options;
    const kind = spread ? 'inline' : withPosition ? 'posexplode' : 'explode';
    return `GenerateExec: ${kind}${outer ? '_outer' : ''}(${arg.toString()})`;
  }

  /** The input's columns come first and unchanged, so its partitioning holds. */
  get partitioning(): Partitioning {
    return this.options.input.partitioning;
  }

  spec(): OperatorSpec {
    const o = this.options;
    return {
      kind: 'Generate',
      arg: exprSpec(o.arg),
      withPosition: o.withPosition,
      spread: o.spread,
      outer: o.outer,
      schema: o.schema,
    };
  }
}

function isValidAt(data: arrow.Data, i: number): boolean {
  const bitmap = data.nullBitmap;
  if (bitmap === undefined || bitmap.length === 0 || data.nullCount === 0) return true;
  const j = data.offset + i;
  return ((bitmap[j >> 3]! >> (j & 7)) & 1) === 1;
}

/** Output rows per input row: the array's length (0 when NULL), at least 1 when `outer`. */
function rowCounts(list: arrow.Data, n: number, outer: boolean): Int32Array {
  const counts = new Int32Array(n);
  const offsets = list.valueOffsets as Int32Array | undefined;
  const bitmap = list.nullBitmap;
  const hasNulls = bitmap !== undefined && bitmap.length > 0 && list.nullCount > 0;
  const off = list.offset;
  for (let i = 0; i < n; i++) {
    let c = offsets === undefined ? 0 : offsets[i + 1]! - offsets[i]!;
    if (hasNulls) {
      const j = off + i;
      if (((bitmap[j >> 3]! >> (j & 7)) & 1) === 0) c = 0;
    }
    counts[i] = c === 0 && outer ? 1 : c;
  }
  return counts;
}
