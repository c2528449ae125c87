import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import type { ScanRowFilter } from '../../catalog/index.ts';
import { EngineError, T, field, makeBatch, schema, type DataType, type Value } from '../../common/index.ts';
import type { TaskContext } from '../execution-plan.ts';
import { columnExpr } from '../expressions/index.ts';
import { HashJoinExec } from './hash-join-exec.ts';
import { KeyFilterExec } from './key-filter-exec.ts';
import type { JoinType } from './join-emitter.ts';
import {
  ColumnExpr,
  MemoryExec,
  collectRows,
  distributed,
  source,
  sortRows,
  taskCtx,
} from './test-support.ts';
import { LimitedPool, MemorySpill } from './memory-test-support.ts';

type Row = Value[];

function join(
  keyType: DataType,
  L: Row[],
  R: Row[],
  joinType: JoinType,
  opts: { nullSafe?: boolean; buildSide?: 'left' | 'right' } = {},
): HashJoinExec {
  const ls = schema([field('lk', keyType), field('x', T.int)]);
  const rs = schema([field('rk', keyType), field('y', T.int)]);
  return new HashJoinExec({
    left: source(ls, L, 2, 2),
    right: source(rs, R, 3, 2),
    joinType,
    leftKeys: [new ColumnExpr(0, keyType, 'lk')],
    rightKeys: [new ColumnExpr(0, keyType, 'rk')],
    nullSafe: [opts.nullSafe ?? false],
    filter: null,
    buildSide: opts.buildSide ?? 'right',
    nullAware: false,
    schema: joinType === 'left_anti' || joinType === 'left_semi' ? ls : schema([...ls.fields, ...rs.fields]),
  });
}

describe('HashJoinExec key paths', () => {
  it('duplicate build keys: every pair, in chunks smaller than one key group', async () => {
    const L: Row[] = [
      [1, 10],
      [2, 20],
      [1, 11],
      [3, 30],
    ];
    const R: Row[] = [
      [1, 100],
      [1, 101],
      [1, 102],
      [2, 200],
      [4, 400],
    ];
    const want: Row[] = [
      [1, 10, 1, 100],
      [1, 10, 1, 101],
      [1, 10, 1, 102],
      [2, 20, 2, 200],
      [1, 11, 1, 100],
      [1, 11, 1, 101],
      [1, 11, 1, 102],
    ];
    for (const batch of [1, 2, 8192]) {
      const got = await collectRows(distributed(join(T.int, L, R, 'inner')), taskCtx(batch));
      expect(sortRows(got)).toEqual(sortRows(want));
    }
    // Within a probe batch, pairs come in probe order, each probe row's matches in build order.
    expect(await collectRows(distributed(join(T.int, L.slice(0, 1), R, 'inner')), taskCtx(2))).toEqual(
      want.slice(0, 3),
    );
  });

  it('decimal(15,2) and bigint keys compare both 32-bit halves', async () => {
    for (const type of [T.decimal(15, 2), T.bigint]) {
      const big = 2n ** 32n;
      const L: Row[] = [
        [5n, 1],
        [5n + big, 2],
        [null, 3],
        [-5n, 4],
      ];
      const R: Row[] = [
        [5n + big, 10],
        [-5n, 20],
        [null, 30],
        [5n + 2n * big, 40],
      ];
      expect(sortRows(await collectRows(distributed(join(type, L, R, 'inner'))))).toEqual(
        sortRows([
          [5n + big, 2, 5n + big, 10],
          [-5n, 4, -5n, 20],
        ]),
      );
      expect(sortRows(await collectRows(distributed(join(type, L, R, 'inner', { nullSafe: true }))))).toEqual(
        sortRows([
          [5n + big, 2, 5n + big, 10],
          [null, 3, null, 30],
          [-5n, 4, -5n, 20],
        ]),
      );
    }
  });

  it('double keys: -0.0 matches 0.0 and NaN matches NaN', async () => {
    const L: Row[] = [
      [-0, 1],
      [NaN, 2],
      [1.5, 3],
    ];
    const R: Row[] = [
      [0, 10],
      [NaN, 20],
      [2.5, 30],
    ];
    const got = await collectRows(distributed(join(T.double, L, R, 'left')));
    expect(got.length).toBe(3);
    expect(got.map((r) => r[3])).toEqual([10, 20, null]);
  });

  it('build rows with a NULL key never match, also when all build keys are distinct', async () => {
    const L: Row[] = [
      [null, 1],
      [7, 2],
    ];
    const R: Row[] = [
      [null, 10],
      [7, 20],
    ];
    for (const buildSide of ['left', 'right'] as const) {
      expect(sortRows(await collectRows(distributed(join(T.int, L, R, 'full', { buildSide }))))).toEqual(
        sortRows([
          [null, 1, null, null],
          [7, 2, 7, 20],
          [null, null, null, 10],
        ]),
      );
      expect(sortRows(await collectRows(distributed(join(T.int, L, R, 'left_anti', { buildSide }))))).toEqual(
        [[null, 1]],
      );
    }
  });

  it('empty build side: probe rows only where preserved', async () => {
    const L: Row[] = [['a', 1]];
    expect(await collectRows(distributed(join(T.string, L, [], 'inner')))).toEqual([]);
    expect(await collectRows(distributed(join(T.string, L, [], 'left')))).toEqual([['a', 1, null, null]]);
  });
});

