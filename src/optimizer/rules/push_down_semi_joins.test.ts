import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import * as b from '../test-support.ts';
import { pushDownSemiJoins } from './push_down_semi_joins.ts';

const tl = b.table(
  'db.lineitem',
  [
    ['l_orderkey', T.int, true],
    ['l_qty', T.int, true],
  ],
  6_000_000,
);
const to = b.table(
  'db.orders',
  [
    ['o_orderkey', T.int, true],
    ['o_custkey', T.int, true],
  ],
  1_500_000,
);
const ts = b.table('db.sub', [['s_key', T.int, true]], 1000);

function setup() {
  const env = b.testEnv();
  const l = env.scan(tl);
  const o = env.scan(to);
  const s = env.scan(ts);
  const lo = env.join(l, o, 'inner', b.eq(b.c(l, 'l_orderkey'), b.c(o, 'o_orderkey')));
  const run = (plan: Parameters<typeof b.runRules>[0]): string =>
    b.runRules(plan, env.ctx(), [pushDownSemiJoins]);
  return { env, l, o, s, lo, run };
}

describe('push_down_semi_joins', () => {
  it('moves a semi join on one input of an inner join below it', () => {
    const { env, o, s, lo, run } = setup();
    const plan = env.join(lo, s, 'left_semi', b.eq(b.c(o, 'o_orderkey'), b.c(s, 's_key')));
    expect(run(plan)).toBe(
      [
        'Inner Join: l_orderkey = o_orderkey',
        '  TableScan: db.lineitem',
        '  LeftSemi Join: o_orderkey = s_key',
        '    TableScan: db.orders',
        '    TableScan: db.sub',
      ].join('\n'),
    );
  });

  it('moves a semi join of unknown selectivity onto an input no larger than the join', () => {
    // Without distinct counts the join is estimated as large as lineitem: probing orders instead
    // cannot cost more.
    const { env, o, lo, run } = setup();
    const big = env.scan(tl);
    const plan = env.join(lo, big, 'left_semi', b.eq(b.c(o, 'o_orderkey'), b.c(big, 'l_orderkey')));
    expect(run(plan).split('\n')).toEqual([
      'Inner Join: l_orderkey#1 = o_orderkey',
      '  TableScan: db.lineitem',
      '  LeftSemi Join: o_orderkey = l_orderkey#6',
      '    TableScan: db.orders',
      '    TableScan: db.lineitem',
    ]);
  });

  it('leaves a semi join that would filter little an input larger than the join, and anti joins', () => {
    const keyed = { l_orderkey: { min: 1, max: 6_000_000, distinctCount: 1_500_000, nullCount: 0 } };
    const tk = b.table('db.lineitem', [['l_orderkey', T.int, true]], 6_000_000, keyed);
    const tsub = b.table('db.sub', [['s_key', T.int, true]], 1000, {
      s_key: { min: 1, max: 1000, distinctCount: 1000, nullCount: 0 },
    });
    const env = b.testEnv();
    const l = env.scan(tk);
    const s = env.scan(tsub);
    // About 4,000 rows out of the join; the semi join over all of lineitem keeps every row.
    const small = env.join(l, s, 'inner', b.eq(b.c(l, 'l_orderkey'), b.c(s, 's_key')));
    const big = env.scan(tk);
    const unselective = env.join(small, big, 'left_semi', b.eq(b.c(l, 'l_orderkey'), b.c(big, 'l_orderkey')));
    expect(b.runRules(unselective, env.ctx(), [pushDownSemiJoins]).split('\n')[0]).toMatch(/^LeftSemi Join/);
    const { env: env2, l: l2, lo, run } = setup();
    const s2 = env2.scan(ts);
    const anti = env2.join(lo, s2, 'left_anti', b.eq(b.c(l2, 'l_qty'), b.c(s2, 's_key')));
    expect(run(anti).split('\n')[0]).toMatch(/^LeftAnti Join/);
  });

  it('leaves a semi join whose condition needs both inputs, and one above an outer join', () => {
    const { env, l, o, s, lo, run } = setup();
    const both = env.join(
      lo,
      s,
      'left_semi',
      b.andE(b.eq(b.c(o, 'o_orderkey'), b.c(s, 's_key')), b.gt(b.c(l, 'l_qty'), b.c(s, 's_key'))),
    );
    expect(run(both).split('\n')[0]).toBe('LeftSemi Join: o_orderkey = s_key AND l_qty > s_key');
    const outer = env.join(
      env.scan(tl),
      env.scan(to),
      'left',
      b.eq(b.c(l, 'l_orderkey'), b.c(o, 'o_orderkey')),
    );
    const overOuter = env.join(outer, s, 'left_semi', b.eq(b.c(outer, 'o_orderkey'), b.c(s, 's_key')));
    expect(run(overOuter).split('\n')[0]).toMatch(/^LeftSemi Join/);
  });
});
