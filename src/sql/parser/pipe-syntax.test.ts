import { describe, expect, it } from 'vitest';
import type { PipeBody, Query, QueryBody, Select } from './ast.ts';
import { parseQuery } from './index.ts';
import { bin, col, int, strip } from './test-helpers.ts';

const q = (sql: string): Query => parseQuery(sql);

function pipe(body: QueryBody): PipeBody {
  if (body.kind !== 'pipe') throw new Error(`not a pipe: ${body.kind}`);
  return body;
}

/** The operators of a pipe chain, first to last, and what they start from. */
function chain(body: QueryBody): { start: QueryBody; ops: PipeBody['operator'][] } {
  const ops: PipeBody['operator'][] = [];
  let b = body;
  while (b.kind === 'pipe') {
    ops.unshift(b.operator);
    b = b.input;
  }
  return { start: b, ops };
}

describe('FROM-first queries', () => {
  it('FROM t alone selects every column of its relations', () => {
    const body = q('FROM t AS x, u').body as Select;
    expect(body.kind).toBe('select');
    expect(strip(body.items)).toEqual([{ kind: 'wildcard', qualifier: null, except: [] }]);
    expect(body.from.map((r) => r.kind)).toEqual(['table', 'table']);
    expect(body.from[0]).toMatchObject({ alias: { name: { name: 'x' } } });
  });

  it('FROM t SELECT … takes the clauses of a SELECT after the list', () => {
    const query = q('FROM t SELECT DISTINCT a WHERE a > 1 GROUP BY a HAVING count(*) > 1 ORDER BY a LIMIT 2');
    const s = query.body as Select;
    expect(s.distinct).toBe(true);
    expect(strip(s.items)).toEqual([{ kind: 'expr_item', expr: col('a'), alias: null }]);
    expect(strip(s.where)).toEqual(bin('>', col('a'), int('1')));
    expect(s.groupBy?.items.length).toBe(1);
    expect(s.having).not.toBeNull();
    expect(s.from[0]).toMatchObject({ kind: 'table', name: { parts: [{ name: 't' }] } });
    expect(query.orderBy.length).toBe(1);
    expect(strip(query.limit)).toEqual(int('2'));
  });

  it('several SELECTs over one FROM are their UNION ALL, each with its own result clauses', () => {
    const body = q('FROM t SELECT a WHERE a > 1 SELECT b ORDER BY b LIMIT 2').body;
    expect(body).toMatchObject({
      kind: 'set_operation',
      op: 'union',
      all: true,
      left: { kind: 'select', where: { kind: 'binary' } },
      right: { kind: 'query', body: { kind: 'select' }, limit: { kind: 'literal' } },
    });
    const s = q('FROM t SELECT a, n LATERAL VIEW explode(arr) g AS n').body as Select;
    expect(s.from.map((r) => r.kind)).toEqual(['table', 'lateral_view']);
  });

  it('works as a subquery and with joins and lateral views', () => {
    const s = q('SELECT * FROM (FROM a JOIN b USING (k) LATERAL VIEW explode(arr) e AS v)').body as Select;
    const sub = s.from[0]!;
    expect(sub.kind).toBe('subquery');
    const inner = (sub as { query: Query }).query.body as Select;
    expect(inner.from.map((r) => r.kind)).toEqual(['join', 'lateral_view']);
  });
});

