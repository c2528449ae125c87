import { describe, expect, it } from 'vitest';
import { TABLE_NAMES, scaleOf, tableRows } from './index.ts';
import { formatDate, formatMoney, LAST_ORDER_DAY } from './format.ts';
import { RandomStream } from './random.ts';
import { orderKey, orderingCustomerKey, orderingCustomers, partSupplier, retailPriceCents } from './scale.ts';

describe('scale and key rules', () => {
  it('scales cardinalities', () => {
    expect(scaleOf(0.01)).toMatchObject({ suppliers: 100, customers: 1500, parts: 2000 });
    expect(scaleOf(1)).toMatchObject({ suppliers: 10_000, orders: 1_500_000, clerks: 1000 });
    expect(scaleOf(100)).toMatchObject({ parts: 20_000_000, orders: 150_000_000 });
    expect(() => scaleOf(0)).toThrow(RangeError);
  });

  it('numbers orders sparsely', () => {
    expect([1, 7, 8, 9, 15, 16].map(orderKey)).toEqual([1, 7, 32, 33, 39, 64]);
  });

  it('picks the four partsupp suppliers by the spec formula', () => {
    expect([0, 1, 2, 3].map((i) => partSupplier(1, i, 100))).toEqual([2, 27, 52, 77]);
    expect([0, 1, 2, 3].map((i) => partSupplier(2000, i, 100))).toEqual([1, 45, 89, 33]);
  });

  it('prices parts from the key', () => {
    expect(retailPriceCents(1)).toBe(90_100);
    expect(retailPriceCents(2000)).toBe(90_200);
    expect(retailPriceCents(999)).toBe(90_000 + 99 + 99_900);
  });

  it('enumerates the customers not divisible by 3', () => {
    expect([0, 1, 2, 3, 4].map(orderingCustomerKey)).toEqual([1, 2, 4, 5, 7]);
    expect(orderingCustomers(1500)).toBe(1000);
    expect(orderingCustomerKey(999)).toBe(1499);
  });
});

describe('formatting', () => {
  it('formats money from cents', () => {
    expect([0, 5, 100, 123456, -5, -99999].map(formatMoney)).toEqual([
      '0.00',
      '0.05',
      '1.00',
      '1234.56',
      '-0.05',
      '-999.99',
    ]);
  });

  it('formats day numbers as dates', () => {
    expect(formatDate(0)).toBe('1992-01-01');
    expect(formatDate(LAST_ORDER_DAY)).toBe('1998-08-02');
    expect(formatDate(60)).toBe('1992-03-01');
  });
});

describe('random streams', () => {
  it('stay within bounds, small and large ranges', () => {
    const r = new RandomStream('test');
    r.seek(12345);
    const seen = new Set<number>();
    for (let i = 0; i < 10_000; i++) {
      const v = r.int(3, 7);
      seen.add(v);
      const big = r.int(1, 20_000_000);
      expect(big >= 1 && big <= 20_000_000 && Number.isInteger(big)).toBe(true);
    }
    expect([...seen].sort()).toEqual([3, 4, 5, 6, 7]);
  });

  it('restart identically after seek, and differ across rows and columns', () => {
    const a = new RandomStream('a');
    const b = new RandomStream('b');
    const draw = (s: RandomStream, row: number): number[] => {
      s.seek(row);
      return [s.next(), s.next(), s.next()];
    };
    expect(draw(a, 2 ** 40 + 3)).toEqual(draw(a, 2 ** 40 + 3));
    expect(draw(a, 3)).not.toEqual(draw(a, 4));
    expect(draw(a, 3)).not.toEqual(draw(a, 2 ** 32 + 3));
    expect(draw(a, 3)).not.toEqual(draw(b, 3));
  });

  it('let any unit range be generated on its own', () => {
    const scale = scaleOf(0.01);
    for (const t of TABLE_NAMES) {
      const n = t === 'region' ? 5 : 25;
      const text = (a: number, b: number): string =>
        Buffer.from(tableRows(t, scale, a, b)).toString('latin1');
      expect(text(0, 2) + text(2, n), t).toBe(text(0, n));
    }
  });
});
