/**
 * The k8s cluster manager against an in-process fake of the Pods API (k8s-fake-api.ts): the pods it
 * creates, exits reported once and replaced, watches resumed (and re-listed after 410 Gone) without
 * double reports, kill, close, and API errors; and `executorPodSpec` on its own.
 */
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { KubeConfig } from '@kubernetes/client-node';
import { afterEach, describe, expect, it } from 'vitest';
import { EngineError } from '../../common/index.ts';
import { FakePodsApi } from './k8s-fake-api.ts';
import {
  K8sClusterManager,
  containerMemory,
  executorPodSpec,
  executorSelector,
  podExit,
  type K8sClusterOptions,
} from './k8s-cluster.ts';

const GiB = 1024 ** 3;

function kubeConfig(server: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromClusterAndUser({ name: 'fake', server, skipTLSVerify: true }, { name: 'test' });
  return kc;
}

function options(overrides: Partial<K8sClusterOptions> = {}): K8sClusterOptions {
  return {
    apiServer: 'https://kubernetes.default.svc',
    namespace: 'kindling',
    driverPod: { name: 'kindling-driver-abc', uid: '1234-5678' },
    image: 'kindling:test',
    executors: 3,
    cores: 2,
    memory: 4 * GiB,
    natsUrl: 'nats://nats:4222',
    cluster: 'kabc123',
    ...overrides,
  };
}

