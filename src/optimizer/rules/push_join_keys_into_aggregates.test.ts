import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import { explainLogical, type LogicalPlan } from '../../plan/index.ts';
import { optimize } from '../optimizer.ts';
import * as b from '../test-support.ts';
import { pushJoinKeysIntoAggregates } from './push_join_keys_into_aggregates.ts';

const tl = b.table(
  'db.lineitem',
  [
    ['l_partkey', T.int, true],
    ['l_qty', T.int, true],
  ],
  6_000_000,
);
const tp = b.table('db.part', [['p_partkey', T.int, true]], 200);

function once(plan: LogicalPlan, env: ReturnType<typeof b.testEnv>): string {
  const batch = { name: 'test', strategy: 'once' as const, rules: [pushJoinKeysIntoAggregates] };
  return explainLogical(optimize(plan, env.ctx(), [batch]).plan);
}

function setup(partRows: LogicalPlan | null = null) {
  const env = b.testEnv();
  const l = env.scan(tl);
  const agg = env.aggregate(l, [b.c(l, 'l_partkey')], [[b.agg('sum', [b.c(l, 'l_qty')], T.bigint), 'total']]);
  const p = partRows ?? env.scan(tp);
  return { env, agg, p };
}

describe('push_join_keys_into_aggregates', () => {
  it('semi-joins the aggregate input with a renamed copy of a much smaller join side', () => {
    const { env, agg, p } = setup();
    const plan = env.join(p, agg, 'inner', b.eq(b.c(p, 'p_partkey'), b.c(agg, 'l_partkey')));
    const lines = once(plan, env).split('\n');
    expect(lines[0]).toMatch(/^Inner Join: p_partkey(#\d+)? = l_partkey$/);
    expect(lines[2]).toMatch(/^ {2}Aggregate/);
    expect(lines[3]).toMatch(/^ {4}LeftSemi Join: l_partkey = p_partkey#\d+$/);
    expect(lines[4]).toBe('      TableScan: db.lineitem');
    expect(lines[5]).toMatch(/^ {6}Rename/);
  });

  it('leaves a join whose other side is not much smaller than the aggregate input', () => {
    const env = b.testEnv();
    const l = env.scan(tl);
    const agg = env.aggregate(
      l,
      [b.c(l, 'l_partkey')],
      [[b.agg('sum', [b.c(l, 'l_qty')], T.bigint), 'total']],
    );
    const big = env.scan(tl);
    const plan = env.join(big, agg, 'inner', b.eq(b.c(big, 'l_partkey'), b.c(agg, 'l_partkey')));
    expect(once(plan, env)).not.toContain('LeftSemi');
  });

  it('leaves a join whose small side has as many rows as the key has values (it would keep every row)', () => {
    // l_partkey ranges over 1..300, and the part side has 200 rows: most keys would match.
    const keyed = b.table(
      'db.lineitem',
      [
        ['l_partkey', T.int, true],
        ['l_qty', T.int, true],
      ],
      6_000_000,
      { l_partkey: { min: 1, max: 300, nullCount: 0 } },
    );
    const env = b.testEnv();
    const l = env.scan(keyed);
    const agg = env.aggregate(
      l,
      [b.c(l, 'l_partkey')],
      [[b.agg('sum', [b.c(l, 'l_qty')], T.bigint), 'total']],
    );
    const p = env.scan(tp);
    const plan = env.join(p, agg, 'inner', b.eq(b.c(p, 'p_partkey'), b.c(agg, 'l_partkey')));
    expect(once(plan, env)).not.toContain('LeftSemi');
  });

  it('bounds two keys together by the product of their values (TPC-H Q20)', () => {
    // 300 parts × 300 suppliers: 200 pairs select few of the 90,000 combinations.
    const stats = { min: 1, max: 300, nullCount: 0 };
    const keyed = b.table(
      'db.lineitem',
      [
        ['l_partkey', T.int, true],
        ['l_suppkey', T.int, true],
        ['l_qty', T.int, true],
      ],
      6_000_000,
      { l_partkey: stats, l_suppkey: stats },
    );
    const tps = b.table(
      'db.partsupp',
      [
        ['ps_partkey', T.int, true],
        ['ps_suppkey', T.int, true],
      ],
      200,
    );
    const env = b.testEnv();
    const l = env.scan(keyed);
    const agg = env.aggregate(
      l,
      [b.c(l, 'l_partkey'), b.c(l, 'l_suppkey')],
      [[b.agg('sum', [b.c(l, 'l_qty')], T.bigint), 'total']],
    );
    const ps = env.scan(tps);
    const on = b.andE(
      b.eq(b.c(ps, 'ps_partkey'), b.c(agg, 'l_partkey')),
      b.eq(b.c(ps, 'ps_suppkey'), b.c(agg, 'l_suppkey')),
    );
    expect(once(env.join(ps, agg, 'inner', on), env)).toContain('LeftSemi');
  });
});
