import { describe, expect, it } from 'vitest';
import { EngineError, type DataType, type Value } from '../../common/index.ts';
import { call, returnTypeOf, testContext } from './test-helpers.ts';

const D: DataType = { kind: 'double' };
const I: DataType = { kind: 'int' };
const dec = (p: number, s: number): DataType => ({ kind: 'decimal', precision: p, scale: s });
const n = (v: number): [Value, DataType] => [v, D];
const i = (v: number): [Value, DataType] => [v, I];

describe('math functions', () => {
  it('round HALF_UP and bround HALF_EVEN, exact for decimals, with negative scales', () => {
    expect(call('round', [n(2.5)])).toBe(3);
    expect(call('round', [n(-2.5)])).toBe(-3);
    expect(call('bround', [n(2.5)])).toBe(2);
    expect(call('round', [n(2.675), i(2)])).toBe(2.68);
    expect(call('round', [[12345n, dec(7, 3)], i(1)])).toBe(123n);
    expect(call('round', [[12355n, dec(7, 3)], i(1)])).toBe(124n);
    expect(returnTypeOf('round', [dec(7, 3), I], [undefined, 1])).toEqual(dec(6, 1));
    expect(call('round', [[125n, dec(5, 2)], i(-1)])).toBe(0n);
    expect(call('round', [i(1250), i(-2)])).toBe(1300);
    expect(call('bround', [i(1250), i(-2)])).toBe(1200);
    expect(call('bround', [[125n, dec(5, 2)], i(1)])).toBe(12n);
  });

  it('floor / ceil types', () => {
    expect(returnTypeOf('floor', [dec(10, 2)])).toEqual(dec(9, 0));
    expect(call('floor', [[-125n, dec(10, 2)]])).toBe(-2n);
    expect(call('ceil', [[-125n, dec(10, 2)]])).toBe(-1n);
    expect(call('ceiling', [n(1.2)])).toBe(2n);
    expect(call('floor', [n(-1.2)])).toBe(-2n);
  });

  it('abs overflows in ANSI mode', () => {
    expect(call('abs', [i(-5)])).toBe(5);
    expect(() => call('abs', [i(-2147483648)])).toThrow(EngineError);
  });

  it('mod / pmod', () => {
    expect(call('mod', [i(-7), i(3)])).toBe(-1);
    expect(call('pmod', [i(-7), i(3)])).toBe(2);
    expect(call('pmod', [i(7), i(3)])).toBe(1);
    expect(() => call('mod', [i(1), i(0)])).toThrow('[DIVIDE_BY_ZERO]');
  });

  it('logs are NULL for non-positive input; pow/sqrt/exp', () => {
    expect(call('ln', [n(0)])).toBeNull();
    expect(call('log', [n(2), n(8)])).toBeCloseTo(3, 12);
    expect(call('log10', [n(1000)])).toBe(3);
    expect(call('log2', [n(8)])).toBe(3);
    expect(call('pow', [n(2), n(10)])).toBe(1024);
    expect(call('sqrt', [n(-1)])).toBeNaN();
    expect(call('sign', [n(-3)])).toBe(-1);
    expect(call('cbrt', [n(27)])).toBe(3);
    expect(call('degrees', [n(Math.PI)])).toBe(180);
  });

  it('greatest / least skip NULLs', () => {
    expect(call('greatest', [i(1), [null, I], i(3)])).toBe(3);
    expect(call('least', [i(1), [null, I], i(3)])).toBe(1);
    expect(
      call('greatest', [
        [null, I],
        [null, I],
      ]),
    ).toBeNull();
    expect(call('greatest', [i(1), [25n, dec(5, 1)]])).toBe(25n);
  });

  it('rand is in [0, 1) and seeded rand is repeatable', () => {
    const r = call('rand', []) as number;
    expect(r).toBeGreaterThanOrEqual(0);
    expect(r).toBeLessThan(1);
    expect(call('rand', [[7, I]])).toBe(call('rand', [[7, I]]));
  });

  it('try_ arithmetic returns NULL instead of failing', () => {
    expect(call('try_divide', [i(1), i(0)])).toBeNull();
    expect(call('try_divide', [i(1), i(4)])).toBe(0.25);
    expect(call('try_add', [i(2147483647), i(1)])).toBeNull();
    expect(
      call('try_multiply', [
        [6n, dec(3, 2)],
        [5n, dec(3, 1)],
      ]),
    ).toBe(30n);
    expect(call('try_subtract', [i(5), i(3)], { ...testContext })).toBe(2);
  });
});
