import { describe, expect, it } from 'vitest';
import { T, columnFromValues, field, schema, type DataType, type Value } from '../../common/index.ts';
import { GroupHashTable } from '../batch/group-hash-table.ts';
import { columnExpr } from '../expressions/index.ts';
import { keyMembershipStep } from './key-filter-exec.ts';

/** The rows of `probe` whose key is among `keys`, through the step a join gives its probe side. */
function kept(type: DataType, keys: Value[], probe: Value[], nullSafe = false): number[] {
  const table = new GroupHashTable([type]);
  table.findOrInsert([columnFromValues(type, keys)], keys.length, new Int32Array(keys.length), null);
  const step = keyMembershipStep(table, [columnExpr(schema([field('k', type)]), 0)], [nullSafe])!;
  return Array.from(step.keep([columnFromValues(type, probe)], probe.length));
}

/** What the step must keep: rows with a non-NULL key equal to one of `keys` (NULL too when null-safe). */
function expected(keys: Value[], probe: Value[], nullSafe = false): number[] {
  const set = new Set(keys.filter((k) => k !== null));
  const nullKept = nullSafe && keys.includes(null);
  return probe.flatMap((v, i) => ((v === null ? nullKept : set.has(v)) ? [i] : []));
}

describe('keyMembershipStep', () => {
  // Keys over a narrow range (the bitmap) and over a wide one (the hash table) must agree.
  const narrow = [5, 7, -3, 1000, 7, null];
  const wide = [5, 2_000_000_000, -2_000_000_000, null];
  const probe = [5, 6, 7, -3, -4, null, 1000, 1001, 2_000_000_000, -2_000_000_000, 0];

  it('keeps the rows whose int key is among the build keys, NULL keys never', () => {
    expect(kept(T.int, narrow, probe)).toEqual(expected(narrow, probe));
    expect(kept(T.int, wide, probe)).toEqual(expected(wide, probe));
    expect(kept(T.int, [], probe)).toEqual([]);
    expect(kept(T.int, [null], probe)).toEqual([]);
  });

  it('reads bigint keys, a probe key beyond 32 bits matching nothing in a narrow table', () => {
    const big = (xs: Value[]) => xs.map((x) => (x === null ? null : BigInt(x as number)));
    const probe64 = [...big(probe), 2n ** 40n + 5n, -(2n ** 40n) + 7n];
    expect(kept(T.bigint, big(narrow), probe64)).toEqual(expected(big(narrow), probe64));
    expect(kept(T.bigint, big(wide), probe64)).toEqual(expected(big(wide), probe64));
    const beyond = [2n ** 40n, 3n];
    expect(kept(T.bigint, beyond, probe64)).toEqual(expected(beyond, probe64));
  });

  it('keeps NULL keys of a null-safe join when the build side has one', () => {
    expect(kept(T.int, narrow, probe, true)).toEqual(expected(narrow, probe, true));
  });

  it('reads dates as their day numbers', () => {
    const days = [18000, 18001, 18500];
    const dprobe = [17999, 18000, null, 18500, 19000];
    expect(kept(T.date, days, dprobe)).toEqual(expected(days, dprobe));
  });
});
