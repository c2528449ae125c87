/**
 * Parser tests for the FROM-item extensions PIVOT, UNPIVOT and TABLESAMPLE, after a table and as
 * pipe operators: what each clause parses to, where it binds, and the errors Spark's parser gives.
 */
import { describe, expect, it } from 'vitest';
import type { EngineError } from '../../common/index.ts';
import type { Relation, Select } from './ast.ts';
import { parseQuery } from './index.ts';
import { col, int, str, strip } from './test-helpers.ts';

const from = (sql: string): Relation => (parseQuery(sql).body as Select).from[0]!;

function errorOf(sql: string): { code: string; message: string; position: number | undefined } {
  try {
    parseQuery(sql);
  } catch (e) {
    const error = e as EngineError;
    return { code: error.sqlstate, message: error.message, position: error.position };
  }
  throw new Error(`parsed: ${sql}`);
}

describe('PIVOT', () => {
  it('takes aggregates with aliases, one pivot column and values with or without AS', () => {
    const r = from("SELECT * FROM t PIVOT (sum(a) AS s, avg(b) FOR k IN ('x' AS ex, 'y' why, 'z'))");
    if (r.kind !== 'pivot') throw new Error(r.kind);
    expect(r.input).toMatchObject({ kind: 'table', name: { parts: [{ name: 't' }] }, alias: null });
    expect(r.pivot.aggregates.map((a) => a.alias?.name ?? null)).toEqual(['s', null]);
    expect(strip(r.pivot.columns)).toEqual([{ name: 'k', quoted: false }]);
    expect(strip(r.pivot.values)).toEqual([
      { expr: str('x'), alias: { name: 'ex', quoted: false } },
      { expr: str('y'), alias: { name: 'why', quoted: false } },
      { expr: str('z'), alias: null },
    ]);
  });

  it('takes several pivot columns with row values', () => {
    const r = from("SELECT * FROM t PIVOT (count(*) FOR (a, b) IN ((1, 'x') AS one, (2, 'y')))");
    if (r.kind !== 'pivot') throw new Error(r.kind);
    expect(r.pivot.columns.map((c) => c.name)).toEqual(['a', 'b']);
    expect(r.pivot.values.map((v) => v.expr.kind)).toEqual(['row', 'row']);
  });

  it('applies to the join before it, and a join may follow it', () => {
    const r = from('SELECT * FROM a JOIN b ON a.x = b.x PIVOT (sum(v) FOR k IN (1)) JOIN c ON true');
    expect(r.kind).toBe('join');
    if (r.kind !== 'join') return;
    expect(r.left.kind).toBe('pivot');
    if (r.left.kind === 'pivot') expect(r.left.input?.kind).toBe('join');
  });

  it('after LATERAL VIEWs applies to the whole FROM list', () => {
    const s = parseQuery(
      'SELECT * FROM t LATERAL VIEW explode(xs) e AS x PIVOT (count(*) FOR x IN (1)) UNPIVOT (v FOR n IN (`1`))',
    ).body as Select;
    expect(s.from.map((r) => r.kind)).toEqual(['table', 'lateral_view', 'pivot', 'unpivot']);
    expect(s.from.slice(2).map((r) => (r.kind === 'pivot' || r.kind === 'unpivot' ? r.input : r))).toEqual([
      null,
      null,
    ]);
  });

  it('stays an ordinary word where no clause follows', () => {
    expect(from('SELECT * FROM t pivot')).toMatchObject({
      kind: 'table',
      alias: { name: { name: 'pivot' } },
    });
    const s = parseQuery('SELECT pivot FROM t').body as Select;
    expect(strip(s.items)).toEqual([{ kind: 'expr_item', expr: col('pivot'), alias: null }]);
  });
});

describe('UNPIVOT', () => {
  it('defaults to EXCLUDE NULLS and takes column aliases and a table alias', () => {
    const r = from('SELECT * FROM t UNPIVOT (v FOR n IN (q1 AS a, t.q2)) AS u');
    if (r.kind !== 'unpivot') throw new Error(r.kind);
    expect(r.unpivot.includeNulls).toBe(false);
    expect(r.unpivot.valueColumns.map((c) => c.name)).toEqual(['v']);
    expect(r.unpivot.nameColumn.name).toBe('n');
    expect(
      r.unpivot.columnSets.map((s) => [s.columns.map((c) => c.parts.map((p) => p.name)), s.alias?.name]),
    ).toEqual([
      [[['q1']], 'a'],
      [[['t', 'q2']], undefined],
    ]);
    expect(r.unpivot.alias?.name).toBe('u');
  });

  it('parses INCLUDE NULLS and the multi-value form', () => {
    const r = from('SELECT * FROM t UNPIVOT INCLUDE NULLS ((v1, v2) FOR n IN ((a, b) AS h1, (c, d)))');
    if (r.kind !== 'unpivot') throw new Error(r.kind);
    expect(r.unpivot.includeNulls).toBe(true);
    expect(r.unpivot.valueColumns.map((c) => c.name)).toEqual(['v1', 'v2']);
    expect(r.unpivot.columnSets.map((s) => [s.columns.length, s.alias?.name ?? null])).toEqual([
      [2, 'h1'],
      [2, null],
    ]);
    expect(from('SELECT * FROM t UNPIVOT EXCLUDE NULLS (v FOR n IN (a))')).toMatchObject({
      unpivot: { includeNulls: false },
    });
  });
});

