/**
 * Offline checks of the Kubernetes manifests (deploy/k8s/*.yaml) and the Dockerfile, as far as they
 * go without an API server:
 *
 * - every YAML document parses, and every field is one the API's schema has, with the right type,
 *   recursively (the model classes of @kubernetes/client-node carry each kind's fields and types);
 * - required fields are there; selectors match their pod templates; Services reach container ports;
 *   every `$(VAR)` in args has an env var; every referenced ConfigMap key, PVC, ServiceAccount and
 *   Role exists; the Role grants exactly the verbs the cluster manager uses (recorded from a run of
 *   it against the fake Pods API);
 * - the settings in the ConfigMap parse as the engine parses them (master, sizes, hba rules — with
 *   passwords, never trust), the warehouse is mounted at the same path in the driver and (through
 *   the executor pod template, merged by executorPodSpec) in the executors;
 * - the Dockerfile's ENTRYPOINT runs a file that exists and is copied into the image, and nothing
 *   the CLI imports is a devDependency (the image installs with --omit=dev).
 *
 * What it cannot catch: whatever only an API server or a cluster knows — admission and validation
 * rules beyond field names and types (value formats such as quantities and DNS names, immutable
 * fields, defaults, required fields other than those checked here), YAML 1.1 readings that kubectl
 * makes and this parser (YAML 1.2) does not (`on`/`yes` as booleans), whether the images exist and
 * start, whether the storage class offers ReadWriteMany, whether NATS accepts its config, and whether
 * `kindling serve` accepts the `--conf` keys at run time.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as k8s from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { FakePodsApi } from '../../src/exec/remote/k8s-fake-api.ts';
import { K8sClusterManager, executorPodSpec } from '../../src/exec/remote/k8s-cluster.ts';
import { parseMaster } from '../../src/exec/remote/master.ts';
import { parseHba, remoteTrustRules } from '../../src/server/index.ts';
import { parseByteSize } from '../../src/session/settings.ts';

type Obj = Record<string, unknown>;

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = join(HERE, '..', '..');
const NAMESPACE = 'kindling';

function isObj(v: unknown): v is Obj {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function obj(v: unknown, what: string): Obj {
  if (!isObj(v)) throw new Error(`${what} is not an object`);
  return v;
}

function arr(v: unknown, what: string): unknown[] {
  if (!Array.isArray(v)) throw new Error(`${what} is not a list`);
  return v as unknown[];
}

function str(v: unknown, what: string): string {
  if (typeof v !== 'string') throw new Error(`${what} is not a string`);
  return v;
}

/**
 * The YAML documents of a text as plain data. loadAllYaml deserializes built-in kinds into model
 * objects, dropping fields it does not know — the very mistakes to catch — so each document's
 * top-level apiVersion and metadata are renamed for the parse (a group that is not built in keeps
 * every field as written) and restored after.
 */
