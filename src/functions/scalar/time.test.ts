import { describe, expect, it } from 'vitest';
import {
  T,
  columnFromValues,
  dayTimeIntervalType,
  valueAt,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, ScalarFunctionDef } from '../registry.ts';
import { call, registry, returnTypeOf, testContext } from './test-helpers.ts';

const H = 3_600_000_000n;
const M = 60_000_000n;
const S = 1_000_000n;
const time = (h: number, m: number, s: number, us = 0): bigint =>
  BigInt(h) * H + BigInt(m) * M + BigInt(s) * S + BigInt(us);

/** `name(args)` over a column argument, sliced so that its rows start at an offset. */
function overSlicedColumn(
  name: string,
  literals: readonly [Value, DataType][],
  column: Value[],
  type: DataType,
): Value[] {
  const def = registry.lookup(name) as ScalarFunctionDef;
  const sig = def.resolve([...literals.map((l) => l[1]), type], {
    ansi: true,
    literalArgs: [...literals.map((l) => l[0]), undefined],
  });
  const data = columnFromValues(type, [time(1, 1, 1), ...column]).slice(1, column.length);
  const args: ColumnarValue[] = [
    ...literals.map(([value, t]): ColumnarValue => ({ kind: 'scalar', value, type: t })),
    { kind: 'array', data },
  ];
  const r = def.evaluate(args, column.length, sig.returnType, testContext);
  if (r.kind === 'scalar') throw new Error('expected a column');
  return column.map((_, i) => valueAt(r.data, sig.returnType, i));
}

describe('hour, minute, second and extract of a TIME', () => {
  it('read the fields of the time of day, scalars and sliced columns alike', () => {
    const t = time(13, 25, 59, 999_999);
    expect(call('hour', [[t, T.time]])).toBe(13);
    expect(call('minute', [[t, T.time]])).toBe(25);
    expect(call('second', [[t, T.time]])).toBe(59);
    expect(call('hour', [[null, T.time]])).toBe(null);
    const column = [time(0, 0, 0), null, time(23, 59, 59, 1), time(7, 8, 9, 500_000)];
    expect(overSlicedColumn('hour', [], column, T.time)).toEqual([0, null, 23, 7]);
    expect(overSlicedColumn('minute', [], column, T.time)).toEqual([0, null, 59, 8]);
    expect(overSlicedColumn('second', [], column, T.time)).toEqual([0, null, 59, 9]);
    expect(overSlicedColumn('extract', [['second', T.string]], column, T.time)).toEqual([
      0n,
      null,
      59_000_001n,
      9_500_000n,
    ]);
    expect(returnTypeOf('extract', [T.string, T.time], ['SECOND'])).toEqual(T.decimal(8, 6));
    expect(returnTypeOf('extract', [T.string, T.time], ['h'])).toEqual(T.int);
  });

  it('keep their timestamp forms', () => {
    expect(call('hour', [['2018-02-14 12:58:59', T.string]])).toBe(12);
    expect(call('minute', [[BigInt(Date.UTC(2024, 0, 1, 5, 6, 7)) * 1000n, T.timestampNtz]])).toBe(6);
  });
});

describe('make_time', () => {
  it('builds a TIME from fields, the seconds with their fraction', () => {
    expect(
      call('make_time', [
        [6, T.int],
        [30, T.int],
        [45_887_000n, T.decimal(16, 6)],
      ]),
    ).toBe(time(6, 30, 45, 887_000));
    expect(
      call('make_time', [
        [23, T.int],
        [59, T.int],
        [59_999_999n, T.decimal(16, 6)],
      ]),
    ).toBe(time(23, 59, 59, 999_999));
    expect(
      call('make_time', [
        [null, T.int],
        [0, T.int],
        [0n, T.decimal(16, 6)],
      ]),
    ).toBe(null);
  });

  it('rejects fields out of range with 22023, naming the field', () => {
    const make = (h: number, m: number, s: bigint): Value =>
      call('make_time', [
        [h, T.int],
        [m, T.int],
        [s, T.decimal(16, 6)],
      ]);
    expect(() => make(24, 0, 0n)).toThrow(/HourOfDay.*24/);
    expect(() => make(1, -1, 0n)).toThrow(/MinuteOfHour.*-1/);
    expect(() => make(1, 1, 60_000_000n)).toThrow(/SecondOfMinute.*60/);
    expect(() => make(1, 1, -1n)).toThrow(/SecondOfMinute.*-1/);
    try {
      make(1, 1, 60_000_000n);
    } catch (e) {
      expect((e as { sqlstate: string }).sqlstate).toBe('22023');
    }
  });
});

