import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { T, field, schema, type Schema, type Value } from '../../common/index.ts';
import { HashJoinExec } from './hash-join-exec.ts';
import type { JoinType } from './join-emitter.ts';
import { NestedLoopJoinExec } from './nested-loop-join-exec.ts';
import { JoinEmitter } from './join-emitter.ts';
import {
  ColumnExpr,
  GreaterThanExpr,
  collectRows,
  distributed,
  source,
  sortRows,
  taskCtx,
} from './test-support.ts';
import { LimitedPool, MemorySpill } from './memory-test-support.ts';

const ls = schema([field('lk', T.int), field('x', T.int)]);
const rs = schema([field('rk', T.int), field('y', T.int)]);
const types: JoinType[] = ['inner', 'left', 'right', 'full', 'left_semi', 'left_anti', 'left_mark'];

function outSchema(t: JoinType): Schema {
  if (t === 'left_semi' || t === 'left_anti') return ls;
  if (t === 'left_mark') return schema([...ls.fields, field('mark', T.boolean)]);
  return schema([...ls.fields, ...rs.fields]);
}

type Row = Value[];
/** Three-valued: true, false or null. */
function gt(a: Value, b: Value): boolean | null {
  return a === null || b === null ? null : (a as number) > (b as number);
}

function reference(
  t: JoinType,
  L: Row[],
  R: Row[],
  opts: { keys: boolean; nullSafe: boolean; filter: boolean; nullAware: boolean },
): Row[] {
  const keyMatch = (l: Row, r: Row): boolean =>
    !opts.keys || (opts.nullSafe ? l[0] === r[0] : l[0] !== null && r[0] !== null && l[0] === r[0]);
  const cond = (l: Row, r: Row): boolean | null => (opts.filter ? gt(l[1]!, r[1]!) : true);
  const match = (l: Row, r: Row): boolean => keyMatch(l, r) && cond(l, r) === true;
  const out: Row[] = [];
  if (t === 'inner' || t === 'left' || t === 'right' || t === 'full') {
    for (const l of L) for (const r of R) if (match(l, r)) out.push([...l, ...r]);
    if (t === 'left' || t === 'full')
      for (const l of L) if (!R.some((r) => match(l, r))) out.push([...l, null, null]);
    if (t === 'right' || t === 'full')
      for (const r of R) if (!L.some((l) => match(l, r))) out.push([null, null, ...r]);
    return out;
  }
  const rightNullKey = opts.keys && !opts.nullSafe && R.some((r) => r[0] === null);
  for (const l of L) {
    let mark: boolean | null;
    if (R.some((r) => match(l, r))) mark = true;
    else if (opts.keys && !opts.nullSafe && l[0] === null) mark = R.length > 0 ? null : false;
    else if (R.some((r) => keyMatch(l, r) && cond(l, r) === null) || rightNullKey) mark = null;
    else mark = false;
    if (t === 'left_mark') out.push([...l, mark]);
    else if (t === 'left_semi' && mark === true) out.push(l);
    else if (t === 'left_anti' && (opts.nullAware ? mark === false : mark !== true)) out.push(l);
  }
  return out;
}

const rowArb = fc.tuple(
  fc.option(fc.integer({ min: 0, max: 4 }), { freq: 4 }),
  fc.option(fc.integer({ min: 0, max: 5 }), { freq: 4 }),
);
const sideArb = fc.array(rowArb, { maxLength: 12 });