function loadRaw(text: string): Obj[] {
  const shifted = text
    .replace(/^apiVersion: /gm, 'apiVersion: raw.kindling.test/')
    .replace(/^metadata:/gm, 'x-raw-metadata:');
  const docs: unknown[] = k8s.loadAllYaml(shifted);
  return docs
    .filter((d) => d !== null && d !== undefined)
    .map((d) => {
      const doc: Obj = Object.fromEntries(
        Object.entries(obj(d, 'a YAML document')).map(([k, v]) => [
          k === 'x-raw-metadata' ? 'metadata' : k,
          v,
        ]),
      );
      doc.apiVersion = str(doc.apiVersion, 'apiVersion').replace(/^raw\.kindling\.test\//, '');
      return doc;
    });
}

interface Attribute {
  readonly baseName: string;
  readonly type: string;
}

function attributes(type: string): readonly Attribute[] | undefined {
  const model: unknown = (k8s as unknown as Obj)[type];
  if (typeof model !== 'function') return undefined;
  const get: unknown = (model as unknown as Obj).getAttributeTypeMap;
  if (typeof get !== 'function') return undefined;
  return (get as () => Attribute[]).call(model);
}

/** Errors of `value` against the client's model of `type`: unknown fields, wrong types. */
function schemaErrors(value: unknown, type: string, path: string): string[] {
  const wrong = (expected: string): string[] => [
    `${path}: expected ${expected}, got ${JSON.stringify(value)}`,
  ];
  switch (type) {
    case 'any':
      return [];
    case 'string':
    case 'Date':
      return typeof value === 'string' ? [] : wrong('a string');
    case 'number':
      return typeof value === 'number' ? [] : wrong('a number');
    case 'boolean':
      return typeof value === 'boolean' ? [] : wrong('a boolean');
    case 'IntOrString':
      return typeof value === 'string' || typeof value === 'number' ? [] : wrong('an integer or a string');
  }
  const array = /^Array<(.+)>$/.exec(type);
  if (array !== null) {
    if (!Array.isArray(value)) return wrong('a list');
    return (value as unknown[]).flatMap((v, i) => schemaErrors(v, array[1]!, `${path}[${i}]`));
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map !== null) {
    if (!isObj(value)) return wrong('a map');
    return Object.entries(value).flatMap(([k, v]) => schemaErrors(v, map[1]!, `${path}.${k}`));
  }
  const attrs = attributes(type);
  if (attrs === undefined) return [`${path}: no model for type ${type}`];
  if (!isObj(value)) return wrong(`an object (${type})`);
  return Object.entries(value).flatMap(([k, v]) => {
    const a = attrs.find((x) => x.baseName === k);
    if (a === undefined) return [`${path}.${k}: unknown field of ${type}`];
    return schemaErrors(v, a.type, `${path}.${k}`);
  });
}

/** The model type of a document: `V1Deployment` for apps/v1 Deployment. */
function modelType(doc: Obj): string {
  const apiVersion = str(doc.apiVersion, 'apiVersion');
  const version = apiVersion.split('/').at(-1)!;
  return `${version.charAt(0).toUpperCase()}${version.slice(1)}${str(doc.kind, 'kind')}`;
}

const files = readdirSync(HERE)
  .filter((f) => f.endsWith('.yaml'))
  .sort();
const docs: { file: string; doc: Obj }[] = files.flatMap((file) =>
  loadRaw(readFileSync(join(HERE, file), 'utf8')).map((doc) => ({ file, doc })),
);

function find(kind: string, name: string): Obj {
  const hit = docs.find(({ doc }) => doc.kind === kind && obj(doc.metadata, 'metadata').name === name);
  if (hit === undefined) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return hit.doc;
}

function podSpec(deployment: Obj): Obj {
  return obj(obj(obj(deployment.spec, 'spec').template, 'template').spec, 'template.spec');
}

function containers(spec: Obj): Obj[] {
  return arr(spec.containers, 'containers').map((c) => obj(c, 'container'));
}

function envOf(container: Obj): Obj[] {
  return (container.env === undefined ? [] : arr(container.env, 'env')).map((e) => obj(e, 'env var'));
}

const config = obj(find('ConfigMap', 'kindling-config').data, 'kindling-config data');
const setting = (key: string): string => str(config[key], `kindling-config ${key}`);
const driver = find('Deployment', 'kindling-driver');
const driverContainer = containers(podSpec(driver))[0]!;
const driverArgs = arr(driverContainer.args, 'driver args').map((a) => str(a, 'an arg'));

/** The driver's `--conf key=value` settings, with `$(VAR)` from the ConfigMap and the downward API. */
function driverConf(): Map<string, string> {
  const values = new Map<string, string>();
  for (const e of envOf(driverContainer)) {
    const ref = isObj(e.valueFrom) ? e.valueFrom.configMapKeyRef : undefined;
    if (isObj(ref)) values.set(str(e.name, 'env name'), setting(str(ref.key, 'key')));
  }
  values.set('KINDLING_NAMESPACE', NAMESPACE);
  const conf = new Map<string, string>();
  driverArgs.forEach((a, i) => {
    if (driverArgs[i - 1] !== '--conf') return;
    const expanded = a.replace(
      /\$\(([A-Za-z_][A-Za-z0-9_]*)\)/g,
      (_, v: string) => values.get(v) ?? `$(${v})`,
    );
    const eq = expanded.indexOf('=');
    conf.set(expanded.slice(0, eq), expanded.slice(eq + 1));
  });
  return conf;
}

describe('deploy/k8s manifests', () => {
  it('are all there', () => {
    expect(files.length).toBeGreaterThan(0);
    const kinds = docs.map(({ doc }) => `${String(doc.kind)}/${String(obj(doc.metadata, 'metadata').name)}`);
    expect(kinds.sort()).toEqual(
      [
        'ConfigMap/kindling-config',
        'ConfigMap/nats-config',
        'Deployment/kindling-driver',
        'Deployment/nats',
        'Namespace/kindling',
        'PersistentVolumeClaim/kindling-warehouse',
        'Role/kindling-driver',
        'RoleBinding/kindling-driver',
        'Service/kindling',
        'Service/nats',
        'ServiceAccount/kindling-driver',
      ].sort(),
    );
  });

  it.each(docs.map(({ file, doc }) => [`${file}: ${String(doc.kind)}`, doc] as const))(
    '%s has only fields of its schema, with the right types',
    (_, doc) => {
      expect(schemaErrors(doc, modelType(doc), String(doc.kind))).toEqual([]);
    },
  );

  it('has the required fields, in the namespace', () => {
    for (const { file, doc } of docs) {
      const where = `${file} ${String(doc.kind)}`;
      expect(typeof doc.apiVersion, where).toBe('string');
      const meta = obj(doc.metadata, `${where} metadata`);
      expect(meta.name, where).toMatch(/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/);
      if (doc.kind !== 'Namespace') expect(meta.namespace, where).toBe(NAMESPACE);
      if (doc.kind === 'Deployment') {
        for (const c of containers(podSpec(doc))) {
          expect(c.name, where).toMatch(/^[a-z0-9-]+$/);
          expect(c.image, where).toMatch(/\S/);
        }
      }
    }
    expect(find('Namespace', NAMESPACE)).toBeDefined();
  });

  it("selects each Deployment's own pods, and each Service reaches a container port", () => {
    const deployments = docs.filter(({ doc }) => doc.kind === 'Deployment').map(({ doc }) => doc);
    for (const d of deployments) {
      const spec = obj(d.spec, 'spec');
      const match = obj(obj(spec.selector, 'selector').matchLabels, 'matchLabels');
      const labels = obj(obj(obj(spec.template, 'template').metadata, 'metadata').labels, 'labels');
      expect(Object.keys(match).length).toBeGreaterThan(0);
      for (const [k, v] of Object.entries(match)) expect(labels[k], `${k}`).toBe(v);
    }
    for (const { doc } of docs.filter(({ doc }) => doc.kind === 'Service')) {
      const spec = obj(doc.spec, 'spec');
      const selector = obj(spec.selector, 'selector');
      const targets = deployments.filter((d) => {
        const labels = obj(
          obj(obj(obj(d.spec, 'spec').template, 'template').metadata, 'metadata').labels,
          'l',
        );
        return Object.entries(selector).every(([k, v]) => labels[k] === v);
      });
      expect(targets, `Service ${String(obj(doc.metadata, 'm').name)} selects one Deployment`).toHaveLength(
        1,
      );
      const ports = containers(podSpec(targets[0]!)).flatMap((c) =>
        arr(c.ports ?? [], 'ports').map((p) => obj(p, 'port')),
      );
      for (const p of arr(spec.ports, 'ports').map((x) => obj(x, 'port'))) {
        expect(typeof p.port).toBe('number');
        const target = p.targetPort ?? p.port;
        expect(
          ports.some((cp) => cp.name === target || cp.containerPort === target),
          `targetPort ${String(target)}`,
        ).toBe(true);
      }
    }
  });

  it('defines every $(VAR) of args in env, and every ConfigMap key, claim, account and role referenced', () => {
    for (const d of docs.filter(({ doc }) => doc.kind === 'Deployment').map(({ doc }) => doc)) {
      const spec = podSpec(d);
      for (const c of containers(spec)) {
        const names = new Set(envOf(c).map((e) => e.name));
        for (const a of [...arr(c.args ?? [], 'args'), ...arr(c.command ?? [], 'command')]) {
          for (const m of str(a, 'arg').matchAll(/\$\(([^)]*)\)/g))
            expect(names.has(m[1]), `$(${m[1]})`).toBe(true);
        }
        for (const e of envOf(c)) {
          const ref = isObj(e.valueFrom) ? e.valueFrom.configMapKeyRef : undefined;
          if (!isObj(ref)) continue;
          const data = obj(find('ConfigMap', str(ref.name, 'name')).data, 'data');
          expect(data[str(ref.key, 'key')], `${String(ref.name)} ${String(ref.key)}`).toBeDefined();
        }
        const mounted = new Set(arr(c.volumeMounts ?? [], 'mounts').map((m) => obj(m, 'mount').name));
        const volumes = new Set(arr(spec.volumes ?? [], 'volumes').map((v) => obj(v, 'volume').name));
        for (const m of mounted) expect(volumes.has(m), `volume ${String(m)}`).toBe(true);
      }
      for (const v of arr(spec.volumes ?? [], 'volumes').map((x) => obj(x, 'volume'))) {
        if (isObj(v.persistentVolumeClaim))
          find('PersistentVolumeClaim', str(v.persistentVolumeClaim.claimName, 'claim'));
        if (isObj(v.configMap)) {
          const data = obj(find('ConfigMap', str(v.configMap.name, 'name')).data, 'data');
          for (const item of arr(v.configMap.items ?? [], 'items')) {
            expect(data[str(obj(item, 'item').key, 'key')]).toBeDefined();
          }
        }
      }
      if (spec.serviceAccountName !== undefined) find('ServiceAccount', str(spec.serviceAccountName, 'sa'));
    }
    const binding = find('RoleBinding', 'kindling-driver');
    const roleRef = obj(binding.roleRef, 'roleRef');
    expect(roleRef.kind).toBe('Role');
    find('Role', str(roleRef.name, 'role'));
    expect(binding.subjects).toEqual([
      { kind: 'ServiceAccount', name: podSpec(driver).serviceAccountName, namespace: NAMESPACE },
    ]);
  });

  it('grants the driver exactly the verbs on pods that the cluster manager uses', async () => {
    const api = await FakePodsApi.start();
    const kc = new k8s.KubeConfig();
    kc.loadFromClusterAndUser({ name: 'fake', server: api.url, skipTLSVerify: true }, { name: 'test' });
    const manager = new K8sClusterManager({
      apiServer: api.url,
      namespace: NAMESPACE,
      driverPod: { name: 'driver', uid: 'u' },
      image: 'kindling:latest',
      executors: 2,
      cores: 1,
      memory: 2 ** 30,
      natsUrl: 'nats://nats:4222',
      cluster: 'kverbs',
      kubeConfig: kc,
      log: () => {},
    });
    try {
      manager.start();
      await manager.ready();
      while (api.openWatches === 0) await new Promise((r) => setTimeout(r, 10));
      api.setPhase('kverbs-exec-1', 'Failed');
      manager.kill('kverbs-exec-2');
      while (api.get('kverbs-exec-4') === undefined) await new Promise((r) => setTimeout(r, 10));
    } finally {
      await manager.close();
      await api.close();
    }
    const verbs = new Set(
      api.requests.map((r) => {
        const named = /\/pods\/[^/]+$/.test(r.path);
        if (r.method === 'POST') return 'create';
        if (r.method === 'DELETE') return 'delete';
        if (named) return 'get';
        return r.query.watch === 'true' ? 'watch' : 'list';
      }),
    );
    expect(api.requests.every((r) => r.path.startsWith(`/api/v1/namespaces/${NAMESPACE}/pods`))).toBe(true);
    expect(find('Role', 'kindling-driver').rules).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: [...verbs].sort() },
    ]);
  });

  it("has settings that parse as the engine's", () => {
    const master = parseMaster(setting('KINDLING_MASTER'));
    expect(master).toEqual({ kind: 'k8s', apiServer: 'https://kubernetes.default.svc' });
    const nats = parseMaster(setting('KINDLING_NATS_URL'));
    expect(nats.kind).toBe('nats');
    const natsUrl = new URL(setting('KINDLING_NATS_URL'));
    const natsService = obj(find('Service', natsUrl.hostname).spec, 'spec');
    expect(arr(natsService.ports, 'ports').map((p) => obj(p, 'port').port)).toContain(Number(natsUrl.port));
    for (const key of ['KINDLING_EXECUTOR_INSTANCES', 'KINDLING_EXECUTOR_CORES']) {
      expect(setting(key), key).toMatch(/^[1-9]\d*$/);
    }
    expect(parseByteSize(setting('KINDLING_EXECUTOR_MEMORY'))).toBeGreaterThan(0);
    expect(setting('KINDLING_IMAGE')).toBe(driverContainer.image);
    expect(setting('KINDLING_WAREHOUSE')).toMatch(/^\/\S+$/);
    expect(setting('KINDLING_NATS_TOKEN_SECRET')).toMatch(/^[a-z0-9-]+\/[A-Za-z0-9_.-]+$/);

    const conf = driverConf();
    expect(parseMaster(conf.get('kindling.master')!)).toEqual(master);
    expect(conf.get('kindling.nats.url')).toBe(setting('KINDLING_NATS_URL'));
    expect(conf.get('kindling.executor.instances')).toBe(setting('KINDLING_EXECUTOR_INSTANCES'));
    expect(conf.get('kindling.executor.memory')).toBe(setting('KINDLING_EXECUTOR_MEMORY'));
    expect(conf.get('kindling.kubernetes.container.image')).toBe(setting('KINDLING_IMAGE'));
    expect(conf.get('kindling.kubernetes.namespace')).toBe(NAMESPACE);
  });

  it('serves with password rules from the ConfigMap, never trust', () => {
    expect(driverArgs).not.toContain('--trust-remote');
    expect(driverArgs.slice(0, 3)).toEqual(['serve', '--host', '0.0.0.0']);
    const hbaPath = driverArgs[driverArgs.indexOf('--hba') + 1]!;
    const mount = arr(driverContainer.volumeMounts, 'mounts')
      .map((m) => obj(m, 'mount'))
      .find((m) => hbaPath.startsWith(`${str(m.mountPath, 'path')}/`))!;
    const volume = arr(podSpec(driver).volumes, 'volumes')
      .map((v) => obj(v, 'volume'))
      .find((v) => v.name === mount.name)!;
    const file = hbaPath.slice(str(mount.mountPath, 'path').length + 1);
    const item = arr(obj(volume.configMap, 'configMap').items, 'items')
      .map((i) => obj(i, 'item'))
      .find((i) => i.path === file)!;
    const rules = parseHba(setting(str(item.key, 'key')), 'hba.conf');
    expect(rules.length).toBeGreaterThan(0);
    expect(remoteTrustRules(rules)).toEqual([]);
    expect(rules.every((r) => r.method === 'scram-sha-256' || r.method === 'reject')).toBe(true);
  });

  it('gives the driver its pod name, uid, IP and namespace, and the NATS token from a Secret', () => {
    const env = new Map(envOf(driverContainer).map((e) => [e.name, e.valueFrom]));
    expect(env.get('KINDLING_DRIVER_POD_NAME')).toEqual({ fieldRef: { fieldPath: 'metadata.name' } });
    expect(env.get('KINDLING_DRIVER_POD_UID')).toEqual({ fieldRef: { fieldPath: 'metadata.uid' } });
    expect(env.get('POD_IP')).toEqual({ fieldRef: { fieldPath: 'status.podIP' } });
    expect(env.get('KINDLING_NAMESPACE')).toEqual({ fieldRef: { fieldPath: 'metadata.namespace' } });
    const [secret, key] = setting('KINDLING_NATS_TOKEN_SECRET').split('/');
    expect(env.get('KINDLING_NATS_TOKEN')).toEqual({ secretKeyRef: { name: secret, key } });
    const nats = containers(podSpec(find('Deployment', 'nats')))[0]!;
    expect(nats.args).toContain('-js');
    expect(envOf(nats)).toContainEqual({
      name: 'NATS_TOKEN',
      valueFrom: { secretKeyRef: { name: secret, key } },
    });
    expect(str(obj(find('ConfigMap', 'nats-config').data, 'data')['nats.conf'], 'conf')).toMatch(
      /jetstream[\s\S]*token: \$NATS_TOKEN/,
    );
    expect(JSON.stringify(driverArgs)).not.toMatch(/NATS_TOKEN\)/);
  });

  it('mounts the warehouse at the same path in the driver and, through the pod template, the executors', () => {
    const warehouse = setting('KINDLING_WAREHOUSE');
    const claimOf = (spec: Obj, volumeName: unknown): unknown =>
      arr(spec.volumes, 'volumes')
        .map((v) => obj(v, 'volume'))
        .find((v) => v.name === volumeName)?.persistentVolumeClaim;
    const driverMount = arr(driverContainer.volumeMounts, 'mounts')
      .map((m) => obj(m, 'mount'))
      .find((m) => m.mountPath === warehouse)!;
    expect(driverMount).toBeDefined();
    expect(claimOf(podSpec(driver), driverMount.name)).toEqual({ claimName: 'kindling-warehouse' });
    const pvc = obj(find('PersistentVolumeClaim', 'kindling-warehouse').spec, 'spec');
    expect(pvc.accessModes).toEqual(['ReadWriteMany']);

    const [template] = loadRaw(setting('executor-pod.yaml'));
    expect(schemaErrors(template, 'V1Pod', 'executor-pod.yaml')).toEqual([]);
    const [secret, key] = setting('KINDLING_NATS_TOKEN_SECRET').split('/') as [string, string];
    const pod = JSON.parse(
      JSON.stringify(
        executorPodSpec(
          {
            apiServer: parseMaster(setting('KINDLING_MASTER')).kind,
            namespace: NAMESPACE,
            driverPod: { name: 'kindling-driver-0', uid: 'uid' },
            image: setting('KINDLING_IMAGE'),
            executors: Number(setting('KINDLING_EXECUTOR_INSTANCES')),
            cores: Number(setting('KINDLING_EXECUTOR_CORES')),
            memory: parseByteSize(setting('KINDLING_EXECUTOR_MEMORY'))!,
            natsUrl: setting('KINDLING_NATS_URL'),
            cluster: 'k0123abcd',
            template: template!,
            tokenSecret: { name: secret, key },
          },
          'k0123abcd-exec-1',
        ),
      ),
    ) as Obj;
    expect(schemaErrors(pod, 'V1Pod', 'executor pod')).toEqual([]);
    const spec = obj(pod.spec, 'spec');
    const executor = containers(spec)[0]!;
    const mount = arr(executor.volumeMounts, 'mounts')
      .map((m) => obj(m, 'mount'))
      .find((m) => m.mountPath === warehouse)!;
    expect(mount, 'the executors mount the warehouse at the driver path').toBeDefined();
    expect(claimOf(spec, mount.name)).toEqual({ claimName: 'kindling-warehouse' });
    // Same user as the driver: both write the warehouse.
    expect(obj(spec.securityContext, 'sc').runAsUser).toBe(
      obj(podSpec(driver).securityContext, 'sc').runAsUser,
    );
  });

  it('the schema check itself rejects unknown fields and wrong types', () => {
    const [bad] = loadRaw(
      [
        'apiVersion: apps/v1',
        'kind: Deployment',
        'metadata:',
        '  name: x',
        '  lables: {a: b}',
        'spec:',
        '  replicas: "1"',
        '  selector: {matchLabels: {a: b}}',
        '  template:',
        '    metadata: {labels: {a: b}}',
        '    spec:',
        '      containers:',
        '        - name: c',
        '          image: i',
        '          env: [{name: A, valueFrom: {configMapRef: {name: m}}}]',
        '          resources: {limits: {cpu: 2}}',
      ].join('\n'),
    );
    expect(schemaErrors(bad, modelType(bad!), 'Deployment')).toEqual([
      'Deployment.metadata.lables: unknown field of V1ObjectMeta',
      'Deployment.spec.replicas: expected a number, got "1"',
      'Deployment.spec.template.spec.containers[0].env[0].valueFrom.configMapRef: unknown field of V1EnvVarSource',
      'Deployment.spec.template.spec.containers[0].resources.limits.cpu: expected a string, got 2',
    ]);
  });
});

