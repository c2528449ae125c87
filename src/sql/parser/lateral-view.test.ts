import { describe, expect, it } from 'vitest';
import type { Select } from './ast.ts';
import { parseQuery } from './index.ts';
import { col } from './test-helpers.ts';
import { strip } from './test-helpers.ts';

const sel = (sql: string): Select => {
  const query = parseQuery(sql);
  if (query.body.kind !== 'select') throw new Error(`not a select: ${query.body.kind}`);
  return query.body;
};

describe('LATERAL VIEW', () => {
  it('follows the FROM items, with a table alias and column aliases', () => {
    const s = sel(
      'SELECT * FROM t, u LATERAL VIEW OUTER posexplode(t.a) e AS p, x LATERAL VIEW explode(b) f',
    );
    expect(s.from.map((r) => r.kind)).toEqual(['table', 'table', 'lateral_view', 'lateral_view']);
    expect(strip(s.from[2])).toMatchObject({
      kind: 'lateral_view',
      outer: true,
      generator: { kind: 'function', args: [col('t', 'a')] },
      tableAlias: { name: 'e' },
      columnAliases: [{ name: 'p' }, { name: 'x' }],
    });
    expect(strip(s.from[3])).toMatchObject({ outer: false, tableAlias: { name: 'f' }, columnAliases: [] });
  });

  it('column aliases without a table alias; the WHERE clause still follows', () => {
    const s = sel('SELECT x FROM t LATERAL VIEW explode(a) AS x WHERE x > 1');
    expect(strip(s.from[1])).toMatchObject({ tableAlias: null, columnAliases: [{ name: 'x' }] });
    expect(s.where).not.toBeNull();
  });
});
