/**
 * `kindling.master`: where a process's executors come from, as Spark's `--master` says it.
 *
 *   local[N] | local[*] | local   worker threads of this process (N, one per core, one per core)
 *   process[N]                    N `kindling executor` processes this driver starts on this host
 *   k8s://https://host:port       executor pods the driver creates through the Kubernetes API
 *   nats://host:port              executors started by hand that register with that NATS server
 */
import { availableParallelism } from 'node:os';
import { EngineError, SqlState } from '../../common/index.ts';

export type Master =
  | { readonly kind: 'local'; readonly threads: number }
  | { readonly kind: 'process'; readonly executors: number }
  | { readonly kind: 'k8s'; readonly apiServer: string }
  | { readonly kind: 'nats'; readonly servers: string };

/** At most this many executors (threads or processes) from one master string. */
const MAX_EXECUTORS = 256;

function count(text: string, master: string): number {
  if (text === '*') return availableParallelism();
  const n = Number(text);
  if (!/^\d+$/.test(text) || n < 1 || n > MAX_EXECUTORS) {
    throw invalid(master, `the count must be 1 to ${MAX_EXECUTORS} or *`);
  }
  return n;
}

function invalid(master: string, why: string): EngineError {
  return new EngineError(SqlState.invalidParameterValue, `invalid kindling.master "${master}": ${why}`, {
    hint: 'use local[N], process[N], k8s://https://host:port or nats://host:port',
  });
}

export function parseMaster(text: string): Master {
  const master = text.trim();
  if (master === 'local') return { kind: 'local', threads: availableParallelism() };
  let m = /^local\[(.*)\]$/.exec(master);
  if (m !== null) return { kind: 'local', threads: count(m[1]!, master) };
  m = /^process\[(.*)\]$/.exec(master);
  if (m !== null) return { kind: 'process', executors: count(m[1]!, master) };
  if (master.startsWith('k8s://')) {
    const url = master.slice('k8s://'.length);
    if (!/^https?:\/\/[^/\s]+/.test(url)) throw invalid(master, 'k8s:// is followed by the API server URL');
    return { kind: 'k8s', apiServer: url };
  }
  if (master.startsWith('nats://')) {
    if (!/^nats:\/\/[^/\s:]+(:\d+)?$/.test(master)) throw invalid(master, 'expected nats://host:port');
    return { kind: 'nats', servers: master };
  }
  throw invalid(master, 'unknown kind of master');
}
