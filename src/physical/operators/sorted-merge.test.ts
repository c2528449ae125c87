import { describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { T, batchRows, columnFromValues, field, makeBatch, schema, type Value } from '../../common/index.ts';
import { mergeSortedStreams } from './sorted-merge.ts';
import { ColumnExpr, taskCtx } from './test-support.ts';

const s = schema([field('k', T.int), field('name', T.string), field('src', T.int)]);

/** A stream of `rows` (sorted on k) cut into batches of `size`. */
async function* stream(rows: Value[][], size: number): AsyncGenerator<arrow.RecordBatch> {
  for (let i = 0; i < rows.length; i += size) {
    await Promise.resolve();
    const part = rows.slice(i, i + size);
    yield makeBatch(
      s,
      s.fields.map((f, c) =>
        columnFromValues(
          f.type,
          part.map((r) => r[c]!),
        ),
      ),
      part.length,
    );
  }
}

async function merged(streams: AsyncIterable<arrow.RecordBatch>[], batchSize: number): Promise<Value[][]> {
  const out: Value[][] = [];
  const keys = [{ expr: new ColumnExpr(0, T.int, 'k'), ascending: true, nullsFirst: true }];
  for await (const b of mergeSortedStreams(streams, keys, s, taskCtx(batchSize))) {
    expect(b.numRows).toBeLessThanOrEqual(batchSize);
    out.push(...batchRows(b, [T.int, T.string, T.int]));
  }
  return out;
}

describe('mergeSortedStreams', () => {
  it('interleaves rows of several streams in key order, ties to the earlier stream, whatever the batch sizes', async () => {
    const streams = [0, 1, 2].map((src) =>
      Array.from({ length: 3000 }, (_, i): Value[] => [
        Math.floor((i * 3 + ((src * 7) % 3)) / 2),
        `s${src}-${i}`,
        src,
      ]),
    );
    const want = streams
      .flat()
      .map((r, i) => ({ r, i }))
      .sort(
        (a, b) =>
          (a.r[0] as number) - (b.r[0] as number) || (a.r[2] as number) - (b.r[2] as number) || a.i - b.i,
      )
      .map((x) => x.r);
    for (const [inBatch, outBatch] of [
      [7, 100],
      [4096, 1000],
      [100, 4096],
    ] as const) {
      expect(
        await merged(
          streams.map((r) => stream(r, inBatch)),
          outBatch,
        ),
      ).toEqual(want);
    }
  });

  it('streams that do not interleave come through as slices, in order', async () => {
    const a = Array.from({ length: 500 }, (_, i): Value[] => [i, `a${i}`, 0]);
    const b = Array.from({ length: 500 }, (_, i): Value[] => [1000 + i, `b${i}`, 1]);
    expect(await merged([stream(b, 64), stream(a, 64)], 128)).toEqual([...a, ...b]);
  });
});
