import { describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { EngineError, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { createFunctionRegistry } from '../create-registry.ts';
import type { AggregateFunctionDef, EvalContext, GroupsAccumulator } from '../registry.ts';

const reg = createFunctionRegistry();
const ctx: EvalContext = {
  ansi: true,
  timeZone: 'UTC',
  queryStartMicros: 0n,
  currentDatabase: 'default',
  currentUser: 'u',
};
const INT: DataType = { kind: 'int' };
const dec = (p: number, s: number): DataType => ({ kind: 'decimal', precision: p, scale: s });

function agg(name: string, argTypes: DataType[]): { acc: () => GroupsAccumulator; returnType: DataType } {
  const def = reg.lookup(name) as AggregateFunctionDef;
  const sig = def.resolve(argTypes, { ansi: true, literalArgs: [] });
  return { acc: () => def.createAccumulator(sig.argTypes, sig.returnType, ctx), returnType: sig.returnType };
}

function values(data: arrow.Data, t: DataType): Value[] {
  return Array.from({ length: data.length }, (_, i) => valueAt(data, t, i));
}

/** Runs rows through one accumulator, and through two partial ones merged into a final one. */
function both(
  name: string,
  types: DataType[],
  cols: Value[][],
  groups: number[],
  numGroups: number,
): { direct: Value[]; merged: Value[]; type: DataType } {
  const { acc, returnType } = agg(name, types);
  const data = cols.map((c, k) => columnFromValues(types[k]!, c));
  const gids = Int32Array.from(groups);
  const direct = acc();
  direct.update(data, gids, numGroups, groups.length, null);
  const half = Math.floor(groups.length / 2);
  const parts = [0, 1].map((p) => {
    const a = acc();
    const lo = p === 0 ? 0 : half;
    const hi = p === 0 ? half : groups.length;
    const slice = cols.map((c, k) => columnFromValues(types[k]!, c.slice(lo, hi)));
    a.update(slice, gids.slice(lo, hi), numGroups, hi - lo, null);
    return a.state();
  });
  const final = acc();
  for (const st of parts)
    final.merge(
      st,
      Int32Array.from({ length: numGroups }, (_, i) => i),
      numGroups,
      st[0]!.length,
    );
  return {
    direct: values(direct.evaluate(), returnType),
    merged: values(final.evaluate(), returnType),
    type: returnType,
  };
}

describe('aggregates', () => {
  it('count, count(*) and count_if with NULLs and empty groups', () => {
    const r = both('count', [INT], [[1, null, 3, 4]], [0, 0, 1, 1], 3);
    expect(r.direct).toEqual([1n, 2n, 0n]);
    expect(r.merged).toEqual([1n, 2n, 0n]);
    const star = agg('count', []).acc();
    star.update([], Int32Array.of(0, 0, 1), 2, 3, null);
    expect(values(star.evaluate(), { kind: 'bigint' })).toEqual([2n, 1n]);
    const ci = both('count_if', [{ kind: 'boolean' }], [[true, false, null, true]], [0, 0, 0, 1], 2);
    expect(ci.direct).toEqual([1n, 1n]);
  });

  it('rows per group handed to count, sum and avg: used where the argument has no NULL, else ignored', () => {
    const t = dec(15, 2);
    const gids = Int32Array.of(0, 1, 0, -1, 1, 0);
    const mask = Uint8Array.of(1, 1, 1, 0, 1, 1);
    const rows = Float64Array.of(3, 2);
    const full = columnFromValues(t, [100n, 250n, -50n, 999n, 1n, 7n]);
    const holes = columnFromValues(t, [100n, null, -50n, 999n, null, 7n]);
    const run = (name: string, types: DataType[], args: arrow.Data[]): Value[] => {
      const { acc, returnType } = agg(name, types);
      const a = acc();
      a.update(args, gids, 2, 6, mask, rows);
      return values(a.evaluate(), returnType);
    };
    expect(run('count', [], [])).toEqual([3n, 2n]);
    expect(run('count', [t], [holes])).toEqual([3n, 0n]);
    expect(run('sum', [t], [full])).toEqual([57n, 251n]);
    expect(run('sum', [t], [holes])).toEqual([57n, null]);
    // avg(decimal(15,2)) is decimal(19,6): 0.57 / 3 = 0.190000, 2.51 / 2 = 1.255000
    expect(run('avg', [t], [full])).toEqual([190000n, 1255000n]);
    expect(run('avg', [t], [holes])).toEqual([190000n, null]);
  });

  it('avg shares the state of a sum over the same decimal or double column, not over integers', () => {
    const t = dec(15, 2);
    const gids = Int32Array.of(0, 1, 0);
    const col = columnFromValues(t, [100n, 250n, -50n]);
    const sum = agg('sum', [t]);
    const avg = agg('avg', [t]);
    const s = sum.acc();
    const a = avg.acc();
    expect(a.share!(s)).toBe(true);
    // Only the earlier one adds (an update of both would count every row twice).
    s.update([col], gids, 2, 3, null);
    a.update([col], gids, 2, 3, null);
    expect(values(s.evaluate(), sum.returnType)).toEqual([50n, 250n]);
    expect(values(a.evaluate(), avg.returnType)).toEqual([250000n, 2500000n]);
    expect(a.size()).toBe(0);
    // Merging partial states: the follower ignores its states, the earlier one merges its own.
    const fs = sum.acc();
    const fa = avg.acc();
    expect(fa.share!(fs)).toBe(true);
    for (const [x, y] of [
      [s.state(), a.state()],
      [s.state(), a.state()],
    ] as const) {
      fs.merge(x, Int32Array.of(0, 1), 2, 2);
      fa.merge(y, Int32Array.of(0, 1), 2, 2);
    }
    expect(values(fs.evaluate(), sum.returnType)).toEqual([100n, 500n]);
    expect(values(fa.evaluate(), avg.returnType)).toEqual([250000n, 2500000n]);
    // Integers: sum's state is a bigint, avg's a double — kept apart.
    expect(agg('avg', [INT]).acc().share!(agg('sum', [INT]).acc())).toBe(false);
    // Another input type: kept apart.
    expect(agg('avg', [dec(12, 2)]).acc().share!(s)).toBe(false);
  });

  it('sum of ints is bigint; overflow is 22003', () => {
    const r = both('sum', [INT], [[2147483647, 2147483647, null, -1]], [0, 0, 0, 1], 3);
    expect(r.type).toEqual({ kind: 'bigint' });
    expect(r.direct).toEqual([4294967294n, -1n, null]);
    expect(r.merged).toEqual([4294967294n, -1n, null]);
    const big = both.bind(null, 'sum', [{ kind: 'bigint' }], [[1n << 62n, 1n << 62n]], [0, 0], 1);
    expect(() => big()).toThrow(EngineError);
  });

  it('sum of bigints wraps around with ANSI off, also across partial states', () => {
    const BIG: DataType = { kind: 'bigint' };
    const def = reg.lookup('sum') as AggregateFunctionDef;
    const legacy = { ...ctx, ansi: false };
    const mk = () => def.createAccumulator([BIG], BIG, legacy);
    const q = 1n << 62n;
    const direct = mk();
    direct.update([columnFromValues(BIG, [q, q, q, 1n, null])], Int32Array.from([0, 0, 0, 0, 1]), 2, 5, null);
    expect(values(direct.evaluate(), BIG)).toEqual([BigInt.asIntN(64, 3n * q + 1n), null]);
    const parts = [0, 1].map(() => {
      const a = mk();
      a.update([columnFromValues(BIG, [q, q])], Int32Array.from([0, 0]), 1, 2, null);
      return a.state();
    });
    const final = mk();
    for (const st of parts) final.merge(st, Int32Array.from([0]), 1, 1);
    expect(values(final.evaluate(), BIG)).toEqual([0n]);
  });

  it('sum of decimals is exact with type decimal(p+10, s)', () => {
    const t = dec(15, 2);
    const vals: Value[] = [];
    const groups: number[] = [];
    for (let i = 0; i < 2000; i++) {
      vals.push(i % 7 === 0 ? null : BigInt(999999999999999 - i * 3));
      groups.push(i % 3);
    }
    let want = [0n, 0n, 0n];
    vals.forEach((v, i) => {
      if (v !== null) want[groups[i]!] = want[groups[i]!]! + (v as bigint);
    });
    const r = both('sum', [t], [vals], groups, 3);
    expect(r.type).toEqual(dec(25, 2));
    expect(r.direct).toEqual(want);
    expect(r.merged).toEqual(want);
    want = [];
  });

  it('sum of decimal(38) uses 128-bit values', () => {
    const t = dec(38, 0);
    const r = both('sum', [t], [[10n ** 36n, 10n ** 36n, 5n]], [0, 0, 1], 2);
    expect(r.type).toEqual(dec(38, 0));
    expect(r.direct).toEqual([2n * 10n ** 36n, 5n]);
  });

  it('avg: double for ints, decimal(p+4, s+4) HALF_UP for decimals', () => {
    const r = both('avg', [INT], [[1, 2, null, 4]], [0, 0, 0, 1], 3);
    expect(r.direct).toEqual([1.5, 4, null]);
    expect(r.merged).toEqual([1.5, 4, null]);
    const d = both('avg', [dec(15, 2)], [[100n, 200n, 200n, 1n, 1n, 0n]], [0, 0, 0, 1, 1, 1], 2);
    expect(d.type).toEqual(dec(19, 6));
    // (1.00 + 2.00 + 2.00) / 3 = 1.666667 (HALF_UP); (0.01 + 0.01 + 0) / 3 = 0.006667
    expect(d.direct).toEqual([1666667n, 6667n]);
    expect(d.merged).toEqual([1666667n, 6667n]);
  });

  it('min/max of numbers, decimals, strings (bytes) and dates', () => {
    expect(both('min', [INT], [[3, null, 1, 7]], [0, 0, 0, 1], 3).merged).toEqual([1, 7, null]);
    expect(both('max', [dec(12, 2)], [[3n, -5n, 10n ** 11n]], [0, 0, 1], 2).merged).toEqual([3n, 10n ** 11n]);
    const S: DataType = { kind: 'string' };
    const r = both('max', [S], [['b', 'é', 'a', null, 'zz', 'z']], [0, 0, 0, 1, 1, 1], 2);
    expect(r.direct).toEqual(['é', 'zz']);
    expect(r.merged).toEqual(['é', 'zz']);
    expect(both('min', [S], [['b', 'é', 'a']], [0, 0, 0], 1).merged).toEqual(['a']);
    expect(both('min', [{ kind: 'date' }], [[10, -3, null]], [0, 0, 0], 1).merged).toEqual([-3]);
    expect(both('max', [{ kind: 'double' }], [[1, NaN, 2]], [0, 0, 0], 1).merged).toEqual([NaN]);
  });

  it('bool_and / bool_or', () => {
    const B: DataType = { kind: 'boolean' };
    expect(both('bool_and', [B], [[true, false, true, null]], [0, 0, 1, 2], 3).merged).toEqual([
      false,
      true,
      null,
    ]);
    expect(both('every', [B], [[true, true]], [0, 0], 1).merged).toEqual([true]);
    expect(both('bool_or', [B], [[true, false, false, null]], [0, 0, 1, 2], 3).merged).toEqual([
      true,
      false,
      null,
    ]);
  });

  it('first / last with and without ignoreNulls', () => {
    expect(both('first', [INT], [[null, 2, 3]], [0, 0, 0], 1).direct).toEqual([null]);
    expect(
      both(
        'first',
        [INT, { kind: 'boolean' }],
        [
          [null, 2, 3],
          [true, true, true],
        ],
        [0, 0, 0],
        1,
      ).direct,
    ).toEqual([2]);
    expect(both('last', [INT], [[1, 2, 3, 4]], [0, 0, 0, 0], 1).merged).toEqual([4]);
  });

  it('collect_rows keeps NULLs and orders by position, also across partial states', () => {
    const BIG: DataType = { kind: 'bigint' };
    const r = both(
      'collect_rows',
      [INT, BIG],
      [
        [30, null, 10, 20, 5],
        [3n, 2n, 1n, null, 1n],
      ],
      [0, 0, 0, 0, 1],
      3,
    );
    // group 0: positions 3, 2, 1, NULL → 10, NULL, 30, then 20 (NULL last); group 2 has no rows
    expect(r.direct).toEqual([[10, null, 30, 20], [5], []]);
    expect(r.merged).toEqual(r.direct);
    expect(both('collect_rows', [INT], [[2, null, 1]], [0, 0, 0], 1).direct).toEqual([[2, null, 1]]);
  });

  it('listagg / string_agg joins the non-NULL values, NULL when there are none', () => {
    const S: DataType = { kind: 'string' };
    const r = both(
      'string_agg',
      [S, S],
      [
        ['a', null, 'b', 'c'],
        [', ', ', ', ', ', ', '],
      ],
      [0, 0, 0, 1],
      3,
    );
    expect(r.direct).toEqual(['a, b', 'c', null]);
    expect(r.merged).toEqual(r.direct);
    expect(both('listagg', [S], [['x', 'y']], [0, 0], 1).direct).toEqual(['xy']);
  });

  it('variance family: NULL for n < 2 in samp, merge matches direct', () => {
    const xs = [2, 4, 4, 4, 5, 5, 7, 9, 1, null];
    const g = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1];
    const pop = both('var_pop', [INT], [xs], g, 2);
    expect(pop.direct[0]).toBeCloseTo(4, 12);
    expect(pop.merged[0]).toBeCloseTo(4, 12);
    expect(pop.direct[1]).toBe(0);
    const samp = both('stddev_samp', [INT], [xs], g, 2);
    expect(samp.direct[0]).toBeCloseTo(Math.sqrt(32 / 7), 12);
    expect(samp.direct[1]).toBeNull();
    expect(both('stddev', [{ kind: 'double' }], [[1.5]], [0], 1).direct).toEqual([null]);
  });

  it('min_by / max_by', () => {
    expect(
      both(
        'max_by',
        [{ kind: 'string' }, INT],
        [
          ['a', 'b', 'c'],
          [1, 3, 2],
        ],
        [0, 0, 0],
        1,
      ).merged,
    ).toEqual(['b']);
    expect(
      both(
        'min_by',
        [{ kind: 'string' }, INT],
        [
          ['a', 'b', 'c'],
          [1, null, 0],
        ],
        [0, 0, 0],
        1,
      ).merged,
    ).toEqual(['c']);
  });

  it('an aggregate FILTER mask skips rows', () => {
    const { acc, returnType } = agg('sum', [INT]);
    const a = acc();
    a.update([columnFromValues(INT, [1, 2, 3])], Int32Array.of(0, 0, 0), 1, 3, Uint8Array.of(1, 0, 1));
    expect(values(a.evaluate(), returnType)).toEqual([4n]);
  });
});
