import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Query, Select } from './ast.ts';
import { parseQuery, parseStatement } from './index.ts';
import { col, int, strip } from './test-helpers.ts';

const q = (sql: string): Query => parseQuery(sql, { doubleQuotedIdentifiers: true });
const sel = (sql: string): Select => {
  const query = q(sql);
  if (query.body.kind !== 'select') throw new Error(`not a select: ${query.body.kind}`);
  return query.body;
};

describe('SELECT', () => {
  it('items, aliases, wildcards', () => {
    const s = sel('SELECT a, b AS "B", c d, t.*, * EXCEPT (x, y), 1 year FROM t');
    expect(strip(s.items)).toEqual([
      { kind: 'expr_item', expr: col('a'), alias: null },
      { kind: 'expr_item', expr: col('b'), alias: { name: 'B', quoted: true } },
      { kind: 'expr_item', expr: col('c'), alias: { name: 'd', quoted: false } },
      { kind: 'wildcard', qualifier: { parts: [{ name: 't', quoted: false }] }, except: [] },
      {
        kind: 'wildcard',
        qualifier: null,
        except: [
          { name: 'x', quoted: false },
          { name: 'y', quoted: false },
        ],
      },
      { kind: 'expr_item', expr: int('1'), alias: { name: 'year', quoted: false } },
    ]);
    expect(s.distinct).toBe(false);
    expect(sel('SELECT DISTINCT a FROM t').distinct).toBe(true);
  });
  it("a generator's column aliases AS (k, v), then more items", () => {
    const s = sel('SELECT explode(m) AS (k, v), 1 AS x FROM t');
    expect(strip(s.items[0])).toMatchObject({
      kind: 'expr_item',
      alias: null,
      aliases: [
        { name: 'k', quoted: false },
        { name: 'v', quoted: false },
      ],
    });
    expect(strip(s.items[1])).toEqual({
      kind: 'expr_item',
      expr: int('1'),
      alias: { name: 'x', quoted: false },
    });
  });
  it('all clauses', () => {
    const query = q(
      'SELECT a, count(*) FROM t WHERE a > 1 GROUP BY a HAVING count(*) > 2 WINDOW w AS (PARTITION BY a) QUALIFY rank() OVER w = 1 ORDER BY a DESC LIMIT 10 OFFSET 5',
    );
    expect(query.body.kind).toBe('select');
    const s = query.body as Select;
    expect(strip(s.where)).toEqual({ kind: 'binary', op: '>', left: col('a'), right: int('1') });
    expect(s.groupBy?.items.length).toBe(1);
    expect(s.having).not.toBeNull();
    expect(strip(s.windows)).toEqual([
      {
        name: { name: 'w', quoted: false },
        spec: { baseName: null, partitionBy: [col('a')], orderBy: [], frame: null },
      },
    ]);
    expect(s.qualify).not.toBeNull();
    expect(strip(query.orderBy)).toEqual([{ expr: col('a'), ascending: false, nullsFirst: null }]);
    expect(strip(query.limit)).toEqual(int('10'));
    expect(strip(query.offset)).toEqual(int('5'));
    expect(q('SELECT 1 LIMIT ALL').limit).toBeNull();
    expect(sel('SELECT 1').from).toEqual([]);
  });
  it('limit and window as implicit aliases are not taken', () => {
    expect(q('SELECT a FROM t LIMIT 1').limit).not.toBeNull();
    expect(sel('SELECT a FROM t').from[0]).toMatchObject({ kind: 'table', alias: null });
  });
});

