import { describe, expect, it } from 'vitest';
import {
  T,
  dayTimeIntervalType as dt,
  intervalToSql,
  typeToString,
  typesEqual,
  yearMonthIntervalType as ym,
} from './index.ts';

const H = 3_600_000_000n;
const M = 60_000_000n;
const S = 1_000_000n;
const D = 86_400_000_000n;
const MIN = -(2n ** 63n);
const MAX = 2n ** 63n - 1n;

describe('interval types with start/end fields', () => {
  it('names them as Spark does, missing fields meaning the full range', () => {
    expect(typeToString(dt('day'))).toBe('interval day');
    expect(typeToString(dt('hour', 'second'))).toBe('interval hour to second');
    expect(typeToString(T.intervalDayTime)).toBe('interval day to second');
    expect(typeToString(ym('month'))).toBe('interval month');
    expect(typeToString(T.intervalYearMonth)).toBe('interval year to month');
  });

  it('compares fields, with missing fields equal to the defaults', () => {
    expect(typesEqual(T.intervalDayTime, dt('day', 'second'))).toBe(true);
    expect(typesEqual(T.intervalYearMonth, ym('year', 'month'))).toBe(true);
    expect(typesEqual(dt('day'), dt('day', 'second'))).toBe(false);
    expect(typesEqual(ym('year'), ym('month'))).toBe(false);
  });
});

describe('intervalToSql (Spark IntervalUtils ANSI style)', () => {
  const cases: [bigint | number, ReturnType<typeof dt>, string][] = [
    [0n, dt('day'), "INTERVAL '0' DAY"],
    [29n * D, dt('day'), "INTERVAL '29' DAY"],
    [D + 23n * H, dt('day'), "INTERVAL '1' DAY"],
    [MIN, dt('day'), "INTERVAL '-106751991' DAY"],
    [0n, dt('day', 'hour'), "INTERVAL '0 00' DAY TO HOUR"],
    [-123n * D - 23n * H - 59n * M, dt('day', 'minute'), "INTERVAL '-123 23:59' DAY TO MINUTE"],
    [D + 2n * H + 3n * M + 4n * S + 500_000n, dt('day', 'second'), "INTERVAL '1 02:03:04.5' DAY TO SECOND"],
    [3n * S + 667n, T.intervalDayTime, "INTERVAL '0 00:00:03.000667' DAY TO SECOND"],
    [MIN, dt('day', 'second'), "INTERVAL '-106751991 04:00:54.775808' DAY TO SECOND"],
    [MAX, dt('day', 'second'), "INTERVAL '106751991 04:00:54.775807' DAY TO SECOND"],
    [-3n * H, dt('hour'), "INTERVAL '-03' HOUR"],
    [-100n * H - 60n * M, dt('hour'), "INTERVAL '-101' HOUR"],
    [MIN, dt('hour', 'minute'), "INTERVAL '-2562047788:00' HOUR TO MINUTE"],
    [-(3n * H + 4n * M + 5n * S + 1000n), dt('hour', 'second'), "INTERVAL '-03:04:05.001' HOUR TO SECOND"],
    [MIN, dt('minute', 'second'), "INTERVAL '-153722867280:54.775808' MINUTE TO SECOND"],
    [0n, dt('second'), "INTERVAL '00' SECOND"],
    [123n * S + 999n, dt('second'), "INTERVAL '123.000999' SECOND"],
    [MIN, dt('second'), "INTERVAL '-9223372036854.775808' SECOND"],
    [14, ym('year', 'month'), "INTERVAL '1-2' YEAR TO MONTH"],
    [-14, T.intervalYearMonth, "INTERVAL '-1-2' YEAR TO MONTH"],
    [5, ym('month'), "INTERVAL '5' MONTH"],
    [-5, ym('month'), "INTERVAL '-5' MONTH"],
    [-14, ym('year'), "INTERVAL '-1' YEAR"],
  ];
  it.each(cases)('%s as %j', (value, type, text) => {
    expect(intervalToSql(value, type)).toBe(text);
  });
});
