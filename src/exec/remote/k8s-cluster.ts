/**
 * The `k8s://https://host:port` cluster manager: executor pods created through the Kubernetes API
 * by a driver that (usually) runs in a pod itself. Each pod runs `kindling executor`, which
 * registers itself on the control plane (NATS); this manager only creates and deletes pods and
 * says when one is gone — sooner than missed heartbeats would — and replaces it.
 *
 *   start()  creates N pods `<cluster>-exec-<n>` (n grows over the manager's life), labelled with
 *            the cluster, owned by the driver pod (so they die with it), `restartPolicy: Never`;
 *            then watches the pods with the cluster's label selector.
 *   watch    a pod DELETED, in phase Failed/Succeeded, or whose executor container terminated is
 *            reported once (`onExecutorExit`), deleted if it still exists, and replaced by a new
 *            pod (ever more slowly when they keep dying). When the API server ends the watch (it
 *            does periodically) it resumes from the last resourceVersion seen; when that is too old
 *            (410 Gone) it lists the pods again and reports the ones that vanished meanwhile.
 *   kill(id) deletes the pod at once (grace period 0): lost as if it had crashed.
 *   close()  stops the watch and deletes the pods it made.
 *
 * API failures (403 forbidden, 422 invalid, …) are EngineErrors naming the pod and the API's
 * Status message; a pod that cannot be created is reported as an exit and retried with backoff,
 * and `ready()` rejects with the first such error so a driver can fail fast.
 *
 * `executorPodSpec` builds the pod object on its own (pure); a pod template (Spark's
 * podTemplateFile) is merged under what the manager sets.
 */
import { existsSync } from 'node:fs';
import {
  ApiException,
  CoreV1Api,
  KubeConfig,
  Watch,
  type V1Container,
  type V1EnvVar,
  type V1Pod,
  type V1Volume,
  type V1VolumeMount,
} from '@kubernetes/client-node';
import { EngineError, SqlState } from '../../common/index.ts';
import type { ExecutorId } from '../task.ts';
import { ReplacementBackoff } from '../replacement-backoff.ts';
import type { ClusterManager } from './cluster-manager.ts';
import { NATS_TOKEN_ENV } from './control-plane.ts';

export interface K8sClusterOptions {
  /** The API server, as `k8s://` gives it: `https://host:port`. */
  readonly apiServer: string;
  readonly namespace: string;
  /** The driver's pod (downward API: KINDLING_DRIVER_POD_NAME/UID): owner of the executor pods. */
  readonly driverPod: { readonly name: string; readonly uid: string } | null;
  readonly image: string;
  readonly executors: number;
  /** Tasks each executor runs at once (and CPUs its container gets). */
  readonly cores: number;
  /** Bytes each executor's tasks may reserve (its container gets this plus an overhead). */
  readonly memory: number;
  /** The NATS server the executors connect to, `nats://host:port`. */
  readonly natsUrl: string;
  /** The cluster id: names the pods and labels them; a DNS label (lowercase, digits, `-`). */
  readonly cluster: string;
  /** A parsed pod template merged under what the manager sets. */
  readonly template?: object;
  /** The Secret holding the NATS token; the executors get it as KINDLING_NATS_TOKEN. */
  readonly tokenSecret?: { readonly name: string; readonly key: string };
  /** Default: the service account's in-cluster config, else the default kubeconfig. */
  readonly kubeConfig?: KubeConfig;
  /** Where the manager's messages go (default: stderr). */
  readonly log?: (line: string) => void;
  /**
   * How long a watch may go without a byte before the client ends it (the client's default is 30 s;
   * tests shorten it). An idle watch ending so is resumed at once, as one the server ended.
   */
  readonly watchIdleTimeoutMs?: number;
}

export const EXECUTOR_CONTAINER = 'executor';
/** Where executors spill and keep map outputs: an emptyDir of the pod. */
export const EXECUTOR_LOCAL_DIR = '/tmp/kindling';
const LOCAL_VOLUME = 'kindling-local';
const MiB = 1024 * 1024;

export const LABEL_NAME = 'app.kubernetes.io/name';
export const LABEL_CLUSTER = 'kindling.io/cluster';
export const LABEL_ROLE = 'kindling.io/role';

/** The label selector of a cluster's executor pods. */
export function executorSelector(cluster: string): string {
  return `${LABEL_NAME}=kindling,${LABEL_CLUSTER}=${cluster},${LABEL_ROLE}=executor`;
}

