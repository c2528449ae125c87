/**
 * A driver's executors in other processes, put together from the master it was given:
 *
 *   process[N]   a NATS server (kindling.nats.url, or one this driver starts), the control plane
 *                on it, N executor processes started by the process cluster manager, and the
 *                pool that the task scheduler sees; `start` resolves once all N have registered
 *   k8s://…      the control plane on kindling.nats.url and kindling.executor.instances executor
 *                pods created by the Kubernetes cluster manager; `start` resolves once they have
 *                registered
 *   nats://…     the control plane on that server and whatever executors register there
 *
 * The control plane's token (`KINDLING_NATS_TOKEN`) reaches executor processes through their
 * environment (a Secret for pods), never their command line.
 */
import { loadYaml } from '@kubernetes/client-node';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { EngineError, SqlState } from '../../common/index.ts';
import type { ClusterManager } from './cluster-manager.ts';
import type { ClusterSettings } from './cluster-settings.ts';
import { NATS_TOKEN_ENV } from './control-plane.ts';
import { K8sClusterManager } from './k8s-cluster.ts';
import type { Master } from './master.ts';
import { connectDriverPlane } from './nats/nats-control-plane.ts';
import { startNatsServer, type NatsServerProcess } from './nats/nats-server-process.ts';
import { ProcessClusterManager } from './process-cluster.ts';
import { RemoteExecutorPool } from './remote-pool.ts';

export interface RemoteClusterOptions {
  readonly master: Exclude<Master, { kind: 'local' }>;
  /** `kindling.nats.url`: an existing NATS server for `process[N]`. */
  readonly natsUrl?: string;
  /** Bytes each executor's tasks may reserve. */
  readonly executorMemory: number;
  readonly localDir: string;
  /** `process[N]`: a network namespace and address per executor (tests of separate hosts). */
  readonly places?: readonly { readonly netns: string; readonly host: string }[];
  /** The address the NATS server this driver starts listens on (default loopback). */
  readonly natsHost?: string;
  /** How long `start` waits for the executors (default 60 s, 300 s for pods). */
  readonly startTimeoutMs?: number;
  /** `kindling.executor.*`, `kindling.kubernetes.*`. */
  readonly settings?: ClusterSettings;
}

/** The cluster id of a `nats://` master, which executors started by hand join. */
export const NATS_CLUSTER = 'kindling';

export class RemoteCluster {
  readonly pool = new RemoteExecutorPool();
  /**
   * A short id naming this driver's streams and buckets on the NATS server: `kindling` for
   * `nats://` (executors started by hand must name it: `kindling executor --cluster kindling`),
   * else a fresh one, so that drivers sharing a server never meet each other's executors.
   */
  readonly cluster: string;
  private readonly options: RemoteClusterOptions;
  private nats: NatsServerProcess | null = null;
  private manager: ClusterManager | null = null;
  private starting: Promise<void> | null = null;
  private failure: EngineError | null = null;

  constructor(options: RemoteClusterOptions) {
    this.options = options;
    this.cluster = options.master.kind === 'nats' ? NATS_CLUSTER : `k${randomBytes(4).toString('hex')}`;
  }

  /** Why the executors could not start, once that is known. */
  get error(): EngineError | null {
    return this.failure;
  }

  /** The process cluster manager (`process[N]`), for tests that kill executors. */
  get processes(): ProcessClusterManager | null {
    return this.manager instanceof ProcessClusterManager ? this.manager : null;
  }

  start(): Promise<void> {
    this.starting ??= this.doStart().catch((err: unknown) => {
      this.failure =
        err instanceof EngineError
          ? err
          : new EngineError(
              SqlState.systemError,
              `the executors could not start: ${err instanceof Error ? err.message : String(err)}`,
            );
      throw this.failure;
    });
    return this.starting;
  }

