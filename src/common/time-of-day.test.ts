import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  MICROS_PER_DAY_OF_TIME,
  T,
  formatTime,
  parseTime,
  truncateTime,
  typeToString,
  typesEqual,
} from './index.ts';

const H = 3_600_000_000n;
const M = 60_000_000n;
const S = 1_000_000n;

describe('parseTime', () => {
  it('reads hours, minutes, seconds and up to six digits of fraction', () => {
    expect(parseTime('12:34:56.789')).toBe(12n * H + 34n * M + 56n * S + 789_000n);
    expect(parseTime('00:00:00')).toBe(0n);
    expect(parseTime('23:59:59.999999')).toBe(MICROS_PER_DAY_OF_TIME - 1n);
    expect(parseTime('1:2:3')).toBe(H + 2n * M + 3n * S);
    expect(parseTime('12:34')).toBe(12n * H + 34n * M);
    expect(parseTime('12:34:56.')).toBe(12n * H + 34n * M + 56n * S);
    expect(parseTime('T01:02:03')).toBe(H + 2n * M + 3n * S);
  });

  it('drops digits beyond the microsecond, never rounding', () => {
    expect(parseTime('00:00:00.1234569')).toBe(123_456n);
    expect(parseTime('00:00:00.000000999')).toBe(0n);
  });

  it('trims whitespace and control characters around the text', () => {
    expect(parseTime('  10:00:00 \t')).toBe(10n * H);
    expect(parseTime('\u000110:00\u0000')).toBe(10n * H);
  });

  it('reads a 12-hour clock with AM/PM, hours 1 to 12', () => {
    expect(parseTime('12:00:00 AM')).toBe(0n);
    expect(parseTime('12:30:00 PM')).toBe(12n * H + 30n * M);
    expect(parseTime('01:15:00pm')).toBe(13n * H + 15n * M);
    expect(parseTime('11:59:59.5 am')).toBe(11n * H + 59n * M + 59n * S + 500_000n);
    expect(parseTime('00:10:00 AM')).toBeUndefined();
    expect(parseTime('13:00:00 PM')).toBeUndefined();
  });

  it('rejects fields out of range, dates, zones and other text', () => {
    for (const text of [
      '24:00:00',
      '12:60:00',
      '12:00:60',
      '123:00:00',
      '12',
      '12:',
      '12:34:',
      '',
      'noon',
      '-01:00:00',
      '2024-01-01 10:00:00',
      '10:00:00Z',
      '10:00:00+01:00',
      '10:00:00 UTC',
      '10:00.5',
    ]) {
      expect(parseTime(text), text).toBeUndefined();
    }
  });
});

describe('formatTime', () => {
  it('prints HH:mm:ss and the fraction without trailing zeros', () => {
    expect(formatTime(0n)).toBe('00:00:00');
    expect(formatTime(6n * H + 30n * M + 45n * S + 887_000n)).toBe('06:30:45.887');
    expect(formatTime(15n * H + S + 123_400n)).toBe('15:00:01.1234');
    expect(formatTime(1n)).toBe('00:00:00.000001');
    expect(formatTime(MICROS_PER_DAY_OF_TIME - 1n)).toBe('23:59:59.999999');
  });

  it('reads back what it prints, for every time of day', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MICROS_PER_DAY_OF_TIME - 1n }), (micros) => {
        expect(parseTime(formatTime(micros))).toBe(micros);
      }),
    );
  });
});

describe('truncateTime', () => {
  it('cuts to the precision’s digits of the second', () => {
    const t = 12n * H + 34n * M + 56n * S + 789_123n;
    expect(truncateTime(t, 6)).toBe(t);
    expect(truncateTime(t, 3)).toBe(t - 123n);
    expect(truncateTime(t, 1)).toBe(t - 89_123n);
    expect(truncateTime(t, 0)).toBe(12n * H + 34n * M + 56n * S);
  });

  it('is a floor to a multiple of the unit that keeps the value within the day', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: MICROS_PER_DAY_OF_TIME - 1n }),
        fc.integer({ min: 0, max: 6 }),
        (micros, p) => {
          const unit = 10n ** BigInt(6 - p);
          const r = truncateTime(micros, p);
          expect(r % unit).toBe(0n);
          expect(r <= micros && micros - r < unit).toBe(true);
        },
      ),
    );
  });
});

describe('the TIME type', () => {
  it('is named time(p) and equal only at the same precision', () => {
    expect(typeToString(T.time)).toBe('time(6)');
    expect(typeToString({ kind: 'time', precision: 0 })).toBe('time(0)');
    expect(typesEqual(T.time, { kind: 'time', precision: 6 })).toBe(true);
    expect(typesEqual(T.time, { kind: 'time', precision: 3 })).toBe(false);
  });
});
