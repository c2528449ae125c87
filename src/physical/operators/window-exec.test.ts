import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { EngineError, T, field, schema, type DataType, type Schema, type Value } from '../../common/index.ts';
import { createFunctionRegistry, type AggregateFunctionDef } from '../../functions/index.ts';
import type { FrameBound, WindowFrame } from '../../plan/index.ts';
import type { ExecutionPlan, PhysicalExpr } from '../execution-plan.ts';
import type { WindowFunctionSpec } from '../window/index.ts';
import { SortExec } from './sort-exec.ts';
import { ColumnExpr, LiteralExpr, MemoryExec, collectRows, source, taskCtx } from './test-support.ts';
import { LimitedPool, MemorySpill } from './memory-test-support.ts';
import { WindowExec } from './window-exec.ts';

const registry = createFunctionRegistry();
const DEC = T.decimal(10, 2);
// p: partition key, o: order key, v: value, d: decimal value
const INPUT: Schema = schema([field('p', T.int), field('o', T.int), field('v', T.int), field('d', DEC)]);
const P = new ColumnExpr(0, T.int, 'p');
const O = new ColumnExpr(1, T.int, 'o');
const V = new ColumnExpr(2, T.int, 'v');
const D = new ColumnExpr(3, DEC, 'd');

type Bound = FrameBound;
const lit = (value: Value, type: DataType = T.int) => ({ kind: 'literal', value, type }) as const;
const UP: Bound = { kind: 'unbounded_preceding' };
const UF: Bound = { kind: 'unbounded_following' };
const CUR: Bound = { kind: 'current_row' };
const pre = (n: Value, type: DataType = T.int): Bound => ({ kind: 'preceding', offset: lit(n, type) });
const fol = (n: Value, type: DataType = T.int): Bound => ({ kind: 'following', offset: lit(n, type) });
const rows = (start: Bound, end: Bound): WindowFrame => ({ units: 'rows', start, end });
const range = (start: Bound, end: Bound): WindowFrame => ({ units: 'range', start, end });
const WHOLE = rows(UP, UF);
const RUNNING = range(UP, CUR);

function ranking(
  name: 'row_number' | 'rank' | 'dense_rank' | 'percent_rank' | 'cume_dist' | 'ntile',
  n?: number,
): WindowFunctionSpec {
  const double = name === 'percent_rank' || name === 'cume_dist';
  return {
    kind: 'ranking',
    name,
    args: n === undefined ? [] : [new LiteralExpr(n, T.int)],
    type: double ? T.double : T.int,
  };
}

function agg(
  name: string,
  args: PhysicalExpr[],
  frame: WindowFrame,
  filter: PhysicalExpr | null = null,
): WindowFunctionSpec {
  const def = registry.lookup(name) as AggregateFunctionDef;
  const sig = def.resolve(
    args.map((a) => a.type),
    { ansi: true, literalArgs: [] },
  );
  return {
    kind: 'aggregate',
    name,
    args,
    createAccumulator: (ctx) => def.createAccumulator(sig.argTypes, sig.returnType, ctx),
    distinct: false,
    filter,
    frame,
    type: sig.returnType,
  };
}

function lagLead(
  name: 'lag' | 'lead',
  offset: number,
  dflt: Value = null,
  ignoreNulls = false,
): WindowFunctionSpec {
  return {
    kind: 'offset',
    name,
    input: V,
    offset,
    default: dflt === null ? null : new LiteralExpr(dflt, T.int),
    ignoreNulls,
    type: T.int,
  };
}

function value(
  name: 'first_value' | 'last_value' | 'nth_value',
  frame: WindowFrame,
  ignoreNulls = false,
  n?: number,
): WindowFunctionSpec {
  return {
    kind: 'value',
    name,
    input: V,
    ignoreNulls,
    frame,
    type: T.int,
    ...(n === undefined ? {} : { n }),
  };
}