describe('pipe operators', () => {
  it('chain to the left, each on the result of the one before', () => {
    const { start, ops } = chain(q('FROM t |> WHERE a > 1 |> SELECT a + 1 AS b |> LIMIT 3').body);
    expect(start.kind).toBe('select');
    expect(ops.map((o) => o.kind)).toEqual(['where', 'select', 'organize']);
    expect(strip(ops[0])).toEqual({ kind: 'where', condition: bin('>', col('a'), int('1')) });
    expect(strip(ops[2])).toMatchObject({ kind: 'organize', orderBy: [], limit: int('3'), offset: null });
  });

  it('reads EXTEND, SET, DROP, AS', () => {
    const { ops } = chain(
      q('TABLE t |> EXTEND a * 2 AS d, b c |> SET a = a + 1, b = 0 |> DROP a, b |> AS u').body,
    );
    expect(strip(ops)).toEqual([
      {
        kind: 'extend',
        items: [
          { kind: 'expr_item', expr: bin('*', col('a'), int('2')), alias: { name: 'd', quoted: false } },
          { kind: 'expr_item', expr: col('b'), alias: { name: 'c', quoted: false } },
        ],
      },
      {
        kind: 'set',
        assignments: [
          { column: { name: 'a', quoted: false }, expr: bin('+', col('a'), int('1')) },
          { column: { name: 'b', quoted: false }, expr: int('0') },
        ],
      },
      {
        kind: 'drop',
        columns: [
          { name: 'a', quoted: false },
          { name: 'b', quoted: false },
        ],
      },
      { kind: 'as', alias: { name: 'u', quoted: false } },
    ]);
  });

  it('reads AGGREGATE with and without GROUP BY, with aliases on grouping items', () => {
    const { ops } = chain(
      q('FROM t |> AGGREGATE sum(b) s GROUP BY a + 1 AS k, c |> AGGREGATE count(*) |> AGGREGATE GROUP BY k')
        .body,
    );
    const [a, b, c] = ops;
    expect(a).toMatchObject({
      kind: 'aggregate',
      items: [{ alias: { name: 's' } }],
      groupBy: [{ alias: { name: 'k' } }, { alias: null }],
    });
    expect(b).toMatchObject({ kind: 'aggregate', groupBy: null });
    expect(c).toMatchObject({ kind: 'aggregate', items: [], groupBy: [{ expr: { kind: 'column' } }] });
  });

  it('refuses AGGREGATE with nothing, and grouping sets', () => {
    expect(() => q('FROM t |> AGGREGATE')).toThrow(expect.objectContaining({ sqlstate: '42601' }));
    expect(() => q('FROM t |> AGGREGATE GROUP BY')).toThrow(expect.objectContaining({ sqlstate: '42601' }));
    for (const g of ['ALL', 'ROLLUP(a)', 'CUBE(a)', 'GROUPING SETS ((a))'])
      expect(() => q(`FROM t |> AGGREGATE count(*) GROUP BY ${g}`)).toThrow(
        expect.objectContaining({ sqlstate: '0A000' }),
      );
  });

  it('reads joins and set operations', () => {
    const { ops } = chain(
      q('FROM t |> LEFT OUTER JOIN u ON t.a = u.a |> CROSS JOIN v |> UNION ALL TABLE w |> EXCEPT (SELECT 1)')
        .body,
    );
    expect(ops[0]).toMatchObject({
      kind: 'join',
      join: { joinType: 'left', natural: false, right: { kind: 'table' }, condition: { kind: 'on' } },
    });
    expect(ops[1]).toMatchObject({ kind: 'join', join: { joinType: 'cross', condition: null } });
    expect(ops[2]).toMatchObject({
      kind: 'set_operation',
      op: 'union',
      all: true,
      right: { kind: 'table_body' },
    });
    expect(ops[3]).toMatchObject({ kind: 'set_operation', op: 'except', all: false });
  });

  it('one result clause kind per operator; a last ORDER BY belongs to the whole query', () => {
    expect(() => q('FROM t |> ORDER BY a LIMIT 1')).toThrow(expect.objectContaining({ sqlstate: '42000' }));
    const query = q('TABLE t |> ORDER BY a DESC ORDER BY b LIMIT 4');
    const { ops } = chain(query.body);
    expect(strip(ops)).toEqual([
      {
        kind: 'organize',
        orderBy: [{ expr: col('a'), ascending: false, nullsFirst: null }],
        limit: null,
        offset: null,
      },
      {
        kind: 'organize',
        orderBy: [{ expr: col('b'), ascending: null, nullsFirst: null }],
        limit: null,
        offset: null,
      },
      { kind: 'organize', orderBy: [], limit: int('4'), offset: null },
    ]);
    expect(query.orderBy).toEqual([]);
    expect(query.limit).toBeNull();
    expect(q('FROM t |> LIMIT 2 OFFSET 1').body).toMatchObject({
      operator: { kind: 'organize', limit: { kind: 'literal' }, offset: { kind: 'literal' } },
    });
  });

  it('applies to a whole query, set operations and its ORDER BY included', () => {
    const body = pipe(q('SELECT a FROM t UNION SELECT a FROM u ORDER BY a LIMIT 1 |> WHERE a > 0').body);
    expect(body.input).toMatchObject({ kind: 'query', body: { kind: 'set_operation' }, limit: int('1') });
    const withPipe = q('WITH c AS (SELECT 1 AS k) FROM c |> SELECT k');
    expect(withPipe.with?.ctes).toHaveLength(1);
    expect(withPipe.body.kind).toBe('pipe');
  });

  it('reads pipes inside subqueries, and `|>` is one token', () => {
    const s = q('SELECT (VALUES (0) tab(col) |> SELECT col) AS r').body as Select;
    expect(s.items[0]).toMatchObject({
      expr: { kind: 'scalar_subquery', query: { body: { kind: 'pipe' } } },
    });
    expect(strip((q('SELECT a | b FROM t').body as Select).items[0])).toMatchObject({
      expr: bin('|', col('a'), col('b')),
    });
    expect(() => q('SELECT a |> b')).toThrow(expect.objectContaining({ sqlstate: '42601' }));
  });

  it('keeps the new operator words usable as names', () => {
    const s = q('SELECT aggregate, extend FROM t AS aggregate').body as Select;
    expect(strip(s.items)).toEqual([
      { kind: 'expr_item', expr: col('aggregate'), alias: null },
      { kind: 'expr_item', expr: col('extend'), alias: null },
    ]);
  });
});
