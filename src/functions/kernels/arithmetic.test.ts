import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineError, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import type { ColumnarValue } from '../registry.ts';
import { decimalArithmeticType } from '../type-coercion.ts';
import { arithmetic, negate } from './arithmetic.ts';
import { decimalOpExact } from './decimal-arithmetic.ts';

function col(type: DataType, values: Value[]): ColumnarValue {
  return { kind: 'array', data: columnFromValues(type, values) };
}

function rows(v: ColumnarValue, type: DataType, n: number): Value[] {
  if (v.kind === 'scalar') return new Array<Value>(n).fill(v.value);
  return Array.from({ length: n }, (_, i) => valueAt(v.data, type, i));
}

function sqlstate(f: () => unknown): string | undefined {
  try {
    f();
  } catch (e) {
    return e instanceof EngineError ? e.sqlstate : 'not-engine-error';
  }
  return undefined;
}

const INT: DataType = { kind: 'int' };
const BIGINT: DataType = { kind: 'bigint' };
const DOUBLE: DataType = { kind: 'double' };

/** Naive row-at-a-time reference with BigInt, NULL on overflow/zero (non-ANSI). */
function naiveInt(
  op: '+' | '-' | '*' | '%',
  a: number | null,
  b: number | null,
  lo: bigint,
  hi: bigint,
): bigint | null {
  if (a === null || b === null) return null;
  const x = BigInt(a);
  const y = BigInt(b);
  let r: bigint;
  if (op === '%') {
    if (y === 0n) return null;
    r = x % y;
  } else r = op === '+' ? x + y : op === '-' ? x - y : x * y;
  return r < lo || r > hi ? null : r;
}

describe('integer arithmetic', () => {
  const intOrNull = fc.option(fc.integer({ min: -2147483648, max: 2147483647 }), { nil: null, freq: 5 });
  for (const op of ['+', '-', '*', '%'] as const) {
    it(`int ${op} matches a naive evaluator (arrays and scalars, NULLs, overflow → NULL)`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.tuple(intOrNull, intOrNull), { minLength: 0, maxLength: 40 }),
          fc.boolean(),
          (pairs, scalarRight) => {
            const n = pairs.length;
            const left = col(
              INT,
              pairs.map((p) => p[0]),
            );
            const rightValue = pairs[0]?.[1] ?? 3;
            const right = scalarRight
              ? ({ kind: 'scalar', value: rightValue, type: INT } as ColumnarValue)
              : col(
                  INT,
                  pairs.map((p) => p[1]),
                );
            const got = rows(arithmetic(op, left, right, INT, INT, INT, n, 'null'), INT, n);
            const want = pairs.map((p) => {
              const r = naiveInt(op, p[0], scalarRight ? rightValue : p[1], -2147483648n, 2147483647n);
              return r === null ? null : Number(r);
            });
            expect(got).toEqual(want);
          },
        ),
      );
    });
  }

  it('bigint + - * match BigInt with 64-bit overflow → NULL', () => {
    const big = fc.option(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { nil: null, freq: 5 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(big, big), { maxLength: 30 }),
        fc.constantFrom('+', '-', '*'),
        (pairs, op) => {
          const n = pairs.length;
          const got = rows(
            arithmetic(
              op,
              col(
                BIGINT,
                pairs.map((p) => p[0]),
              ),
              col(
                BIGINT,
                pairs.map((p) => p[1]),
              ),
              BIGINT,
              BIGINT,
              BIGINT,
              n,
              'null',
            ),
            BIGINT,
            n,
          );
          const want = pairs.map(([a, b]) => {
            if (a === null || b === null) return null;
            const r = op === '+' ? a + b : op === '-' ? a - b : a * b;
            return r < -(1n << 63n) || r >= 1n << 63n ? null : r;
          });
          expect(got).toEqual(want);
        },
      ),
    );
  });

  it('raises 22003 ARITHMETIC_OVERFLOW in ANSI mode', () => {
    const l = col(INT, [2147483647]);
    const r = col(INT, [1]);
    expect(sqlstate(() => arithmetic('+', l, r, INT, INT, INT, 1, 'error'))).toBe('22003');
    expect(() => arithmetic('+', l, r, INT, INT, INT, 1, 'error')).toThrow(
      '[ARITHMETIC_OVERFLOW] integer overflow.',
    );
    expect(sqlstate(() => negate(col(INT, [-2147483648]), INT, 1, 'error'))).toBe('22003');
    expect(
      sqlstate(() =>
        arithmetic('*', col(BIGINT, [1n << 62n]), col(BIGINT, [4n]), BIGINT, BIGINT, BIGINT, 1, 'error'),
      ),
    ).toBe('22003');
  });

  it('division by zero is 22012 in ANSI mode and NULL otherwise', () => {
    expect(sqlstate(() => arithmetic('%', col(INT, [1]), col(INT, [0]), INT, INT, INT, 1, 'error'))).toBe(
      '22012',
    );
    expect(() =>
      arithmetic('/', col(DOUBLE, [1]), col(DOUBLE, [0]), DOUBLE, DOUBLE, DOUBLE, 1, 'error'),
    ).toThrow('[DIVIDE_BY_ZERO] Division by zero');
    expect(
      rows(arithmetic('div', col(INT, [7, 1]), col(INT, [2, 0]), INT, INT, BIGINT, 2, 'null'), BIGINT, 2),
    ).toEqual([3n, null]);
  });

  it('does not raise for rows that are NULL', () => {
    expect(
      rows(arithmetic('%', col(INT, [5, null]), col(INT, [2, 0]), INT, INT, INT, 2, 'error'), INT, 2),
    ).toEqual([1, null]);
  });

  it('negates doubles and handles empty input', () => {
    expect(rows(negate(col(DOUBLE, [1.5, null]), DOUBLE, 2, 'error'), DOUBLE, 2)).toEqual([-1.5, null]);
    expect(rows(arithmetic('+', col(INT, []), col(INT, []), INT, INT, INT, 0, 'error'), INT, 0)).toEqual([]);
  });
});

