import { describe, expect, it } from 'vitest';
import type { EngineError } from '../../common/index.ts';
import { T } from '../../common/index.ts';
import type { LogicalPlan } from '../../plan/index.ts';
import { planHasOuterRef } from '../expr-utils.ts';
import { optimize } from '../optimizer.ts';
import * as b from '../test-support.ts';
import { decorrelateSubqueries } from './decorrelate_subqueries.ts';

const lineitem = b.table('tpch.lineitem', [
  ['l_orderkey', T.bigint],
  ['l_partkey', T.bigint],
  ['l_suppkey', T.bigint],
  ['l_quantity', T.decimal(15, 2)],
  ['l_commitdate', T.date],
  ['l_receiptdate', T.date],
]);
const part = b.table('tpch.part', [
  ['p_partkey', T.bigint],
  ['p_brand', T.string],
]);
const nullablePart = b.table('tpch.part_n', [['p_partkey', T.bigint, true]]);

function decorrelate(env: b.TestEnv, plan: LogicalPlan): { text: string; plan: LogicalPlan } {
  const out = optimize(plan, env.ctx(), [
    { name: 'test', strategy: 'once', rules: [decorrelateSubqueries] },
  ]).plan;
  expect(planHasOuterRef(out)).toBe(false);
  return { text: b.runRules(plan, env.ctx(), [decorrelateSubqueries]), plan: out };
}