describe('time_trunc and time_diff', () => {
  it('truncate to a unit, keeping the argument’s TIME(p)', () => {
    const t = time(13, 8, 15, 123_456);
    expect(
      call('time_trunc', [
        ['HOUR', T.string],
        [t, T.time],
      ]),
    ).toBe(time(13, 0, 0));
    expect(
      call('time_trunc', [
        ['millisecond', T.string],
        [t, T.time],
      ]),
    ).toBe(time(13, 8, 15, 123_000));
    expect(returnTypeOf('time_trunc', [T.string, { kind: 'time', precision: 2 }])).toEqual({
      kind: 'time',
      precision: 2,
    });
    expect(overSlicedColumn('time_trunc', [['MINUTE', T.string]], [t, null], T.time)).toEqual([
      time(13, 8, 0),
      null,
    ]);
    expect(() =>
      call('time_trunc', [
        ['DAY', T.string],
        [t, T.time],
      ]),
    ).toThrow(/TIME_UNIT/);
  });

  it('count whole units from start to end, toward zero', () => {
    const diff = (unit: string, a: bigint, b: bigint): Value =>
      call('time_diff', [
        [unit, T.string],
        [a, T.time],
        [b, T.time],
      ]);
    expect(diff('HOUR', time(13, 8, 15), time(21, 30, 28))).toBe(8n);
    expect(diff('HOUR', time(21, 30, 28), time(13, 8, 15))).toBe(-8n);
    expect(diff('SECOND', time(0, 0, 0, 999_999), time(0, 0, 1))).toBe(0n);
    expect(diff('MICROSECOND', time(0, 0, 0), time(0, 0, 1))).toBe(1_000_000n);
    expect(() => diff('WEEK', 0n, 0n)).toThrow(/TIME_UNIT/);
  });
});

describe('TIME arithmetic targets', () => {
  it('time_add_interval stays within the day and takes the finer precision', () => {
    const hourToSecond = dayTimeIntervalType('hour', 'second');
    expect(
      call('time_add_interval', [
        [time(10, 0, 0), T.time],
        [-1_500_000n, hourToSecond],
      ]),
    ).toBe(time(9, 59, 58, 500_000));
    expect(
      returnTypeOf('time_add_interval', [{ kind: 'time', precision: 0 }, dayTimeIntervalType('hour')]),
    ).toEqual({ kind: 'time', precision: 0 });
    expect(returnTypeOf('time_add_interval', [{ kind: 'time', precision: 0 }, hourToSecond])).toEqual(T.time);
    expect(() =>
      call('time_add_interval', [
        [time(23, 0, 0), T.time],
        [H, dayTimeIntervalType('hour')],
      ]),
    ).toThrow(/DATETIME_OVERFLOW.*TIME\(6\) '23:00:00'/);
  });

  it('time_subtract is an INTERVAL HOUR TO SECOND, negative when end is earlier', () => {
    expect(
      call('time_subtract', [
        [time(1, 0, 0), T.time],
        [time(2, 0, 0, 500_000), T.time],
      ]),
    ).toBe(-(H + 500_000n));
    expect(returnTypeOf('time_subtract', [T.time, T.time])).toEqual(dayTimeIntervalType('hour', 'second'));
  });
});

describe('to_time, try_to_time and current_time', () => {
  it('parse by cast rules or a pattern; to_time fails with 22010, try_to_time gives NULL', () => {
    expect(call('to_time', [['00:12:00', T.string]])).toBe(time(0, 12, 0));
    expect(
      call('to_time', [
        ['12.10.05', T.string],
        ['HH.mm.ss', T.string],
      ]),
    ).toBe(time(12, 10, 5));
    expect(() => call('to_time', [['100:50', T.string]])).toThrow(/CANNOT_PARSE_TIME/);
    expect(
      call('try_to_time', [
        ['foo', T.string],
        ['HH:mm:ss', T.string],
      ]),
    ).toBe(null);
  });

  it('current_time is the query start in the session zone, cut to its precision', () => {
    // 2024-01-15 10:30:00 UTC
    expect(call('current_time', [])).toBe(time(10, 30, 0));
    expect(call('current_time', [], { ...testContext, timeZone: 'Asia/Kolkata' })).toBe(time(16, 0, 0));
    expect(
      call('current_time', [], { ...testContext, queryStartMicros: testContext.queryStartMicros + 123_456n }),
    ).toBe(time(10, 30, 0, 123_456));
    expect(
      call('current_time', [[2, T.int]], {
        ...testContext,
        queryStartMicros: testContext.queryStartMicros + 123_456n,
      }),
    ).toBe(time(10, 30, 0, 120_000));
    expect(returnTypeOf('current_time', [T.int], [3])).toEqual({ kind: 'time', precision: 3 });
    expect(() => returnTypeOf('current_time', [T.int], [7])).toThrow(/VALUE_OUT_OF_RANGE/);
    expect(() => returnTypeOf('current_time', [T.int], [undefined])).toThrow(/NON_FOLDABLE_INPUT/);
  });
});
