/**
 * The control plane on NATS JetStream (control-plane.ts has the contract). Every name is scoped by
 * the cluster id (`[A-Za-z0-9_-]`, at most 32 characters):
 *
 *   tasks     stream KINDLING_<cluster>_TASKS, work-queue retention, subjects
 *             kindling.<cluster>.task.<executor>; each executor process pulls from a durable
 *             consumer `tasks_<executor>_<nonce>` of its own, filtered on its subject, explicit
 *             ack, at most `concurrency` unacknowledged (max_ack_pending). A task delivered but not
 *             acked goes to the next consumer of that executor id at once: `close` deletes the
 *             process's consumer, and `consumeTasks` deletes any other consumer on its subject
 *             (one a dead or stalled predecessor left: the new process owns the id), so what was
 *             delivered unacked is delivered again from the stream. (Handing tasks back
 *             with nak instead can leave them stuck until ack_wait on nats-server 2.9 when the
 *             consumer is at max_ack_pending.) A live consumer that holds a task unacked for
 *             ack_wait (30 s) gets it again.
 *   control   core NATS subject kindling.<cluster>.control.<executor> (fire and forget).
 *   status    stream KINDLING_<cluster>_STATUS, subject kindling.<cluster>.status, kept 5 minutes
 *             (at most 100 000 messages); the driver reads it with an ordered consumer from the
 *             messages published after it connected, so status survives a brief reconnection of
 *             the driver and arrives in the order each executor published it.
 *   registry  KV bucket kindling_<cluster>_executors: key = the executor's id, value = JSON of its
 *             ExecutorInfo plus `heartbeatAt` (its clock, for people) and `registration` (one id per
 *             `register` call); put at `register` and every `heartbeatMs`, deleted by `close`. The
 *             driver watches the bucket and applies executor-registry.ts's rules; nats-server 2.9
 *             has no per-key TTL, so the driver times heartbeats out itself.
 *   objects   object store kindling_<cluster>_broadcast.
 *
 * Executor ids are escaped into subject tokens, KV keys and consumer names (`[A-Za-z0-9-]` kept,
 * every other UTF-8 byte as `_XX`), so `host:7001/3` becomes `host_3A7001_2F3`.
 *
 * The driver creates the streams and buckets, or updates their settings, when it connects; an
 * executor may connect first: its calls wait until the driver has created them. Payloads are bounded
 * by the server's `max_payload` (1 MiB unless configured; 2.9 allows up to 64 MiB, and tests run
 * with 8 MiB); `sendTask`, `sendControl` and `sendStatus` refuse a larger payload with an error
 * saying so. Objects are chunked by the object store and may be of any size. Tasks and status are
 * published with a message id and tried again for up to 30 s while the server does not
 * acknowledge them (the streams drop the duplicates); an executor's status go one at a time, each
 * once the previous one is stored, so a retry keeps their order.
 *
 * Both sides reconnect forever. When the driver's connection drops, the executors whose heartbeats
 * it has not seen for longer than the timeout are reported `down` (they come back `up` at their
 * next heartbeat once it has reconnected); when its connection closes for good, all of them are.
 * `close` stops the timers and consumers and drains the connection; nothing rejects unobserved
 * when the server goes away.
 */
import {
  AckPolicy,
  DeliverPolicy,
  DiscardPolicy,
  JetStreamApiError,
  jetstream,
  jetstreamManager,
  RetentionPolicy,
  StorageType,
  type ConsumerConfig,
  type ConsumerMessages,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type StreamConfig,
} from '@nats-io/jetstream';
import { Kvm, type KV, type KvWatchEntry } from '@nats-io/kv';
import { Objm, type ObjectStore } from '@nats-io/obj';
import { connect, nanos, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ExecutorId } from '../../task.ts';
import type { DriverPlane, ExecutorEvent, ExecutorInfo, ExecutorPlane } from '../control-plane.ts';
import { deliver, ExecutorRegistry, StatusFanout } from '../executor-registry.ts';

