/**
 * The control plane's behaviour, written once and run against each implementation
 * (nats/nats-control-plane.test.ts against a real nats-server, memory-control-plane.test.ts against
 * the in-memory twin): `describeControlPlane(name, harness)` declares the scenarios. Each test
 * gets a fresh cluster from the harness. Waits are for events, with generous deadlines; "nothing
 * else arrived" is checked after a later message that would have come behind it.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { ExecutorId } from '../task.ts';
import type {
  DriverPlane,
  ExecutorEvent,
  ExecutorInfo,
  ExecutorPlane,
  MapOutputLocation,
} from './control-plane.ts';

/** One cluster of one implementation. */
export interface PlaneCluster {
  /** A driver on this cluster (the first one creates what the cluster needs). */
  driver(): Promise<DriverPlane>;
  executor(): Promise<ExecutorPlane>;
  /** The executor's process dies: no deregistration, its unacked tasks are not handed back. */
  crash(plane: ExecutorPlane, id: ExecutorId): Promise<void>;
  /** Its heartbeats stop (true) or resume (false), as a stalled process's. */
  suspendHeartbeats(plane: ExecutorPlane, id: ExecutorId, suspended: boolean): void;
  /** Heartbeat period and timeout the cluster was made with. */
  readonly heartbeatMs: number;
  readonly heartbeatTimeoutMs: number;
}

export interface PlaneHarness {
  /** A fresh cluster. */
  cluster(): Promise<PlaneCluster>;
  /** Closes every plane the clusters made (after each test). */
  closeAll(): Promise<void>;
}

const DEADLINE_MS = 20_000;

/** Collects values and waits for one that matches. */
export class Inbox<T> {
  readonly items: T[] = [];
  readonly #waiters: { match: (t: T) => boolean; resolve: (t: T) => void }[] = [];

