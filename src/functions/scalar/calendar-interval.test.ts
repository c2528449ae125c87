/**
 * The calendar interval functions: make_interval and its try_ form, and timestamps and dates
 * moved by intervals in a session zone with daylight saving time (months and days on the local
 * calendar, microseconds on the instant), on scalars and on columns.
 */
import { describe, expect, it } from 'vitest';
import { EngineError, T, type CalendarInterval, type DataType, type Value } from '../../common/index.ts';
import { parseDate, parseTimestamp } from '../kernels/datetime.ts';
import { call, testContext } from './test-helpers.ts';

const H = 3_600_000_000n;
const M = 60_000_000n;
const CI = T.calendarInterval;
const I = T.int;
const LA = { ...testContext, timeZone: 'America/Los_Angeles' };
const ts = (text: string, zone = 'UTC'): bigint => parseTimestamp(text, zone)!;
const iv = (months: number, days: number, micros: bigint): [Value, DataType] => [[months, days, micros], CI];

function sqlstate(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof EngineError ? e.sqlstate : 'not-engine-error';
  }
  return undefined;
}

describe('make_interval / try_make_interval', () => {
  it('defaults the missing arguments to 0 and reads seconds to the microsecond', () => {
    expect(call('make_interval', [])).toEqual([0, 0, 0n]);
    expect(
      call('make_interval', [
        [100, I],
        [11, I],
      ]),
    ).toEqual([1211, 0, 0n]);
    const secs: [Value, DataType] = [1_001_001n, T.decimal(7, 6)];
    expect(call('make_interval', [[0, I], [0, I], [1, I], [1, I], [12, I], [30, I], secs])).toEqual([
      0,
      8,
      12n * H + 30n * M + 1_001_001n,
    ]);
  });

  it('is NULL when an argument is NULL, on scalars and columns', () => {
    expect(
      call('make_interval', [
        [100, I],
        [null, I],
        [3, I],
      ]),
    ).toBeNull();
    expect(
      call(
        'make_interval',
        [
          [100, I],
          [null, I],
          [3, I],
        ],
        testContext,
        true,
      ),
    ).toBeNull();
  });

  it('raises 22003 ARITHMETIC_OVERFLOW, where the try_ form gives NULL', () => {
    expect(
      sqlstate(() =>
        call('make_interval', [
          [2147483647, I],
          [0, I],
        ]),
      ),
    ).toBe('22003');
    expect(
      call('try_make_interval', [
        [2147483647, I],
        [0, I],
      ]),
    ).toBeNull();
    expect(
      call(
        'try_make_interval',
        [
          [100, I],
          [11, I],
        ],
        testContext,
        true,
      ),
    ).toEqual([1211, 0, 0n]);
  });
});

describe('timestamp_add_calendar_interval', () => {
  it('adds a day on the local calendar across a DST change, 24 hours on the instant', () => {
    const start = ts('2024-03-09 10:00:00', 'America/Los_Angeles');
    const day = call('timestamp_add_calendar_interval', [[start, T.timestamp], iv(0, 1, 0n)], LA);
    const hours = call('timestamp_add_calendar_interval', [[start, T.timestamp], iv(0, 0, 24n * H)], LA);
    expect(day).toBe(ts('2024-03-10 10:00:00', 'America/Los_Angeles'));
    expect(hours).toBe(ts('2024-03-10 11:00:00', 'America/Los_Angeles'));
  });

  it('moves a local time that lands in a DST gap forward by the gap', () => {
    const start = ts('2024-02-10 02:30:00', 'America/Los_Angeles');
    const r = call('timestamp_add_calendar_interval', [[start, T.timestamp], iv(1, 0, 0n)], LA);
    expect(r).toBe(ts('2024-03-10 03:30:00', 'America/Los_Angeles'));
  });

  it('clamps to the end of the month, then adds days, then microseconds', () => {
    const r = call('timestamp_add_calendar_interval', [
      [ts('2024-01-31 10:00:00'), T.timestamp],
      iv(1, 1, H),
    ]);
    expect(r).toBe(ts('2024-03-01 11:00:00'));
    const back = call('timestamp_add_calendar_interval', [
      [ts('2024-03-31 00:00:00'), T.timestamp],
      iv(-1, -1, 0n),
    ]);
    expect(back).toBe(ts('2024-02-28 00:00:00'));
  });

  it('keeps TIMESTAMP_NTZ on its own wall clock whatever the session zone', () => {
    const r = call(
      'timestamp_add_calendar_interval',
      [[ts('2024-03-09 10:00:00'), T.timestampNtz], iv(0, 1, H)],
      LA,
      true,
    );
    expect(r).toBe(ts('2024-03-10 11:00:00'));
  });

  it('raises 22003 when the result leaves the timestamp range', () => {
    const max = 2n ** 63n - 1n;
    expect(
      sqlstate(() => call('timestamp_add_calendar_interval', [[max - 5n, T.timestamp], iv(0, 0, 10n)])),
    ).toBe('22003');
  });
});

