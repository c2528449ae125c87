/**
 * The control plane in memory (control-plane.ts has the contract), for the scheduler's unit tests:
 * one driver and any number of executor planes in one process, with the NATS plane's guarantees —
 * tasks queued per executor id and handed to its consumers at most `concurrency` unacked at once,
 * redelivered to the next consumer of that id when one closes or dies before acking; status in the
 * order each executor sent it; control messages to whoever listens now; the same `up`/`down` rules
 * (executor-registry.ts) — and hooks to inject failures:
 *
 *   killExecutor(id)            the process (the plane that registered, consumes tasks or listens
 *                               for that id) dies: its heartbeats stop without deregistering (the
 *                               driver sees it down after the timeout), its consumers stop and their
 *                               unacked tasks go back to the queue, its control listeners and status
 *                               are gone, and its calls fail;
 *   suspendHeartbeats(id, b)    a stalled process: heartbeats stop (true) and resume (false);
 *   dropNextStatus(n)           the next n status messages are lost;
 *   holdTasks(id, b)            tasks for that executor stay queued (true) until released (false).
 *
 * Deliveries are asynchronous (microtasks), as over a network. Heartbeats and the timeout check run
 * on `setInterval` and read `Date.now`, so `vi.useFakeTimers()` makes them deterministic.
 */
import type { ExecutorId } from '../task.ts';
import type { DriverPlane, ExecutorEvent, ExecutorInfo, ExecutorPlane } from './control-plane.ts';
import { deliver, ExecutorRegistry, StatusFanout } from './executor-registry.ts';

export interface MemoryControlPlaneOptions {
  /** Default 1000. */
  readonly heartbeatMs?: number;
  /** Default 5000. */
  readonly heartbeatTimeoutMs?: number;
  /** The largest task, control or status payload; default 8 MiB (the tests' nats-server). */
  readonly maxPayload?: number;
}

export interface MemoryControlPlane {
  readonly driver: DriverPlane;
  /** A new executor plane (one per executor process). */
  executor(): ExecutorPlane;
  killExecutor(id: ExecutorId): void;
  suspendHeartbeats(id: ExecutorId, suspended: boolean): void;
  dropNextStatus(count?: number): void;
  holdTasks(id: ExecutorId, held: boolean): void;
}

interface QueuedTask {
  readonly seq: number;
  readonly payload: Uint8Array;
  purged: boolean;
}

interface Consumer {
  readonly owner: MemoryExecutor;
  readonly concurrency: number;
  readonly handler: (payload: Uint8Array, ack: () => void) => void;
  readonly unacked: Set<QueuedTask>;
}

interface TaskQueue {
  queued: QueuedTask[];
  held: boolean;
  readonly consumers: Consumer[];
}

export function createMemoryControlPlane(options: MemoryControlPlaneOptions = {}): MemoryControlPlane {
  const hub = new Hub(options);
  return {
    driver: hub.driver,
    executor: () => hub.newExecutor(),
    killExecutor: (id) => {
      for (const e of hub.executorsWithId(id)) e.kill();
    },
    suspendHeartbeats: (id, suspended) => {
      for (const e of hub.executorsWithId(id)) e.suspended = suspended;
    },
    dropNextStatus: (count = 1) => {
      hub.dropStatus += count;
    },
    holdTasks: (id, held) => {
      const queue = hub.queue(id);
      queue.held = held;
      if (!held) hub.pump(id);
    },
  };
}

class Hub {
  readonly heartbeatMs: number;
  readonly maxPayload: number;
  readonly registry: ExecutorRegistry;
  readonly driver: MemoryDriver;
  readonly executors = new Set<MemoryExecutor>();
  readonly queues = new Map<ExecutorId, TaskQueue>();
  readonly control = new Map<ExecutorId, { owner: MemoryExecutor; listener: (p: Uint8Array) => void }[]>();
  readonly objects = new Map<string, Uint8Array>();
  dropStatus = 0;
  #seq = 0;

  constructor(options: MemoryControlPlaneOptions) {
    this.heartbeatMs = options.heartbeatMs ?? 1000;
    this.maxPayload = options.maxPayload ?? 8 * 1024 * 1024;
    this.registry = new ExecutorRegistry({ timeoutMs: options.heartbeatTimeoutMs ?? 5000 });
    this.registry.start();
    this.driver = new MemoryDriver(this);
  }

