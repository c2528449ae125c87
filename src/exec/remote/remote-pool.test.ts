import { afterEach, describe, expect, it } from 'vitest';
import type { TaskEvents } from '../executor.ts';
import { createBudget } from '../memory/memory-budget.ts';
import type { TaskFailure } from '../task-failure.ts';
import type { TaskDescription, TaskMetrics } from '../task.ts';
import type { ExecutorPlane } from './control-plane.ts';
import { createMemoryControlPlane, type MemoryControlPlane } from './memory-control-plane.ts';
import {
  decodeControl,
  decodeRemoteTask,
  encodeMessage,
  type ControlMessage,
  type RemoteTask,
} from './remote-messages.ts';
import { RemoteExecutorPool } from './remote-pool.ts';

const METRICS: TaskMetrics = { rows: 3, batches: 1, elapsedMs: 1, cpuMs: 1, peakMemory: 0 };

function mapTask(partition: number, inputs: TaskDescription['inputs'] = []): TaskDescription {
  return {
    queryId: 'q1',
    stageId: 2,
    partition,
    attempt: 0,
    fragment: new Uint8Array([1, 2, 3]),
    output: { kind: 'exchange', exchange: { kind: 'hash' } as never, keys: [], buckets: 2 },
    inputs,
    settings: {
      eval: {
        ansi: true,
        timeZone: 'UTC',
        queryStartMicros: 0n,
        currentDatabase: 'default',
        currentUser: 'u',
      },
      batchSize: 1024,
      spillDir: '/nowhere',
    },
    queryBudget: createBudget(64 << 20, 'kindling.memory.query_limit'),
    processBudget: createBudget(1 << 30, 'kindling.memory.limit'),
    instrument: false,
  };
}

/** An executor process played by the test: what it was sent, and a way to answer. */
interface FakeExecutor {
  readonly plane: ExecutorPlane;
  readonly tasks: RemoteTask[];
  readonly controls: ControlMessage[];
}

async function fakeExecutor(control: MemoryControlPlane, id: string): Promise<FakeExecutor> {
  const plane = control.executor();
  const fake: FakeExecutor = { plane, tasks: [], controls: [] };
  plane.onControl(id, (payload) => fake.controls.push(decodeControl(payload)));
  await plane.consumeTasks(id, 4, (payload, ack) => {
    ack();
    fake.tasks.push(decodeRemoteTask(payload));
  });
  await plane.register({ id, flight: '127.0.0.1:1', cores: 2, memory: 1 << 30, pid: 1, hostname: 'h' });
  return fake;
}

function recorder(): { events: TaskEvents; ends: ({ finished: TaskMetrics } | { failed: TaskFailure })[] } {
  const ends: ({ finished: TaskMetrics } | { failed: TaskFailure })[] = [];
  return {
    ends,
    events: {
      batch: () => undefined,
      parked: () => undefined,
      finished: (metrics) => ends.push({ finished: metrics }),
      failed: (failure) => ends.push({ failed: failure }),
    },
  };
}

