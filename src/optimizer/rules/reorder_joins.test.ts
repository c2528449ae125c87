import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import * as b from '../test-support.ts';
import { reorderJoins } from './reorder_joins.ts';

const customer = b.table('tpch.customer', [['c_custkey', T.bigint]], 1_500);
const orders = b.table(
  'tpch.orders',
  [
    ['o_orderkey', T.bigint],
    ['o_custkey', T.bigint],
  ],
  15_000,
);
const lineitem = b.table('tpch.lineitem', [['l_orderkey', T.bigint]], 60_000);

describe('reorder_joins', () => {
  it('starts from the largest input, adds inputs connected by equalities smallest first, keeps the output order', () => {
    const env = b.testEnv();
    const c = env.scan(customer);
    const o = env.scan(orders);
    const l = env.scan(lineitem);
    const co = env.join(c, o, 'inner', b.eq(b.c(c, 'c_custkey'), b.c(o, 'o_custkey')));
    const plan = env.join(co, l, 'inner', b.eq(b.c(l, 'l_orderkey'), b.c(o, 'o_orderkey')));
    expect(b.runRules(plan, env.ctx(), [reorderJoins])).toBe(
      [
        'Projection: c_custkey, o_orderkey, o_custkey, l_orderkey',
        '  Inner Join: c_custkey = o_custkey',
        '    Inner Join: l_orderkey = o_orderkey',
        '      TableScan: tpch.lineitem',
        '      TableScan: tpch.orders',
        '    TableScan: tpch.customer',
      ].join('\n'),
    );
  });

  it('never introduces a cross product when an equi-join path exists', () => {
    const env = b.testEnv();
    const c = env.scan(customer);
    const o = env.scan(orders);
    const l = env.scan(lineitem);
    // customer × lineitem as written, joined to orders last.
    const cl = env.join(c, l, 'cross');
    const cond = b.andE(
      b.eq(b.c(c, 'c_custkey'), b.c(o, 'o_custkey')),
      b.eq(b.c(l, 'l_orderkey'), b.c(o, 'o_orderkey')),
    );
    const plan = env.join(cl, o, 'inner', cond);
    const text = b.runRules(plan, env.ctx(), [reorderJoins]);
    expect(text).not.toContain('Cross Join');
    expect(text).toContain('Inner Join: l_orderkey = o_orderkey');
  });

  it('leaves a join already in the chosen order alone', () => {
    const env = b.testEnv();
    const o = env.scan(orders);
    const c = env.scan(customer);
    const plan = env.join(o, c, 'inner', b.eq(b.c(c, 'c_custkey'), b.c(o, 'o_custkey')));
    expect(b.runRules(plan, env.ctx(), [reorderJoins])).toBe(
      ['Inner Join: c_custkey = o_custkey', '  TableScan: tpch.orders', '  TableScan: tpch.customer'].join(
        '\n',
      ),
    );
  });
});