/** Memory of an executor's container: what its tasks may reserve plus Node's own (≥ 384 MiB, 10%). */
export function containerMemory(memory: number): number {
  return memory + Math.max(384 * MiB, Math.ceil(memory * 0.1));
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Items of `ours` replace those of `theirs` with the same name; the rest of theirs stay first. */
function byName<T extends { name: string }>(theirs: readonly T[] | undefined, ours: readonly T[]): T[] {
  const names = new Set(ours.map((x) => x.name));
  return [...(theirs ?? []).filter((x) => !names.has(x.name)), ...ours];
}

/**
 * The executor pod `name` (also its executor id): the template's pod with the manager's fields on
 * top. The template keeps its labels, annotations, node selector, tolerations, volumes, its first
 * container's mounts, ports, probes and the like, and any other containers (sidecars); the manager
 * sets the name, namespace, its labels, the owner, `restartPolicy`, and the first container's name,
 * image, args (the image's entrypoint runs `kindling`), env by name, CPU and memory.
 */
export function executorPodSpec(options: K8sClusterOptions, name: string): V1Pod {
  if (
    options.template !== undefined &&
    (!isRecord(options.template) || ('kind' in options.template && options.template.kind !== 'Pod'))
  ) {
    throw new EngineError(SqlState.invalidParameterValue, 'the executor pod template is not a Pod');
  }
  const template = (options.template === undefined ? {} : structuredClone(options.template)) as V1Pod;
  const meta = template.metadata ?? {};
  const spec = template.spec ?? { containers: [] };
  const [first, ...sidecars] = spec.containers ?? [];
  const base: V1Container = first ?? { name: EXECUTOR_CONTAINER };
  const env: V1EnvVar[] = [
    { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ...(options.tokenSecret === undefined
      ? []
      : [
          {
            name: NATS_TOKEN_ENV,
            valueFrom: { secretKeyRef: { name: options.tokenSecret.name, key: options.tokenSecret.key } },
          },
        ]),
  ];
  const memory = String(containerMemory(options.memory));
  const cpu = String(options.cores);
  const mounts: V1VolumeMount[] = [{ name: LOCAL_VOLUME, mountPath: EXECUTOR_LOCAL_DIR }];
  const volumes: V1Volume[] = [{ name: LOCAL_VOLUME, emptyDir: {} }];
  const { command: _command, ...baseWithoutCommand } = base;
  const container: V1Container = {
    ...baseWithoutCommand,
    name: EXECUTOR_CONTAINER,
    image: options.image,
    args: [
      'executor',
      '--master',
      options.natsUrl,
      '--cluster',
      options.cluster,
      '--id',
      name,
      '--cores',
      cpu,
      '--memory',
      String(options.memory),
      '--local-dir',
      EXECUTOR_LOCAL_DIR,
      '--host',
      '$(POD_IP)',
    ],
    env: byName(base.env, env),
    resources: {
      ...base.resources,
      requests: { ...base.resources?.requests, cpu, memory },
      limits: { ...base.resources?.limits, cpu, memory },
    },
    volumeMounts: [
      ...(base.volumeMounts ?? []).filter(
        (m) => m.name !== LOCAL_VOLUME && m.mountPath !== EXECUTOR_LOCAL_DIR,
      ),
      ...mounts,
    ],
  };
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      ...meta,
      name,
      namespace: options.namespace,
      labels: {
        ...meta.labels,
        [LABEL_NAME]: 'kindling',
        [LABEL_CLUSTER]: options.cluster,
        [LABEL_ROLE]: 'executor',
      },
      ...(options.driverPod === null
        ? {}
        : {
            ownerReferences: [
              {
                apiVersion: 'v1',
                kind: 'Pod',
                name: options.driverPod.name,
                uid: options.driverPod.uid,
                controller: true,
                blockOwnerDeletion: true,
              },
            ],
          }),
    },
    spec: {
      ...spec,
      restartPolicy: 'Never',
      containers: [container, ...sidecars],
      volumes: byName(spec.volumes, volumes),
    },
  };
}

/** Why a pod counts as gone (null: it is alive, or still starting). */
export function podExit(pod: V1Pod): string | null {
  const name = pod.metadata?.name ?? '?';
  const phase = pod.status?.phase;
  const detail = [pod.status?.reason, pod.status?.message]
    .filter((x) => x !== undefined && x !== '')
    .join(': ');
  if (phase === 'Failed') return `its pod ${name} failed${detail === '' ? '' : ` (${detail})`}`;
  if (phase === 'Succeeded') return `its pod ${name} exited`;
  const terminated = pod.status?.containerStatuses?.find((c) => c.name === EXECUTOR_CONTAINER)?.state
    ?.terminated;
  if (terminated !== undefined) {
    const why = terminated.reason === undefined ? '' : ` (${terminated.reason})`;
    return `its container in pod ${name} exited with code ${terminated.exitCode}${why}`;
  }
  return null;
}

