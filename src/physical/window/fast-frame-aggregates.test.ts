import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { createFunctionRegistry, type AggregateFunctionDef } from '../../functions/index.ts';
import { defaultEvalContext } from '../expressions/index.ts';
import { evaluateWindowAggregate } from './aggregate-window.ts';
import { fastFrameAggregate } from './fast-frame-aggregates.ts';
import type { FrameRanges } from './frame-bounds.ts';
import type { WindowLayout } from './window-layout.ts';

const registry = createFunctionRegistry();

function layoutOf(sizes: readonly number[]): WindowLayout {
  const n = sizes.reduce((a, b) => a + b, 0);
  const starts = new Int32Array(sizes.length + 1);
  const partitionOf = new Int32Array(n);
  let at = 0;
  sizes.forEach((s, p) => {
    starts[p] = at;
    partitionOf.fill(p, at, at + s);
    at += s;
  });
  starts[sizes.length] = n;
  const peerStart = Int32Array.from({ length: n }, (_, i) => i);
  const peerEnd = Int32Array.from({ length: n }, (_, i) => i + 1);
  return {
    numRows: n,
    partitionStarts: starts,
    numPartitions: sizes.length,
    partitionOf,
    peerStart,
    peerEnd,
    orderKeys: [],
  };
}

/** ROWS BETWEEN `before` PRECEDING (null = UNBOUNDED) AND `after` FOLLOWING (negative = PRECEDING). */
function rowsFrame(layout: WindowLayout, before: number | null, after: number): FrameRanges {
  const n = layout.numRows;
  const lo = new Int32Array(n);
  const hi = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const p = layout.partitionOf[i]!;
    const s = layout.partitionStarts[p]!;
    const e = layout.partitionStarts[p + 1]!;
    lo[i] = before === null ? s : Math.max(s, i - before);
    hi[i] = Math.max(lo[i]!, Math.min(e, i + after + 1));
  }
  return { lo, hi };
}

function run(
  name: string,
  type: DataType,
  values: readonly Value[],
  filter: Uint8Array | null,
  frame: FrameRanges,
  layout: WindowLayout,
): { fast: Value[] | null; general: Value[] } {
  const def = registry.lookup(name) as AggregateFunctionDef;
  const sig = def.resolve([type], { ansi: true } as never);
  const argTypes = sig.argTypes;
  const resultType = sig.returnType;
  const args = [columnFromValues(argTypes[0]!, values)];
  const ctx = defaultEvalContext();
  const input = {
    name,
    create: () => def.createAccumulator(argTypes, resultType, ctx),
    args,
    argTypes,
    filter,
    type: resultType,
  };
  const n = values.length;
  const read = (d: ReturnType<typeof evaluateWindowAggregate>): Value[] =>
    Array.from({ length: n }, (_, i) => valueAt(d, resultType, i));
  const fast = fastFrameAggregate(input, frame, layout);
  const general = evaluateWindowAggregate({ ...input, name: `${name} (general path)` }, frame, layout);
  return { fast: fast === null ? null : read(fast), general: read(general) };
}

const frames: readonly [number | null, number][] = [
  [null, 0],
  [null, -1],
  [null, 3],
  [2, 0],
  [3, 2],
  [0, 0],
  [4, -2],
];

describe('fastFrameAggregate', () => {
  for (const [name, type] of [
    ['sum', { kind: 'int' }],
    ['avg', { kind: 'int' }],
    ['count', { kind: 'int' }],
    ['min', { kind: 'int' }],
    ['max', { kind: 'bigint' }],
    ['min', { kind: 'date' }],
    ['sum', { kind: 'bigint' }],
    ['sum', { kind: 'decimal', precision: 7, scale: 2 }],
    ['sum', { kind: 'decimal', precision: 15, scale: 2 }],
  ] as const) {
    it(`${name}(${type.kind}) equals the general path on random partitions, NULLs, FILTER and frames`, () => {
      fc.assert(
        fc.property(
          fc.array(fc.integer({ min: 0, max: 7 }), { minLength: 1, maxLength: 5 }),
          fc.array(fc.option(fc.integer({ min: -1000, max: 1000 }), { nil: null }), {
            minLength: 40,
            maxLength: 40,
          }),
          fc.boolean(),
          fc.integer({ min: 0, max: frames.length - 1 }),
          (sizes, pool, withFilter, f) => {
            const layout = layoutOf(sizes);
            const n = layout.numRows;
            const values: Value[] = pool
              .slice(0, n)
              .map((v) =>
                v === null ? null : type.kind === 'bigint' || type.kind === 'decimal' ? BigInt(v) : v,
              );
            while (values.length < n) values.push(null);
            const filter = withFilter
              ? Uint8Array.from({ length: n }, (_, i) => (i % 3 === 0 ? 0 : 1))
              : null;
            const [before, after] = frames[f]!;
            const { fast, general } = run(
              name,
              type,
              values,
              filter,
              rowsFrame(layout, before, after),
              layout,
            );
            expect(fast).not.toBeNull();
            expect(fast).toEqual(general);
          },
        ),
        { numRuns: 150 },
      );
    });
  }

  it('sums doubles in row order over running frames and declines sliding ones', () => {
    const layout = layoutOf([5]);
    const values = [0.1, 0.2, null, 0.3, 1e16];
    const running = run('sum', { kind: 'double' }, values, null, rowsFrame(layout, null, 0), layout);
    let acc = 0;
    const expected = values.map((v) => (v === null ? acc : (acc += v)));
    expect(running.fast).toEqual(expected);
    expect(run('sum', { kind: 'double' }, values, null, rowsFrame(layout, 1, 0), layout).fast).toBeNull();
  });

  it('falls back when an integer prefix leaves ±2^53, so ANSI overflow is still detected', () => {
    const layout = layoutOf([3]);
    const big = [9223372036854775807n, 1n, 1n];
    expect(() => run('sum', { kind: 'bigint' }, big, null, rowsFrame(layout, null, 0), layout)).toThrow(
      expect.objectContaining({ sqlstate: '22003' }),
    );
    const fine = [9007199254740992n, 1n];
    const small = layoutOf([2]);
    const def = registry.lookup('sum') as AggregateFunctionDef;
    const args = [columnFromValues({ kind: 'bigint' }, fine)];
    const input = {
      name: 'sum',
      create: () => def.createAccumulator([{ kind: 'bigint' }], { kind: 'bigint' }, defaultEvalContext()),
      args,
      argTypes: [{ kind: 'bigint' } as const],
      filter: null,
      type: { kind: 'bigint' } as const,
    };
    expect(fastFrameAggregate(input, rowsFrame(small, null, 0), small)).toBeNull();
  });
});
