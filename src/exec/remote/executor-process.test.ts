/**
 * Executor processes (run in this process, with real Flight servers) on the in-memory control
 * plane, driven by the remote pool with hand-made tasks: a broadcast's map task puts its output in
 * the object store once, and a reader on another executor reads it from there — got once per
 * query, kept by its executor until the query is released — while where each output is stays
 * recorded on the plane until then.
 */
import type * as arrow from 'apache-arrow';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { batchRows, type Schema } from '../../common/index.ts';
import { ExchangeReaderExec, RangeExec } from '../../physical/index.ts';
import type { Executor, TaskEvents } from '../executor.ts';
import { encodePlan } from '../plan-codec.ts';
import type { TaskFailure } from '../task-failure.ts';
import type { TaskDescription, TaskMetrics, TaskOutput } from '../task.ts';
import { createMemoryControlPlane, type MemoryControlPlane } from './memory-control-plane.ts';
import { startExecutorProcess, type ExecutorProcess } from './executor-process.ts';
import { RemoteExecutorPool } from './remote-pool.ts';
import { testTask } from './test-tasks.ts';

const SCHEMA: Schema = { fields: [{ name: 'id', type: { kind: 'bigint' }, nullable: false }] };

function task(
  stageId: number,
  partition: number,
  fragment: Uint8Array,
  output: TaskOutput,
  inputs: TaskDescription['inputs'] = [],
  attempt = 0,
): TaskDescription {
  return testTask({ stageId, partition, fragment, output, inputs, attempt });
}

/** A result task's plan reading stage 1's broadcast. */
function broadcastReader(): Uint8Array {
  return encodePlan(
    new ExchangeReaderExec({
      stageId: 1,
      kind: 'broadcast',
      keys: [],
      count: 1,
      sortKeys: [],
      schema: SCHEMA,
    }),
  );
}

/** Runs a task to its end: its result rows and metrics, or its failure. */
function run(
  executor: Executor,
  t: TaskDescription,
): Promise<{ rows: unknown[][]; metrics: TaskMetrics } | { failed: TaskFailure }> {
  return new Promise((resolve) => {
    const rows: unknown[][] = [];
    const events: TaskEvents = {
      batch: (batch: arrow.RecordBatch, ack) => {
        rows.push(...batchRows(batch, [{ kind: 'bigint' }]));
        ack();
      },
      parked: () => undefined,
      finished: (metrics) => resolve({ rows, metrics }),
      failed: (failure) => resolve({ failed: failure }),
    };
    executor.launch(t, SCHEMA, events);
  });
}

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

async function cluster(ids: readonly string[]): Promise<{
  control: MemoryControlPlane;
  pool: RemoteExecutorPool;
  executors: Map<string, Executor>;
}> {
  const dir = mkdtempSync(join(tmpdir(), 'kindling-executor-process-'));
  cleanups.push(() => Promise.resolve(rmSync(dir, { recursive: true, force: true })));
  const control = createMemoryControlPlane({ heartbeatMs: 50, heartbeatTimeoutMs: 2000 });
  const pool = new RemoteExecutorPool();
  pool.attach(control.driver);
  const processes: ExecutorProcess[] = [];
  cleanups.push(async () => {
    await pool.close();
    for (const p of processes) await p.close();
  });
  for (const id of ids) {
    processes.push(
      await startExecutorProcess({
        plane: control.executor(),
        id,
        cores: 2,
        memory: 1 << 30,
        host: '127.0.0.1',
        localDir: join(dir, id),
      }),
    );
  }
  await pool.waitForExecutors(ids.length, 5000);
  return { control, pool, executors: new Map(pool.executors().map((e) => [e.id, e])) };
}

