import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  EngineError,
  T,
  columnFromValues,
  doubleToString,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { EvalContext } from '../registry.ts';
import { castColumnar, castValue, valueToString } from './cast.ts';

const ctx: EvalContext = {
  ansi: true,
  timeZone: 'UTC',
  queryStartMicros: 0n,
  currentDatabase: 'default',
  currentUser: 'u',
};
const S: DataType = { kind: 'string' };
const INT: DataType = { kind: 'int' };
const d = (p: number, s: number): DataType => ({ kind: 'decimal', precision: p, scale: s });

function castAll(
  values: Value[],
  from: DataType,
  to: DataType,
  mode: 'ansi' | 'try' | 'legacy' = 'ansi',
  c: EvalContext = ctx,
): Value[] {
  const r = castColumnar(
    { kind: 'array', data: columnFromValues(from, values) },
    from,
    to,
    mode,
    values.length,
    c,
  );
  return values.map((_, i) => (r.kind === 'scalar' ? r.value : valueAt(r.data, to, i)));
}

function error(f: () => unknown): EngineError {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e;
    throw e;
  }
  throw new Error('expected an error');
}

describe('cast', () => {
  it('string → int: trims, rejects fractions and malformed text with 22018 (legacy truncates)', () => {
    expect(castAll([' 42 ', '-7', '+8', null], S, INT)).toEqual([42, -7, 8, null]);
    for (const text of ['3.9', '1.', '.5', '1e1']) {
      expect(error(() => castAll([text], S, INT)).sqlstate).toBe('22018');
      expect(castAll([text], S, INT, 'try')).toEqual([null]);
    }
    expect(castAll(['3.9', '-.5', '1e1'], S, INT, 'legacy')).toEqual([3, 0, null]);
    const e = error(() => castAll(['abc'], S, INT));
    expect(e.sqlstate).toBe('22018');
    expect(e.message).toBe(
      `[CAST_INVALID_INPUT] The value 'abc' of the type "STRING" cannot be cast to "INT" because it is malformed.`,
    );
    expect(castAll(['abc', '5'], S, INT, 'try')).toEqual([null, 5]);
    expect(castAll(['abc'], S, INT, 'legacy')).toEqual([null]);
  });

  it('numeric narrowing: 22003 CAST_OVERFLOW in ANSI, wrap-around in legacy, NULL in try', () => {
    const e = error(() => castAll([300], INT, { kind: 'tinyint' }));
    expect(e.sqlstate).toBe('22003');
    expect(e.message).toBe(
      '[CAST_OVERFLOW] The value 300 of the type "INT" cannot be cast to "TINYINT" due to an overflow.',
    );
    expect(castAll([300], INT, { kind: 'tinyint' }, 'legacy')).toEqual([44]);
    expect(castAll([300], INT, { kind: 'tinyint' }, 'try')).toEqual([null]);
    expect(error(() => castAll([1e20], { kind: 'double' }, { kind: 'bigint' })).sqlstate).toBe('22003');
    expect(castAll([-2.9], { kind: 'double' }, INT)).toEqual([-2]);
  });

  it('decimals: rescale HALF_UP, print exactly `scale` digits, overflow 22003', () => {
    expect(castAll([12345n, -5n], d(10, 3), d(10, 2))).toEqual([1235n, -1n]);
    expect(castAll([100n, -5n, 0n], d(5, 2), S)).toEqual(['1.00', '-0.05', '0.00']);
    expect(castAll(['1.005', '-0.5', '1e2'], S, d(10, 2))).toEqual([101n, -50n, 10000n]);
    expect(error(() => castAll([12345n], d(5, 0), d(5, 2))).sqlstate).toBe('22003');
    expect(castAll([12345n], d(5, 0), d(5, 2), 'legacy')).toEqual([null]);
    expect(castAll([7], INT, d(12, 2))).toEqual([700n]);
    expect(castAll([125n], d(5, 2), { kind: 'double' })).toEqual([1.25]);
    expect(castAll([0.1], { kind: 'double' }, d(5, 3))).toEqual([100n]);
  });

  it('doubles print like Spark', () => {
    expect(
      [1e10, 0.1, 1, -0, NaN, Infinity, -Infinity, 1.0e-5, 123456.789, 1e7].map((x) => doubleToString(x)),
    ).toEqual([
      '1.0E10',
      '0.1',
      '1.0',
      '-0.0',
      'NaN',
      'Infinity',
      '-Infinity',
      '1.0E-5',
      '123456.789',
      '1.0E7',
    ]);
    expect(castAll(['NaN', '1e3', 'Infinity'], S, { kind: 'double' })).toEqual([NaN, 1000, Infinity]);
  });

  it('dates and timestamps to and from text, with the session time zone', () => {
    expect(castAll(['1998-09-02', '2024-2-29', '2024-02-29 10:00:00'], S, { kind: 'date' })).toEqual([
      10471, 19782, 19782,
    ]);
    expect(error(() => castAll(['2023-02-29'], S, { kind: 'date' })).sqlstate).toBe('22018');
    expect(castAll([10471, -1], { kind: 'date' }, S)).toEqual(['1998-09-02', '1969-12-31']);
    const paris: EvalContext = { ...ctx, timeZone: 'Europe/Paris' };
    const ts = castAll(['2024-07-01 12:00:00'], S, { kind: 'timestamp' }, 'ansi', paris)[0] as bigint;
    expect(ts).toBe(BigInt(Date.UTC(2024, 6, 1, 10)) * 1000n);
    expect(castAll([ts], { kind: 'timestamp' }, S, 'ansi', paris)).toEqual(['2024-07-01 12:00:00']);
    expect(castAll([ts + 123000n], { kind: 'timestamp' }, S)).toEqual(['2024-07-01 10:00:00.123']);
    expect(castAll([ts], { kind: 'timestamp' }, { kind: 'date' }, 'ansi', paris)).toEqual([19905]);
  });

  it('booleans', () => {
    expect(castAll(['true', 'F', 'yes', '0'], S, { kind: 'boolean' })).toEqual([true, false, true, false]);
    expect(error(() => castAll(['maybe'], S, { kind: 'boolean' })).sqlstate).toBe('22018');
    expect(castAll([true, false], { kind: 'boolean' }, S)).toEqual(['true', 'false']);
    expect(castAll([0, 3], INT, { kind: 'boolean' })).toEqual([false, true]);
  });

  it('int → string → int round-trips (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.integer(), { nil: null })), (xs) => {
        const text = castAll(xs, INT, S);
        expect(castAll(text, S, INT)).toEqual(xs);
      }),
    );
  });

  it('decimal → string → decimal round-trips (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.option(fc.bigInt({ min: -(10n ** 20n) + 1n, max: 10n ** 20n - 1n }), { nil: null })),
        fc.integer({ min: 0, max: 10 }),
        (xs, s) => {
          const t = d(20, s);
          expect(castAll(castAll(xs, t, S), S, t)).toEqual(xs);
        },
      ),
    );
  });

  it('structs cast field by field and maps key by key and value by value', () => {
    const from: DataType = {
      kind: 'struct',
      fields: [
        { name: 'a', type: T.int, nullable: true },
        { name: 'b', type: T.null, nullable: true },
      ],
    };
    const to: DataType = {
      kind: 'struct',
      fields: [
        { name: 'x', type: T.bigint, nullable: true },
        { name: 'y', type: T.string, nullable: true },
      ],
    };
    expect(castValue([7, null], from, to, 'ansi', ctx)).toEqual([7n, null]);
    const m = castValue(
      new Map([['k', '1.5']]),
      { kind: 'map', key: T.string, value: T.string, valueContainsNull: true },
      { kind: 'map', key: T.string, value: T.double, valueContainsNull: true },
      'ansi',
      ctx,
    );
    expect([...(m as Map<unknown, unknown>)]).toEqual([['k', 1.5]]);
    expect(() =>
      castValue(
        [300],
        { kind: 'struct', fields: [{ name: 'a', type: T.int, nullable: true }] },
        {
          kind: 'struct',
          fields: [{ name: 'a', type: T.tinyint, nullable: true }],
        },
        'ansi',
        ctx,
      ),
    ).toThrow(EngineError);
  });

  it('castValue of NULL is NULL for every target', () => {
    expect(castValue(null, S, INT, 'ansi', ctx)).toBeNull();
  });

  it('day-time and year-month intervals print as Spark prints DAY TO SECOND / YEAR TO MONTH', () => {
    const DT: DataType = { kind: 'interval_day_time' };
    const YM: DataType = { kind: 'interval_year_month' };
    const day = 86_400_000_000n;
    expect(castAll([29n * day, -29n * day, 1_500_000n, -1_500_000n, null], DT, S)).toEqual([
      "INTERVAL '29 00:00:00' DAY TO SECOND",
      "INTERVAL '-29 00:00:00' DAY TO SECOND",
      "INTERVAL '0 00:00:01.5' DAY TO SECOND",
      "INTERVAL '-0 00:00:01.5' DAY TO SECOND",
      null,
    ]);
    expect(valueToString(2n * day + 3_723_000_001n, DT, ctx)).toBe(
      "INTERVAL '2 01:02:03.000001' DAY TO SECOND",
    );
    expect(castAll([14, -3], YM, S)).toEqual([
      "INTERVAL '1-2' YEAR TO MONTH",
      "INTERVAL '-0-3' YEAR TO MONTH",
    ]);
  });
});
