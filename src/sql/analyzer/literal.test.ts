import { describe, expect, it } from 'vitest';
import { EngineError, T } from '../../common/index.ts';
import { foldLiteralCast } from './expr-utils.ts';
import { bindLiteral, parseTimestamp } from './literal.ts';

const LA = 'America/Los_Angeles';
const H = 3600000000n;
/** 2024-03-01 12:00:00 UTC in microseconds. */
const NOON_UTC = 1709294400000000n;

describe('parseTimestamp', () => {
  it('reads text without a zone in the session time zone', () => {
    expect(parseTimestamp('2024-03-01 12:00:00', 'UTC')).toBe(NOON_UTC);
    expect(parseTimestamp('2024-03-01 12:00:00', LA)).toBe(NOON_UTC + 8n * H);
    expect(parseTimestamp('2024-07-01 12:00:00', LA)).toBe(parseTimestamp('2024-07-01 19:00:00', 'UTC'));
    expect(parseTimestamp('2024-03-01 12:00:00', '+05:30')).toBe(NOON_UTC - 5n * H - H / 2n);
    expect(parseTimestamp('1970-01-01', LA)).toBe(8n * H);
  });

  it('honours an explicit zone or offset in the text', () => {
    expect(parseTimestamp('2024-03-01 12:00:00Z', LA)).toBe(NOON_UTC);
    expect(parseTimestamp('2024-03-01T12:00:00 UTC', LA)).toBe(NOON_UTC);
    expect(parseTimestamp('2024-03-01 12:00:00+01:00', LA)).toBe(NOON_UTC - H);
    expect(parseTimestamp('2024-03-01 12:00:00-8', 'UTC')).toBe(NOON_UTC + 8n * H);
    expect(parseTimestamp('2024-03-01 12:00:00 UTC+2', LA)).toBe(NOON_UTC - 2n * H);
    expect(parseTimestamp('2024-03-01 12:00:00 America/Los_Angeles', 'UTC')).toBe(NOON_UTC + 8n * H);
  });

  it('reads TIMESTAMP_NTZ (null zone) as-is and rejects a zone in its text', () => {
    expect(parseTimestamp('2024-03-01 12:00:00.5', null)).toBe(NOON_UTC + 500000n);
    expect(parseTimestamp('2024-03-01 12:00:00+01:00', null)).toBeUndefined();
  });

  it('rejects malformed text and unknown zones', () => {
    expect(parseTimestamp('2024-02-30 00:00:00', 'UTC')).toBeUndefined();
    expect(parseTimestamp('2024-03-01 24:00:00', 'UTC')).toBeUndefined();
    expect(parseTimestamp('2024-03-01 12:00:00 Mars/Olympus', 'UTC')).toBeUndefined();
    expect(parseTimestamp('2024-03-01 12:00:00+25:00', 'UTC')).toBeUndefined();
    expect(parseTimestamp('hello', 'UTC')).toBeUndefined();
  });
});

describe('bindLiteral typed timestamps', () => {
  const typed = (typeName: 'timestamp' | 'timestamp_ntz' | 'timestamp_ltz', value: string, tz: string) =>
    bindLiteral({ type: 'typed', typeName, value }, 0, tz);

  it('TIMESTAMP and TIMESTAMP_LTZ use the session zone; TIMESTAMP_NTZ does not', () => {
    expect(typed('timestamp', '2024-03-01 12:00:00', LA)).toEqual({
      kind: 'literal',
      value: NOON_UTC + 8n * H,
      type: T.timestamp,
    });
    expect(typed('timestamp_ltz', '2024-03-01 12:00:00', LA).value).toBe(NOON_UTC + 8n * H);
    expect(typed('timestamp_ntz', '2024-03-01 12:00:00', LA)).toEqual({
      kind: 'literal',
      value: NOON_UTC,
      type: T.timestampNtz,
    });
  });

  it('an invalid value is 42604 INVALID_TYPED_LITERAL', () => {
    expect(() => typed('timestamp_ntz', '2024-03-01 12:00:00Z', 'UTC')).toThrow(EngineError);
    try {
      typed('timestamp', '2024-13-01', 'UTC');
      expect.unreachable();
    } catch (e) {
      expect((e as EngineError).sqlstate).toBe('42604');
      expect((e as EngineError).message).toContain('INVALID_TYPED_LITERAL');
    }
  });
});

describe('foldLiteralCast date → timestamp', () => {
  it('places midnight in the session zone for TIMESTAMP, at UTC midnight for TIMESTAMP_NTZ', () => {
    expect(foldLiteralCast(0, T.date, T.timestamp, LA)).toBe(8n * H);
    expect(foldLiteralCast(0, T.date, T.timestamp, 'UTC')).toBe(0n);
    expect(foldLiteralCast(1, T.date, T.timestampNtz, LA)).toBe(24n * H);
    expect(foldLiteralCast(null, T.date, T.timestamp, LA)).toBeNull();
  });
});