  newExecutor(): MemoryExecutor {
    const e = new MemoryExecutor(this);
    this.executors.add(e);
    return e;
  }

  executorsWithId(id: ExecutorId): MemoryExecutor[] {
    return [...this.executors].filter((e) => e.ids.has(id));
  }

  queue(id: ExecutorId): TaskQueue {
    let q = this.queues.get(id);
    if (q === undefined) {
      q = { queued: [], held: false, consumers: [] };
      this.queues.set(id, q);
    }
    return q;
  }

  checkPayload(what: string, payload: Uint8Array): void {
    if (payload.length > this.maxPayload) {
      throw new Error(
        `${what} of ${payload.length} bytes exceeds the max_payload of ${this.maxPayload} bytes`,
      );
    }
  }

  enqueue(id: ExecutorId, payload: Uint8Array): void {
    this.queue(id).queued.push({ seq: this.#seq++, payload: payload.slice(), purged: false });
    this.pump(id);
  }

  /** Hands queued tasks to consumers with room, on a microtask. */
  pump(id: ExecutorId): void {
    queueMicrotask(() => {
      const q = this.queue(id);
      while (!q.held && q.queued.length > 0) {
        const consumer = q.consumers.find((c) => c.unacked.size < c.concurrency);
        if (consumer === undefined) return;
        const task = q.queued.shift()!;
        consumer.unacked.add(task);
        let acked = false;
        const ack = (): void => {
          if (acked) return;
          acked = true;
          if (consumer.unacked.delete(task)) this.pump(id);
        };
        deliver((payload: Uint8Array) => consumer.handler(payload, ack), task.payload);
      }
    });
  }

  /** Removes a consumer; what it held unacked goes back to the front of the queue. */
  dropConsumer(id: ExecutorId, consumer: Consumer): void {
    const q = this.queue(id);
    const i = q.consumers.indexOf(consumer);
    if (i >= 0) q.consumers.splice(i, 1);
    const back = [...consumer.unacked].filter((t) => !t.purged);
    consumer.unacked.clear();
    q.queued = [...back, ...q.queued].sort((a, b) => a.seq - b.seq);
    this.pump(id);
  }

  purge(id: ExecutorId): void {
    const q = this.queue(id);
    q.queued = [];
    for (const c of q.consumers) {
      for (const t of c.unacked) t.purged = true;
    }
  }
}

class MemoryDriver implements DriverPlane {
  readonly #hub: Hub;
  readonly #status = new StatusFanout();
  #closed = false;

  constructor(hub: Hub) {
    this.#hub = hub;
  }

  sendTask(executorId: ExecutorId, payload: Uint8Array): Promise<void> {
    return later(() => {
      this.#checkOpen();
      this.#hub.checkPayload('a task', payload);
      this.#hub.enqueue(executorId, payload);
    });
  }

  purgeTasks(executorId: ExecutorId): Promise<void> {
    return later(() => {
      this.#checkOpen();
      this.#hub.purge(executorId);
    });
  }

  sendControl(executorId: ExecutorId, payload: Uint8Array): void {
    this.#checkOpen();
    this.#hub.checkPayload('a control message', payload);
    const bytes = payload.slice();
    // Who listens is decided now, as the server routes a message when it receives it.
    const listeners = [...(this.#hub.control.get(executorId) ?? [])];
    queueMicrotask(() => {
      for (const { listener } of listeners) deliver(listener, bytes.slice());
    });
  }

  /** Called by an executor's sendStatus, on a microtask. */
  status(payload: Uint8Array): void {
    if (this.#closed) return;
    if (this.#hub.dropStatus > 0) {
      this.#hub.dropStatus--;
      return;
    }
    this.#status.emit(payload);
  }

  onStatus(listener: (payload: Uint8Array) => void): void {
    this.#status.listen(listener);
  }

  watchExecutors(listener: (event: ExecutorEvent) => void): void {
    this.#hub.registry.listen(listener);
  }

  putObject(name: string, bytes: Uint8Array): Promise<void> {
    return later(() => {
      this.#checkOpen();
      this.#hub.objects.set(name, bytes.slice());
    });
  }

  deleteObject(name: string): Promise<void> {
    return later(() => {
      this.#checkOpen();
      this.#hub.objects.delete(name);
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    this.#closed = true;
    this.#hub.registry.stop();
    this.#hub.registry.closed('the driver closed the control plane');
    return Promise.resolve();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('the control plane is closed');
  }
}

class MemoryExecutor implements ExecutorPlane {
  readonly #hub: Hub;
  id: ExecutorId | undefined;
  /** The ids it registered, consumes tasks or listens to control messages for. */
  readonly ids = new Set<ExecutorId>();
  suspended = false;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  readonly #consumers: { id: ExecutorId; consumer: Consumer }[] = [];
  #closed = false;

  constructor(hub: Hub) {
    this.#hub = hub;
  }

  register(info: ExecutorInfo): Promise<void> {
    return later(() => {
      this.#checkOpen();
      if (info.id.length === 0) throw new Error('an executor id must not be empty');
      this.id = info.id;
      this.ids.add(info.id);
      const beat = { info: { ...info }, registration: crypto.randomUUID() };
      this.#hub.registry.heartbeat(beat);
      if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
      this.#heartbeat = setInterval(() => {
        if (!this.suspended) this.#hub.registry.heartbeat(beat);
      }, this.#hub.heartbeatMs);
    });
  }

  consumeTasks(
    executorId: ExecutorId,
    concurrency: number,
    handler: (payload: Uint8Array, ack: () => void) => void,
  ): Promise<void> {
    return later(() => {
      this.#checkOpen();
      if (!Number.isInteger(concurrency) || concurrency < 1)
        throw new Error(`invalid concurrency ${concurrency}`);
      const consumer: Consumer = { owner: this, concurrency, handler, unacked: new Set() };
      // The caller owns the id now: an earlier consumer of it stops, handing back what it held.
      for (const earlier of [...this.#hub.queue(executorId).consumers])
        this.#hub.dropConsumer(executorId, earlier);
      this.ids.add(executorId);
      this.#hub.queue(executorId).consumers.push(consumer);
      this.#consumers.push({ id: executorId, consumer });
      this.#hub.pump(executorId);
    });
  }

  onControl(executorId: ExecutorId, listener: (payload: Uint8Array) => void): void {
    this.#checkOpen();
    this.ids.add(executorId);
    const listeners = this.#hub.control.get(executorId) ?? [];
    listeners.push({ owner: this, listener });
    this.#hub.control.set(executorId, listeners);
  }

  sendStatus(payload: Uint8Array): Promise<void> {
    const bytes = payload.slice();
    return later(() => {
      this.#checkOpen();
      this.#hub.checkPayload('a status message', bytes);
      this.#hub.driver.status(bytes);
    });
  }

  getObject(name: string): Promise<Uint8Array | null> {
    return later(() => {
      this.#checkOpen();
      return this.#hub.objects.get(name)?.slice() ?? null;
    });
  }

  putObject(name: string, bytes: Uint8Array): Promise<void> {
    const copy = bytes.slice();
    return later(() => {
      this.#checkOpen();
      this.#hub.objects.set(name, copy);
    });
  }

  close(): Promise<void> {
    if (this.#closed) return Promise.resolve();
    const id = this.id;
    this.kill();
    if (id !== undefined) this.#hub.registry.deregistered(id);
    return Promise.resolve();
  }

  /** Stops everything without deregistering. */
  kill(): void {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    for (const { id, consumer } of this.#consumers) this.#hub.dropConsumer(id, consumer);
    this.#consumers.length = 0;
    for (const [id, listeners] of this.#hub.control) {
      this.#hub.control.set(
        id,
        listeners.filter((l) => l.owner !== this),
      );
    }
    this.#hub.executors.delete(this);
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('the control plane is closed');
  }
}

/** Runs `f` on a microtask, as a reply from a server would come back later. */
function later<T>(f: () => T): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    queueMicrotask(() => {
      try {
        resolve(f());
      } catch (e) {
        reject(e instanceof Error ? e : new Error(String(e)));
      }
    });
  });
}
