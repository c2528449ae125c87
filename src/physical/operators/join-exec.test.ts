import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { T, field, schema, type Schema, type Value } from '../../common/index.ts';
import { HashJoinExec } from './hash-join-exec.ts';
import type { JoinType } from './join-emitter.ts';
import { NestedLoopJoinExec } from './nested-loop-join-exec.ts';
import {
  ColumnExpr,
  GreaterThanExpr,
  collectRows,
  distributed,
  source,
  sortRows,
  taskCtx,
} from './test-support.ts';

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
