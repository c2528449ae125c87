/**
 * Memory budgets: reservations grow the query's and the process's counters together or not at
 * all; a reservation that can spill (`tryGrow`) is also refused past its task's fair share — the
 * query's budget, less what is held for later (map outputs), over the tasks running — while
 * `grow` may still use the whole budget.
 */
import { describe, expect, it } from 'vitest';
import { MemoryBudget, TaskMemoryPool, UNLIMITED, createBudget } from './memory-budget.ts';

function budgets(limit: number): { query: MemoryBudget; process: MemoryBudget } {
  return {
    query: new MemoryBudget(createBudget(limit, 'kindling.memory.query_limit')),
    process: new MemoryBudget(createBudget(UNLIMITED, 'kindling.memory.limit')),
  };
}

describe('TaskMemoryPool', () => {
  it('gives a spilling reservation no more than its task’s fair share, a growing one the whole budget', () => {
    const { query, process } = budgets(1000);
    const a = new TaskMemoryPool(query, process);
    const b = new TaskMemoryPool(query, process);
    const ra = a.reserve('SortExec');
    // Two tasks: 500 each for what can spill.
    expect(ra.tryGrow(400)).toBe(true);
    expect(ra.tryGrow(200)).toBe(false);
    expect(ra.size).toBe(400);
    // What cannot spill takes what the budget has.
    ra.grow(300);
    expect(query.used).toBe(700);
    const rb = b.reserve('HashJoinExec');
    expect(rb.tryGrow(300)).toBe(true);
    expect(rb.tryGrow(1)).toBe(false);
    expect(() => rb.grow(1)).toThrow(/UNABLE_TO_ACQUIRE_MEMORY/);
    // Task b ends: a alone may take the rest for what can spill.
    b.releaseAll();
    expect(query.used).toBe(700);
    expect(ra.tryGrow(300)).toBe(true);
    a.releaseAll();
    expect(query.used).toBe(0);
  });

  it('counts map outputs held for later out of the share of the running tasks', () => {
    const { query, process } = budgets(1000);
    const map = new TaskMemoryPool(query, process);
    // A map task's outputs: charged to the query, then handed over to the shuffle store.
    expect(map.tryAcquire(400)).toBe(true);
    map.disown(400);
    map.releaseAll();
    expect(query.used).toBe(400);
    const a = new TaskMemoryPool(query, process);
    const b = new TaskMemoryPool(query, process);
    // (1000 - 400) / 2 = 300 each.
    expect(a.reserve('SortExec').tryGrow(300)).toBe(true);
    expect(a.reserve('WindowExec').tryGrow(1)).toBe(false);
    expect(b.reserve('SortExec').tryGrow(300)).toBe(true);
    a.releaseAll();
    b.releaseAll();
    query.release(400);
    expect(query.used).toBe(0);
  });
});
