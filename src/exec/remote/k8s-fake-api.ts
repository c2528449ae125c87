/**
 * Test support, not used by the engine: an in-process fake of the part of the Kubernetes Pods API
 * that the k8s cluster manager (k8s-cluster.ts) calls, on `node:http`, so its tests run without an
 * API server (none can run here: no kind/k3s/Docker).
 *
 *   POST   /api/v1/namespaces/{ns}/pods                     create (201; 409 if the name is taken,
 *                                                            422 if the name or containers are invalid)
 *   DELETE /api/v1/namespaces/{ns}/pods/{name}              delete at once, whatever the grace period
 *   GET    /api/v1/namespaces/{ns}/pods?labelSelector=…     a PodList with its resourceVersion
 *   GET    …/pods?watch=true&labelSelector=…&resourceVersion=…
 *          a chunked stream of JSON lines {"type":"ADDED|MODIFIED|DELETED","object":pod}: first the
 *          changes after that resourceVersion (an ERROR line with a 410 Status if it is older than
 *          the compacted history), then changes as they happen.
 *
 * Hooks let a test do what a cluster does on its own: mark a pod Failed, terminate its container,
 * delete it, close every watch connection (as API servers do periodically), compact the history,
 * or make the next request of a method fail with a given Status.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A pod as the fake stores it: JSON, as it went over the wire. */
export type FakePod = {
  metadata: {
    name: string;
    namespace: string;
    uid: string;
    resourceVersion: string;
    labels?: Record<string, string>;
  };
  spec: { containers: { name: string; image?: string }[] } & Record<string, unknown>;
  status: Record<string, unknown>;
} & Record<string, unknown>;

type EventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface Watcher {
  readonly namespace: string;
  readonly selector: Record<string, string>;
  readonly response: ServerResponse;
}

export interface FakeRequest {
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string>;
  readonly body: unknown;
}

const NAME = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

function status(code: number, reason: string, message: string): object {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, reason, code };
}

function parseSelector(text: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  if (text === undefined || text === '') return out;
  for (const term of text.split(',')) {
    const [key, value] = term.split('=', 2) as [string, string | undefined];
    out[key] = value ?? '';
  }
  return out;
}

function matches(pod: FakePod, selector: Record<string, string>): boolean {
  const labels = pod.metadata.labels ?? {};
  return Object.entries(selector).every(([k, v]) => labels[k] === v);
}

export class FakePodsApi {
  private readonly server: Server;
  private readonly pods = new Map<string, FakePod>();
  private readonly history: { rv: number; type: EventType; object: FakePod }[] = [];
  private readonly watchers = new Set<Watcher>();
  private readonly failures = new Map<string, { code: number; reason: string; message: string }[]>();
  private version = 100;
  private uid = 0;
  /** Events before this resourceVersion are forgotten: a watch from before it gets 410 Gone. */
  private compactedBefore = 0;
  /** Every request, in order. */
  readonly requests: FakeRequest[] = [];

  private constructor() {
    this.server = createServer((req, res) => {
      this.handle(req, res).catch((err: unknown) => {
        if (!res.headersSent) this.reply(res, 500, status(500, 'InternalError', String(err)));
        else res.end();
      });
    });
  }