async function until(what: string, check: () => boolean, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

describe('executorPodSpec', () => {
  it('names, labels and owns the pod, and never restarts it', () => {
    const pod = executorPodSpec(options(), 'kabc123-exec-7');
    expect(pod.apiVersion).toBe('v1');
    expect(pod.kind).toBe('Pod');
    expect(pod.metadata?.name).toBe('kabc123-exec-7');
    expect(pod.metadata?.namespace).toBe('kindling');
    expect(pod.metadata?.labels).toEqual({
      'app.kubernetes.io/name': 'kindling',
      'kindling.io/cluster': 'kabc123',
      'kindling.io/role': 'executor',
    });
    expect(pod.metadata?.ownerReferences).toEqual([
      {
        apiVersion: 'v1',
        kind: 'Pod',
        name: 'kindling-driver-abc',
        uid: '1234-5678',
        controller: true,
        blockOwnerDeletion: true,
      },
    ]);
    expect(pod.spec?.restartPolicy).toBe('Never');
    expect(executorSelector('kabc123')).toBe(
      'app.kubernetes.io/name=kindling,kindling.io/cluster=kabc123,kindling.io/role=executor',
    );
  });

  it('has no owner without a driver pod', () => {
    expect(
      executorPodSpec(options({ driverPod: null }), 'x-exec-1').metadata?.ownerReferences,
    ).toBeUndefined();
  });

  it('runs kindling executor with the pod name as id and the pod IP as host', () => {
    const c = executorPodSpec(options(), 'kabc123-exec-2').spec!.containers[0]!;
    expect(c.name).toBe('executor');
    expect(c.image).toBe('kindling:test');
    expect(c.command).toBeUndefined();
    expect(c.args).toEqual([
      'executor',
      '--master',
      'nats://nats:4222',
      '--cluster',
      'kabc123',
      '--id',
      'kabc123-exec-2',
      '--cores',
      '2',
      '--memory',
      String(4 * GiB),
      '--local-dir',
      '/tmp/kindling',
      '--host',
      '$(POD_IP)',
    ]);
    expect(c.args!.indexOf('--id') + 1).toBe(c.args!.indexOf('kabc123-exec-2'));
    expect(/^[A-Za-z0-9_-]+$/.test('kabc123-exec-2')).toBe(true);
    expect(c.volumeMounts).toContainEqual({ name: 'kindling-local', mountPath: '/tmp/kindling' });
  });

  it('gets the pod IP from the downward API and the NATS token from a Secret, never in args', () => {
    const without = executorPodSpec(options(), 'p').spec!.containers[0]!;
    expect(without.env).toEqual([{ name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } }]);
    const pod = executorPodSpec(options({ tokenSecret: { name: 'nats-auth', key: 'token' } }), 'p');
    const c = pod.spec!.containers[0]!;
    expect(c.env).toContainEqual({
      name: 'KINDLING_NATS_TOKEN',
      valueFrom: { secretKeyRef: { name: 'nats-auth', key: 'token' } },
    });
    expect(JSON.stringify(c.args)).not.toMatch(/token/i);
  });

  it('requests and limits the cores and the memory plus an overhead', () => {
    const c = executorPodSpec(options(), 'p').spec!.containers[0]!;
    const memory = String(4 * GiB + Math.ceil(0.4 * GiB));
    expect(c.resources).toEqual({ requests: { cpu: '2', memory }, limits: { cpu: '2', memory } });
    expect(containerMemory(GiB)).toBe(GiB + 384 * 1024 * 1024);
  });

  it('merges a pod template under its own fields', () => {
    const template = {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: 'ignored',
        labels: { team: 'data', 'kindling.io/role': 'spoofed' },
        annotations: { a: 'b' },
      },
      spec: {
        nodeSelector: { pool: 'compute' },
        tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'kindling', effect: 'NoSchedule' }],
        serviceAccountName: 'executor',
        restartPolicy: 'Always',
        volumes: [{ name: 'warehouse', persistentVolumeClaim: { claimName: 'kindling-warehouse' } }],
        containers: [
          {
            name: 'main',
            image: 'other:latest',
            command: ['sh'],
            args: ['-c', 'sleep 1'],
            env: [
              { name: 'TZ', value: 'UTC' },
              { name: 'POD_IP', value: 'spoofed' },
            ],
            volumeMounts: [{ name: 'warehouse', mountPath: '/data/warehouse' }],
            resources: { requests: { 'ephemeral-storage': '10Gi', cpu: '99' } },
          },
          { name: 'sidecar', image: 'busybox' },
        ],
      },
    };
    const pod = executorPodSpec(options({ template }), 'kabc123-exec-1');
    expect(pod.metadata?.name).toBe('kabc123-exec-1');
    expect(pod.metadata?.labels).toEqual({
      team: 'data',
      'app.kubernetes.io/name': 'kindling',
      'kindling.io/cluster': 'kabc123',
      'kindling.io/role': 'executor',
    });
    expect(pod.metadata?.annotations).toEqual({ a: 'b' });
    const spec = pod.spec!;
    expect(spec.restartPolicy).toBe('Never');
    expect(spec.nodeSelector).toEqual({ pool: 'compute' });
    expect(spec.tolerations).toEqual(template.spec.tolerations);
    expect(spec.serviceAccountName).toBe('executor');
    expect(spec.volumes).toEqual([
      { name: 'warehouse', persistentVolumeClaim: { claimName: 'kindling-warehouse' } },
      { name: 'kindling-local', emptyDir: {} },
    ]);
    const [c, sidecar] = spec.containers;
    expect(sidecar).toEqual({ name: 'sidecar', image: 'busybox' });
    expect(c!.name).toBe('executor');
    expect(c!.image).toBe('kindling:test');
    expect(c!.command).toBeUndefined();
    expect(c!.args![0]).toBe('executor');
    expect(c!.env).toEqual([
      { name: 'TZ', value: 'UTC' },
      { name: 'POD_IP', valueFrom: { fieldRef: { fieldPath: 'status.podIP' } } },
    ]);
    expect(c!.volumeMounts).toEqual([
      { name: 'warehouse', mountPath: '/data/warehouse' },
      { name: 'kindling-local', mountPath: '/tmp/kindling' },
    ]);
    expect(c!.resources?.requests).toEqual({
      'ephemeral-storage': '10Gi',
      cpu: '2',
      memory: String(containerMemory(4 * GiB)),
    });
    // The template itself is left as it was.
    expect(template.spec.containers[0]!.image).toBe('other:latest');
  });

  it('takes a template without containers, and refuses one that is not a Pod', () => {
    const pod = executorPodSpec(options({ template: { spec: { nodeSelector: { a: 'b' } } } }), 'p');
    expect(pod.spec?.nodeSelector).toEqual({ a: 'b' });
    expect(pod.spec?.containers.map((c) => c.name)).toEqual(['executor']);
    expect(() => executorPodSpec(options({ template: { kind: 'Deployment' } }), 'p')).toThrow(
      'the executor pod template is not a Pod',
    );
    expect(() => executorPodSpec(options({ template: [] }), 'p')).toThrow('not a Pod');
  });

  it('says why a pod is gone', () => {
    expect(podExit({ metadata: { name: 'p' }, status: { phase: 'Running' } })).toBeNull();
    expect(podExit({ metadata: { name: 'p' }, status: { phase: 'Failed', reason: 'Evicted' } })).toMatch(
      /pod p failed \(Evicted\)/,
    );
    expect(podExit({ metadata: { name: 'p' }, status: { phase: 'Succeeded' } })).toMatch(/pod p exited/);
    expect(
      podExit({
        metadata: { name: 'p' },
        status: {
          phase: 'Running',
          containerStatuses: [
            {
              name: 'executor',
              image: '',
              imageID: '',
              ready: false,
              restartCount: 0,
              state: { terminated: { exitCode: 137, reason: 'OOMKilled' } },
            },
          ],
        },
      }),
    ).toMatch(/exited with code 137 \(OOMKilled\)/);
  });
});

