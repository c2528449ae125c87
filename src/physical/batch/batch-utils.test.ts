import { describe, expect, it } from 'vitest';
import { T, batchRows, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { concatColumns } from './concat.ts';
import { filterColumn } from './filter.ts';
import { GroupHashTable } from './group-hash-table.ts';
import { SPILL_LEVELS, hashPartitions, spillPartitions } from './partition.ts';
import { selectionFromMask } from './selection.ts';
import { sliceColumn } from './slice.ts';
import { take } from './take.ts';

const cases: [DataType, Value[]][] = [
  [T.boolean, [true, null, false, true]],
  [T.tinyint, [1, -2, null, 127]],
  [T.smallint, [1, null, -300, 7]],
  [T.int, [5, null, -1, 2147483647]],
  [T.bigint, [5n, -(2n ** 63n), null, 1n]],
  [T.double, [1.5, null, -0, NaN]],
  [T.float, [1.5, null, 2, -3]],
  [T.decimal(10, 2), [125n, -5n, null, 0n]],
  [T.decimal(30, 2), [10n ** 25n, null, -(10n ** 20n), 3n]],
  [T.string, ['a', null, 'ünï', '']],
  [T.binary, [new Uint8Array([1, 2]), null, new Uint8Array([]), new Uint8Array([255])]],
  [T.date, [0, 19000, null, -5]],
  [T.timestamp, [0n, null, 1700000000000000n, -1n]],
  [T.intervalDayTime, [5n, null, 0n, -7n]],
  [T.intervalYearMonth, [5, null, 0, -7]],
  [T.null, [null, null, null, null]],
];

const values = (col: ReturnType<typeof take>, type: DataType): Value[] =>
  Array.from({ length: col.length }, (_, i) => valueAt(col, type, i));

describe('take / filter / slice / concat over every type', () => {
  for (const [type, vals] of cases) {
    it(type.kind + (type.kind === 'decimal' ? String(type.precision) : ''), () => {
      const col = columnFromValues(type, vals);
      expect(values(take(col, type, new Int32Array([3, -1, 0, 2]), 4), type)).toEqual([
        vals[3],
        null,
        vals[0],
        vals[2],
      ]);
      expect(values(filterColumn(col, type, new Uint8Array([1, 0, 0, 1])), type)).toEqual([vals[0], vals[3]]);
      expect(values(sliceColumn(col, type, 1, 3), type)).toEqual([vals[1], vals[2]]);
      expect(values(concatColumns([col, sliceColumn(col, type, 2, 4), col], type), type)).toEqual([
        ...vals,
        vals[2],
        vals[3],
        ...vals,
      ]);
      const table = new GroupHashTable([type]);
      const gids = new Int32Array(8);
      table.findOrInsert([concatColumns([col, col], type)], 8, gids);
      expect(Array.from(gids.subarray(4))).toEqual(Array.from(gids.subarray(0, 4)));
      expect(batchRows, 'keys round-trip').toBeDefined();
      const keys = table.keyColumns()[0]!;
      expect(keys.length).toBe(table.numGroups);
    });
  }
  it('selection treats NULL as false', () => {
    expect(Array.from(selectionFromMask(columnFromValues(T.boolean, [true, null, false, true])))).toEqual([
      0, 3,
    ]);
  });
  it('groups NULLs, -0/0 and NaNs together', () => {
    const table = new GroupHashTable([T.double, T.string]);
    const gids = new Int32Array(5);
    table.findOrInsert(
      [
        columnFromValues(T.double, [0, -0, NaN, NaN, null]),
        columnFromValues(T.string, ['x', 'x', null, null, 'y']),
      ],
      5,
      gids,
    );
    expect(Array.from(gids)).toEqual([0, 0, 1, 1, 2]);
  });
});

describe('spillPartitions', () => {
  it('spreads the rows of one exchange partition, and of one spill partition, over every spill partition', () => {
    const n = 64000;
    const keys = [
      columnFromValues(
        T.bigint,
        Array.from({ length: n }, (_, i) => BigInt(i * 7 + 3)),
      ),
    ];
    const types = [T.bigint];
    const exchange = new Int32Array(n);
    hashPartitions(keys, types, n, 4, exchange);
    const levels = Array.from({ length: SPILL_LEVELS }, () => new Int32Array(n));
    levels.forEach((out, level) => spillPartitions(keys, types, n, 16, level, out));
    // Rows of exchange partition 0, and rows of spill partition 0 of each level, spread again.
    const groups: [Int32Array, Int32Array][] = [[exchange, levels[0]!]];
    for (let level = 0; level + 1 < SPILL_LEVELS; level++) groups.push([levels[level]!, levels[level + 1]!]);
    for (const [outer, inner] of groups) {
      const counts = new Array<number>(16).fill(0);
      let rows = 0;
      for (let i = 0; i < n; i++) {
        if (outer[i] !== 0) continue;
        counts[inner[i]!]!++;
        rows++;
      }
      for (const c of counts) {
        expect(c).toBeGreaterThan((rows / 16) * 0.8);
        expect(c).toBeLessThan((rows / 16) * 1.2);
      }
    }
    // Equal keys, equal partitions: NULLs, -0.0 and 0.0.
    const d = [columnFromValues(T.double, [0, -0, null, null, 1.5])];
    const out = new Int32Array(5);
    spillPartitions(d, [T.double], 5, 16, 2, out);
    expect(out[0]).toBe(out[1]);
    expect(out[2]).toBe(out[3]);
  });
});
