/**
 * histogram_numeric's streaming bins: the closest pair merges at its weighted mean, equal centres
 * add up, and merged partial histograms keep at most nb bins with all the rows' weight.
 */
import { describe, expect, it } from 'vitest';
import { T, columnFromValues, valueAt, type DataType } from '../../common/index.ts';
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

function make(input: DataType, nb: number): { acc: () => GroupsAccumulator; type: DataType } {
  const def = reg.lookup('histogram_numeric') as AggregateFunctionDef;
  const sig = def.resolve([input, T.int], { ansi: true, literalArgs: [undefined, nb] });
  return { acc: () => def.createAccumulator(sig.argTypes, sig.returnType, ctx), type: sig.returnType };
}

function feed(a: GroupsAccumulator, vals: number[], nb: number): void {
  a.update(
    [
      columnFromValues(T.double, vals),
      columnFromValues(
        T.int,
        vals.map(() => nb),
      ),
    ],
    new Int32Array(vals.length),
    1,
    vals.length,
    null,
  );
}

describe('histogram_numeric', () => {
  it('merges the closest bins in arrival order (0, 1, 2, 10, 11, 30 into 3 bins)', () => {
    const { acc, type } = make(T.double, 3);
    const a = acc();
    feed(a, [0, 1, 2, 10, 11, 30], 3);
    // 0,1 → 0.5 (2); 10,11 → 10.5 (2); then 0.5 (2) and 2 → 1 (3)
    expect(valueAt(a.evaluate(), type, 0)).toEqual([
      [1, 3],
      [10.5, 2],
      [30, 1],
    ]);
  });

  it('truncates centres to an integral input type', () => {
    const { acc, type } = make(T.int, 3);
    const a = acc();
    feed(a, [0, 1, 2, 10, 11, 30], 3);
    expect(valueAt(a.evaluate(), type, 0)).toEqual([
      [1, 3],
      [10, 2],
      [30, 1],
    ]);
  });

  it('merged partial states keep at most nb bins and every row', () => {
    const { acc, type } = make(T.double, 5);
    const parts = [0, 1, 2].map((p) => {
      const a = acc();
      feed(
        a,
        Array.from({ length: 200 }, (_, i) => ((i * 31 + p * 17) % 97) * 1.5),
        5,
      );
      return a.state();
    });
    const final = acc();
    for (const st of parts) final.merge(st, Int32Array.of(0), 1, 1);
    const bins = valueAt(final.evaluate(), type, 0) as [number, number][];
    expect(bins.length).toBe(5);
    expect(bins.reduce((s, b) => s + b[1], 0)).toBe(600);
    const xs = bins.map((b) => b[0]);
    expect(xs).toEqual([...xs].sort((p, q) => p - q));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(96 * 1.5);
  });
});
