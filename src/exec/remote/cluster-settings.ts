/**
 * The settings of executor processes and of the Kubernetes cluster manager, as `kindling serve
 * --conf` takes them (Spark's `spark.executor.*` and `spark.kubernetes.*`, under `kindling.`):
 *
 *   kindling.executor.instances                     executor pods (k8s://; process[N] says N)
 *   kindling.executor.cores                         tasks each executor runs at once (default 1)
 *   kindling.executor.memory                        bytes each executor's tasks may reserve
 *   kindling.executor.netns                         process[N]: `ns=address,…`, a network namespace
 *                                                   and its address per executor (separate hosts)
 *   kindling.driver.host                            the address the NATS server process[N] starts
 *                                                   listens on (default loopback)
 *   kindling.kubernetes.namespace                   where the pods go (default: the driver's)
 *   kindling.kubernetes.container.image             the executors' image
 *   kindling.kubernetes.executor.podTemplateFile    a pod template (YAML or JSON) merged under
 *   kindling.kubernetes.executor.tokenSecret        `secret/key` holding the NATS token
 */
import { EngineError, SqlState } from '../../common/index.ts';

export interface ClusterSettings {
  readonly executorInstances?: number;
  readonly executorCores?: number;
  readonly executorMemory?: number;
  readonly executorNetns?: readonly { readonly netns: string; readonly host: string }[];
  readonly driverHost?: string;
  readonly kubernetesNamespace?: string;
  readonly kubernetesImage?: string;
  readonly kubernetesPodTemplateFile?: string;
  readonly kubernetesTokenSecret?: { readonly name: string; readonly key: string };
}

export const CLUSTER_SETTING_KEYS: readonly string[] = [
  'kindling.executor.instances',
  'kindling.executor.cores',
  'kindling.executor.memory',
  'kindling.executor.netns',
  'kindling.driver.host',
  'kindling.kubernetes.namespace',
  'kindling.kubernetes.container.image',
  'kindling.kubernetes.executor.podtemplatefile',
  'kindling.kubernetes.executor.tokensecret',
];

function invalid(key: string, value: string, why: string): EngineError {
  return new EngineError(SqlState.invalidParameterValue, `invalid value for ${key}: "${value}" (${why})`);
}

function count(key: string, value: string, max: number): number {
  const n = Number(value.trim());
  if (!/^\d+$/.test(value.trim()) || n < 1 || n > max)
    throw invalid(key, value, `an integer from 1 to ${max}`);
  return n;
}

/**
 * Reads the cluster settings among `conf` (keys compared without case); `parseSize` reads a byte
 * size as the other settings do. Other keys are left alone.
 */
export function parseClusterSettings(
  conf: Readonly<Record<string, string>>,
  parseSize: (value: string) => number | null,
): ClusterSettings {
  const out: {
    -readonly [K in keyof ClusterSettings]: ClusterSettings[K];
  } = {};
  for (const [key, value] of Object.entries(conf)) {
    switch (key.toLowerCase()) {
      case 'kindling.executor.instances':
        out.executorInstances = count(key, value, 256);
        break;
      case 'kindling.executor.cores':
        out.executorCores = count(key, value, 256);
        break;
      case 'kindling.executor.memory': {
        const bytes = parseSize(value);
        if (bytes === null || bytes <= 0) throw invalid(key, value, 'a size such as 4g or 512MB');
        out.executorMemory = bytes;
        break;
      }
      case 'kindling.executor.netns': {
        const places = value.split(',').map((part) => {
          const m = /^\s*([A-Za-z0-9_.-]+)=([0-9A-Fa-f.:]+)\s*$/.exec(part);
          if (m === null) throw invalid(key, value, 'namespace=address, comma-separated');
          return { netns: m[1]!, host: m[2]! };
        });
        out.executorNetns = places;
        break;
      }
      case 'kindling.driver.host':
        if (!/^[0-9A-Fa-f.:]+$/.test(value.trim())) throw invalid(key, value, 'an IP address');
        out.driverHost = value.trim();
        break;
      case 'kindling.kubernetes.namespace':
        if (!/^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$/.test(value))
          throw invalid(key, value, 'a namespace name');
        out.kubernetesNamespace = value;
        break;
      case 'kindling.kubernetes.container.image':
        if (value.trim() === '' || /\s/.test(value)) throw invalid(key, value, 'an image reference');
        out.kubernetesImage = value;
        break;
      case 'kindling.kubernetes.executor.podtemplatefile':
        if (value.trim() === '') throw invalid(key, value, 'a file');
        out.kubernetesPodTemplateFile = value;
        break;
      case 'kindling.kubernetes.executor.tokensecret': {
        const m = /^([a-z0-9][-a-z0-9.]*)\/([-._a-zA-Z0-9]+)$/.exec(value);
        if (m === null) throw invalid(key, value, 'secret-name/key');
        out.kubernetesTokenSecret = { name: m[1]!, key: m[2]! };
        break;
      }
    }
  }
  return out;
}
