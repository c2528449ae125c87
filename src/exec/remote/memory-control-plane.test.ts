/**
 * The in-memory control plane runs the scenarios the NATS plane runs (control-plane-scenarios.ts),
 * on real timers with short heartbeats, then its own fault-injection hooks, on fake timers.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { ExecutorEvent, ExecutorPlane } from './control-plane.ts';
import {
  bytes,
  describeControlPlane,
  Inbox,
  infoOf,
  text,
  type PlaneHarness,
} from './control-plane-scenarios.ts';
import { createMemoryControlPlane, type MemoryControlPlane } from './memory-control-plane.ts';

const open: { close(): Promise<void> }[] = [];

const harness: PlaneHarness = {
  cluster() {
    const heartbeatMs = 50;
    const heartbeatTimeoutMs = 500;
    const plane = createMemoryControlPlane({ heartbeatMs, heartbeatTimeoutMs });
    open.push(plane.driver);
    return Promise.resolve({
      heartbeatMs,
      heartbeatTimeoutMs,
      driver: () => Promise.resolve(plane.driver),
      executor: () => {
        const e = plane.executor();
        open.push(e);
        return Promise.resolve(e);
      },
      crash: (_plane: ExecutorPlane, id: string) => {
        plane.killExecutor(id);
        return Promise.resolve();
      },
      suspendHeartbeats: (_plane: ExecutorPlane, id: string, suspended: boolean) =>
        plane.suspendHeartbeats(id, suspended),
    });
  },
  async closeAll() {
    for (const p of open.splice(0)) await p.close();
  },
};

describeControlPlane('memory control plane', harness);

describe('memory control plane: injected failures (fake timers)', () => {
  let plane: MemoryControlPlane | undefined;
  afterEach(async () => {
    await plane?.driver.close();
    vi.useRealTimers();
  });

  it('a killed executor is down exactly after the timeout, and its unacked task goes to its successor', async () => {
    vi.useFakeTimers();
    plane = createMemoryControlPlane({ heartbeatMs: 1000, heartbeatTimeoutMs: 5000 });
    const events: ExecutorEvent[] = [];
    plane.driver.watchExecutors((e) => events.push(e));
    const exec = plane.executor();
    await exec.register(infoOf('e1'));
    const got: string[] = [];
    await exec.consumeTasks('e1', 1, (p) => got.push(text(p)));
    await plane.driver.sendTask('e1', bytes('t1'));
    await vi.advanceTimersByTimeAsync(0);
    expect(got).toEqual(['t1']);
    plane.killExecutor('e1');
    await vi.advanceTimersByTimeAsync(4000);
    expect(events.map((e) => e.kind)).toEqual(['up']);
    await vi.advanceTimersByTimeAsync(2000);
    expect(events.map((e) => e.kind)).toEqual(['up', 'down']);
    const next = plane.executor();
    const again: string[] = [];
    await next.consumeTasks('e1', 1, (p, ack) => {
      ack();
      again.push(text(p));
    });
    await vi.advanceTimersByTimeAsync(0);
    expect(again).toEqual(['t1']);
    await expect(exec.sendStatus(bytes('from the dead'))).rejects.toThrow(/closed/);
    await next.close();
  });

  it('drops the next status messages, and holds tasks until released', async () => {
    plane = createMemoryControlPlane();
    const exec = plane.executor();
    const status = new Inbox<string>();
    plane.driver.onStatus((p) => status.push(text(p)));
    plane.dropNextStatus(2);
    for (const s of ['s1', 's2', 's3']) await exec.sendStatus(bytes(s));
    await status.count(1);
    expect(status.items).toEqual(['s3']);

    plane.holdTasks('e1', true);
    const tasks = new Inbox<string>();
    await exec.consumeTasks('e1', 4, (p, ack) => {
      ack();
      tasks.push(text(p));
    });
    await plane.driver.sendTask('e1', bytes('held'));
    await exec.sendStatus(bytes('s4'));
    await status.count(2);
    expect(tasks.items).toEqual([]);
    plane.holdTasks('e1', false);
    await tasks.count(1);
    expect(tasks.items).toEqual(['held']);
    await exec.close();
  });

  it('refuses a payload over max_payload', async () => {
    plane = createMemoryControlPlane({ maxPayload: 10 });
    await expect(plane.driver.sendTask('e1', new Uint8Array(11))).rejects.toThrow(/max_payload/);
  });
});
