/**
 * Calendar interval values: Spark's text, string parsing, exact arithmetic and the fields
 * `extract` reads, and their round trip through an Arrow column.
 */
import { describe, expect, it } from 'vitest';
import {
  EngineError,
  T,
  addCalendarIntervals,
  calendarIntervalEquals,
  calendarIntervalField,
  calendarIntervalToString,
  columnFromValues,
  divideCalendarInterval,
  makeCalendarInterval,
  multiplyCalendarInterval,
  negateCalendarInterval,
  parseCalendarInterval,
  subtractCalendarIntervals,
  valueAt,
  type CalendarInterval,
} from './index.ts';

const H = 3_600_000_000n;
const M = 60_000_000n;
const S = 1_000_000n;
const D = 86_400_000_000n;
const INT_MAX = 2147483647;
const LONG_MAX = 2n ** 63n - 1n;
const LONG_MIN = -(2n ** 63n);

function sqlstate(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof EngineError ? e.sqlstate : 'not-engine-error';
  }
  return undefined;
}

describe('calendarIntervalToString (Spark CalendarInterval.toString)', () => {
  const cases: [CalendarInterval, string][] = [
    [[0, 0, 0n], '0 seconds'],
    [[14, 2, 3n * H], '1 years 2 months 2 days 3 hours'],
    [
      [1211, 8, 12n * H + 30n * M + 1_001_001n],
      '100 years 11 months 8 days 12 hours 30 minutes 1.001001 seconds',
    ],
    [[-14, -2, -(3n * H)], '-1 years -2 months -2 days -3 hours'],
    [[0, 0, -1_500_000n], '-1.5 seconds'],
    [[0, 0, 90n * M], '1 hours 30 minutes'],
    [[12, 0, 0n], '1 years'],
    [[0, 0, 1n], '0.000001 seconds'],
    // hours are not folded into days: the microseconds keep their own unit chain
    [[0, 0, 123456789012123456n], '34293552 hours 30 minutes 12.123456 seconds'],
  ];
  it.each(cases.map(([iv, text]) => [text, iv] as const))('%s', (text, iv) => {
    expect(calendarIntervalToString(iv)).toBe(text);
  });
});

describe('parseCalendarInterval (Spark stringToInterval)', () => {
  it('reads value-unit pairs, singular or plural, any case, with an optional prefix', () => {
    expect(parseCalendarInterval('1 year 2 days')).toEqual([12, 2, 0n]);
    expect(parseCalendarInterval('INTERVAL 3 Weeks 2 HOURS')).toEqual([0, 21, 2n * H]);
    expect(parseCalendarInterval('  -1 month 1 day -1 second ')).toEqual([-1, 1, -S]);
    expect(parseCalendarInterval('1 minute 2 milliseconds 3 microseconds')).toEqual([0, 0, M + 2003n]);
  });

  it('takes a sign apart from its number, fractions of seconds truncated to microseconds', () => {
    expect(parseCalendarInterval('+     1 second')).toEqual([0, 0, S]);
    expect(parseCalendarInterval('-   1 second')).toEqual([0, 0, -S]);
    expect(parseCalendarInterval('1.123456789 seconds')).toEqual([0, 0, 1_123_456n]);
    expect(parseCalendarInterval('-1.5 seconds')).toEqual([0, 0, -1_500_000n]);
    expect(parseCalendarInterval('.5 second')).toEqual([0, 0, 500_000n]);
  });

  it('rejects what is not an interval', () => {
    for (const bad of [
      '',
      'interval',
      '- -1 second',
      '- +1 second',
      '1',
      '1 fortnight',
      '1.5 days',
      'one day',
      '1 day 2',
      '1.1234567891 seconds',
    ]) {
      expect(parseCalendarInterval(bad), bad).toBeUndefined();
    }
  });

  it('rejects fields beyond their ranges', () => {
    expect(parseCalendarInterval('2147483647 months')).toEqual([INT_MAX, 0, 0n]);
    expect(parseCalendarInterval('2147483648 months')).toBeUndefined();
    expect(parseCalendarInterval('178956971 years')).toBeUndefined();
    expect(parseCalendarInterval('2562047788 hours')).toEqual([0, 0, 2562047788n * H]);
    expect(parseCalendarInterval('2562047789 hours')).toBeUndefined();
  });
});