export interface DriverPlaneOptions {
  /** `nats://host:port` (several separated by commas). */
  readonly servers: string;
  readonly cluster: string;
  /** An executor is down once the driver has seen no heartbeat for this long; default 5000. */
  readonly heartbeatTimeoutMs?: number;
  /** The server's token, when it requires one. */
  readonly token?: string;
}

export interface ExecutorPlaneOptions {
  readonly servers: string;
  readonly cluster: string;
  /** How often `register` puts the executor's entry again; default 1000. */
  readonly heartbeatMs?: number;
  /** The server's token, when it requires one. */
  readonly token?: string;
}

/** The executor's side, with two fault-injection hooks for tests and drills. */
export interface NatsExecutorPlane extends ExecutorPlane {
  /** Stops (true) or resumes (false) heartbeats without deregistering: a stalled process. */
  suspendHeartbeats(suspended: boolean): void;
  /** Drops the connection without deregistering or handing tasks back: a crashed process. */
  crash(): Promise<void>;
}

/** The names of one cluster's streams, subjects and buckets. */
export interface PlaneNames {
  readonly tasksStream: string;
  /** The tasks stream's subjects: every executor's. */
  readonly taskSubjects: string;
  readonly statusStream: string;
  readonly statusSubject: string;
  readonly registryBucket: string;
  readonly objectBucket: string;
  taskSubject(executorId: ExecutorId): string;
  controlSubject(executorId: ExecutorId): string;
  /** The prefix of the task consumers' names for an executor. */
  taskConsumer(executorId: ExecutorId): string;
}

const STATUS_MAX_AGE_MS = 5 * 60_000;
const STATUS_MAX_MSGS = 100_000;
const TASK_ACK_WAIT_MS = 30_000;
/** A durable task consumer nobody has pulled from for this long is removed by the server. */
const TASK_CONSUMER_INACTIVE_MS = 60 * 60_000;
/** Registry entries (delete markers of gone executors included) expire after a day. */
const REGISTRY_MAX_AGE_MS = 24 * 60 * 60_000;
/** How often an executor looks for the driver's streams before the driver has created them. */
const READY_POLL_MS = 200;
/** How long a task or status publication waits for the stream's acknowledgement at each try. */
const PUBLISH_TRY_MS = 2000;
/** How long it keeps trying (the same message id each time, so it is stored once). */
const PUBLISH_DEADLINE_MS = 30_000;
/** Message ids are remembered this long by the task and status streams. */
const DUPLICATE_WINDOW_MS = 2 * 60_000;

export function planeNames(cluster: string): PlaneNames {
  if (!/^[A-Za-z0-9_-]{1,32}$/.test(cluster)) {
    throw new Error(`invalid cluster id '${cluster}': use 1 to 32 of A-Z a-z 0-9 _ -`);
  }
  return {
    tasksStream: `KINDLING_${cluster}_TASKS`,
    taskSubjects: `kindling.${cluster}.task.*`,
    statusStream: `KINDLING_${cluster}_STATUS`,
    statusSubject: `kindling.${cluster}.status`,
    registryBucket: `kindling_${cluster}_executors`,
    objectBucket: `kindling_${cluster}_broadcast`,
    taskSubject: (id) => `kindling.${cluster}.task.${executorToken(id)}`,
    controlSubject: (id) => `kindling.${cluster}.control.${executorToken(id)}`,
    taskConsumer: (id) => `tasks_${executorToken(id)}`,
  };
}

