import { describe, expect, it } from 'vitest';
import { EngineError } from '../../common/index.ts';
import { createFunctionRegistry } from '../../functions/index.ts';
import type { Expr, LogicalPlan } from '../../plan/index.ts';
import { parseQuery } from '../parser/index.ts';
import { analyzeQuery } from './index.ts';
import { showExpr, testContext } from './test-support.ts';

const functions = createFunctionRegistry();

/** The select items of `SELECT … FROM nation`, bound. */
function boundItems(items: string): Expr[] {
  let plan: LogicalPlan = analyzeQuery(parseQuery(`SELECT ${items} FROM nation`), testContext({ functions }));
  while (plan.kind !== 'Project') {
    if (!('input' in plan)) throw new Error('no projection');
    plan = plan.input;
  }
  return plan.exprs.map((e) => e.expr);
}

const bind = (items: string): string[] => boundItems(items).map(showExpr);
const bound = (items: string): Expr => boundItems(items)[0]!;

function sqlstate(items: string): string {
  try {
    bind(items);
  } catch (e) {
    if (e instanceof EngineError) return e.sqlstate;
    throw e;
  }
  throw new Error('expected an error');
}

describe('binding lambdas', () => {
  it('a parameter shadows a column of the same name; other names stay columns', () => {
    expect(bind('transform(array(n_nationkey), n_name -> n_name + n_regionkey)')).toEqual([
      'transform(array(n_nationkey#1), (n_name@0) -> (n_name@0 + n_regionkey#3))',
    ]);
    // a qualified name whose first part is not a parameter is a column
    expect(bind('transform(array(1L), n_regionkey -> nation.n_regionkey)')).toEqual([
      'transform(array(1n:bigint), (n_regionkey@0) -> n_regionkey#3)',
    ]);
  });

  it('parameters are numbered by depth, so the same text binds to the same expression', () => {
    expect(
      bind('transform(array(1), x -> transform(array(2), y -> x + y)), transform(array(3), z -> z)'),
    ).toEqual([
      'transform(array(1:int), (x@0) -> transform(array(2:int), (y@1) -> (x@0 + y@1)))',
      'transform(array(3:int), (z@0) -> z@0)',
    ]);
  });

  it('parameter types come from the arguments: elements, the int index, keys and values', () => {
    const e = bound('filter(array(1.5, 2.5), (x, i) -> i > 0)');
    expect(e).toMatchObject({
      kind: 'higher_order',
      name: 'filter',
      lambdas: [{ params: [{ type: { kind: 'decimal' } }, { type: { kind: 'int' }, nullable: false }] }],
    });
    const m = bound("map_filter(map('a', 1), (k, v) -> v > 0)");
    expect(m).toMatchObject({
      lambdas: [{ params: [{ type: { kind: 'string' }, nullable: false }, { type: { kind: 'int' } }] }],
    });
  });

  it('aggregate keeps the start type and takes reduce as its alias', () => {
    const e = bound('reduce(array(1, 2), 0L, (acc, x) -> acc + x, acc -> acc * 2)');
    expect(e).toMatchObject({ kind: 'higher_order', name: 'aggregate', type: { kind: 'bigint' } });
    expect(sqlstate('aggregate(array(1, 2), 0, (acc, x) -> acc + 0.5)')).toBe('42K09');
  });

  it('reports the errors Spark reports', () => {
    expect(sqlstate('transform(array(1), (x, y, z) -> x)')).toBe('42K0D');
    expect(sqlstate('transform(array(1), (x, X) -> x)')).toBe('42K0D');
    expect(sqlstate('upper(x -> x)')).toBe('42K0D');
    expect(sqlstate('exists(array(1), x -> 1)')).toBe('42K09');
    expect(sqlstate('zip_with(array(1), 1, (x, y) -> x)')).toBe('42K09');
    expect(sqlstate('transform(array(1), x -> sum(x))')).toBe('42903');
    expect(sqlstate('transform_keys(map(1, 2))')).toBe('42605');
  });
});