/** The Status message of a failed API call, as an EngineError naming what was being done. */
export function apiError(action: string, err: unknown): EngineError {
  if (err instanceof ApiException) {
    const code = (err as ApiException<unknown>).code;
    const raw: unknown = (err as ApiException<unknown>).body;
    let message = '';
    let reason = '';
    let parsed: unknown = raw;
    if (typeof raw === 'string') {
      try {
        parsed = JSON.parse(raw);
      } catch {
        message = raw;
      }
    }
    if (isRecord(parsed)) {
      if (typeof parsed.message === 'string') message = parsed.message;
      if (typeof parsed.reason === 'string') reason = parsed.reason;
    }
    const state =
      code === 401 || code === 403
        ? SqlState.insufficientPrivilege
        : code === 400 || code === 422
          ? SqlState.invalidParameterValue
          : SqlState.ioError;
    const status = `${code}${reason === '' ? '' : ` ${reason}`}`;
    return new EngineError(
      state,
      `${action}: the Kubernetes API answered ${status}${message === '' ? '' : `: ${message}`}`,
      {
        cause: err,
      },
    );
  }
  const message = err instanceof Error ? err.message : String(err);
  // A watch that could not start: an Error with the HTTP status (and its text as the message).
  const code = isRecord(err) && typeof err.statusCode === 'number' ? err.statusCode : undefined;
  if (code !== undefined) {
    const state = code === 401 || code === 403 ? SqlState.insufficientPrivilege : SqlState.ioError;
    return new EngineError(state, `${action}: the Kubernetes API answered ${code} ${message}`, {
      cause: err,
    });
  }
  return new EngineError(SqlState.ioError, `${action}: ${message}`, { cause: err });
}

/** The KubeConfig of a driver: the service account's when in a pod, else ~/.kube/config; at `apiServer`. */
export function defaultKubeConfig(apiServer: string): KubeConfig {
  const kc = new KubeConfig();
  if (existsSync('/var/run/secrets/kubernetes.io/serviceaccount/token')) kc.loadFromCluster();
  else kc.loadFromDefault();
  const cluster = kc.getCurrentCluster();
  const user = kc.getCurrentUser();
  if (cluster !== null && user !== null && cluster.server !== apiServer) {
    kc.loadFromClusterAndUser({ ...cluster, server: apiServer }, user);
  }
  return kc;
}

function isIdleTimeout(err: unknown): boolean {
  return err instanceof Error && err.name === 'TimeoutError';
}

/** Container states that do not end by themselves: an operator must act (logged once per pod). */
const STUCK = new Set([
  'ErrImagePull',
  'ImagePullBackOff',
  'InvalidImageName',
  'CreateContainerConfigError',
  'CreateContainerError',
]);

interface Tracked {
  readonly name: string;
  /** Its creation was answered (or failed): before that a DELETE may not find it. */
  created: boolean;
  /** The stuck state last logged for it. */
  stuck?: string;
}

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;

export class K8sClusterManager implements ClusterManager {
  private readonly options: K8sClusterOptions;
  private readonly api: CoreV1Api;
  private readonly watcher: Watch;
  private readonly pods = new Map<string, Tracked>();
  private readonly exitListeners: ((id: ExecutorId, reason: string) => void)[] = [];
  private readonly log: (line: string) => void;
  private readonly pending = new Set<Promise<unknown>>();
  private readonly timers = new Set<NodeJS.Timeout>();
  private generation = 0;
  private closed = false;
  private started = false;
  private readonly backoff = new ReplacementBackoff();
  private resourceVersion: string | undefined;
  private abort: AbortController | undefined;
  /** The watch connection that is current (an ended one's callbacks are ignored). */
  private watchGeneration = 0;
  private watchFailures = 0;
  private readyPromise: Promise<void> = Promise.resolve();

