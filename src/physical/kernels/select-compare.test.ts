import { describe, expect, it } from 'vitest';
import { columnFromValues, type DataType, type Value } from '../../common/index.ts';
import { sliceColumn } from '../batch/slice.ts';
import {
  flipCompareOp,
  refineByColumns,
  refineByCompare,
  supportsSelectColumns,
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

describe('refineByColumns', () => {
  /** NULL never passes; NaN equals NaN and is above every number. */
  function reference(
    a: readonly Value[],
    b: readonly Value[],
    op: SelectCompareOp,
    sel: readonly number[],
  ): number[] {
    const cmp = (x: number | bigint, y: number | bigint): number => {
      const xn = typeof x === 'number' && Number.isNaN(x);
      const yn = typeof y === 'number' && Number.isNaN(y);
      if (xn || yn) return xn && yn ? 0 : xn ? 1 : -1;
      return x < y ? -1 : x > y ? 1 : 0;
    };
    return sel.filter((i) => {
      const x = a[i];
      const y = b[i];
      if (x === null || x === undefined || y === null || y === undefined) return false;
      const r = cmp(x as number | bigint, y as number | bigint);
      return op === '='
        ? r === 0
        : op === '<>'
          ? r !== 0
          : op === '<'
            ? r < 0
            : op === '<='
              ? r <= 0
              : op === '>'
                ? r > 0
                : r >= 0;
    });
  }

  const cases: { type: DataType; values: Value[] }[] = [
    { type: { kind: 'date' }, values: [1, 5, null, -3, 5, 9000, 0, 7] },
    { type: { kind: 'double' }, values: [1.5, NaN, null, -0, 0, 2, NaN, 3] },
    { type: { kind: 'bigint' }, values: [1n, -(2n ** 40n), null, 2n ** 40n, 5n, 5n, -1n, 0n] },
    {
      type: { kind: 'decimal', precision: 15, scale: 2 },
      values: [100n, 250n, null, -5n, 100n, 0n, 99n, 1n],
    },
  ];

  for (const { type, values } of cases) {
    it(`compares two ${type.kind} columns row by row, on all rows and on a selection`, () => {
      expect(supportsSelectColumns(type)).toBe(true);
      const a = columnFromValues(type, values);
      const rotated = [...values.slice(3), ...values.slice(0, 3)];
      const b = columnFromValues(type, rotated);
      const all = values.map((_, i) => i);
      for (const op of OPS) {
        expect([...refineByColumns(a, b, type, op, null, values.length)]).toEqual(
          reference(values, rotated, op, all),
        );
        const sel = Int32Array.from([0, 1, 3, 4, 6]);
        expect([...refineByColumns(a, b, type, op, sel, values.length)]).toEqual(
          reference(values, rotated, op, [...sel]),
        );
      }
    });
  }
  it('does not handle strings', () => {
    expect(supportsSelectColumns({ kind: 'string' })).toBe(false);
  });
});
