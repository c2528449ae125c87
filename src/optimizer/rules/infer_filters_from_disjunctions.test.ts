import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import { explainLogical, type LogicalPlan } from '../../plan/index.ts';
import { optimize } from '../optimizer.ts';
import * as b from '../test-support.ts';
import { inferFiltersFromDisjunctions } from './infer_filters_from_disjunctions.ts';

const tn = b.table('db.n1', [
  ['k1', T.int, true],
  ['name1', T.string, true],
]);
const tm = b.table('db.n2', [
  ['k2', T.int, true],
  ['name2', T.string, true],
]);

/** The rule once, as its batch runs it (to a fixpoint it would infer the same filters again). */
function once(plan: LogicalPlan, env: ReturnType<typeof b.testEnv>): string {
  const batch = { name: 'test', strategy: 'once' as const, rules: [inferFiltersFromDisjunctions] };
  return explainLogical(optimize(plan, env.ctx(), [batch]).plan);
}

describe('infer_filters_from_disjunctions', () => {
  it('filters each input of an inner join with what an OR of ANDs implies for it', () => {
    const env = b.testEnv();
    const n1 = env.scan(tn);
    const n2 = env.scan(tm);
    const cond = b.orE(
      b.andE(b.eq(b.c(n1, 'name1'), b.str('FRANCE')), b.eq(b.c(n2, 'name2'), b.str('GERMANY'))),
      b.andE(b.eq(b.c(n1, 'name1'), b.str('GERMANY')), b.eq(b.c(n2, 'name2'), b.str('FRANCE'))),
    );
    const plan = env.join(n1, n2, 'inner', b.andE(b.eq(b.c(n1, 'k1'), b.c(n2, 'k2')), cond));
    const out = once(plan, env).split('\n');
    expect(out[1]).toBe('  Filter: name1 = Utf8("FRANCE") OR name1 = Utf8("GERMANY")');
    expect(out[3]).toBe('  Filter: name2 = Utf8("GERMANY") OR name2 = Utf8("FRANCE")');
    // The condition stays as it was.
    expect(out[0]).toContain('OR');
  });

  it('implies nothing when a disjunct says nothing about an input, and leaves outer joins', () => {
    const env = b.testEnv();
    const n1 = env.scan(tn);
    const n2 = env.scan(tm);
    const cond = b.orE(
      b.eq(b.c(n1, 'name1'), b.str('FRANCE')),
      b.andE(b.eq(b.c(n1, 'name1'), b.str('GERMANY')), b.eq(b.c(n2, 'name2'), b.str('FRANCE'))),
    );
    const inner = once(env.join(n1, n2, 'inner', cond), env);
    expect(inner.split('\n')).toHaveLength(4);
    expect(inner).toContain('  Filter: name1 = Utf8("FRANCE") OR name1 = Utf8("GERMANY")');
    const left = once(env.join(n1, n2, 'left', cond), env);
    expect(left).not.toContain('Filter');
  });
});
