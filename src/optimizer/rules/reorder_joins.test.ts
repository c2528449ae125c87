import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import { outputOf, type Expr, type LogicalPlan } from '../../plan/index.ts';
import { estimatePlan } from '../cost/estimate.ts';
import { joinTreeCost } from '../cost/join-order.ts';
import { optimize } from '../optimizer.ts';
import * as b from '../test-support.ts';
import {
  customer,
  days,
  lineitem,
  nation,
  orders,
  part,
  partsupp,
  region,
  supplier,
} from '../cost/tpch-test-support.ts';
import { reorderJoins } from './reorder_joins.ts';

type Env = b.TestEnv;

/** Joins `plans` left-deep as written, each with the conjuncts that first become resolvable. */
function writtenOrder(env: Env, plans: LogicalPlan[], conditions: Expr[]): LogicalPlan {
  let tree = plans[0]!;
  let pending = [...conditions];
  for (const p of plans.slice(1)) {
    const next = env.join(tree, p, 'inner');
    const ids = new Set(outputOf(next).map((a) => a.id));
    const here = pending.filter((c) => [...refs(c)].every((id) => ids.has(id)));
    pending = pending.filter((c) => !here.includes(c));
    tree = env.join(
      tree,
      p,
      here.length === 0 ? 'cross' : 'inner',
      here.reduce<Expr | null>((a, c) => (a === null ? c : b.andE(a, c)), null),
    );
  }
  return tree;
}

function refs(e: Expr): Set<number> {
  const out = new Set<number>();
  const walk = (x: Expr): void => {
    if (x.kind === 'column') out.add(x.attr.id);
    if (x.kind === 'binary') {
      walk(x.left);
      walk(x.right);
    }
  };
  walk(e);
  return out;
}

/** Every join of the plan has at most as many estimated rows on the right as on the left. */
function smallerOnTheRight(plan: LogicalPlan): boolean {
  if (plan.kind === 'Join' && estimatePlan(plan.right).rowCount > estimatePlan(plan.left).rowCount)
    return false;
  const kids = plan.kind === 'Join' ? [plan.left, plan.right] : 'input' in plan ? [plan.input] : [];
  return kids.every(smallerOnTheRight);
}

/**
 * The least cost (joinTreeCost) of any left-deep order of `relations` without cross products,
 * found by depth-first search: the dynamic programming, which also considers bushy trees, must do
 * at least as well.
 */
function bestLeftDeepCost(env: Env, relations: LogicalPlan[], conditions: Expr[]): number {
  let best = Infinity;
  const visit = (tree: LogicalPlan, used: Set<number>, pending: Expr[]): void => {
    if (used.size === relations.length) {
      best = Math.min(best, joinTreeCost(tree));
      return;
    }
    relations.forEach((r, i) => {
      if (used.has(i)) return;
      const ids = new Set([...outputOf(tree), ...outputOf(r)].map((a) => a.id));
      const here = pending.filter((c) => [...refs(c)].every((id) => ids.has(id)));
      if (here.length === 0) return;
      const cond = here.reduce((a, c) => b.andE(a, c));
      visit(
        env.join(tree, r, 'inner', cond),
        new Set([...used, i]),
        pending.filter((c) => !here.includes(c)),
      );
    });
  };
  relations.forEach((r, i) => visit(r, new Set([i]), conditions));
  return best;
}

function reordered(env: Env, plan: LogicalPlan): { text: string; plan: LogicalPlan } {
  const result = optimize(plan, env.ctx(), [{ name: 'test', strategy: 'once', rules: [reorderJoins] }]).plan;
  return { text: b.runRules(result, env.ctx(), []), plan: result };
}

interface JoinShape {
  readonly relations: LogicalPlan[];
  readonly conditions: Expr[];
}

