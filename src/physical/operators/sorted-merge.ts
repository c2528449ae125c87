/**
 * K-way merge of sorted streams: the rows of every stream, in the order of `keys`, each stream
 * already sorted by them, through a binary heap of the streams' head rows (compared on their
 * prepared key columns, `compareAcross`). Ties go to the stream listed first, so merging the sorted runs of a
 * stable sort in partition order is itself stable. Output batches hold at most `ctx.batchSize`
 * rows: a slice of one input batch when they all come from it in a row, else gathered from the
 * input batches they come from with one `take` a column (interleaved inputs would otherwise make
 * a piece of every row).
 */
import type * as arrow from 'apache-arrow';
import type { DataType, Schema } from '../../common/index.ts';
import { concatBatches } from '../batch/concat.ts';
import { filterBatch } from '../batch/filter.ts';
import { sliceBatch } from '../batch/slice.ts';
import { compareAcross, prepareSortKeys, type PreparedSortKeys } from '../batch/sort-indices.ts';
import type { TaskContext } from '../execution-plan.ts';
import { checkCancelled, evaluateToColumn, schemaTypes } from './exec-support.ts';
import type { SortKey } from './sort-exec.ts';

interface Head {
  batch: arrow.RecordBatch;
  keys: PreparedSortKeys;
  row: number;
  /** The output batch its batch was last added to the sources of, and its index there. */
  chunk: number;
  source: number;
}

export async function* mergeSortedStreams(
  streams: readonly AsyncIterable<arrow.RecordBatch>[],
  keys: readonly SortKey[],
  schema: Schema,
  ctx: TaskContext,
): AsyncGenerator<arrow.RecordBatch> {
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const types = schemaTypes(schema);
  const prepare = (batch: arrow.RecordBatch): PreparedSortKeys =>
    prepareSortKeys(
      keys.map((k) => ({
        column: evaluateToColumn(k.expr, batch, ctx),
        type: k.expr.type,
        ascending: k.ascending,
        nullsFirst: k.nullsFirst,
      })),
    );
  const next = async (i: number): Promise<Head | null> => {
    for (;;) {
      const r = await iterators[i]!.next();
      if (r.done === true) return null;
      if (r.value.numRows > 0) return { batch: r.value, keys: prepare(r.value), row: 0, chunk: 0, source: 0 };
    }
  };
  try {
    const heads = await Promise.all(iterators.map((_, i) => next(i)));
    const size = Math.max(1, ctx.batchSize);
    // The output batch being built: each row's source (an index into `sources`) and row there.
    let sources: arrow.RecordBatch[] = [];
    let chunk = 1;
    let from = new Int32Array(size);
    let rowsOf = new Int32Array(size);
    let pending = 0;
    const flush = (): arrow.RecordBatch => {
      const out = gatherRows(sources, from.subarray(0, pending), rowsOf.subarray(0, pending), types, schema);
      sources = [];
      chunk++;
      from = new Int32Array(size);
      rowsOf = new Int32Array(size);
      pending = 0;
      return out;
    };
    // A binary min-heap of the streams that have rows left, ordered by their head rows, ties to
    // the stream listed first: log(k) comparisons a row rather than k.
    const heap: number[] = [];
    const before = (a: number, b: number): boolean => {
      const x = heads[a]!;
      const y = heads[b]!;
      const c = compareAcross(x.keys, x.row, y.keys, y.row);
      return c < 0 || (c === 0 && a < b);
    };
    const siftDown = (at: number): void => {
      const n = heap.length;
      const item = heap[at]!;
      for (;;) {
        let child = 2 * at + 1;
        if (child >= n) break;
        if (child + 1 < n && before(heap[child + 1]!, heap[child]!)) child++;
        if (!before(heap[child]!, item)) break;
        heap[at] = heap[child]!;
        at = child;
      }
      heap[at] = item;
    };
    heads.forEach((h, i) => h !== null && heap.push(i));
    for (let at = (heap.length >> 1) - 1; at >= 0; at--) siftDown(at);
    while (heap.length > 0) {
      const best = heap[0]!;
      const h = heads[best]!;
      if (h.chunk !== chunk) {
        h.chunk = chunk;
        h.source = sources.length;
        sources.push(h.batch);
      }
      from[pending] = h.source;
      rowsOf[pending++] = h.row;
      h.row++;
      if (h.row === h.batch.numRows) {
        heads[best] = await next(best);
        checkCancelled(ctx);
        if (heads[best] === null) {
          const last = heap.pop()!;
          if (heap.length > 0) heap[0] = last;
        }
      }
      if (heap.length > 1) siftDown(0);
      if (pending >= size) yield flush();
    }
    if (pending > 0) yield flush();
  } finally {
    await Promise.allSettled(iterators.map(async (it) => it.return?.()));
  }
}

/**
 * The rows `rows[j]` of `sources[from[j]]`, in order: each source's rows copied once, then put in
 * order (bounded by the rows gathered, however large the source batches); consecutive rows of one
 * source are a slice.
 */
function gatherRows(
  sources: readonly arrow.RecordBatch[],
  from: Int32Array,
  rows: Int32Array,
  types: readonly DataType[],
  schema: Schema,
): arrow.RecordBatch {
  const n = rows.length;
  if (sources.length === 1) {
    const first = rows[0]!;
    return rows[n - 1]! - first === n - 1
      ? sliceBatch(sources[0]!, types, first, first + n)
      : filterBatch(sources[0]!, types, rows);
  }
  const counts = new Int32Array(sources.length + 1);
  for (let j = 0; j < n; j++) counts[from[j]! + 1]!++;
  for (let k = 0; k < sources.length; k++) counts[k + 1]! += counts[k]!;
  // Each source's rows together (source order), and where each output row landed among them.
  const fill = counts.slice(0, sources.length);
  const grouped = new Int32Array(n);
  const order = new Int32Array(n);
  for (let j = 0; j < n; j++) {
    const at = fill[from[j]!]!++;
    grouped[at] = rows[j]!;
    order[j] = at;
  }
  const parts = sources.map((b, k) => filterBatch(b, types, grouped.subarray(counts[k], counts[k + 1])));
  return filterBatch(concatBatches(parts, schema), types, order);
}
