import { describe, expect, it } from 'vitest';
import { q11Fraction, queryText } from './queries.ts';

describe('queryText', () => {
  it('keeps the validation parameters without a scale factor', () => {
    expect(queryText(11)).toContain('* 0.0001000000');
    expect(queryText(11)).not.toMatch(/;\s*$/);
  });

  it("scales Q11's FRACTION as 0.0001 / SF with ten decimals", () => {
    expect(q11Fraction(1)).toBe('0.0001000000');
    expect(q11Fraction(0.1)).toBe('0.0010000000');
    expect(q11Fraction(0.01)).toBe('0.0100000000');
    expect(q11Fraction(10)).toBe('0.0000100000');
    expect(q11Fraction(30)).toBe('0.0000033333');
    const sf30 = queryText(11, 30);
    expect(sf30).toContain('* 0.0000033333');
    expect(sf30).not.toContain('0.0001000000');
    expect(sf30.replace('0.0000033333', '0.0001000000')).toBe(queryText(11));
  });

  it('leaves the other queries unchanged at any scale', () => {
    for (const q of [1, 6, 12, 22]) expect(queryText(q, 30)).toBe(queryText(q));
  });
});
