import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import type { ColumnarValue } from '../../functions/index.ts';
import { compareValues } from '../../functions/index.ts';
import { compare, testSign, type CompareOp } from './comparison.ts';
import { andOr, booleanTest } from './boolean.ts';
import { inList } from './in-list.ts';

const BOOL: DataType = { kind: 'boolean' };
const col = (t: DataType, v: Value[]): ColumnarValue => ({ kind: 'array', data: columnFromValues(t, v) });
const out = (v: ColumnarValue, n: number): Value[] =>
  v.kind === 'scalar'
    ? new Array<Value>(n).fill(v.value)
    : Array.from({ length: n }, (_, i) => valueAt(v.data, BOOL, i));

const OPS: CompareOp[] = ['=', '<>', '<', '<=', '>', '>=', '<=>'];

function naive(op: CompareOp, a: Value, b: Value, t: DataType): Value {
  if (op === '<=>') return a === null || b === null ? a === b : compareValues(a, b, t) === 0;
  if (a === null || b === null) return null;
  return testSign(op, compareValues(a, b, t));
}

const generators: [DataType, fc.Arbitrary<Value>][] = [
  [{ kind: 'int' }, fc.integer()],
  [{ kind: 'double' }, fc.oneof(fc.double(), fc.constant(NaN))],
  [{ kind: 'bigint' }, fc.bigInt({ min: -(1n << 63n), max: (1n << 63n) - 1n })],
  [
    { kind: 'decimal', precision: 15, scale: 2 },
    fc.bigInt({ min: -(10n ** 15n) + 1n, max: 10n ** 15n - 1n }),
  ],
  [
    { kind: 'decimal', precision: 30, scale: 2 },
    fc.bigInt({ min: -(10n ** 30n) + 1n, max: 10n ** 30n - 1n }),
  ],
  [{ kind: 'string' }, fc.oneof(fc.string(), fc.constantFrom('a', 'ab', 'é', '😀', ''))],
  [{ kind: 'date' }, fc.integer({ min: -100000, max: 100000 })],
  [{ kind: 'timestamp' }, fc.bigInt({ min: -(1n << 60n), max: 1n << 60n })],
  [BOOL, fc.boolean()],
];

describe('comparison kernels', () => {
  for (const [type, gen] of generators) {
    it(`${type.kind}: every operator matches a naive evaluator (columns, scalars, NULLs)`, () => {
      const v = fc.option(gen, { nil: null, freq: 5 });
      fc.assert(
        fc.property(
          fc.constantFrom(...OPS),
          fc.array(fc.tuple(v, v), { maxLength: 25 }),
          fc.integer({ min: 0, max: 2 }),
          (op, pairs, shape) => {
            const n = pairs.length;
            const scalar = pairs[0]?.[1] ?? null;
            const right: ColumnarValue =
              shape === 1
                ? { kind: 'scalar', value: scalar, type }
                : col(
                    type,
                    pairs.map((p) => p[1]),
                  );
            const left = col(
              type,
              pairs.map((p) => p[0]),
            );
            const got =
              shape === 2
                ? out(compare(op, right, left, type, n), n)
                : out(compare(op, left, right, type, n), n);
            const want = pairs.map(([a, b]) =>
              shape === 2 ? naive(op, b, a, type) : naive(op, a, shape === 1 ? scalar : b, type),
            );
            expect(got).toEqual(want);
          },
        ),
      );
    });
  }

  it('strings compare on UTF-8 bytes (code point order), not UTF-16 units', () => {
    const t: DataType = { kind: 'string' };
    // U+FF5E (3 bytes) < U+1F600 (4 bytes) in UTF-8, although '😀' < '～' in UTF-16
    expect(out(compare('<', col(t, ['～']), col(t, ['😀']), t, 1), 1)).toEqual([true]);
  });
});

describe('three-valued logic', () => {
  const b = (v: (boolean | null)[]): ColumnarValue => col(BOOL, v);
  const all: (boolean | null)[] = [true, false, null];
  const lefts = all.flatMap((x) => all.map(() => x));
  const rights = all.flatMap(() => all);
  it('AND / OR truth tables', () => {
    expect(out(andOr('and', b(lefts), b(rights), 9), 9)).toEqual([
      true,
      false,
      null,
      false,
      false,
      false,
      null,
      false,
      null,
    ]);
    expect(out(andOr('or', b(lefts), b(rights), 9), 9)).toEqual([
      true,
      true,
      true,
      true,
      false,
      null,
      true,
      null,
      null,
    ]);
    expect(
      andOr(
        'and',
        { kind: 'scalar', value: false, type: BOOL },
        { kind: 'scalar', value: null, type: BOOL },
        1,
      ),
    ).toEqual({ kind: 'scalar', value: false, type: BOOL });
  });
  it('NOT and IS tests', () => {
    expect(out(booleanTest('not', b(all), 3), 3)).toEqual([false, true, null]);
    expect(out(booleanTest('is_null', b(all), 3), 3)).toEqual([false, false, true]);
    expect(out(booleanTest('is_true', b(all), 3), 3)).toEqual([true, false, false]);
    expect(out(booleanTest('is_not_false', b(all), 3), 3)).toEqual([true, false, true]);
    expect(out(booleanTest('is_not_true', b(all), 3), 3)).toEqual([false, true, true]);
  });
});

describe('IN list', () => {
  const INT: DataType = { kind: 'int' };
  it('x IN (1, NULL) is NULL when not found, true when found', () => {
    expect(out(inList(col(INT, [1, 2, null]), [1, null], INT, false, 3), 3)).toEqual([true, null, null]);
    expect(out(inList(col(INT, [1, 2, null]), [1, null], INT, true, 3), 3)).toEqual([false, null, null]);
    expect(out(inList(col(INT, [1, 2]), [1, 3], INT, true, 2), 2)).toEqual([false, true]);
  });
  it('strings, short and long lists', () => {
    const S: DataType = { kind: 'string' };
    const long = Array.from({ length: 40 }, (_, i) => `v${i}`);
    expect(out(inList(col(S, ['MAIL', 'SHIP', 'AIR', 'é']), ['MAIL', 'SHIP', 'é'], S, false, 4), 4)).toEqual([
      true,
      true,
      false,
      true,
    ]);
    expect(out(inList(col(S, ['v3', 'x']), long, S, false, 2), 2)).toEqual([true, false]);
  });
  it('decimals and doubles', () => {
    const D: DataType = { kind: 'decimal', precision: 5, scale: 2 };
    expect(out(inList(col(D, [5n, 7n]), [7n], D, false, 2), 2)).toEqual([false, true]);
    const F: DataType = { kind: 'double' };
    expect(out(inList(col(F, [NaN, 0]), [NaN, -0], F, false, 2), 2)).toEqual([true, true]);
  });
});