describe('exact arithmetic', () => {
  it('adds, subtracts and negates field by field', () => {
    expect(addCalendarIntervals([1, 2, 3n], [4, 5, 6n])).toEqual([5, 7, 9n]);
    expect(subtractCalendarIntervals([1, 2, 3n], [4, 5, 6n])).toEqual([-3, -3, -3n]);
    expect(negateCalendarInterval([1, -2, 3n])).toEqual([-1, 2, -3n]);
  });

  it('raises 22003 when any field leaves its range', () => {
    expect(sqlstate(() => addCalendarIntervals([INT_MAX, 0, 0n], [1, 0, 0n]))).toBe('22003');
    expect(sqlstate(() => addCalendarIntervals([0, INT_MAX, 0n], [0, 1, 0n]))).toBe('22003');
    expect(sqlstate(() => subtractCalendarIntervals([0, 0, LONG_MIN], [0, 0, 1n]))).toBe('22003');
    expect(sqlstate(() => negateCalendarInterval([-2147483648, 0, 0n]))).toBe('22003');
    expect(sqlstate(() => negateCalendarInterval([0, 0, LONG_MIN]))).toBe('22003');
  });

  it('multiplies and divides: month fractions dropped, day fractions to microseconds', () => {
    expect(multiplyCalendarInterval([14, 25, 5n * H], 1.5)).toEqual([21, 37, 12n * H + 7n * H + 30n * M]);
    expect(divideCalendarInterval([1, 0, 0n], 2)).toEqual([0, 0, 0n]);
    expect(divideCalendarInterval([0, 3, 0n], 2)).toEqual([0, 1, 12n * H]);
    expect(divideCalendarInterval([0, -3, 0n], 2)).toEqual([0, -1, -12n * H]);
    expect(multiplyCalendarInterval([0, 0, 3n], 0.5)).toEqual([0, 0, 2n]);
    expect(sqlstate(() => multiplyCalendarInterval([INT_MAX, 0, 0n], 2))).toBe('22003');
    expect(sqlstate(() => divideCalendarInterval([0, INT_MAX, 0n], 0.5))).toBe('22003');
  });

  it('without ANSI wraps sums and saturates products, as Java does', () => {
    expect(addCalendarIntervals([INT_MAX, 0, LONG_MAX], [1, 0, 1n], false)).toEqual([
      -2147483648,
      0,
      LONG_MIN,
    ]);
    expect(negateCalendarInterval([-2147483648, 0, LONG_MIN], false)).toEqual([-2147483648, 0, LONG_MIN]);
    expect(subtractCalendarIntervals([0, -2147483648, 0n], [0, 1, 0n], false)).toEqual([0, INT_MAX, 0n]);
    expect(multiplyCalendarInterval([INT_MAX, -5, 0n], 2, false)).toEqual([INT_MAX, -10, 0n]);
    expect(divideCalendarInterval([-2, 0, 0n], 1e-10, false)).toEqual([-2147483648, 0, 0n]);
  });

  it('compares field by field', () => {
    expect(calendarIntervalEquals([12, 0, 0n], [12, 0, 0n])).toBe(true);
    expect(calendarIntervalEquals([0, 1, 0n], [0, 0, 24n * H])).toBe(false);
  });
});

describe('makeCalendarInterval (Spark make_interval)', () => {
  it('folds years into months, weeks into days, hours and minutes into microseconds', () => {
    expect(makeCalendarInterval(1, 2, 3, 4, 5, 6, 7_008_009n)).toEqual([
      14,
      25,
      5n * H + 6n * M + 7_008_009n,
    ]);
    expect(makeCalendarInterval(-1, 1, 0, 0, 0, 0, 0n)).toEqual([-11, 0, 0n]);
  });

  it('raises 22003 on overflow of any field', () => {
    expect(sqlstate(() => makeCalendarInterval(178956971, 0, 0, 0, 0, 0, 0n))).toBe('22003');
    expect(sqlstate(() => makeCalendarInterval(0, INT_MAX, 0, 0, 0, 0, 0n))).toBeUndefined();
    expect(sqlstate(() => makeCalendarInterval(1, INT_MAX, 0, 0, 0, 0, 0n))).toBe('22003');
    expect(sqlstate(() => makeCalendarInterval(0, 0, 306783379, 0, 0, 0, 0n))).toBe('22003');
    expect(sqlstate(() => makeCalendarInterval(0, 0, 0, 0, 0, 1, LONG_MAX))).toBe('22003');
  });
});

describe('calendarIntervalField (extract)', () => {
  const iv: CalendarInterval = [26, 3, 25n * H + 70n * M + 7_500_000n];
  it('reads years, months, days (with whole days of the microseconds), hours, minutes, seconds', () => {
    expect(calendarIntervalField(iv, 'year')).toBe(2);
    expect(calendarIntervalField(iv, 'month')).toBe(2);
    expect(calendarIntervalField(iv, 'day')).toBe(4);
    expect(calendarIntervalField(iv, 'hour')).toBe(2);
    expect(calendarIntervalField(iv, 'minute')).toBe(10);
    expect(calendarIntervalField(iv, 'second')).toBe(7_500_000n);
  });

  it('keeps the sign of negative fields', () => {
    const neg: CalendarInterval = [-14, -1, -(D + H + M + S)];
    expect(calendarIntervalField(neg, 'year')).toBe(-1);
    expect(calendarIntervalField(neg, 'month')).toBe(-2);
    expect(calendarIntervalField(neg, 'day')).toBe(-2);
    expect(calendarIntervalField(neg, 'hour')).toBe(-1);
    expect(calendarIntervalField(neg, 'minute')).toBe(-1);
    expect(calendarIntervalField(neg, 'second')).toBe(-S);
  });
});

describe('columns of calendar intervals', () => {
  it('round-trip through the four-words-per-row layout, extremes and NULLs included', () => {
    const values: (CalendarInterval | null)[] = [
      [1, 2, 3n],
      null,
      [-2147483648, INT_MAX, LONG_MIN],
      [0, 0, LONG_MAX],
      [-1, -1, -1n],
    ];
    const col = columnFromValues(T.calendarInterval, values);
    expect(values.map((_, i) => valueAt(col, T.calendarInterval, i))).toEqual(values);
    expect(col.slice(2, 2).length).toBe(2);
    expect(valueAt(col.slice(2, 2), T.calendarInterval, 1)).toEqual([0, 0, LONG_MAX]);
  });
});