describe('K8sClusterManager', () => {
  let api: FakePodsApi;
  let manager: K8sClusterManager | undefined;
  let exits: { id: string; reason: string }[];
  let logs: string[];

  async function startManager(overrides: Partial<K8sClusterOptions> = {}): Promise<K8sClusterManager> {
    api = await FakePodsApi.start();
    exits = [];
    logs = [];
    manager = new K8sClusterManager(
      options({ kubeConfig: kubeConfig(api.url), log: (l) => logs.push(l), ...overrides }),
    );
    manager.onExecutorExit((id, reason) => exits.push({ id, reason }));
    return manager;
  }

  afterEach(async () => {
    await manager?.close();
    manager = undefined;
    await api.close();
  });

  it('creates N executor pods with the spec and watches them', async () => {
    const m = await startManager();
    m.start();
    await m.ready();
    const names = api.list().map((p) => p.metadata.name);
    expect(names.sort()).toEqual(['kabc123-exec-1', 'kabc123-exec-2', 'kabc123-exec-3']);
    const created = api.requests.filter((r) => r.method === 'POST');
    expect(created.map((r) => r.path)).toEqual(Array(3).fill('/api/v1/namespaces/kindling/pods'));
    for (const r of created) {
      const body = r.body as { metadata: { name: string } };
      expect(body).toEqual(JSON.parse(JSON.stringify(executorPodSpec(options(), body.metadata.name))));
    }
    expect(m.ids().sort()).toEqual(names);
    await until('a watch', () => api.openWatches === 1);
    const watch = api.requests.find((r) => r.query.watch === 'true')!;
    expect(watch.query.labelSelector).toBe(executorSelector('kabc123'));
    const list = api.requests.find((r) => r.method === 'GET' && r.query.watch === undefined)!;
    expect(watch.query.resourceVersion).toBe('100'); // the list's: nothing created before it is missed
    expect(list.query.labelSelector).toBe(executorSelector('kabc123'));
    expect(exits).toEqual([]);
  });

  it('reports a Failed pod once, deletes it and creates a replacement', async () => {
    const m = await startManager();
    m.start();
    await m.ready();
    await until('a watch', () => api.openWatches === 1);
    api.setPhase('kabc123-exec-2', 'Failed', 'Evicted');
    await until('a replacement', () => api.get('kabc123-exec-4') !== undefined);
    await until('the failed pod deleted', () => api.get('kabc123-exec-2') === undefined);
    await sleep(100);
    expect(exits.map((e) => e.id)).toEqual(['kabc123-exec-2']);
    expect(exits[0]!.reason).toMatch(/kabc123-exec-2 failed \(Evicted/);
    expect(m.ids().sort()).toEqual(['kabc123-exec-1', 'kabc123-exec-3', 'kabc123-exec-4']);

    // A container that terminated (the pod still Running) and a pod deleted from outside.
    api.terminateContainer('kabc123-exec-1', 137, 'OOMKilled');
    api.deletePod('kabc123-exec-3');
    await until(
      'two more replacements',
      () => api.list().length === 3 && api.get('kabc123-exec-6') !== undefined,
    );
    await sleep(100);
    expect(exits.map((e) => e.id)).toEqual(['kabc123-exec-2', 'kabc123-exec-1', 'kabc123-exec-3']);
    expect(exits[1]!.reason).toMatch(/code 137 \(OOMKilled\)/);
    expect(exits[2]!.reason).toMatch(/kabc123-exec-3 was deleted/);
  });

  it('resumes a closed watch without reporting anything twice', async () => {
    const m = await startManager({ executors: 2 });
    m.start();
    await m.ready();
    await until('a watch', () => api.openWatches === 1);
    api.setPhase('kabc123-exec-1', 'Failed');
    await until('a replacement', () => api.get('kabc123-exec-3') !== undefined);
    await until('the failed pod deleted', () => api.get('kabc123-exec-1') === undefined);
    const watchesBefore = api.requests.filter((r) => r.query.watch === 'true').length;
    // The server ends the watch; a pod dies before the manager watches again.
    api.closeWatches();
    api.deletePod('kabc123-exec-2');
    await until('the watch re-established', () => api.openWatches === 1);
    await until('the loss seen', () => api.get('kabc123-exec-4') !== undefined);
    const resumed = api.requests.filter((r) => r.query.watch === 'true').slice(watchesBefore);
    expect(resumed).toHaveLength(1);
    expect(Number(resumed[0]!.query.resourceVersion)).toBeGreaterThan(100);
    // Closed again with nothing new: nothing is reported again.
    api.closeWatches();
    await until('the watch re-established', () => api.openWatches === 1);
    await sleep(200);
    expect(exits.map((e) => e.id)).toEqual(['kabc123-exec-1', 'kabc123-exec-2']);
    expect(
      api
        .list()
        .map((p) => p.metadata.name)
        .sort(),
    ).toEqual(['kabc123-exec-3', 'kabc123-exec-4']);
  });

  it('lists again when the resourceVersion is too old (410 Gone), reporting what vanished once', async () => {
    const m = await startManager({ executors: 2 });
    m.start();
    await m.ready();
    await until('a watch', () => api.openWatches === 1);
    // The watch ends, a pod is deleted, and the history of that is forgotten before it resumes.
    api.closeWatches();
    api.deletePod('kabc123-exec-1');
    api.compact();
    await until('a replacement', () => api.get('kabc123-exec-3') !== undefined);
    await until('the watch re-established', () => api.openWatches === 1);
    await sleep(200);
    expect(exits.map((e) => e.id)).toEqual(['kabc123-exec-1']);
    expect(exits[0]!.reason).toMatch(/was deleted/);
    const lists = api.requests.filter((r) => r.method === 'GET' && r.query.watch === undefined);
    expect(lists).toHaveLength(2);
  });

  it('resumes a watch the client ended for being idle, without counting it a failure', async () => {
    const m = await startManager({ executors: 2, watchIdleTimeoutMs: 100 });
    m.start();
    await m.ready();
    await until(
      'idle watches resumed',
      () => api.requests.filter((r) => r.query.watch === 'true').length >= 6,
    );
    const watches = api.requests.filter((r) => r.query.watch === 'true');
    expect(watches.every((w) => Number(w.query.resourceVersion) >= 100)).toBe(true);
    expect(api.requests.filter((r) => r.method === 'GET' && r.query.watch === undefined)).toHaveLength(1);
    expect(logs).toEqual([]);
    await until('a watch', () => api.openWatches === 1);
    api.setPhase('kabc123-exec-1', 'Failed');
    await until('a replacement', () => api.get('kabc123-exec-3') !== undefined);
    expect(exits.map((e) => e.id)).toEqual(['kabc123-exec-1']);
  });

  it('watches again, after a pause, when a watch is refused', async () => {
    const m = await startManager({ executors: 1 });
    api.failNext('WATCH', 403, 'Forbidden', 'pods is forbidden: cannot watch resource "pods"');
    m.start();
    await m.ready();
    await until('a watch', () => api.openWatches === 1);
    expect(logs).toEqual([
      'the executor pod watch ended (watch: the Kubernetes API answered 403 Forbidden); again in 200 ms',
    ]);
    api.deletePod('kabc123-exec-1');
    await until('a replacement', () => api.get('kabc123-exec-2') !== undefined);
  });

  it('logs once a pod that cannot start, without counting it lost', async () => {
    const m = await startManager({ executors: 1 });
    m.start();
    await m.ready();
    await until('a watch', () => api.openWatches === 1);
    api.setWaiting('kabc123-exec-1', 'CreateContainerConfigError', 'secret "kindling-nats" not found');
    api.setWaiting('kabc123-exec-1', 'CreateContainerConfigError', 'secret "kindling-nats" not found');
    await until('a log line', () => logs.length > 0);
    await sleep(100);
    expect(logs).toEqual([
      'executor pod kabc123-exec-1 cannot start: CreateContainerConfigError: secret "kindling-nats" not found',
    ]);
    expect(exits).toEqual([]);
    expect(m.ids()).toEqual(['kabc123-exec-1']);
  });

  it('kill deletes the pod at once; the loss is reported and replaced', async () => {
    const m = await startManager({ executors: 2 });
    m.start();
    await m.ready();
    await until('a watch', () => api.openWatches === 1);
    expect(m.kill('kabc123-exec-2')).toBe(true);
    expect(m.kill('no-such-pod')).toBe(false);
    await until('the pod deleted', () => api.get('kabc123-exec-2') === undefined);
    const del = api.requests.find((r) => r.method === 'DELETE')!;
    expect(del.path).toBe('/api/v1/namespaces/kindling/pods/kabc123-exec-2');
    expect(del.query.gracePeriodSeconds).toBe('0');
    await until('a replacement', () => api.get('kabc123-exec-3') !== undefined);
    expect(exits.map((e) => e.id)).toEqual(['kabc123-exec-2']);
  });

  it('close stops the watch and deletes every pod it made', async () => {
    const m = await startManager();
    m.start();
    await m.ready();
    await until('a watch', () => api.openWatches === 1);
    await m.close();
    expect(api.list()).toEqual([]);
    await until('the watch closed', () => api.openWatches === 0);
    const creates = api.requests.filter((r) => r.method === 'POST').length;
    await sleep(200);
    expect(api.requests.filter((r) => r.method === 'POST')).toHaveLength(creates); // no replacements
    expect(exits).toEqual([]);
  });

  it('surfaces API errors naming the pod and the Status message, and retries', async () => {
    const m = await startManager({ executors: 1 });
    api.failNext(
      'POST',
      403,
      'Forbidden',
      'pods is forbidden: User "system:serviceaccount:kindling:default" cannot create resource "pods"',
    );
    m.start();
    const err = await m.ready().then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).sqlstate).toBe('42501');
    expect((err as EngineError).message).toBe(
      'could not create executor pod "kabc123-exec-1" in namespace "kindling": the Kubernetes API answered 403 Forbidden: ' +
        'pods is forbidden: User "system:serviceaccount:kindling:default" cannot create resource "pods"',
    );
    expect(exits.map((e) => e.id)).toEqual(['kabc123-exec-1']);
    expect(exits[0]!.reason).toMatch(/could not be created: .*403/);
    // The next attempt succeeds.
    await until('a retry', () => api.get('kabc123-exec-2') !== undefined);
  });

  it('an invalid pod is a 422 with the API message', async () => {
    const m = await startManager({ executors: 1, image: '' });
    api.failNext(
      'POST',
      422,
      'Invalid',
      'Pod "kabc123-exec-1" is invalid: spec.containers[0].image: Required value',
    );
    m.start();
    await expect(m.ready()).rejects.toThrow(
      /exec-1" in namespace "kindling": the Kubernetes API answered 422 Invalid: Pod "kabc123-exec-1" is invalid: spec.containers\[0\].image/,
    );
    await expect(m.ready()).rejects.toMatchObject({ sqlstate: '22023' });
  });

  it('a failed list at start rejects ready() with the API message', async () => {
    const m = await startManager();
    api.failNext('LIST', 403, 'Forbidden', 'pods is forbidden: cannot list resource "pods"');
    m.start();
    await expect(m.ready()).rejects.toThrow(
      'could not list the executor pods in namespace "kindling": the Kubernetes API answered 403 Forbidden: pods is forbidden: cannot list resource "pods"',
    );
    expect(api.list()).toEqual([]);
  });

  it('refuses a template that is not a pod, and counts that are not positive, at once', () => {
    const kc = new KubeConfig();
    expect(() => new K8sClusterManager(options({ template: { kind: 'Service' }, kubeConfig: kc }))).toThrow(
      'the executor pod template is not a Pod',
    );
    expect(() => new K8sClusterManager(options({ cores: 0, kubeConfig: kc }))).toThrow(
      'invalid executor cores 0',
    );
    expect(() => new K8sClusterManager(options({ executors: 0, kubeConfig: kc }))).toThrow(
      'invalid executor count 0',
    );
    expect(() => new K8sClusterManager(options({ memory: 0.5, kubeConfig: kc }))).toThrow(
      'invalid executor memory',
    );
  });

  it('refuses a cluster id that cannot name a pod', () => {
    expect(() => new K8sClusterManager(options({ cluster: 'Bad_Id', kubeConfig: new KubeConfig() }))).toThrow(
      /invalid cluster id "Bad_Id"/,
    );
  });
});

