import { describe, expect, it } from 'vitest';
import { T, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { concatColumns } from './concat.ts';
import { filterColumn } from './filter.ts';
import { sliceColumn } from './slice.ts';
import { take } from './take.ts';
import type * as arrow from 'apache-arrow';

const values = (col: arrow.Data, type: DataType): Value[] =>
  Array.from({ length: col.length }, (_, i) => valueAt(col, type, i));

const INTS = T.array(T.int);
// NULL array, array with a NULL element, empty array, plain arrays.
const rows: Value[] = [[1, 2], null, [null, 3], [], [4, 5, 6]];

describe('array columns in the batch kernels', () => {
  it('round-trips NULL arrays, NULL elements and empty arrays', () => {
    expect(values(columnFromValues(INTS, rows), INTS)).toEqual(rows);
  });

  it('take gathers rows and yields NULL for -1', () => {
    const col = columnFromValues(INTS, rows);
    const out = take(col, INTS, new Int32Array([4, -1, 1, 2, 3, 0]), 6);
    expect(out.offset).toBe(0);
    expect(values(out, INTS)).toEqual([[4, 5, 6], null, null, [null, 3], [], [1, 2]]);
    expect(out.nullCount).toBe(2);
  });

  it('take honours a sliced input (shifted offsets, unshifted validity)', () => {
    const col = columnFromValues(INTS, rows).slice(1, 3); // offset 1, length 3
    expect(values(col, INTS)).toEqual([null, [null, 3], []]);
    expect(values(take(col, INTS, new Int32Array([2, 1, 0]), 3), INTS)).toEqual([[], [null, 3], null]);
  });

  it('filter and slice', () => {
    const col = columnFromValues(INTS, rows);
    expect(values(filterColumn(col, INTS, new Uint8Array([1, 1, 0, 0, 1])), INTS)).toEqual([
      [1, 2],
      null,
      [4, 5, 6],
    ]);
    expect(values(sliceColumn(col, INTS, 2, 5), INTS)).toEqual([[null, 3], [], [4, 5, 6]]);
    expect(values(sliceColumn(col, INTS, 2, 2), INTS)).toEqual([]);
  });

  it('concat of plain, sliced and empty columns', () => {
    const a = columnFromValues(INTS, rows);
    const b = columnFromValues(INTS, rows).slice(2, 2);
    const c = columnFromValues(INTS, []);
    const out = concatColumns([a, b, c, a.slice(4, 1)], INTS);
    expect(values(out, INTS)).toEqual([...rows, [null, 3], [], [4, 5, 6]]);
  });

  it('nested arrays of strings', () => {
    const t = T.array(T.array(T.string));
    const nested: Value[] = [[['a', null], null, []], null, [], [['ü']]];
    const col = columnFromValues(t, nested);
    expect(values(take(col, t, new Int32Array([3, 0, 1]), 3), t)).toEqual([[['ü']], nested[0], null]);
    expect(values(concatColumns([col.slice(2, 2), col], t), t)).toEqual([[], [['ü']], ...nested]);
  });

  it('arrays of void elements', () => {
    const t = T.array(T.null);
    const col = columnFromValues(t, [[null, null], [], null]);
    expect(values(take(col, t, new Int32Array([2, 0]), 2), t)).toEqual([null, [null, null]]);
  });

  it('take gathers map rows (keys and values), NULL for -1 and NULL maps, also from a slice', () => {
    const t: DataType = { kind: 'map', key: T.string, value: T.array(T.int), valueContainsNull: true };
    const maps: Value[] = [
      new Map([
        ['a', [1]],
        ['b', null],
      ]),
      null,
      new Map(),
      new Map([['c', [2, 3]]]),
    ];
    const col = columnFromValues(t, maps);
    const out = take(col, t, new Int32Array([3, -1, 1, 0, 2]), 5);
    expect(values(out, t)).toEqual([maps[3], null, null, maps[0], maps[2]]);
    expect(values(take(col.slice(2, 2), t, new Int32Array([1, 0]), 2), t)).toEqual([maps[3], maps[2]]);
    expect(values(concatColumns([col.slice(1, 3), col, col.slice(0, 0)], t), t)).toEqual([
      ...maps.slice(1),
      ...maps,
    ]);
  });
});
