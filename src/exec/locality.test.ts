import { describe, expect, it } from 'vitest';
import type { Schema } from '../common/index.ts';
import type { Executor, ExecutorPool, RunningTask, TaskEvents } from './executor.ts';
import { PREFERRED_SHARE, preferredExecutor } from './locality.ts';
import { TaskScheduler, type PendingTask } from './task-scheduler.ts';
import type { ExecutorId, TaskDescription } from './task.ts';

describe('preferredExecutor', () => {
  // Three map tasks on a and b: bucket 0 mostly on b, bucket 1 mostly on a.
  const stage = {
    locations: ['a', 'b', 'b'],
    bucketBytes: [
      [100, 900],
      [300, 50],
      [400, 50],
    ],
  };

  it("prefers the executor holding the most of the task's bucket", () => {
    expect(preferredExecutor([stage], 0)).toBe('b');
    expect(preferredExecutor([stage], 1)).toBe('a');
  });

  it('adds up every earlier stage read, and skips lost outputs and unknown sizes', () => {
    const other = { locations: ['c', null, 'c'], bucketBytes: [[2000], [5000], null] };
    expect(preferredExecutor([stage, other], 0)).toBe('c');
    // the lost output's 5000 bytes do not count for anyone
    const lost = { locations: [null], bucketBytes: [[5000]] };
    expect(preferredExecutor([stage, lost], 0)).toBe('b');
    expect(preferredExecutor([{ locations: ['a'], bucketBytes: [null] }], 0)).toBeNull();
  });

  it(`has no preference when no executor holds ${PREFERRED_SHARE * 100} % of the bytes`, () => {
    const spread = {
      locations: ['a', 'b', 'c', 'd', 'e', 'f'],
      bucketBytes: [[10], [10], [10], [10], [10], [11]],
    };
    expect(preferredExecutor([spread], 0)).toBeNull();
    expect(preferredExecutor([spread], 3)).toBeNull();
  });
});

/** Records the tasks it is given; `finish` ends the oldest running one. */
class IdleExecutor implements Executor {
  readonly slots = 1;
  readonly launched: string[] = [];
  private readonly running: TaskEvents[] = [];
  readonly id: ExecutorId;
  constructor(id: ExecutorId) {
    this.id = id;
  }
  launch(task: TaskDescription, _schema: Schema, events: TaskEvents): RunningTask {
    this.launched.push(`p${task.partition}`);
    this.running.push(events);
    return { cancel: () => undefined };
  }
  async finish(): Promise<void> {
    this.running.shift()!.finished({ rows: 0, batches: 0, elapsedMs: 0, cpuMs: 0, peakMemory: 0 });
    // the scheduler fills the slot in a microtask
    await Promise.resolve();
  }
  releaseQuery(): void {}
  releaseStage(): void {}
}

function pool(executors: IdleExecutor[]): ExecutorPool {
  return {
    executors: () => executors,
    onExecutorLost: () => undefined,
    onExecutorAdded: () => undefined,
    close: () => Promise.resolve(),
  };
}

function task(partition: number, preferred: ExecutorId | null): PendingTask {
  return {
    queryId: 'q1',
    schema: { fields: [] },
    preferred,
    describe: () => ({ partition }) as TaskDescription,
    events: {
      batch: () => undefined,
      parked: () => undefined,
      finished: () => undefined,
      failed: () => undefined,
    },
  };
}

describe('TaskScheduler locality', () => {
  it('gives a free slot the task that prefers its executor first', async () => {
    const a = new IdleExecutor('a');
    const b = new IdleExecutor('b');
    const scheduler = new TaskScheduler(pool([a, b]));
    // both slots busy while p2 and p3 wait
    scheduler.submit(task(0, null));
    scheduler.submit(task(1, null));
    scheduler.submit(task(2, 'b'));
    scheduler.submit(task(3, 'a'));
    // a frees first; without locality it would take p2, whose input b holds
    await a.finish();
    expect(a.launched).toEqual(['p0', 'p3']);
    await b.finish();
    expect(b.launched).toEqual(['p1', 'p2']);
  });

  it('never leaves a slot idle for a preference', () => {
    const a = new IdleExecutor('a');
    const b = new IdleExecutor('b');
    const scheduler = new TaskScheduler(pool([a, b]));
    scheduler.submit(task(0, 'b'));
    scheduler.submit(task(1, 'b'));
    expect([...a.launched, ...b.launched].sort()).toEqual(['p0', 'p1']);
  });
});