  constructor(options: K8sClusterOptions) {
    if (!DNS_LABEL.test(options.cluster) || options.cluster.length > 40) {
      throw new EngineError(
        SqlState.invalidParameterValue,
        `invalid cluster id "${options.cluster}" for Kubernetes: lowercase letters, digits and - (at most 40)`,
      );
    }
    if (!Number.isInteger(options.executors) || options.executors < 1) {
      throw new EngineError(SqlState.invalidParameterValue, `invalid executor count ${options.executors}`);
    }
    if (!Number.isInteger(options.cores) || options.cores < 1) {
      throw new EngineError(SqlState.invalidParameterValue, `invalid executor cores ${options.cores}`);
    }
    if (!Number.isSafeInteger(options.memory) || options.memory < 1) {
      throw new EngineError(SqlState.invalidParameterValue, `invalid executor memory ${options.memory}`);
    }
    // A template that is not a pod fails here, not at each pod.
    executorPodSpec(options, `${options.cluster}-exec-0`);
    this.options = options;
    const kc = options.kubeConfig ?? defaultKubeConfig(options.apiServer);
    this.api = kc.makeApiClient(CoreV1Api);
    this.watcher = new Watch(kc);
    if (options.watchIdleTimeoutMs !== undefined) {
      // Watch keeps its inactivity timeout in a field of its own; there is no option for it.
      (this.watcher as unknown as { requestTimeoutMs: number }).requestTimeoutMs = options.watchIdleTimeoutMs;
    }
    this.log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  }

  /** Executor pods alive now, as far as the manager knows. */
  ids(): ExecutorId[] {
    return [...this.pods.keys()];
  }

  start(): void {
    if (this.started) return;
    this.started = true;
    this.readyPromise = this.track(this.begin());
    // ready() hands the rejection to whoever asks; nobody asking is not an unhandled rejection.
    this.readyPromise.catch(() => {});
  }

  /** Resolves once the first pods are created; rejects with the first API error of doing so. */
  ready(): Promise<void> {
    return this.readyPromise;
  }