  private async doStart(): Promise<void> {
    const master = this.options.master;
    const settings = this.options.settings ?? {};
    let servers: string;
    let token = process.env[NATS_TOKEN_ENV];
    if (master.kind === 'nats') servers = master.servers;
    else if (this.options.natsUrl !== undefined) servers = this.options.natsUrl;
    else if (master.kind === 'k8s') {
      throw new EngineError(
        SqlState.invalidParameterValue,
        'kindling.master k8s://… needs kindling.nats.url: the NATS server the executor pods reach',
      );
    } else {
      this.nats = await startNatsServer({
        ...(this.options.natsHost === undefined ? {} : { host: this.options.natsHost }),
        dir: this.options.localDir,
        token: true,
      });
      servers = this.nats.url;
      token = this.nats.token ?? undefined;
    }
    const plane = await connectDriverPlane({
      servers,
      cluster: this.cluster,
      ...(token === undefined || token === '' ? {} : { token }),
    });
    this.pool.attach(plane, token === undefined || token === '' ? null : token);
    if (master.kind === 'nats') return;
    let executors: number;
    if (master.kind === 'process') {
      executors = master.executors;
      this.manager = new ProcessClusterManager({
        executors,
        servers,
        cluster: this.cluster,
        memory: this.options.executorMemory,
        cores: settings.executorCores ?? 1,
        localDir: this.options.localDir,
        ...(this.options.places === undefined ? {} : { places: this.options.places }),
        ...(token === undefined ? {} : { env: { [NATS_TOKEN_ENV]: token } }),
      });
    } else {
      executors = settings.executorInstances ?? 2;
      this.manager = kubernetesManager(master.apiServer, settings, {
        executors,
        natsUrl: servers,
        cluster: this.cluster,
        memory: settings.executorMemory ?? this.options.executorMemory,
      });
    }
    const manager = this.manager;
    manager.onExecutorExit((id, reason) => this.pool.lost(id, reason));
    // One declared lost for missed heartbeats may still run (a network partition): it is stopped,
    // and replaced, rather than left to come back with outputs the driver has forgotten.
    this.pool.onExecutorLost((id) => manager.kill(id));
    manager.start();
    if (manager instanceof K8sClusterManager) await manager.ready();
    const timeout = this.options.startTimeoutMs ?? (master.kind === 'k8s' ? 300_000 : 60_000);
    await this.pool.waitForExecutors(executors, timeout);
  }

  async close(): Promise<void> {
    await this.starting?.catch(() => undefined);
    await this.manager?.close();
    await this.pool.close();
    await this.nats?.stop();
  }
}

/** The Kubernetes cluster manager from the settings and the driver pod's environment. */
function kubernetesManager(
  apiServer: string,
  settings: ClusterSettings,
  fixed: { executors: number; natsUrl: string; cluster: string; memory: number },
): K8sClusterManager {
  const image = settings.kubernetesImage;
  if (image === undefined) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      "kindling.master k8s://… needs kindling.kubernetes.container.image: the executors' image",
    );
  }
  const namespace =
    settings.kubernetesNamespace ?? process.env.KINDLING_NAMESPACE ?? serviceAccountNamespace();
  const podName = process.env.KINDLING_DRIVER_POD_NAME;
  const podUid = process.env.KINDLING_DRIVER_POD_UID;
  let template: object | undefined;
  if (settings.kubernetesPodTemplateFile !== undefined) {
    const file = settings.kubernetesPodTemplateFile;
    try {
      template = loadYaml<object>(fs.readFileSync(file, 'utf8'));
    } catch (err) {
      throw new EngineError(
        SqlState.invalidParameterValue,
        `could not read the executor pod template ${file}: ${err instanceof Error ? err.message : String(err)}`,
      );
    }
  }
  return new K8sClusterManager({
    apiServer,
    namespace,
    driverPod: podName !== undefined && podUid !== undefined ? { name: podName, uid: podUid } : null,
    image,
    executors: fixed.executors,
    cores: settings.executorCores ?? 1,
    memory: fixed.memory,
    natsUrl: fixed.natsUrl,
    cluster: fixed.cluster,
    ...(template === undefined ? {} : { template }),
    ...(settings.kubernetesTokenSecret === undefined ? {} : { tokenSecret: settings.kubernetesTokenSecret }),
  });
}

/** The namespace of the driver's service account, when it runs in a pod; else `default`. */
function serviceAccountNamespace(): string {
  try {
    return fs.readFileSync('/var/run/secrets/kubernetes.io/serviceaccount/namespace', 'utf8').trim();
  } catch {
    return 'default';
  }
}