describe('decimal arithmetic', () => {
  const d = (p: number, s: number): DataType => ({ kind: 'decimal', precision: p, scale: s });

  it('TPC-H Q6: 0.06 + 0.01 is exactly 0.07', () => {
    const t = decimalArithmeticType('+', { precision: 3, scale: 2 }, { precision: 3, scale: 2 });
    const r = arithmetic(
      '+',
      { kind: 'scalar', value: 6n, type: d(3, 2) },
      { kind: 'scalar', value: 1n, type: d(3, 2) },
      d(3, 2),
      d(3, 2),
      t,
      1,
      'error',
    );
    expect(r).toEqual({ kind: 'scalar', value: 7n, type: t });
  });

  it('extendedprice * (1 - discount) * (1 + tax) is exact', () => {
    const price = d(15, 2);
    const disc = d(15, 2);
    const one = d(1, 0);
    const oneMinus = decimalArithmeticType('-', { precision: 1, scale: 0 }, { precision: 15, scale: 2 });
    const mul1 = decimalArithmeticType(
      '*',
      { precision: 15, scale: 2 },
      oneMinus as { precision: number; scale: number },
    );
    const a = arithmetic(
      '-',
      { kind: 'scalar', value: 1n, type: one },
      col(disc, [4n, 10n, null]),
      one,
      disc,
      oneMinus,
      3,
      'error',
    );
    const b = arithmetic(
      '*',
      col(price, [3307894n, 9999999999999n, 100n]),
      a,
      price,
      oneMinus,
      mul1,
      3,
      'error',
    );
    expect(rows(b, mul1, 3)).toEqual([3307894n * 96n, 9999999999999n * 90n, null]);
    expect(mul1).toEqual(d(32, 4));
  });

  it('matches exact BigInt arithmetic on random operands (fast float path and BigInt path)', () => {
    const small = fc.option(fc.bigInt({ min: -(10n ** 9n) + 1n, max: 10n ** 9n - 1n }), {
      nil: null,
      freq: 6,
    });
    const large = fc.option(fc.bigInt({ min: -(10n ** 17n) + 1n, max: 10n ** 17n - 1n }), {
      nil: null,
      freq: 6,
    });
    fc.assert(
      fc.property(
        fc.constantFrom('+', '-', '*', '/', '%'),
        fc.integer({ min: 0, max: 4 }),
        fc.integer({ min: 0, max: 4 }),
        fc.boolean(),
        fc.array(fc.tuple(small, large), { maxLength: 20 }),
        (op, s1, s2, swap, pairs) => {
          const p1 = swap ? 18 : 10;
          const p2 = swap ? 10 : 18;
          const lt = d(p1, s1);
          const rt = d(p2, s2);
          const result = decimalArithmeticType(
            op,
            { precision: p1, scale: s1 },
            { precision: p2, scale: s2 },
          );
          const lv = pairs.map((p) => (swap ? p[1] : p[0]));
          const rv = pairs.map((p) => (swap ? p[0] : p[1]));
          const n = pairs.length;
          const got = rows(arithmetic(op, col(lt, lv), col(rt, rv), lt, rt, result, n, 'null'), result, n);
          const rs = result.kind === 'decimal' ? result.scale : 0;
          const rp = result.kind === 'decimal' ? result.precision : 38;
          const want = lv.map((a, i) => {
            const b = rv[i]!;
            if (a === null || b === null) return null;
            const r = decimalOpExact(op, a, s1, b, s2, rs);
            if (r === 'zero') return null;
            const m = 10n ** BigInt(rp);
            return r >= m || r <= -m ? null : r;
          });
          expect(got).toEqual(want);
        },
      ),
    );
  });

  it('128-bit operands and results match exact BigInt arithmetic (small values take the float path)', () => {
    const v = fc.option(
      fc.oneof(
        fc.bigInt({ min: -(10n ** 12n), max: 10n ** 12n }),
        fc.bigInt({ min: -(10n ** 24n) + 1n, max: 10n ** 24n - 1n }),
      ),
      { nil: null, freq: 6 },
    );
    fc.assert(
      fc.property(
        fc.constantFrom('+', '-', '*', '/', '%'),
        fc.integer({ min: 0, max: 6 }),
        fc.integer({ min: 0, max: 6 }),
        fc.array(fc.tuple(v, v), { maxLength: 20 }),
        (op, s1, s2, pairs) => {
          const lt = d(25, s1);
          const rt = d(25, s2);
          const result = decimalArithmeticType(
            op,
            { precision: 25, scale: s1 },
            { precision: 25, scale: s2 },
          );
          const rs = result.kind === 'decimal' ? result.scale : 0;
          const rp = result.kind === 'decimal' ? result.precision : 38;
          const n = pairs.length;
          const got = rows(
            arithmetic(
              op,
              col(
                lt,
                pairs.map((p) => p[0]),
              ),
              col(
                rt,
                pairs.map((p) => p[1]),
              ),
              lt,
              rt,
              result,
              n,
              'null',
            ),
            result,
            n,
          );
          const want = pairs.map(([a, b]) => {
            if (a === null || b === null) return null;
            const r = decimalOpExact(op, a, s1, b, s2, rs);
            if (r === 'zero') return null;
            const m = 10n ** BigInt(rp);
            return r >= m || r <= -m ? null : r;
          });
          expect(got).toEqual(want);
        },
      ),
    );
  });

  it('division rounds HALF_UP at the result scale', () => {
    // 1 / 3 as decimal(10,0)/decimal(10,0) → decimal(21,11)
    const t = decimalArithmeticType('/', { precision: 10, scale: 0 }, { precision: 10, scale: 0 });
    const r = arithmetic(
      '/',
      col(d(10, 0), [1n, 2n, -2n]),
      col(d(10, 0), [3n, 3n, 3n]),
      d(10, 0),
      d(10, 0),
      t,
      3,
      'error',
    );
    expect(t).toEqual(d(21, 11));
    expect(rows(r, t, 3)).toEqual([33333333333n, 66666666667n, -66666666667n]);
  });

  it('decimal(38) results use 128-bit values', () => {
    const t = d(38, 0);
    const big = 10n ** 37n;
    const r = arithmetic('+', col(t, [big, -big]), col(t, [big, 1n]), t, t, t, 2, 'error');
    expect(rows(r, t, 2)).toEqual([2n * big, -big + 1n]);
  });

  it('overflow of the result precision is 22003 in ANSI mode, NULL otherwise', () => {
    const t = d(38, 0);
    const max = 10n ** 38n - 1n;
    expect(sqlstate(() => arithmetic('+', col(t, [max]), col(t, [1n]), t, t, t, 1, 'error'))).toBe('22003');
    expect(rows(arithmetic('+', col(t, [max]), col(t, [1n]), t, t, t, 1, 'null'), t, 1)).toEqual([null]);
    expect(
      sqlstate(() =>
        arithmetic('/', col(d(5, 2), [100n]), col(d(5, 2), [0n]), d(5, 2), d(5, 2), d(13, 8), 1, 'error'),
      ),
    ).toBe('22012');
  });
});

