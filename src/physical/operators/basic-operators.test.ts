import { describe, expect, it } from 'vitest';
import { EngineError, T, batchRows, field, schema, type Value } from '../../common/index.ts';
import { ExchangeExec } from './exchange-exec.ts';
import { SortExec } from './sort-exec.ts';
import { EmptyExec } from './empty-exec.ts';
import { FilterExec } from './filter-exec.ts';
import { LimitExec } from './limit-exec.ts';
import { ProjectionExec } from './projection-exec.ts';
import { UnionExec } from './union-exec.ts';
import { ValuesExec } from './values-exec.ts';
import {
  ColumnExpr,
  GreaterThanExpr,
  LiteralExpr,
  collectRows,
  source,
  sortRows,
  taskCtx,
} from './test-support.ts';

const s = schema([field('a', T.int), field('b', T.string)]);
const rows = [
  [1, 'x'],
  [5, null],
  [null, 'z'],
  [7, 'w'],
  [3, 'v'],
];

describe('ValuesExec / EmptyExec', () => {
  it('produces rows, and zero-column rows for SELECT 1', async () => {
    expect(await collectRows(new ValuesExec({ schema: s, rows }))).toEqual(rows);
    const one = new ValuesExec({ schema: schema([]), rows: [[]] });
    const proj = new ProjectionExec({ input: one, exprs: [{ expr: new LiteralExpr(1, T.int), name: '1' }] });
    expect(await collectRows(proj)).toEqual([[1]]);
    expect(proj.explain()).toBe('ProjectionExec: expr=[1]');
  });
  it('splits into batches of batchSize and empty is empty', async () => {
    expect(await collectRows(new ValuesExec({ schema: s, rows }), taskCtx(2))).toEqual(rows);
    expect(await collectRows(new EmptyExec({ schema: s }))).toEqual([]);
  });
});

describe('FilterExec', () => {
  it('keeps TRUE rows, NULL is false, across batches and partitions', async () => {
    const input = source(s, rows, 2, 2);
    const f = new FilterExec({
      input,
      predicate: new GreaterThanExpr(new ColumnExpr(0, T.int, 'a'), new LiteralExpr(2, T.int)),
    });
    expect(sortRows(await collectRows(f))).toEqual(
      sortRows([
        [5, null],
        [7, 'w'],
        [3, 'v'],
      ]),
    );
    expect(f.explain()).toBe('FilterExec: a@0 > 2');
    expect(f.outputPartitions).toBe(2);
  });
  it('passes a batch through untouched when all rows pass', async () => {
    const input = source(
      s,
      [
        [5, 'a'],
        [6, 'b'],
      ],
      10,
    );
    const f = new FilterExec({
      input,
      predicate: new GreaterThanExpr(new ColumnExpr(0, T.int), new LiteralExpr(2, T.int)),
    });
    const out = [];
    for await (const b of f.execute(0, taskCtx())) out.push(b);
    expect(out[0]).toBe(input.partitions[0]![0]);
  });
  it('honours cancellation with 57014', async () => {
    const ac = new AbortController();
    ac.abort();
    const f = new FilterExec({ input: source(s, rows), predicate: new LiteralExpr(true, T.boolean) });
    await expect(collectRows(f, taskCtx(8192, ac.signal))).rejects.toSatisfy(
      (e) =>
        e instanceof EngineError &&
        e.sqlstate === '57014' &&
        e.message === 'canceling statement due to user request',
    );
  });
});

describe('ProjectionExec', () => {
  it('evaluates columns and broadcasts scalars', async () => {
    const p = new ProjectionExec({
      input: source(s, rows, 2),
      exprs: [
        { expr: new ColumnExpr(1, T.string, 'b'), name: 'b' },
        { expr: new LiteralExpr(null, T.int), name: 'n' },
      ],
    });
    expect(await collectRows(p)).toEqual(rows.map((r) => [r[1], null]));
  });
});

