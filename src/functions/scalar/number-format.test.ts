import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { numberFormat } from './number-format.ts';

describe('number formats', () => {
  it('reads the precision and scale of a format', () => {
    const f = numberFormat('$99,999.99S');
    expect([f.precision, f.scale]).toEqual([7, 2]);
    expect([numberFormat('0D0').precision, numberFormat('0D0').scale]).toEqual([2, 1]);
  });

  it('formats and parses back every decimal that fits (to_char then to_number)', () => {
    const formats = ['999,999.99', '000000.00', 'S999999.99', '$999,999.99MI', '999999.99PR', '99G999G9D99'];
    fc.assert(
      fc.property(fc.bigInt({ min: -99999999n, max: 99999999n }), fc.constantFrom(...formats), (v, text) => {
        const f = numberFormat(text);
        const shown = f.format(v, 2);
        // signs only where the format has one: without it negative numbers do not round-trip
        if (!/S|MI|PR/.test(text) && v < 0n) return;
        expect(f.parse(shown.trim() === shown ? shown : shown.replace(/ /g, ''))).toBe(v);
      }),
    );
  });

  it('marks overflow with # and keeps Spark positions of signs and spaces', () => {
    expect(numberFormat('99').format(100n, 0)).toBe('##');
    expect(numberFormat('99.9').format(12345n, 3)).toBe('##.#');
    expect(numberFormat('S999').format(-5n, 0)).toBe('  -5');
    expect(numberFormat('999PR').format(-5n, 0)).toBe('  <5>');
    expect(numberFormat('9.99').format(5n, 1)).toBe('0.50');
    expect(numberFormat('99,999').format(454n, 0)).toBe('   454');
    // zero has no integer digits: its one digit place is a space, as Spark's algorithm leaves it
    expect(numberFormat('9').format(0n, 0)).toBe(' ');
    expect(numberFormat('0').format(0n, 0)).toBe('0');
  });

  it('rejects malformed formats and inputs', () => {
    expect(() => numberFormat('9.9.9')).toThrow('WRONG_NUM_TOKEN');
    expect(() => numberFormat('PR9')).toThrow();
    expect(numberFormat('99').parse('1 2')).toBe(12n);
    expect(numberFormat('99').parse('')).toBeUndefined();
    expect(numberFormat('9.9').parse('.')).toBeUndefined();
    expect(numberFormat('$9').parse('5')).toBeUndefined();
  });
});