interface Order {
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

/** Sorts like the planner does, then evaluates `functions`; returns the output rows. */
async function runWindow(
  input: readonly Value[][],
  functions: readonly WindowFunctionSpec[],
  opts: { order?: Order | null; partition?: boolean; batchRows?: number; batchSize?: number } = {},
): Promise<Value[][]> {
  const order = opts.order === undefined ? { ascending: true, nullsFirst: true } : opts.order;
  const partition = opts.partition ?? true;
  const partitionBy = partition ? [P] : [];
  const orderBy = order === null ? [] : [{ expr: O, ...order }];
  const sorted = new SortExec({
    input: source(INPUT, input, 100000),
    keys: [...partitionBy.map((e) => ({ expr: e, ascending: true, nullsFirst: true })), ...orderBy],
  });
  // Re-batch the sorted rows so that window partitions span input batches.
  const sortedRows = await collectRows(sorted);
  const exec = new WindowExec({
    input: source(INPUT, sortedRows, opts.batchRows ?? 3),
    partitionBy,
    orderBy,
    functions,
    schema: schema([...INPUT.fields, ...functions.map((f, i) => field(`w${i}`, f.type))]),
  });
  return collectRows(exec, taskCtx(opts.batchSize ?? 8192));
}

const col = (out: Value[][], k: number): Value[] => out.map((r) => r[4 + k]!);

// ---------------------------------------------------------------- naive reference

function sortCmp(a: Value, b: Value, order: Order): number {
  if (a === null || b === null) {
    if (a === null && b === null) return 0;
    return (a === null ? -1 : 1) * (order.nullsFirst ? 1 : -1);
  }
  const c = (a as number) - (b as number);
  return order.ascending ? c : -c;
}

function inFrame(
  rowsIn: readonly Value[][],
  i: number,
  j: number,
  frame: WindowFrame,
  order: Order | null,
): boolean {
  const key = (r: number): Value => (order === null ? null : rowsIn[r]![1]!);
  const ord = order ?? { ascending: true, nullsFirst: true };
  const sign = ord.ascending ? 1 : -1;
  const offsetOf = (b: Bound): number =>
    (b.kind === 'preceding' ? -1 : 1) * (b as { offset: { value: number } }).offset.value;
  const check = (b: Bound, isStart: boolean): boolean => {
    switch (b.kind) {
      case 'unbounded_preceding':
        return isStart;
      case 'unbounded_following':
        return !isStart;
      case 'current_row':
        if (frame.units === 'rows') return isStart ? j >= i : j <= i;
        return isStart ? sortCmp(key(j), key(i), ord) >= 0 : sortCmp(key(j), key(i), ord) <= 0;
      case 'preceding':
      case 'following': {
        const off = offsetOf(b);
        if (frame.units === 'rows') return isStart ? j >= i + off : j <= i + off;
        const ki = key(i);
        const kj = key(j);
        if (ki === null) return isStart ? sortCmp(kj, ki, ord) >= 0 : sortCmp(kj, ki, ord) <= 0;
        if (kj === null) return isStart ? !ord.nullsFirst : ord.nullsFirst;
        const wi = sign * (ki as number);
        const wj = sign * (kj as number);
        return isStart ? wj >= wi + off : wj <= wi + off;
      }
    }
  };
  return check(frame.start, true) && check(frame.end, false);
}

/** Row indices of each row's partition (rows are sorted, partitions contiguous). */
function partitions(rowsIn: readonly Value[][], partitioned: boolean): number[][] {
  const out: number[][] = [];
  rowsIn.forEach((r, i) => {
    const last = out[out.length - 1];
    if (last !== undefined && (!partitioned || rowsIn[last[0]!]![0] === r[0])) last.push(i);
    else out.push([i]);
  });
  return out;
}

type Ref =
  | { kind: 'rank'; name: string; n?: number }
  | { kind: 'offset'; name: 'lag' | 'lead'; offset: number; dflt: Value; ignoreNulls: boolean }
  | { kind: 'value'; name: string; n: number; ignoreNulls: boolean; frame: WindowFrame }
  | { kind: 'agg'; name: 'sum' | 'count' | 'min' | 'max' | 'avg' | 'dsum'; frame: WindowFrame };

function reference(
  rowsIn: readonly Value[][],
  refs: readonly Ref[],
  order: Order | null,
  partitioned: boolean,
): Value[][] {
  const out: Value[][] = rowsIn.map(() => []);
  const ord = order ?? { ascending: true, nullsFirst: true };
  const key = (r: number): Value => (order === null ? null : rowsIn[r]![1]!);
  for (const part of partitions(rowsIn, partitioned)) {
    const size = part.length;
    part.forEach((i, k) => {
      const peersBefore = part.filter((j) => sortCmp(key(j), key(i), ord) < 0).length;
      const peersUpTo = part.filter((j) => sortCmp(key(j), key(i), ord) <= 0).length;
      for (const ref of refs) {
        let v: Value = null;
        switch (ref.kind) {
          case 'rank': {
            const rank = peersBefore + 1;
            const distinctBefore = new Set(
              part.filter((j) => sortCmp(key(j), key(i), ord) < 0).map((j) => key(j)),
            ).size;
            if (ref.name === 'row_number') v = k + 1;
            else if (ref.name === 'rank') v = rank;
            else if (ref.name === 'dense_rank') v = distinctBefore + 1;
            else if (ref.name === 'percent_rank') v = size === 1 ? 0 : (rank - 1) / (size - 1);
            else if (ref.name === 'cume_dist') v = peersUpTo / size;
            else {
              // ntile: deal rows out so that bucket sizes differ by at most one, larger ones first
              const n = ref.n!;
              const sizes = Array.from(
                { length: n },
                (_, b) => Math.floor(size / n) + (b < size % n ? 1 : 0),
              );
              let acc = 0;
              for (let b = 0; b < n; b++) {
                acc += sizes[b]!;
                if (k < acc) {
                  v = b + 1;
                  break;
                }
              }
            }
            break;
          }
          case 'offset': {
            const dir = ref.name === 'lead' ? 1 : -1;
            if (ref.offset === 0) v = rowsIn[i]![2]!;
            else if (!ref.ignoreNulls) {
              const t = k + dir * ref.offset;
              v = t >= 0 && t < size ? rowsIn[part[t]!]![2]! : ref.dflt;
            } else {
              let seen = 0;
              v = ref.dflt;
              for (let t = k + dir; t >= 0 && t < size; t += dir) {
                if (rowsIn[part[t]!]![2] !== null && ++seen === ref.offset) {
                  v = rowsIn[part[t]!]![2]!;
                  break;
                }
              }
            }
            break;
          }
          case 'value': {
            let frameRows = part.filter((j) => inFrame(rowsIn, i, j, ref.frame, order));
            if (ref.ignoreNulls) frameRows = frameRows.filter((j) => rowsIn[j]![2] !== null);
            const pick = ref.name === 'last_value' ? frameRows[frameRows.length - 1] : frameRows[ref.n - 1];
            v = pick === undefined ? null : rowsIn[pick]![2]!;
            break;
          }
          case 'agg': {
            const frameRows = part.filter((j) => inFrame(rowsIn, i, j, ref.frame, order));
            if (ref.name === 'dsum') {
              const ds = frameRows.map((j) => rowsIn[j]![3]).filter((x): x is bigint => x !== null);
              v = ds.length === 0 ? null : ds.reduce((a, b) => a + b, 0n);
              break;
            }
            const xs = frameRows.map((j) => rowsIn[j]![2]).filter((x): x is number => x !== null);
            if (ref.name === 'count') v = BigInt(xs.length);
            else if (xs.length === 0) v = null;
            else if (ref.name === 'sum') v = BigInt(xs.reduce((a, b) => a + b, 0));
            else if (ref.name === 'avg') v = xs.reduce((a, b) => a + b, 0) / xs.length;
            else if (ref.name === 'min') v = Math.min(...xs);
            else v = Math.max(...xs);
            break;
          }
        }
        out[i]!.push(v);
      }
    });
  }
  return out;
}

function specOf(ref: Ref): WindowFunctionSpec {
  switch (ref.kind) {
    case 'rank':
      return ranking(ref.name as 'rank', ref.n);
    case 'offset':
      return lagLead(ref.name, ref.offset, ref.dflt, ref.ignoreNulls);
    case 'value':
      return value(
        ref.name as 'nth_value',
        ref.frame,
        ref.ignoreNulls,
        ref.name === 'nth_value' ? ref.n : undefined,
      );
    case 'agg':
      return ref.name === 'dsum' ? agg('sum', [D], ref.frame) : agg(ref.name, [V], ref.frame);
  }
}

const ALL_RANKS: Ref[] = [
  { kind: 'rank', name: 'row_number' },
  { kind: 'rank', name: 'rank' },
  { kind: 'rank', name: 'dense_rank' },
  { kind: 'rank', name: 'percent_rank' },
  { kind: 'rank', name: 'cume_dist' },
  { kind: 'rank', name: 'ntile', n: 3 },
];

const OFFSETS: Ref[] = [
  { kind: 'offset', name: 'lag', offset: 1, dflt: null, ignoreNulls: false },
  { kind: 'offset', name: 'lead', offset: 2, dflt: -1, ignoreNulls: false },
  { kind: 'offset', name: 'lag', offset: 2, dflt: -9, ignoreNulls: true },
  { kind: 'offset', name: 'lead', offset: 1, dflt: null, ignoreNulls: true },
  { kind: 'offset', name: 'lag', offset: -1, dflt: null, ignoreNulls: false },
];

function frameRefs(frame: WindowFrame): Ref[] {
  return [
    { kind: 'agg', name: 'sum', frame },
    { kind: 'agg', name: 'count', frame },
    { kind: 'agg', name: 'min', frame },
    { kind: 'agg', name: 'max', frame },
    { kind: 'agg', name: 'avg', frame },
    { kind: 'agg', name: 'dsum', frame },
    { kind: 'value', name: 'first_value', n: 1, ignoreNulls: false, frame },
    { kind: 'value', name: 'last_value', n: 1, ignoreNulls: true, frame },
    { kind: 'value', name: 'nth_value', n: 2, ignoreNulls: false, frame },
    { kind: 'value', name: 'nth_value', n: 2, ignoreNulls: true, frame },
  ];
}

async function checkAgainstReference(
  input: Value[][],
  refs: readonly Ref[],
  opts: { order: Order | null; partition: boolean; batchRows: number },
): Promise<void> {
  const out = await runWindow(input, refs.map(specOf), opts);
  const inputRows = out.map((r) => r.slice(0, 4));
  const expected = reference(inputRows, refs, opts.order, opts.partition);
  expect(out.map((r) => r.slice(4))).toEqual(expected);
  expect(out.length).toBe(input.length);
}

// ---------------------------------------------------------------- tests

const SAMPLE: Value[][] = [
  [1, 10, 5, 150n],
  [1, 20, null, 200n],
  [1, 20, 7, null],
  [1, 30, 1, 125n],
  [2, 5, 3, 100n],
  [null, 1, 4, 1n],
  [null, null, 2, 2n],
  [1, null, 9, 9n],
];

describe('WindowExec ranking functions', () => {
  it('row_number, rank, dense_rank, percent_rank, cume_dist, ntile with ties and NULL keys', async () => {
    const out = await runWindow(SAMPLE, ALL_RANKS.map(specOf), { batchRows: 2 });
    // Sorted: p NULL (o NULL, 1), p 1 (o NULL, 10, 20, 20, 30), p 2 (o 5).
    expect(out.map((r) => [r[0], r[1], ...r.slice(4)])).toEqual([
      [null, null, 1, 1, 1, 0, 0.5, 1],
      [null, 1, 2, 2, 2, 1, 1, 2],
      [1, null, 1, 1, 1, 0, 0.2, 1],
      [1, 10, 2, 2, 2, 0.25, 0.4, 1],
      [1, 20, 3, 3, 3, 0.5, 0.8, 2],
      [1, 20, 4, 3, 3, 0.5, 0.8, 2],
      [1, 30, 5, 5, 4, 1, 1, 3],
      [2, 5, 1, 1, 1, 0, 1, 1],
    ]);
  });

  it('ntile gives the remainder to the first buckets, and one row per bucket when n > rows', async () => {
    const input = Array.from({ length: 7 }, (_, i): Value[] => [1, i, i, null]);
    const out = await runWindow(input, [ranking('ntile', 3), ranking('ntile', 10)], { batchRows: 2 });
    expect(col(out, 0)).toEqual([1, 1, 1, 2, 2, 3, 3]);
    expect(col(out, 1)).toEqual([1, 2, 3, 4, 5, 6, 7]);
  });

  it('without ORDER BY every row of a partition is a peer', async () => {
    const out = await runWindow(SAMPLE, [ranking('rank'), ranking('row_number'), ranking('cume_dist')], {
      order: null,
    });
    const p1 = out.filter((r) => r[0] === 1);
    expect(p1.map((r) => r[4])).toEqual([1, 1, 1, 1, 1]);
    expect(p1.map((r) => r[5])).toEqual([1, 2, 3, 4, 5]);
    expect(p1.map((r) => r[6])).toEqual([1, 1, 1, 1, 1]);
  });

  it('ntile rejects a bucket count that is not positive (22023)', async () => {
    await expect(runWindow(SAMPLE, [ranking('ntile', 0)])).rejects.toMatchObject({ sqlstate: '22023' });
  });
});

describe('WindowExec lag / lead', () => {
  it('reads neighbours within the partition, with defaults and IGNORE NULLS', async () => {
    const input: Value[][] = [
      [1, 1, 10, null],
      [1, 2, null, null],
      [1, 3, 30, null],
      [1, 4, null, null],
      [1, 5, 50, null],
      [2, 1, 60, null],
    ];
    const out = await runWindow(input, [
      lagLead('lag', 1),
      lagLead('lead', 1, -1),
      lagLead('lag', 1, null, true),
      lagLead('lead', 1, -1, true),
      lagLead('lag', 0),
      lagLead('lead', 10, 0),
    ]);
    expect(col(out, 0)).toEqual([null, 10, null, 30, null, null]);
    expect(col(out, 1)).toEqual([null, 30, null, 50, -1, -1]);
    expect(col(out, 2)).toEqual([null, 10, 10, 30, 30, null]);
    expect(col(out, 3)).toEqual([30, 30, 50, 50, -1, -1]);
    expect(col(out, 4)).toEqual([10, null, 30, null, 50, 60]);
    expect(col(out, 5)).toEqual([0, 0, 0, 0, 0, 0]);
  });

  it('takes a per-row default expression', async () => {
    const out = await runWindow(SAMPLE, [
      { kind: 'offset', name: 'lead', input: V, offset: 1, default: O, ignoreNulls: false, type: T.int },
    ]);
    const last = out.filter((r) => r[0] === 1).at(-1)!;
    expect(last[4]).toBe(30); // no next row: the default is this row's o
  });
});

describe('WindowExec frames', () => {
  const input: Value[][] = [
    [1, 1, 1, 100n],
    [1, 2, 2, 200n],
    [1, 2, 3, 300n],
    [1, 4, null, null],
    [1, 7, 5, 500n],
    [1, null, 6, 600n],
    [2, 3, 7, 700n],
  ];

  it('ROWS BETWEEN 1 PRECEDING AND 1 FOLLOWING', async () => {
    const out = await runWindow(
      input,
      [agg('sum', [V], rows(pre(1), fol(1))), agg('count', [V], rows(pre(1), fol(1)))],
      { order: { ascending: true, nullsFirst: false } },
    );
    // p=1 in order: o 1,2,2,4,7,NULL → v 1,2,3,NULL,5,6
    expect(col(out, 0)).toEqual([3n, 6n, 5n, 8n, 11n, 11n, 7n]);
    expect(col(out, 1)).toEqual([2n, 3n, 2n, 2n, 2n, 2n, 1n]);
  });

  it('default RANGE UNBOUNDED PRECEDING .. CURRENT ROW includes all peers', async () => {
    const out = await runWindow(input, [agg('sum', [V], RUNNING), agg('sum', [D], RUNNING)], {
      order: { ascending: true, nullsFirst: false },
    });
    expect(col(out, 0)).toEqual([1n, 6n, 6n, 6n, 11n, 17n, 7n]);
    expect(col(out, 1)).toEqual([100n, 600n, 600n, 600n, 1100n, 1700n, 700n]);
  });

  it('RANGE BETWEEN 1 PRECEDING AND 2 FOLLOWING by key value, NULL keys as peers', async () => {
    const f = range(pre(1), fol(2));
    const out = await runWindow(input, [agg('sum', [V], f)], {
      order: { ascending: true, nullsFirst: true },
    });
    // p=1 (nulls first): o NULL,1,2,2,4,7 → v 6,1,2,3,NULL,5
    expect(col(out, 0)).toEqual([6n, 6n, 6n, 6n, null, 5n, 7n]);
  });

  it('RANGE offsets follow DESC order', async () => {
    const f = range(pre(1), CUR);
    const out = await runWindow(input, [agg('sum', [V], f), agg('count', [V], range(fol(1), fol(3)))], {
      order: { ascending: false, nullsFirst: false },
    });
    // p=1 DESC: o 7,4,2,2,1,NULL → v 5,NULL,2,3,1,6; 1 PRECEDING = keys ≤ o + 1
    expect(col(out, 0)).toEqual([5n, null, 5n, 5n, 6n, 6n, 7n]);
    // 1 FOLLOWING .. 3 FOLLOWING = o − 3 ≤ key ≤ o − 1
    expect(col(out, 1)).toEqual([0n, 3n, 1n, 1n, 0n, 1n, 0n]);
  });

  it('RANGE offsets on a decimal key are exact, with offsets of another scale', async () => {
    const dk = new ColumnExpr(3, DEC, 'd');
    const exec = new WindowExec({
      input: source(
        INPUT,
        [
          [1, 0, 1, 100n],
          [1, 0, 2, 150n],
          [1, 0, 4, 251n],
          [1, 0, 8, 300n],
        ],
        2,
      ),
      partitionBy: [],
      orderBy: [{ expr: dk, ascending: true, nullsFirst: true }],
      functions: [agg('sum', [V], range(pre(15n, T.decimal(3, 1)), CUR))],
      schema: schema([...INPUT.fields, field('s', T.bigint)]),
    });
    // d = 1.00, 1.50, 2.51, 3.00; 1.5 PRECEDING
    expect(col(await collectRows(exec), 0)).toEqual([1n, 3n, 6n, 14n]);
  });

  it('RANGE offsets of calendar intervals on a timestamp key move the local clock of the session zone', async () => {
    // When clocks fall back in America/Los_Angeles, 01:30 PDT (08:30Z) comes before 01:10 PST
    // (09:10Z); one calendar day later is 01:30 PST (09:30Z) and 01:10 PST (09:10Z): the frame
    // ends do not rise with the keys. A row at 01:20 PST the next day (09:20Z) is within a day of
    // the first row only.
    const TS = schema([field('t', T.timestamp), field('v', T.int)]);
    const at = (iso: string): bigint => BigInt(Date.parse(iso)) * 1000n;
    const day = (days: number): Bound => ({
      kind: 'following',
      offset: lit([0, days, 0n], T.calendarInterval),
    });
    const exec = new WindowExec({
      input: source(
        TS,
        [
          [at('2024-11-03T08:30:00Z'), 1],
          [at('2024-11-03T09:10:00Z'), 2],
          [at('2024-11-04T09:20:00Z'), 4],
        ],
        1,
      ),
      partitionBy: [],
      orderBy: [{ expr: new ColumnExpr(0, T.timestamp, 't'), ascending: true, nullsFirst: true }],
      functions: [
        agg('sum', [new ColumnExpr(1, T.int, 'v')], range(CUR, day(1))),
        agg('sum', [new ColumnExpr(1, T.int, 'v')], range(CUR, day(2))),
      ],
      schema: schema([...TS.fields, field('s1', T.bigint), field('s2', T.bigint)]),
    });
    const ctx = taskCtx();
    const out = await collectRows(exec, { ...ctx, eval: { ...ctx.eval, timeZone: 'America/Los_Angeles' } });
    // Two frames that differ only in their calendar offsets are computed apart.
    expect(out.map((r) => [r[2], r[3]])).toEqual([
      [7n, 7n],
      [2n, 6n],
      [4n, 4n],
    ]);
  });

  it('an empty frame gives NULL for sum, min and avg and 0 for count', async () => {
    const f = rows(fol(6), fol(7));
    const out = await runWindow(input, [
      agg('sum', [V], f),
      agg('count', [V], f),
      agg('min', [V], f),
      agg('avg', [V], f),
    ]);
    for (const r of out) expect(r.slice(4)).toEqual([null, 0n, null, null]);
  });

  it('applies an aggregate FILTER', async () => {
    const filter = new (await import('./test-support.ts')).GreaterThanExpr(V, new LiteralExpr(2, T.int));
    const out = await runWindow(input, [agg('count', [V], WHOLE, filter)], { batchRows: 2 });
    expect(col(out, 0)).toEqual([3n, 3n, 3n, 3n, 3n, 3n, 1n]);
  });

  it('whole-partition aggregates span input batches and output batches are cut to batchSize', async () => {
    const many = Array.from({ length: 50 }, (_, i): Value[] => [i % 3, i, i, null]);
    const out = await runWindow(many, [agg('sum', [V], WHOLE), ranking('row_number')], {
      batchRows: 7,
      batchSize: 4,
    });
    expect(out.length).toBe(50);
    const sums = new Map<Value, bigint>();
    for (const r of many) sums.set(r[0]!, (sums.get(r[0]!) ?? 0n) + BigInt(r[2] as number));
    for (const r of out) expect(r[4]).toBe(sums.get(r[0]!));
  });
});

describe('WindowExec edge cases', () => {
  it('empty input gives no rows', async () => {
    expect(await runWindow([], [ranking('rank'), agg('sum', [V], RUNNING)])).toEqual([]);
  });

  it('rejects DISTINCT (0A000), bad nth_value (22023) and RANGE offsets with two order keys (42P20)', () => {
    const make = (
      functions: WindowFunctionSpec[],
      orderBy = [{ expr: O, ascending: true, nullsFirst: true }],
    ) =>
      new WindowExec({
        input: source(INPUT, []),
        partitionBy: [],
        orderBy,
        functions,
        schema: schema([...INPUT.fields, ...functions.map((f, i) => field(`w${i}`, f.type))]),
      });
    const codeOf = (f: () => unknown): string => {
      try {
        f();
      } catch (e) {
        return e instanceof EngineError ? e.sqlstate : 'other';
      }
      return 'none';
    };
    expect(
      codeOf(() =>
        make([
          {
            ...(agg('count', [V], WHOLE) as Extract<WindowFunctionSpec, { kind: 'aggregate' }>),
            distinct: true,
          },
        ]),
      ),
    ).toBe('0A000');
    expect(codeOf(() => make([value('nth_value', WHOLE, false, 0)]))).toBe('22023');
    const two = [
      { expr: O, ascending: true, nullsFirst: true },
      { expr: V, ascending: true, nullsFirst: true },
    ];
    expect(codeOf(() => make([agg('sum', [V], range(pre(1), CUR))], two))).toBe('42P20');
    expect(codeOf(() => make([agg('sum', [V], range(UP, CUR))], two))).toBe('none');
  });

  it('explains its keys and functions on one line', () => {
    const exec = new WindowExec({
      input: source(INPUT, []),
      partitionBy: [P],
      orderBy: [{ expr: O, ascending: false, nullsFirst: false }],
      functions: [ranking('rank'), agg('sum', [V], rows(pre(2), CUR)), lagLead('lag', 1, null, true)],
      schema: schema([...INPUT.fields, field('r', T.int), field('s', T.bigint), field('l', T.int)]),
    });
    expect(exec.explain()).toBe(
      'WindowExec: partition_by=[p@0], order_by=[o@1 DESC NULLS LAST], functions=[r: rank(), ' +
        's: sum(v@2) ROWS BETWEEN 2 PRECEDING AND CURRENT ROW, l: lag(v@2, 1) IGNORE NULLS]',
    );
  });
});

describe('WindowExec against a row-at-a-time reference', () => {
  const rowArb = fc.tuple(
    fc.option(fc.integer({ min: 0, max: 2 }), { freq: 5 }),
    fc.option(fc.integer({ min: -3, max: 3 }), { freq: 5 }),
    fc.option(fc.integer({ min: -5, max: 5 }), { freq: 4 }),
    fc.option(fc.bigInt({ min: -999n, max: 999n }), { freq: 4 }),
  );
  const boundArb = (isStart: boolean): fc.Arbitrary<Bound> =>
    fc.oneof(
      fc.constant(isStart ? UP : UF),
      fc.constant(CUR),
      fc.integer({ min: 0, max: 3 }).map((n) => pre(n)),
      fc.integer({ min: 0, max: 3 }).map((n) => fol(n)),
    );
  const frameArb = fc
    .tuple(fc.constantFrom<'rows' | 'range'>('rows', 'range'), boundArb(true), boundArb(false))
    .map(([units, start, end]): WindowFrame => ({ units, start, end }));
  const orderArb = fc.record({ ascending: fc.boolean(), nullsFirst: fc.boolean() });

  it('ranking and offset functions', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 25 }),
        fc.option(orderArb, { freq: 4 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 6 }),
        async (input, order, partition, batchRows) => {
          await checkAgainstReference(input, [...ALL_RANKS, ...OFFSETS], {
            order,
            partition,
            batchRows,
          });
        },
      ),
      { numRuns: 150 },
    );
  });

  it('aggregates and value functions over random frames', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(rowArb, { maxLength: 25 }),
        orderArb,
        frameArb,
        fc.boolean(),
        fc.integer({ min: 1, max: 6 }),
        async (input, order, frame, partition, batchRows) => {
          await checkAgainstReference(input, frameRefs(frame), { order, partition, batchRows });
        },
      ),
      { numRuns: 300 },
    );
  });

  it('whole-partition and running frames without ORDER BY', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(rowArb, { maxLength: 20 }), fc.boolean(), async (input, partition) => {
        await checkAgainstReference(input, [...frameRefs(WHOLE), ...frameRefs(RUNNING)], {
          order: null,
          partition,
          batchRows: 4,
        });
      }),
      { numRuns: 60 },
    );
  });
});

