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
});