describe("overflow mode 'wrap' (ANSI off)", () => {
  const widths = [
    { type: { kind: 'tinyint' } as DataType, bits: 8 },
    { type: { kind: 'smallint' } as DataType, bits: 16 },
    { type: INT, bits: 32 },
  ];
  for (const { type, bits } of widths) {
    const lo = -(2 ** (bits - 1));
    const hi = 2 ** (bits - 1) - 1;
    for (const op of ['+', '-', '*'] as const) {
      it(`${type.kind} ${op} wraps like two's complement`, () => {
        const v = fc.option(fc.integer({ min: lo, max: hi }), { nil: null, freq: 6 });
        fc.assert(
          fc.property(fc.array(fc.tuple(v, v), { maxLength: 30 }), (pairs) => {
            const n = pairs.length;
            const got = rows(
              arithmetic(
                op,
                col(
                  type,
                  pairs.map((p) => p[0]),
                ),
                col(
                  type,
                  pairs.map((p) => p[1]),
                ),
                type,
                type,
                type,
                n,
                'wrap',
              ),
              type,
              n,
            );
            const want = pairs.map(([a, b]) => {
              if (a === null || b === null) return null;
              const x = BigInt(a);
              const y = BigInt(b);
              return Number(BigInt.asIntN(bits, op === '+' ? x + y : op === '-' ? x - y : x * y));
            });
            expect(got).toEqual(want);
          }),
        );
      });
    }
  }

  it('int edge cases: MAX + 1, MAX * 2, MIN - 1, and a product beyond 2^53', () => {
    const r = arithmetic(
      '+',
      col(INT, [2147483647, -2147483648, null]),
      col(INT, [1, -1, 1]),
      INT,
      INT,
      INT,
      3,
      'wrap',
    );
    expect(rows(r, INT, 3)).toEqual([-2147483648, 2147483647, null]);
    const m = arithmetic(
      '*',
      col(INT, [2147483647, 2147483647]),
      col(INT, [2, 2147483647]),
      INT,
      INT,
      INT,
      2,
      'wrap',
    );
    expect(rows(m, INT, 2)).toEqual([-2, 1]);
  });

  it('bigint + - * wrap at 64 bits', () => {
    const big = fc.option(fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n }), { nil: null, freq: 5 });
    fc.assert(
      fc.property(
        fc.array(fc.tuple(big, big), { maxLength: 30 }),
        fc.constantFrom('+', '-', '*'),
        (pairs, op) => {
          const n = pairs.length;
          const l = col(
            BIGINT,
            pairs.map((p) => p[0]),
          );
          const r = col(
            BIGINT,
            pairs.map((p) => p[1]),
          );
          const got = rows(arithmetic(op, l, r, BIGINT, BIGINT, BIGINT, n, 'wrap'), BIGINT, n);
          const want = pairs.map(([a, b]) =>
            a === null || b === null
              ? null
              : BigInt.asIntN(64, op === '+' ? a + b : op === '-' ? a - b : a * b),
          );
          expect(got).toEqual(want);
        },
      ),
    );
    const max = (1n << 63n) - 1n;
    const s = arithmetic(
      '*',
      { kind: 'scalar', value: max, type: BIGINT },
      { kind: 'scalar', value: 2n, type: BIGINT },
      BIGINT,
      BIGINT,
      BIGINT,
      1,
      'wrap',
    );
    expect(s).toEqual({ kind: 'scalar', value: -2n, type: BIGINT });
  });

  it('division by zero is NULL, not an error', () => {
    expect(
      rows(arithmetic('div', col(INT, [7]), col(INT, [0]), INT, INT, BIGINT, 1, 'wrap'), BIGINT, 1),
    ).toEqual([null]);
    expect(
      rows(
        arithmetic('%', col(BIGINT, [7n]), col(BIGINT, [0n]), BIGINT, BIGINT, BIGINT, 1, 'wrap'),
        BIGINT,
        1,
      ),
    ).toEqual([null]);
    expect(
      rows(arithmetic('/', col(DOUBLE, [1]), col(DOUBLE, [0]), DOUBLE, DOUBLE, DOUBLE, 1, 'wrap'), DOUBLE, 1),
    ).toEqual([null]);
  });

  it('bigint MIN div -1 wraps to MIN', () => {
    const min = -(1n << 63n);
    expect(
      rows(
        arithmetic('div', col(BIGINT, [min]), col(BIGINT, [-1n]), BIGINT, BIGINT, BIGINT, 1, 'wrap'),
        BIGINT,
        1,
      ),
    ).toEqual([min]);
  });

  it('decimal overflow is NULL, not wrapped', () => {
    const t: DataType = { kind: 'decimal', precision: 38, scale: 0 };
    const max = 10n ** 38n - 1n;
    expect(rows(arithmetic('+', col(t, [max]), col(t, [1n]), t, t, t, 1, 'wrap'), t, 1)).toEqual([null]);
  });

  it('interval overflow still raises 22003', () => {
    const t: DataType = { kind: 'interval_day_time' };
    const max = (1n << 63n) - 1n;
    expect(sqlstate(() => arithmetic('+', col(t, [max]), col(t, [1n]), t, t, t, 1, 'wrap'))).toBe('22003');
    expect(sqlstate(() => negate(col(t, [-(1n << 63n)]), t, 1, 'wrap'))).toBe('22003');
  });
});

