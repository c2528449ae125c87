import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import { explainLogical } from '../../plan/index.ts';
import * as b from '../test-support.ts';
import { pruneColumns } from './prune_columns.ts';

const ta = b.table('db.a', [
  ['x', T.int],
  ['z', T.int],
  ['s', T.string],
]);
const tb = b.table('db.b', [
  ['y', T.int],
  ['w', T.int],
  ['v', T.string],
]);

describe('prune_columns', () => {
  it('narrows scans and puts a narrowing Project under a join', () => {
    const env = b.testEnv();
    const a = env.scan(ta);
    const bb = env.scan(tb);
    const fb = env.filter(bb, b.gt(b.c(bb, 'w'), b.int(1)));
    const j = env.join(a, fb, 'inner', b.eq(b.c(a, 'x'), b.c(bb, 'y')));
    const plan = env.project(j, [b.c(j, 'z')]);
    expect(b.runRules(plan, env.ctx(), [pruneColumns])).toBe(
      [
        'Projection: z',
        '  Inner Join: x = y',
        '    TableScan: db.a projection=[x, z]',
        '    Projection: y',
        '      Filter: w > Int32(1)',
        '        TableScan: db.b projection=[y, w]',
      ].join('\n'),
    );
  });

  it('drops unused aggregates and project items but keeps the root output', () => {
    const env = b.testEnv();
    const a = env.scan(ta);
    const g = env.aggregate(
      a,
      [b.c(a, 'x')],
      [
        [b.agg('sum', [b.c(a, 'z')], T.bigint), 'total'],
        [b.agg('max', [b.c(a, 's')], T.string), 'm'],
      ],
    );
    const p = env.project(g, [b.c(g, 'x'), b.c(g, 'total'), b.c(g, 'm')]);
    const plan = env.project(p, [b.c(p, 'total')]);
    expect(b.runRules(plan, env.ctx(), [pruneColumns])).toBe(
      [
        'Projection: total',
        '  Projection: total',
        '    Aggregate: groupBy=[x], aggr=[sum(z) AS total]',
        '      TableScan: db.a projection=[x, z]',
      ].join('\n'),
    );
  });

  it('keeps one narrow column for count(*) and one aggregate for a global aggregate', () => {
    const env = b.testEnv();
    const a = env.scan(ta);
    const g = env.aggregate(a, [], [[b.agg('count', [], T.bigint), 'n']]);
    expect(b.runRules(g, env.ctx(), [pruneColumns])).toBe(
      ['Aggregate: groupBy=[], aggr=[count(*) AS n]', '  TableScan: db.a projection=[x]'].join('\n'),
    );
  });

  it('changes nothing when everything is used', () => {
    const env = b.testEnv();
    const a = env.scan(ta);
    const plan = env.sort(a, [[b.c(a, 'x'), 'asc']]);
    expect(b.runRules(plan, env.ctx(), [pruneColumns])).toBe(explainLogical(plan));
  });
});