/**
 * The files reachable from `entry` through imports (static, `import()`, worker URLs), and the bare
 * package names they import.
 */
function importGraph(entry: string): { files: Set<string>; packages: Set<string> } {
  const packages = new Set<string>();
  const seen = new Set<string>();
  const stack = [entry];
  const patterns = [
    /^(?:import|export)\s[^;]*?\sfrom\s+'([^']+)';?$/gm,
    /^import\s+'([^']+)';?$/gm,
    /\bimport\('([^']+)'\)/g,
    /new URL\('(\.[^']+\.ts)', import\.meta\.url\)/g,
  ];
  while (stack.length > 0) {
    const file = normalize(stack.pop()!);
    if (seen.has(file)) continue;
    seen.add(file);
    const text = readFileSync(file, 'utf8');
    for (const re of patterns) {
      for (const m of text.matchAll(re)) {
        const target = m[1]!;
        if (target.startsWith('.')) stack.push(join(dirname(file), target));
        else if (!target.startsWith('node:')) {
          const parts = target.split('/');
          packages.add(target.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0]!);
        }
      }
    }
  }
  return { files: seen, packages };
}

/** Whether a path (relative to the build context) matches a .dockerignore pattern. */
function ignoredBy(pattern: string, path: string): boolean {
  const glob = pattern.replace(/\/$/, '');
  const source = glob
    .split(/(\*\*\/|\*)/)
    .map((part) =>
      part === '**/' ? '(?:.*/)?' : part === '*' ? '[^/]*' : part.replace(/[.+?^${}()|[\]\\]/g, '\\$&'),
    )
    .join('');
  return new RegExp(`^${source}(?:/.*)?$`).test(path);
}