/** An executor id as a subject token, KV key and consumer name (`[A-Za-z0-9_-]+`, reversible). */
export function executorToken(id: ExecutorId): string {
  if (id.length === 0) throw new Error('an executor id must not be empty');
  let out = '';
  for (const byte of Buffer.from(id, 'utf8')) {
    const c = String.fromCharCode(byte);
    out += /[A-Za-z0-9-]/.test(c) ? c : `_${byte.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  if (out.length > 200) throw new Error(`executor id too long: '${id}'`);
  return out;
}

/** The executor id a token stands for. */
export function executorIdOf(token: string): ExecutorId {
  const bytes: number[] = [];
  for (let i = 0; i < token.length; i++) {
    if (token[i] === '_') {
      bytes.push(parseInt(token.slice(i + 1, i + 3), 16));
      i += 2;
    } else {
      bytes.push(token.charCodeAt(i));
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

function checkPayload(nc: NatsConnection, what: string, payload: Uint8Array): void {
  const max = nc.info?.max_payload;
  if (max !== undefined && payload.length > max) {
    throw new Error(
      `${what} of ${payload.length} bytes exceeds the NATS server's max_payload of ${max} bytes (raise max_payload in its configuration)`,
    );
  }
}

/**
 * Publishes to a stream and waits until it is stored, trying again while the server does not answer
 * (a reconnection, a restarted server recovering its streams) for up to 30 s. Every try carries the
 * same message id, so the stream stores the message once even if an earlier try got through.
 */
async function publishStored(
  js: JetStreamClient,
  nc: NatsConnection,
  subject: string,
  payload: Uint8Array,
  streamName: string,
): Promise<void> {
  const msgID = randomUUID();
  const deadline = Date.now() + PUBLISH_DEADLINE_MS;
  for (let attempt = 0; ; attempt++) {
    try {
      await js.publish(subject, payload, { msgID, expect: { streamName }, timeout: PUBLISH_TRY_MS });
      return;
    } catch (e) {
      // The stream refused it (too big, wrong stream…), or there is no point in trying again.
      if (e instanceof JetStreamApiError || nc.isClosed() || nc.isDraining() || Date.now() >= deadline)
        throw e;
    }
    await new Promise((r) => setTimeout(r, Math.min(1000, 50 * 2 ** attempt)));
  }
}

function isNotFound(e: unknown): boolean {
  return e instanceof JetStreamApiError && (e.code === 10059 || e.code === 10014);
}

/** Creates a stream, or updates it to `config` if it exists. */
async function ensureStream(
  jsm: JetStreamManager,
  config: Partial<StreamConfig> & { name: string },
): Promise<void> {
  try {
    await jsm.streams.info(config.name);
  } catch (e) {
    if (!isNotFound(e)) throw e;
    await jsm.streams.add(config);
    return;
  }
  await jsm.streams.update(config.name, config);
}

function connectOptions(
  servers: string,
  name: string,
  token: string | undefined,
): Parameters<typeof connect>[0] {
  return {
    servers: servers.split(',').map((s) => s.trim()),
    name,
    ...(token === undefined ? {} : { token }),
    maxReconnectAttempts: -1,
    reconnectTimeWait: 250,
  };
}

// ---------------------------------------------------------------------------------------------
// Driver

export async function connectDriverPlane(options: DriverPlaneOptions): Promise<DriverPlane> {
  const names = planeNames(options.cluster);
  const registry = new ExecutorRegistry({ timeoutMs: options.heartbeatTimeoutMs ?? 5000 });
  const nc = await connect(
    connectOptions(options.servers, `kindling-driver-${options.cluster}`, options.token),
  );
  try {
    return await NatsDriverPlane.open(nc, names, registry);
  } catch (e) {
    await nc.close();
    throw e;
  }
}

class NatsDriverPlane implements DriverPlane {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #names: PlaneNames;
  readonly #registry: ExecutorRegistry;
  readonly #kv: KV;
  readonly #objects: ObjectStore;
  readonly #status = new StatusFanout();
  #statusMessages: ConsumerMessages | undefined;
  #watch: { stop(): void } | undefined;
  readonly #loops: Promise<void>[] = [];
  #connected = true;
  #closed = false;

