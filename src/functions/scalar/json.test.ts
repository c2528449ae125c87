import { describe, expect, it } from 'vitest';
import { EngineError, T, type DataType, type Value } from '../../common/index.ts';
import { call } from './test-helpers.ts';

const s = (v: string | null): [Value, DataType] => [v, T.string];

describe('json_build_object', () => {
  it('writes keys and values as PostgreSQL writes the object', () => {
    const args: [Value, DataType][] = [
      s('always'),
      [false, T.boolean],
      s('start'),
      [null, T.bigint],
      s('n'),
      [-7n, T.bigint],
      s('d'),
      [-5n, T.decimal(5, 2)],
      s('f'),
      [1.5, T.double],
      s('q"uote'),
      s('a\nb'),
      s('day'),
      [19_000, T.date],
    ];
    const expected =
      '{"always" : false, "start" : null, "n" : -7, "d" : -0.05, "f" : 1.5, "q\\"uote" : "a\\nb", "day" : "2022-01-08"}';
    expect(call('json_build_object', args)).toBe(expected);
    expect(call('json_build_object', args, undefined, true)).toBe(expected);
    expect(call('json_build_object', [])).toBe('{}');
  });

  it('refuses an odd number of arguments and NULL keys', () => {
    expect(() => call('json_build_object', [s('a')])).toThrow(/an even number of/);
    expect(() => call('json_build_object', [s(null), s('x')])).toThrow(EngineError);
    expect(() => call('json_build_object', [s(null), s('x')])).toThrow(
      /null value not allowed for object key/,
    );
  });
});
