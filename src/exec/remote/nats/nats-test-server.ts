/**
 * A throw-away nats-server for tests: `startNatsServer()` spawns Debian's `nats-server` (2.9) with
 * JetStream on loopback, a port the server picks itself (`listen: 127.0.0.1:-1`, learned from its
 * ports file), a temporary store directory and `max_payload` raised to 8 MiB (the server's default
 * is 1 MiB; 2.9 accepts up to 64 MiB and warns above 8), waits until it accepts connections, and
 * `stop()` kills it by PID and removes the directory. Each test file starts its own server, so test
 * files run in parallel without sharing one. `hasNatsServer()` lets a suite skip where the binary
 * is missing (`describe.skipIf(!hasNatsServer())`). `restart()` bounces the server on the same port
 * and store, for reconnection tests.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface NatsTestServer {
  /** `nats://127.0.0.1:<port>` */
  readonly url: string;
  /** The server's max_payload, in bytes. */
  readonly maxPayload: number;
  /** Stops the server and starts it again on the same port and store (clients reconnect). */
  restart(): Promise<void>;
  /** Kills it and removes its directory. */
  stop(): Promise<void>;
}

/** The nats-server binary: `NATS_SERVER` if set, else the one on PATH (Debian's /usr/sbin). */
function natsServerPath(): string {
  return process.env['NATS_SERVER'] ?? 'nats-server';
}

let available: boolean | undefined;

/** Whether a nats-server binary runs here. */
export function hasNatsServer(): boolean {
  if (available === undefined) {
    const r = spawnSync(natsServerPath(), ['--version'], {
      encoding: 'utf8',
      env: { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/usr/local/sbin` },
    });
    available = r.status === 0 && r.stdout.includes('nats-server');
  }
  return available;
}

const MAX_PAYLOAD = 8 * 1024 * 1024;

export async function startNatsServer(options: { maxPayload?: number } = {}): Promise<NatsTestServer> {
  const maxPayload = options.maxPayload ?? MAX_PAYLOAD;
  const dir = mkdtempSync(join(tmpdir(), 'kindling-nats-'));
  let server: RunningServer | undefined;
  try {
    server = await runServer(dir, maxPayload, -1);
    const port = server.port;
    return {
      url: `nats://127.0.0.1:${port}`,
      maxPayload,
      restart: async () => {
        await server?.kill();
        server = await runServer(dir, maxPayload, port);
      },
      stop: async () => {
        await server?.kill();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (e) {
    await server?.kill();
    rmSync(dir, { recursive: true, force: true });
    throw e;
  }
}

interface RunningServer {
  readonly port: number;
  kill(): Promise<void>;
}

/** Runs nats-server on `port` (-1: one it picks) with its store under `dir`. */
async function runServer(dir: string, maxPayload: number, port: number): Promise<RunningServer> {
  const storeDir = join(dir, 'jetstream');
  const config = join(dir, 'nats.conf');
  for (const f of readdirSync(dir)) if (f.endsWith('.ports')) rmSync(join(dir, f));
  writeFileSync(
    config,
    [
      `listen: "127.0.0.1:${port}"`,
      `max_payload: ${maxPayload}`,
      `ports_file_dir: ${JSON.stringify(dir)}`,
      `jetstream { store_dir: ${JSON.stringify(storeDir)}, max_memory_store: 268435456, max_file_store: 2147483648 }`,
      '',
    ].join('\n'),
  );
  const child = spawn(natsServerPath(), ['-c', config], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, PATH: `${process.env['PATH'] ?? ''}:/usr/sbin:/usr/local/sbin` },
  });
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log = (log + chunk).slice(-8192);
  });
  // Should the test process end without stopping it (an uncaught error), the server goes too.
  const orphan = (): void => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  };
  process.once('exit', orphan);
  const exited = new Promise<void>((resolve) =>
    child.once('exit', () => {
      process.off('exit', orphan);
      resolve();
    }),
  );
  const kill = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      process.kill(child.pid, 'SIGTERM');
      const killer = setTimeout(() => {
        if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
          process.kill(child.pid, 'SIGKILL');
        }
      }, 5000);
      await exited;
      clearTimeout(killer);
    }
  };
  try {
    return { port: await waitForPort(child, dir, () => log), kill };
  } catch (e) {
    await kill();
    throw e;
  }
}

/** Reads the port from the server's ports file, then waits until it accepts a connection. */
async function waitForPort(child: ChildProcess, dir: string, log: () => string): Promise<number> {
  const deadline = Date.now() + 20_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`nats-server exited (${child.exitCode ?? child.signalCode}): ${log()}`);
    }
    const port = readPort(dir);
    if (port !== undefined && (await accepts(port))) return port;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`nats-server did not start within 20s: ${log()}`);
}

function readPort(dir: string): number | undefined {
  const file = readdirSync(dir).find((f) => f.endsWith('.ports'));
  if (file === undefined) return undefined;
  try {
    const ports = JSON.parse(readFileSync(join(dir, file), 'utf8')) as { nats?: string[] };
    const url = ports.nats?.[0];
    if (url === undefined) return undefined;
    const port = Number(new URL(url).port);
    return port > 0 ? port : undefined;
  } catch {
    return undefined; // being written
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
