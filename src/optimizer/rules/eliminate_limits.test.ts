import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import * as b from '../test-support.ts';
import { eliminateLimits } from './eliminate_limits.ts';

const t = b.table('db.t', [['a', T.int]]);

describe('eliminate_limits', () => {
  it('combines adjacent limits with offsets', () => {
    const env = b.testEnv();
    const plan = env.limit(env.limit(env.scan(t), 100, 5), 10, 3);
    expect(b.runRules(plan, env.ctx(), [eliminateLimits])).toBe('Limit: skip=8, fetch=10\n  TableScan: db.t');
    const short = env.limit(env.limit(env.scan(t), 4), 10, 3);
    expect(b.runRules(short, env.ctx(), [eliminateLimits])).toBe('Limit: skip=3, fetch=1\n  TableScan: db.t');
  });

  it('removes a no-op limit and empties LIMIT 0', () => {
    const env = b.testEnv();
    expect(b.runRules(env.limit(env.scan(t), null), env.ctx(), [eliminateLimits])).toBe('TableScan: db.t');
    expect(b.runRules(env.limit(env.scan(t), 0), env.ctx(), [eliminateLimits])).toBe(
      'Values: output=[a], rows=[]',
    );
  });
});