describe('executor processes on the in-memory control plane', () => {
  it('put a broadcast in the object store once and read it from there, once per query', async () => {
    const { control, pool, executors } = await cluster(['e1', 'e2']);
    const e1 = executors.get('e1')!;
    const e2 = executors.get('e2')!;
    // Stage 1: two broadcast map tasks on e1, each writing its range of ids.
    const range = encodePlan(
      new RangeExec({ schema: SCHEMA, start: 0n, end: 300n, step: 1n, partitions: 2 }),
    );
    const broadcast: TaskOutput = { kind: 'exchange', exchange: 'broadcast', keys: [], buckets: 1 };
    for (const p of [0, 1]) {
      expect(await run(e1, task(1, p, range, broadcast, [], p))).toHaveProperty('metrics');
    }
    const objects = (await control.driver.listObjects('broadcast/')).sort();
    expect(objects).toHaveLength(2);
    const recorded = await control.driver.mapOutputs(pool.driverId, 'q1');
    expect(recorded.map((l) => [l.stageId, l.map, l.executorId, l.object]).sort()).toEqual([
      [1, 0, 'e1', objects[0]],
      [1, 1, 'e1', objects[1]],
    ]);

    // Stage 2 reads the broadcast: on e2 from the object store, on e1 from its own store.
    const reader = broadcastReader();
    const inputs = [{ stageId: 1, locations: ['e1', 'e1'] }];
    const all = Array.from({ length: 300 }, (_, i) => [BigInt(i)]);
    const remote = await run(e2, task(2, 0, reader, { kind: 'result' }, inputs));
    expect(remote).toMatchObject({ metrics: { broadcastObjectReads: 2 } });
    expect((remote as { rows: unknown[][] }).rows).toEqual(all);
    const local = await run(e1, task(2, 0, reader, { kind: 'result' }, inputs, 1));
    expect((local as { rows: unknown[][] }).rows).toEqual(all);
    expect((local as { metrics: TaskMetrics }).metrics.broadcastObjectReads).toBeUndefined();

    // e2 keeps what it got for the query: the store's copy is not needed again.
    for (const name of objects) await control.driver.deleteObject(name);
    const again = await run(e2, task(2, 0, reader, { kind: 'result' }, inputs, 2));
    expect(again).toMatchObject({ metrics: { broadcastObjectReads: 2 } });
    expect((again as { rows: unknown[][] }).rows).toEqual(all);

    // The query ends: its records and objects go (one of an attempt that never reported too).
    await run(e1, task(1, 0, range, broadcast, [], 5));
    await control.executor().putObject(`${objects[0]!.slice(0, -2)}/9`, new Uint8Array([1]));
    expect(await control.driver.listObjects('broadcast/')).toHaveLength(2);
    e1.releaseQuery('q1');
    e2.releaseQuery('q1');
    for (let i = 0; i < 100 && (await control.driver.listObjects('broadcast/')).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 10));
    }
    expect(await control.driver.listObjects('broadcast/')).toEqual([]);
    expect(await control.driver.mapOutputs(pool.driverId, 'q1')).toEqual([]);
  });

  it('a broadcast object gone before a reader got it is a fetch failure naming its map output', async () => {
    const { control, executors } = await cluster(['e1', 'e2']);
    const range = encodePlan(new RangeExec({ schema: SCHEMA, start: 0n, end: 10n, step: 1n, partitions: 1 }));
    const broadcast: TaskOutput = { kind: 'exchange', exchange: 'broadcast', keys: [], buckets: 1 };
    expect(await run(executors.get('e1')!, task(1, 0, range, broadcast))).toHaveProperty('metrics');
    for (const name of await control.driver.listObjects('broadcast/'))
      await control.driver.deleteObject(name);
    const reader = broadcastReader();
    const outcome = await run(
      executors.get('e2')!,
      task(2, 0, reader, { kind: 'result' }, [{ stageId: 1, locations: ['e1'] }]),
    );
    expect(outcome).toMatchObject({
      failed: { kind: 'fetch', stageId: 1, mapPartition: 0, executorId: 'e1' },
    });
  });
});