  readonly push = (item: T): void => {
    this.items.push(item);
    for (const w of [...this.#waiters]) {
      if (w.match(item)) {
        this.#waiters.splice(this.#waiters.indexOf(w), 1);
        w.resolve(item);
      }
    }
  };

  /** The first item (already here or to come) that matches. */
  waitFor(match: (t: T) => boolean, what = 'a matching message'): Promise<T> {
    const found = this.items.find(match);
    if (found !== undefined) return Promise.resolve(found);
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.splice(this.#waiters.indexOf(waiter), 1);
        reject(new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.items)}`));
      }, DEADLINE_MS);
      const waiter = {
        match,
        resolve: (t: T) => {
          clearTimeout(timer);
          resolve(t);
        },
      };
      this.#waiters.push(waiter);
    });
  }

  /** Waits until `n` items have arrived. */
  async count(n: number): Promise<T[]> {
    await this.waitFor(() => this.items.length >= n, `${n} messages`);
    return this.items.slice(0, n);
  }
}

export function bytes(text: string): Uint8Array {
  return new TextEncoder().encode(text);
}

export function text(b: Uint8Array): string {
  return new TextDecoder().decode(b);
}

export function infoOf(id: ExecutorId): ExecutorInfo {
  return {
    id,
    flight: `127.0.0.1:${7000 + id.length}`,
    cores: 2,
    memory: 1 << 30,
    pid: process.pid,
    hostname: 'test',
  };
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** A label for events: `up:a`, `down:a`. */
function label(e: ExecutorEvent): string {
  return e.kind === 'up' ? `up:${e.info.id}` : `down:${e.id}`;
}

export function describeControlPlane(name: string, harness: PlaneHarness): void {
  afterEach(() => harness.closeAll());

  describe(`${name}: tasks`, () => {
    it('a task reaches only the executor it is sent to', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const [a, b] = [await c.executor(), await c.executor()];
      const gotA = new Inbox<string>();
      const gotB = new Inbox<string>();
      await a.consumeTasks('exec-a', 2, (p, ack) => {
        ack();
        gotA.push(text(p));
      });
      await b.consumeTasks('exec-b', 2, (p, ack) => {
        ack();
        gotB.push(text(p));
      });
      await driver.sendTask('exec-a', bytes('t1'));
      await driver.sendTask('exec-b', bytes('t2'));
      await driver.sendTask('exec-a', bytes('t3'));
      await gotA.count(2);
      await gotB.count(1);
      await driver.sendTask('exec-b', bytes('t4'));
      await gotB.count(2);
      expect(gotA.items).toEqual(['t1', 't3']);
      expect(gotB.items).toEqual(['t2', 't4']);
    });

    it('delivers tasks queued before the executor consumes, in order, at most `concurrency` unacked', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      for (let i = 0; i < 5; i++) await driver.sendTask('host:7001/1', bytes(`t${i}`));
      const exec = await c.executor();
      const got = new Inbox<{ task: string; ack: () => void }>();
      await exec.consumeTasks('host:7001/1', 2, (p, ack) => got.push({ task: text(p), ack }));
      await got.count(2);
      // Two are out and unacked: the third comes only after an ack.
      got.items[0]!.ack();
      await got.count(3);
      expect(got.items.map((t) => t.task)).toEqual(['t0', 't1', 't2']);
      for (const t of got.items) t.ack();
      await got.count(5);
      for (const t of got.items) t.ack();
      expect(got.items.map((t) => t.task)).toEqual(['t0', 't1', 't2', 't3', 't4']);
    });

    it('a task not acked by a consumer that closed goes to the next consumer of that executor id', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const first = await c.executor();
      const seen = new Inbox<string>();
      await first.consumeTasks('e1', 1, (p) => seen.push(text(p)));
      await driver.sendTask('e1', bytes('unacked'));
      await seen.count(1);
      await first.close();
      const second = await c.executor();
      const again = new Inbox<string>();
      await second.consumeTasks('e1', 1, (p, ack) => {
        ack();
        again.push(text(p));
      });
      expect(await again.waitFor(() => true)).toBe('unacked');
      // A process that dies holding a task: the next process under the id gets it.
      const held = new Inbox<string>();
      const third = await c.executor();
      await third.consumeTasks('e2', 1, (p) => held.push(text(p)));
      await driver.sendTask('e2', bytes('held by the dead'));
      await held.count(1);
      await c.crash(third, 'e2');
      const fourth = await c.executor();
      const got = new Inbox<string>();
      await fourth.consumeTasks('e2', 1, (p, ack) => {
        ack();
        got.push(text(p));
      });
      expect(await got.waitFor(() => true)).toBe('held by the dead');
      await second.close();
    });

    it('a new consumer of an executor id takes over the tasks an earlier one holds unacked', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const old = await c.executor();
      const held = new Inbox<string>();
      await old.consumeTasks('e3', 1, (p) => held.push(text(p)));
      await driver.sendTask('e3', bytes('t1'));
      await held.count(1);
      const successor = await c.executor();
      const got = new Inbox<string>();
      await successor.consumeTasks('e3', 2, (p, ack) => {
        ack();
        got.push(text(p));
      });
      await driver.sendTask('e3', bytes('t2'));
      await got.count(2);
      expect(got.items).toEqual(['t1', 't2']);
      expect(held.items).toEqual(['t1']);
    });

    it('purgeTasks drops the tasks queued for one executor only', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      await driver.sendTask('lost', bytes('x1'));
      await driver.sendTask('lost', bytes('x2'));
      await driver.sendTask('kept', bytes('k1'));
      await driver.purgeTasks('lost');
      await driver.sendTask('lost', bytes('after'));
      const exec = await c.executor();
      const lost = new Inbox<string>();
      const kept = new Inbox<string>();
      await exec.consumeTasks('lost', 4, (p, ack) => {
        ack();
        lost.push(text(p));
      });
      await exec.consumeTasks('kept', 4, (p, ack) => {
        ack();
        kept.push(text(p));
      });
      await lost.waitFor((t) => t === 'after');
      await kept.waitFor((t) => t === 'k1');
      expect(lost.items).toEqual(['after']);
    });

    it('control reaches the executor listening now', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const exec = await c.executor();
      driver.sendControl('e1', bytes('nobody listens'));
      await driver.purgeTasks('e1'); // a round trip: the server has routed the message to nobody
      const got = new Inbox<string>();
      exec.onControl('e1', (p) => got.push(text(p)));
      exec.onControl('e2', (p) => got.push(`e2 ${text(p)}`));
      await exec.register(infoOf('e1')); // a round trip: the server knows the subscriptions
      driver.sendControl('e1', bytes('cancel q1'));
      await got.waitFor((t) => t === 'cancel q1');
      expect(got.items).toEqual(['cancel q1']);
    });
  });

  describe(`${name}: status`, () => {
    it('arrives in the order each executor sent it, even before the driver listens', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const [a, b] = [await c.executor(), await c.executor()];
      const sends: Promise<void>[] = [];
      for (let i = 0; i < 50; i++) {
        sends.push(a.sendStatus(bytes(`a${i}`)));
        sends.push(b.sendStatus(bytes(`b${i}`)));
      }
      await Promise.all(sends);
      const got = new Inbox<string>();
      driver.onStatus((p) => got.push(text(p)));
      await got.count(100);
      const fromA = got.items.filter((s) => s.startsWith('a'));
      const fromB = got.items.filter((s) => s.startsWith('b'));
      expect(fromA).toEqual(Array.from({ length: 50 }, (_, i) => `a${i}`));
      expect(fromB).toEqual(Array.from({ length: 50 }, (_, i) => `b${i}`));
    });
  });

  describe(`${name}: executors`, () => {
    it('an executor is up once whatever its heartbeats, and down when it closes', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const events = new Inbox<string>();
      driver.watchExecutors((e) => events.push(label(e)));
      const exec = await c.executor();
      await exec.register(infoOf('e1'));
      const up = new Inbox<ExecutorInfo>();
      driver.watchExecutors((e) => {
        if (e.kind === 'up') up.push(e.info);
      });
      expect(await up.waitFor(() => true)).toEqual(infoOf('e1'));
      await sleep(c.heartbeatMs * 5);
      await exec.close();
      await events.waitFor((e) => e === 'down:e1');
      expect(events.items).toEqual(['up:e1', 'down:e1']);
    });

    it('an executor that registers before the driver connects is up for it', async () => {
      const c = await harness.cluster();
      const exec = await c.executor();
      const registered = exec.register(infoOf('early'));
      const driver = await c.driver();
      await registered;
      const events = new Inbox<string>();
      driver.watchExecutors((e) => events.push(label(e)));
      await events.waitFor((e) => e === 'up:early');
      // A second driver of the cluster sees it too.
      const other = await c.driver();
      const seen = new Inbox<string>();
      other.watchExecutors((e) => seen.push(label(e)));
      await seen.waitFor((e) => e === 'up:early');
    });

    it('is down after missing heartbeats, and up again only when it registers again', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const events = new Inbox<ExecutorEvent>();
      driver.watchExecutors(events.push);
      const exec = await c.executor();
      await exec.register(infoOf('stalls'));
      await events.waitFor((e) => e.kind === 'up');
      c.suspendHeartbeats(exec, 'stalls', true);
      const down = await events.waitFor((e) => e.kind === 'down');
      expect(down).toMatchObject({
        kind: 'down',
        id: 'stalls',
        reason: expect.stringMatching(/heartbeat/) as unknown,
      });
      // The stalled process wakes up: its heartbeats do not bring it back.
      c.suspendHeartbeats(exec, 'stalls', false);
      await sleep(c.heartbeatMs * 4);
      expect(events.items.map(label)).toEqual(['up:stalls', 'down:stalls']);
      await exec.register(infoOf('stalls'));
      await events.count(3);
      expect(events.items.map(label)).toEqual(['up:stalls', 'down:stalls', 'up:stalls']);
      await exec.close();
      await events.count(4);
      expect(events.items.map(label)).toEqual(['up:stalls', 'down:stalls', 'up:stalls', 'down:stalls']);
    });

    it('a crashed executor is down after the timeout; a new process under its id is a new executor', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const events = new Inbox<ExecutorEvent>();
      driver.watchExecutors(events.push);
      const exec = await c.executor();
      await exec.register(infoOf('crashes'));
      await events.waitFor((e) => e.kind === 'up');
      await c.crash(exec, 'crashes');
      await events.waitFor((e) => e.kind === 'down');
      const restarted = await c.executor();
      await restarted.register(infoOf('crashes'));
      await events.count(3);
      // Restarted again before the timeout: down for the old registration, up for the new one.
      const again = await c.executor();
      await c.crash(restarted, 'crashes');
      await again.register(infoOf('crashes'));
      await events.count(5);
      expect(events.items.map(label)).toEqual([
        'up:crashes',
        'down:crashes',
        'up:crashes',
        'down:crashes',
        'up:crashes',
      ]);
    });
  });

  describe(`${name}: objects`, () => {
    it('puts, gets and deletes broadcast objects, large ones too', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const exec = await c.executor();
      const big = new Uint8Array(5 * 1024 * 1024);
      for (let i = 0; i < big.length; i++) big[i] = (i * 31 + (i >> 11)) & 0xff;
      await driver.putObject('q1/broadcast-3', big);
      await driver.putObject('small', bytes('hello'));
      expect(await exec.getObject('missing')).toBeNull();
      const got = await exec.getObject('q1/broadcast-3');
      expect(got?.length).toBe(big.length);
      expect(Buffer.from(got!).equals(Buffer.from(big))).toBe(true);
      expect(text((await exec.getObject('small'))!)).toBe('hello');
      await driver.deleteObject('q1/broadcast-3');
      await driver.deleteObject('never-there');
      expect(await exec.getObject('q1/broadcast-3')).toBeNull();
      expect(text((await exec.getObject('small'))!)).toBe('hello');
    });

    it("an executor's object is read by another executor and listed by prefix on the driver", async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      const writer = await c.executor();
      const reader = await c.executor();
      const big = new Uint8Array(3 * 1024 * 1024 + 17);
      for (let i = 0; i < big.length; i++) big[i] = (i * 7 + (i >> 9)) & 0xff;
      await writer.putObject('broadcast/d1/q1/2/0/0', big);
      await writer.putObject('broadcast/d1/q1/2/1/3', bytes('one'));
      await writer.putObject('broadcast/d1/q10/2/0/0', bytes('another query'));
      await driver.putObject('cache-t-0', bytes('a cache'));
      const got = await reader.getObject('broadcast/d1/q1/2/0/0');
      expect(Buffer.from(got!).equals(Buffer.from(big))).toBe(true);
      expect((await driver.listObjects('broadcast/d1/q1/')).sort()).toEqual([
        'broadcast/d1/q1/2/0/0',
        'broadcast/d1/q1/2/1/3',
      ]);
      await driver.deleteObject('broadcast/d1/q1/2/0/0');
      expect(await driver.listObjects('broadcast/d1/q1/')).toEqual(['broadcast/d1/q1/2/1/3']);
      expect(await reader.getObject('broadcast/d1/q1/2/0/0')).toBeNull();
      expect((await driver.listObjects('')).sort()).toEqual([
        'broadcast/d1/q1/2/1/3',
        'broadcast/d1/q10/2/0/0',
        'cache-t-0',
      ]);
    });
  });

  describe(`${name}: map outputs`, () => {
    const at = (
      driver: string,
      queryId: string,
      stageId: number,
      map: number,
      executorId: string,
      attempt = 0,
    ): MapOutputLocation => ({
      driver,
      queryId,
      stageId,
      map,
      attempt,
      executorId,
      flight: `127.0.0.1:${7000 + executorId.length}`,
      object: stageId === 3 ? `broadcast/${driver}/${queryId}/3/${map}/${attempt}` : null,
    });
    const order = (ls: MapOutputLocation[]): MapOutputLocation[] =>
      [...ls].sort((a, b) => a.queryId.localeCompare(b.queryId) || a.stageId - b.stageId || a.map - b.map);

    it('records where each map output is, per driver and query, one record per map partition', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      // Ids that are no subject tokens as they are: they are escaped into the keys.
      await driver.putMapOutput(at('host:1/a', 'q1', 2, 0, 'e.1'));
      await driver.putMapOutput(at('host:1/a', 'q1', 2, 1, 'e_2'));
      await driver.putMapOutput(at('host:1/a', 'q1', 3, 0, 'e.1'));
      await driver.putMapOutput(at('host:1/a', 'q1.x', 2, 0, 'e.1'));
      await driver.putMapOutput(at('other', 'q1', 2, 0, 'e.1'));
      // A rerun of map 1 elsewhere replaces its record.
      await driver.putMapOutput(at('host:1/a', 'q1', 2, 1, 'e3', 4));
      expect(order(await driver.mapOutputs('host:1/a', 'q1'))).toEqual([
        at('host:1/a', 'q1', 2, 0, 'e.1'),
        at('host:1/a', 'q1', 2, 1, 'e3', 4),
        at('host:1/a', 'q1', 3, 0, 'e.1'),
      ]);
      expect(order(await driver.mapOutputs('host:1/a'))).toHaveLength(4);
      expect(await driver.mapOutputs('other')).toEqual([at('other', 'q1', 2, 0, 'e.1')]);
      expect(await driver.mapOutputs('nobody')).toEqual([]);
    });

    it('deletes records, and a second driver on the cluster sees the same records', async () => {
      const c = await harness.cluster();
      const driver = await c.driver();
      await driver.putMapOutput(at('d', 'q1', 2, 0, 'e1'));
      await driver.putMapOutput(at('d', 'q1', 2, 1, 'e2'));
      await driver.putMapOutput(at('d', 'q2', 3, 0, 'e1'));
      const lost = (await driver.mapOutputs('d')).filter((l) => l.executorId === 'e1');
      expect(order(lost)).toEqual([at('d', 'q1', 2, 0, 'e1'), at('d', 'q2', 3, 0, 'e1')]);
      await driver.deleteMapOutputs([...lost, at('d', 'q9', 1, 0, 'e1')]);
      expect(await driver.mapOutputs('d')).toEqual([at('d', 'q1', 2, 1, 'e2')]);
      const second = await c.driver();
      expect(await second.mapOutputs('d', 'q1')).toEqual([at('d', 'q1', 2, 1, 'e2')]);
    });
  });
}