describe('negate overflow modes', () => {
  const SMALLINT: DataType = { kind: 'smallint' };
  const TINYINT: DataType = { kind: 'tinyint' };
  it('-(MIN) wraps to MIN, is NULL for try, raises in ANSI mode', () => {
    expect(rows(negate(col(INT, [-2147483648, 5, null]), INT, 3, 'wrap'), INT, 3)).toEqual([
      -2147483648,
      -5,
      null,
    ]);
    expect(rows(negate(col(INT, [-2147483648]), INT, 1, 'null'), INT, 1)).toEqual([null]);
    expect(sqlstate(() => negate(col(INT, [-2147483648]), INT, 1, 'error'))).toBe('22003');
    expect(rows(negate(col(SMALLINT, [-32768]), SMALLINT, 1, 'wrap'), SMALLINT, 1)).toEqual([-32768]);
    expect(rows(negate(col(TINYINT, [-128]), TINYINT, 1, 'wrap'), TINYINT, 1)).toEqual([-128]);
    const min = -(1n << 63n);
    expect(rows(negate(col(BIGINT, [min]), BIGINT, 1, 'wrap'), BIGINT, 1)).toEqual([min]);
    expect(sqlstate(() => negate(col(BIGINT, [min]), BIGINT, 1, 'error'))).toBe('22003');
  });
});
