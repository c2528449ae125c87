import { afterEach, describe, expect, it } from 'vitest';
import type { TaskEvents } from '../executor.ts';
import type { TaskFailure } from '../task-failure.ts';
import type { ExchangeKind } from '../../physical/index.ts';
import type { TaskDescription, TaskMetrics } from '../task.ts';
import { broadcastObjectName } from './cached-objects.ts';
import type { ExecutorPlane, MapOutputLocation } from './control-plane.ts';
import { createMemoryControlPlane, type MemoryControlPlane } from './memory-control-plane.ts';
import {
  decodeControl,
  decodeRemoteTask,
  encodeMessage,
  type ControlMessage,
  type RemoteTask,
} from './remote-messages.ts';
import { RemoteExecutorPool } from './remote-pool.ts';
import { testTask } from './test-tasks.ts';

const METRICS: TaskMetrics = { rows: 3, batches: 1, elapsedMs: 1, cpuMs: 1, peakMemory: 0 };

function mapTask(
  partition: number,
  inputs: TaskDescription['inputs'] = [],
  stage: { stageId?: number; exchange?: ExchangeKind; attempt?: number } = {},
): TaskDescription {
  return testTask({
    stageId: stage.stageId ?? 2,
    partition,
    attempt: stage.attempt ?? 0,
    fragment: new Uint8Array([1, 2, 3]),
    output: { kind: 'exchange', exchange: stage.exchange ?? 'hash', keys: [], buckets: 2 },
    inputs,
  });
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

/** The executor answers its `n`th task: finished. */
async function finish(fake: FakeExecutor, n: number): Promise<void> {
  await fake.plane.sendStatus(
    encodeMessage({ type: 'finished', executorId: 'e', taskKey: fake.tasks[n]!.taskKey, metrics: METRICS }),
  );
}

/** Records of one pool's query on the control plane, in map-partition order. */
async function recorded(control: MemoryControlPlane, pool: RemoteExecutorPool): Promise<MapOutputLocation[]> {
  const all = await control.driver.mapOutputs(pool.driverId, 'q1');
  return all.sort((a, b) => a.stageId - b.stageId || a.map - b.map);
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
    const e1 = pool.executors().find((e) => e.id === 'e1')!;
    const e2 = pool.executors().find((e) => e.id === 'e2')!;
    expect(e2.slots).toBe(2);
    // Map output 0 of stage 1 is made on e1 first: its readers are told where it is.
    const made = recorder();
    e1.launch(mapTask(0, [], { stageId: 1 }), { fields: [] }, made.events);
    await until(() => executors.get('e1')!.tasks.length === 1, 'the map task');
    await finish(executors.get('e1')!, 0);
    await until(() => made.ends.length > 0, 'the map task to end');
    const { events, ends } = recorder();
    e2.launch(mapTask(1, [{ stageId: 1, locations: ['e1', 'gone'] }]), { fields: [] }, events);
    const fake = executors.get('e2')!;
    await until(() => fake.tasks.length === 1, 'the task');
    expect(executors.get('e1')!.tasks).toHaveLength(1);
    const sent = fake.tasks[0]!;
    expect(sent.task.partition).toBe(1);
    // Budgets cross as limits; only the Flight addresses of outputs recorded are given.
    expect(sent.queryBudget).toEqual({ limit: 64 << 20, setting: 'kindling.memory.query_limit' });
    expect(sent.addresses).toEqual({ e1: '127.0.0.1:1' });
    expect(sent.broadcastObject).toBeNull();
    expect(sent.broadcasts).toEqual([]);
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

  it('records where a map output is on the control plane before the scheduler hears it finished', async () => {
    const { control, pool, executors } = await setUp(['e1', 'e2']);
    // The record takes a while to be stored: the task is finished only once it is.
    const put = control.driver.putMapOutput.bind(control.driver);
    control.driver.putMapOutput = async (location) => {
      await new Promise((r) => setTimeout(r, 50));
      await put(location);
    };
    const e2 = pool.executors().find((e) => e.id === 'e2')!;
    const seen: MapOutputLocation[][] = [];
    const { ends } = recorder();
    e2.launch(
      mapTask(3, [], { stageId: 1, attempt: 5 }),
      { fields: [] },
      {
        ...recorder().events,
        finished: (metrics) => {
          ends.push({ finished: metrics });
          void recorded(control, pool).then((r) => seen.push(r));
        },
      },
    );
    const fake = executors.get('e2')!;
    await until(() => fake.tasks.length === 1, 'the task');
    expect(await recorded(control, pool)).toEqual([]);
    await finish(fake, 0);
    await until(() => seen.length > 0, 'the end');
    const location: MapOutputLocation = {
      driver: pool.driverId,
      queryId: 'q1',
      stageId: 1,
      map: 3,
      attempt: 5,
      executorId: 'e2',
      flight: '127.0.0.1:1',
      object: null,
    };
    expect(seen[0]).toEqual([location]);
    expect(ends).toEqual([{ finished: METRICS }]);
  });

  it("a broadcast's map task is given its object, and its readers on other executors read that object", async () => {
    const { control, pool, executors } = await setUp(['e1', 'e2']);
    const e1 = pool.executors().find((e) => e.id === 'e1')!;
    const e2 = pool.executors().find((e) => e.id === 'e2')!;
    const made = recorder();
    e1.launch(mapTask(0, [], { stageId: 1, exchange: 'broadcast', attempt: 2 }), { fields: [] }, made.events);
    const fake1 = executors.get('e1')!;
    await until(() => fake1.tasks.length === 1, 'the broadcast map task');
    const object = broadcastObjectName(pool.driverId, 'q1', 1, 0, 2);
    expect(fake1.tasks[0]!.broadcastObject).toBe(object);
    await finish(fake1, 0);
    await until(() => made.ends.length > 0, 'the map task to end');
    expect((await recorded(control, pool)).map((l) => l.object)).toEqual([object]);
    const input = [{ stageId: 1, locations: ['e1'] }];
    e2.launch(mapTask(0, input), { fields: [] }, recorder().events);
    e1.launch(mapTask(1, input), { fields: [] }, recorder().events);
    const fake2 = executors.get('e2')!;
    await until(() => fake2.tasks.length === 1 && fake1.tasks.length === 2, 'the readers');
    expect(fake2.tasks[0]!.broadcasts).toEqual([{ stageId: 1, map: 0, executorId: 'e1', object }]);
    expect(fake2.tasks[0]!.broadcastObject).toBeNull();
    // The executor holding it reads its own store.
    expect(fake1.tasks[1]!.broadcasts).toEqual([]);
  });

  it('removes the records and broadcast objects of a released stage, then the rest with the query', async () => {
    const { control, pool, executors } = await setUp(['e1']);
    const e1 = pool.executors()[0]!;
    const fake = executors.get('e1')!;
    e1.launch(mapTask(0, [], { stageId: 1, exchange: 'broadcast' }), { fields: [] }, recorder().events);
    e1.launch(mapTask(0, [], { stageId: 2 }), { fields: [] }, recorder().events);
    await until(() => fake.tasks.length === 2, 'the tasks');
    const object = fake.tasks[0]!.broadcastObject!;
    // What the executors put: the output, and one of an attempt that never reported.
    const orphan = broadcastObjectName(pool.driverId, 'q1', 1, 1, 7);
    await fake.plane.putObject(object, new Uint8Array([1]));
    await fake.plane.putObject(orphan, new Uint8Array([2]));
    await control.driver.putObject('cache-t-0', new Uint8Array([3]));
    await finish(fake, 0);
    await finish(fake, 1);
    await until(() => fake.tasks.length === 2, 'the tasks');
    for (let i = 0; i < 100 && (await recorded(control, pool)).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await recorded(control, pool)).map((l) => l.stageId)).toEqual([1, 2]);
    e1.releaseStage('q1', 1);
    for (let i = 0; i < 100 && (await fake.plane.getObject(object)) !== null; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await fake.plane.getObject(object)).toBeNull();
    expect((await recorded(control, pool)).map((l) => l.stageId)).toEqual([2]);
    expect(await control.driver.listObjects('')).toEqual([orphan, 'cache-t-0']);
    e1.releaseQuery('q1');
    for (let i = 0; i < 100 && (await control.driver.listObjects('broadcast/')).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await control.driver.listObjects('')).toEqual(['cache-t-0']);
    expect(await recorded(control, pool)).toEqual([]);
  });

  it('forgets the outputs of a lost executor, as the records say: readers get no address for them', async () => {
    const { control, pool, executors } = await setUp(['e1', 'e2'], 200);
    const e1 = pool.executors().find((e) => e.id === 'e1')!;
    const e2 = pool.executors().find((e) => e.id === 'e2')!;
    const fake1 = executors.get('e1')!;
    const fake2 = executors.get('e2')!;
    e1.launch(mapTask(0, [], { stageId: 1, exchange: 'broadcast' }), { fields: [] }, recorder().events);
    e2.launch(mapTask(1, [], { stageId: 1, exchange: 'broadcast' }), { fields: [] }, recorder().events);
    await until(() => fake1.tasks.length === 1 && fake2.tasks.length === 1, 'the tasks');
    await fake1.plane.putObject(fake1.tasks[0]!.broadcastObject!, new Uint8Array([1]));
    await fake2.plane.putObject(fake2.tasks[0]!.broadcastObject!, new Uint8Array([2]));
    await finish(fake1, 0);
    await finish(fake2, 0);
    for (let i = 0; i < 100 && (await recorded(control, pool)).length < 2; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await recorded(control, pool)).map((l) => l.executorId)).toEqual(['e1', 'e2']);
    control.killExecutor('e1');
    await until(() => pool.executors().length === 1, 'e1 to be lost');
    for (let i = 0; i < 100 && (await recorded(control, pool)).length > 1; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await recorded(control, pool)).map((l) => l.executorId)).toEqual(['e2']);
    expect(await control.driver.listObjects('broadcast/')).toEqual([fake2.tasks[0]!.broadcastObject]);
    e2.launch(mapTask(0, [{ stageId: 1, locations: ['e1', 'e2'] }]), { fields: [] }, recorder().events);
    await until(() => fake2.tasks.length === 2, 'the reader');
    expect(fake2.tasks[1]!.addresses).toEqual({ e2: '127.0.0.1:1' });
    expect(fake2.tasks[1]!.broadcasts).toEqual([]);
  });
});
