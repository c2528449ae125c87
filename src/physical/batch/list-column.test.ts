import { describe, expect, it } from 'vitest';
import { T, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { concatColumns } from './concat.ts';
import { sortIndices } from './sort-indices.ts';
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

describe('map columns in the batch kernels', () => {
  const MAP: DataType = { kind: 'map', key: T.string, value: T.int, valueContainsNull: true };
  const maps: Value[] = [
    new Map<Value, Value>([
      ['a', 1],
      ['b', null],
    ]),
    null,
    new Map(),
    new Map<Value, Value>([['c', 3]]),
  ];

  it('take gathers entries in order, NULL for -1 and NULL maps', () => {
    const col = columnFromValues(MAP, maps);
    expect(values(take(col, MAP, new Int32Array([3, -1, 0, 1, 2]), 5), MAP)).toEqual([
      maps[3],
      null,
      maps[0],
      null,
      maps[2],
    ]);
  });

  it('concat of plain and sliced map columns', () => {
    const col = columnFromValues(MAP, maps);
    const out = concatColumns([col.slice(2, 2), col], MAP);
    expect(values(out, MAP)).toEqual([maps[2], maps[3], ...maps]);
  });
});

describe('sorting by arrays and structs', () => {
  const order = (type: DataType, rowsIn: Value[], ascending = true, nullsFirst = true): Value[] => {
    const col = columnFromValues(type, rowsIn);
    return [...sortIndices([{ column: col, type, ascending, nullsFirst }], rowsIn.length)].map(
      (i) => rowsIn[i]!,
    );
  };

  it('orders arrays element by element, a NULL element first, then the shorter first', () => {
    expect(order(INTS, [[1, 2], null, [1], [], [1, null], [0, 9, 9], [2]])).toEqual([
      null,
      [],
      [0, 9, 9],
      [1],
      [1, null],
      [1, 2],
      [2],
    ]);
    expect(order(INTS, [[1], [2], null], false, false)).toEqual([[2], [1], null]);
  });

  it('orders structs field by field, a NULL field first', () => {
    const type: DataType = {
      kind: 'struct',
      fields: [
        { name: 'x', type: T.int, nullable: true },
        { name: 'y', type: T.string, nullable: true },
      ],
    };
    expect(order(type, [[2, 'a'], [1, 'b'], [null, 'z'], [1, null], null, [1, 'a']])).toEqual([
      null,
      [null, 'z'],
      [1, null],
      [1, 'a'],
      [1, 'b'],
      [2, 'a'],
    ]);
  });

  it('orders arrays of structs and sliced columns', () => {
    const type = T.array({ kind: 'struct', fields: [{ name: 'x', type: T.int, nullable: true }] });
    const all: Value[] = [[[3]], [[1], [2]], [[1], null], [[1]]];
    const col = columnFromValues(type, all).slice(1, 3);
    const idx = sortIndices([{ column: col, type, ascending: true, nullsFirst: true }], 3);
    expect([...idx].map((i) => all[i + 1])).toEqual([[[1]], [[1], null], [[1], [2]]]);
  });
});

describe('map columns: sliced inputs', () => {
  const MAP: DataType = { kind: 'map', key: T.string, value: T.int, valueContainsNull: true };
  const maps: Value[] = [
    new Map<Value, Value>([
      ['a', 1],
      ['b', null],
    ]),
    null,
    new Map<Value, Value>(),
    new Map<Value, Value>([['c', 3]]),
  ];

  it('take gathers maps, -1 gives NULL, a sliced input keeps its entries', () => {
    const col = columnFromValues(MAP, maps);
    const out = take(col, MAP, new Int32Array([3, -1, 0, 2, 1]), 5);
    expect(values(out, MAP)).toEqual([maps[3], null, maps[0], maps[2], null]);
    const sliced = col.slice(2, 2);
    expect(values(take(sliced, MAP, new Int32Array([1, 0]), 2), MAP)).toEqual([maps[3], maps[2]]);
  });

  it('concat joins maps with their NULLs', () => {
    const a = columnFromValues(MAP, maps.slice(0, 2));
    const b = columnFromValues(MAP, maps.slice(2)).slice(1, 1);
    expect(values(concatColumns([a, b, a], MAP), MAP)).toEqual([maps[0], null, maps[3], maps[0], null]);
  });
});