describe('date_add_calendar_interval', () => {
  const d = (text: string): number => parseDate(text)!;
  it('adds months (clamped) then days', () => {
    expect(call('date_add_calendar_interval', [[d('2024-01-31'), T.date], iv(1, 0, 0n)])).toBe(
      d('2024-02-29'),
    );
    expect(call('date_add_calendar_interval', [[d('2024-01-31'), T.date], iv(1, 1, 0n)])).toBe(
      d('2024-03-01'),
    );
    expect(
      call('date_add_calendar_interval', [[d('2024-03-31'), T.date], iv(-1, -1, 0n)], testContext, true),
    ).toBe(d('2024-02-28'));
  });

  it('rejects microseconds under ANSI (22023); without ANSI goes through the local midnight', () => {
    expect(
      sqlstate(() => call('date_add_calendar_interval', [[d('2024-01-31'), T.date], iv(0, 0, 25n * H)])),
    ).toBe('22023');
    const lenient = { ...testContext, ansi: false };
    expect(call('date_add_calendar_interval', [[d('2024-01-31'), T.date], iv(0, 0, 25n * H)], lenient)).toBe(
      d('2024-02-01'),
    );
  });
});

describe('calendar_interval_multiply / _divide and the extract parts', () => {
  it('multiplies by a double, NULL for a NULL number', () => {
    const r = call('calendar_interval_multiply', [iv(14, 25, 5n * H), [1.5, T.double]]) as CalendarInterval;
    expect(r).toEqual([21, 37, 19n * H + 30n * M]);
    expect(call('calendar_interval_multiply', [iv(1, 0, 0n), [null, T.double]])).toBeNull();
  });

  it('divides, raising 22012 for a zero divisor (NULL without ANSI)', () => {
    expect(call('calendar_interval_divide', [iv(0, 3, 0n), [2, T.double]])).toEqual([0, 1, 12n * H]);
    expect(sqlstate(() => call('calendar_interval_divide', [iv(0, 3, 0n), [0, T.double]]))).toBe('22012');
    const lenient = { ...testContext, ansi: false };
    expect(call('calendar_interval_divide', [iv(0, 3, 0n), [0, T.double]], lenient)).toBeNull();
  });

  it('sums overflow with 22003 under ANSI and wrap without it', () => {
    const max = iv(2147483647, 0, 0n);
    expect(sqlstate(() => call('calendar_interval_add', [max, iv(1, 0, 0n)]))).toBe('22003');
    const lenient = { ...testContext, ansi: false };
    expect(call('calendar_interval_add', [max, iv(1, 0, 0n)], lenient)).toEqual([-2147483648, 0, 0n]);
  });

  it('reads the fields with Spark types', () => {
    expect(call('extract', [['SECOND', T.string], iv(0, 0, 61_500_000n)])).toBe(1_500_000n);
    expect(call('date_part', [['days', T.string], iv(0, 1, 50n * H)], testContext, true)).toBe(3);
    expect(call('extract', [['MONS', T.string], iv(-14, 0, 0n)], testContext, true)).toBe(-2);
  });
});
