import { describe, expect, it } from 'vitest';
import { T, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { GroupHashTable } from './group-hash-table.ts';
import { sliceColumn } from './slice.ts';

/** Feeds `batches` of one key column; returns every row's group id. */
function groupIds(table: GroupHashTable, type: DataType, batches: Value[][]): number[] {
  const ids: number[] = [];
  for (const b of batches) {
    const out = new Int32Array(b.length);
    table.findOrInsert([columnFromValues(type, b)], b.length, out);
    ids.push(...out);
  }
  return ids;
}

function keys(table: GroupHashTable, c = 0): Value[] {
  const col = table.keyColumns()[c]!;
  expect(col.length).toBe(table.numGroups);
  return Array.from({ length: col.length }, (_, i) => valueAt(col, table.types[c]!, i));
}

function keyOf(v: Value): string {
  if (v === null) return '\u0000null';
  if (typeof v === 'bigint') return `${v}n`;
  if (typeof v === 'number' || typeof v === 'boolean') return `${v}`;
  return JSON.stringify(v);
}

/** The ids a correct table gives: first appearance order, equal keys (by `key`) equal ids. */
function referenceIds(values: Value[], key: (v: Value) => string): number[] {
  const seen = new Map<string, number>();
  return values.map((v) => {
    const k = key(v);
    let id = seen.get(k);
    if (id === undefined) {
      id = seen.size;
      seen.set(k, id);
    }
    return id;
  });
}

describe('GroupHashTable', () => {
  const inlineCases: [DataType, Value[]][] = [
    [T.int, [5, null, 5, -7, null, 2147483647, -2147483648, 0, -7]],
    [T.tinyint, [1, -128, null, 1, 127, -128]],
    [T.date, [19000, 19000, null, -1]],
    [T.boolean, [true, null, false, true, false, null]],
    [T.bigint, [1n, 1n + 2n ** 32n, -(2n ** 63n), null, 1n, 2n ** 32n + 1n]],
    [T.decimal(15, 2), [125n, -125n, null, 125n, 10n ** 14n]],
    [T.timestamp, [0n, -1n, null, 1700000000000000n, -1n]],
    [T.double, [1.5, null, 2.5, 1.5, -Infinity, null]],
    [T.float, [1.5, -3, null, 1.5]],
  ];
  for (const [type, vals] of inlineCases) {
    it(`groups ${type.kind} keys in first-appearance order with one NULL group`, () => {
      const table = new GroupHashTable([type]);
      const ids = groupIds(table, type, [vals.slice(0, 3), vals.slice(3)]);
      const want = referenceIds(vals, keyOf);
      expect(ids).toEqual(want);
      const firsts = vals.filter((_, i) => want.indexOf(want[i]!) === i);
      expect(keys(table)).toEqual(firsts);
    });
  }

  it('groups -0.0 with 0.0 and every NaN together, keeping the first value', () => {
    const table = new GroupHashTable([T.double]);
    const ids = groupIds(table, T.double, [[-0, 0, NaN, 1, -NaN, null, 0]]);
    expect(ids).toEqual([0, 0, 1, 2, 1, 3, 0]);
    const k = keys(table);
    expect(Object.is(k[0], -0)).toBe(true);
    expect(k[1]).toBeNaN();
    expect(k.slice(2)).toEqual([1, null]);
  });

  it('find never inserts: absent keys and an absent NULL group give -1', () => {
    const table = new GroupHashTable([T.int]);
    groupIds(table, T.int, [[10, 20, 30]]);
    const out = new Int32Array(5);
    table.find([columnFromValues(T.int, [30, 40, null, 10, 20])], 5, out);
    expect(Array.from(out)).toEqual([2, -1, -1, 0, 1]);
    groupIds(table, T.int, [[null]]);
    table.find([columnFromValues(T.int, [null, 40])], 2, out);
    expect(Array.from(out.subarray(0, 2))).toEqual([3, -1]);
    expect(table.numGroups).toBe(4);
  });

  it('an all-NULL batch goes to the NULL group', () => {
    const table = new GroupHashTable([T.bigint]);
    expect(groupIds(table, T.bigint, [[1n], [null, null], [2n, null]])).toEqual([0, 1, 1, 2, 1]);
    expect(keys(table)).toEqual([1n, null, 2n]);
  });

  it('keeps ids stable across many resizes (int, bigint, string, two columns)', () => {
    const n = 60_000;
    const ints = Array.from({ length: n }, (_, i) => ((i * 7919) % 20_011) - 10_000);
    for (const [type, vals] of [
      [T.int, ints],
      [T.bigint, ints.map((v) => BigInt(v) * 2n ** 33n)],
      [T.string, ints.map((v) => `key-${v}`)],
      [T.double, ints.map((v) => v / 4)],
    ] as [DataType, Value[]][]) {
      const table = new GroupHashTable([type], 4);
      const batches: Value[][] = [];
      for (let s = 0; s < n; s += 4096) batches.push(vals.slice(s, s + 4096));
      const ids = groupIds(table, type, batches);
      expect(ids).toEqual(referenceIds(vals, keyOf));
      expect(table.numGroups).toBe(20_011);
      const out = new Int32Array(3);
      table.find([columnFromValues(type, vals.slice(0, 3))], 3, out);
      expect(Array.from(out)).toEqual(ids.slice(0, 3));
    }
    const table = new GroupHashTable([T.int, T.string], 4);
    const a = ints.map((v) => v % 100);
    const b = ints.map((v) => (v % 7 === 0 ? null : `s${v % 3}`));
    const out = new Int32Array(n);
    table.findOrInsert([columnFromValues(T.int, a), columnFromValues(T.string, b)], n, out);
    expect(Array.from(out)).toEqual(referenceIdsOfPairs(a, b));
  });

  it('dense integer keys: the same ids through a direct index that grows both ways and goes back to hashing', () => {
    // Ascending dense keys (enter the direct index), keys below and above its ends (it grows),
    // NULLs, repeats, then keys far apart (too sparse: hashed again), then the first keys again.
    const asc = Array.from({ length: 30_000 }, (_, i) => 1_000_000 + 4 * i);
    const below = Array.from({ length: 5_000 }, (_, i) => 1_000_000 - 3 * i - 1);
    const above = Array.from({ length: 5_000 }, (_, i) => 1_200_000 + 5 * i);
    const far = Array.from({ length: 3_000 }, (_, i) => -2_000_000_000 + 1_000_003 * i);
    for (const type of [T.int, T.bigint, T.date]) {
      const wrap = (v: number | null): Value => (v === null ? null : type.kind === 'bigint' ? BigInt(v) : v);
      const vals: Value[] = [
        ...asc,
        null,
        ...below,
        ...asc.slice(0, 100),
        ...above,
        null,
        ...far,
        ...asc.slice(0, 10),
      ].map((v) => wrap(v));
      const table = new GroupHashTable([type], 4);
      const batches: Value[][] = [];
      for (let s = 0; s < vals.length; s += 1000) batches.push(vals.slice(s, s + 1000));
      const ids = groupIds(table, type, batches);
      expect(ids).toEqual(referenceIds(vals, keyOf));
      const firsts = vals.filter((_, i) => ids.indexOf(ids[i]!) === i);
      expect(keys(table)).toEqual(firsts);
      // Probes: inside the range but absent, beyond both ends, present, NULL.
      const probe = [
        1_000_001,
        999_999_999,
        -2_000_000_001,
        asc[7]!,
        below[9]!,
        above[3]!,
        far[2]!,
        null,
      ].map(wrap);
      const out = new Int32Array(probe.length);
      table.find([columnFromValues(type, probe)], probe.length, out);
      expect(Array.from(out)).toEqual([
        -1,
        -1,
        -1,
        ids[7],
        ids[30_010],
        ids[35_101 + 3],
        ids[40_102 + 2],
        ids[30_000],
      ]);
    }
    // A table sized for a join's build side up front takes its direct index at the first batch.
    const sized = new GroupHashTable([T.bigint], 60_000);
    const first: Value[] = [...asc.map((v) => BigInt(v)), null, ...asc.slice(0, 5).map((v) => BigInt(v))];
    const build = [first, [5n]];
    expect(groupIds(sized, T.bigint, build)).toEqual(referenceIds([...first, 5n], keyOf));
    const look = new Int32Array(3);
    sized.find([columnFromValues(T.bigint, [BigInt(asc[9]!), 5n, 6n])], 3, look);
    expect(Array.from(look)).toEqual([9, 30_001, -1]);
    // A probe of a direct table (never hashed again) with keys past its ends.
    const dense = new GroupHashTable([T.int], 4);
    const ids = groupIds(dense, T.int, [asc.slice(0, 10_000)]);
    const out = new Int32Array(4);
    dense.find([columnFromValues(T.int, [asc[0]! - 1, asc[9_999]! + 4, asc[5]!, 2_147_483_647])], 4, out);
    expect(Array.from(out)).toEqual([-1, -1, ids[5], -1]);
  });

  it('sparse keys in a table beyond the caches: finds through the Bloom filter miss nothing present', () => {
    const keysIn = Array.from(
      { length: 20_000 },
      (_, i) => ((i * 1_000_003) % 2_000_000_000) - 1_000_000_000,
    );
    const table = new GroupHashTable([T.int], 4);
    const ids = groupIds(table, T.int, [keysIn.slice(0, 10_000), keysIn.slice(10_000)]);
    const probes: Value[] = [];
    for (let i = 0; i < 40_000; i++)
      probes.push(i % 2 === 0 ? keysIn[(i * 7) % 20_000]! : keysIn[i % 20_000]! + 1);
    probes.push(null);
    const out = new Int32Array(probes.length);
    table.find([columnFromValues(T.int, probes)], probes.length, out);
    const index = new Map(keysIn.map((k, i) => [k, ids[i]!]));
    expect(Array.from(out)).toEqual(probes.map((p) => (p === null ? -1 : (index.get(p as number) ?? -1))));
    // A group added later is found too (the filter is made again).
    groupIds(table, T.int, [[7]]);
    table.find([columnFromValues(T.int, [7, 8])], 2, out);
    expect(Array.from(out.subarray(0, 2))).toEqual([20_000, -1]);
  });

  it('64-bit keys: narrow while they fit in 32 bits, then widened in place with the same ids', () => {
    const n = 20_000;
    // Runs of equal keys (the run shortcut), then keys just beyond 32 bits and their negatives.
    const small = Array.from({ length: n }, (_, i) => BigInt(Math.floor(i / 3) * 5 - 30_000));
    const big = Array.from({ length: n }, (_, i) => (i % 2 === 0 ? 1n : -1n) * (2n ** 31n + BigInt(i % 997)));
    for (const type of [T.bigint, T.decimal(18, 2), T.timestamp]) {
      const table = new GroupHashTable([type], 4);
      const vals: Value[] = [...small, null, ...big, ...small.slice(0, 50)];
      const batches: Value[][] = [];
      for (let s = 0; s < vals.length; s += 4096) batches.push(vals.slice(s, s + 4096));
      // Probing the still-narrow table with keys beyond 32 bits: no match, not a false one.
      groupIds(table, type, [small.slice(0, 10)]);
      const probe = new Int32Array(3);
      table.find([columnFromValues(type, [2n ** 32n - 30_000n, -30_000n, -(2n ** 40n)])], 3, probe);
      expect(Array.from(probe)).toEqual([-1, 0, -1]);
      const ids = [...groupIds(table, type, [[]]), ...groupIds(table, type, batches)];
      expect(ids).toEqual(referenceIds(vals, keyOf));
      const firsts = vals.filter((_, i) => ids.indexOf(ids[i]!) === i);
      expect(keys(table)).toEqual(firsts);
      const out = new Int32Array(4);
      table.find([columnFromValues(type, [big[0]!, small[3]!, 2n ** 50n, null])], 4, out);
      expect(Array.from(out)).toEqual([ids[n + 1], ids[3], -1, ids[n]]);
    }
  });

  it('two keys of a word each (ints, 64-bit within 32 bits, strings of 3 bytes or fewer), until one does not fit', () => {
    const n = 30_000;
    const a = Array.from({ length: n }, (_, i) => BigInt(((i * 7919) % 5003) - 2000));
    const b = Array.from(
      { length: n },
      (_, i) => ['A', 'N', 'R', '', 'été'.slice(0, 1), 'xyz'][(i * 31) % 6]!,
    );
    const pairKey = (i: number, x: Value[], y: Value[]): string => `${keyOf(x[i]!)}|${keyOf(y[i]!)}`;
    for (const types of [
      [T.bigint, T.string],
      [T.string, T.bigint],
    ] as [DataType, DataType][]) {
      const cols = types[0] === T.bigint ? [a, b] : [b, a];
      const table = new GroupHashTable(types, 4);
      const ids: number[] = [];
      for (let s = 0; s < n; s += 4096) {
        const out = new Int32Array(Math.min(4096, n - s));
        table.findOrInsert(
          cols.map((c, k) => columnFromValues(types[k]!, c.slice(s, s + 4096))),
          out.length,
          out,
        );
        ids.push(...out);
      }
      const want = referenceIds(
        Array.from({ length: n }, (_, i) => pairKey(i, cols[0]!, cols[1]!)),
        (v) => v as string,
      );
      expect(ids).toEqual(want);
      const groups = table.numGroups;
      expect(keys(table, 0).length).toBe(groups);
      // Probing with keys that do not fit: never a (false) match.
      const probe = new Int32Array(4);
      const p0 = [cols[0]![0]!, cols[0]![1]!, types[0] === T.bigint ? 2n ** 40n : 'long', null];
      const p1 = [cols[1]![0]!, types[1] === T.string ? 'long key' : 2n ** 40n, cols[1]![2]!, cols[1]![3]!];
      table.find([columnFromValues(types[0], p0), columnFromValues(types[1], p1)], 4, probe);
      expect(Array.from(probe)).toEqual([ids[0], -1, -1, -1]);
      // A key that does not fit (a longer string, a wider integer, a NULL) makes the table generic
      // with the same ids.
      const more = [
        [types[0] === T.bigint ? 2n ** 40n : 'longer', cols[0]![5]!, null],
        [cols[1]![7]!, types[1] === T.string ? 'longer' : 2n ** 40n, cols[1]![5]!],
      ];
      const out = new Int32Array(3);
      table.findOrInsert(
        more.map((c, k) => columnFromValues(types[k]!, c)),
        3,
        out,
      );
      expect(Array.from(out)).toEqual([groups, groups + 1, groups + 2]);
      const again = new Int32Array(n);
      table.find(
        cols.map((c, k) => columnFromValues(types[k]!, c)),
        n,
        again,
      );
      expect(Array.from(again)).toEqual(want);
      expect(keys(table, 0).slice(0, 3)).toEqual(cols[0]!.slice(0, 3));
      expect(keys(table, 1).slice(groups)).toEqual(more[1]);
    }
  });

  it('skips masked rows: they get -1 and add no group, NULL group included', () => {
    for (const [type, vals] of [
      [T.int, [7, null, 8, 7, 9, null]],
      [T.bigint, [7n, null, 8n, 7n, 2n ** 40n, null]],
      [T.string, ['a', null, 'b', 'a', 'c', null]],
      [T.double, [1.5, null, 2.5, 1.5, 3.5, null]],
    ] as [DataType, Value[]][]) {
      const table = new GroupHashTable([type]);
      const out = new Int32Array(6);
      // Rows 1 (a NULL), 2 and 4 are masked: the NULL group first appears at row 5.
      table.findOrInsert([columnFromValues(type, vals)], 6, out, Uint8Array.of(1, 0, 0, 1, 0, 1));
      expect(Array.from(out)).toEqual([0, -1, -1, 0, -1, 1]);
      expect(keys(table)).toEqual([vals[0], null]);
      table.findOrInsert([columnFromValues(type, [null, null])], 2, out, Uint8Array.of(0, 0));
      expect(table.numGroups).toBe(2);
    }
    const allNull = new GroupHashTable([T.int]);
    const out = new Int32Array(2);
    allNull.findOrInsert([columnFromValues(T.int, [null, null])], 2, out, Uint8Array.of(0, 0));
    expect(allNull.numGroups).toBe(0);
  });

  it('string keys: a batch without NULLs never matches a stored NULL or a different length', () => {
    const table = new GroupHashTable([T.string]);
    const ids = groupIds(table, T.string, [
      [null, 'a'],
      ['', 'a', 'ab', ''],
      [null, 'ab'],
    ]);
    expect(ids).toEqual([0, 1, 2, 1, 3, 2, 0, 3]);
    expect(keys(table)).toEqual([null, 'a', '', 'ab']);
    const out = new Int32Array(3);
    table.find([columnFromValues(T.string, ['', 'b', 'a'])], 3, out);
    expect(Array.from(out)).toEqual([2, -1, 1]);
  });

  it('reads sliced key columns at their offset', () => {
    const table = new GroupHashTable([T.int]);
    const col = sliceColumn(columnFromValues(T.int, [1, null, 2, 3, null, 3]), T.int, 2, 6);
    const out = new Int32Array(4);
    table.findOrInsert([col], 4, out);
    expect(Array.from(out)).toEqual([0, 1, 2, 1]);
    expect(keys(table)).toEqual([2, 3, null]);
  });
});

function referenceIdsOfPairs(a: Value[], b: Value[]): number[] {
  return referenceIds(
    a.map((v, i) => JSON.stringify([v, b[i]])),
    keyOf,
  );
}
