/**
 * The control plane between a driver and its executor processes, as the scheduler sees it: tasks
 * go to an executor, control messages (cancel, release) follow them, status comes back, executors
 * register and heartbeat, and broadcast data is put once where every executor can get it. Data
 * never flows here (map outputs and results go over Arrow Flight, flight/).
 *
 * NATS JetStream implements it (nats/nats-control-plane.ts): tasks on a work-queue stream with
 * explicit ack (an executor that dies before acking leaves its task to be redelivered or purged),
 * status on a stream the driver consumes, registrations and heartbeats in a KV bucket, broadcasts in
 * the object store. An in-memory twin (memory-control-plane.ts) runs the scheduler's tests with
 * injected failures. Payloads are opaque bytes: the scheduler encodes its own messages.
 *
 * Every name is scoped by a cluster id, so several drivers (and test runs) share one NATS server.
 */
import type { ExecutorId } from '../task.ts';

/** What an executor says of itself when it registers. */
export interface ExecutorInfo {
  readonly id: ExecutorId;
  /** `host:port` of its Flight server. */
  readonly flight: string;
  /** Tasks it runs at once. */
  readonly cores: number;
  /** Bytes of memory its tasks may reserve. */
  readonly memory: number;
  readonly pid: number;
  readonly hostname: string;
}

export type ExecutorEvent =
  | { readonly kind: 'up'; readonly info: ExecutorInfo }
  /** Deregistered, or missed heartbeats for longer than the timeout. */
  | { readonly kind: 'down'; readonly id: ExecutorId; readonly reason: string };

/** The driver's side. */
export interface DriverPlane {
  /** Queues a task for one executor; resolves once the queue has stored it. */
  sendTask(executorId: ExecutorId, payload: Uint8Array): Promise<void>;
  /** Drops the tasks still queued for an executor (it was lost). */
  purgeTasks(executorId: ExecutorId): Promise<void>;
  /** A message to one executor now, not queued (cancel, release); lost if it is not there. */
  sendControl(executorId: ExecutorId, payload: Uint8Array): void;
  /** Every status message any executor sends, in the order each executor sent them. */
  onStatus(listener: (payload: Uint8Array) => void): void;
  /**
   * Executors coming and going: first an `up` for each one registered now, then changes. `down`
   * also when an executor's heartbeat is older than the plane's timeout.
   */
  watchExecutors(listener: (event: ExecutorEvent) => void): void;
  /** Puts a broadcast's bytes where every executor can get them. */
  putObject(name: string, bytes: Uint8Array): Promise<void>;
  deleteObject(name: string): Promise<void>;
  close(): Promise<void>;
}

/** An executor's side. */
export interface ExecutorPlane {
  /** Registers, and heartbeats until `close`. */
  register(info: ExecutorInfo): Promise<void>;
  /**
   * Calls `handler` for each task queued for `executorId`, at most `concurrency` unacknowledged at
   * once; `ack` removes the task from the queue (call it once the task is running).
   */
  consumeTasks(
    executorId: ExecutorId,
    concurrency: number,
    handler: (payload: Uint8Array, ack: () => void) => void,
  ): Promise<void>;
  onControl(executorId: ExecutorId, listener: (payload: Uint8Array) => void): void;
  sendStatus(payload: Uint8Array): Promise<void>;
  getObject(name: string): Promise<Uint8Array | null>;
  /** Deregisters and disconnects. */
  close(): Promise<void>;
}