  private async begin(): Promise<void> {
    await this.list();
    if (this.closed) return;
    this.watch();
    const creations: Promise<void>[] = [];
    for (let i = 0; i < this.options.executors; i++) creations.push(this.create());
    const results = await Promise.allSettled(creations);
    const failed = results.find((r) => r.status === 'rejected');
    if (failed !== undefined) throw failed.reason;
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    this.pending.add(promise);
    const done = (): void => {
      this.pending.delete(promise);
    };
    promise.then(done, done);
    return promise;
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      if (!this.closed) fn();
    }, ms);
    timer.unref();
    this.timers.add(timer);
  }

  /** Creates one executor pod; a failure is reported as that executor's exit (and retried). */
  private async create(): Promise<void> {
    if (this.closed) return;
    const name = `${this.options.cluster}-exec-${++this.generation}`;
    const entry: Tracked = { name, created: false };
    this.pods.set(name, entry);
    try {
      await this.api.createNamespacedPod({
        namespace: this.options.namespace,
        body: executorPodSpec(this.options, name),
      });
      entry.created = true;
      if (this.closed) await this.remove(name, 0);
    } catch (err) {
      entry.created = true;
      const error = apiError(
        `could not create executor pod "${name}" in namespace "${this.options.namespace}"`,
        err,
      );
      this.log(error.message);
      this.gone(name, `its pod could not be created: ${error.message}`);
      throw error;
    }
  }

  /** Lists the cluster's pods: the resourceVersion to watch from, and pods that vanished unseen. */
  private async list(): Promise<void> {
    const list = await this.api
      .listNamespacedPod({
        namespace: this.options.namespace,
        labelSelector: executorSelector(this.options.cluster),
      })
      .catch((err: unknown) => {
        throw apiError(`could not list the executor pods in namespace "${this.options.namespace}"`, err);
      });
    this.resourceVersion = list.metadata?.resourceVersion;
    const present = new Set<string>();
    for (const pod of list.items) {
      const name = pod.metadata?.name;
      if (name === undefined) continue;
      present.add(name);
      this.seen(pod);
    }
    for (const entry of [...this.pods.values()]) {
      if (entry.created && !present.has(entry.name))
        this.gone(entry.name, `its pod ${entry.name} was deleted`);
    }
  }

  private watch(): void {
    if (this.closed) return;
    const generation = ++this.watchGeneration;
    let expired = false;
    const path = `/api/v1/namespaces/${encodeURIComponent(this.options.namespace)}/pods`;
    const query = {
      labelSelector: executorSelector(this.options.cluster),
      allowWatchBookmarks: true,
      resourceVersion: this.resourceVersion,
    };
    const onEvent = (type: string, object: unknown): void => {
      if (generation !== this.watchGeneration || this.closed) return;
      this.watchFailures = 0;
      if (type === 'ERROR') {
        const code = isRecord(object) ? object.code : undefined;
        if (code === 410) expired = true;
        else this.log(`the executor pod watch got an error: ${JSON.stringify(object)}`);
        this.abort?.abort();
        return;
      }
      const pod = object as V1Pod;
      const rv = pod.metadata?.resourceVersion;
      if (rv !== undefined) this.resourceVersion = rv;
      if (type === 'BOOKMARK') return;
      const name = pod.metadata?.name;
      if (name === undefined) return;
      if (type === 'DELETED') this.gone(name, podExit(pod) ?? `its pod ${name} was deleted`);
      else this.seen(pod);
    };
    const onDone = (err: unknown): void => {
      if (generation !== this.watchGeneration || this.closed) return;
      this.abort = undefined;
      if (expired) {
        // Too old to resume: list again (reporting pods that vanished meanwhile), then watch.
        this.resourceVersion = undefined;
        this.track(this.list()).then(
          () => this.watch(),
          (e: unknown) => this.retryWatch(e),
        );
        return;
      }
      // An idle watch the client timed out is as normal an end as one the server closed.
      if (err !== null && err !== undefined && !isIdleTimeout(err)) return this.retryWatch(err);
      this.watch();
    };
    const started = this.watcher.watch(path, query, onEvent, onDone).then(
      (controller) => {
        if (generation !== this.watchGeneration || this.closed) controller.abort();
        else this.abort = controller;
      },
      (err: unknown) => onDone(err),
    );
    void this.track(started);
  }

  /** Watches again after a failure, ever more slowly while it keeps failing. */
  private retryWatch(err: unknown): void {
    const failures = ++this.watchFailures;
    const delay = Math.min(10_000, 100 * 2 ** Math.min(failures, 7));
    this.log(`the executor pod watch ended (${apiError('watch', err).message}); again in ${delay} ms`);
    if (failures > 3) this.resourceVersion = undefined;
    this.later(delay, () => {
      if (this.resourceVersion === undefined) {
        this.track(this.list()).then(
          () => this.watch(),
          (e: unknown) => this.retryWatch(e),
        );
      } else {
        this.watch();
      }
    });
  }

  /** A pod as the API shows it: gone if it has failed, exited or lost its container. */
  private seen(pod: V1Pod): void {
    const name = pod.metadata?.name;
    const entry = name === undefined ? undefined : this.pods.get(name);
    if (name === undefined || entry === undefined) return;
    const exit = podExit(pod);
    if (exit === null) {
      const waiting = pod.status?.containerStatuses?.find((c) => c.name === EXECUTOR_CONTAINER)?.state
        ?.waiting;
      if (waiting?.reason !== undefined && STUCK.has(waiting.reason) && entry.stuck !== waiting.reason) {
        entry.stuck = waiting.reason;
        this.log(
          `executor pod ${name} cannot start: ${waiting.reason}${waiting.message === undefined ? '' : `: ${waiting.message}`}`,
        );
      }
      return;
    }
    this.gone(name, exit);
    // It still exists (restartPolicy Never keeps it): delete it.
    void this.track(this.remove(name, 0));
  }

  /** Reports a pod once, and replaces it unless the manager is closing. */
  private gone(name: string, reason: string): void {
    if (!this.pods.delete(name)) return;
    for (const l of this.exitListeners) {
      try {
        l(name, reason);
      } catch (err) {
        this.log(`an executor-exit listener failed: ${String(err)}`);
      }
    }
    if (this.closed) return;
    const delay = this.backoff.delayAfterDeath();
    this.later(delay, () => {
      // The failure is logged and reported as that pod's exit; the next attempt is scheduled then.
      this.track(this.create()).catch(() => {});
    });
  }

  /** Deletes a pod; one already gone is fine. */
  private async remove(name: string, gracePeriodSeconds: number | undefined): Promise<void> {
    try {
      await this.api.deleteNamespacedPod({
        name,
        namespace: this.options.namespace,
        ...(gracePeriodSeconds === undefined ? {} : { gracePeriodSeconds }),
      });
    } catch (err) {
      if (err instanceof ApiException && (err as ApiException<unknown>).code === 404) return;
      this.log(apiError(`could not delete executor pod "${name}"`, err).message);
    }
  }

  kill(id: ExecutorId): boolean {
    if (!this.pods.has(id)) return false;
    // The watch sees it DELETED: reported and replaced as a crash would be.
    void this.track(this.remove(id, 0));
    return true;
  }

  onExecutorExit(listener: (id: ExecutorId, reason: string) => void): void {
    this.exitListeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.watchGeneration++;
    this.abort?.abort();
    this.abort = undefined;
    for (const t of this.timers) clearTimeout(t);
    this.timers.clear();
    // Creations under way delete their pod themselves once it exists.
    const names = [...this.pods.values()].filter((p) => p.created).map((p) => p.name);
    await Promise.all(names.map((name) => this.remove(name, undefined)));
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
    this.pods.clear();
  }
}
