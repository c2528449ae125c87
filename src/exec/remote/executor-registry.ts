/**
 * The driver's view of which executors are alive, shared by both control planes so that they apply
 * the same rules (nats/nats-control-plane.ts feeds it from the KV bucket's watch,
 * memory-control-plane.ts from its own calls):
 *
 * - An executor is `up` at the first heartbeat of a registration (each `register` call makes a new
 *   registration id); later heartbeats of that registration only refresh it — no second `up`.
 * - It is `down` when deregistered (its key deleted or purged), or when the driver has seen no
 *   heartbeat from it for longer than the timeout (checked on a timer, by the driver's clock).
 * - After a `down` for missed heartbeats, further heartbeats of the same registration are ignored:
 *   the driver has given up its tasks and outputs, so a stalled process that wakes up does not
 *   come back as if nothing happened. It is `up` again only once it registers again.
 * - A registration that heartbeats under an id that is already up (the process restarted with the
 *   same id before the timeout) is a new executor: `down` for the old one, then `up`.
 * - While the driver itself is disconnected from the control plane, executors whose heartbeats it
 *   has not seen for longer than the timeout go `down` (the driver cannot reach them), but without
 *   being barred: they are `up` again at their next heartbeat once the driver is back. A brief
 *   disconnection costs nothing: at reconnection every live executor gets a fresh timeout.
 *
 * A listener first gets an `up` for every executor up now, then the changes.
 */
import type { ExecutorId } from '../task.ts';
import type { ExecutorEvent, ExecutorInfo } from './control-plane.ts';

/** One heartbeat as the registry sees it. */
export interface Heartbeat {
  readonly info: ExecutorInfo;
  /** Identifies one `register` call of one process. */
  readonly registration: string;
}

interface Live {
  readonly info: ExecutorInfo;
  readonly registration: string;
  seenAt: number;
}

export interface ExecutorRegistryOptions {
  readonly timeoutMs: number;
  /** Milliseconds; `Date.now` unless given (fake timers fake it too). */
  readonly now?: () => number;
}

export class ExecutorRegistry {
  readonly #timeoutMs: number;
  readonly #now: () => number;
  readonly #live = new Map<ExecutorId, Live>();
  /** The registration each executor had when it went down for missed heartbeats. */
  readonly #barred = new Map<ExecutorId, string>();
  readonly #listeners: ((event: ExecutorEvent) => void)[] = [];
  #timer: ReturnType<typeof setInterval> | undefined;
  #connected = true;
  #ended = false;

  constructor(options: ExecutorRegistryOptions) {
    if (!(options.timeoutMs > 0)) throw new Error(`heartbeat timeout must be positive: ${options.timeoutMs}`);
    this.#timeoutMs = options.timeoutMs;
    this.#now = options.now ?? Date.now;
  }

  get timeoutMs(): number {
    return this.#timeoutMs;
  }

  /** Starts checking heartbeat ages, five times per timeout. */
  start(): void {
    if (this.#timer !== undefined) return;
    this.#timer = setInterval(() => this.check(), Math.max(10, Math.floor(this.#timeoutMs / 5)));
  }

  stop(): void {
    if (this.#timer !== undefined) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  listen(listener: (event: ExecutorEvent) => void): void {
    this.#listeners.push(listener);
    for (const live of [...this.#live.values()]) deliver(listener, { kind: 'up', info: live.info });
  }

  /** Executors up now. */
  live(): ExecutorInfo[] {
    return [...this.#live.values()].map((l) => l.info);
  }

  heartbeat(beat: Heartbeat): void {
    if (this.#ended) return;
    const id = beat.info.id;
    const live = this.#live.get(id);
    if (live !== undefined && live.registration === beat.registration) {
      live.seenAt = this.#now();
      return;
    }
    if (live === undefined && this.#barred.get(id) === beat.registration) return;
    if (live !== undefined) {
      this.#live.delete(id);
      this.#emit({ kind: 'down', id, reason: 'registered again (a new process under the same id)' });
    }
    this.#barred.delete(id);
    this.#live.set(id, { info: beat.info, registration: beat.registration, seenAt: this.#now() });
    this.#emit({ kind: 'up', info: beat.info });
  }

  deregistered(id: ExecutorId, reason = 'deregistered'): void {
    if (this.#ended) return;
    this.#barred.delete(id);
    if (!this.#live.delete(id)) return;
    this.#emit({ kind: 'down', id, reason });
  }

  /** The driver lost its connection to the control plane (timeouts no longer bar). */
  disconnected(): void {
    this.#connected = false;
  }

  /** The driver is connected again: every live executor gets a fresh timeout. */
  reconnected(): void {
    this.#connected = true;
    const now = this.#now();
    for (const live of this.#live.values()) live.seenAt = now;
  }

  /**
   * Every executor goes down (the driver's connection is gone for good, or closed); nothing more
   * happens after this.
   */
  closed(reason: string): void {
    if (this.#ended) return;
    this.#ended = true;
    this.stop();
    for (const id of [...this.#live.keys()]) {
      this.#live.delete(id);
      this.#emit({ kind: 'down', id, reason });
    }
  }

  /** Emits `down` for each executor whose last heartbeat is older than the timeout. */
  check(): void {
    const now = this.#now();
    for (const [id, live] of [...this.#live]) {
      const age = now - live.seenAt;
      if (age <= this.#timeoutMs) continue;
      this.#live.delete(id);
      if (this.#connected) {
        this.#barred.set(id, live.registration);
        this.#emit({
          kind: 'down',
          id,
          reason: `no heartbeat for ${age} ms (timeout ${this.#timeoutMs} ms)`,
        });
      } else {
        this.#emit({
          kind: 'down',
          id,
          reason: `the driver lost its control-plane connection for ${age} ms`,
        });
      }
    }
  }

  #emit(event: ExecutorEvent): void {
    for (const listener of [...this.#listeners]) deliver(listener, event);
  }
}

/** Calls a listener; an exception it throws is rethrown on its own, not into the plane's loops. */
export function deliver<T>(listener: (value: T) => void, value: T): void {
  try {
    listener(value);
  } catch (e) {
    queueMicrotask(() => {
      throw e;
    });
  }
}

/**
 * The driver's status listeners: every status message goes to each of them, and those that come
 * before the first listener wait for it (the scheduler may attach a moment after connecting).
 */
export class StatusFanout {
  private readonly listeners: ((payload: Uint8Array) => void)[] = [];
  private backlog: Uint8Array[] = [];

  emit(payload: Uint8Array): void {
    if (this.listeners.length === 0) this.backlog.push(payload);
    else for (const listener of [...this.listeners]) deliver(listener, payload);
  }

  listen(listener: (payload: Uint8Array) => void): void {
    this.listeners.push(listener);
    const backlog = this.backlog;
    this.backlog = [];
    for (const payload of backlog) deliver(listener, payload);
  }
}
