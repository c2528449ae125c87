/**
 * K-way merge of sorted streams: the rows of every stream, in the order of `keys`, each stream
 * already sorted by them. Ties go to the stream listed first, so merging the sorted runs of a
 * stable sort in partition order is itself stable. Output batches hold at most `ctx.batchSize`
 * rows, cut from the inputs without copying where a run of rows comes from one batch.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import { concatBatches } from '../batch/concat.ts';
import { sliceBatch } from '../batch/slice.ts';
import { compareAcross, prepareSortKeys, type PreparedSortKeys } from '../batch/sort-indices.ts';
import type { TaskContext } from '../execution-plan.ts';
import { checkCancelled, evaluateToColumn, schemaTypes } from './exec-support.ts';
import type { SortKey } from './sort-exec.ts';

interface Head {
  batch: arrow.RecordBatch;
  keys: PreparedSortKeys;
  row: number;
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
      if (r.value.numRows > 0) return { batch: r.value, keys: prepare(r.value), row: 0 };
    }
  };
  try {
    const heads = await Promise.all(iterators.map((_, i) => next(i)));
    const size = Math.max(1, ctx.batchSize);
    let pieces: arrow.RecordBatch[] = [];
    let pending = 0;
    // The run being built: rows [runStart, head.row) of heads[runSource].batch.
    let runSource = -1;
    let runStart = 0;
    const closeRun = (): void => {
      if (runSource < 0) return;
      const h = heads[runSource];
      // A finished head was replaced; its run was closed before that.
      if (h !== null && h !== undefined && h.row > runStart) {
        pieces.push(sliceBatch(h.batch, types, runStart, h.row));
      }
      runSource = -1;
    };
    for (;;) {
      let best = -1;
      for (let i = 0; i < heads.length; i++) {
        const h = heads[i];
        if (h === null || h === undefined) continue;
        if (best < 0) {
          best = i;
          continue;
        }
        const b = heads[best]!;
        if (compareAcross(h.keys, h.row, b.keys, b.row) < 0) best = i;
      }
      if (best < 0) break;
      if (best !== runSource) {
        closeRun();
        runSource = best;
        runStart = heads[best]!.row;
      }
      const h = heads[best]!;
      h.row++;
      pending++;
      if (h.row === h.batch.numRows) {
        closeRun();
        heads[best] = await next(best);
        checkCancelled(ctx);
      }
      if (pending >= size) {
        closeRun();
        yield pieces.length === 1 ? pieces[0]! : concatBatches(pieces, schema);
        pieces = [];
        pending = 0;
      }
    }
    closeRun();
    if (pending > 0) yield pieces.length === 1 ? pieces[0]! : concatBatches(pieces, schema);
  } finally {
    await Promise.allSettled(iterators.map(async (it) => it.return?.()));
  }
}
