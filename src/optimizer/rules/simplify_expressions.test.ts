import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import { explainLogical } from '../../plan/index.ts';
import * as b from '../test-support.ts';
import { simplifyExpressions } from './simplify_expressions.ts';

const t = b.table('db.t', [
  ['a', T.int, true],
  ['k', T.int, false],
]);

function setup() {
  const env = b.testEnv();
  const s = env.scan(t);
  const run = (plan: Parameters<typeof explainLogical>[0]): string =>
    b.runRules(plan, env.ctx(), [simplifyExpressions]);
  return { env, s, run };
}

describe('simplify_expressions', () => {
  it('folds constants and removes AND true', () => {
    const { env, s, run } = setup();
    const plan = env.filter(s, b.andE(b.gt(b.c(s, 'a'), b.bin('+', b.int(1), b.int(2))), b.bool(true)));
    expect(explainLogical(plan)).toBe('Filter: a > Int32(1) + Int32(2) AND Boolean(true)\n  TableScan: db.t');
    expect(run(plan)).toBe('Filter: a > Int32(3)\n  TableScan: db.t');
  });

  it('removes a filter that folds to true and empties one that folds to false or NULL', () => {
    const { env, s, run } = setup();
    expect(run(env.filter(s, b.eq(b.int(1), b.int(1))))).toBe('TableScan: db.t');
    expect(run(env.filter(s, b.eq(b.int(1), b.int(2))))).toBe('Values: output=[a, k], rows=[]');
    expect(run(env.filter(s, b.eq(b.int(1), b.nullOf(T.int))))).toBe('Values: output=[a, k], rows=[]');
    expect(run(env.filter(s, b.andE(b.gt(b.c(s, 'a'), b.int(0)), b.bool(false))))).toBe(
      'Values: output=[a, k], rows=[]',
    );
  });

  it('leaves an expression that fails to evaluate unfolded (the error belongs to run time)', () => {
    const { env, s, run } = setup();
    const plan = env.project(s, [[b.bin('/', b.int(1), b.int(0)), 'x']]);
    expect(run(plan)).toBe('Projection: Int32(1) / Int32(0) AS x\n  TableScan: db.t');
  });

  it('never folds non-deterministic calls', () => {
    const { env, s, run } = setup();
    const plan = env.filter(s, b.gt(b.call('rand', [], T.double), b.lit(0.5, T.double)));
    expect(run(plan)).toBe('Filter: rand() > Float64(0.5)\n  TableScan: db.t');
    const custom = env.filter(s, b.gt(b.call('my_udf', [], T.double), b.lit(0.5, T.double)));
    const ctx = env.ctx({ isDeterministic: (n) => n !== 'my_udf', evaluateConstant: () => 1 });
    expect(b.runRules(custom, ctx, [simplifyExpressions])).toBe(
      'Filter: my_udf() > Float64(0.5)\n  TableScan: db.t',
    );
  });

  it('simplifies OR with three-valued logic', () => {
    const { env, s, run } = setup();
    expect(run(env.filter(s, b.orE(b.gt(b.c(s, 'a'), b.int(1)), b.bool(true))))).toBe('TableScan: db.t');
    expect(run(env.filter(s, b.orE(b.gt(b.c(s, 'a'), b.int(1)), b.bool(false))))).toBe(
      'Filter: a > Int32(1)\n  TableScan: db.t',
    );
    // x OR NULL is not x: it is NULL where x is false.
    expect(run(env.filter(s, b.orE(b.gt(b.c(s, 'a'), b.int(1)), b.bool(null))))).toBe(
      'Filter: a > Int32(1) OR NULL\n  TableScan: db.t',
    );
  });

  it('removes NOT NOT and negates comparisons', () => {
    const { env, s, run } = setup();
    expect(run(env.filter(s, b.not(b.not(b.gt(b.c(s, 'a'), b.int(1))))))).toBe(
      'Filter: a > Int32(1)\n  TableScan: db.t',
    );
    expect(run(env.filter(s, b.not(b.gt(b.c(s, 'a'), b.int(1)))))).toBe(
      'Filter: a <= Int32(1)\n  TableScan: db.t',
    );
  });

  it('folds x = x only for a non-nullable x', () => {
    const { env, s, run } = setup();
    expect(run(env.filter(s, b.eq(b.c(s, 'k'), b.c(s, 'k'))))).toBe('TableScan: db.t');
    expect(run(env.filter(s, b.eq(b.c(s, 'a'), b.c(s, 'a'))))).toBe('Filter: a = a\n  TableScan: db.t');
    expect(run(env.filter(s, b.isNull(b.c(s, 'k'))))).toBe('Values: output=[a, k], rows=[]');
    expect(run(env.filter(s, b.isNull(b.c(s, 'a'))))).toBe('Filter: a IS NULL\n  TableScan: db.t');
  });

  it('factors conjuncts common to every branch out of an OR (TPC-H Q19)', () => {
    const { env, s, run } = setup();
    const common = b.eq(b.c(s, 'a'), b.c(s, 'k'));
    const plan = env.filter(
      s,
      b.orE(
        b.orE(b.andE(common, b.gt(b.c(s, 'a'), b.int(1))), b.andE(b.gt(b.c(s, 'k'), b.int(2)), common)),
        b.andE(common, b.gt(b.c(s, 'a'), b.int(3))),
      ),
    );
    expect(run(plan)).toBe(
      'Filter: a = k AND (a > Int32(1) OR k > Int32(2) OR a > Int32(3))\n  TableScan: db.t',
    );
    // A branch that is only the common part makes the whole OR that part.
    expect(run(env.filter(s, b.orE(common, b.andE(common, b.gt(b.c(s, 'a'), b.int(1))))))).toBe(
      'Filter: a = k\n  TableScan: db.t',
    );
    // Nothing in common: unchanged.
    const none = env.filter(s, b.orE(b.gt(b.c(s, 'a'), b.int(1)), b.gt(b.c(s, 'k'), b.int(2))));
    expect(run(none)).toBe(explainLogical(none));
  });

  it('removes casts to the same type', () => {
    const { env, s, run } = setup();
    const plan = env.project(s, [
      [b.cast(b.c(s, 'a'), T.int), 'x'],
      [b.cast(b.c(s, 'a'), T.bigint), 'y'],
    ]);
    expect(run(plan)).toBe('Projection: a AS x, CAST(a AS bigint) AS y\n  TableScan: db.t');
  });
});
