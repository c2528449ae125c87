import { describe, expect, it } from 'vitest';
import { T, field, schema, type Value } from '../../common/index.ts';
import { ExchangeExec } from './exchange-exec.ts';
import { SortExec } from './sort-exec.ts';
import { ColumnExpr, collectRows, source, taskCtx } from './test-support.ts';

const s = schema([field('k', T.string), field('d', T.double), field('i', T.int)]);
const rows: Value[][] = [
  ['b', 1.5, 0],
  [null, 2, 1],
  ['a', NaN, 2],
  ['b', null, 3],
  ['ä', -0, 4],
  ['a', 1.5, 5],
  ['b', 1.5, 6],
];

describe('SortExec', () => {
  it('sorts by several keys with NULLS FIRST/LAST, stable for equal keys, across partitions', async () => {
    const keys = [
      { expr: new ColumnExpr(0, T.string, 'k'), ascending: true, nullsFirst: false },
      { expr: new ColumnExpr(1, T.double, 'd'), ascending: false, nullsFirst: true },
    ];
    const sort = new SortExec({ input: source(s, rows, 2, 2), keys });
    // Each partition sorted, then merged: ties go to the earlier partition.
    const got = await collectRows(
      new ExchangeExec({ input: sort, kind: 'single', sortKeys: keys }),
      taskCtx(3),
    );
    // partitions: p0 gets batches 0 and 2 (rows 0,1,4,5), p1 gets rows 2,3,6 — ties keep that order
    expect(got.map((r) => r[2])).toEqual([2, 5, 3, 0, 6, 4, 1]);
    expect(sort.explain()).toBe('SortExec: [k@0 ASC NULLS LAST, d@1 DESC NULLS FIRST]');
  });
  it('top-K with fetch keeps the first rows; empty input gives nothing', async () => {
    const many: Value[][] = Array.from({ length: 1000 }, (_, i) => [String(i % 7), i % 13, i]);
    const sort = new SortExec({
      input: source(s, many, 50),
      keys: [{ expr: new ColumnExpr(1, T.double), ascending: true, nullsFirst: true }],
      fetch: 5,
    });
    expect((await collectRows(sort, taskCtx(16))).map((r) => r[2])).toEqual([0, 13, 26, 39, 52]);
    expect(await collectRows(new SortExec({ input: source(s, []), keys: [] }))).toEqual([]);
  });
  it('sorts int keys descending with NaN-free doubles and NULLs first', async () => {
    const sort = new SortExec({
      input: source(s, rows, 10),
      keys: [{ expr: new ColumnExpr(2, T.int), ascending: false, nullsFirst: true }],
    });
    expect((await collectRows(sort)).map((r) => r[2])).toEqual([6, 5, 4, 3, 2, 1, 0]);
  });
});
