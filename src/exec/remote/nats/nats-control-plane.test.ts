/**
 * The NATS control plane against a real nats-server (one per file, nats-server-process.ts): the shared
 * scenarios (control-plane-scenarios.ts), then what only NATS has — the streams' settings, the
 * server's max_payload, two clusters on one server, a driver process that must exit after `close`
 * while executors are still connected, and a server that goes away.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { DriverPlane, ExecutorEvent, ExecutorPlane } from '../control-plane.ts';
import {
  bytes,
  describeControlPlane,
  Inbox,
  infoOf,
  text,
  type PlaneHarness,
} from '../control-plane-scenarios.ts';
import {
  connectDriverPlane,
  connectExecutorPlane,
  executorIdOf,
  executorToken,
  planeNames,
  type NatsExecutorPlane,
} from './nats-control-plane.ts';
import { hasNatsServer, startNatsServer, type NatsServerProcess } from './nats-server-process.ts';

const HEARTBEAT_MS = 100;
const HEARTBEAT_TIMEOUT_MS = 2500;

let server: NatsServerProcess | undefined;
let clusters = 0;
const open: { close(): Promise<void> }[] = [];

function url(): string {
  return server!.url;
}

function newCluster(): string {
  return `t${process.pid}_${++clusters}`;
}

async function driverOn(cluster: string, servers = url()): Promise<DriverPlane> {
  const d = await connectDriverPlane({ servers, cluster, heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS });
  open.push(d);
  return d;
}

async function executorOn(cluster: string, servers = url()): Promise<NatsExecutorPlane> {
  const e = await connectExecutorPlane({ servers, cluster, heartbeatMs: HEARTBEAT_MS });
  open.push(e);
  return e;
}

const harness: PlaneHarness = {
  cluster() {
    const cluster = newCluster();
    return Promise.resolve({
      heartbeatMs: HEARTBEAT_MS,
      heartbeatTimeoutMs: HEARTBEAT_TIMEOUT_MS,
      driver: () => driverOn(cluster),
      executor: () => executorOn(cluster),
      crash: (plane: ExecutorPlane) => (plane as NatsExecutorPlane).crash(),
      suspendHeartbeats: (plane: ExecutorPlane, _id: string, suspended: boolean) =>
        (plane as NatsExecutorPlane).suspendHeartbeats(suspended),
    });
  },
  async closeAll() {
    await Promise.all(open.splice(0).map((p) => p.close()));
  },
};

describe.skipIf(!hasNatsServer())('NATS control plane', () => {
  beforeAll(async () => {
    server = await startNatsServer();
  });
  afterAll(async () => {
    await harness.closeAll();
    await server?.stop();
  });

  describeControlPlane('nats', harness);

  describe('names', () => {
    it('escapes executor ids into tokens and back', () => {
      for (const id of ['thread-3', 'host:7001/3', 'a.b*c>d e', 'x_y', 'é-ü']) {
        const token = executorToken(id);
        expect(token).toMatch(/^[A-Za-z0-9_-]+$/);
        expect(executorIdOf(token)).toBe(id);
      }
      expect(executorToken('host:7001/3')).toBe('host_3A7001_2F3');
      expect(() => executorToken('')).toThrow(/empty/);
    });

    it('validates the cluster id', () => {
      expect(() => planeNames('a.b')).toThrow(/invalid cluster id/);
      expect(() => planeNames('')).toThrow(/invalid cluster id/);
      expect(planeNames('prod-1').tasksStream).toBe('KINDLING_prod-1_TASKS');
    });
  });

  describe('streams and limits', () => {
    it('creates the streams as documented, idempotently', async () => {
      const cluster = newCluster();
      await driverOn(cluster);
      await driverOn(cluster); // a second connect updates in place
      const nc = await connect({ servers: url() });
      try {
        const jsm = await jetstreamManager(nc);
        const tasks = await jsm.streams.info(`KINDLING_${cluster}_TASKS`);
        expect(tasks.config.retention).toBe('workqueue');
        expect(tasks.config.subjects).toEqual([`kindling.${cluster}.task.*`]);
        expect(tasks.config.max_msg_size).toBe(server!.maxPayload);
        const status = await jsm.streams.info(`KINDLING_${cluster}_STATUS`);
        expect(status.config.subjects).toEqual([`kindling.${cluster}.status`]);
        expect(status.config.max_age).toBeGreaterThan(0);
        expect(status.config.max_msgs).toBeGreaterThan(0);
        await jsm.streams.info(`KV_kindling_${cluster}_executors`);
        const outputs = await jsm.streams.info(`KV_kindling_${cluster}_map_outputs`);
        expect(outputs.config.max_msgs_per_subject).toBe(1);
        expect(outputs.config.max_age).toBeGreaterThan(0);
        await jsm.streams.info(`OBJ_kindling_${cluster}_broadcast`);
      } finally {
        await nc.close();
      }
    });

    it('refuses a task over the server max_payload with a clear error', async () => {
      const driver = await driverOn(newCluster());
      await expect(driver.sendTask('e1', new Uint8Array(server!.maxPayload + 1))).rejects.toThrow(
        /exceeds the NATS server's max_payload of 8388608 bytes/,
      );
      // Up to it is fine: a big plan fragment.
      await driver.sendTask('e1', new Uint8Array(server!.maxPayload - 1024));
      await driver.purgeTasks('e1');
    });
  });

  it('keeps two clusters on one server apart', async () => {
    const [one, two] = [newCluster(), newCluster()];
    const [d1, d2] = [await driverOn(one), await driverOn(two)];
    const [e1, e2] = [await executorOn(one), await executorOn(two)];
    const events1 = new Inbox<string>();
    const events2 = new Inbox<string>();
    d1.watchExecutors((e) => events1.push(`${e.kind}:${e.kind === 'up' ? e.info.flight : e.id}`));
    d2.watchExecutors((e) => events2.push(`${e.kind}:${e.kind === 'up' ? e.info.flight : e.id}`));
    const status1 = new Inbox<string>();
    const status2 = new Inbox<string>();
    d1.onStatus((p) => status1.push(text(p)));
    d2.onStatus((p) => status2.push(text(p)));
    const tasks1 = new Inbox<string>();
    const tasks2 = new Inbox<string>();
    // The same executor id in both clusters.
    await e1.register({ ...infoOf('e'), flight: 'one:1' });
    await e2.register({ ...infoOf('e'), flight: 'two:2' });
    await e1.consumeTasks('e', 4, (p, ack) => {
      ack();
      tasks1.push(text(p));
    });
    await e2.consumeTasks('e', 4, (p, ack) => {
      ack();
      tasks2.push(text(p));
    });
    await d1.sendTask('e', bytes('task one'));
    await d2.sendTask('e', bytes('task two'));
    await e1.sendStatus(bytes('status one'));
    await e2.sendStatus(bytes('status two'));
    await d1.putObject('b', bytes('object one'));
    await d2.putObject('b', bytes('object two'));
    await events1.waitFor((e) => e === 'up:one:1');
    await events2.waitFor((e) => e === 'up:two:2');
    await tasks1.count(1);
    await tasks2.count(1);
    await status1.count(1);
    await status2.count(1);
    expect(tasks1.items).toEqual(['task one']);
    expect(tasks2.items).toEqual(['task two']);
    expect(status1.items).toEqual(['status one']);
    expect(status2.items).toEqual(['status two']);
    expect(events1.items).toEqual(['up:one:1']);
    expect(events2.items).toEqual(['up:two:2']);
    expect(text((await e1.getObject('b'))!)).toBe('object one');
    expect(text((await e2.getObject('b'))!)).toBe('object two');
  });

  it('a driver process exits after close while its executors stay connected', async () => {
    const cluster = newCluster();
    const exec = await executorOn(cluster);
    const dir = mkdtempSync(join(tmpdir(), 'kindling-nats-driver-'));
    try {
      const script = join(dir, 'driver.ts');
      const module = pathToFileURL(join(import.meta.dirname, 'nats-control-plane.ts')).href;
      writeFileSync(
        script,
        [
          `import { connectDriverPlane } from ${JSON.stringify(module)};`,
          `const driver = await connectDriverPlane({ servers: ${JSON.stringify(url())}, cluster: ${JSON.stringify(cluster)}, heartbeatTimeoutMs: 2000 });`,
          `await driver.sendTask('e1', new TextEncoder().encode('t'));`,
          `await new Promise((resolve) => driver.watchExecutors((e) => { if (e.kind === 'up') resolve(undefined); }));`,
          `driver.onStatus(() => {});`,
          `await driver.close();`,
          `console.log('closed');`,
          '',
        ].join('\n'),
      );
      const run = promisify(execFile)(process.execPath, [script], { timeout: 30_000 });
      await exec.register(infoOf('e1'));
      const got = new Inbox<string>();
      await exec.consumeTasks('e1', 1, (p, ack) => {
        ack();
        got.push(text(p));
      });
      const { stdout } = await run; // rejects if the process had to be killed
      expect(stdout.trim()).toBe('closed');
      await got.count(1);
      // The executor outlives its driver, still heartbeating.
      await exec.sendStatus(bytes('still here'));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('status sent while the driver reconnects reaches it, in order', async () => {
    const own = await startNatsServer();
    try {
      const cluster = newCluster();
      const driver = await driverOn(cluster, own.url);
      const exec = await executorOn(cluster, own.url);
      const status = new Inbox<string>();
      driver.onStatus((p) => status.push(text(p)));
      const events = new Inbox<ExecutorEvent>();
      driver.watchExecutors(events.push);
      await exec.register(infoOf('e1'));
      await events.waitFor((e) => e.kind === 'up');
      await exec.sendStatus(bytes('s1'));
      await status.count(1);
      await own.restart();
      // The executor may be back before the driver: what it sends meanwhile waits in the stream.
      await exec.sendStatus(bytes('s2'));
      await exec.sendStatus(bytes('s3'));
      await status.count(3);
      expect(status.items).toEqual(['s1', 's2', 's3']);
      const last = (): ExecutorEvent | undefined => events.items[events.items.length - 1];
      // Up throughout, or (a slow restart) down and up again at its next heartbeat.
      await events.waitFor(() => last()?.kind === 'up');
    } finally {
      await harness.closeAll();
      await own.stop();
    }
  });

  describe('a server that goes away', () => {
    let own: NatsServerProcess | undefined;
    const rejections: unknown[] = [];
    const onRejection = (e: unknown): void => {
      rejections.push(e);
    };
    beforeAll(() => {
      process.on('unhandledRejection', onRejection);
    });
    afterEach(async () => {
      await own?.stop();
      own = undefined;
    });
    afterAll(() => {
      process.off('unhandledRejection', onRejection);
    });

    it('reports the executors down and closes cleanly', async () => {
      own = await startNatsServer();
      const cluster = newCluster();
      const driver = await driverOn(cluster, own.url);
      const exec = await executorOn(cluster, own.url);
      const events = new Inbox<ExecutorEvent>();
      driver.watchExecutors(events.push);
      driver.onStatus(() => undefined);
      await exec.register(infoOf('e1'));
      await exec.consumeTasks('e1', 1, () => undefined);
      exec.onControl('e1', () => undefined);
      await events.waitFor((e) => e.kind === 'up');
      await own.stop();
      const down = await events.waitFor((e) => e.kind === 'down');
      expect(down).toMatchObject({
        id: 'e1',
        reason: expect.stringMatching(/lost its control-plane connection/) as unknown,
      });
      // A task sent meanwhile is tried again until the plane closes, then rejected.
      const outcome = driver.sendTask('e1', bytes('t')).then(
        () => 'stored',
        () => 'rejected',
      );
      await exec.close();
      await driver.close();
      expect(await outcome).toBe('rejected');
      open.splice(0);
      await new Promise((r) => setTimeout(r, 500));
      expect(rejections).toEqual([]);
    });
  });
});
