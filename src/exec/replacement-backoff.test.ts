import { describe, expect, it } from 'vitest';
import { ReplacementBackoff } from './replacement-backoff.ts';

describe('replacement backoff', () => {
  it('replaces at once thrice a minute, then ever more slowly up to 30 s, and forgets after a minute', () => {
    const b = new ReplacementBackoff();
    const delays = Array.from({ length: 12 }, (_, i) => b.delayAfterDeath(1000 + i));
    expect(delays).toEqual([0, 0, 0, 500, 1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
    // A minute without deaths: the next is replaced at once again.
    expect(b.delayAfterDeath(1000 + 11 + 60_000)).toBe(0);
  });
});
