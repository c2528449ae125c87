import { describe, expect, it } from 'vitest';
import { EngineError } from '../../common/index.ts';
import type * as ast from '../parser/index.ts';
import { analyzeQuery } from './index.ts';
import {
  bin,
  col,
  fn,
  id,
  int,
  item,
  order,
  qn,
  query,
  schemaOf,
  select,
  showPlan,
  star,
  str,
  table,
  testContext,
} from './test-support.ts';

function err(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

const join = (
  joinType: ast.JoinType,
  left: ast.Relation,
  right: ast.Relation,
  condition: ast.JoinRelation['condition'],
  natural = false,
): ast.JoinRelation => ({
  kind: 'join',
  joinType,
  natural,
  left,
  right,
  condition,
  pos: 1,
});

describe('joins', () => {
  it('USING puts the join column first, once, and keeps qualified access', () => {
    const q = query(
      select({
        items: [star(), item(col('u.a'), 'ua')],
        from: [join('inner', table('t'), table('u'), { kind: 'using', columns: [id('a')] })],
      }),
    );
    const plan = analyzeQuery(q, testContext());
    expect(schemaOf(plan)).toEqual([
      'a:int',
      'b:int',
      'c:string',
      'd:date',
      'x:decimal(15,2)',
      'y:bigint',
      'ts:timestamp',
      'e:bigint',
      'f:string',
      'ua:int',
    ]);
    expect(showPlan(plan)).toContain('Join inner (a#1 = a#8)');
  });

  it('FULL OUTER USING coalesces the join column', () => {
    const q = query(
      select({
        items: [star()],
        from: [join('full', table('t'), table('u'), { kind: 'using', columns: [id('a')] })],
      }),
    );
    const text = showPlan(analyzeQuery(q, testContext()));
    expect(text).toContain('case(when is_not_null(a#1) then a#1 else a#8) AS a#11');
  });

  it('LEFT JOIN makes the right side nullable', () => {
    const q = query(
      select({
        items: [item(col('e'))],
        from: [join('left', table('t'), table('u'), { kind: 'on', expr: bin('=', col('t.a'), col('u.a')) })],
      }),
    );
    const plan = analyzeQuery(q, testContext());
    expect(plan.kind === 'Project' && plan.exprs[0]!.attr.nullable).toBe(true);
  });

  it('an ambiguous column is 42704 AMBIGUOUS_REFERENCE', () => {
    const q = query(select({ items: [item(col('a', 9))], from: [table('t'), table('u')] }));
    const e = err(() => analyzeQuery(q, testContext()));
    expect(e.sqlstate).toBe('42704');
    expect(e.position).toBe(9);
  });

  it('self-joins get fresh ids per reference', () => {
    const q = query(
      select({ items: [item(col('x.a')), item(col('y.a'))], from: [table('u', 'x'), table('u', 'y')] }),
    );
    expect(showPlan(analyzeQuery(q, testContext()))).toBe(
      'Project [a#1, a#4]\n  Join cross\n    Scan default.u as x [a#1, e#2, f#3]\n    Scan default.u as y [a#4, e#5, f#6]\n',
    );
  });
});

describe('tables, subqueries, CTEs, set operations', () => {
  it('an unknown table is 42P01 with a suggestion', () => {
    const e = err(() =>
      analyzeQuery(query(select({ items: [star()], from: [table('lineitems')] })), testContext()),
    );
    expect(e.sqlstate).toBe('42P01');
    expect(e.message).toContain(
      '[TABLE_OR_VIEW_NOT_FOUND] The table or view `lineitems` cannot be found. Did you mean `lineitem`?',
    );
  });

  it('a correlated EXISTS binds outer references', () => {
    const sub = query(select({ items: [star()], from: [table('u')], where: bin('=', col('e'), col('y')) }));
    const q = query(
      select({ items: [item(col('a'))], from: [table('t')], where: { kind: 'exists', query: sub, pos: 1 } }),
    );
    expect(showPlan(analyzeQuery(q, testContext()))).toContain(
      'Filter exists(Project [a#8, e#9, f#10]; Filter (e#9 = outer(y#6));',
    );
  });

  it('a scalar subquery with two columns is 42823', () => {
    const sub = query(select({ items: [item(col('a')), item(col('e'))], from: [table('u')] }));
    const e = err(() =>
      analyzeQuery(
        query(select({ items: [item({ kind: 'scalar_subquery', query: sub, pos: 5 })] })),
        testContext(),
      ),
    );
    expect(e.sqlstate).toBe('42823');
    expect(e.position).toBe(5);
  });

  it('each CTE reference gets its own ids, with its column list', () => {
    const cte: ast.CommonTableExpression = {
      name: id('r'),
      columns: [id('k')],
      query: query(select({ items: [item(col('a'))], from: [table('u')] })),
      pos: 1,
    };
    const q = query(
      select({ items: [item(col('r1.k')), item(col('r2.k'))], from: [table('r', 'r1'), table('r', 'r2')] }),
      { with: { recursive: false, ctes: [cte], pos: 1 } },
    );
    const plan = analyzeQuery(q, testContext());
    expect(schemaOf(plan)).toEqual(['k:int', 'k:int']);
    const out = plan.kind === 'Project' ? plan.exprs.map((e) => e.attr.id) : [];
    expect(new Set(out).size).toBe(2);
  });

  it('two CTEs of the same name (any case) in one WITH are 42602 at the second', () => {
    const cte = (name: string, pos: number): ast.CommonTableExpression => ({
      name: id(name),
      columns: null,
      query: query(select({ items: [item(col('a'))], from: [table('u')] })),
      pos,
    });
    const q = query(select({ items: [item(col('a'))], from: [table('c')] }), {
      with: { recursive: false, ctes: [cte('c', 6), cte('C', 27)], pos: 1 },
    });
    const e = err(() => analyzeQuery(q, testContext()));
    expect(e.sqlstate).toBe('42602');
    expect(e.message).toBe("[DUPLICATED_CTE_NAMES] CTE definition can't have duplicate names: `C`.");
    expect(e.position).toBe(27);
  });

  it('UNION widens column types and takes names from the left', () => {
    const l = select({ items: [item(col('a'), 'v')], from: [table('t')] });
    const r = select({ items: [item(col('e'))], from: [table('u')] });
    const q = query({
      kind: 'set_operation',
      op: 'union',
      all: true,
      byName: false,
      left: l,
      right: r,
      pos: 1,
    });
    const plan = analyzeQuery(q, testContext());
    expect(schemaOf(plan)).toEqual(['v:bigint']);
    expect(showPlan(plan)).toMatch(/Project \[cast\(v#\d+ as bigint\) AS v#\d+\]/);
  });

  it('UNION with different column counts is 42826', () => {
    const l = select({ items: [item(col('a')), item(col('b'))], from: [table('t')] });
    const r = select({ items: [item(col('e'))], from: [table('u')] });
    const e = err(() =>
      analyzeQuery(
        query({ kind: 'set_operation', op: 'union', all: false, byName: false, left: l, right: r, pos: 3 }),
        testContext(),
      ),
    );
    expect(e.sqlstate).toBe('42826');
  });

  it('VALUES infers a common type per column', () => {
    const v: ast.ValuesBody = {
      kind: 'values',
      rows: [
        [int(1), str('a')],
        [{ kind: 'literal', value: { type: 'integer', text: '5000000000', suffix: null }, pos: 1 }, str('b')],
      ],
      pos: 1,
    };
    const plan = analyzeQuery(query(v), testContext());
    expect(schemaOf(plan)).toEqual(['col1:bigint', 'col2:string']);
    expect(plan.kind === 'Values' && plan.rows).toEqual([
      [1n, 'a'],
      [5000000000n, 'b'],
    ]);
  });
});

describe('clauses', () => {
  it('SELECT without FROM reads one empty row', () => {
    expect(showPlan(analyzeQuery(query(select({ items: [item(int(1))] })), testContext()))).toBe(
      'Project [1:int AS 1#1]\n  Values [] 1 rows\n',
    );
  });

  it('GROUP BY ordinal and ORDER BY alias', () => {
    const q = query(
      select({
        items: [item(col('a'), 'k'), item(fn('count', [], { star: true }), 'n')],
        from: [table('u')],
        groupBy: { all: false, items: [{ kind: 'group_expr', expr: int(1), pos: 1 }], pos: 1 },
      }),
      { orderBy: [order(col('n'), false)] },
    );
    expect(showPlan(analyzeQuery(q, testContext()))).toBe(
      'Sort [n#6 desc]\n  Project [a#1 AS k#5, count(1)#4 AS n#6]\n    Aggregate [a#1] [count() AS count(1)#4]\n      Scan default.u [a#1, e#2, f#3]\n',
    );
  });

  it('HAVING may use an aggregate absent from the select list', () => {
    const q = query(
      select({
        items: [item(col('a'))],
        from: [table('u')],
        groupBy: { all: false, items: [{ kind: 'group_expr', expr: col('a'), pos: 1 }], pos: 1 },
        having: bin('>', fn('sum', [col('e')]), int(10)),
      }),
    );
    expect(showPlan(analyzeQuery(q, testContext()))).toContain(
      'Filter (sum(e)#4 > cast(10:int as bigint))\n    Aggregate [a#1] [sum(e#2) AS sum(e)#4]',
    );
  });

  it('an aggregate in WHERE is 42903 and a nested aggregate 42607', () => {
    const w = err(() =>
      analyzeQuery(
        query(
          select({
            items: [star()],
            from: [table('u')],
            where: bin('>', fn('sum', [col('e')], { pos: 7 }), int(1)),
          }),
        ),
        testContext(),
      ),
    );
    expect(w.sqlstate).toBe('42903');
    const n = err(() =>
      analyzeQuery(
        query(select({ items: [item(fn('sum', [fn('max', [col('e')])]))], from: [table('u')] })),
        testContext(),
      ),
    );
    expect(n.sqlstate).toBe('42607');
    expect(n.message).toMatch(/^\[NESTED_AGGREGATE_FUNCTION\]/);
  });

  it('LIMIT must be a non-negative constant integer', () => {
    const neg = err(() =>
      analyzeQuery(
        query(select({ items: [star()], from: [table('u')] }), {
          limit: { kind: 'unary', op: '-', operand: int(1), pos: 4 },
        }),
        testContext(),
      ),
    );
    expect(neg.sqlstate).toBe('42K0E');
    expect(neg.position).toBe(4);
    const bad = err(() =>
      analyzeQuery(
        query(select({ items: [star()], from: [table('u')] }), { limit: str('x') }),
        testContext(),
      ),
    );
    expect(bad.sqlstate).toBe('42K0E');
    const ok = analyzeQuery(
      query(select({ items: [star()], from: [table('u')] }), { limit: int(5), offset: int(2) }),
      testContext(),
    );
    expect(ok.kind === 'Limit' && [ok.limit, ok.offset]).toEqual([5, 2]);
  });

  it('a cast of a constant to an integer is a constant count (a bound LIMIT $1)', () => {
    const cast = (operand: ast.Expr, type: 'int' | 'bigint'): ast.Expr => ({
      kind: 'cast',
      operand,
      type: { kind: type },
      mode: 'cast',
      pgTypeName: null,
      pos: 7,
    });
    const ok = analyzeQuery(
      query(select({ items: [star()], from: [table('u')] }), {
        limit: cast(str('5'), 'int'),
        offset: cast(int(2), 'bigint'),
      }),
      testContext(),
    );
    expect(ok.kind === 'Limit' && [ok.limit, ok.offset]).toEqual([5, 2]);
    const nul = err(() =>
      analyzeQuery(
        query(select({ items: [star()], from: [table('u')] }), {
          limit: cast({ kind: 'literal', value: { type: 'null' }, pos: 7 }, 'int'),
        }),
        testContext(),
      ),
    );
    expect(nul.message).toMatch(/IS_NULL/);
    // Out of the type's range: not folded, so not a constant integer.
    const big = err(() =>
      analyzeQuery(
        query(select({ items: [star()], from: [table('u')] }), { limit: cast(str('99999999999'), 'int') }),
        testContext(),
      ),
    );
    expect(big.sqlstate).toBe('42K0E');
  });

  it('an unknown function is 42883', () => {
    const e = err(() =>
      analyzeQuery(query(select({ items: [item({ ...fn('nope', []), pos: 3 })] })), testContext()),
    );
    expect(e.sqlstate).toBe('42883');
    expect(e.position).toBe(3);
  });

  it('pg_catalog-qualified function names resolve', () => {
    const q = query(
      select({ items: [item({ ...fn('upper', [str('a')]), name: qn('pg_catalog', 'upper') })] }),
    );
    expect(schemaOf(analyzeQuery(q, testContext()))).toEqual(['pg_catalog.upper(a):string']);
  });

  it('window functions: default frames, one Window node per spec', () => {
    const over: ast.WindowSpec = {
      baseName: null,
      partitionBy: [col('f')],
      orderBy: [order(col('e'))],
      frame: null,
      pos: 1,
    };
    const q = query(
      select({
        items: [
          item(fn('row_number', [], { over }), 'rn'),
          item(fn('sum', [col('e')], { over: { ...over, orderBy: [] } }), 's'),
        ],
        from: [table('u')],
      }),
    );
    const text = showPlan(analyzeQuery(q, testContext()));
    expect(text).toContain(
      'row_number() over (partition [f#3] order [e#2] rows unbounded_preceding..current_row)',
    );
    expect(text).toContain(
      'sum(e#2) over (partition [f#3] order [] rows unbounded_preceding..unbounded_following)',
    );
    expect(text.match(/Window/g)?.length).toBe(2);
  });

  it('row_number without ORDER BY is 42P20', () => {
    const over: ast.WindowSpec = { baseName: null, partitionBy: [], orderBy: [], frame: null, pos: 1 };
    const e = err(() =>
      analyzeQuery(
        query(select({ items: [item(fn('row_number', [], { over }))], from: [table('u')] })),
        testContext(),
      ),
    );
    expect(e.sqlstate).toBe('42P20');
  });

  it('date arithmetic and typed literals', () => {
    const d: ast.Expr = {
      kind: 'literal',
      value: { type: 'typed', typeName: 'date', value: '1998-12-01' },
      pos: 1,
    };
    const q = query(
      select({
        items: [
          item(
            bin('-', d, {
              kind: 'interval',
              value: { type: 'day_time', micros: 90n * 86400000000n, startField: 'day', endField: 'day' },
              calendar: [0, 90, 0n],
              pos: 1,
            }),
          ),
        ],
      }),
    );
    expect(showPlan(analyzeQuery(q, testContext()))).toContain(
      'date_add_interval(10561:date, -7776000000000n:interval day)',
    );
    const bad: ast.Expr = {
      kind: 'literal',
      value: { type: 'typed', typeName: 'date', value: '1998-13-01' },
      pos: 6,
    };
    const e = err(() => analyzeQuery(query(select({ items: [item(bad)] })), testContext()));
    expect(e.sqlstate).toBe('42604');
    expect(e.position).toBe(6);
  });
});
