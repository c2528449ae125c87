import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import * as b from '../test-support.ts';
import { pushDownLimit } from './push_down_limit.ts';

const t = b.table('db.t', [['a', T.int]]);

describe('push_down_limit', () => {
  it('sets Scan.limit through projects and keeps the Limit', () => {
    const env = b.testEnv();
    const s = env.scan(t);
    const plan = env.limit(env.project(s, [b.c(s, 'a')]), 10, 5);
    expect(b.runRules(plan, env.ctx(), [pushDownLimit])).toBe(
      ['Limit: skip=5, fetch=10', '  Projection: a', '    TableScan: db.t fetch=15'].join('\n'),
    );
  });

  it('stops at a Sort (left for a physical top-K) or a Filter', () => {
    const env = b.testEnv();
    const s = env.scan(t);
    const sorted = env.limit(env.sort(s, [[b.c(s, 'a'), 'desc']]), 10);
    expect(b.runRules(sorted, env.ctx(), [pushDownLimit])).toBe(
      ['Limit: skip=0, fetch=10', '  Sort: a DESC NULLS LAST', '    TableScan: db.t'].join('\n'),
    );
    const filtered = env.limit(env.filter(s, b.gt(b.c(s, 'a'), b.int(1))), 10);
    expect(b.runRules(filtered, env.ctx(), [pushDownLimit])).toBe(
      ['Limit: skip=0, fetch=10', '  Filter: a > Int32(1)', '    TableScan: db.t'].join('\n'),
    );
  });
});
