import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import type { LogicalPlan } from '../../plan/index.ts';
import * as b from '../test-support.ts';
import { DEFAULT_SIZE_IN_BYTES, estimatePlan, UNKNOWN_ROWS } from './estimate.ts';
import { customer, days, lineitem, nation, orders, region } from './tpch-test-support.ts';

const rows = (p: LogicalPlan): number => estimatePlan(p).rowCount;

describe('estimatePlan', () => {
  it('scans: rows from statistics, size = rows × (8 + column widths), column statistics by id', () => {
    const env = b.testEnv();
    const n = env.scan(nation);
    const est = estimatePlan(n);
    expect(est.rowCount).toBe(25);
    // 8 (row) + 8 (bigint) + 8 + 12 (string of average length 8) + 8 (bigint)
    expect(est.sizeInBytes).toBe(25 * (8 + 8 + (8 + 12) + 8));
    expect(est.fromStatistics).toBe(true);
    expect(est.columns.get(b.attr(n, 'n_nationkey').id)).toMatchObject({
      min: 0,
      max: 24,
      distinctCount: 25,
      nullCount: 0,
    });
    expect(estimatePlan(n)).toBe(est); // memoized per node object
  });

  it('equality: 1/ndv inside [min, max], nothing outside', () => {
    const env = b.testEnv();
    const n = env.scan(nation);
    expect(rows(env.filter(n, b.eq(b.c(n, 'n_regionkey'), b.bigint(3n))))).toBe(5);
    expect(rows(env.filter(n, b.eq(b.c(n, 'n_regionkey'), b.bigint(7n))))).toBe(0);
    const f = env.filter(n, b.eq(b.c(n, 'n_name'), b.str('FRANCE')));
    expect(rows(f)).toBe(1);
    expect(estimatePlan(f).columns.get(b.attr(n, 'n_name').id)?.distinctCount).toBe(1);
  });

  it('ranges interpolate over [min, max] and narrow the column for the next conjunct', () => {
    const env = b.testEnv();
    const o = env.scan(orders);
    const date = (iso: string) => b.lit(days(iso), T.date);
    const year = env.filter(
      o,
      b.andE(
        b.bin('>=', b.c(o, 'o_orderdate'), date('1994-01-01')),
        b.lt(b.c(o, 'o_orderdate'), date('1995-01-01')),
      ),
    );
    const span = days('1998-08-02') - days('1992-01-01');
    const first = (days('1998-08-02') - days('1994-01-01')) / span;
    const second = (days('1995-01-01') - days('1994-01-01')) / (days('1998-08-02') - days('1994-01-01'));
    expect(rows(year)).toBe(Math.ceil(1_500_000 * first * second));
    expect(estimatePlan(year).columns.get(b.attr(o, 'o_orderdate').id)).toMatchObject({
      min: days('1994-01-01'),
      max: days('1995-01-01'),
    });
    // entirely above / below the column's range
    expect(rows(env.filter(o, b.gt(b.c(o, 'o_orderdate'), date('1999-01-01'))))).toBe(0);
    expect(rows(env.filter(o, b.gt(b.c(o, 'o_orderdate'), date('1990-01-01'))))).toBe(1_500_000);
    // Spark's boundary case: x > min keeps all but the minimum's share (1/ndv)
    expect(rows(env.filter(o, b.gt(b.c(o, 'o_orderdate'), date('1992-01-01'))))).toBe(
      Math.ceil(1_500_000 * (1 - 1 / 2406)),
    );
  });

  it('IN lists, IS NULL, OR and NOT', () => {
    const env = b.testEnv();
    const n = env.scan(nation);
    const regionIn = (vals: bigint[]) => ({
      kind: 'in_list' as const,
      input: b.c(n, 'n_regionkey'),
      list: vals.map((v) => b.bigint(v)),
      negated: false,
    });
    expect(rows(env.filter(n, regionIn([1n, 2n, 9n])))).toBe(10); // 9 is outside [0, 4]
    expect(rows(env.filter(n, b.isNull(b.c(n, 'n_regionkey'))))).toBe(0);
    const either = env.filter(
      n,
      b.orE(b.eq(b.c(n, 'n_regionkey'), b.bigint(1n)), b.eq(b.c(n, 'n_regionkey'), b.bigint(2n))),
    );
    expect(rows(either)).toBe(9); // 25 × (0.2 + 0.2 − 0.2 · 0.2)
    expect(rows(env.filter(n, b.not(b.eq(b.c(n, 'n_regionkey'), b.bigint(1n)))))).toBe(20);
  });

  it('fixed defaults where statistics are missing', () => {
    const env = b.testEnv();
    const t = env.scan(
      b.table(
        'db.t',
        [
          ['s', T.string],
          ['x', T.int],
        ],
        100_000,
      ),
    );
    expect(rows(env.filter(t, b.eq(b.c(t, 's'), b.str('a'))))).toBe(10_000);
    expect(rows(env.filter(t, b.gt(b.c(t, 'x'), b.int(3))))).toBe(33_334);
    expect(rows(env.filter(t, b.call('like', [b.c(t, 's'), b.str('%a%')], T.boolean)))).toBe(10_000);
    expect(rows(env.filter(t, b.call('some_udf', [b.c(t, 'x')], T.boolean)))).toBe(50_000);
    // a small table's column names its rows: one of 25
    const small = env.scan(b.table('db.small', [['name', T.string]], 25));
    expect(rows(env.filter(small, b.eq(b.c(small, 'name'), b.str('FRANCE'))))).toBe(1);
  });

  it('equi-joins: |L|·|R| / max(ndv) of the most selective key pair', () => {
    const env = b.testEnv();
    const c = env.scan(customer);
    const o = env.scan(orders);
    const l = env.scan(lineitem);
    const co = env.join(c, o, 'inner', b.eq(b.c(c, 'c_custkey'), b.c(o, 'o_custkey')));
    expect(rows(co)).toBe(1_500_000); // 150K × 1.5M / 150K
    const lo = env.join(l, o, 'inner', b.eq(b.c(l, 'l_orderkey'), b.c(o, 'o_orderkey')));
    expect(rows(lo)).toBe(6_001_215);
    // two key pairs: the more selective one decides (Spark): o_custkey = n_regionkey, whose
    // larger distinct count (o_custkey's) divides, not the nation keys' 25
    const s = env.scan(nation);
    const twoKeys = env.join(
      co,
      s,
      'inner',
      b.andE(
        b.eq(b.c(c, 'c_nationkey'), b.c(s, 'n_nationkey')),
        b.eq(b.c(o, 'o_custkey'), b.c(s, 'n_regionkey')),
      ),
    );
    expect(rows(twoKeys)).toBe(Math.ceil((1_500_000 * 25) / 99_996));
    // cross product
    expect(rows(env.join(env.scan(region), env.scan(nation), 'cross'))).toBe(125);
    // disjoint key ranges: nothing joins
    const r = env.scan(region);
    const n = env.scan(nation);
    const disjoint = env.join(
      env.filter(r, b.gt(b.c(r, 'r_regionkey'), b.bigint(3n))),
      env.filter(n, b.lt(b.c(n, 'n_regionkey'), b.bigint(2n))),
      'inner',
      b.eq(b.c(r, 'r_regionkey'), b.c(n, 'n_regionkey')),
    );
    expect(rows(disjoint)).toBe(0);
  });

  it('without distinct counts, a key is bounded by the domain of the table it comes from', () => {
    const env = b.testEnv();
    // no column statistics at all: only row counts
    const p = env.scan(
      b.table(
        'db.part',
        [
          ['p_partkey', T.bigint],
          ['p_name', T.string],
        ],
        20_000,
      ),
    );
    const l = env.scan(b.table('db.lineitem', [['l_partkey', T.bigint]], 600_000));
    const n = env.scan(b.table('db.nation', [['n_nationkey', T.bigint]], 25));
    const c = env.scan(b.table('db.customer', [['c_nationkey', T.bigint]], 15_000));
    // a foreign key meets its table: one row per lineitem
    expect(rows(env.join(l, p, 'inner', b.eq(b.c(l, 'l_partkey'), b.c(p, 'p_partkey'))))).toBe(600_000);
    // … and a tenth of the parts keeps a tenth of the lineitems (the domain of p_partkey stays 20K)
    const some = env.filter(p, b.call('like', [b.c(p, 'p_name'), b.str('%green%')], T.boolean));
    expect(rows(some)).toBe(2_000);
    expect(rows(env.join(l, some, 'inner', b.eq(b.c(l, 'l_partkey'), b.c(some, 'p_partkey'))))).toBe(60_000);
    // a column of a 25-row table has at most 25 values: customers × nations / 25
    expect(rows(env.join(c, n, 'inner', b.eq(b.c(c, 'c_nationkey'), b.c(n, 'n_nationkey'))))).toBe(15_000);
  });

  it('outer, semi and anti joins', () => {
    const env = b.testEnv();
    const c = env.scan(customer);
    const o = env.scan(orders);
    const cond = b.eq(b.c(c, 'c_custkey'), b.c(o, 'o_custkey'));
    // customers with orders: two thirds of them (o_custkey has ~100K values of 150K)
    const semi = env.join(c, o, 'left_semi', cond);
    expect(rows(semi)).toBe(Math.ceil(150_000 * (99_996 / 150_000)));
    const anti = env.join(c, o, 'left_anti', cond);
    expect(rows(anti)).toBe(Math.ceil(150_000 * (1 - 99_996 / 150_000)));
    // an anti join keeps at least a tenth of its input
    const l = env.scan(lineitem);
    const ol = env.join(o, l, 'left_anti', b.eq(b.c(o, 'o_orderkey'), b.c(l, 'l_orderkey')));
    expect(rows(ol)).toBe(150_000);
    expect(rows(env.join(c, o, 'left', cond))).toBe(1_500_000);
    const small = env.filter(o, b.eq(b.c(o, 'o_orderkey'), b.bigint(1n)));
    expect(rows(env.join(c, small, 'left', cond))).toBe(150_000);
    expect(rows(env.join(small, c, 'full', cond))).toBe(150_000);
  });

  it('aggregates: product of the keys distinct counts, at most the input; one row without keys', () => {
    const env = b.testEnv();
    const n = env.scan(nation);
    const byRegion = env.aggregate(n, [b.c(n, 'n_regionkey')], [[b.agg('count', [], T.bigint), 'cnt']]);
    expect(rows(byRegion)).toBe(5);
    const byBoth = env.aggregate(n, [b.c(n, 'n_regionkey'), b.c(n, 'n_nationkey')], []);
    expect(rows(byBoth)).toBe(25);
    expect(rows(env.aggregate(n, [], [[b.agg('count', [], T.bigint), 'cnt']]))).toBe(1);
    // a string column without a distinct count: at most the rows of its table
    const t = env.scan(b.table('db.small', [['s', T.string]], 7));
    expect(rows(env.aggregate(env.join(t, env.scan(customer), 'cross'), [b.c(t, 's')], []))).toBe(7);
  });

  it('limits, unions, values and ranges', () => {
    const env = b.testEnv();
    const n = env.scan(nation);
    expect(rows(env.limit(n, 10))).toBe(10);
    expect(rows(env.limit(n, 100, 20))).toBe(5);
    const v = env.values(
      [
        ['a', T.int],
        ['s', T.string],
      ],
      [
        [1, 'x'],
        [3, 'y'],
        [3, null],
      ],
    );
    const est = estimatePlan(v);
    expect(est.rowCount).toBe(3);
    expect(est.sizeInBytes).toBe(3 * (8 + 4 + 20)); // Spark's LocalRelation: rows × row size
    expect(est.columns.get(b.attr(v, 'a').id)).toMatchObject({
      distinctCount: 2,
      min: 1,
      max: 3,
      nullCount: 0,
    });
    expect(est.columns.get(b.attr(v, 's').id)).toMatchObject({ distinctCount: 2, nullCount: 1 });
    const u: LogicalPlan = {
      kind: 'SetOp',
      op: 'union',
      all: true,
      left: n,
      right: n,
      output: [env.newAttr('k', T.bigint, false)],
    };
    expect(rows(u)).toBe(50);
    const range: LogicalPlan = {
      kind: 'Range',
      start: 0n,
      end: 100n,
      step: 3n,
      numPartitions: null,
      output: [env.newAttr('id', T.bigint, false)],
    };
    expect(estimatePlan(range)).toMatchObject({ rowCount: 34 });
  });

  it('tables without a row count: rows from the file size; nothing known: huge but finite; never throws', () => {
    const env = b.testEnv();
    const csv = env.scan({
      qualifiedName: ['db', 'csv'],
      schema: { fields: [{ name: 'a', type: T.int, nullable: true }] },
      statistics: () => ({ rowCount: null, totalBytes: 8000 }),
    } as b.FakeTable);
    expect(rows(csv)).toBe(1000); // 7 text bytes per int + a separator
    expect(estimatePlan(csv).fromStatistics).toBe(false);
    const broken = env.scan({
      qualifiedName: ['db', 'broken'],
      schema: { fields: [{ name: 'a', type: T.int, nullable: true }] },
      statistics: () => {
        throw new Error('unreadable');
      },
    } as b.FakeTable);
    expect(estimatePlan(broken)).toMatchObject({
      rowCount: UNKNOWN_ROWS,
      sizeInBytes: DEFAULT_SIZE_IN_BYTES,
    });
    const wt: LogicalPlan = { kind: 'WorkTable', cteId: 1, output: [env.newAttr('x', T.int, true)] };
    const joined = env.join(wt, broken, 'cross');
    expect(Number.isFinite(estimatePlan(joined).rowCount)).toBe(true);
    expect(estimatePlan(joined).sizeInBytes).toBe(DEFAULT_SIZE_IN_BYTES);
  });
});
