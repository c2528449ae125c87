/**
 * The co-moment and higher-moment accumulators against a naive two-pass reference on random data,
 * in one pass and as partial states of uneven partitions merged (in both orders).
 */
import { describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { T, columnFromValues, valueAt, type Value } from '../../common/index.ts';
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

function make(name: string, arity: number): () => GroupsAccumulator {
  const def = reg.lookup(name) as AggregateFunctionDef;
  const types = Array.from({ length: arity }, () => T.double);
  const sig = def.resolve(types, { ansi: true, literalArgs: [] });
  return () => def.createAccumulator(sig.argTypes, sig.returnType, ctx);
}

function results(data: arrow.Data): Value[] {
  return Array.from({ length: data.length }, (_, i) => valueAt(data, T.double, i));
}

/** A seeded generator (mulberry32), so a failure reproduces. */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Naive two-pass figures of the pairs (ys[i], xs[i]) with both non-NULL. */
function reference(name: string, ys: (number | null)[], xs: (number | null)[]): number | null {
  const pairs = ys.flatMap((y, i) => (y === null || xs[i] === null ? [] : [[y, xs[i]!] as const]));
  const n = pairs.length;
  if (n === 0) return null;
  const my = pairs.reduce((s, p) => s + p[0], 0) / n;
  const mx = pairs.reduce((s, p) => s + p[1], 0) / n;
  const sxx = pairs.reduce((s, p) => s + (p[1] - mx) ** 2, 0);
  const syy = pairs.reduce((s, p) => s + (p[0] - my) ** 2, 0);
  const sxy = pairs.reduce((s, p) => s + (p[1] - mx) * (p[0] - my), 0);
  const m = (k: number): number => pairs.reduce((s, p) => s + (p[0] - my) ** k, 0);
  switch (name) {
    case 'covar_pop':
      return sxy / n;
    case 'covar_samp':
      return n < 2 ? null : sxy / (n - 1);
    case 'corr':
      return n < 2 ? null : sxy / Math.sqrt(sxx * syy);
    case 'regr_sxx':
      return sxx;
    case 'regr_syy':
      return syy;
    case 'regr_sxy':
      return sxy;
    case 'regr_slope':
      return sxx === 0 ? null : sxy / sxx;
    case 'regr_intercept':
      return sxx === 0 ? null : my - (sxy / sxx) * mx;
    case 'regr_r2':
      return sxx === 0 ? null : syy === 0 ? 1 : (sxy * sxy) / (sxx * syy);
    case 'skewness':
      return syy === 0 ? null : (Math.sqrt(n) * m(3)) / Math.sqrt(m(2) ** 3);
    case 'kurtosis':
      return syy === 0 ? null : (n * m(4)) / (m(2) * m(2)) - 3;
    default:
      throw new Error(name);
  }
}

function close(actual: Value[], expected: (number | null)[]): void {
  expect(actual.length).toBe(expected.length);
  actual.forEach((a, g) => {
    const e = expected[g]!;
    if (e === null) expect(a).toBeNull();
    else expect(Math.abs((a as number) - e)).toBeLessThanOrEqual(1e-9 * Math.max(1, Math.abs(e)));
  });
}

const NAMES = [
  'covar_pop',
  'covar_samp',
  'corr',
  'regr_sxx',
  'regr_syy',
  'regr_sxy',
  'regr_slope',
  'regr_intercept',
  'regr_r2',
  'skewness',
  'kurtosis',
];

describe('statistical aggregates', () => {
  it.each(NAMES)('%s: one pass and merged partitions agree with a two-pass reference', (name) => {
    const next = rng(name.length * 7919);
    const unary = name === 'skewness' || name === 'kurtosis';
    const rows = 500;
    const groups = 4;
    // group 3 gets no rows; values sit on a large offset with small deviations
    const gids = Int32Array.from({ length: rows }, () => Math.floor(next() * 3));
    const gen = (): (number | null)[] =>
      Array.from({ length: rows }, () => (next() < 0.1 ? null : 1e6 + Math.round(next() * 1000) / 8));
    const ys = gen();
    const xs = gen();
    const cols = unary ? [ys] : [ys, xs];
    const expected = Array.from({ length: groups }, (_, g) => {
      const pick = (c: (number | null)[]): (number | null)[] => c.filter((_, i) => gids[i] === g);
      return reference(name, pick(ys), unary ? pick(ys) : pick(xs));
    });
    const acc = make(name, cols.length);
    const direct = acc();
    direct.update(
      cols.map((c) => columnFromValues(T.double, c)),
      gids,
      groups,
      rows,
      null,
    );
    close(results(direct.evaluate()), expected);
    // uneven partitions, merged forwards and backwards
    const cuts = [0, 1, 37, 260, 261, rows];
    const states = cuts.slice(1).map((hi, k) => {
      const lo = cuts[k]!;
      const part = acc();
      part.update(
        cols.map((c) => columnFromValues(T.double, c.slice(lo, hi))),
        gids.slice(lo, hi),
        groups,
        hi - lo,
        null,
      );
      return part.state();
    });
    for (const order of [states, [...states].reverse()]) {
      const final = acc();
      for (const st of order)
        final.merge(
          st,
          Int32Array.from({ length: groups }, (_, g) => g),
          groups,
          groups,
        );
      close(results(final.evaluate()), expected);
    }
  });

  it('constant input: corr is NaN, skewness and kurtosis NULL, regr_r2 1 for a constant y', () => {
    const ys = [2, 2, 2];
    const xs = [1, 5, 9];
    const run = (name: string, cols: number[][]): Value => {
      const a = make(name, cols.length)();
      a.update(
        cols.map((c) => columnFromValues(T.double, c)),
        Int32Array.of(0, 0, 0),
        1,
        3,
        null,
      );
      return results(a.evaluate())[0]!;
    };
    expect(run('corr', [ys, xs])).toBeNaN();
    expect(run('skewness', [ys])).toBeNull();
    expect(run('kurtosis', [ys])).toBeNull();
    expect(run('regr_r2', [ys, xs])).toBe(1);
    expect(run('regr_r2', [xs, ys])).toBeNull();
  });
});
