import { describe, expect, it } from 'vitest';
import { EngineError, T, dayTimeIntervalType, type DataType, type Value } from '../../common/index.ts';
import { daysFromCivil, formatDate, parseDate } from '../kernels/datetime.ts';
import { call, returnTypeOf, testContext } from './test-helpers.ts';

const DATE: DataType = { kind: 'date' };
const TS: DataType = { kind: 'timestamp' };
const S: DataType = { kind: 'string' };
const I: DataType = { kind: 'int' };
const d = (text: string): [Value, DataType] => [parseDate(text)!, DATE];
const str = (v: string): [Value, DataType] => [v, S];
const i = (v: number): [Value, DataType] => [v, I];
const ts = (text: string): [Value, DataType] => [
  BigInt(Date.parse(text.replace(' ', 'T') + 'Z')) * 1000n,
  TS,
];

describe('date functions', () => {
  it('field extraction', () => {
    expect(call('year', [d('2024-02-29')])).toBe(2024);
    expect(call('month', [d('2024-02-29')])).toBe(2);
    expect(call('day', [d('2024-02-29')])).toBe(29);
    expect(call('quarter', [d('2024-11-01')])).toBe(4);
    expect(call('dayofweek', [d('2024-01-14')])).toBe(1); // Sunday
    expect(call('weekday', [d('2024-01-14')])).toBe(6);
    expect(call('dayofyear', [d('2024-12-31')])).toBe(366);
    expect(call('weekofyear', [d('2021-01-03')])).toBe(53);
    expect(call('year', [ts('1999-12-31 23:59:59')])).toBe(1999);
    expect(call('hour', [ts('2024-01-15 10:30:45')])).toBe(10);
    expect(call('minute', [ts('2024-01-15 10:30:45')])).toBe(30);
    expect(call('second', [ts('2024-01-15 10:30:45')])).toBe(45);
    expect(call('extract', [str('year'), d('1995-03-15')])).toBe(1995);
    expect(call('date_part', [str('MONTH'), d('1995-03-15')])).toBe(3);
  });

  it('hour follows the session time zone', () => {
    expect(call('hour', [ts('2024-07-01 10:00:00')], { ...testContext, timeZone: 'America/New_York' })).toBe(
      6,
    );
  });

  it('date arithmetic around leap years and month ends', () => {
    expect(formatDate(call('date_add', [d('2024-02-28'), i(1)]) as number)).toBe('2024-02-29');
    expect(formatDate(call('date_add', [d('2023-02-28'), i(1)]) as number)).toBe('2023-03-01');
    expect(formatDate(call('date_sub', [d('2024-03-01'), i(1)]) as number)).toBe('2024-02-29');
    expect(call('datediff', [d('2024-03-01'), d('2024-02-01')])).toBe(29);
    expect(returnTypeOf('datediff', [DATE, DATE])).toEqual(I);
    expect(call('date_diff_interval', [d('2024-03-01'), d('2024-02-01')])).toBe(29n * 86_400_000_000n);
    expect(call('date_diff_interval', [d('2024-02-01'), d('2024-03-01')])).toBe(-29n * 86_400_000_000n);
    expect(call('date_diff_interval', [d('2024-02-01'), [null, DATE]])).toBe(null);
    expect(returnTypeOf('date_diff_interval', [DATE, DATE])).toEqual({
      kind: 'interval_day_time',
      startField: 'day',
      endField: 'day',
    });
    expect(formatDate(call('add_months', [d('2024-01-31'), i(1)]) as number)).toBe('2024-02-29');
    expect(formatDate(call('add_months', [d('2023-01-31'), i(1)]) as number)).toBe('2023-02-28');
    expect(formatDate(call('add_months', [d('2024-03-31'), i(-13)]) as number)).toBe('2023-02-28');
    expect(formatDate(call('last_day', [d('2024-02-10')]) as number)).toBe('2024-02-29');
    expect(formatDate(call('last_day', [d('1900-02-10')]) as number)).toBe('1900-02-28');
    expect(formatDate(call('next_day', [d('2024-01-15'), str('Mon')]) as number)).toBe('2024-01-22');
    expect(formatDate(call('trunc', [d('2024-08-19'), str('quarter')]) as number)).toBe('2024-07-01');
    expect(call('months_between', [ts('1997-02-28 10:30:00'), ts('1996-10-30 00:00:00')])).toBe(3.94959677);
    expect(call('months_between', [ts('2024-03-31 00:00:00'), ts('2024-02-29 00:00:00')])).toBe(1);
  });

  it('date + interval: INTERVAL DAY gives a date, year-month intervals clamp, time fields a timestamp', () => {
    const DAY = dayTimeIntervalType('day');
    expect(returnTypeOf('date_add_interval', [DATE, DAY])).toEqual(DATE);
    expect(returnTypeOf('date_add_interval', [DATE, T.intervalYearMonth])).toEqual(DATE);
    // Spark types by the interval's fields, not its value: 24 hours is still a timestamp
    expect(returnTypeOf('date_add_interval', [DATE, dayTimeIntervalType('hour')])).toEqual(TS);
    expect(returnTypeOf('date_add_interval', [DATE, T.intervalDayTime])).toEqual(TS);
    expect(
      formatDate(call('date_add_interval', [d('1998-12-01'), [-90n * 86_400_000_000n, DAY]]) as number),
    ).toBe('1998-09-02');
    expect(
      formatDate(
        call('date_add_interval', [d('2024-01-31'), [1, { kind: 'interval_year_month' }]]) as number,
      ),
    ).toBe('2024-02-29');
    expect(
      call('date_add_interval', [d('2024-01-01'), [3_600_000_000n, { kind: 'interval_day_time' }]]),
    ).toBe(BigInt(Date.UTC(2024, 0, 1, 1)) * 1000n);
    expect(
      call('timestamp_add_interval', [ts('2024-01-31 12:00:00'), [1, { kind: 'interval_year_month' }]]),
    ).toBe(ts('2024-02-29 12:00:00')[0]);
  });

  it('current_date / current_timestamp come from the query start', () => {
    expect(formatDate(call('current_date', []) as number)).toBe('2024-01-15');
    expect(call('now', [])).toBe(1705314600000000n);
  });

  it('parsing and formatting with Spark patterns', () => {
    expect(formatDate(call('to_date', [str('2024-02-29')]) as number)).toBe('2024-02-29');
    expect(formatDate(call('to_date', [str('12/31/2023'), str('MM/dd/yyyy')]) as number)).toBe('2023-12-31');
    expect(call('to_timestamp', [str('2024-01-15 10:30:00')])).toBe(1705314600000000n);
    expect(call('date_format', [ts('2024-01-15 14:05:09'), str('yyyy-MM-dd HH:mm:ss')])).toBe(
      '2024-01-15 14:05:09',
    );
    expect(call('date_format', [ts('2024-01-15 14:05:09'), str('EEE MMM d, hh:mm a')])).toBe(
      'Mon Jan 15, 02:05 PM',
    );
    expect(call('date_format', [d('2024-01-15'), str("yyyy'Q'Q")])).toBe('2024Q1');
    expect(call('from_unixtime', [[0n, { kind: 'bigint' }]])).toBe('1970-01-01 00:00:00');
    expect(call('unix_timestamp', [str('2024-01-15 10:30:00')])).toBe(1705314600n);
    expect(formatDate(call('make_date', [i(2024), i(2), i(29)]) as number)).toBe('2024-02-29');
    expect(call('date_trunc', [str('month'), ts('2024-02-29 10:11:12')])).toBe(ts('2024-02-01 00:00:00')[0]);
  });

  it('invalid dates: 22007 / 22023 DATETIME_FIELD_OUT_OF_BOUNDS in ANSI mode, NULL otherwise', () => {
    expect(() => call('to_date', [str('not a date')])).toThrow(EngineError);
    expect(call('to_date', [str('not a date')], { ...testContext, ansi: false })).toBeNull();
    try {
      call('make_date', [i(2023), i(2), i(29)]);
    } catch (e) {
      expect((e as EngineError).sqlstate).toBe('22023');
    }
    expect(call('make_date', [i(2023), i(2), i(29)], { ...testContext, ansi: false })).toBeNull();
  });

  it('civil date conversion round-trips over four centuries', () => {
    for (let day = daysFromCivil(1900, 1, 1); day < daysFromCivil(2300, 1, 1); day += 17) {
      expect(parseDate(formatDate(day))).toBe(day);
    }
  });
});