async function until(condition: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 400; i++) {
    if (condition()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const pools: RemoteExecutorPool[] = [];
afterEach(async () => {
  for (const p of pools.splice(0)) await p.close();
});

async function setUp(ids: readonly string[], heartbeatTimeoutMs = 5000) {
  const control = createMemoryControlPlane({ heartbeatMs: 20, heartbeatTimeoutMs });
  const pool = new RemoteExecutorPool();
  pools.push(pool);
  pool.attach(control.driver);
  const executors = new Map<string, FakeExecutor>();
  for (const id of ids) executors.set(id, await fakeExecutor(control, id));
  await pool.waitForExecutors(ids.length, 5000);
  return { control, pool, executors };
}

describe('remote executor pool', () => {
  it('sends a task to the executor it was launched on, and reports its end exactly once', async () => {
    const { pool, executors } = await setUp(['e1', 'e2']);
    const e2 = pool.executors().find((e) => e.id === 'e2')!;
    expect(e2.slots).toBe(2);
    const { events, ends } = recorder();
    e2.launch(mapTask(1, [{ stageId: 1, locations: ['e1', 'gone'] }]), { fields: [] }, events);
    const fake = executors.get('e2')!;
    await until(() => fake.tasks.length === 1, 'the task');
    expect(executors.get('e1')!.tasks).toHaveLength(0);
    const sent = fake.tasks[0]!;
    expect(sent.task.partition).toBe(1);
    // Budgets cross as limits; only live executors' Flight addresses are given.
    expect(sent.queryBudget).toEqual({ limit: 64 << 20, setting: 'kindling.memory.query_limit' });
    expect(sent.addresses).toEqual({ e1: '127.0.0.1:1' });
    const finished = encodeMessage({
      type: 'finished',
      executorId: 'e2',
      taskKey: sent.taskKey,
      metrics: METRICS,
    });
    await fake.plane.sendStatus(finished);
    await fake.plane.sendStatus(finished);
    await until(() => ends.length > 0, 'the end');
    await new Promise((r) => setTimeout(r, 30));
    expect(ends).toEqual([{ finished: METRICS }]);
  });

  it("keeps a failure's kind: a fetch failure names the map output it could not read", async () => {
    const { pool, executors } = await setUp(['e1']);
    const { events, ends } = recorder();
    pool.executors()[0]!.launch(mapTask(0), { fields: [] }, events);
    const fake = executors.get('e1')!;
    await until(() => fake.tasks.length === 1, 'the task');
    const failure: TaskFailure = {
      kind: 'fetch',
      stageId: 1,
      mapPartition: 2,
      executorId: 'e9',
      error: { sqlstate: '58030', message: 'could not read' },
    };
    await fake.plane.sendStatus(
      encodeMessage({ type: 'failed', executorId: 'e1', taskKey: fake.tasks[0]!.taskKey, failure }),
    );
    await until(() => ends.length > 0, 'the end');
    expect(ends).toEqual([{ failed: failure }]);
  });

  it('fails the tasks of an executor that stops heartbeating as lost, and ignores its late status', async () => {
    const { control, pool, executors } = await setUp(['e1', 'e2'], 200);
    const lost: string[] = [];
    pool.onExecutorLost((id) => lost.push(id));
    const { events, ends } = recorder();
    const e1 = pool.executors().find((e) => e.id === 'e1')!;
    e1.launch(mapTask(0), { fields: [] }, events);
    const fake = executors.get('e1')!;
    await until(() => fake.tasks.length === 1, 'the task');
    control.killExecutor('e1');
    await until(() => ends.length > 0, 'the end');
    expect(ends).toHaveLength(1);
    expect((ends[0] as { failed: TaskFailure }).failed.kind).toBe('lost');
    expect(lost).toEqual(['e1']);
    expect(pool.executors().map((e) => e.id)).toEqual(['e2']);
    // Its status, should it still come, is dropped.
    await fake.plane
      .sendStatus(
        encodeMessage({
          type: 'finished',
          executorId: 'e1',
          taskKey: fake.tasks[0]!.taskKey,
          metrics: METRICS,
        }),
      )
      .catch(() => undefined);
    await new Promise((r) => setTimeout(r, 30));
    expect(ends).toHaveLength(1);
    // A task launched on it now fails at once, as lost.
    const late = recorder();
    e1.launch(mapTask(1), { fields: [] }, late.events);
    await until(() => late.ends.length > 0, 'the late end');
    expect((late.ends[0] as { failed: TaskFailure }).failed.kind).toBe('lost');
  });

  it('sends cancel, release and release-stage to the executor as control messages', async () => {
    const { pool, executors } = await setUp(['e1']);
    const { events } = recorder();
    const e1 = pool.executors()[0]!;
    const running = e1.launch(mapTask(0), { fields: [] }, events);
    const fake = executors.get('e1')!;
    await until(() => fake.tasks.length === 1, 'the task');
    running.cancel();
    e1.releaseQuery('q1');
    await until(() => fake.controls.length === 2, 'the control messages');
    expect(fake.controls).toEqual([
      { type: 'cancel', taskKey: fake.tasks[0]!.taskKey },
      { type: 'release', queryId: 'q1' },
    ]);
  });
});