describe('HashJoinExec over its memory budget', () => {
  const ls = schema([field('lk', T.int), field('x', T.int)]);
  const rs = schema([field('rk', T.int), field('y', T.int)]);
  const spilling = (limit: number, spill: MemorySpill, signal?: AbortSignal): TaskContext => ({
    ...taskCtx(64, signal),
    memory: new LimitedPool(limit),
    spill,
  });
  const L: Row[] = Array.from({ length: 3000 }, (_, i) => [(i * 7) % 1000, i]);
  const R: Row[] = Array.from({ length: 3000 }, (_, i) => [i % 1500, i]);
  const joinOf = (left: MemoryExec, right: MemoryExec, joinType: JoinType = 'inner'): HashJoinExec =>
    new HashJoinExec({
      mode: 'partitioned',
      left,
      right,
      joinType,
      leftKeys: [new ColumnExpr(0, T.int, 'lk')],
      rightKeys: [new ColumnExpr(0, T.int, 'rk')],
      nullSafe: [false],
      filter: null,
      buildSide: 'right',
      nullAware: false,
      schema: schema([...ls.fields, ...rs.fields]),
    });

  it('fails with 53200 naming the operator when one key has more build rows than the budget holds', async () => {
    // 2000 build rows of key 5: no split parts them.
    const skewed: Row[] = Array.from({ length: 3000 }, (_, i) => [i < 2000 ? 5 : i, i]);
    const spill = new MemorySpill();
    const ctx = spilling(12 * 1024, spill);
    const err = await collectRows(joinOf(source(ls, L, 50), source(rs, skewed, 50)), ctx).catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).sqlstate).toBe('53200');
    expect((err as EngineError).message).toMatch(
      /HashJoinExec cannot join .* 2000 build rows share one join key/,
    );
    expect(spill.written).toBeGreaterThan(16);
    expect(spill.live.size).toBe(0);
    expect((ctx.memory as LimitedPool).counts.used).toBe(0);
  });

  it('without spill space, a build side over the budget fails with 53200 as before', async () => {
    const ctx = { ...taskCtx(64), memory: new LimitedPool(12 * 1024) };
    await expect(collectRows(joinOf(source(ls, L, 50), source(rs, R, 50)), ctx)).rejects.toThrow(
      /HashJoinExec refused/,
    );
  });

  it('removes its spill files when its probe side fails, its consumer stops early, or it is cancelled', async () => {
    class FailingExec extends MemoryExec {
      override async *execute(partition: number): AsyncGenerator<arrow.RecordBatch> {
        yield* super.execute(partition);
        throw new EngineError('22012', 'division by zero');
      }
    }
    const failing = new FailingExec(ls, source(ls, L, 50).partitions);
    const spill = new MemorySpill();
    const ctx = spilling(12 * 1024, spill);
    await expect(collectRows(joinOf(failing, source(rs, R, 50)), ctx)).rejects.toThrow(/division by zero/);
    expect(spill.written).toBeGreaterThan(0);
    expect(spill.live.size).toBe(0);
    expect((ctx.memory as LimitedPool).counts.used).toBe(0);

    const early = new MemorySpill();
    for await (const b of joinOf(source(ls, L, 50), source(rs, R, 50)).execute(
      0,
      spilling(12 * 1024, early),
    )) {
      expect(b.numRows).toBeGreaterThan(0);
      break;
    }
    expect(early.written).toBeGreaterThan(0);
    expect(early.live.size).toBe(0);

    const cancel = new AbortController();
    const canceled = new MemorySpill();
    const run = async (): Promise<void> => {
      for await (const _ of joinOf(source(ls, L, 50), source(rs, R, 50)).execute(
        0,
        spilling(12 * 1024, canceled, cancel.signal),
      ))
        cancel.abort();
    };
    await expect(run()).rejects.toThrow(/canceling statement/);
    expect(canceled.written).toBeGreaterThan(0);
    expect(canceled.live.size).toBe(0);
  });

  it('joins inputs hashed on its keys by an exchange: the spill partitions spread them', async () => {
    const want = sortRows(await collectRows(distributed(joinOf(source(ls, L, 50), source(rs, R, 50)), 2)));
    const spill = new MemorySpill();
    // The exchanges hold their rows in memory: a budget beside them.
    const memory = new LimitedPool(160 * 1024);
    const got = await collectRows(distributed(joinOf(source(ls, L, 50), source(rs, R, 50)), 2), {
      ...taskCtx(64),
      memory,
      spill,
    });
    expect(sortRows(got)).toEqual(want);
    expect(spill.written).toBeGreaterThan(0);
    expect(spill.live.size).toBe(0);
  });

  it('a runtime key filter refused memory for the build keys lets every row through instead of failing', async () => {
    /** A source that applies filter steps as a scan does. */
    class ScanLikeExec extends MemoryExec {
      async *executeFiltered(
        partition: number,
        _ctx: TaskContext,
        filter: ScanRowFilter,
      ): AsyncGenerator<arrow.RecordBatch> {
        for await (const b of this.execute(partition)) {
          let kept = b;
          for (const step of filter.steps) {
            const rows = step.keep(
              step.columns.map((c) => kept.data.children[c]!),
              kept.numRows,
            );
            const types = this.schema.fields.map((f) => f.type);
            kept = makeBatch(
              this.schema,
              kept.data.children.map((c, i) => filter.take(c, types[i]!, rows)),
              rows.length,
            );
          }
          yield kept;
        }
      }
    }
    const filter = (): KeyFilterExec =>
      new KeyFilterExec({
        input: new ScanLikeExec(ls, source(ls, L, 50).partitions),
        keys: [columnExpr(ls, 0)],
        source: source(rs, R.slice(0, 500), 50),
        sourceKeys: [columnExpr(rs, 0)],
        nullSafe: [false],
      });
    // With room: only the rows whose key is among the source's 500 keys.
    const filtered = await collectRows(filter());
    expect(filtered).toHaveLength(L.filter((r) => (r[0] as number) < 500).length);
    // Without: every row, and nothing held.
    const memory = new LimitedPool(1024);
    expect(await collectRows(filter(), { ...taskCtx(64), memory })).toHaveLength(L.length);
    expect(memory.counts.used).toBe(0);
  });
});
