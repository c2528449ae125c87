import { describe, expect, it } from 'vitest';
import {
  EngineError,
  T,
  dataTypeOfOid,
  dayTimeIntervalType,
  yearMonthIntervalType,
} from '../common/index.ts';
import { intervalParamValue, parsePgInterval, readPgIntervalBinary } from './interval-param.ts';
import { decodeParam, parseTextParam } from './param-decode.ts';
import { ZoneOffsets } from './time-zone.ts';

const H = 3_600_000_000n;
const M = 60_000_000n;
const S = 1_000_000n;
const utc = new ZoneOffsets('UTC');

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    if (e instanceof EngineError) return e.sqlstate;
    throw e;
  }
  return 'no error';
}

/** interval_send's bytes: int64 microseconds, int32 days, int32 months. */
function binary(months: number, days: number, micros: bigint): Buffer {
  const b = Buffer.alloc(16);
  b.writeBigInt64BE(micros, 0);
  b.writeInt32BE(days, 8);
  b.writeInt32BE(months, 12);
  return b;
}

describe('PostgreSQL interval text', () => {
  it('reads each of PostgreSQL’s output styles', () => {
    const v = [14, 3, 4n * H + 5n * M + 6n * S + 500_000n];
    expect(parsePgInterval('1 year 2 mons 3 days 04:05:06.5')).toEqual(v);
    expect(parsePgInterval('@ 1 year 2 mons 3 days 4 hours 5 mins 6.5 secs')).toEqual(v);
    expect(parsePgInterval('P1Y2M3DT4H5M6.5S')).toEqual(v);
    expect(parsePgInterval('1-2 3 4:05:06.5')).toEqual(v);
    // node-postgres writes its interval objects so
    expect(parsePgInterval('1 years 2 months 3 days 4 hours 5 minutes 6.5 seconds')).toEqual(v);
  });

  it('keeps a sign per field, and negates all of it with ago', () => {
    expect(parsePgInterval('-1 days -02:00:00')).toEqual([0, -1, -2n * H]);
    expect(parsePgInterval('-00:00:01.5')).toEqual([0, 0, -1_500_000n]);
    expect(parsePgInterval('1 day -00:00:01')).toEqual([0, 1, -S]);
    expect(parsePgInterval('@ 1 day ago')).toEqual([0, -1, 0n]);
    expect(parsePgInterval('@ 1 mon 1 hour ago')).toEqual([-1, 0, -H]);
    expect(parsePgInterval('-1 year -2 mons +3 days')).toEqual([-14, 3, 0n]);
  });

  it('spills fractions into smaller fields: a month is 30 days, a day 24 hours', () => {
    expect(parsePgInterval('1.5 mons')).toEqual([1, 15, 0n]);
    expect(parsePgInterval('1.5 days')).toEqual([0, 1, 12n * H]);
    expect(parsePgInterval('1.5 weeks')).toEqual([0, 10, 12n * H]);
    expect(parsePgInterval('1.5 years')).toEqual([18, 0, 0n]);
    expect(parsePgInterval('-0.5 hours')).toEqual([0, 0, -30n * M]);
    expect(parsePgInterval('1.0000005 seconds')).toEqual([0, 0, S]);
    expect(parsePgInterval('2 ms 3 us')).toEqual([0, 0, 2003n]);
  });

  it('reads bare numbers as seconds, or as days before a time; hh:mm and mm:ss.f times', () => {
    expect(parsePgInterval('0')).toEqual([0, 0, 0n]);
    expect(parsePgInterval('90')).toEqual([0, 0, 90n * S]);
    expect(parsePgInterval('2 04:00')).toEqual([0, 2, 4n * H]);
    expect(parsePgInterval('1:30')).toEqual([0, 0, 90n * M]);
    expect(parsePgInterval('1:30.5')).toEqual([0, 0, 90n * S + 500_000n]);
    expect(parsePgInterval(' 3 DAYS ')).toEqual([0, 3, 0n]);
  });

  it('rejects malformed text with 22007 and fields out of range with 22015', () => {
    for (const bad of ['', '@', 'ago', 'abc', '1 fortnight', '1 day day', '1 2 3', 'P', 'P1.2.3Y', '1 day,'])
      expect(
        codeOf(() => parsePgInterval(bad)),
        bad,
      ).toBe('22007');
    for (const big of ['2147483648 days', '200000000 years', '00:60', '1-12', '9223372036854775807 hours'])
      expect(
        codeOf(() => parsePgInterval(big)),
        big,
      ).toBe('22015');
  });
});

describe('interval parameters', () => {
  it('are calendar intervals when declared interval (1186)', () => {
    expect(dataTypeOfOid(1186)).toEqual(T.calendarInterval);
    expect(dataTypeOfOid(1187)).toEqual(T.array(T.calendarInterval));
  });

  it('fit year-month and day-time parameters when their fields allow', () => {
    const ym = yearMonthIntervalType('year', 'month');
    const dt = dayTimeIntervalType('day', 'second');
    expect(intervalParamValue([14, 0, 0n], ym, '1 year 2 mons')).toBe(14);
    expect(intervalParamValue([0, 1, 5n], dt, '1 day 00:00:00.000005')).toBe(86_400_000_005n);
    expect(codeOf(() => intervalParamValue([14, 1, 0n], ym, '1 year 2 mons 1 day'))).toBe('22007');
    expect(codeOf(() => intervalParamValue([1, 1, 0n], dt, '1 mon 1 day'))).toBe('22007');
    expect(codeOf(() => intervalParamValue([0, 1, 0n], T.int, '1 day'))).toBe('42804');
  });

  it('decode from text and from interval_send’s binary form', () => {
    expect(parseTextParam('1 mon 2 days 03:00:00', T.calendarInterval, utc)).toEqual([1, 2, 3n * H]);
    expect(parseTextParam('{"1 day",NULL}', T.array(T.calendarInterval), utc)).toEqual([[0, 1, 0n], null]);
    expect(readPgIntervalBinary(binary(-3, 2, -5n))).toEqual([-3, 2, -5n]);
    expect(decodeParam(binary(14, 3, 7n), 1, 1186, T.calendarInterval, utc)).toEqual([14, 3, 7n]);
    expect(decodeParam(binary(0, 2, 7n), 1, 1186, dayTimeIntervalType('day', 'second'), utc)).toBe(
      2n * 86_400_000_000n + 7n,
    );
    expect(codeOf(() => decodeParam(new Uint8Array(12), 1, 1186, T.calendarInterval, utc))).toBe('22023');
  });
});
