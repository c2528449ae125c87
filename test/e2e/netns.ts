/**
 * Separate hosts on one machine for tests: network namespaces joined by a bridge in this one, as
 * `ip netns` and veth pairs make them (root only). The bridge has `<net>.1`; namespace i has
 * `<net>.1<i>` on its `eth0`. `partition(i)` takes namespace i's link down (a network
 * partition) and `heal(i)` brings it back. Names carry this process's id, so runs do not collide.
 */
import { execFileSync, spawnSync } from 'node:child_process';

export interface TestHosts {
  /** The address of this (the driver's) side of the bridge. */
  readonly driverAddress: string;
  readonly hosts: readonly { readonly netns: string; readonly host: string }[];
  partition(i: number): void;
  heal(i: number): void;
  remove(): void;
}

/** Whether this process may make network namespaces (root, with iproute2). */
export function canMakeNamespaces(): boolean {
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync('ip', ['netns', 'list'], { stdio: 'ignore' });
  return r.status === 0;
}

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

export function makeTestHosts(count: number): TestHosts {
  const tag = String(process.pid % 100000);
  const net = `10.213.${process.pid % 250}`;
  const bridge = `kbr${tag}`;
  const made: string[] = [];
  const hosts: { netns: string; host: string }[] = [];
  const remove = (): void => {
    for (const ns of made) spawnSync('ip', ['netns', 'del', ns], { stdio: 'ignore' });
    spawnSync('ip', ['link', 'del', bridge], { stdio: 'ignore' });
  };
  try {
    ip('link', 'add', bridge, 'type', 'bridge');
    ip('addr', 'add', `${net}.1/24`, 'dev', bridge);
    ip('link', 'set', bridge, 'up');
    for (let i = 1; i <= count; i++) {
      const ns = `kns${tag}-${i}`;
      const veth = `kv${tag}-${i}`;
      ip('netns', 'add', ns);
      made.push(ns);
      ip('link', 'add', veth, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      ip('link', 'set', veth, 'master', bridge, 'up');
      ip('-n', ns, 'addr', 'add', `${net}.1${i}/24`, 'dev', 'eth0');
      ip('-n', ns, 'link', 'set', 'eth0', 'up');
      ip('-n', ns, 'link', 'set', 'lo', 'up');
      hosts.push({ netns: ns, host: `${net}.1${i}` });
    }
  } catch (err) {
    remove();
    throw err;
  }
  return {
    driverAddress: `${net}.1`,
    hosts,
    partition: (i) => ip('-n', hosts[i]!.netns, 'link', 'set', 'eth0', 'down'),
    heal: (i) => ip('-n', hosts[i]!.netns, 'link', 'set', 'eth0', 'up'),
    remove,
  };
}