describe('K8sClusterManager in a process of its own', () => {
  it('leaves no handles open after close: the process exits', async () => {
    const here = (f: string): string => JSON.stringify(new URL(f, import.meta.url).href);
    const script = `
      import { KubeConfig } from '@kubernetes/client-node';
      import { FakePodsApi } from ${here('./k8s-fake-api.ts')};
      import { K8sClusterManager } from ${here('./k8s-cluster.ts')};
      const api = await FakePodsApi.start();
      const kc = new KubeConfig();
      kc.loadFromClusterAndUser({ name: 'fake', server: api.url, skipTLSVerify: true }, { name: 't' });
      const m = new K8sClusterManager({ apiServer: api.url, namespace: 'ns', driverPod: null, image: 'i',
        executors: 2, cores: 1, memory: 1 << 30, natsUrl: 'nats://n:4222', cluster: 'kx', kubeConfig: kc });
      m.start();
      await m.ready();
      while (api.openWatches === 0) await new Promise((r) => setTimeout(r, 10));
      api.setPhase('kx-exec-1', 'Failed');
      while (api.get('kx-exec-3') === undefined) await new Promise((r) => setTimeout(r, 10));
      await m.close();
      const left = api.list().length;
      await api.close();
      console.log('closed, pods left: ' + left);
    `;
    const child = spawn(process.execPath, ['--input-type=module', '-e', script], {
      cwd: fileURLToPath(new URL('../../..', import.meta.url)),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (out += d.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the process did not exit after close: ${out}`));
      }, 15_000);
      child.on('exit', (c) => {
        clearTimeout(timer);
        resolve(c);
      });
    });
    expect(out).toContain('closed, pods left: 0');
    expect(code).toBe(0);
  });
});