describe('WindowExec over its memory budget', () => {
  /** Deterministic pseudo-random rows: `parts` partitions, order keys with ties and NULLs. */
  function bigInput(count: number, parts: number, seed: number): Value[][] {
    let x = seed;
    const next = (m: number): number => {
      x = (x * 1103515245 + 12345) % 2147483648;
      return (x >>> 8) % m;
    };
    return Array.from({ length: count }, (): Value[] => [
      parts === 1 ? 7 : next(parts) === 0 ? null : next(parts),
      next(40) === 0 ? null : next(count >> 3),
      next(5) === 0 ? null : next(100) - 50,
      next(7) === 0 ? null : BigInt(next(20000) - 10000),
    ]);
  }

  /** The window over `input` sorted, with and without a budget (one that the rows overflow). */
  async function both(
    input: readonly Value[][],
    functions: readonly WindowFunctionSpec[],
    opts: { order?: Order | null; partition?: boolean; limit?: number } = {},
  ): Promise<{ want: Value[][]; got: Value[][]; spill: MemorySpill; pool: LimitedPool }> {
    const order = opts.order === undefined ? { ascending: true, nullsFirst: true } : opts.order;
    const partition = opts.partition ?? true;
    const partitionBy = partition ? [P] : [];
    const orderBy = order === null ? [] : [{ expr: O, ...order }];
    const sortedRows = await collectRows(
      new SortExec({
        input: source(INPUT, input, 100000),
        keys: [...partitionBy.map((e) => ({ expr: e, ascending: true, nullsFirst: true })), ...orderBy],
      }),
    );
    const make = (): WindowExec =>
      new WindowExec({
        input: source(INPUT, sortedRows, 50),
        partitionBy,
        orderBy,
        functions,
        schema: schema([...INPUT.fields, ...functions.map((f, i) => field(`w${i}`, f.type))]),
      });
    const want = await collectRows(make(), taskCtx(32));
    const spill = new MemorySpill();
    const pool = new LimitedPool(opts.limit ?? 64 * 1024);
    const got = await collectRows(make(), { ...taskCtx(32), memory: pool, spill });
    return { want, got, spill, pool };
  }

  /** Right answers in bounded memory, having read the spill file `passes` times. */
  function expectSpilled(
    r: {
      want: Value[][];
      got: Value[][];
      spill: MemorySpill;
      pool: LimitedPool;
    },
    passes: 1 | 2,
  ): void {
    expect(r.got).toEqual(r.want);
    expect(r.spill.written).toBeGreaterThan(0);
    expect(r.spill.passes).toBe(passes);
    expect(r.spill.live.size).toBe(0);
    expect(r.pool.used).toBe(0);
    expect(r.pool.peak).toBeLessThanOrEqual(r.pool.limit);
  }

  const BOUNDED: WindowFrame[] = [
    rows(pre(3), CUR),
    rows(pre(2), fol(2)),
    rows(fol(1), fol(3)),
    rows(pre(5), pre(2)),
    rows(CUR, fol(40)),
    range(CUR, CUR),
    range(pre(2), fol(1)),
    range(CUR, fol(3)),
    range(fol(1), fol(2)),
  ];
  const FROM_START: WindowFrame[] = [
    rows(UP, CUR),
    rows(UP, pre(2)),
    rows(UP, fol(3)),
    RUNNING,
    range(UP, fol(2)),
    rows(UP, UF),
    range(UP, UF),
  ];
  const frameFunctions = (frame: WindowFrame): WindowFunctionSpec[] => frameRefs(frame).map(specOf);

  it('ranking and offset functions over one large partition and over several', async () => {
    const fns = [...ALL_RANKS, ...OFFSETS].map(specOf);
    fns.push(ranking('ntile', 7), lagLead('lead', 3, null, true), lagLead('lag', 40, 0));
    // The row count ntile and percent_rank need is the file's: one pass.
    expectSpilled(await both(bigInput(5000, 1, 1), fns), 1);
    expectSpilled(await both(bigInput(12000, 3, 2), fns), 1);
    expectSpilled(
      await both(bigInput(5000, 1, 3), fns, { order: { ascending: false, nullsFirst: false } }),
      1,
    );
  });

  it('aggregates and value functions over bounded frames (ROWS and RANGE, peers, offsets)', async () => {
    for (const [i, frame] of BOUNDED.entries()) {
      const fns = frameFunctions(frame);
      // One partition, or (every other frame) several, ordered the other way.
      const r =
        i % 2 === 0
          ? await both(bigInput(5000, 1, 10 + i), fns)
          : await both(bigInput(9000, 2, 20 + i), fns, {
              order: { ascending: false, nullsFirst: i % 4 === 1 },
            });
      expectSpilled(r, 1);
    }
  });

  it('frames from the partition start: running, whole-partition, with NULL values', async () => {
    for (const [i, frame] of FROM_START.entries()) {
      const fns = frameFunctions(frame);
      const r =
        i % 2 === 0
          ? await both(bigInput(5000, 1, 30 + i), fns)
          : await both(bigInput(12000, 3, 40 + i), fns, {
              order: { ascending: i % 4 === 1, nullsFirst: false },
            });
      expectSpilled(r, 2);
    }
  });

  it('value functions to the partition end, and every function without ORDER BY', async () => {
    const toEnd = [rows(pre(1), UF), rows(fol(2), UF), range(CUR, UF), range(pre(3), UF)];
    for (const [i, frame] of toEnd.entries()) {
      const fns = frameRefs(frame)
        .filter((r) => r.kind === 'value')
        .map(specOf);
      expectSpilled(await both(bigInput(5000, 1, 50 + i), fns), 2);
    }
    const unordered = [...ALL_RANKS, ...OFFSETS].map(specOf);
    unordered.push(
      ...frameFunctions(WHOLE),
      ...frameFunctions(RUNNING),
      ...frameFunctions(rows(pre(2), CUR)),
    );
    expectSpilled(await both(bigInput(5000, 1, 60), unordered, { order: null }), 2);
    expectSpilled(await both(bigInput(5000, 1, 61), unordered, { order: null, partition: false }), 2);
  });

  it('aggregates to the partition end (suffix frames)', async () => {
    const suffix = [rows(CUR, UF), rows(pre(3), UF), rows(fol(2), UF), range(CUR, UF), range(fol(1), UF)];
    for (const [i, frame] of suffix.entries()) {
      const fns = frameRefs(frame)
        .filter((r) => r.kind === 'agg')
        .map(specOf);
      const r =
        i % 2 === 0
          ? await both(bigInput(5000, 1, 90 + i), fns)
          : await both(bigInput(12000, 3, 95 + i), fns, { order: { ascending: false, nullsFirst: true } });
      expectSpilled(r, 2);
    }
  });

  it('a peer group larger than the budget fails with 53200 naming WindowExec', async () => {
    // Every row a peer of every other: cume_dist needs them all at once.
    const ties = bigInput(5000, 1, 70).map((r) => [r[0]!, 1, r[2]!, r[3]!]);
    const r1 = both(ties, [ranking('cume_dist')]);
    await expect(r1).rejects.toMatchObject({ sqlstate: '53200' });
    await expect(r1).rejects.toThrow(/WindowExec/);
    // …which rank and ROWS frames do not need.
    expectSpilled(
      await both(ties, [ranking('rank'), agg('sum', [V], rows(pre(2), CUR)), agg('sum', [V], rows(CUR, UF))]),
      2,
    );
  });

  it('removes its spill file when the consumer stops early or the input fails; no spill space: 53200', async () => {
    const sorted = await collectRows(
      new SortExec({
        input: source(INPUT, bigInput(5000, 1, 80), 100000),
        keys: [{ expr: O, ascending: true, nullsFirst: true }],
      }),
    );
    const fns = [agg('sum', [V], RUNNING), ranking('rank')];
    const out = schema([...INPUT.fields, field('s', T.bigint), field('r', T.int)]);
    const window = (input: ExecutionPlan): WindowExec =>
      new WindowExec({
        input,
        partitionBy: [P],
        orderBy: [{ expr: O, ascending: true, nullsFirst: true }],
        functions: fns,
        schema: out,
      });
    const spill = new MemorySpill();
    const pool = new LimitedPool(24 * 1024);
    for await (const b of window(source(INPUT, sorted, 100)).execute(0, {
      ...taskCtx(64),
      memory: pool,
      spill,
    })) {
      expect(b.numRows).toBeGreaterThan(0);
      break;
    }
    expect(spill.written).toBe(1);
    expect(spill.live.size).toBe(0);
    expect(pool.used).toBe(0);

    class FailingExec extends MemoryExec {
      override async *execute(partition: number): AsyncGenerator<arrow.RecordBatch> {
        yield* super.execute(partition);
        throw new EngineError('22012', 'division by zero');
      }
    }
    const failing = window(new FailingExec(INPUT, source(INPUT, sorted, 100).partitions));
    const spill2 = new MemorySpill();
    await expect(
      collectRows(failing, { ...taskCtx(64), memory: new LimitedPool(24 * 1024), spill: spill2 }),
    ).rejects.toThrow(/division by zero/);
    expect(spill2.started).toBe(1);
    expect(spill2.live.size).toBe(0);

    await expect(
      collectRows(window(source(INPUT, sorted, 100)), { ...taskCtx(64), memory: new LimitedPool(24 * 1024) }),
    ).rejects.toMatchObject({ sqlstate: '53200' });
  });
});
