import { describe, expect, it } from 'vitest';
import { EngineError, type DataType, type Value } from '../../common/index.ts';
import { createFunctionRegistry } from '../create-registry.ts';
import { call } from './test-helpers.ts';

const I: DataType = { kind: 'int' };
const S: DataType = { kind: 'string' };
const i = (v: number | null): [Value, DataType] => [v, I];

describe('conditional and misc functions', () => {
  it('coalesce / nvl / nvl2 / nullif / if', () => {
    expect(call('coalesce', [i(null), i(null), i(3)])).toBe(3);
    expect(call('coalesce', [i(null)])).toBeNull();
    expect(call('nvl', [i(null), i(2)])).toBe(2);
    expect(call('ifnull', [i(1), i(2)])).toBe(1);
    expect(call('nvl2', [i(null), i(1), i(2)])).toBe(2);
    expect(call('nullif', [i(1), i(1)])).toBeNull();
    expect(call('nullif', [i(1), i(2)])).toBe(1);
    expect(call('if', [[true, { kind: 'boolean' }], i(1), i(2)])).toBe(1);
    expect(call('iff', [[null, { kind: 'boolean' }], i(1), i(2)])).toBe(2);
    expect(call('isnull', [i(null)])).toBe(true);
    expect(call('isnotnull', [i(null)])).toBe(false);
    expect(
      call('nanvl', [
        [NaN, { kind: 'double' }],
        [1, { kind: 'double' }],
      ]),
    ).toBe(1);
    expect(() => call('assert_true', [[false, { kind: 'boolean' }]])).toThrow(EngineError);
  });

  it('raise_error: USER_RAISED_EXCEPTION (P0001), or one of the engine’s error classes', () => {
    expect(() => call('raise_error', [['boom', S]])).toThrow(
      expect.objectContaining({ sqlstate: 'P0001', message: '[USER_RAISED_EXCEPTION] boom' }),
    );
    expect(() =>
      call('raise_error', [
        ['SCALAR_SUBQUERY_TOO_MANY_ROWS', S],
        ['two rows', S],
      ]),
    ).toThrow(
      expect.objectContaining({ sqlstate: '21000', message: '[SCALAR_SUBQUERY_TOO_MANY_ROWS] two rows' }),
    );
    expect(() =>
      call('raise_error', [
        ['toString', S],
        ['x', S],
      ]),
    ).toThrow(expect.objectContaining({ sqlstate: 'P0001' }));
  });

  it('canonical_key: equal texts exactly for equal values', () => {
    const A: DataType = { kind: 'array', element: S, containsNull: true };
    const key = (v: Value, t: DataType = A): Value => call('canonical_key', [[v, t]]);
    expect(key(['a,sb'])).not.toBe(key(['a', 'b']));
    expect(key([null])).not.toBe(key(['null']));
    expect(key(['a', null])).toBe(key(['a', null]));
    const D: DataType = { kind: 'array', element: { kind: 'double' }, containsNull: true };
    expect(key([-0, NaN], D)).toBe(key([0, NaN], D));
    expect(key(null)).toBeNull();
  });

  it('misc', () => {
    expect(call('typeof', [[1n, { kind: 'decimal', precision: 5, scale: 2 }]])).toBe('decimal(5,2)');
    expect(call('current_user', [])).toBe('tester');
    expect(call('current_schema', [])).toBe('default');
    expect(call('uuid', [])).toMatch(/^[0-9a-f-]{36}$/);
    // Spark: SELECT hash(1), hash('Spark'), hash(1, 'a')
    expect(call('hash', [i(1)])).toBe(-559580957);
    expect(call('hash', [[null, S]])).toBe(42);
    expect(
      typeof call('hash', [
        [12n, { kind: 'bigint' }],
        ['a', S],
      ]),
    ).toBe('number');
  });

  it('the registry lists functions and finds aliases case-insensitively', () => {
    const reg = createFunctionRegistry();
    expect(reg.lookup('SUBSTR')?.name).toBe('substring');
    expect(reg.lookup('every')?.name).toBe('bool_and');
    expect(reg.lookup('nope')).toBeUndefined();
    expect(reg.names()).toContain('sum');
    expect(reg.listing().find((f) => f.name === 'stddev')).toMatchObject({
      kind: 'aggregate',
      canonical: 'stddev_samp',
    });
  });
});

describe('operator functions the analyzer desugars to', () => {
  const B: DataType = { kind: 'bigint' };
  it('bitwise', () => {
    expect(call('bitwise_and', [i(12), i(10)])).toBe(8);
    expect(call('bitwise_or', [i(12), i(10)])).toBe(14);
    expect(call('bitwise_xor', [i(12), i(10)])).toBe(6);
    expect(call('bitwise_not', [i(0)])).toBe(-1);
    expect(
      call('bitwise_and', [
        [-1n, B],
        [255n, B],
      ]),
    ).toBe(255n);
  });
  it('timestamp_diff and SIMILAR TO', () => {
    const TS: DataType = { kind: 'timestamp' };
    expect(
      call('timestamp_diff', [
        [5_000_000n, TS],
        [2_000_000n, TS],
      ]),
    ).toBe(3_000_000n);
    expect(
      call('similar', [
        ['abc', S],
        ['a(b|x)%', S],
      ]),
    ).toBe(true);
    expect(
      call('similar', [
        ['abc', S],
        ['b%', S],
      ]),
    ).toBe(false);
  });
});