describe('HashJoinExec against a nested-loop reference', () => {
  for (const t of types) {
    it(`${t}: both build sides, with and without filter, null-safe and null-aware keys`, async () => {
      await fc.assert(
        fc.asyncProperty(
          sideArb,
          sideArb,
          fc.boolean(),
          fc.boolean(),
          fc.constantFrom<'left' | 'right'>('left', 'right'),
          fc.boolean(),
          fc.integer({ min: 1, max: 4 }),
          fc.constantFrom<'collect_build' | 'partitioned'>('collect_build', 'partitioned'),
          async (L, R, filter, nullSafe, buildSide, nullAware, batch, mode) => {
            const aware = nullAware && t === 'left_anti';
            // NOT IN and IN-as-a-value need every NULL build key in view: planned only with a collected build.
            const j = new HashJoinExec({
              mode: aware || t === 'left_mark' ? 'collect_build' : mode,
              left: source(ls, L, batch, 2),
              right: source(rs, R, batch + 1, 2),
              joinType: t,
              leftKeys: [new ColumnExpr(0, T.int, 'lk')],
              rightKeys: [new ColumnExpr(0, T.int, 'rk')],
              nullSafe: [nullSafe],
              filter: filter
                ? new GreaterThanExpr(new ColumnExpr(1, T.int, 'x'), new ColumnExpr(3, T.int, 'y'))
                : null,
              buildSide,
              nullAware: aware,
              schema: outSchema(t),
            });
            const got = sortRows(await collectRows(distributed(j), taskCtx(3)));
            const want = sortRows(reference(t, L, R, { keys: true, nullSafe, filter, nullAware: aware }));
            expect(got).toEqual(want);
          },
        ),
        { numRuns: 120 },
      );
    });
  }

  it('explains itself', () => {
    const j = new HashJoinExec({
      left: source(ls, []),
      right: source(rs, []),
      joinType: 'inner',
      leftKeys: [new ColumnExpr(0, T.int, 'lk')],
      rightKeys: [new ColumnExpr(0, T.int, 'rk')],
      nullSafe: [false],
      filter: null,
      buildSide: 'right',
      nullAware: false,
      schema: outSchema('inner'),
    });
    expect(j.explain()).toBe('HashJoinExec: mode=collect_build, type=inner, on=[lk@0 = rk@0], build=right');
  });

  it('joins string and multi-column keys by bytes', async () => {
    const a = schema([field('s', T.string), field('n', T.bigint)]);
    const L = [
      ['äb', 1n],
      ['ab', 2n],
      [null, 3n],
      ['', 4n],
    ];
    const R = [
      ['ab', 2n],
      ['äb', 1n],
      ['', 4n],
      ['äb', 9n],
    ];
    const j = new HashJoinExec({
      left: source(a, L, 2),
      right: source(a, R, 3),
      joinType: 'inner',
      leftKeys: [new ColumnExpr(0, T.string), new ColumnExpr(1, T.bigint)],
      rightKeys: [new ColumnExpr(0, T.string), new ColumnExpr(1, T.bigint)],
      nullSafe: [false, false],
      filter: null,
      buildSide: 'right',
      nullAware: false,
      schema: schema([...a.fields, ...a.fields]),
    });
    expect(sortRows(await collectRows(distributed(j)))).toEqual(
      sortRows([
        ['äb', 1n, 'äb', 1n],
        ['ab', 2n, 'ab', 2n],
        ['', 4n, '', 4n],
      ]),
    );
  });
});

describe('NestedLoopJoinExec against a reference', () => {
  for (const t of types) {
    it(`${t}: both build sides, with and without condition`, async () => {
      await fc.assert(
        fc.asyncProperty(
          sideArb,
          sideArb,
          fc.boolean(),
          fc.constantFrom<'left' | 'right'>('left', 'right'),
          async (L, R, filter, buildSide) => {
            const j = new NestedLoopJoinExec({
              left: source(ls, L, 3, 2),
              right: source(rs, R, 2),
              joinType: t,
              condition: filter
                ? new GreaterThanExpr(new ColumnExpr(1, T.int, 'x'), new ColumnExpr(3, T.int, 'y'))
                : null,
              buildSide,
              schema: outSchema(t),
            });
            const got = sortRows(await collectRows(distributed(j), taskCtx(4)));
            const want = sortRows(
              reference(t, L, R, { keys: false, nullSafe: false, filter, nullAware: false }),
            );
            expect(got).toEqual(want);
          },
        ),
        { numRuns: 60 },
      );
    });
  }
});

/** A deterministic stream of numbers in [0, 1). */
function numbers(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    return state / 4294967296;
  };
}

/**
 * `n` rows of (key, value): keys repeat (0…`keys`-1), 8% are NULL and a share `hot` one hot key
 * (7); 10% of the values are NULL.
 */
function randomSide(n: number, keys: number, seed: number, hot = 0.05): Row[] {
  const next = numbers(seed);
  return Array.from({ length: n }, () => {
    const k = next();
    const key = k < 0.08 ? null : k < 0.08 + hot ? 7 : Math.floor(next() * keys);
    return [key, next() < 0.1 ? null : Math.floor(next() * 6)];
  });
}

/**
 * Rows of integers, booleans and NULLs as sorted strings: an order-insensitive comparison that
 * stays quick for thousands of rows.
 */
function canonical(rows: Row[]): string[] {
  return rows
    .map((r) => r.map((v) => (v === null ? 'NULL' : String(v as number | boolean))).join('|'))
    .sort();
}

