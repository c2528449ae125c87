import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DataType } from '../../common/index.ts';
import { conv, levenshtein, soundex } from './text-extra.ts';
import { call } from './test-helpers.ts';

const S: DataType = { kind: 'string' };
const I: DataType = { kind: 'int' };

/** Full-matrix edit distance over code points, the reference for the banded kernel. */
function naiveDistance(a: string, b: string): number {
  const x = Array.from(a);
  const y = Array.from(b);
  const d = Array.from({ length: x.length + 1 }, (_, i) =>
    Array.from({ length: y.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)),
  );
  for (let i = 1; i <= x.length; i++)
    for (let j = 1; j <= y.length; j++)
      d[i]![j] = Math.min(
        d[i - 1]![j]! + 1,
        d[i]![j - 1]! + 1,
        d[i - 1]![j - 1]! + (x[i - 1] === y[j - 1] ? 0 : 1),
      );
  return d[x.length]![y.length]!;
}

describe('text functions', () => {
  it('levenshtein matches the full matrix, and -1 past the threshold', () => {
    const text = fc.string({ unit: fc.constantFrom('a', 'b', 'c', 'é', '😀'), maxLength: 8 });
    fc.assert(
      fc.property(text, text, fc.integer({ min: -1, max: 6 }), (a, b, t) => {
        const d = naiveDistance(a, b);
        expect(levenshtein(a, b)).toBe(d);
        expect(levenshtein(a, b, t)).toBe(d > t ? -1 : d);
      }),
    );
  });

  it('substring_index splits on the count-th delimiter from either end', () => {
    const text = fc.string({ unit: fc.constantFrom('a', '.', 'b'), maxLength: 10 });
    fc.assert(
      fc.property(text, fc.integer({ min: -4, max: 4 }), (s, n) => {
        const parts = s.split('.');
        const want =
          n === 0
            ? ''
            : n > 0
              ? parts.slice(0, n).join('.')
              : parts.slice(Math.max(0, parts.length + n)).join('.');
        expect(
          call('substring_index', [
            [s, S],
            ['.', S],
            [n, I],
          ]),
        ).toBe(want);
      }),
    );
  });

  it('conv agrees with BigInt for unsigned 64-bit values in every base', () => {
    fc.assert(
      fc.property(
        fc.bigInt({ min: 0n, max: (1n << 64n) - 1n }),
        fc.integer({ min: 2, max: 36 }),
        fc.integer({ min: 2, max: 36 }),
        (v, from, to) => {
          expect(conv(v.toString(from), from, to, true)).toBe(v.toString(to).toUpperCase());
          const signed = BigInt.asIntN(64, v);
          expect(conv(v.toString(from), from, -to, true)).toBe(signed.toString(to).toUpperCase());
        },
      ),
    );
    expect(conv('-5', 10, 10, true)).toBe('18446744073709551611');
    expect(() => conv('1'.repeat(70), 2, 10, true)).toThrow('ARITHMETIC_OVERFLOW');
    expect(conv('1'.repeat(70), 2, 10, false)).toBe('18446744073709551615');
  });

  it('soundex skips H and W between equal codes and vowels separate them', () => {
    expect(soundex('Ashcraft')).toBe('A261');
    expect(soundex('Pfister')).toBe('P236');
    expect(soundex('Tymczak')).toBe('T522');
    expect(soundex('Honeyman')).toBe('H555');
    expect(soundex('a')).toBe('A000');
    expect(soundex('é')).toBe('é');
  });
});
