import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { EngineError, T, field, schema, type Value } from '../../common/index.ts';
import type { TaskContext } from '../execution-plan.ts';
import { LimitedPool, MemorySpill } from './memory-test-support.ts';
import { ExchangeExec } from './exchange-exec.ts';
import { SortExec } from './sort-exec.ts';
import { ColumnExpr, MemoryExec, collectRows, source, taskCtx } from './test-support.ts';

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

describe('SortExec over its memory budget', () => {
  // Many ties on (k, s): `i` (the input position) shows that the external sort stays stable.
  const rows: Value[][] = Array.from({ length: 6000 }, (_, i) => [
    i % 17 === 0 ? null : ['b', 'a', 'ä', 'c', ''][(i * 7) % 5]!,
    i % 23 === 0 ? null : (i * 31) % 11,
    i,
  ]);
  const keys = [
    { expr: new ColumnExpr(0, T.string), ascending: false, nullsFirst: false },
    { expr: new ColumnExpr(1, T.double), ascending: true, nullsFirst: true },
  ];
  const spilledCtx = (limit: number, spill: MemorySpill): TaskContext => ({
    ...taskCtx(64),
    memory: new LimitedPool(limit),
    spill,
  });

  it('spills sorted runs and merges them (in several passes when few fit) into the in-memory answer', async () => {
    const want = await collectRows(new SortExec({ input: source(s, rows, 100), keys }), taskCtx(64));
    const passes: number[] = [];
    for (const limit of [64 * 1024, 24 * 1024, 12 * 1024]) {
      const spill = new MemorySpill();
      const ctx = spilledCtx(limit, spill);
      const got = await collectRows(new SortExec({ input: source(s, rows, 100), keys }), ctx);
      expect(got).toEqual(want);
      expect(spill.written).toBeGreaterThan(2);
      expect(spill.live.size).toBe(0);
      expect((ctx.memory as LimitedPool).counts.peak).toBeLessThanOrEqual(limit);
      expect((ctx.memory as LimitedPool).counts.used).toBe(0);
      // Its passes: the final merge, and each merge of the first runs into one before it.
      expect(spill.passes).toBe(spill.merged + 1);
      passes.push(spill.passes);
    }
    // All runs merged at once under the largest budget; in several rounds under the smallest.
    expect(passes[0]).toBe(1);
    expect(passes[2]).toBeGreaterThan(1);
  });

  it('removes its runs when its consumer stops early or its input fails', async () => {
    const spill = new MemorySpill();
    const ctx = spilledCtx(24 * 1024, spill);
    const sort = new SortExec({ input: source(s, rows, 100), keys });
    for await (const b of sort.execute(0, ctx)) {
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
    const input = source(s, rows, 100);
    const failing = new SortExec({ input: new FailingExec(s, input.partitions), keys });
    const spill2 = new MemorySpill();
    await expect(collectRows(failing, spilledCtx(24 * 1024, spill2))).rejects.toThrow(/division by zero/);
    expect(spill2.written).toBeGreaterThan(0);
    expect(spill2.live.size).toBe(0);
  });

  it('a top-K sort and a sort without spill space stay in memory: over the budget, 53200', async () => {
    const spill = new MemorySpill();
    const top = new SortExec({ input: source(s, rows, 100), keys, fetch: 10 });
    const want = (await collectRows(new SortExec({ input: source(s, rows, 100), keys }))).slice(0, 10);
    expect(await collectRows(top, spilledCtx(24 * 1024, spill))).toEqual(want);
    expect(spill.written).toBe(0);
    const plain = new SortExec({ input: source(s, rows, 100), keys });
    await expect(collectRows(plain, { ...taskCtx(64), memory: new LimitedPool(24 * 1024) })).rejects.toThrow(
      /SortExec refused/,
    );
  });
});