describe('decorrelate_subqueries', () => {
  it('Q21: EXISTS and NOT EXISTS with an equality and a non-equi correlated predicate become semi/anti joins', () => {
    const env = b.testEnv();
    const l1 = env.scan(lineitem, 'l1');
    const l2 = env.scan(lineitem, 'l2');
    const l3 = env.scan(lineitem, 'l3');
    const correlated = (l: LogicalPlan): ReturnType<typeof b.andE> =>
      b.andE(
        b.eq(b.c(l, 'l_orderkey'), b.outer(l1, 'l_orderkey')),
        b.ne(b.c(l, 'l_suppkey'), b.outer(l1, 'l_suppkey')),
      );
    const sub2 = env.filter(l2, correlated(l2));
    const sub3 = env.filter(
      l3,
      b.andE(correlated(l3), b.gt(b.c(l3, 'l_receiptdate'), b.c(l3, 'l_commitdate'))),
    );
    const where = b.andE(
      b.andE(b.gt(b.c(l1, 'l_receiptdate'), b.c(l1, 'l_commitdate')), b.exists(sub2)),
      b.notExists(sub3),
    );
    const plan = env.project(env.filter(l1, where), [b.c(l1, 'l_suppkey')]);
    expect(decorrelate(env, plan).text).toBe(
      [
        'Projection: l_suppkey#3',
        '  Filter: l_receiptdate#6 > l_commitdate#5',
        '    LeftAnti Join: l_orderkey#13 = l_orderkey#1 AND l_suppkey#15 <> l_suppkey#3',
        '      LeftSemi Join: l_orderkey#7 = l_orderkey#1 AND l_suppkey#9 <> l_suppkey#3',
        '        TableScan: tpch.lineitem AS l1',
        '        TableScan: tpch.lineitem AS l2',
        '      Filter: l_receiptdate#18 > l_commitdate#17',
        '        TableScan: tpch.lineitem AS l3',
      ].join('\n'),
    );
  });

  it('Q17: a correlated scalar aggregate is grouped by the correlated column and left-joined', () => {
    const env = b.testEnv();
    const p = env.scan(part);
    const li = env.scan(lineitem);
    const ag = env.aggregate(
      env.filter(li, b.eq(b.c(li, 'l_partkey'), b.outer(p, 'p_partkey'))),
      [],
      [[b.agg('avg', [b.c(li, 'l_quantity')], T.decimal(19, 6)), 'avg_q']],
    );
    const sub = env.project(ag, [[b.bin('*', b.dec(2n, 2, 1), b.c(ag, 'avg_q')), 'v']]);
    const l = env.scan(lineitem, 'l');
    const j = env.join(l, p, 'inner', b.eq(b.c(p, 'p_partkey'), b.c(l, 'l_partkey')));
    const plan = env.project(env.filter(j, b.lt(b.c(l, 'l_quantity'), b.scalarSubquery(sub))), [
      b.c(l, 'l_quantity'),
    ]);
    expect(decorrelate(env, plan).text).toBe(
      [
        'Projection: l_quantity#14',
        '  Projection: l_orderkey#11, l_partkey#12, l_suppkey#13, l_quantity#14, l_commitdate#15, l_receiptdate#16, p_partkey, p_brand',
        '    Filter: l_quantity#14 < v',
        '      Left Join: l_partkey#4 = p_partkey',
        '        Inner Join: p_partkey = l_partkey#12',
        '          TableScan: tpch.lineitem AS l',
        '          TableScan: tpch.part',
        '        Projection: Decimal(2,1)("0.2") * avg_q AS v, l_partkey#4',
        '          Aggregate: groupBy=[l_partkey#4], aggr=[avg(l_quantity#6) AS avg_q]',
        '            TableScan: tpch.lineitem',
      ].join('\n'),
    );
    // With the other rules the comparison rejects the NULLs of the left join: it becomes inner.
    // (Join ordering may then put the aggregate below the part scan's join.)
    const full = b.runRules(optimize(plan, env.ctx()).plan, env.ctx(), []);
    expect(full).not.toContain('Left Join');
    expect(full).toMatch(/Inner Join: .*l_quantity#14 < v/);
  });

  it('count bug: count(*) over no matching rows gives 0, not NULL', () => {
    const env = b.testEnv();
    const p = env.scan(part);
    const li = env.scan(lineitem);
    const cnt = env.aggregate(
      env.filter(li, b.eq(b.c(li, 'l_partkey'), b.outer(p, 'p_partkey'))),
      [],
      [[b.agg('count', [], T.bigint), 'n']],
    );
    const plan = env.project(p, [b.c(p, 'p_partkey'), [b.scalarSubquery(cnt), 'cnt']]);
    expect(decorrelate(env, plan).text).toBe(
      [
        'Projection: p_partkey, CASE WHEN match IS NULL THEN Int64(0) ELSE n END AS cnt',
        '  Left Join: l_partkey = p_partkey',
        '    TableScan: tpch.part',
        '    Projection: l_partkey, n, Boolean(true) AS match',
        '      Aggregate: groupBy=[l_partkey], aggr=[count(*) AS n]',
        '        TableScan: tpch.lineitem',
      ].join('\n'),
    );
  });

  it('NOT IN becomes a null-aware anti join when either side is nullable, a plain one otherwise', () => {
    const env = b.testEnv();
    const p = env.scan(nullablePart);
    const l = env.scan(lineitem);
    const plan = env.filter(
      p,
      b.inSubquery([b.c(p, 'p_partkey')], env.project(l, [b.c(l, 'l_partkey')]), true),
    );
    expect(decorrelate(env, plan).text).toBe(
      [
        'LeftAnti Join: p_partkey = l_partkey, nullAware=true',
        '  TableScan: tpch.part_n',
        '  Projection: l_partkey',
        '    TableScan: tpch.lineitem',
      ].join('\n'),
    );
    const p2 = env.scan(part);
    const plain = env.filter(
      p2,
      b.not(b.inSubquery([b.c(p2, 'p_partkey')], env.project(l, [b.c(l, 'l_partkey')]))),
    );
    expect(decorrelate(env, plain).text.split('\n')[0]).toBe('LeftAnti Join: p_partkey = l_partkey');
  });

  it('Q18: IN with an uncorrelated subquery becomes a semi join', () => {
    const env = b.testEnv();
    const p = env.scan(part);
    const l = env.scan(lineitem);
    const g = env.aggregate(
      l,
      [b.c(l, 'l_partkey')],
      [[b.agg('sum', [b.c(l, 'l_quantity')], T.decimal(25, 2)), 'q']],
    );
    const having = env.filter(g, b.gt(b.c(g, 'q'), b.dec(30000n, 25, 2)));
    const sub = env.project(having, [b.c(having, 'l_partkey')]);
    const plan = env.filter(
      p,
      b.andE(b.inSubquery([b.c(p, 'p_partkey')], sub), b.eq(b.c(p, 'p_brand'), b.str('x'))),
    );
    expect(decorrelate(env, plan).text).toBe(
      [
        'Filter: p_brand = Utf8("x")',
        '  LeftSemi Join: p_partkey = l_partkey',
        '    TableScan: tpch.part',
        '    Projection: l_partkey',
        '      Filter: q > Decimal(25,2)("300.00")',
        '        Aggregate: groupBy=[l_partkey], aggr=[sum(l_quantity) AS q]',
        '          TableScan: tpch.lineitem',
      ].join('\n'),
    );
  });

  it('EXISTS under OR becomes a mark join and the output is kept', () => {
    const env = b.testEnv();
    const p = env.scan(part);
    const l = env.scan(lineitem);
    const sub = env.filter(l, b.eq(b.c(l, 'l_partkey'), b.outer(p, 'p_partkey')));
    const plan = env.filter(p, b.orE(b.eq(b.c(p, 'p_brand'), b.str('x')), b.exists(sub)));
    expect(decorrelate(env, plan).text).toBe(
      [
        'Projection: p_partkey, p_brand',
        '  Filter: p_brand = Utf8("x") OR exists IS TRUE',
        '    LeftMark Join: l_partkey = p_partkey, mark=exists',
        '      TableScan: tpch.part',
        '      TableScan: tpch.lineitem',
      ].join('\n'),
    );
  });

  it('Q20: a correlated scalar subquery nested in an IN subquery is decorrelated innermost first', () => {
    const env = b.testEnv();
    const p = env.scan(part);
    const l = env.scan(lineitem, 'l');
    const inner = env.scan(lineitem, 'i');
    const sumQ = env.aggregate(
      env.filter(inner, b.eq(b.c(inner, 'l_partkey'), b.outer(l, 'l_partkey'))),
      [],
      [[b.agg('sum', [b.c(inner, 'l_quantity')], T.decimal(25, 2)), 'sq']],
    );
    const mid = env.project(env.filter(l, b.gt(b.c(l, 'l_quantity'), b.scalarSubquery(sumQ))), [
      b.c(l, 'l_partkey'),
    ]);
    const plan = env.filter(p, b.inSubquery([b.c(p, 'p_partkey')], mid));
    const { text } = decorrelate(env, plan);
    expect(text).toBe(
      [
        'LeftSemi Join: p_partkey = l_partkey#4',
        '  TableScan: tpch.part',
        '  Projection: l_partkey#4',
        '    Projection: l_orderkey#3, l_partkey#4, l_suppkey#5, l_quantity#6, l_commitdate#7, l_receiptdate#8',
        '      Filter: l_quantity#6 > sq',
        '        Left Join: l_partkey#10 = l_partkey#4',
        '          TableScan: tpch.lineitem AS l',
        '          Aggregate: groupBy=[l_partkey#10], aggr=[sum(l_quantity#12) AS sq]',
        '            TableScan: tpch.lineitem AS i',
      ].join('\n'),
    );
  });

  it('checks at run time that a correlated scalar subquery that is not aggregated has one row per outer row', () => {
    const env = b.testEnv();
    const p = env.scan(part);
    const l = env.scan(lineitem);
    const sub = env.project(env.filter(l, b.eq(b.c(l, 'l_partkey'), b.outer(p, 'p_partkey'))), [
      b.c(l, 'l_quantity'),
    ]);
    const plan = env.project(p, [[b.scalarSubquery(sub), 'q']]);
    // PostgreSQL's rule: an error (21000) only for an outer row that sees more than one row.
    expect(decorrelate(env, plan).text).toBe(
      [
        'Projection: CASE WHEN rows > Int64(1) THEN raise_error(Utf8("SCALAR_SUBQUERY_TOO_MANY_ROWS"), Utf8("More than one row returned by a subquery used as an expression.")) ELSE l_quantity#12 END AS q',
        '  Left Join: l_partkey = p_partkey',
        '    TableScan: tpch.part',
        '    Aggregate: groupBy=[l_partkey], aggr=[first(l_quantity#6) AS l_quantity#12, count(*) AS rows]',
        '      Projection: l_quantity#6, l_partkey',
        '        TableScan: tpch.lineitem',
      ].join('\n'),
    );
  });

  it('leaves an uncorrelated scalar subquery in place', () => {
    const env = b.testEnv();
    const p = env.scan(part);
    const l = env.scan(lineitem);
    const sub = env.aggregate(l, [], [[b.agg('max', [b.c(l, 'l_partkey')], T.bigint), 'm']]);
    const plan = env.filter(p, b.eq(b.c(p, 'p_partkey'), b.scalarSubquery(sub)));
    expect(decorrelate(env, plan).text.split('\n')[0]).toBe('Filter: p_partkey = (<subquery>)');
  });

  describe('domain join', () => {
    const l = b.table('l', [
      ['k', T.int, true],
      ['v', T.int],
    ]);
    const r = b.table('r', [
      ['k', T.int],
      ['w', T.int],
    ]);

    it('a non-equality correlation below an aggregate becomes a join with the distinct outer keys', () => {
      const env = b.testEnv();
      const lo = env.scan(l);
      const ri = env.scan(r);
      const sub = env.aggregate(
        env.filter(ri, b.bin('>=', b.c(ri, 'k'), b.outer(lo, 'k'))),
        [],
        [[b.agg('min', [b.c(ri, 'w')], T.int), 'm']],
      );
      const plan = env.filter(lo, b.lt(b.bin('*', b.c(lo, 'v'), b.int(5)), b.scalarSubquery(sub)));
      expect(decorrelate(env, plan).text).toBe(
        [
          'Projection: k#1, v',
          '  Filter: v * Int32(5) < m#5',
          '    Left Join: k#1 <=> k#11',
          '      TableScan: l',
          '      Projection: m#10 AS m#5, k#11',
          '        Left Join: k#11 <=> k#9',
          '          Aggregate: groupBy=[k#1 AS k#11], aggr=[]',
          '            TableScan: l',
          '          Aggregate: groupBy=[k#9], aggr=[min(w) AS m#10]',
          '            Inner Join: k#3 >= k#9',
          '              TableScan: r',
          '              Aggregate: groupBy=[k#1 AS k#9], aggr=[]',
          '                TableScan: l',
        ].join('\n'),
      );
    });

    it('EXISTS over a global count(*) keeps one row per outer key (never a plain semi join on r.k)', () => {
      const env = b.testEnv();
      const lo = env.scan(l);
      const ri = env.scan(r);
      const sub = env.aggregate(
        env.filter(ri, b.eq(b.c(ri, 'k'), b.outer(lo, 'k'))),
        [],
        [[b.agg('count', [], T.bigint), 'n']],
      );
      const plan = env.filter(lo, b.exists(sub));
      expect(decorrelate(env, plan).text).toBe(
        [
          'LeftSemi Join: k#1 <=> k#11',
          '  TableScan: l',
          '  Projection: CASE WHEN n#10 IS NULL THEN Int64(0) ELSE n#10 END AS n#5, k#11',
          '    Left Join: k#11 <=> k#9',
          '      Aggregate: groupBy=[k#1 AS k#11], aggr=[]',
          '        TableScan: l',
          '      Aggregate: groupBy=[k#9], aggr=[count(*) AS n#10]',
          '        Inner Join: k#3 = k#9',
          '          TableScan: r',
          '          Aggregate: groupBy=[k#1 AS k#9], aggr=[]',
          '            TableScan: l',
        ].join('\n'),
      );
    });

    it('a correlation below ORDER BY … LIMIT becomes row_number() over the outer key', () => {
      const env = b.testEnv();
      const lo = env.scan(l);
      const ri = env.scan(r);
      const sorted = env.sort(env.filter(ri, b.eq(b.c(ri, 'k'), b.outer(lo, 'k'))), [[b.c(ri, 'w'), 'asc']]);
      const sub = env.limit(env.project(sorted, [b.c(ri, 'w')]), 1);
      const plan = env.project(lo, [b.c(lo, 'k'), [b.scalarSubquery(sub), 'w1']]);
      expect(decorrelate(env, plan).text).toBe(
        [
          'Projection: k#1, w AS w1',
          '  Left Join: k#1 <=> k#8',
          '    TableScan: l',
          '    Projection: w, k#8',
          '      Projection: k#3, w, k#8',
          '        Filter: rn <= Int32(1)',
          '          Window: row_number() OVER (PARTITION BY k#8 ORDER BY w ASC NULLS FIRST ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS rn',
          '            Inner Join: k#3 = k#8',
          '              TableScan: r',
          '              Aggregate: groupBy=[k#1 AS k#8], aggr=[]',
          '                TableScan: l',
        ].join('\n'),
      );
    });

    it('an outer column in the select list reads the domain column', () => {
      const env = b.testEnv();
      const lo = env.scan(l);
      const ri = env.scan(r);
      const ag = env.aggregate(
        env.filter(ri, b.eq(b.c(ri, 'k'), b.outer(lo, 'k'))),
        [],
        [[b.agg('max', [b.c(ri, 'w')], T.int), 'm']],
      );
      const sub = env.project(ag, [[b.bin('+', b.c(ag, 'm'), b.outer(lo, 'k')), 'x']]);
      const plan = env.project(lo, [[b.scalarSubquery(sub), 'x']]);
      const text = decorrelate(env, plan).text;
      expect(text.split('\n').slice(0, 4)).toEqual([
        'Projection: x#6 AS x#7',
        '  Left Join: k#1 <=> k#15',
        '    TableScan: l',
        '    Projection: m#5 + k#15 AS x#6, k#15',
      ]);
    });

    it('a correlated NOT IN over nullable columns is an anti join on `(v = s) IS NOT FALSE`', () => {
      const env = b.testEnv();
      const lo = env.scan(l);
      const rn = env.scan(
        b.table('rn', [
          ['k', T.int],
          ['w', T.int, true],
        ]),
      );
      const sub = env.project(env.filter(rn, b.eq(b.c(rn, 'k'), b.outer(lo, 'k'))), [b.c(rn, 'w')]);
      const plan = env.filter(lo, b.inSubquery([b.c(lo, 'v')], sub, true));
      expect(decorrelate(env, plan).text).toBe(
        [
          'LeftAnti Join: (v = w) IS NOT FALSE AND k#3 = k#1',
          '  TableScan: l',
          '  Projection: w, k#3',
          '    TableScan: rn',
        ].join('\n'),
      );
    });

    it('still rejects a correlation inside a full outer join (0A000)', () => {
      const env = b.testEnv();
      const lo = env.scan(l);
      const r1 = env.scan(r, 'r1');
      const r2 = env.scan(r, 'r2');
      const j = env.join(
        r1,
        r2,
        'full',
        b.andE(b.eq(b.c(r1, 'k'), b.c(r2, 'k')), b.gt(b.c(r1, 'w'), b.outer(lo, 'v'))),
      );
      const sub = env.aggregate(j, [], [[b.agg('count', [], T.bigint), 'n']]);
      const plan = env.project(lo, [[b.scalarSubquery(sub), 'n']]);
      expect(() => optimize(plan, env.ctx())).toThrow(/full join/);
      try {
        optimize(plan, env.ctx());
      } catch (e) {
        expect((e as EngineError).sqlstate).toBe('0A000');
      }
    });
  });

  it('an IN subquery in a join condition is computed on the side it reads, by a mark join', () => {
    const env = b.testEnv();
    const l = env.scan(lineitem, 'l');
    const p = env.scan(part, 'p');
    const sub = env.project(env.scan(part, 'q'), [b.c(env.scan(part, 'q'), 'p_partkey')]);
    const cond = b.andE(
      b.eq(b.c(p, 'p_partkey'), b.c(l, 'l_partkey')),
      b.inSubquery([b.c(l, 'l_suppkey')], sub, false),
    );
    const plan = env.join(l, p, 'left', cond);
    const out = decorrelate(env, plan);
    expect(out.text).toContain('LeftMark Join');
    const text = out.text.split('\n');
    // The mark join sits on the left input, under the left join that reads its mark.
    expect(text[0]).toMatch(/^Projection: /);
    expect(text[1]).toMatch(/^  Left Join: p_partkey#\d+ = l_partkey AND in_subquery$/);
    expect(text.findIndex((t) => t.includes('LeftMark Join'))).toBeLessThan(
      text.findIndex((t) => t.includes('TableScan: tpch.part AS p')),
    );
  });

  it('a correlated EXISTS in a join condition reading both sides is an error (0A000)', () => {
    const env = b.testEnv();
    const l = env.scan(lineitem, 'l');
    const p = env.scan(part, 'p');
    const q = env.scan(part, 'q');
    const sub = env.filter(
      q,
      b.andE(
        b.eq(b.c(q, 'p_partkey'), b.outer(l, 'l_partkey')),
        b.eq(b.c(q, 'p_brand'), b.outer(p, 'p_brand')),
      ),
    );
    const plan = env.join(l, p, 'inner', b.exists(sub));
    expect(() => decorrelate(env, plan)).toThrow(/UNSUPPORTED_CORRELATED_EXPRESSION_IN_JOIN_CONDITION/);
  });
});