function q5(env: Env): JoinShape {
  const c = env.scan(customer);
  const o = env.scan(orders);
  const l = env.scan(lineitem);
  const s = env.scan(supplier);
  const n = env.scan(nation);
  const r = env.scan(region);
  const oFiltered = env.filter(
    o,
    b.andE(
      b.bin('>=', b.c(o, 'o_orderdate'), b.lit(days('1994-01-01'), T.date)),
      b.lt(b.c(o, 'o_orderdate'), b.lit(days('1995-01-01'), T.date)),
    ),
  );
  const rFiltered = env.filter(r, b.eq(b.c(r, 'r_name'), b.str('ASIA')));
  return {
    relations: [c, oFiltered, l, s, n, rFiltered],
    conditions: [
      b.eq(b.c(c, 'c_custkey'), b.c(o, 'o_custkey')),
      b.eq(b.c(l, 'l_orderkey'), b.c(o, 'o_orderkey')),
      b.eq(b.c(l, 'l_suppkey'), b.c(s, 's_suppkey')),
      b.eq(b.c(c, 'c_nationkey'), b.c(s, 's_nationkey')),
      b.eq(b.c(s, 's_nationkey'), b.c(n, 'n_nationkey')),
      b.eq(b.c(n, 'n_regionkey'), b.c(r, 'r_regionkey')),
    ],
  };
}

function q8(env: Env): JoinShape {
  const p = env.scan(part);
  const s = env.scan(supplier);
  const l = env.scan(lineitem);
  const o = env.scan(orders);
  const c = env.scan(customer);
  const n1 = env.scan(nation, 'n1');
  const n2 = env.scan(nation, 'n2');
  const r = env.scan(region);
  const pFiltered = env.filter(p, b.eq(b.c(p, 'p_type'), b.str('ECONOMY ANODIZED STEEL')));
  const oFiltered = env.filter(
    o,
    b.andE(
      b.bin('>=', b.c(o, 'o_orderdate'), b.lit(days('1995-01-01'), T.date)),
      b.bin('<=', b.c(o, 'o_orderdate'), b.lit(days('1996-12-31'), T.date)),
    ),
  );
  const rFiltered = env.filter(r, b.eq(b.c(r, 'r_name'), b.str('AMERICA')));
  return {
    relations: [pFiltered, s, l, oFiltered, c, n1, n2, rFiltered],
    conditions: [
      b.eq(b.c(p, 'p_partkey'), b.c(l, 'l_partkey')),
      b.eq(b.c(s, 's_suppkey'), b.c(l, 'l_suppkey')),
      b.eq(b.c(l, 'l_orderkey'), b.c(o, 'o_orderkey')),
      b.eq(b.c(o, 'o_custkey'), b.c(c, 'c_custkey')),
      b.eq(b.c(c, 'c_nationkey'), b.c(n1, 'n_nationkey')),
      b.eq(b.c(n1, 'n_regionkey'), b.c(r, 'r_regionkey')),
      b.eq(b.c(s, 's_nationkey'), b.c(n2, 'n_nationkey')),
    ],
  };
}

function q9(env: Env): JoinShape {
  const p = env.scan(part);
  const s = env.scan(supplier);
  const l = env.scan(lineitem);
  const ps = env.scan(partsupp);
  const o = env.scan(orders);
  const n = env.scan(nation);
  const pFiltered = env.filter(p, b.call('like', [b.c(p, 'p_name'), b.str('%green%')], T.boolean));
  return {
    relations: [pFiltered, s, l, ps, o, n],
    conditions: [
      b.eq(b.c(s, 's_suppkey'), b.c(l, 'l_suppkey')),
      b.eq(b.c(ps, 'ps_suppkey'), b.c(l, 'l_suppkey')),
      b.eq(b.c(ps, 'ps_partkey'), b.c(l, 'l_partkey')),
      b.eq(b.c(p, 'p_partkey'), b.c(l, 'l_partkey')),
      b.eq(b.c(o, 'o_orderkey'), b.c(l, 'l_orderkey')),
      b.eq(b.c(s, 's_nationkey'), b.c(n, 'n_nationkey')),
    ],
  };
}

