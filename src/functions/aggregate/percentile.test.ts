/**
 * The exact percentile accumulator against a reference over the expanded, sorted values: with
 * frequencies, DESC order and percentage arrays, in one pass and as merged partial states.
 */
import { describe, expect, it } from 'vitest';
import { T, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { createFunctionRegistry } from '../create-registry.ts';
import type { AggregateFunctionDef, EvalContext, GroupsAccumulator } from '../registry.ts';

const reg = createFunctionRegistry();
const ctx: EvalContext = {
  ansi: true,
  timeZone: 'UTC',
  queryStartMicros: 0n,
  currentDatabase: 'default',
  currentUser: 'u',
};

function make(
  name: string,
  types: DataType[],
): { acc: () => GroupsAccumulator; sig: { argTypes: readonly DataType[]; returnType: DataType } } {
  const def = reg.lookup(name) as AggregateFunctionDef;
  const sig = def.resolve(types, { ansi: true, literalArgs: [] });
  return { acc: () => def.createAccumulator(sig.argTypes, sig.returnType, ctx), sig };
}

/** The reference: expand by frequency, sort (reversed for DESC), then interpolate or rank. */
function reference(
  vals: number[],
  freqs: number[],
  p: number,
  rule: 'cont' | 'disc',
  desc: boolean,
): number | null {
  const all = vals.flatMap((v, i) => Array.from({ length: freqs[i]! }, () => v)).sort((a, b) => a - b);
  if (desc) all.reverse();
  const n = all.length;
  if (n === 0) return null;
  if (rule === 'disc') return all[Math.max(Math.ceil(p * n), 1) - 1]!;
  const pos = p * (n - 1);
  const lo = Math.floor(pos);
  const hi = Math.ceil(pos);
  return lo === hi ? all[lo]! : (hi - pos) * all[lo]! + (pos - lo) * all[hi]!;
}

function run(
  acc: () => GroupsAccumulator,
  returnType: DataType,
  types: readonly DataType[],
  cols: Value[][],
  gids: Int32Array,
  groups: number,
  cuts: number[],
): Value[] {
  const states = cuts.slice(1).map((hi, k) => {
    const lo = cuts[k]!;
    const a = acc();
    a.update(
      cols.map((c, j) => columnFromValues(types[j]!, c.slice(lo, hi))),
      gids.slice(lo, hi),
      groups,
      hi - lo,
      null,
    );
    return a.state();
  });
  const final = acc();
  for (const st of states)
    final.merge(
      st,
      Int32Array.from({ length: groups }, (_, g) => g),
      groups,
      groups,
    );
  const out = final.evaluate();
  return Array.from({ length: groups }, (_, g) => valueAt(out, returnType, g));
}

describe('percentile accumulator', () => {
  const rows = 300;
  const groups = 3;
  const gids = Int32Array.from({ length: rows }, (_, i) => (i * 7) % 2); // group 2 stays empty
  const vals = Array.from({ length: rows }, (_, i) => ((i * 37) % 101) - 50 + (i % 3) / 4);
  const freqs = Array.from({ length: rows }, (_, i) => (i * 13) % 4); // 0 skips the row
  const byGroup = (g: number, c: number[]): number[] => c.filter((_, i) => gids[i] === g);
  const splits = [
    [0, rows],
    [0, 1, 100, 101, 250, rows],
  ];

  it.each(splits)('percentile with frequencies and an array of percentages (split %#)', (...cuts) => {
    const ps = [0, 0.1, 0.5, 0.77, 1];
    const { acc, sig } = make('percentile', [T.double, T.array(T.double, false), T.bigint]);
    const cols: Value[][] = [vals, vals.map(() => ps), freqs.map((f) => BigInt(f))];
    const got = run(acc, sig.returnType, sig.argTypes, cols, gids, groups, cuts);
    for (let g = 0; g < groups; g++) {
      const expected =
        byGroup(g, vals).length === 0
          ? null
          : ps.map((p) => reference(byGroup(g, vals), byGroup(g, freqs), p, 'cont', false));
      if (g === 2) expect(got[g]).toBeNull();
      else {
        const arr = got[g] as number[];
        expected!.forEach((e, k) => expect(arr[k]).toBeCloseTo(e!, 9));
      }
    }
  });

  it.each(['percentile_cont', 'percentile_disc'])(
    '%s WITHIN GROUP (ORDER BY … DESC) over merged partitions',
    (name) => {
      const { acc, sig } = make(name, [T.double, T.double, T.boolean]);
      for (const p of [0, 0.3, 0.5, 0.99, 1]) {
        const cols: Value[][] = [vals, vals.map(() => p), vals.map(() => true)];
        const got = run(acc, sig.returnType, sig.argTypes, cols, gids, groups, splits[1]!);
        const ones = vals.map(() => 1);
        for (const g of [0, 1]) {
          const e = reference(byGroup(g, vals), ones, p, name === 'percentile_cont' ? 'cont' : 'disc', true);
          expect(got[g]).toBeCloseTo(e!, 9);
        }
        expect(got[2]).toBeNull();
      }
    },
  );

  it('a negative frequency is an error', () => {
    const { acc } = make('percentile', [T.double, T.double, T.bigint]);
    const a = acc();
    expect(() =>
      a.update(
        [
          columnFromValues(T.double, [1]),
          columnFromValues(T.double, [0.5]),
          columnFromValues(T.bigint, [-2n]),
        ],
        Int32Array.of(0),
        1,
        1,
        null,
      ),
    ).toThrow(/Negative values/);
  });
});