describe('TABLESAMPLE', () => {
  it('turns percentages and buckets into fractions, before the alias', () => {
    const r = from('SELECT * FROM t TABLESAMPLE (25 PERCENT) REPEATABLE (42) AS s');
    expect(r).toMatchObject({
      kind: 'sample',
      input: { kind: 'table', alias: null },
      sample: { method: { kind: 'fraction', fraction: 0.25 }, seed: 42n },
      alias: { name: { name: 's' } },
    });
    expect(from('SELECT * FROM t TABLESAMPLE (0.5 PERCENT)')).toMatchObject({
      sample: { method: { fraction: 0.005 }, seed: null },
    });
    expect(from('SELECT * FROM t TABLESAMPLE (BUCKET 3 OUT OF 4)')).toMatchObject({
      sample: { method: { kind: 'fraction', fraction: 0.75 } },
    });
  });

  it('takes an expression for ROWS, and samples subqueries', () => {
    const r = from('SELECT * FROM (SELECT 1) TABLESAMPLE (10 ROWS) x');
    if (r.kind !== 'sample') throw new Error(r.kind);
    expect(r.input.kind).toBe('subquery');
    expect(strip(r.sample.method)).toEqual({ kind: 'rows', count: int('10') });
    expect(r.alias?.name.name).toBe('x');
  });

  it("gives Spark's errors for fractions outside [0, 1] and for BUCKET … ON", () => {
    const e = errorOf('SELECT * FROM t TABLESAMPLE (100.5 PERCENT)');
    expect(e.code).toBe('22023');
    expect(e.message).toContain('[INVALID_TABLESAMPLE_FRACTION] Sampling fraction (1.005)');
    expect(errorOf('SELECT * FROM t TABLESAMPLE (-5 PERCENT)').code).toBe('22023');
    expect(errorOf('SELECT * FROM t TABLESAMPLE (BUCKET 2 OUT OF 1)').code).toBe('22023');
    expect(errorOf('SELECT * FROM t TABLESAMPLE (BUCKET 1 OUT OF 2 ON rand())').code).toBe('0A000');
    expect(errorOf('SELECT * FROM t TABLESAMPLE (10 PERCENT) REPEATABLE (1.5)').code).toBe('42601');
  });

  it('rejects a length in bytes as unsupported, at the clause, and anything else without ROWS', () => {
    const sql = 'SELECT * FROM t TABLESAMPLE (100M) REPEATABLE (3)';
    const e = errorOf(sql);
    expect(e.code).toBe('0A000');
    expect(e.message).toContain('TABLESAMPLE(byteLengthLiteral) is not supported');
    expect(e.position).toBe(sql.indexOf('TABLESAMPLE') + 1);
    for (const length of ['1k', '7K', '2m', '3g', '4G', '200b', '9B'])
      expect(errorOf(`SELECT * FROM t TABLESAMPLE (${length})`).code).toBe('0A000');
    const piped = 'FROM t\n|> TABLESAMPLE (5G)';
    expect(errorOf(piped)).toMatchObject({ code: '0A000', position: piped.indexOf('TABLESAMPLE') + 1 });
    for (const other of ['200', '100Mb', '100 M', 'x', '1 + 2']) {
      const bad = errorOf(`SELECT * FROM t TABLESAMPLE (${other})`);
      expect(bad).toMatchObject({ code: '42601', position: 17 });
      expect(bad.message).toContain(`${other} is not a valid byte length literal`);
    }
    expect(errorOf('SELECT * FROM t TABLESAMPLE (10M ROWS)').code).toBe('42601');
    expect(errorOf('SELECT * FROM t TABLESAMPLE ()').code).toBe('42601');
  });
});

describe('pipe operators', () => {
  it('parses |> PIVOT, |> UNPIVOT and |> TABLESAMPLE in a chain', () => {
    let body = parseQuery(
      'FROM t |> PIVOT (sum(v) FOR k IN (1 AS one)) |> UNPIVOT (x FOR n IN (one)) |> TABLESAMPLE (5 ROWS)',
    ).body;
    const kinds: string[] = [];
    while (body.kind === 'pipe') {
      kinds.unshift(body.operator.kind);
      body = body.input;
    }
    expect(kinds).toEqual(['pivot', 'unpivot', 'sample']);
  });

  it('rejects a PIVOT and an UNPIVOT in one step, at the second clause', () => {
    const pivotFirst = 'FROM t |> PIVOT (sum(v) FOR k IN (1 AS one)) UNPIVOT (x FOR n IN (one))';
    expect(errorOf(pivotFirst)).toMatchObject({
      code: '42601',
      message: expect.stringContaining('NOT_ALLOWED_IN_FROM.UNPIVOT_WITH_PIVOT') as unknown,
      position: pivotFirst.indexOf('UNPIVOT') + 1,
    });
    const unpivotFirst = 'FROM t |> UNPIVOT (x FOR n IN (a, b)) PIVOT (sum(x) FOR n IN (1))';
    expect(errorOf(unpivotFirst)).toMatchObject({
      code: '42601',
      message: expect.stringContaining('NOT_ALLOWED_IN_FROM.UNPIVOT_WITH_PIVOT') as unknown,
      position: unpivotFirst.indexOf('PIVOT (sum') + 1,
    });
    const twice = 'FROM t |> PIVOT (sum(v) FOR k IN (1)) PIVOT (sum(v) FOR k IN (1))';
    expect(errorOf(twice)).toMatchObject({ code: '42601', position: twice.lastIndexOf('PIVOT') + 1 });
  });
});
