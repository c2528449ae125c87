import { describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { T, field, makeBatch, makeColumn, schema, type Value } from '../../common/index.ts';
import { HashAggregateExec, type AggregateExpr } from './hash-aggregate-exec.ts';
import { ExchangeExec } from './exchange-exec.ts';
import {
  ColumnExpr,
  CountAccumulator,
  GreaterThanExpr,
  LiteralExpr,
  MemoryExec,
  SumAccumulator,
  collectRows,
  distributed,
  source,
  sortRows,
  taskCtx,
} from './test-support.ts';

const s = schema([field('k', T.string), field('j', T.int), field('v', T.int)]);
const data: Value[][] = [
  ['a', 1, 10],
  ['b', 1, 20],
  ['a', 2, null],
  [null, 1, 5],
  ['a', 1, 10],
  [null, null, 7],
];
const count = (
  args: number[] = [],
  distinct = false,
  filter: AggregateExpr['filter'] = null,
): AggregateExpr => ({
  name: 'count',
  args: args.map((i) => new ColumnExpr(i, T.int)),
  filter,
  distinct,
  createAccumulator: () => new CountAccumulator(),
  type: T.bigint,
});
const sum = (i: number, distinct = false): AggregateExpr => ({
  name: 'sum',
  args: [new ColumnExpr(i, T.int)],
  filter: null,
  distinct,
  createAccumulator: () => new SumAccumulator(T.int),
  type: T.double,
});

describe('HashAggregateExec', () => {
  it('groups by a string key with NULL keys in one group', async () => {
    const agg = new HashAggregateExec({
      input: source(s, data, 2, 2),
      mode: 'single',
      groupBy: [{ expr: new ColumnExpr(0, T.string, 'k'), name: 'k' }],
      aggregates: [count(), sum(2)],
      groupingSets: null,
      groupingIdName: null,
      schema: schema([field('k', T.string), field('count', T.bigint), field('sum', T.double)]),
    });
    expect(sortRows(await collectRows(distributed(agg)))).toEqual(
      sortRows([
        ['a', 3n, 20],
        ['b', 1n, 20],
        [null, 2n, 12],
      ]),
    );
    expect(agg.explain()).toBe('HashAggregateExec: mode=single, gby=[k@0 as k], aggr=[count, sum]');
  });
  it('multi-column keys, DISTINCT and FILTER', async () => {
    const agg = new HashAggregateExec({
      input: source(s, data, 4),
      mode: 'single',
      groupBy: [
        { expr: new ColumnExpr(0, T.string), name: 'k' },
        { expr: new ColumnExpr(1, T.int), name: 'j' },
      ],
      aggregates: [
        count([2], true),
        sum(2, true),
        count([], false, new GreaterThanExpr(new ColumnExpr(2, T.int), new LiteralExpr(6, T.int))),
      ],
      groupingSets: null,
      groupingIdName: null,
      schema: schema([
        field('k', T.string),
        field('j', T.int),
        field('c', T.bigint),
        field('s', T.double),
        field('f', T.bigint),
      ]),
    });
    expect(sortRows(await collectRows(distributed(agg)))).toEqual(
      sortRows([
        ['a', 1, 1n, 10, 2n],
        ['b', 1, 1n, 20, 1n],
        ['a', 2, 0n, null, 0n],
        [null, 1, 1n, 5, 0n],
        [null, null, 1n, 7, 1n],
      ]),
    );
  });
  it('without GROUP BY gives one row even on empty input', async () => {
    const mk = (rows: Value[][]) =>
      new HashAggregateExec({
        input: source(s, rows, 2, 2),
        mode: 'single',
        groupBy: [],
        aggregates: [count(), sum(2)],
        groupingSets: null,
        groupingIdName: null,
        schema: schema([field('c', T.bigint), field('s', T.double)]),
      });
    expect(await collectRows(distributed(mk([])))).toEqual([[0n, null]]);
    expect(await collectRows(distributed(mk(data)))).toEqual([[6n, 52]]);
  });
  it('grouping sets with Spark grouping ids', async () => {
    const agg = new HashAggregateExec({
      input: source(s, data.slice(0, 3), 2),
      mode: 'single',
      groupBy: [
        { expr: new ColumnExpr(0, T.string), name: 'k' },
        { expr: new ColumnExpr(1, T.int), name: 'j' },
      ],
      aggregates: [count()],
      groupingSets: [[0, 1], [0], []],
      groupingIdName: 'spark_grouping_id',
      schema: schema([
        field('k', T.string),
        field('j', T.int),
        field('spark_grouping_id', T.bigint),
        field('c', T.bigint),
      ]),
    });
    expect(sortRows(await collectRows(distributed(agg)))).toEqual(
      sortRows([
        ['a', 1, 0n, 1n],
        ['b', 1, 0n, 1n],
        ['a', 2, 0n, 1n],
        ['a', null, 1n, 2n],
        ['b', null, 1n, 1n],
        [null, null, 3n, 3n],
      ]),
    );
  });
  it('partial per partition then final merges states; 100K int groups across batches', async () => {
    const n = 300_000;
    const groups = 100_000;
    const ks = schema([field('k', T.int), field('v', T.int)]);
    const parts: arrow.RecordBatch[][] = [[], []];
    for (let start = 0, b = 0; start < n; start += 8192, b++) {
      const len = Math.min(8192, n - start);
      const k = new Int32Array(len);
      const v = new Int32Array(len);
      for (let i = 0; i < len; i++) {
        k[i] = ((start + i) * 7919) % groups;
        v[i] = 1;
      }
      parts[b % 2]!.push(
        makeBatch(ks, [makeColumn(T.int, k, len, null), makeColumn(T.int, v, len, null)], len),
      );
    }
    const partial = new HashAggregateExec({
      input: new MemoryExec(ks, parts),
      mode: 'partial',
      groupBy: [{ expr: new ColumnExpr(0, T.int), name: 'k' }],
      aggregates: [count(), sum(1)],
      groupingSets: null,
      groupingIdName: null,
      schema: schema([field('k', T.int), field('count[count]', T.bigint), field('sum[sum]', T.double)]),
    });
    expect(partial.outputPartitions).toBe(2);
    const final = new HashAggregateExec({
      input: new ExchangeExec({ input: partial, kind: 'hash', keys: [new ColumnExpr(0, T.int)], count: 3 }),
      mode: 'final',
      groupBy: [{ expr: new ColumnExpr(0, T.int), name: 'k' }],
      aggregates: [count(), sum(1)],
      groupingSets: null,
      groupingIdName: null,
      schema: schema([field('k', T.int), field('count', T.bigint), field('sum', T.double)]),
    });
    const rows = await collectRows(final, taskCtx(10_000));
    expect(rows.length).toBe(groups);
    expect(rows.every((r) => r[1] === 3n && r[2] === 3)).toBe(true);
    expect(new Set(rows.map((r) => r[0])).size).toBe(groups);
  });

  it('partial aggregation over input clustered on the keys: runs across batches, NULL keys, then unclustered rows', async () => {
    const ks = schema([field('k', T.int), field('s', T.string), field('v', T.int)]);
    const rows: Value[][] = [];
    // Sorted on (k, s): runs of three rows, some with a NULL string key; runs cross batches.
    for (let i = 0; i < 9000; i++) {
      const g = Math.floor(i / 3);
      rows.push([g, g % 5 === 0 ? null : `g${Math.floor(g / 2)}`, i % 7]);
    }
    // Then rows in no order, repeating keys seen before: the hash table takes over.
    for (let j = 0; j < 3000; j++) {
      const g = (j * 7919) % 3000;
      rows.push([g, g % 5 === 0 ? null : `g${Math.floor(g / 2)}`, j % 11]);
    }
    const keyOf = (k: Value, str: Value): string => JSON.stringify([k, str]);
    const want = new Map<string, [number, number]>();
    for (const [k, str, v] of rows) {
      const key = keyOf(k!, str!);
      const [c, t] = want.get(key) ?? [0, 0];
      want.set(key, [c + 1, t + (v as number)]);
    }
    const keys = [
      { expr: new ColumnExpr(0, T.int), name: 'k' },
      { expr: new ColumnExpr(1, T.string), name: 's' },
    ];
    const partial = new HashAggregateExec({
      input: source(ks, rows, 1000, 1),
      mode: 'partial',
      groupBy: keys,
      aggregates: [count(), sum(2)],
      groupingSets: null,
      groupingIdName: null,
      schema: schema([
        field('k', T.int),
        field('s', T.string),
        field('count[count]', T.bigint),
        field('sum[sum]', T.double),
      ]),
    });
    // The first batch goes through the hash table (keys 0…333), and shows runs of keys of their
    // own: then one partial row a run (keys 333…2999, in order; a run a batch boundary cuts goes
    // on as the same group unless the groups were sent on there), and at the end the hash
    // table's 3000 keys (the unordered rows added those it lacked).
    const partialRows = await collectRows(partial, taskCtx(1024));
    const runRows = partialRows.slice(0, partialRows.length - 3000);
    expect(runRows.length).toBeGreaterThanOrEqual(2667);
    expect(runRows.length).toBeLessThan(2667 + 9000 / 512);
    expect(runRows.every((r, i) => i === 0 || (r[0] as number) >= (runRows[i - 1]![0] as number))).toBe(true);
    expect(new Set(runRows.map((r) => r[0])).size).toBe(2667);
    expect(partialRows.reduce((t, r) => t + (r[2] as bigint), 0n)).toBe(12000n);
    const final = new HashAggregateExec({
      input: new ExchangeExec({ input: partial, kind: 'hash', keys: [new ColumnExpr(0, T.int)], count: 2 }),
      mode: 'final',
      groupBy: keys,
      aggregates: [count(), sum(2)],
      groupingSets: null,
      groupingIdName: null,
      schema: schema([
        field('k', T.int),
        field('s', T.string),
        field('count', T.bigint),
        field('sum', T.double),
      ]),
    });
    const got = await collectRows(final, taskCtx(1024));
    expect(got.length).toBe(want.size);
    for (const [k, str, c, t] of got) {
      const [wc, wt] = want.get(keyOf(k!, str!))!;
      expect([c, t], keyOf(k!, str!)).toEqual([BigInt(wc), wt]);
    }
  });

  it('partial aggregation over runs of few keys keeps the hash table (one partial row a key)', async () => {
    const ks = schema([field('k', T.int), field('v', T.int)]);
    // Runs of five rows, but only four keys (as lineitem's l_returnflag × l_linestatus).
    const rows: Value[][] = Array.from({ length: 20000 }, (_, i) => [Math.floor(i / 5) % 4, 1]);
    const partial = new HashAggregateExec({
      input: source(ks, rows, 1000, 1),
      mode: 'partial',
      groupBy: [{ expr: new ColumnExpr(0, T.int), name: 'k' }],
      aggregates: [count(), sum(1)],
      groupingSets: null,
      groupingIdName: null,
      schema: schema([field('k', T.int), field('count[count]', T.bigint), field('sum[sum]', T.double)]),
    });
    expect(sortRows(await collectRows(partial, taskCtx(1024)))).toEqual([
      [0, 5000n, 5000],
      [1, 5000n, 5000],
      [2, 5000n, 5000],
      [3, 5000n, 5000],
    ]);
  });
});
