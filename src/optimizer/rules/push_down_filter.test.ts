import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import type { LogicalPlan } from '../../plan/index.ts';
import * as b from '../test-support.ts';
import { combineFilters } from './combine_filters.ts';
import { pushDownFilter } from './push_down_filter.ts';

const ta = b.table('db.a', [
  ['x', T.int, true],
  ['z', T.int, true],
]);
const tb = b.table('db.b', [
  ['y', T.int, true],
  ['w', T.int, true],
]);

function setup() {
  const env = b.testEnv();
  const a = env.scan(ta);
  const bb = env.scan(tb);
  const run = (plan: LogicalPlan): string => b.runRules(plan, env.ctx(), [combineFilters, pushDownFilter]);
  return { env, a, bb, run };
}

describe('push_down_filter', () => {
  it('turns a comma join with a WHERE equality into an inner equi-join and pushes one-side conjuncts', () => {
    const { env, a, bb, run } = setup();
    const j = env.join(a, bb, 'cross');
    const plan = env.filter(j, b.andE(b.eq(b.c(j, 'x'), b.c(j, 'y')), b.gt(b.c(j, 'z'), b.int(1))));
    expect(run(plan)).toBe(
      [
        'Inner Join: x = y',
        '  Filter: z > Int32(1)',
        '    TableScan: db.a filters=[z > Int32(1)]',
        '  TableScan: db.b',
      ].join('\n'),
    );
  });

  it('keeps a filter on the nullable side of a left join above it', () => {
    const { env, a, bb, run } = setup();
    const j = env.join(a, bb, 'left', b.eq(b.c(a, 'x'), b.c(bb, 'y')));
    const plan = env.filter(j, b.orE(b.isNull(b.c(j, 'w')), b.gt(b.c(j, 'z'), b.int(1))));
    expect(run(plan)).toBe(
      [
        'Filter: w IS NULL OR z > Int32(1)',
        '  Left Join: x = y',
        '    TableScan: db.a',
        '    TableScan: db.b',
      ].join('\n'),
    );
  });

  it('pushes left-side conjuncts below a left join, and turns it inner when a conjunct rejects NULLs of the right', () => {
    const { env, a, bb, run } = setup();
    const j = env.join(a, bb, 'left', b.eq(b.c(a, 'x'), b.c(bb, 'y')));
    expect(run(env.filter(j, b.gt(b.c(j, 'z'), b.int(1))))).toBe(
      [
        'Left Join: x = y',
        '  Filter: z > Int32(1)',
        '    TableScan: db.a filters=[z > Int32(1)]',
        '  TableScan: db.b',
      ].join('\n'),
    );
    expect(run(env.filter(j, b.gt(b.c(j, 'w'), b.int(1))))).toBe(
      [
        'Inner Join: x = y',
        '  TableScan: db.a',
        '  Filter: w > Int32(1)',
        '    TableScan: db.b filters=[w > Int32(1)]',
      ].join('\n'),
    );
  });

  it('does not push non-deterministic predicates', () => {
    const { env, a, run } = setup();
    const p = env.project(a, [b.c(a, 'x')]);
    const plan = env.filter(p, b.gt(b.call('rand', [], T.double), b.lit(0.5, T.double)));
    expect(run(plan)).toBe(
      ['Filter: rand() > Float64(0.5)', '  Projection: x', '    TableScan: db.a'].join('\n'),
    );
  });

  it('pushes through a Project, substituting aliases', () => {
    const { env, a, run } = setup();
    const p = env.project(a, [[b.bin('+', b.c(a, 'x'), b.int(1)), 'x1']]);
    const plan = env.filter(p, b.gt(b.c(p, 'x1'), b.int(5)));
    expect(run(plan)).toBe(
      [
        'Projection: x + Int32(1) AS x1',
        '  Filter: x + Int32(1) > Int32(5)',
        '    TableScan: db.a filters=[x + Int32(1) > Int32(5)]',
      ].join('\n'),
    );
  });

  it('pushes grouping-column conjuncts below an aggregate but not ones on aggregate results', () => {
    const { env, a, run } = setup();
    const g = env.aggregate(a, [b.c(a, 'x')], [[b.agg('sum', [b.c(a, 'z')], T.bigint), 's']]);
    const plan = env.filter(g, b.andE(b.gt(b.c(g, 's'), b.bigint(10n)), b.eq(b.c(g, 'x'), b.int(3))));
    expect(run(plan)).toBe(
      [
        'Filter: s > Int64(10)',
        '  Aggregate: groupBy=[x], aggr=[sum(z) AS s]',
        '    Filter: x = Int32(3)',
        '      TableScan: db.a filters=[x = Int32(3)]',
      ].join('\n'),
    );
  });

  it('does not push below a global aggregate', () => {
    const { env, a, run } = setup();
    const g = env.aggregate(a, [], [[b.agg('count', [], T.bigint), 'n']]);
    const plan = env.filter(g, b.bool(false));
    expect(run(plan)).toBe(
      ['Filter: Boolean(false)', '  Aggregate: groupBy=[], aggr=[count(*) AS n]', '    TableScan: db.a'].join(
        '\n',
      ),
    );
  });

  it('pushes left-side conjuncts below a semi join and one-side conditions into the right', () => {
    const { env, a, bb, run } = setup();
    const cond = b.andE(b.eq(b.c(a, 'x'), b.c(bb, 'y')), b.gt(b.c(bb, 'w'), b.int(0)));
    const j = env.join(a, bb, 'left_semi', cond);
    const plan = env.filter(j, b.gt(b.c(j, 'z'), b.int(1)));
    expect(run(plan)).toBe(
      [
        'LeftSemi Join: x = y',
        '  Filter: z > Int32(1)',
        '    TableScan: db.a filters=[z > Int32(1)]',
        '  Filter: w > Int32(0)',
        '    TableScan: db.b filters=[w > Int32(0)]',
      ].join('\n'),
    );
  });

  it('pushes into both branches of a union, mapping columns by position', () => {
    const { env, a, bb, run } = setup();
    const u: LogicalPlan = {
      kind: 'SetOp',
      op: 'union',
      all: true,
      left: a,
      right: bb,
      output: [env.newAttr('c1', T.int, true), env.newAttr('c2', T.int, true)],
    };
    const plan = env.filter(u, b.gt(b.c(u, 'c2'), b.int(7)));
    expect(run(plan)).toBe(
      [
        'Union All: output=[c1, c2]',
        '  Filter: z > Int32(7)',
        '    TableScan: db.a filters=[z > Int32(7)]',
        '  Filter: w > Int32(7)',
        '    TableScan: db.b filters=[w > Int32(7)]',
      ].join('\n'),
    );
  });

  it('pushes through Sort and keeps subquery conjuncts in place', () => {
    const { env, a, bb, run } = setup();
    const s = env.sort(a, [[b.c(a, 'x'), 'asc']]);
    const plan = env.filter(s, b.andE(b.exists(bb), b.gt(b.c(s, 'x'), b.int(1))));
    expect(run(plan).split('\n').slice(0, 2)).toEqual(['Filter: EXISTS (<subquery>)', '  Subquery:']);
    expect(run(plan)).toContain('Sort: x ASC NULLS FIRST\n    Filter: x > Int32(1)');
  });
});