describe('Dockerfile', () => {
  const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
  const instruction = (name: string): string[] =>
    [...dockerfile.matchAll(new RegExp(`^${name}\\s+(.*)$`, 'gm'))].map((m) => m[1]!.trim());

  it('runs Node 24 on a Debian image, on the sources it copies', () => {
    expect(instruction('FROM')).toEqual([
      expect.stringMatching(/^node:24[.\d]*-(bookworm|trixie)(-slim)?$/) as string,
    ]);
    expect(instruction('WORKDIR')).toEqual(['/app']);
    const entrypoint = JSON.parse(instruction('ENTRYPOINT')[0]!) as string[];
    expect(entrypoint[0]).toBe('node');
    const script = entrypoint.find((a) => /\.(ts|js)$/.test(a))!;
    expect(script.startsWith('/app/')).toBe(true);
    const relative = script.slice('/app/'.length);
    expect(existsSync(join(ROOT, relative)), relative).toBe(true);
    const top = relative.split('/')[0]!;
    expect(instruction('COPY')).toContain(`${top} ./${top}`);
    const ignore = readFileSync(join(ROOT, '.dockerignore'), 'utf8').split('\n');
    expect(ignore).toContain(`!${top}/`);
    expect(instruction('RUN')[0]).toMatch(/^npm ci --omit=dev\b/);
    const cmd = JSON.parse(instruction('CMD')[0]!) as string[];
    expect(cmd[0]).toBe('serve');
    expect(cmd).not.toContain('--trust-remote');
  });

  it('copies every file the CLI imports into the image', () => {
    const { files } = importGraph(join(ROOT, 'src/cli/main.ts'));
    const copied = new Set(instruction('COPY').map((c) => c.split(/\s+/)[0]!));
    const patterns = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l !== '' && !l.startsWith('#'));
    const kept = (path: string): boolean => {
      let ignored = false;
      for (const p of patterns) {
        if (p.startsWith('!')) {
          if (ignoredBy(p.slice(1), path)) ignored = false;
        } else if (ignoredBy(p, path)) ignored = true;
      }
      return !ignored;
    };
    expect(files.size).toBeGreaterThan(100);
    for (const file of files) {
      const path = relative(ROOT, file);
      expect(copied.has(path.split('/')[0]!), `${path} is copied`).toBe(true);
      expect(kept(path), `${path} is not in .dockerignore`).toBe(true);
    }
    // The patterns do what they say.
    expect(kept('src/cli/main.ts')).toBe(true);
    expect(kept('src/cli/main.test.ts')).toBe(false);
    expect(kept('test/data/tpch/sf0.01/lineitem.tbl')).toBe(false);
    expect(kept('node_modules/commander/index.js')).toBe(false);
  });

  it('needs no devDependency at run time (the image installs with --omit=dev)', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      dependencies: Record<string, string>;
    };
    const used = importGraph(join(ROOT, 'src/cli/main.ts')).packages;
    expect(used.size).toBeGreaterThan(3);
    for (const name of used) expect(Object.keys(pkg.dependencies), name).toContain(name);
  });
});
