import { describe, expect, it } from 'vitest';
import { EngineError } from '../common/index.ts';
import { formatMilliseconds, parseMilliseconds } from './duration-setting.ts';

const parse = (v: string): number => parseMilliseconds('statement_timeout', v);

function failure(v: string): { sqlstate: string; message: string; hint: string | undefined } {
  try {
    parse(v);
  } catch (err) {
    if (err instanceof EngineError) return { sqlstate: err.sqlstate, message: err.message, hint: err.hint };
    throw err;
  }
  throw new Error(`'${v}' was accepted`);
}

describe('millisecond settings as PostgreSQL reads them', () => {
  it('takes bare numbers as milliseconds and the time units', () => {
    expect(parse('1000')).toBe(1000);
    expect(parse('0')).toBe(0);
    expect(parse('-0')).toBe(0);
    expect(parse('5s')).toBe(5000);
    expect(parse('100ms')).toBe(100);
    expect(parse('1min')).toBe(60_000);
    expect(parse('2h')).toBe(7_200_000);
    expect(parse('1d')).toBe(86_400_000);
    expect(parse('1500us')).toBe(2); // 1.5 ms, rounded half to even
    expect(parse('2500us')).toBe(2);
    expect(parse('  5 s  ')).toBe(5000);
  });

  it('reads fractions, exponents, hex and octal as C does', () => {
    expect(parse('1.5min')).toBe(90_000);
    expect(parse('1.0004s')).toBe(1000);
    expect(parse('.5s')).toBe(500);
    expect(parse('1e3')).toBe(1000);
    expect(parse('0x10')).toBe(16);
    expect(parse('010')).toBe(8);
  });

  it("rejects bad values with PostgreSQL's messages and SQLSTATE 22023", () => {
    const units = 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".';
    expect(failure('abc')).toEqual({
      sqlstate: '22023',
      message: 'invalid value for parameter "statement_timeout": "abc"',
      hint: undefined,
    });
    expect(failure('')).toMatchObject({ sqlstate: '22023', hint: undefined });
    expect(failure('5x')).toMatchObject({ sqlstate: '22023', hint: units });
    expect(failure('5 S')).toMatchObject({ sqlstate: '22023', hint: units }); // units are case-sensitive
    expect(failure('5 s x')).toMatchObject({ sqlstate: '22023', hint: units });
    expect(failure('09')).toMatchObject({ sqlstate: '22023', hint: units }); // octal stops at 9
    expect(failure('99999999999')).toEqual({
      sqlstate: '22023',
      message: 'invalid value for parameter "statement_timeout": "99999999999"',
      hint: 'Value exceeds integer range.',
    });
    expect(failure('1e400')).toMatchObject({ sqlstate: '22023', hint: undefined });
    expect(failure('-1s')).toEqual({
      sqlstate: '22023',
      message: '-1000 ms is outside the valid range for parameter "statement_timeout" (0 .. 2147483647)',
      hint: undefined,
    });
    expect(parse('2147483647')).toBe(2_147_483_647);
    expect(failure('2147483648').hint).toBe('Value exceeds integer range.');
  });

  it('shows the largest unit that divides the value, as SHOW does', () => {
    expect(formatMilliseconds(0)).toBe('0');
    expect(formatMilliseconds(5000)).toBe('5s');
    expect(formatMilliseconds(1500)).toBe('1500ms');
    expect(formatMilliseconds(90_000)).toBe('90s');
    expect(formatMilliseconds(60_000)).toBe('1min');
    expect(formatMilliseconds(7_200_000)).toBe('2h');
    expect(formatMilliseconds(172_800_000)).toBe('2d');
    expect(formatMilliseconds(2_147_483_647)).toBe('2147483647ms');
  });
});
