import { describe, expect, it } from 'vitest';
import { columnFromValues, type DataType, type Value } from '../../common/index.ts';
import { sliceColumn } from '../batch/slice.ts';
import {
  flipCompareOp,
  refineByCompare,
  supportsSelectCompare,
  type SelectCompareOp,
} from './select-compare.ts';

const OPS: SelectCompareOp[] = ['=', '<>', '<', '<=', '>', '>='];

/** Reference semantics: NULL never passes; NaN equals NaN and is above every number. */
function expected(
  values: readonly Value[],
  op: SelectCompareOp,
  c: number | bigint,
  sel: readonly number[],
): number[] {
  const cmp = (x: number | bigint): number => {
    if (typeof x === 'number' && Number.isNaN(x)) return 1;
    return x < c ? -1 : x > c ? 1 : 0;
  };
  return sel.filter((i) => {
    const v = values[i];
    if (v === null || v === undefined) return false;
    const r = cmp(v as number | bigint);
    switch (op) {
      case '=':
        return r === 0;
      case '<>':
        return r !== 0;
      case '<':
        return r < 0;
      case '<=':
        return r <= 0;
      case '>':
        return r > 0;
      case '>=':
        return r >= 0;
    }
  });
}

const cases: { type: DataType; values: Value[]; constants: (number | bigint)[] }[] = [
  { type: { kind: 'int' }, values: [5, null, -3, 7, 5, 2147483647, -2147483648], constants: [5, 0, -3] },
  { type: { kind: 'date' }, values: [19000, 19001, null, 18999], constants: [19000] },
  { type: { kind: 'smallint' }, values: [1, 2, 3, null], constants: [2] },
  {
    type: { kind: 'bigint' },
    values: [
      0n,
      -1n,
      1n,
      4294967296n,
      -4294967296n,
      9223372036854775807n,
      -9223372036854775808n,
      null,
      4294967295n,
    ],
    constants: [0n, -1n, 4294967296n, 4294967295n, -4294967296n],
  },
  {
    type: { kind: 'decimal', precision: 15, scale: 2 },
    values: [5n, 6n, 7n, null, -5n, 700n, 123456789012345n],
    constants: [6n, -5n, 0n],
  },
  { type: { kind: 'timestamp' }, values: [1n, 2n, null, 3n], constants: [2n] },
  {
    type: { kind: 'double' },
    values: [1.5, NaN, -0, 0, null, -Infinity, Infinity, 2],
    constants: [0, 1.5, Infinity],
  },
];

describe('refineByCompare', () => {
  for (const { type, values, constants } of cases) {
    it(`matches three-valued SQL comparison for ${type.kind}, all rows and a selection, plain and sliced`, () => {
      const column = columnFromValues(type, values);
      const all = values.map((_, i) => i);
      const some = all.filter((i) => i % 2 === 0);
      for (const c of constants) {
        expect(supportsSelectCompare(type, c)).toBe(true);
        for (const op of OPS) {
          expect([...refineByCompare(column, type, op, c, null, values.length)]).toEqual(
            expected(values, op, c, all),
          );
          expect([...refineByCompare(column, type, op, c, Int32Array.from(some), values.length)]).toEqual(
            expected(values, op, c, some),
          );
          const sliced = sliceColumn(column, type, 1, values.length);
          const rest = values.slice(1);
          expect([...refineByCompare(sliced, type, op, c, null, rest.length)]).toEqual(
            expected(
              rest,
              op,
              c,
              rest.map((_, i) => i),
            ),
          );
        }
      }
    });
  }

  it('returns the selection itself when every row passes', () => {
    const type: DataType = { kind: 'int' };
    const sel = Int32Array.of(0, 2);
    expect(refineByCompare(columnFromValues(type, [1, 2, 3]), type, '>', 0, sel, 3)).toBe(sel);
  });

  it('declines NULL and NaN constants, wide decimals and strings', () => {
    expect(supportsSelectCompare({ kind: 'int' }, null)).toBe(false);
    expect(supportsSelectCompare({ kind: 'double' }, NaN)).toBe(false);
    expect(supportsSelectCompare({ kind: 'decimal', precision: 20, scale: 0 }, 1n)).toBe(false);
    expect(supportsSelectCompare({ kind: 'string' }, 'a')).toBe(false);
  });

  it('flips operators for constant-first comparisons', () => {
    expect(OPS.map(flipCompareOp)).toEqual(['=', '<>', '>', '>=', '<', '<=']);
  });
});
