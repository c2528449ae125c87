import { describe, expect, it } from 'vitest';
import { EngineError, T, field, schema } from '../../common/index.ts';
import { CoalescePartitionsExec } from './coalesce-partitions-exec.ts';
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

describe('UnionExec / CoalescePartitionsExec', () => {
  it('union lists the partitions of all inputs', async () => {
    const u = new UnionExec({ inputs: [source(s, rows, 2, 2), source(s, rows.slice(0, 1), 2, 1)] });
    expect(u.outputPartitions).toBe(3);
    expect(sortRows(await collectRows(u))).toEqual(sortRows([...rows, rows[0]!]));
  });
  it('coalesce merges partitions, and closes inputs when the consumer stops', async () => {
    const input = source(s, [...rows, ...rows, ...rows, ...rows], 1, 3);
    const c = new CoalescePartitionsExec({ input, maxBuffered: 2 });
    expect(sortRows(await collectRows(c))).toEqual(sortRows([...rows, ...rows, ...rows, ...rows]));
    const input2 = source(s, [...rows, ...rows, ...rows, ...rows], 1, 3);
    const l = new LimitExec({
      input: new CoalescePartitionsExec({ input: input2, maxBuffered: 2 }),
      limit: 1,
    });
    expect((await collectRows(l)).length).toBe(1);
    expect(input2.closed).toBe(3);
    expect(input2.pulled).toBeLessThan(20);
  });
  it('coalesce of empty partitions is empty', async () => {
    expect(await collectRows(new CoalescePartitionsExec({ input: source(s, [], 1, 3) }))).toEqual([]);
  });
});
