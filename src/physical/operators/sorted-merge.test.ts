import { describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { T, batchRows, columnFromValues, field, makeBatch, schema, type Value } from '../../common/index.ts';
import { mergeSortedStreams } from './sorted-merge.ts';
import type { SortKey } from './sort-exec.ts';
import { ColumnExpr, batchOf, taskCtx } from './test-support.ts';

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

/** A deterministic pseudo-random sequence (xorshift). */
function random(seed: number): () => number {
  let x = seed;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 4294967296;
  };
}

/** The reference order of one key: NULLs where `nullsFirst` says, then values ASC or DESC. */
function compareKey(a: Value, b: Value, ascending: boolean, nullsFirst: boolean): number {
  if (a === null || b === null) {
    if (a === b) return 0;
    return (a === null) === nullsFirst ? -1 : 1;
  }
  // Strings by UTF-8 bytes (code points), as the engine orders them.
  const c =
    typeof a === 'string'
      ? Buffer.compare(Buffer.from(a), Buffer.from(b as string))
      : (a as number) < (b as number)
        ? -1
        : (a as number) > (b as number)
          ? 1
          : 0;
  return ascending ? c : -c;
}

describe('mergeSortedStreams over runs of a sort', () => {
  // Columns: an int key, a string key (non-ASCII too), a double key, and the row's input position.
  const rs = schema([field('i', T.int), field('s', T.string), field('d', T.double), field('pos', T.int)]);
  const types = [T.int, T.string, T.double, T.int];
  const words = ['', 'a', 'ab', 'b', 'é', 'z', 'ä', 'aa'];
  const configs: { name: string; keys: { col: number; ascending: boolean; nullsFirst: boolean }[] }[] = [
    { name: 'int ASC NULLS FIRST', keys: [{ col: 0, ascending: true, nullsFirst: true }] },
    { name: 'int DESC NULLS LAST', keys: [{ col: 0, ascending: false, nullsFirst: false }] },
    { name: 'string ASC NULLS LAST', keys: [{ col: 1, ascending: true, nullsFirst: false }] },
    { name: 'string DESC NULLS FIRST', keys: [{ col: 1, ascending: false, nullsFirst: true }] },
    {
      name: 'string DESC NULLS LAST, int ASC NULLS FIRST, double DESC NULLS FIRST',
      keys: [
        { col: 1, ascending: false, nullsFirst: false },
        { col: 0, ascending: true, nullsFirst: true },
        { col: 2, ascending: false, nullsFirst: true },
      ],
    },
    {
      name: 'double ASC NULLS LAST, string ASC NULLS FIRST',
      keys: [
        { col: 2, ascending: true, nullsFirst: false },
        { col: 1, ascending: true, nullsFirst: true },
      ],
    },
  ];

  for (const config of configs) {
    it(`merges sorted runs (some empty) into one stable order: ${config.name}`, async () => {
      const next = random(config.name.length * 7919 + 1);
      const runCount = 7;
      const runs: Value[][][] = [];
      let pos = 0;
      for (let r = 0; r < runCount; r++) {
        // Runs 2 and 5 are empty; the others of different lengths, with many ties and NULLs.
        const n = r === 2 || r === 5 ? 0 : 1 + Math.floor(next() * 400);
        const rows: Value[][] = [];
        for (let j = 0; j < n; j++) {
          rows.push([
            next() < 0.15 ? null : Math.floor(next() * 10) - 5,
            next() < 0.15 ? null : words[Math.floor(next() * words.length)]!,
            next() < 0.15 ? null : Math.floor(next() * 6) / 2,
            pos++,
          ]);
        }
        runs.push(rows);
      }
      const cmp = (a: Value[], b: Value[]): number => {
        for (const k of config.keys) {
          const c = compareKey(a[k.col]!, b[k.col]!, k.ascending, k.nullsFirst);
          if (c !== 0) return c;
        }
        return 0;
      };
      // Each run sorted stably (as SortExec sorts a run); the whole, stably, is the answer:
      // equal keys in run order, then in their order within the run.
      const sortedRuns = runs.map((r) =>
        [...r].sort((a, b) => cmp(a, b) || (a[3] as number) - (b[3] as number)),
      );
      const want = sortedRuns.flat().sort((a, b) => cmp(a, b) || (a[3] as number) - (b[3] as number));
      const keys: SortKey[] = config.keys.map((k) => ({
        expr: new ColumnExpr(k.col, types[k.col]!),
        ascending: k.ascending,
        nullsFirst: k.nullsFirst,
      }));
      for (const batchRows_ of [1, 37, 1024]) {
        const streams = sortedRuns.map((rows) =>
          (async function* () {
            for (let i = 0; i < rows.length; i += batchRows_) {
              await Promise.resolve();
              yield batchOf(rs, rows.slice(i, i + batchRows_));
            }
          })(),
        );
        const got: Value[][] = [];
        for await (const b of mergeSortedStreams(streams, keys, rs, taskCtx(100)))
          got.push(...batchRows(b, types));
        expect(got).toEqual(want);
      }
    });
  }

  it('merges nothing from only empty runs', async () => {
    // eslint-disable-next-line @typescript-eslint/require-await
    const empty = async function* (): AsyncGenerator<arrow.RecordBatch> {
      yield batchOf(rs, []);
    };
    const keys = [{ expr: new ColumnExpr(0, T.int), ascending: true, nullsFirst: true }];
    const got: arrow.RecordBatch[] = [];
    for await (const b of mergeSortedStreams([empty(), empty()], keys, rs, taskCtx(100))) got.push(b);
    expect(got).toEqual([]);
  });
});