/** Reorders the shape written in its FROM order; checks what every chosen plan must satisfy. */
function check(env: Env, shape: JoinShape): { text: string; body: string } {
  const plan = writtenOrder(env, shape.relations, shape.conditions);
  const { text, plan: after } = reordered(env, plan);
  expect(text).not.toContain('Cross Join');
  expect(outputOf(after).map((a) => a.id)).toEqual(outputOf(plan).map((a) => a.id));
  expect(smallerOnTheRight(after)).toBe(true);
  // Never worse than the order as written, nor than any left-deep order.
  expect(joinTreeCost(after)).toBeLessThanOrEqual(joinTreeCost(plan));
  expect(joinTreeCost(after)).toBeLessThanOrEqual(
    bestLeftDeepCost(env, shape.relations, shape.conditions) * (1 + 1e-9),
  );
  return { text, body: text.split('\n').slice(1).join('\n') };
}

describe('reorder_joins', () => {
  it('without column statistics: joins the smaller intermediate first, the largest input probes, output order kept', () => {
    const env = b.testEnv();
    const c = env.scan(b.table('tpch.customer', [['c_custkey', T.bigint]], 1_500));
    const o = env.scan(
      b.table(
        'tpch.orders',
        [
          ['o_orderkey', T.bigint],
          ['o_custkey', T.bigint],
        ],
        15_000,
      ),
    );
    const l = env.scan(b.table('tpch.lineitem', [['l_orderkey', T.bigint]], 60_000));
    const co = env.join(c, o, 'inner', b.eq(b.c(c, 'c_custkey'), b.c(o, 'o_custkey')));
    const plan = env.join(co, l, 'inner', b.eq(b.c(l, 'l_orderkey'), b.c(o, 'o_orderkey')));
    expect(b.runRules(plan, env.ctx(), [reorderJoins])).toBe(
      [
        'Projection: c_custkey, o_orderkey, o_custkey, l_orderkey',
        '  Inner Join: l_orderkey = o_orderkey',
        '    TableScan: tpch.lineitem',
        '    Inner Join: c_custkey = o_custkey',
        '      TableScan: tpch.orders',
        '      TableScan: tpch.customer',
      ].join('\n'),
    );
  });

  it('TPC-H Q5: lineitem probes the year of orders (with their customers), then the suppliers of the region', () => {
    const env = b.testEnv();
    const { body } = check(env, q5(env));
    expect(body).toBe(
      [
        '  Inner Join: l_suppkey = s_suppkey AND c_nationkey = s_nationkey',
        '    Inner Join: l_orderkey = o_orderkey',
        '      TableScan: tpch.lineitem',
        '      Inner Join: c_custkey = o_custkey',
        '        Filter: o_orderdate >= Date32("1994-01-01") AND o_orderdate < Date32("1995-01-01")',
        '          TableScan: tpch.orders',
        '        TableScan: tpch.customer',
        '    Inner Join: s_nationkey = n_nationkey',
        '      TableScan: tpch.supplier',
        '      Inner Join: n_regionkey = r_regionkey',
        '        TableScan: tpch.nation',
        '        Filter: r_name = Utf8("ASIA")',
        '          TableScan: tpch.region',
      ].join('\n'),
    );
  });

  it('TPC-H Q8: lineitem meets the parts of the type first; the two nation chains join as small builds', () => {
    const env = b.testEnv();
    const { body } = check(env, q8(env));
    expect(body).toBe(
      [
        '  Inner Join: s_suppkey = l_suppkey',
        '    Inner Join: o_custkey = c_custkey',
        '      Inner Join: l_orderkey = o_orderkey',
        '        Filter: o_orderdate >= Date32("1995-01-01") AND o_orderdate <= Date32("1996-12-31")',
        '          TableScan: tpch.orders',
        '        Inner Join: p_partkey = l_partkey',
        '          TableScan: tpch.lineitem',
        '          Filter: p_type = Utf8("ECONOMY ANODIZED STEEL")',
        '            TableScan: tpch.part',
        '      Inner Join: c_nationkey = n_nationkey#16',
        '        TableScan: tpch.customer',
        '        Inner Join: n_regionkey#18 = r_regionkey',
        '          TableScan: tpch.nation AS n1',
        '          Filter: r_name = Utf8("AMERICA")',
        '            TableScan: tpch.region',
        '    Inner Join: s_nationkey = n_nationkey#19',
        '      TableScan: tpch.supplier',
        '      TableScan: tpch.nation AS n2',
      ].join('\n'),
    );
  });

  it('TPC-H Q9: lineitem meets the filtered parts first; partsupp joins on both keys', () => {
    const env = b.testEnv();
    const { body } = check(env, q9(env));
    const lines = body.split('\n');
    // The first join of lineitem is with the 10% of parts LIKE '%green%' leaves.
    const deepest = lines.findIndex((line) => line.trim() === 'TableScan: tpch.lineitem');
    expect(lines[deepest - 1]!.trim()).toBe('Inner Join: p_partkey = l_partkey');
    expect(body).toContain('Inner Join: ps_suppkey = l_suppkey AND ps_partkey = l_partkey');
  });

  it('beyond ten inputs orders greedily: a chain of twelve joins with no cross product', () => {
    const env = b.testEnv();
    const tables = Array.from({ length: 12 }, (_, i) =>
      env.scan(
        b.table(
          `db.t${i}`,
          [
            [`k${i}`, T.bigint],
            [`f${i}`, T.bigint],
          ],
          1000 * (i + 1),
          {
            [`k${i}`]: { min: 1n, max: BigInt(1000 * (i + 1)), nullCount: 0, distinctCount: 1000 * (i + 1) },
            [`f${i}`]: { min: 1n, max: 1000n, nullCount: 0, distinctCount: 1000 },
          },
        ),
      ),
    );
    // t0.f0 = t1.k1, t1.f1 = t2.k2, …: a chain; written in an order that needs cross products.
    const conditions = tables.slice(1).map((t, i) => b.eq(b.c(tables[i]!, `f${i}`), b.c(t, `k${i + 1}`)));
    const order = [0, 2, 4, 6, 8, 10, 1, 3, 5, 7, 9, 11].map((i) => tables[i]!);
    const plan = writtenOrder(env, order, conditions);
    expect(b.runRules(plan, env.ctx(), [])).toContain('Cross Join');
    const { text, plan: after } = reordered(env, plan);
    expect(text).not.toContain('Cross Join');
    expect(text.match(/Inner Join/g)?.length).toBe(11);
    for (let i = 0; i < 12; i++) expect(text).toContain(`TableScan: db.t${i}\n`.trim());
    expect(smallerOnTheRight(after)).toBe(true);
    expect(outputOf(after).map((a) => a.id)).toEqual(outputOf(plan).map((a) => a.id));
  });

  it('joins disconnected inputs by a cross product only where no condition connects them', () => {
    const env = b.testEnv();
    const c = env.scan(customer);
    const o = env.scan(orders);
    const r = env.scan(region);
    const plan = env.join(
      env.join(c, r, 'cross'),
      o,
      'inner',
      b.eq(b.c(c, 'c_custkey'), b.c(o, 'o_custkey')),
    );
    const { text } = reordered(env, plan);
    expect(text.match(/Cross Join/g)?.length).toBe(1);
    expect(text).toContain('Inner Join: c_custkey = o_custkey');
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

  it('is switched off by kindling.optimizer.disabled_rules = reorder_joins', () => {
    const env = b.testEnv();
    const shape = q5(env);
    const plan = writtenOrder(env, shape.relations, shape.conditions);
    const off = optimize(plan, env.ctx({ disabledRules: new Set(['reorder_joins']) }), [
      { name: 'test', strategy: 'once', rules: [reorderJoins] },
    ]);
    expect(off.plan).toBe(plan);
    expect(off.trace).toEqual([]);
  });
});
