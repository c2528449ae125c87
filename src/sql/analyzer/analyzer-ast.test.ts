import { describe, expect, it } from 'vitest';
import { EngineError } from '../../common/index.ts';
import { analyzeQuery } from './index.ts';
import {
  bin,
  col,
  dec,
  fn,
  groupBy,
  int,
  item,
  order,
  query,
  schemaOf,
  select,
  showPlan,
  star,
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

describe('analyzer on hand-built ASTs', () => {
  it('binds SELECT * over a table with fresh ids', () => {
    const plan = analyzeQuery(query(select({ items: [star()], from: [table('u')] })), testContext());
    expect(showPlan(plan)).toBe('Project [a#1, e#2, f#3]\n  Scan default.u [a#1, e#2, f#3]\n');
  });

  it('types TPC-H revenue as decimal(32,4) and names it like Spark', () => {
    const revenue = bin('*', col('l_extendedprice'), bin('-', int(1), col('l_discount')));
    const plan = analyzeQuery(
      query(
        select({
          items: [
            item(col('l_returnflag')),
            item(fn('sum', [revenue])),
            item(fn('count', [], { star: true })),
          ],
          from: [table('lineitem')],
          groupBy: groupBy(col('l_returnflag')),
        }),
      ),
      testContext(),
    );
    expect(schemaOf(plan)).toEqual([
      'l_returnflag:string',
      'sum((l_extendedprice * (1 - l_discount))):decimal(38,4)',
      'count(1):bigint',
    ]);
    expect(showPlan(plan)).toContain(
      'Aggregate [l_returnflag#9] [sum((l_extendedprice#6 * (cast(1:int as decimal(1,0)) - l_discount#7))) AS',
    );
  });

  it('reports an unknown column with suggestions and position', () => {
    const e = err(() =>
      analyzeQuery(query(select({ items: [item(col('aa', 8))], from: [table('u')] })), testContext()),
    );
    expect(e.sqlstate).toBe('42703');
    expect(e.position).toBe(8);
    expect(e.message).toBe(
      '[UNRESOLVED_COLUMN.WITH_SUGGESTION] A column, variable, or function parameter with name `aa` cannot be resolved. Did you mean one of the following? [`a`, `e`, `f`].',
    );
  });

  it('rejects a non-grouped column with MISSING_AGGREGATION at its position', () => {
    const e = err(() =>
      analyzeQuery(
        query(
          select({
            items: [item(col('a')), item(col('e', 12))],
            from: [table('u')],
            groupBy: groupBy(col('a')),
          }),
        ),
        testContext(),
      ),
    );
    expect(e.sqlstate).toBe('42803');
    expect(e.position).toBe(12);
    expect(e.message).toMatch(/^\[MISSING_AGGREGATION\] The non-aggregating expression "e"/);
  });

  it('orders by a hidden input column and projects it away', () => {
    const plan = analyzeQuery(
      query(select({ items: [item(col('a'))], from: [table('u')] }), { orderBy: [order(col('e'), false)] }),
      testContext(),
    );
    expect(showPlan(plan)).toBe(
      'Project [a#1]\n  Sort [e#2 desc]\n    Project [a#1, e#2]\n      Scan default.u [a#1, e#2, f#3]\n',
    );
  });

  it('compares a decimal column with a decimal literal in the wider type', () => {
    const plan = analyzeQuery(
      query(select({ items: [item(col('a'))], from: [table('t')], where: bin('>', col('x'), dec('0.05')) })),
      testContext(),
    );
    expect(showPlan(plan)).toContain('Filter (x#5 > cast(5n:decimal(2,2) as decimal(15,2)))');
  });
});
