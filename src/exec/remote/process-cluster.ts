/**
 * The `process[N]` cluster manager: N `kindling executor` processes on this host, children
 * of the driver, each optionally inside a network namespace of its own (`ip netns exec`), so that
 * tests see them as separate hosts. One that exits is replaced by a new one with a new id (ever
 * more slowly if they keep dying). They get SIGTERM when the driver closes; when the driver dies
 * (even by SIGKILL) the pipe to their standard input closes and they exit.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { ExecutorId } from '../task.ts';
import { ReplacementBackoff } from '../replacement-backoff.ts';
import type { ClusterManager } from './cluster-manager.ts';

export interface ProcessClusterOptions {
  readonly executors: number;
  /** The NATS server the executors connect to. */
  readonly servers: string;
  readonly cluster: string;
  /** Bytes each executor's tasks may reserve. */
  readonly memory: number;
  readonly cores: number;
  readonly localDir: string;
  /**
   * Per executor slot: a network namespace to start it in and the address it has there (its
   * Flight server binds it). Default: this host's loopback.
   */
  readonly places?: readonly { readonly netns: string; readonly host: string }[];
  /** Environment variables the executors get besides this process's (secrets go here). */
  readonly env?: Readonly<Record<string, string>>;
  /** Where executors' output goes (default: this process's stderr, each line prefixed). */
  readonly log?: (line: string) => void;
}

const CLI = fileURLToPath(new URL('../../cli/main.ts', import.meta.url));

/**
 * V8 flags of an executor process, as the executor threads get them (executors/thread-pool.ts):
 * external memory (Arrow's buffers) counted in the heap's limit, so collections follow the heap's
 * growth rather than every 64 MiB of buffers; and a young generation of 16 MiB semi-spaces.
 */
const EXECUTOR_NODE_FLAGS = ['--external-memory-accounted-in-global-limit', '--max-semi-space-size=16'];

interface Child {
  readonly id: ExecutorId;
  readonly slot: number;
  readonly process: ChildProcess;
  exited: boolean;
}

export class ProcessClusterManager implements ClusterManager {
  private readonly options: ProcessClusterOptions;
  private readonly children = new Map<ExecutorId, Child>();
  private readonly exitListeners: ((id: ExecutorId, reason: string) => void)[] = [];
  private generation = 0;
  private closed = false;
  private readonly backoff = new ReplacementBackoff();

  constructor(options: ProcessClusterOptions) {
    this.options = options;
  }

  start(): void {
    for (let slot = 0; slot < this.options.executors; slot++) this.spawn(slot);
  }

  /** The executors running now. */
  ids(): ExecutorId[] {
    return [...this.children.keys()];
  }

  /** The PID of an executor's process (for tests that kill it from outside). */
  pid(id: ExecutorId): number | undefined {
    return this.children.get(id)?.process.pid;
  }

  private spawn(slot: number): void {
    const id = `${this.options.cluster}-e${slot + 1}-${++this.generation}`;
    const place = this.options.places?.[slot];
    const args = [
      ...EXECUTOR_NODE_FLAGS,
      CLI,
      'executor',
      '--master',
      this.options.servers,
      '--cluster',
      this.options.cluster,
      '--id',
      id,
      '--cores',
      String(this.options.cores),
      '--memory',
      String(this.options.memory),
      '--local-dir',
      this.options.localDir,
      '--host',
      place?.host ?? '127.0.0.1',
      // The pipe to its standard input closes when this process ends, however it ends.
      '--exit-with-stdin',
    ];
    const command = place === undefined ? process.execPath : 'ip';
    const argv = place === undefined ? args : ['netns', 'exec', place.netns, process.execPath, ...args];
    const child = spawn(command, argv, {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, ...this.options.env },
    });
    const entry: Child = { id, slot, process: child, exited: false };
    this.children.set(id, entry);
    const log = this.options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
    const forward = (chunk: Buffer): void => {
      for (const line of chunk.toString('utf8').split('\n')) if (line !== '') log(`[${id}] ${line}`);
    };
    child.stdout?.on('data', forward);
    child.stderr?.on('data', forward);
    const exited = (reason: string): void => {
      if (entry.exited) return;
      entry.exited = true;
      this.children.delete(id);
      for (const l of this.exitListeners) l(id, reason);
      if (this.closed) return;
      const delay = this.backoff.delayAfterDeath();
      setTimeout(() => {
        if (!this.closed) this.spawn(slot);
      }, delay).unref();
    };
    child.on('error', (err) => exited(`it could not start: ${err.message}`));
    child.on('exit', (code, signal) =>
      exited(
        signal === null ? `its process exited with code ${code}` : `its process was killed by ${signal}`,
      ),
    );
  }

  kill(id: ExecutorId): boolean {
    const child = this.children.get(id);
    if (child === undefined) return false;
    return child.process.kill('SIGKILL');
  }

  onExecutorExit(listener: (id: ExecutorId, reason: string) => void): void {
    this.exitListeners.push(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    const all = [...this.children.values()];
    await Promise.all(
      all.map(
        (c) =>
          new Promise<void>((resolve) => {
            if (c.exited || c.process.exitCode !== null) return resolve();
            const timer = setTimeout(() => c.process.kill('SIGKILL'), 5_000);
            c.process.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            c.process.kill('SIGTERM');
          }),
      ),
    );
  }
}
