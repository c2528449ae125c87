import { describe, expect, it } from 'vitest';
import { EngineError, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import type { ColumnarValue, ScalarFunctionDef } from '../registry.ts';
import { divideHalfUp } from './interval.ts';
import { call, registry, testContext } from './test-helpers.ts';

const DT: DataType = { kind: 'interval_day_time' };
const YM: DataType = { kind: 'interval_year_month' };
const I: DataType = { kind: 'int' };
const BIG: DataType = { kind: 'bigint' };
const DBL: DataType = { kind: 'double' };
const dec = (p: number, s: number): DataType => ({ kind: 'decimal', precision: p, scale: s });
const DAY = 86_400_000_000n;
const iv = (us: bigint): [Value, DataType] => [us, DT];
const ym = (m: number): [Value, DataType] => [m, YM];

function sqlstate(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof EngineError ? e.sqlstate : 'not-engine-error';
  }
  return undefined;
}

describe('divideHalfUp', () => {
  it('rounds half away from zero for every sign combination', () => {
    expect(divideHalfUp(5n, 2n)).toBe(3n);
    expect(divideHalfUp(-5n, 2n)).toBe(-3n);
    expect(divideHalfUp(5n, -2n)).toBe(-3n);
    expect(divideHalfUp(-5n, -2n)).toBe(3n);
    expect(divideHalfUp(7n, 3n)).toBe(2n);
    expect(divideHalfUp(-7n, 3n)).toBe(-2n);
    expect(divideHalfUp(8n, 3n)).toBe(3n);
    expect(divideHalfUp(6n, 3n)).toBe(2n);
    expect(divideHalfUp(0n, -3n)).toBe(0n);
  });
});

describe('interval_multiply / interval_divide', () => {
  it('day-time interval times integral, decimal and double numbers', () => {
    expect(call('interval_multiply', [iv(DAY), [3, I]])).toBe(3n * DAY);
    expect(call('interval_multiply', [iv(3_600_000_000n), [25n, dec(2, 1)]])).toBe(9_000_000_000n);
    expect(call('interval_multiply', [iv(1_000_000n), [1.5, DBL]])).toBe(1_500_000n);
    // a microsecond times 0.5 rounds half up (away from zero)
    expect(call('interval_multiply', [iv(1n), [0.5, DBL]])).toBe(1n);
    expect(call('interval_multiply', [iv(-1n), [0.5, DBL]])).toBe(-1n);
    expect(call('interval_multiply', [iv(-1n), [5n, dec(2, 1)]])).toBe(-1n);
  });

  it('day-time interval divided by numbers, rounding half up', () => {
    expect(call('interval_divide', [iv(10n * DAY), [4, I]])).toBe(2n * DAY + DAY / 2n);
    expect(call('interval_divide', [iv(3n), [2n, BIG]])).toBe(2n);
    expect(call('interval_divide', [iv(-3n), [2n, BIG]])).toBe(-2n);
    expect(call('interval_divide', [iv(1_000_000n), [4n, dec(2, 1)]])).toBe(2_500_000n);
    expect(call('interval_divide', [iv(1_000_000n), [0.25, DBL]])).toBe(4_000_000n);
  });

  it('year-month intervals stay in months', () => {
    expect(call('interval_multiply', [ym(3), [2, I]])).toBe(6);
    expect(call('interval_multiply', [ym(1), [1.5, DBL]])).toBe(2);
    expect(call('interval_divide', [ym(12), [5, I]])).toBe(2);
    expect(call('interval_divide', [ym(-12), [8, I]])).toBe(-2);
  });

  it('NULL in, NULL out', () => {
    expect(call('interval_multiply', [iv(DAY), [null, I]])).toBe(null);
    expect(
      call('interval_divide', [
        [null, DT],
        [2, I],
      ]),
    ).toBe(null);
  });

  it('division by zero is 22012 and overflow 22003, even with ANSI off', () => {
    const off = { ...testContext, ansi: false };
    expect(sqlstate(() => call('interval_divide', [iv(DAY), [0, I]], off))).toBe('22012');
    expect(sqlstate(() => call('interval_divide', [iv(DAY), [0, DBL]]))).toBe('22012');
    expect(sqlstate(() => call('interval_divide', [iv(DAY), [0n, dec(3, 1)]]))).toBe('22012');
    expect(sqlstate(() => call('interval_multiply', [iv(1n << 62n), [2, I]], off))).toBe('22003');
    expect(sqlstate(() => call('interval_multiply', [iv(1n), [Infinity, DBL]]))).toBe('22003');
    expect(sqlstate(() => call('interval_multiply', [ym(2147483647), [2, I]]))).toBe('22003');
    expect(sqlstate(() => call('interval_divide', [iv(-(1n << 63n)), [-1n, BIG]]))).toBe('22003');
  });

  it('evaluates whole columns with NULLs', () => {
    const def = registry.lookup('interval_multiply') as ScalarFunctionDef;
    const ivs: ColumnarValue = { kind: 'array', data: columnFromValues(DT, [DAY, null, -DAY]) };
    const ns: ColumnarValue = { kind: 'array', data: columnFromValues(I, [2, 3, null]) };
    const r = def.evaluate([ivs, ns], 3, DT, testContext);
    expect(r.kind).toBe('array');
    if (r.kind === 'array')
      expect([0, 1, 2].map((i) => valueAt(r.data, DT, i))).toEqual([2n * DAY, null, null]);
  });

  it('rejects non-interval and non-numeric arguments', () => {
    const def = registry.lookup('interval_multiply')!;
    expect(sqlstate(() => def.resolve([I, I], { ansi: true, literalArgs: [] }))).toBe('42K09');
    expect(sqlstate(() => def.resolve([DT, { kind: 'string' }], { ansi: true, literalArgs: [] }))).toBe(
      '42K09',
    );
  });
});
