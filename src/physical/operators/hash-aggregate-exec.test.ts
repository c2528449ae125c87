import { describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  T,
  field,
  makeBatch,
  makeColumn,
  schema,
  type Schema,
  type Value,
} from '../../common/index.ts';
import { createFunctionRegistry, type AggregateFunctionDef } from '../../functions/index.ts';
import type { TaskContext } from '../execution-plan.ts';
import { hashPartitions, spillPartitions } from '../batch/partition.ts';
import { SPILL_PARTITIONS } from './aggregate-spill.ts';
import { HashAggregateExec, type AggregateExpr } from './hash-aggregate-exec.ts';
import { LimitedPool, MemorySpill } from './memory-test-support.ts';
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
  evalCtx,
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

describe('HashAggregateExec over its memory budget', () => {
  const registry = createFunctionRegistry();
  const ds = schema([
    field('k', T.string),
    field('j', T.int),
    field('v', T.int),
    field('d', T.decimal(12, 2)),
    field('x', T.double),
    field('s', T.string),
  ]);
  // Deterministic pseudo-random rows: ~3000 groups on (k, j), NULLs in keys and values.
  let seed = 12345;
  const rand = (n: number): number => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return (seed >>> 8) % n;
  };
  const data: Value[][] = Array.from({ length: 12000 }, () => {
    const g = rand(3000);
    return [
      g % 97 === 0 ? null : `key-${g % 600}-ä`,
      g % 89 === 0 ? null : Math.floor(g / 600),
      rand(10) === 0 ? null : rand(50),
      rand(7) === 0 ? null : BigInt(rand(100000) - 20000),
      rand(9) === 0 ? null : rand(1000) / 8,
      rand(6) === 0 ? null : `s${rand(40)}`,
    ];
  });
  const col = (i: number): ColumnExpr => new ColumnExpr(i, ds.fields[i]!.type, ds.fields[i]!.name);
  const agg = (name: string, args: number[], distinct = false): AggregateExpr => {
    const def = registry.lookup(name) as AggregateFunctionDef;
    const argExprs = args.map(col);
    const sig = def.resolve(
      argExprs.map((a) => a.type),
      { ansi: true, literalArgs: [] },
    );
    return {
      name: `${name}${distinct ? '_distinct' : ''}(${args.join(',')})`,
      args: argExprs,
      filter: null,
      distinct,
      createAccumulator: (ctx) => def.createAccumulator(sig.argTypes, sig.returnType, ctx),
      type: sig.returnType,
    };
  };
  const plain = (): AggregateExpr[] => [
    agg('count', []),
    agg('count', [2]),
    agg('sum', [2]),
    agg('sum', [3]),
    agg('sum', [4]),
    agg('avg', [4]),
    agg('avg', [3]),
    agg('min', [5]),
    agg('max', [5]),
    agg('collect_list', [2]),
    agg('collect_set', [5]),
  ];
  const withDistinct = (): AggregateExpr[] => [
    ...plain(),
    agg('count', [2], true),
    agg('sum', [3], true),
    agg('collect_set', [5], true),
  ];
  const keys = [
    { expr: col(0), name: 'k' },
    { expr: col(1), name: 'j' },
  ];
  const outSchema = (aggs: readonly AggregateExpr[], gid = false): Schema =>
    schema([
      field('k', T.string),
      field('j', T.int),
      ...(gid ? [field('spark_grouping_id', T.bigint)] : []),
      ...aggs.map((a) => field(a.name, a.type)),
    ]);
  /** Rows in a stable order, arrays of collect_list/collect_set sorted (their order is arrival order). */
  const canonical = (rows: Value[][]): Value[][] =>
    sortRows(
      rows.map((r) =>
        r.map((v) =>
          Array.isArray(v)
            ? [...(v as (string | number | null)[])].sort((a, b) => String(a).localeCompare(String(b)))
            : v,
        ),
      ),
    );
  const spilledCtx = (limit: number, spill: MemorySpill): TaskContext => ({
    ...taskCtx(256),
    memory: new LimitedPool(limit),
    spill,
  });
  const check = (ctx: TaskContext, spill: MemorySpill, limit: number): void => {
    expect(spill.written).toBeGreaterThan(SPILL_PARTITIONS);
    expect(spill.live.size).toBe(0);
    expect((ctx.memory as LimitedPool).counts.peak).toBeLessThanOrEqual(limit);
    expect((ctx.memory as LimitedPool).counts.used).toBe(0);
  };

  it('single mode spills states and DISTINCT pairs by key hash and merges them into the in-memory answer', async () => {
    const aggs = withDistinct();
    const mk = (): HashAggregateExec =>
      new HashAggregateExec({
        input: source(ds, data, 200),
        mode: 'single',
        groupBy: keys,
        aggregates: aggs,
        groupingSets: null,
        groupingIdName: null,
        schema: outSchema(aggs),
      });
    const want = canonical(await collectRows(mk(), taskCtx(256)));
    expect(want.length).toBeGreaterThan(2500);
    // Under 256 KiB a spill partition is split again (2 passes); under 512 KiB each fits (1 pass).
    for (const [limit, passes] of [
      [256 * 1024, 2],
      [512 * 1024, 1],
    ] as const) {
      const spill = new MemorySpill();
      const ctx = spilledCtx(limit, spill);
      expect(canonical(await collectRows(mk(), ctx))).toEqual(want);
      check(ctx, spill, limit);
      expect(spill.passes).toBe(passes);
    }
  });

  it('a partition that still does not fit is split again with another hash seed', async () => {
    const aggs = plain();
    let inputDone = false;
    class TrackedExec extends MemoryExec {
      override async *execute(partition: number): AsyncGenerator<arrow.RecordBatch> {
        yield* super.execute(partition);
        inputDone = true;
      }
    }
    const input = source(ds, data, 200);
    const mk = (from: MemoryExec): HashAggregateExec =>
      new HashAggregateExec({
        input: from,
        mode: 'single',
        groupBy: keys,
        aggregates: aggs,
        groupingSets: null,
        groupingIdName: null,
        schema: outSchema(aggs),
      });
    const want = canonical(await collectRows(mk(input), taskCtx(256)));
    let afterInput = 0;
    class CountingSpill extends MemorySpill {
      override write(...args: Parameters<MemorySpill['write']>): ReturnType<MemorySpill['write']> {
        if (inputDone) afterInput++;
        return super.write(...args);
      }
    }
    const spill = new CountingSpill();
    const limit = 56 * 1024;
    const ctx = spilledCtx(limit, spill);
    expect(canonical(await collectRows(mk(new TrackedExec(ds, input.partitions)), ctx))).toEqual(want);
    // The groups in memory at the end make at most one file a partition: more were re-partitioned.
    expect(afterInput).toBeGreaterThan(SPILL_PARTITIONS);
    check(ctx, spill, limit);
    // Partitioned at level 0, then a partition again at level 1 (or deeper).
    expect(spill.passes).toBeGreaterThanOrEqual(2);
  });

  it('partial mode sends its states on early; final mode spills them; together the exact answer', async () => {
    const aggs = plain();
    const partialSchema = schema([
      field('k', T.string),
      field('j', T.int),
      ...aggs.flatMap((a, i) =>
        a.createAccumulator(evalCtx).stateTypes.map((t, s) => field(`a${i}_state${s}`, t)),
      ),
    ]);
    const partial = new HashAggregateExec({
      input: source(ds, data, 200, 2),
      mode: 'partial',
      groupBy: keys,
      aggregates: aggs,
      groupingSets: null,
      groupingIdName: null,
      schema: partialSchema,
    });
    // What the pool held as each partial batch arrived.
    const heldAtBatch: number[] = [];
    const partialOut = async (ctx: TaskContext): Promise<arrow.RecordBatch[]> => {
      const out: arrow.RecordBatch[] = [];
      for (let p = 0; p < partial.outputPartitions; p++)
        for await (const b of partial.execute(p, ctx)) {
          out.push(b);
          if (ctx.memory instanceof LimitedPool) heldAtBatch.push(ctx.memory.counts.used);
        }
      return out;
    };
    const unlimited = await partialOut(taskCtx(256));
    const spill = new MemorySpill();
    const pool = new LimitedPool(64 * 1024);
    const early = await partialOut({ ...taskCtx(256), memory: pool, spill });
    // Partial states go on early, never to disk: more partial rows than without a budget.
    const count = (bs: arrow.RecordBatch[]): number => bs.reduce((n, b) => n + b.numRows, 0);
    expect(count(early)).toBeGreaterThan(count(unlimited));
    expect(spill.written).toBe(0);
    expect(pool.counts.used).toBe(0);
    // States sent on early come after their table's memory was released (the consumer needs it).
    expect(heldAtBatch.filter((b) => b === 0).length).toBeGreaterThan(2);
    const final = (batches: arrow.RecordBatch[]): HashAggregateExec =>
      new HashAggregateExec({
        input: new MemoryExec(partialSchema, [batches]),
        mode: 'final',
        groupBy: keys.map((k, i) => ({ expr: new ColumnExpr(i, k.expr.type), name: k.name })),
        aggregates: aggs,
        groupingSets: null,
        groupingIdName: null,
        schema: outSchema(aggs),
      });
    const want = canonical(await collectRows(final(unlimited), taskCtx(256)));
    const finalSpill = new MemorySpill();
    const limit = 64 * 1024;
    const ctx = spilledCtx(limit, finalSpill);
    expect(canonical(await collectRows(final(early), ctx))).toEqual(want);
    check(ctx, finalSpill, limit);
  });

  it('grouping sets with a DISTINCT aggregate spill with their grouping id', async () => {
    const aggs = [agg('count', []), agg('sum', [3]), agg('count', [5], true), agg('max', [5])];
    const mk = (): HashAggregateExec =>
      new HashAggregateExec({
        input: source(ds, data, 200),
        mode: 'single',
        groupBy: keys,
        aggregates: aggs,
        groupingSets: [[0, 1], [0], [1], []],
        groupingIdName: 'spark_grouping_id',
        schema: outSchema(aggs, true),
      });
    const want = canonical(await collectRows(mk(), taskCtx(256)));
    expect(want.filter((r) => r[2] === 3n)).toEqual([[null, null, 3n, 12000n, expect.anything(), 40n, 's9']]);
    const spill = new MemorySpill();
    const limit = 96 * 1024;
    const ctx = spilledCtx(limit, spill);
    expect(canonical(await collectRows(mk(), ctx))).toEqual(want);
    check(ctx, spill, limit);
  });

  it('final mode with grouping sets spills its states with the grouping id as a key', async () => {
    const aggs = [agg('count', []), agg('sum', [3]), agg('avg', [4]), agg('max', [5])];
    const sets = [[0, 1], [0], []];
    const partialSchema = schema([
      field('k', T.string),
      field('j', T.int),
      field('spark_grouping_id', T.bigint, false),
      ...aggs.flatMap((a, i) =>
        a.createAccumulator(evalCtx).stateTypes.map((t, s) => field(`a${i}_state${s}`, t)),
      ),
    ]);
    const partial = new HashAggregateExec({
      input: source(ds, data, 200, 2),
      mode: 'partial',
      groupBy: keys,
      aggregates: aggs,
      groupingSets: sets,
      groupingIdName: 'spark_grouping_id',
      schema: partialSchema,
    });
    const states: arrow.RecordBatch[] = [];
    for (let p = 0; p < 2; p++) for await (const b of partial.execute(p, taskCtx(256))) states.push(b);
    const final = new HashAggregateExec({
      input: new MemoryExec(partialSchema, [states]),
      mode: 'final',
      groupBy: keys.map((k, i) => ({ expr: new ColumnExpr(i, k.expr.type), name: k.name })),
      aggregates: aggs,
      groupingSets: sets,
      groupingIdName: 'spark_grouping_id',
      schema: outSchema(aggs, true),
    });
    const want = canonical(await collectRows(final, taskCtx(256)));
    expect(want.filter((r) => r[2] === 1n).length).toBeGreaterThan(500);
    const spill = new MemorySpill();
    const limit = 64 * 1024;
    const ctx = spilledCtx(limit, spill);
    expect(canonical(await collectRows(final, ctx))).toEqual(want);
    check(ctx, spill, limit);
  });

  it('without GROUP BY there is one group: nothing to spill, a state over the budget is 53200', async () => {
    const mk = (aggs: AggregateExpr[]): HashAggregateExec =>
      new HashAggregateExec({
        input: source(ds, data, 200),
        mode: 'single',
        groupBy: [],
        aggregates: aggs,
        groupingSets: null,
        groupingIdName: null,
        schema: schema(aggs.map((a) => field(a.name, a.type))),
      });
    const spill = new MemorySpill();
    const small = [agg('count', []), agg('sum', [3]), agg('min', [5])];
    expect(await collectRows(mk(small), spilledCtx(4096, spill))).toEqual(
      await collectRows(mk(small), taskCtx(256)),
    );
    await expect(collectRows(mk([agg('collect_list', [5])]), spilledCtx(8 * 1024, spill))).rejects.toThrow(
      /HashAggregateExec refused/,
    );
    expect(spill.written).toBe(0);
  });

  it('one group larger than the budget fails with 53200 after the last re-partitioning, its files removed', async () => {
    const one: Value[][] = data.map((r, i) => ['k', 1, r[2]!, r[3]!, r[4]!, `value ${i}`]);
    const aggs = [agg('collect_list', [5])];
    const agg1 = new HashAggregateExec({
      input: source(ds, one, 200),
      mode: 'single',
      groupBy: keys,
      aggregates: aggs,
      groupingSets: null,
      groupingIdName: null,
      schema: outSchema(aggs),
    });
    const spill = new MemorySpill();
    const err = await collectRows(agg1, spilledCtx(32 * 1024, spill)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).sqlstate).toBe('53200');
    expect((err as EngineError).message).toMatch(/HashAggregateExec split its spilled groups 4 times/);
    expect(spill.written).toBeGreaterThan(0);
    expect(spill.live.size).toBe(0);
  });

  it('removes its files when its consumer stops early or its input fails', async () => {
    const aggs = withDistinct();
    const mk = (input: MemoryExec): HashAggregateExec =>
      new HashAggregateExec({
        input,
        mode: 'single',
        groupBy: keys,
        aggregates: aggs,
        groupingSets: null,
        groupingIdName: null,
        schema: outSchema(aggs),
      });
    const spill = new MemorySpill();
    for await (const b of mk(source(ds, data, 200)).execute(0, spilledCtx(256 * 1024, spill))) {
      expect(b.numRows).toBeGreaterThan(0);
      break;
    }
    expect(spill.written).toBeGreaterThan(0);
    expect(spill.live.size).toBe(0);

    class FailingExec extends MemoryExec {
      override async *execute(partition: number): AsyncGenerator<arrow.RecordBatch> {
        yield* super.execute(partition);
        throw new EngineError('22012', 'division by zero');
      }
    }
    const spill2 = new MemorySpill();
    const failing = mk(new FailingExec(ds, source(ds, data, 200).partitions));
    await expect(collectRows(failing, spilledCtx(256 * 1024, spill2))).rejects.toThrow(/division by zero/);
    expect(spill2.written).toBeGreaterThan(0);
    expect(spill2.live.size).toBe(0);
  });

  it('a final aggregate over one exchange partition still spreads its groups over every spill partition', () => {
    // The rows of exchange partition 0 of 4: the spill hash must not put them all in one place.
    const n = 4000;
    const k = new Int32Array(n);
    for (let i = 0; i < n; i++) k[i] = i;
    const cols = [makeColumn(T.int, k, n, null)];
    const exchange = new Int32Array(n);
    hashPartitions(cols, [T.int], n, 4, exchange);
    const mine = Int32Array.from(k.filter((_, i) => exchange[i] === 0));
    const parts = new Int32Array(mine.length);
    spillPartitions([makeColumn(T.int, mine, mine.length, null)], [T.int], mine.length, 16, 0, parts);
    const sizes = new Array<number>(16).fill(0);
    for (const p of parts) sizes[p]!++;
    expect(Math.min(...sizes)).toBeGreaterThan(mine.length / 16 / 2);
    // And each level splits a partition again.
    const again = new Int32Array(mine.length);
    spillPartitions([makeColumn(T.int, mine, mine.length, null)], [T.int], mine.length, 16, 1, again);
    const zero = new Set(Array.from(again).filter((_, i) => parts[i] === 0));
    expect(zero.size).toBeGreaterThan(8);
  });
});
