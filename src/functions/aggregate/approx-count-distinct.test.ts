import { describe, expect, it } from 'vitest';
import { EngineError, T, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { createFunctionRegistry } from '../create-registry.ts';
import type { AggregateFunctionDef, EvalContext, GroupsAccumulator } from '../registry.ts';
import { hllPrecision } from './approx-count-distinct.ts';

const reg = createFunctionRegistry();
const ctx: EvalContext = {
  ansi: true,
  timeZone: 'UTC',
  queryStartMicros: 0n,
  currentDatabase: 'default',
  currentUser: 'u',
};
const def = reg.lookup('approx_count_distinct') as AggregateFunctionDef;

function accumulator(type: DataType, relativeSD?: number): { acc: GroupsAccumulator; extra: Value[] } {
  const literalArgs = relativeSD === undefined ? [undefined] : [undefined, relativeSD];
  const types = relativeSD === undefined ? [type] : [type, T.double];
  const sig = def.resolve(types, { ansi: true, literalArgs });
  return {
    acc: def.createAccumulator(sig.argTypes, sig.returnType, ctx),
    extra: relativeSD === undefined ? [] : [relativeSD],
  };
}

/** approx_count_distinct of `values` in one group, fed in batches of `batch` rows. */
function estimate(type: DataType, values: readonly Value[], relativeSD?: number, batch = 4096): bigint {
  const { acc, extra } = accumulator(type, relativeSD);
  for (let start = 0; start < values.length || start === 0; start += batch) {
    const part = values.slice(start, start + batch);
    const args = [
      columnFromValues(type, part),
      ...extra.map((x) =>
        columnFromValues(
          T.double,
          part.map(() => x),
        ),
      ),
    ];
    acc.update(args, new Int32Array(part.length), 1, part.length, null);
    if (values.length === 0) break;
  }
  return valueAt(acc.evaluate(), T.bigint, 0) as bigint;
}

const range = (n: number, from = 0): number[] => Array.from({ length: n }, (_, i) => from + i);

describe('approx_count_distinct', () => {
  it("gives Spark's documented answer on a small input, ignoring NULLs", () => {
    expect(estimate(T.int, [1, 1, 2, 2, 3])).toBe(3n);
    expect(estimate(T.int, [1, null, 2, null])).toBe(2n);
    expect(estimate(T.string, ['a', 'b', 'a', '', null])).toBe(3n);
  });

  it('is 0 for no rows and for only NULLs', () => {
    expect(estimate(T.int, [])).toBe(0n);
    expect(estimate(T.string, [null, null])).toBe(0n);
  });

  it('stays within three standard errors on large inputs, for every value layout', () => {
    for (const n of [1000, 20_000, 200_000]) {
      const tolerance = 3 * 1.04 * Math.sqrt(1 / 512) * n;
      expect(Math.abs(Number(estimate(T.int, range(n))) - n)).toBeLessThan(tolerance);
      expect(Math.abs(Number(estimate(T.bigint, range(n).map(BigInt))) - n)).toBeLessThan(tolerance);
    }
    const n = 50_000;
    const tolerance = 3 * 1.04 * Math.sqrt(1 / 512) * n;
    expect(
      Math.abs(
        Number(
          estimate(
            T.string,
            range(n).map((i) => `key-${i}`),
          ),
        ) - n,
      ),
    ).toBeLessThan(tolerance);
    expect(
      Math.abs(
        Number(
          estimate(
            T.double,
            range(n).map((i) => i / 7),
          ),
        ) - n,
      ),
    ).toBeLessThan(tolerance);
    expect(Math.abs(Number(estimate(T.decimal(12, 2), range(n).map(BigInt))) - n)).toBeLessThan(tolerance);
  });

  it('is more precise with a smaller relativeSD', () => {
    const n = 300_000;
    expect(Math.abs(Number(estimate(T.int, range(n), 0.01)) - n)).toBeLessThan(0.03 * n);
    expect(hllPrecision(0.05)).toBe(9);
    expect(hllPrecision(0.01)).toBe(14);
  });

  it('merges partial states into the same answer, per group', () => {
    const values = range(30_000).map((i) => i % 12_000);
    const groups = Int32Array.from(values, (v) => v % 3);
    const direct = accumulator(T.int).acc;
    direct.update([columnFromValues(T.int, values)], groups, 3, values.length, null);
    const parts = [0, 1].map((p) => {
      const a = accumulator(T.int).acc;
      const lo = p === 0 ? 0 : 10_000;
      const hi = p === 0 ? 10_000 : values.length;
      a.update([columnFromValues(T.int, values.slice(lo, hi))], groups.slice(lo, hi), 3, hi - lo, null);
      return a.state();
    });
    expect(parts[0]![0]!.length).toBe(3);
    const final = accumulator(T.int).acc;
    for (const st of parts) final.merge(st, Int32Array.of(0, 1, 2), 3, 3);
    const read = (a: GroupsAccumulator): Value[] => [0, 1, 2].map((g) => valueAt(a.evaluate(), T.bigint, g));
    expect(read(final)).toEqual(read(direct));
    for (const v of read(direct)) expect(Math.abs(Number(v) - 4000)).toBeLessThan(600);
  });

  it('applies the FILTER mask', () => {
    const { acc } = accumulator(T.int);
    acc.update([columnFromValues(T.int, [1, 2, 3, 4])], new Int32Array(4), 1, 4, Uint8Array.of(1, 0, 1, 0));
    expect(valueAt(acc.evaluate(), T.bigint, 0)).toBe(2n);
  });

  it('rejects a relativeSD that is too large or not a double literal', () => {
    expect(() => accumulator(T.int, 0.5)).toThrow(EngineError);
    try {
      accumulator(T.int, 0.5);
    } catch (err) {
      expect((err as EngineError).sqlstate).toBe('22023');
    }
    try {
      def.resolve([T.int, T.double], { ansi: true, literalArgs: [undefined, undefined] });
      expect.unreachable();
    } catch (err) {
      expect((err as EngineError).sqlstate).toBe('42K09');
    }
    // a DECIMAL literal (0.01) is a double literal for Spark
    expect(() =>
      def.resolve([T.int, T.decimal(3, 2)], { ansi: true, literalArgs: [undefined, 1n] }),
    ).not.toThrow();
  });
});