describe('set operations', () => {
  it('INTERSECT binds tighter than UNION; left-associative', () => {
    const body = q('SELECT 1 UNION SELECT 2 INTERSECT SELECT 3 EXCEPT ALL SELECT 4').body;
    expect(body).toMatchObject({
      kind: 'set_operation',
      op: 'except',
      all: true,
      left: {
        kind: 'set_operation',
        op: 'union',
        all: false,
        right: { kind: 'set_operation', op: 'intersect' },
      },
    });
    expect(q('SELECT 1 MINUS SELECT 2').body).toMatchObject({ op: 'except' });
    expect(q('SELECT 1 UNION BY NAME SELECT 2').body).toMatchObject({ op: 'union', byName: true });
  });
  it('parenthesized queries keep their own ORDER BY / LIMIT', () => {
    const query = q('(SELECT a FROM t ORDER BY a LIMIT 1) UNION ALL (SELECT b FROM u) ORDER BY 1');
    expect(query.orderBy.length).toBe(1);
    expect(query.body).toMatchObject({
      kind: 'set_operation',
      all: true,
      left: { kind: 'query', limit: { kind: 'literal' } },
      right: { kind: 'select' },
    });
  });
  it('VALUES and TABLE as queries', () => {
    expect(strip(q("VALUES (1, 'a'), (2, 'b')").body)).toMatchObject({
      kind: 'values',
      rows: [
        [int('1'), {}],
        [int('2'), {}],
      ],
    });
    expect(strip(q('TABLE db.t').body)).toEqual({
      kind: 'table_body',
      name: {
        parts: [
          { name: 'db', quoted: false },
          { name: 't', quoted: false },
        ],
      },
    });
  });
  it('WITH [RECURSIVE] with column lists', () => {
    const query = q('WITH RECURSIVE a (x) AS (SELECT 1), b AS (SELECT 2) SELECT * FROM a, b');
    expect(query.with?.recursive).toBe(true);
    expect(strip(query.with?.ctes.map((c) => [c.name, c.columns]))).toEqual([
      [{ name: 'a', quoted: false }, [{ name: 'x', quoted: false }]],
      [{ name: 'b', quoted: false }, null],
    ]);
  });
});

describe('FROM', () => {
  it('tables, aliases with columns, subqueries, lateral', () => {
    const s = sel('SELECT * FROM db.t AS x (a, b), (SELECT 1) s, LATERAL (SELECT 2) AS l, range(10) r(id)');
    expect(strip(s.from)).toMatchObject([
      { kind: 'table', alias: { name: { name: 'x' }, columns: [{ name: 'a' }, { name: 'b' }] } },
      { kind: 'subquery', lateral: false, alias: { name: { name: 's' }, columns: null } },
      { kind: 'subquery', lateral: true, alias: { name: { name: 'l' } } },
      {
        kind: 'table_function',
        args: [int('10')],
        alias: { name: { name: 'r' }, columns: [{ name: 'id' }] },
      },
    ]);
  });
  it('VALUES relations, bare and parenthesized', () => {
    const bare = sel('SELECT * FROM VALUES (1, 2), (3, 4) AS t(a, b)').from[0];
    const paren = sel('SELECT * FROM (VALUES (1, 2), (3, 4)) AS t(a, b)').from[0];
    const expected = {
      kind: 'values_relation',
      rows: [
        [int('1'), int('2')],
        [int('3'), int('4')],
      ],
      alias: {
        name: { name: 't', quoted: false },
        columns: [
          { name: 'a', quoted: false },
          { name: 'b', quoted: false },
        ],
      },
    };
    expect(strip(bare)).toEqual(expected);
    expect(strip(paren)).toEqual(expected);
  });
  it('join types and conditions', () => {
    const cases: [string, string, boolean][] = [
      ['JOIN', 'inner', false],
      ['INNER JOIN', 'inner', false],
      ['LEFT JOIN', 'left', false],
      ['LEFT OUTER JOIN', 'left', false],
      ['RIGHT OUTER JOIN', 'right', false],
      ['FULL JOIN', 'full', false],
      ['LEFT SEMI JOIN', 'left_semi', false],
      ['SEMI JOIN', 'left_semi', false],
      ['LEFT ANTI JOIN', 'left_anti', false],
      ['ANTI JOIN', 'left_anti', false],
      ['NATURAL JOIN', 'inner', true],
      ['NATURAL LEFT JOIN', 'left', true],
    ];
    for (const [sql, joinType, natural] of cases) {
      expect(sel(`SELECT * FROM a ${sql} b ON a.x = b.x`).from[0]).toMatchObject({
        kind: 'join',
        joinType,
        natural,
      });
    }
    expect(sel('SELECT * FROM a CROSS JOIN b').from[0]).toMatchObject({ joinType: 'cross', condition: null });
    expect(strip(sel('SELECT * FROM a JOIN b USING (x, y)').from[0])).toMatchObject({
      condition: { kind: 'using', columns: [{ name: 'x' }, { name: 'y' }] },
    });
  });
  it('joins are left-associative; parenthesized join trees nest', () => {
    expect(sel('SELECT * FROM a JOIN b ON p JOIN c ON q').from[0]).toMatchObject({
      kind: 'join',
      left: { kind: 'join', left: { kind: 'table' }, right: { kind: 'table' } },
      right: { kind: 'table', name: { parts: [{ name: 'c' }] } },
    });
    expect(sel('SELECT * FROM a JOIN (b JOIN c ON q) ON p').from[0]).toMatchObject({
      kind: 'join',
      left: { kind: 'table' },
      right: { kind: 'join' },
    });
    expect(sel('SELECT * FROM ((SELECT 1) UNION (SELECT 2)) u').from[0]).toMatchObject({
      kind: 'subquery',
      query: { body: { kind: 'set_operation' } },
    });
  });
});

