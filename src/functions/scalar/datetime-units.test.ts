import { describe, expect, it } from 'vitest';
import { EngineError, T, type DataType, type Value } from '../../common/index.ts';
import { formatTimestamp, parseTimestamp } from '../kernels/datetime.ts';
import { localMicrosOfFields, timestampAdd, timestampDiff } from './datetime-units.ts';
import { call, testContext } from './test-helpers.ts';

const LA = 'America/Los_Angeles';
const ts = (text: string, zone = LA): bigint => parseTimestamp(text, zone)!;

describe('timestampAdd across a daylight-saving change', () => {
  it('DAY keeps the local time of day; HOUR counts instants', () => {
    // 2024-03-10 02:00 does not exist in Los Angeles (clocks jump to 03:00).
    const before = ts('2024-03-09 12:00:00');
    expect(formatTimestamp(timestampAdd('DAY', 1n, before, LA), LA)).toBe('2024-03-10 12:00:00');
    expect(formatTimestamp(timestampAdd('HOUR', 24n, before, LA), LA)).toBe('2024-03-10 13:00:00');
  });

  it('a local time in the gap moves past it, as java.time does', () => {
    const t = ts('2024-03-09 02:30:00');
    expect(formatTimestamp(timestampAdd('DAY', 1n, t, LA), LA)).toBe('2024-03-10 03:30:00');
  });
});

describe('timestampDiff', () => {
  it('counts local days and hours across the change', () => {
    const a = ts('2024-03-09 12:00:00');
    const b = ts('2024-03-10 12:00:00');
    expect(timestampDiff('DAY', a, b, LA)).toBe(1n);
    expect(timestampDiff('HOUR', a, b, LA)).toBe(24n);
    expect(timestampDiff('HOUR', a, b, 'UTC')).toBe(23n);
  });

  it('months and years as LocalDate.until (end day must reach the start day)', () => {
    const at = (s: string): bigint => ts(s, 'UTC');
    expect(timestampDiff('MONTH', at('2020-01-31 00:00:00'), at('2020-03-30 00:00:00'), 'UTC')).toBe(1n);
    expect(timestampDiff('MONTH', at('2020-03-31 00:00:00'), at('2020-01-31 00:00:00'), 'UTC')).toBe(-2n);
    expect(timestampDiff('QUARTER', at('2020-01-01 00:00:00'), at('2020-06-30 23:59:59'), 'UTC')).toBe(1n);
    expect(timestampDiff('YEAR', at('2000-06-15 00:00:00'), at('2010-06-14 23:59:59'), 'UTC')).toBe(9n);
    expect(timestampDiff('WEEK', at('2020-01-01 00:00:00'), at('2019-12-17 00:00:00'), 'UTC')).toBe(-2n);
  });
});

describe('make_timestamp fields', () => {
  it('names the field out of range as java.time does', () => {
    const e = localMicrosOfFields(2020, 1, 32, 0, 0, 0n);
    expect(e).toBeInstanceOf(EngineError);
    expect((e as EngineError).message).toContain('Invalid value for DayOfMonth (valid values 1 - 28/31): 32');
    expect((localMicrosOfFields(2020, 4, 31, 0, 0, 0n) as EngineError).message).toContain(
      "Invalid date 'APRIL 31'",
    );
    expect((localMicrosOfFields(2020, 1, 1, 0, 0, -1n) as EngineError).message).toContain(
      'Invalid value for SecondOfMinute (valid values 0 - 59): -1',
    );
  });

  it('the time zone argument of make_timestamp_ltz places the local time', () => {
    const v = call('make_timestamp_ltz', [
      [2024, T.int],
      [7, T.int],
      [1, T.int],
      [12, T.int],
      [0, T.int],
      [0n, T.decimal(16, 6)],
      ['Asia/Tokyo', T.string],
    ]);
    expect(formatTimestamp(v as bigint, 'UTC')).toBe('2024-07-01 03:00:00');
  });

  it('ANSI off: make_timestamp_ntz gives NULL for bad fields', () => {
    const full: [Value, DataType][] = [
      [2024, T.int],
      [2, T.int],
      [30, T.int],
      [0, T.int],
      [0, T.int],
      [0n, T.decimal(16, 6)],
    ];
    expect(call('make_timestamp_ntz', [...full], { ...testContext, ansi: false })).toBeNull();
    expect(() => call('make_timestamp_ntz', [...full])).toThrow(/DATETIME_FIELD_OUT_OF_BOUNDS/);
  });
});
