/**
 * The control plane between a driver and its executor processes, as the scheduler sees it: tasks
 * go to an executor, control messages (cancel, release) follow them, status comes back, executors
 * register and heartbeat, where each map output lives is recorded, and broadcast data is put once
 * where every executor can get it. Data never flows through tasks, control or status (map outputs
 * and results go over Arrow Flight, flight/; broadcasts and cached tables through the object store).
 *
 * NATS JetStream implements it (nats/nats-control-plane.ts): tasks on a work-queue stream with
 * explicit ack (an executor that dies before acking leaves its task to be redelivered or purged),
 * status on a stream the driver consumes, registrations and heartbeats in a KV bucket, map-output
 * locations in a sibling KV bucket, broadcasts in the object store. An in-memory twin (memory-control-plane.ts) runs the scheduler's tests with
 * injected failures. Payloads are opaque bytes: the scheduler encodes its own messages.
 *
 * Every name is scoped by a cluster id, so several drivers (and test runs) share one NATS server.
 */
import type { ExecutorId } from '../task.ts';

/** The environment variable that carries the NATS token to executors and drivers. */
export const NATS_TOKEN_ENV = 'KINDLING_NATS_TOKEN';

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

/**
 * Where one map output lives: recorded by the driver when its map task succeeds, removed when its
 * query ends, its stage is released, or its executor is lost.
 */
export interface MapOutputLocation {
  /** The driver that ran the query (query ids are unique per driver only). */
  readonly driver: string;
  readonly queryId: string;
  readonly stageId: number;
  /** The map partition. */
  readonly map: number;
  /** The task attempt that wrote it. */
  readonly attempt: number;
  readonly executorId: ExecutorId;
  /** `host:port` of that executor's Flight server. */
  readonly flight: string;
  /** A broadcast's output: the object its map task put it in; null for other exchanges. */
  readonly object: string | null;
}

export type ExecutorEvent =
  | { readonly kind: 'up'; readonly info: ExecutorInfo }
  /** Deregistered, or missed heartbeats for longer than the timeout. */
  | { readonly kind: 'down'; readonly id: ExecutorId; readonly reason: string };

/**
 * The driver's side. Task, control and status payloads are bounded by the transport (NATS:
 * the server's `max_payload`); a larger one is refused with an error saying so.
 */
export interface DriverPlane {
  /** Queues a task for one executor; resolves once the queue has stored it. */
  sendTask(executorId: ExecutorId, payload: Uint8Array): Promise<void>;
  /** Drops the tasks still queued for an executor (it was lost). */
  purgeTasks(executorId: ExecutorId): Promise<void>;
  /** A message to one executor now, not queued (cancel, release); lost if it is not there. */
  sendControl(executorId: ExecutorId, payload: Uint8Array): void;
  /**
   * Every status message any executor sends after the driver connected, in the order each executor
   * sent them; those that came before the first listener are kept for it.
   */
  onStatus(listener: (payload: Uint8Array) => void): void;
  /**
   * Executors coming and going: first an `up` for each one registered now, then changes. `down`
   * also when an executor's heartbeat is older than the plane's timeout. One `up` per registration
   * whatever its heartbeats; after a `down` for missed heartbeats an executor is `up` again only
   * once it registers again (executor-registry.ts has the rules). When the driver loses its own
   * connection to the plane for longer than the timeout, its executors are reported `down`, and
   * `up` again at their next heartbeat once it is back.
   */
  watchExecutors(listener: (event: ExecutorEvent) => void): void;
  /** Puts a broadcast's bytes where every executor can get them (of any size). */
  putObject(name: string, bytes: Uint8Array): Promise<void>;
  /** Removes a broadcast; nothing happens if there is none of that name. */
  deleteObject(name: string): Promise<void>;
  /** The names of the objects stored now that start with `prefix`. */
  listObjects(prefix: string): Promise<string[]>;
  /** Records where a map output lives (replacing what was recorded for that map partition). */
  putMapOutput(location: MapOutputLocation): Promise<void>;
  /** The map outputs recorded for a driver: all of them, or those of one of its queries. */
  mapOutputs(driver: string, queryId?: string): Promise<MapOutputLocation[]>;
  /** Removes these records (those already gone are skipped). */
  deleteMapOutputs(locations: readonly MapOutputLocation[]): Promise<void>;
  /** Stops listening and disconnects; every executor still up is then reported `down`. */
  close(): Promise<void>;
}

/** An executor's side. */
export interface ExecutorPlane {
  /** Registers, and heartbeats until `close`; waits until the driver has set the plane up. */
  register(info: ExecutorInfo): Promise<void>;
  /**
   * Calls `handler` for each task queued for `executorId`, at most `concurrency` unacknowledged at
   * once; `ack` removes the task from the queue (call it once the task is running). The process
   * calling it owns the id: tasks a closed or dead predecessor under the same id received but did
   * not ack are delivered again, to it.
   */
  consumeTasks(
    executorId: ExecutorId,
    concurrency: number,
    handler: (payload: Uint8Array, ack: () => void) => void,
  ): Promise<void>;
  /**
   * Control messages for `executorId` from now on: once the plane has made its next round trip
   * (call it before `register`), the driver's messages reach it.
   */
  onControl(executorId: ExecutorId, listener: (payload: Uint8Array) => void): void;
  /** Resolves once the status is stored for the driver; waits for the driver's plane to exist. */
  sendStatus(payload: Uint8Array): Promise<void>;
  /** A broadcast's bytes, or null if there is none of that name. */
  getObject(name: string): Promise<Uint8Array | null>;
  /** Puts an object every executor can get (a broadcast map output, a cache partition; any size). */
  putObject(name: string, bytes: Uint8Array): Promise<void>;
  /** Deregisters, hands back the tasks received but not acked, and disconnects. */
  close(): Promise<void>;
}