describe('HashJoinExec over its memory budget: a grace hash join gives the in-memory answer', () => {
  const L = randomSide(800, 250, 1);
  const R = randomSide(700, 250, 2);
  // A side with one NULL key, and a side of a few rows: most spill partitions of the other side
  // then see no NULL key, or no row at all, where the whole side has one.
  const oneNull = (rows: Row[]): Row[] => rows.map((r, i) => (i === 0 ? [null, r[1]!] : [r[0] ?? i, r[1]!]));
  const sides: (readonly [Row[], Row[]])[] = [
    [L, R],
    [L, []],
    [[], R],
    [oneNull(L), R],
    [L, oneNull(R)],
    [L.slice(0, 5), R],
    [L, R.slice(0, 5)],
  ];
  // Sides whose spill partitions are too large for the budget too: split again.
  const bigL = randomSide(6000, 3000, 3, 0.005);
  const bigR = randomSide(5000, 3000, 4, 0.005);
  type Case = {
    mode: 'collect_build' | 'partitioned';
    buildSide: 'left' | 'right';
    filter: boolean;
    nullSafe: boolean;
    nullAware: boolean;
    nullKeysUnknown: boolean;
  };
  /** The cases of `t`: NOT IN and unknown-NULL variants only where they change the answer. */
  function cases(t: JoinType): Case[] {
    const out: Case[] = [];
    const threeValued = t === 'left_anti' || t === 'left_mark';
    for (const mode of ['collect_build', 'partitioned'] as const)
      for (const buildSide of ['left', 'right'] as const)
        for (const filter of [false, true])
          for (const nullSafe of [false, true])
            for (const nullAware of t === 'left_anti' ? [false, true] : [false])
              for (const nullKeysUnknown of threeValued ? [true, false] : [true]) {
                // Like the planner: NOT IN and IN-as-a-value whose NULL keys are unknown need a
                // collected build side.
                if (mode === 'partitioned' && (nullAware || (t === 'left_mark' && nullKeysUnknown))) continue;
                out.push({ mode, buildSide, filter, nullSafe, nullAware, nullKeysUnknown });
              }
    return out;
  }

  function make(t: JoinType, c: Case, l: Row[], r: Row[]): HashJoinExec {
    const buildIsLeft = c.buildSide === 'left';
    // Partitioned: one partition a side (co-partitioned); collected: the build side read whole
    // from two partitions, each of two probe partitions joined against it (one when the build
    // side emits rows at the end).
    const parts = c.mode === 'partitioned' || JoinEmitter.emitsAtEnd(t, buildIsLeft) ? 1 : 2;
    return new HashJoinExec({
      mode: c.mode,
      left: source(ls, l, 50, parts),
      right: source(rs, r, 50, parts),
      joinType: t,
      leftKeys: [new ColumnExpr(0, T.int, 'lk')],
      rightKeys: [new ColumnExpr(0, T.int, 'rk')],
      nullSafe: [c.nullSafe],
      filter: c.filter
        ? new GreaterThanExpr(new ColumnExpr(1, T.int, 'x'), new ColumnExpr(3, T.int, 'y'))
        : null,
      buildSide: c.buildSide,
      nullAware: c.nullAware,
      nullKeysUnknown: c.nullKeysUnknown,
      schema: outSchema(t),
    });
  }

  /** The join under a 5 KiB budget against the join without one; returns the spill space. */
  async function check(t: JoinType, c: Case, l: Row[], r: Row[]): Promise<MemorySpill> {
    const want = canonical(await collectRows(make(t, c, l, r), taskCtx(64)));
    const memory = new LimitedPool(5 * 1024);
    const spill = new MemorySpill();
    const got = canonical(await collectRows(make(t, c, l, r), { ...taskCtx(64), memory, spill }));
    expect(got).toEqual(want);
    expect(spill.live.size).toBe(0);
    // A grace join gives back all it reserved (an in-memory build table is held to the task's end).
    if (spill.written > 0) expect(memory.counts.used).toBe(0);
    return spill;
  }

  for (const t of types) {
    it(`${t}: NULL, duplicate and skewed keys, empty sides, both build sides and modes, with and without filter`, async () => {
      let spilled = 0;
      for (const c of cases(t)) {
        for (const [l, r] of sides) {
          const spill = await check(t, c, l, r);
          if (spill.written === 0) continue;
          spilled++;
          // Partitioned once; the small sides never need a partition split again.
          expect(spill.passes).toBe(1);
        }
      }
      expect(spilled).toBeGreaterThan(0);
    });
  }

  it('splits a spill partition too large again, for every join type and build side', async () => {
    for (const t of types) {
      for (const c of cases(t)) {
        if (
          c.filter ||
          c.nullSafe ||
          (c.mode === 'collect_build' && !JoinEmitter.emitsAtEnd(t, c.buildSide === 'left'))
        )
          continue;
        const spill = await check(t, c, bigL, bigR);
        // Rows written more than once (one task): a spill partition was split again.
        expect(spill.rows).toBeGreaterThan(bigL.length + bigR.length);
        expect(spill.passes).toBeGreaterThanOrEqual(2);
      }
    }
  });
});
