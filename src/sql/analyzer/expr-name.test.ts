import { describe, expect, it } from 'vitest';
import { parseExpression } from '../parser/index.ts';
import { exprName } from './expr-name.ts';

describe('exprName', () => {
  it('leaves out the schema and options of the JSON functions, as Spark names them', () => {
    expect(exprName(parseExpression(`from_json(js, 'a INT', map('mode', 'FAILFAST'))`))).toBe(
      'from_json(js)',
    );
    expect(exprName(parseExpression(`schema_of_json('{"a": 0}')`))).toBe('schema_of_json({"a": 0})');
    expect(exprName(parseExpression(`to_json(named_struct('a', 1), map('k', 'v'))`))).toBe(
      'to_json(named_struct(a, 1))',
    );
    expect(exprName(parseExpression(`get_json_object(js, '$.a')`))).toBe('get_json_object(js, $.a)');
  });

  it('fills in the defaults of the interval makers, as Spark names them', () => {
    expect(exprName(parseExpression('make_interval(1, 2)'))).toBe(
      'make_interval(1, 2, 0, 0, 0, 0, 0.000000)',
    );
    expect(exprName(parseExpression('make_interval()'))).toBe('make_interval(0, 0, 0, 0, 0, 0, 0.000000)');
    expect(exprName(parseExpression('make_interval(1, 2, 3, 4, 5, 6, 7.5)'))).toBe(
      'make_interval(1, 2, 3, 4, 5, 6, 7.5)',
    );
    expect(exprName(parseExpression('make_dt_interval(1)'))).toBe('make_dt_interval(1, 0, 0, 0.000000)');
    expect(exprName(parseExpression('make_ym_interval(1)'))).toBe('make_ym_interval(1, 0)');
  });
});