describe('LimitExec', () => {
  it('skips offset, takes limit, and stops pulling its input', async () => {
    const input = source(s, [...rows, ...rows, ...rows], 2);
    const l = new LimitExec({ input, limit: 3, offset: 1 });
    expect(await collectRows(l)).toEqual(rows.slice(1, 4));
    expect(input.pulled).toBe(2);
    expect(input.closed).toBe(1);
    expect(l.explain()).toBe('LimitExec: skip=1, fetch=3');
  });
  it('limit 0 pulls nothing; offset past the end gives nothing', async () => {
    const input = source(s, rows, 2);
    expect(await collectRows(new LimitExec({ input, limit: 0 }))).toEqual([]);
    expect(input.pulled).toBe(0);
    expect(await collectRows(new LimitExec({ input, limit: null, offset: 10 }))).toEqual([]);
  });
});

describe('UnionExec / ExchangeExec', () => {
  it('union lists the partitions of all inputs', async () => {
    const u = new UnionExec({ inputs: [source(s, rows, 2, 2), source(s, rows.slice(0, 1), 2, 1)] });
    expect(u.outputPartitions).toBe(3);
    expect(sortRows(await collectRows(u))).toEqual(sortRows([...rows, rows[0]!]));
  });
  it('a gather merges partitions, and closes inputs when the consumer stops', async () => {
    const input = source(s, [...rows, ...rows, ...rows, ...rows], 1, 3);
    const c = new ExchangeExec({ input, kind: 'single' });
    expect(c.explain()).toBe('GatherExec');
    expect(sortRows(await collectRows(c))).toEqual(sortRows([...rows, ...rows, ...rows, ...rows]));
    const input2 = source(s, [...rows, ...rows, ...rows, ...rows], 1, 3);
    const l = new LimitExec({ input: new ExchangeExec({ input: input2, kind: 'single' }), limit: 1 });
    expect((await collectRows(l)).length).toBe(1);
    expect(input2.closed).toBe(3);
    expect(input2.pulled).toBeLessThan(20);
  });
  it('a gather of empty partitions is empty', async () => {
    expect(await collectRows(new ExchangeExec({ input: source(s, [], 1, 3), kind: 'single' }))).toEqual([]);
  });
  it('a hash exchange puts equal keys (NULLs too) in one partition and loses no row', async () => {
    const many: Value[][] = Array.from({ length: 200 }, (_, i) => [i % 7 === 0 ? null : i % 13, `v${i}`]);
    const x = new ExchangeExec({
      input: source(s, many, 9, 3),
      kind: 'hash',
      keys: [new ColumnExpr(0, T.int)],
      count: 4,
    });
    expect(x.explain()).toBe('ShuffleExchangeExec: hash([c0@0], 4)');
    const ctx = taskCtx();
    const seen = new Map<string, number>();
    const all: Value[][] = [];
    for (let p = 0; p < 4; p++) {
      for await (const b of x.execute(p, ctx)) {
        for (const r of batchRows(b, [T.int, T.string])) {
          const key = JSON.stringify(r[0]);
          expect(seen.get(key) ?? p).toBe(p);
          seen.set(key, p);
          all.push(r);
        }
      }
    }
    expect(sortRows(all)).toEqual(sortRows(many));
    expect(new Set(seen.values()).size).toBeGreaterThan(1);
  });
  it('a merging gather yields sorted partitions in one order, stable across partitions', async () => {
    const values: Value[][] = Array.from({ length: 60 }, (_, i) => [(i * 37) % 11, `r${i}`]);
    const key = { expr: new ColumnExpr(0, T.int), ascending: true, nullsFirst: true };
    const sorted = new SortExec({ input: source(s, values, 4, 3), keys: [key] });
    const merged = new ExchangeExec({ input: sorted, kind: 'single', sortKeys: [key] });
    const out = await collectRows(merged, taskCtx(7));
    expect(out.map((r) => r[0])).toEqual(values.map((r) => r[0]).sort((a, b) => Number(a) - Number(b)));
  });
  it('a broadcast yields every row of every partition', async () => {
    const b = new ExchangeExec({ input: source(s, [...rows, ...rows], 1, 3), kind: 'broadcast' });
    expect(b.outputPartitions).toBe(1);
    expect(sortRows(await collectRows(b))).toEqual(sortRows([...rows, ...rows]));
  });
});
