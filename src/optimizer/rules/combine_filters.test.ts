import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import * as b from '../test-support.ts';
import { combineFilters } from './combine_filters.ts';

const t = b.table('db.t', [
  ['a', T.int],
  ['b', T.int],
]);

describe('combine_filters', () => {
  it('merges adjacent filters, inner first, without duplicate conjuncts', () => {
    const env = b.testEnv();
    const s = env.scan(t);
    const p1 = b.gt(b.c(s, 'a'), b.int(1));
    const plan = env.filter(env.filter(s, p1), b.andE(b.lt(b.c(s, 'b'), b.int(5)), p1));
    expect(b.runRules(plan, env.ctx(), [combineFilters])).toBe(
      'Filter: a > Int32(1) AND b < Int32(5)\n  TableScan: db.t',
    );
  });

  it('does not merge a non-deterministic filter', () => {
    const env = b.testEnv();
    const s = env.scan(t);
    const plan = env.filter(
      env.filter(s, b.gt(b.c(s, 'a'), b.int(1))),
      b.gt(b.call('rand', [], T.double), b.lit(0.5, T.double)),
    );
    expect(b.runRules(plan, env.ctx(), [combineFilters])).toBe(
      ['Filter: rand() > Float64(0.5)', '  Filter: a > Int32(1)', '    TableScan: db.t'].join('\n'),
    );
  });
});