  /** Starts a fake on a free loopback port. */
  static async start(): Promise<FakePodsApi> {
    const api = new FakePodsApi();
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  /** `http://127.0.0.1:<port>`: the server of a KubeConfig pointed at this fake. */
  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** The pods that exist now. */
  list(): FakePod[] {
    return [...this.pods.values()];
  }

  get(name: string): FakePod | undefined {
    return this.pods.get(name);
  }

  /** Watch connections open now. */
  get openWatches(): number {
    return this.watchers.size;
  }

  /** The next `method` request ('POST', 'DELETE', 'LIST', 'WATCH') is answered with this Status. */
  failNext(
    method: 'POST' | 'DELETE' | 'LIST' | 'WATCH',
    code: number,
    reason: string,
    message: string,
  ): void {
    const queue = this.failures.get(method) ?? [];
    queue.push({ code, reason, message });
    this.failures.set(method, queue);
  }

  /** Sets a pod's phase (MODIFIED), as the kubelet does. */
  setPhase(name: string, phase: 'Pending' | 'Running' | 'Succeeded' | 'Failed', reason?: string): void {
    this.modify(name, (pod) => {
      pod.status = {
        ...pod.status,
        phase,
        ...(reason === undefined ? {} : { reason, message: `pod ${reason}` }),
      };
    });
  }

  /** Marks a pod's first container terminated with an exit code (MODIFIED); the phase stays. */
  terminateContainer(name: string, exitCode: number, reason: string): void {
    this.setContainerState(name, { terminated: { exitCode, reason } });
  }

  /** Marks a pod's first container waiting (MODIFIED), e.g. ImagePullBackOff; the phase stays Pending. */
  setWaiting(name: string, reason: string, message: string): void {
    this.setContainerState(name, { waiting: { reason, message } });
  }

  private setContainerState(name: string, state: Record<string, unknown>): void {
    this.modify(name, (pod) => {
      const container = pod.spec.containers[0]!.name;
      pod.status = {
        ...pod.status,
        containerStatuses: [
          { name: container, ready: false, restartCount: 0, image: '', imageID: '', state },
        ],
      };
    });
  }

  /** Deletes a pod from outside (`kubectl delete pod`, eviction). */
  deletePod(name: string): void {
    const pod = this.pods.get(name);
    if (pod === undefined) throw new Error(`no pod ${name}`);
    this.pods.delete(name);
    this.emit('DELETED', pod);
  }

  /** Ends every open watch connection, as an API server does when a watch times out. */
  closeWatches(): void {
    for (const w of this.watchers) w.response.end();
    this.watchers.clear();
  }

  /** Forgets the history so far: a watch resumed from an older resourceVersion gets 410 Gone. */
  compact(): void {
    this.compactedBefore = this.version;
    this.history.length = 0;
  }

  async close(): Promise<void> {
    this.closeWatches();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private modify(name: string, change: (pod: FakePod) => void): void {
    const pod = this.pods.get(name);
    if (pod === undefined) throw new Error(`no pod ${name}`);
    const copy = structuredClone(pod);
    change(copy);
    this.pods.set(name, copy);
    this.emit('MODIFIED', copy);
  }

  private emit(type: EventType, pod: FakePod): void {
    const rv = ++this.version;
    pod.metadata.resourceVersion = String(rv);
    this.history.push({ rv, type, object: structuredClone(pod) });
    for (const w of this.watchers) {
      if (w.namespace === pod.metadata.namespace && matches(pod, w.selector)) {
        w.response.write(`${JSON.stringify({ type, object: pod })}\n`);
      }
    }
  }

  private reply(res: ServerResponse, code: number, body: unknown): void {
    res.writeHead(code, { 'content-type': 'application/json' });
    res.end(JSON.stringify(body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://fake');
    const query = Object.fromEntries(url.searchParams);
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    const body: unknown = text === '' ? undefined : JSON.parse(text);
    const method = req.method ?? 'GET';
    this.requests.push({ method, path: url.pathname, query, body });

    const m = /^\/api\/v1\/namespaces\/([^/]+)\/pods(?:\/([^/]+))?$/.exec(url.pathname);
    if (m === null)
      return this.reply(res, 404, status(404, 'NotFound', `the server could not find ${url.pathname}`));
    const namespace = decodeURIComponent(m[1]!);
    const name = m[2] === undefined ? undefined : decodeURIComponent(m[2]);
    const kind =
      method === 'GET' && name === undefined
        ? query.watch === 'true' || query.watch === '1'
          ? 'WATCH'
          : 'LIST'
        : method;
    const failure = this.failures.get(kind)?.shift();
    if (failure !== undefined)
      return this.reply(res, failure.code, status(failure.code, failure.reason, failure.message));

    if (kind === 'POST' && name === undefined) return this.create(res, namespace, body);
    if (kind === 'DELETE' && name !== undefined) {
      const pod = this.pods.get(name);
      if (pod === undefined || pod.metadata.namespace !== namespace) {
        return this.reply(res, 404, status(404, 'NotFound', `pods "${name}" not found`));
      }
      this.deletePod(name);
      return this.reply(res, 200, pod);
    }
    if (kind === 'LIST') {
      const selector = parseSelector(query.labelSelector);
      const items = this.list().filter((p) => p.metadata.namespace === namespace && matches(p, selector));
      return this.reply(res, 200, {
        kind: 'PodList',
        apiVersion: 'v1',
        metadata: { resourceVersion: String(this.version) },
        items,
      });
    }
    if (kind === 'WATCH') return this.watch(res, namespace, query);
    return this.reply(res, 405, status(405, 'MethodNotAllowed', `${method} is not supported here`));
  }

  private create(res: ServerResponse, namespace: string, body: unknown): void {
    const pod = structuredClone(body) as FakePod;
    const name = pod.metadata?.name;
    if (typeof name !== 'string' || !NAME.test(name) || name.length > 253) {
      return this.reply(
        res,
        422,
        status(
          422,
          'Invalid',
          `Pod "${String(name)}" is invalid: metadata.name: Invalid value: "${String(name)}"`,
        ),
      );
    }
    const containers = pod.spec?.containers;
    if (
      !Array.isArray(containers) ||
      containers.length === 0 ||
      containers.some((c) => typeof c.image !== 'string')
    ) {
      return this.reply(
        res,
        422,
        status(422, 'Invalid', `Pod "${name}" is invalid: spec.containers: Required value`),
      );
    }
    if (this.pods.has(name)) {
      return this.reply(res, 409, status(409, 'AlreadyExists', `pods "${name}" already exists`));
    }
    pod.metadata = { ...pod.metadata, namespace, uid: `uid-${++this.uid}`, resourceVersion: '' };
    pod.status = { phase: 'Pending' };
    this.pods.set(name, pod);
    this.emit('ADDED', pod);
    this.reply(res, 201, pod);
  }

  private watch(res: ServerResponse, namespace: string, query: Record<string, string>): void {
    const selector = parseSelector(query.labelSelector);
    res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
    res.flushHeaders();
    const from = Number(query.resourceVersion ?? '0');
    if (from < this.compactedBefore) {
      const gone = status(410, 'Expired', `too old resource version: ${from} (${this.compactedBefore})`);
      res.end(`${JSON.stringify({ type: 'ERROR', object: gone })}\n`);
      return;
    }
    for (const e of this.history) {
      if (e.rv > from && e.object.metadata.namespace === namespace && matches(e.object, selector)) {
        res.write(`${JSON.stringify({ type: e.type, object: e.object })}\n`);
      }
    }
    const watcher: Watcher = { namespace, selector, response: res };
    this.watchers.add(watcher);
    res.on('close', () => this.watchers.delete(watcher));
  }
}