  private constructor(
    nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    names: PlaneNames,
    registry: ExecutorRegistry,
    kv: KV,
    objects: ObjectStore,
  ) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#names = names;
    this.#registry = registry;
    this.#kv = kv;
    this.#objects = objects;
  }

  static async open(
    nc: NatsConnection,
    names: PlaneNames,
    registry: ExecutorRegistry,
  ): Promise<NatsDriverPlane> {
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const maxPayload = nc.info?.max_payload ?? 1024 * 1024;
    await ensureStream(jsm, {
      name: names.tasksStream,
      subjects: [names.taskSubjects],
      retention: RetentionPolicy.Workqueue,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_msg_size: maxPayload,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
    await ensureStream(jsm, {
      name: names.statusStream,
      subjects: [names.statusSubject],
      retention: RetentionPolicy.Limits,
      storage: StorageType.File,
      discard: DiscardPolicy.Old,
      max_age: nanos(STATUS_MAX_AGE_MS),
      max_msgs: STATUS_MAX_MSGS,
      max_msg_size: maxPayload,
      duplicate_window: nanos(DUPLICATE_WINDOW_MS),
    });
    const kv = await new Kvm(js).create(names.registryBucket, { history: 1, ttl: REGISTRY_MAX_AGE_MS });
    const objects = await new Objm(js).create(names.objectBucket, { storage: StorageType.File });
    const plane = new NatsDriverPlane(nc, js, jsm, names, registry, kv, objects);
    await plane.#start();
    return plane;
  }

  async #start(): Promise<void> {
    const consumer = await this.#js.consumers.get(this.#names.statusStream, {
      filter_subjects: this.#names.statusSubject,
      deliver_policy: DeliverPolicy.New,
    });
    const messages = await consumer.consume();
    this.#statusMessages = messages;
    this.#loops.push(this.#readStatus(messages));
    const watch = await this.#kv.watch();
    this.#watch = watch;
    this.#loops.push(this.#readRegistry(watch));
    this.#loops.push(this.#followConnection());
    this.#registry.start();
  }

  async #readStatus(messages: ConsumerMessages): Promise<void> {
    try {
      for await (const m of messages) {
        this.#status.emit(m.data);
      }
    } catch {
      // The connection closed; #followConnection reports it.
    }
  }

  async #readRegistry(watch: AsyncIterable<KvWatchEntry>): Promise<void> {
    try {
      for await (const e of watch) this.#onRegistryEntry(e);
    } catch {
      // As above.
    }
  }

  #onRegistryEntry(e: KvWatchEntry): void {
    const id = executorIdOf(e.key);
    if (e.operation !== 'PUT') {
      this.#registry.deregistered(id);
      return;
    }
    // An entry the server stored longer ago than the timeout is a heartbeat of an executor that
    // died without deregistering (seen when the driver starts, or catches up after reconnecting).
    if (Date.now() - e.created.getTime() > this.#registry.timeoutMs) return;
    const beat = parseEntry(e.value);
    if (beat === undefined || beat.info.id !== id) return;
    this.#registry.heartbeat(beat);
  }

  async #followConnection(): Promise<void> {
    const closed = this.#nc.closed().then(() => undefined);
    try {
      for await (const s of this.#nc.status()) {
        if (s.type === 'disconnect') {
          this.#connected = false;
          this.#registry.disconnected();
        } else if (s.type === 'reconnect') {
          this.#connected = true;
          this.#registry.reconnected();
        }
      }
    } catch {
      // The status iterator ends with the connection.
    }
    await closed;
    this.#registry.stop();
    this.#registry.closed(
      this.#closed ? 'the driver closed the control plane' : 'the driver lost its NATS connection',
    );
  }

  async sendTask(executorId: ExecutorId, payload: Uint8Array): Promise<void> {
    this.#checkOpen();
    checkPayload(this.#nc, 'a task', payload);
    await publishStored(
      this.#js,
      this.#nc,
      this.#names.taskSubject(executorId),
      payload,
      this.#names.tasksStream,
    );
  }

  async purgeTasks(executorId: ExecutorId): Promise<void> {
    this.#checkOpen();
    await this.#jsm.streams.purge(this.#names.tasksStream, { filter: this.#names.taskSubject(executorId) });
  }

  sendControl(executorId: ExecutorId, payload: Uint8Array): void {
    this.#checkOpen();
    checkPayload(this.#nc, 'a control message', payload);
    this.#nc.publish(this.#names.controlSubject(executorId), payload);
  }

  onStatus(listener: (payload: Uint8Array) => void): void {
    this.#status.listen(listener);
  }

  watchExecutors(listener: (event: ExecutorEvent) => void): void {
    this.#registry.listen(listener);
  }

  async putObject(name: string, bytes: Uint8Array): Promise<void> {
    this.#checkOpen();
    await this.#objects.putBlob({ name }, bytes);
  }

  async deleteObject(name: string): Promise<void> {
    this.#checkOpen();
    await this.#objects.delete(name);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#registry.stop();
    this.#watch?.stop();
    if (this.#connected && this.#statusMessages !== undefined) {
      await this.#statusMessages.close().catch(() => undefined);
    }
    await closeConnection(this.#nc, this.#connected);
    await Promise.all(this.#loops);
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('the control plane is closed');
  }
}

function parseEntry(value: Uint8Array): { info: ExecutorInfo; registration: string } | undefined {
  try {
    const v = JSON.parse(Buffer.from(value).toString('utf8')) as Partial<Record<string, unknown>>;
    if (
      typeof v['id'] !== 'string' ||
      typeof v['flight'] !== 'string' ||
      typeof v['cores'] !== 'number' ||
      typeof v['memory'] !== 'number' ||
      typeof v['pid'] !== 'number' ||
      typeof v['hostname'] !== 'string' ||
      typeof v['registration'] !== 'string'
    ) {
      return undefined;
    }
    const info: ExecutorInfo = {
      id: v['id'],
      flight: v['flight'],
      cores: v['cores'],
      memory: v['memory'],
      pid: v['pid'],
      hostname: v['hostname'],
    };
    return { info, registration: v['registration'] };
  } catch {
    return undefined;
  }
}

/**
 * Drains a connection (flushing what is pending), or closes it when draining is not possible: while
 * it is disconnected (nothing could be flushed), or when draining takes more than 5 seconds.
 */
async function closeConnection(nc: NatsConnection, connected: boolean): Promise<void> {
  if (nc.isClosed()) return;
  if (!connected) {
    await nc.close();
    return;
  }
  if (nc.isDraining()) {
    await nc.closed();
    return;
  }
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      nc.drain(),
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('drain timed out')), 5000);
      }),
    ]);
  } catch {
    await nc.close().catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------------------------------------
// Executor

export async function connectExecutorPlane(options: ExecutorPlaneOptions): Promise<NatsExecutorPlane> {
  const names = planeNames(options.cluster);
  const heartbeatMs = options.heartbeatMs ?? 1000;
  if (!(heartbeatMs > 0)) throw new Error(`heartbeatMs must be positive: ${heartbeatMs}`);
  const nc = await connect(
    connectOptions(options.servers, `kindling-executor-${options.cluster}@${hostname()}`, options.token),
  );
  try {
    const jsm = await jetstreamManager(nc);
    return new NatsExecutor(nc, jetstream(nc), jsm, names, heartbeatMs);
  } catch (e) {
    await nc.close();
    throw e;
  }
}

interface TaskConsumer {
  readonly messages: ConsumerMessages;
  /** Delivered to the handler, not acked yet. */
  readonly unacked: Set<JsMsg>;
  /** Once set, what still arrives is not handed to the handler. */
  readonly state: { closing: boolean };
  readonly name: string;
}

class NatsExecutor implements NatsExecutorPlane {
  readonly #nc: NatsConnection;
  readonly #js: JetStreamClient;
  readonly #jsm: JetStreamManager;
  readonly #names: PlaneNames;
  readonly #heartbeatMs: number;
  readonly #ready: Promise<{ kv: KV; objects: ObjectStore }>;
  readonly #consumers: TaskConsumer[] = [];
  readonly #subscriptions: Subscription[] = [];
  #registered: { key: string; value: Uint8Array } | undefined;
  #heartbeat: ReturnType<typeof setInterval> | undefined;
  #beating = false;
  #suspended = false;
  #closed = false;
  #connected = true;
  #statusSent: Promise<void> = Promise.resolve();
  readonly #following: Promise<void>;
  #wakeReady: (() => void) | undefined;

  constructor(
    nc: NatsConnection,
    js: JetStreamClient,
    jsm: JetStreamManager,
    names: PlaneNames,
    heartbeatMs: number,
  ) {
    this.#nc = nc;
    this.#js = js;
    this.#jsm = jsm;
    this.#names = names;
    this.#heartbeatMs = heartbeatMs;
    this.#ready = this.#waitForDriver();
    // Callers observe failures through the calls that await it; this keeps an early close quiet.
    this.#ready.catch(() => undefined);
    this.#following = this.#followConnection();
  }

  async #followConnection(): Promise<void> {
    try {
      for await (const s of this.#nc.status()) {
        if (s.type === 'disconnect') this.#connected = false;
        else if (s.type === 'reconnect') this.#connected = true;
      }
    } catch {
      // The status iterator ends with the connection.
    }
  }

  /** Waits until the driver has created the streams and buckets, then binds to them. */
  async #waitForDriver(): Promise<{ kv: KV; objects: ObjectStore }> {
    const streams = [
      this.#names.tasksStream,
      this.#names.statusStream,
      `KV_${this.#names.registryBucket}`,
      `OBJ_${this.#names.objectBucket}`,
    ];
    for (const stream of streams) {
      for (;;) {
        this.#checkOpen();
        try {
          await this.#jsm.streams.info(stream);
          break;
        } catch (e) {
          if (!isNotFound(e)) throw e;
        }
        await new Promise<void>((resolve) => {
          const timer = setTimeout(resolve, READY_POLL_MS);
          this.#wakeReady = () => {
            clearTimeout(timer);
            resolve();
          };
        });
        this.#wakeReady = undefined;
      }
    }
    this.#checkOpen();
    const kv = await new Kvm(this.#js).open(this.#names.registryBucket);
    const objects = await new Objm(this.#js).open(this.#names.objectBucket);
    return { kv, objects };
  }

  async register(info: ExecutorInfo): Promise<void> {
    const key = executorToken(info.id);
    const { kv } = await this.#ready;
    this.#checkOpen();
    const value = Buffer.from(JSON.stringify({ ...info, registration: randomUUID() }), 'utf8');
    this.#registered = { key, value };
    await kv.put(key, withHeartbeatAt(value));
    if (this.#heartbeat === undefined) {
      this.#heartbeat = setInterval(() => void this.#beat(kv), this.#heartbeatMs);
    }
  }

  async #beat(kv: KV): Promise<void> {
    const registered = this.#registered;
    if (this.#beating || this.#suspended || this.#closed || registered === undefined) return;
    this.#beating = true;
    try {
      await kv.put(registered.key, withHeartbeatAt(registered.value));
    } catch {
      // Disconnected: the next beat tries again, and the driver times the executor out meanwhile.
    } finally {
      this.#beating = false;
    }
  }

  suspendHeartbeats(suspended: boolean): void {
    this.#suspended = suspended;
  }

  async consumeTasks(
    executorId: ExecutorId,
    concurrency: number,
    handler: (payload: Uint8Array, ack: () => void) => void,
  ): Promise<void> {
    if (!Number.isInteger(concurrency) || concurrency < 1)
      throw new Error(`invalid concurrency ${concurrency}`);
    const name = `${this.#names.taskConsumer(executorId)}_${randomUUID().replaceAll('-', '').slice(0, 12)}`;
    const subject = this.#names.taskSubject(executorId);
    await this.#ready;
    this.#checkOpen();
    const config: Partial<ConsumerConfig> & { durable_name: string } = {
      durable_name: name,
      filter_subject: subject,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      ack_wait: nanos(TASK_ACK_WAIT_MS),
      max_ack_pending: concurrency,
      inactive_threshold: nanos(TASK_CONSUMER_INACTIVE_MS),
    };
    // A consumer left by an earlier process under this id goes, with what it held unacked: a fresh
    // consumer is delivered every task still in the stream for this id.
    const earlier: string[] = [];
    for await (const ci of this.#jsm.consumers.list(this.#names.tasksStream)) {
      if (ci.config.filter_subject === subject) earlier.push(ci.name);
    }
    for (const n of earlier) await this.#deleteConsumer(n);
    await this.#jsm.consumers.add(this.#names.tasksStream, config);
    const consumer = await this.#js.consumers.get(this.#names.tasksStream, name);
    const unacked = new Set<JsMsg>();
    const state = { closing: false };
    const messages = await consumer.consume({
      max_messages: concurrency,
      callback: (m) => {
        if (state.closing) return;
        unacked.add(m);
        let acked = false;
        const ack = (): void => {
          if (acked) return;
          acked = true;
          if (unacked.delete(m)) m.ack();
        };
        deliver((payload: Uint8Array) => handler(payload, ack), m.data);
      },
    });
    this.#consumers.push({ messages, unacked, state, name });
  }

  async #deleteConsumer(name: string): Promise<void> {
    try {
      await this.#jsm.consumers.delete(this.#names.tasksStream, name);
    } catch (e) {
      if (!isNotFound(e)) throw e;
    }
  }

  onControl(executorId: ExecutorId, listener: (payload: Uint8Array) => void): void {
    this.#checkOpen();
    this.#subscriptions.push(
      this.#nc.subscribe(this.#names.controlSubject(executorId), {
        callback: (err, msg) => {
          if (err === null) deliver(listener, msg.data);
        },
      }),
    );
  }

  /**
   * One status at a time: each waits until the one before is stored, so that one tried again after
   * a reconnection cannot land behind a later one.
   */
  sendStatus(payload: Uint8Array): Promise<void> {
    const sent = this.#statusSent.then(async () => {
      await this.#ready;
      this.#checkOpen();
      checkPayload(this.#nc, 'a status message', payload);
      await publishStored(this.#js, this.#nc, this.#names.statusSubject, payload, this.#names.statusStream);
    });
    this.#statusSent = sent.catch(() => undefined);
    return sent;
  }

  async getObject(name: string): Promise<Uint8Array | null> {
    const { objects } = await this.#ready;
    this.#checkOpen();
    return objects.getBlob(name);
  }

  async putObject(name: string, bytes: Uint8Array): Promise<void> {
    const { objects } = await this.#ready;
    this.#checkOpen();
    await objects.putBlob({ name }, bytes);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#stop();
    const connected = this.#connected;
    for (const c of this.#consumers) {
      c.state.closing = true;
      c.unacked.clear();
      if (!connected) {
        c.messages.stop();
        continue;
      }
      await c.messages.close().catch(() => undefined);
      // What this process received but did not ack goes to the next consumer of the id at once.
      await this.#deleteConsumer(c.name).catch(() => undefined);
    }
    const registered = this.#registered;
    if (registered !== undefined && connected) {
      try {
        const { kv } = await this.#ready;
        await kv.delete(registered.key);
      } catch {
        // The server went away meanwhile: the driver times this executor out instead.
      }
    }
    await closeConnection(this.#nc, this.#connected);
    await this.#following;
  }

  async crash(): Promise<void> {
    if (this.#closed) return;
    this.#stop();
    await this.#nc.close();
    await this.#following;
  }

  #stop(): void {
    this.#closed = true;
    if (this.#heartbeat !== undefined) clearInterval(this.#heartbeat);
    this.#heartbeat = undefined;
    this.#wakeReady?.();
    for (const s of this.#subscriptions) s.unsubscribe();
  }

  #checkOpen(): void {
    if (this.#closed) throw new Error('the control plane is closed');
  }
}

/** The registry value with `heartbeatAt` (the executor's clock, informative only) set to now. */
function withHeartbeatAt(value: Uint8Array): Uint8Array {
  const text = Buffer.from(value).toString('utf8');
  return Buffer.from(`${text.slice(0, -1)},"heartbeatAt":${Date.now()}}`, 'utf8');
}