describe('GROUP BY', () => {
  const g = (sql: string): unknown => strip(sel(sql).groupBy);
  it('expressions, ordinals, ALL', () => {
    expect(g('SELECT 1 FROM t GROUP BY a, 2')).toEqual({
      all: false,
      items: [
        { kind: 'group_expr', expr: col('a') },
        { kind: 'group_expr', expr: int('2') },
      ],
    });
    expect(g('SELECT 1 FROM t GROUP BY ALL')).toEqual({ all: true, items: [] });
  });
  it('GROUPING SETS, ROLLUP, CUBE and WITH ROLLUP', () => {
    expect(g('SELECT 1 FROM t GROUP BY GROUPING SETS ((a, b), (a), ())')).toEqual({
      all: false,
      items: [
        {
          kind: 'grouping_sets',
          sets: [
            { kind: 'set', exprs: [col('a'), col('b')] },
            { kind: 'set', exprs: [col('a')] },
            { kind: 'set', exprs: [] },
          ],
          columns: null,
        },
      ],
    });
    // Hive's form: the list names the grouping columns.
    expect(g('SELECT 1 FROM t GROUP BY a, b GROUPING SETS ((a), ())')).toEqual({
      all: false,
      items: [
        {
          kind: 'grouping_sets',
          sets: [
            { kind: 'set', exprs: [col('a')] },
            { kind: 'set', exprs: [] },
          ],
          columns: [col('a'), col('b')],
        },
      ],
    });
    // Nested constructs.
    expect(g('SELECT 1 FROM t GROUP BY GROUPING SETS (a, ROLLUP (b), GROUPING SETS ((c)))')).toEqual({
      all: false,
      items: [
        {
          kind: 'grouping_sets',
          sets: [
            { kind: 'set', exprs: [col('a')] },
            { kind: 'rollup', elements: [[col('b')]] },
            { kind: 'grouping_sets', sets: [{ kind: 'set', exprs: [col('c')] }], columns: null },
          ],
          columns: null,
        },
      ],
    });
    expect(() => g('SELECT 1 FROM t GROUP BY ROLLUP (a) GROUPING SETS ((a))')).toThrow(/GROUPING SETS/);
    expect(g('SELECT 1 FROM t GROUP BY ROLLUP (a, (b, c))')).toEqual({
      all: false,
      items: [{ kind: 'rollup', elements: [[col('a')], [col('b'), col('c')]] }],
    });
    expect(g('SELECT 1 FROM t GROUP BY x, CUBE (a, b)')).toEqual({
      all: false,
      items: [
        { kind: 'group_expr', expr: col('x') },
        { kind: 'cube', elements: [[col('a')], [col('b')]] },
      ],
    });
    expect(g('SELECT 1 FROM t GROUP BY a, b WITH ROLLUP')).toEqual({
      all: false,
      items: [{ kind: 'rollup', elements: [[col('a')], [col('b')]] }],
    });
    expect(g('SELECT grouping(a) FROM t GROUP BY a WITH CUBE')).toMatchObject({ items: [{ kind: 'cube' }] });
  });
});

describe('TPC-H', () => {
  const dir = '/work/shared/tpch/queries';
  const files = readdirSync(dir).filter((f) => f.endsWith('.sql'));
  it('finds all 22 queries', () => expect(files.length).toBe(22));
  for (const f of files) {
    it(`parses ${f}`, () => {
      const st = parseStatement(readFileSync(join(dir, f), 'utf8'));
      expect(st.kind).toBe('query_statement');
    });
  }
  it('q15 CTE with column list and q13 aliased subquery columns', () => {
    const q15 = parseStatement(readFileSync(join(dir, 'q15.sql'), 'utf8'));
    expect(q15).toMatchObject({
      query: {
        with: {
          ctes: [
            { name: { name: 'revenue0' }, columns: [{ name: 'supplier_no' }, { name: 'total_revenue' }] },
          ],
        },
      },
    });
    const q13 = parseStatement(readFileSync(join(dir, 'q13.sql'), 'utf8'));
    expect(q13).toMatchObject({
      query: {
        body: {
          from: [
            {
              kind: 'subquery',
              alias: { name: { name: 'c_orders' }, columns: [{ name: 'c_custkey' }, { name: 'c_count' }] },
            },
          ],
        },
      },
    });
  });
});
