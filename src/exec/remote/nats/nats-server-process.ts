/**
 * A NATS server (Debian's `nats-server` 2.9, JetStream on) run as a child of this process: what a
 * driver with `kindling.master = process[N]` and no `kindling.nats.url` uses, and what tests use.
 *
 * - It listens on a port it picks itself (`listen: host:-1`, read back from its ports file) and
 *   keeps JetStream's files in a temporary folder that `stop` removes.
 * - `max_payload` is 8 MiB (the server's default is 1 MiB; 2.9 takes up to 64 MiB and warns above
 *   8): a plan fragment with large literals fits.
 * - With `token` (the driver's case) clients must present a random token, which reaches executors
 *   through their environment, never a command line.
 * - It runs under a shell that ends it when this process's end of a pipe closes: if this process
 *   dies, even by SIGKILL, the server goes with it.
 * - `restart` stops it and starts it again on the same port and store (reconnection tests).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import { connect as tcpConnect } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { EngineError, SqlState } from '../../../common/index.ts';

export interface NatsServerProcess {
  /** `nats://host:port`. */
  readonly url: string;
  /** The token clients authenticate with, or null when none is required. */
  readonly token: string | null;
  /** The server's max_payload, in bytes. */
  readonly maxPayload: number;
  /** Stops the server and starts it again on the same port and store (clients reconnect). */
  restart(): Promise<void>;
  /** Stops it and removes its folder. */
  stop(): Promise<void>;
}

export interface NatsServerOptions {
  /** The address it listens on; default loopback. */
  readonly host?: string;
  /** Where its folder is made; default the OS temporary folder. */
  readonly dir?: string;
  /** Default 8 MiB. */
  readonly maxPayload?: number;
  /** Require a random token of clients (default false). */
  readonly token?: boolean;
}

const BINARY = 'nats-server';
const MAX_PAYLOAD = 8 << 20;
const START_TIMEOUT_MS = 20_000;

/** Debian puts it in /usr/sbin, which a user's PATH may lack. */
function serverEnv(): NodeJS.ProcessEnv {
  return { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/usr/local/sbin` };
}

let available: boolean | undefined;

/** Whether `nats-server` can be run here. */
export function hasNatsServer(): boolean {
  if (available === undefined) {
    const r = spawnSync(BINARY, ['--version'], { encoding: 'utf8', env: serverEnv() });
    available = r.status === 0 && r.stdout.includes('nats-server');
  }
  return available;
}

export async function startNatsServer(options: NatsServerOptions = {}): Promise<NatsServerProcess> {
  if (!hasNatsServer()) {
    throw new EngineError(SqlState.systemError, 'could not start nats-server: it is not installed', {
      hint: 'install it (Debian: apt-get install nats-server), or set kindling.nats.url',
    });
  }
  const host = options.host ?? '127.0.0.1';
  const maxPayload = options.maxPayload ?? MAX_PAYLOAD;
  const token = options.token === true ? randomBytes(24).toString('hex') : null;
  if (options.dir !== undefined) fs.mkdirSync(options.dir, { recursive: true });
  const dir = fs.mkdtempSync(path.join(options.dir ?? os.tmpdir(), 'kindling-nats-'));
  let server: RunningServer | null = null;
  try {
    server = await runServer({ dir, host, port: -1, maxPayload, token });
    const port = server.port;
    const urlHost = host === '0.0.0.0' ? '127.0.0.1' : host;
    return {
      url: `nats://${urlHost}:${port}`,
      token,
      maxPayload,
      restart: async () => {
        await server?.stop();
        server = await runServer({ dir, host, port, maxPayload, token });
      },
      stop: async () => {
        await server?.stop();
        fs.rmSync(dir, { recursive: true, force: true });
      },
    };
  } catch (err) {
    await server?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
    throw new EngineError(
      SqlState.systemError,
      `could not start nats-server: ${err instanceof Error ? err.message : String(err)}`,
      { hint: 'or set kindling.nats.url to a NATS server with JetStream' },
    );
  }
}

interface RunningServer {
  readonly port: number;
  stop(): Promise<void>;
}

async function runServer(o: {
  dir: string;
  host: string;
  port: number;
  maxPayload: number;
  token: string | null;
}): Promise<RunningServer> {
  const config = path.join(o.dir, 'nats.conf');
  for (const f of fs.readdirSync(o.dir)) if (f.endsWith('.ports')) fs.rmSync(path.join(o.dir, f));
  fs.writeFileSync(
    config,
    [
      `listen: ${JSON.stringify(`${o.host}:${o.port}`)}`,
      `max_payload: ${o.maxPayload}`,
      `ports_file_dir: ${JSON.stringify(o.dir)}`,
      ...(o.token === null ? [] : [`authorization { token: ${JSON.stringify(o.token)} }`]),
      `jetstream { store_dir: ${JSON.stringify(path.join(o.dir, 'jetstream'))}, max_memory_store: 268435456 }`,
      '',
    ].join('\n'),
    { mode: 0o600 },
  );
  const child: ChildProcess = spawn(
    '/bin/sh',
    ['-c', `${BINARY} -c "$1" & server=$!; cat >/dev/null; kill $server; wait $server`, BINARY, config],
    { stdio: ['pipe', 'ignore', 'pipe'], env: serverEnv() },
  );
  let log = '';
  child.stderr?.setEncoding('utf8');
  child.stderr?.on('data', (chunk: string) => {
    log = (log + chunk).slice(-8192);
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.stdin?.end();
    const killer = setTimeout(() => child.kill('SIGKILL'), 5_000);
    await exited;
    clearTimeout(killer);
  };
  try {
    return { port: await waitForPort(child, o.dir, o.host, () => log), stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Reads the port from the server's ports file, then waits until it accepts a connection. */
async function waitForPort(
  child: ChildProcess,
  dir: string,
  host: string,
  log: () => string,
): Promise<number> {
  const deadline = Date.now() + START_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`it exited (${child.exitCode ?? child.signalCode}): ${log().trim()}`);
    }
    const port = readPort(dir);
    if (port !== undefined && (await accepts(host === '0.0.0.0' ? '127.0.0.1' : host, port))) return port;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`it did not start within ${START_TIMEOUT_MS / 1000} s: ${log().trim()}`);
}

function readPort(dir: string): number | undefined {
  const file = fs.readdirSync(dir).find((f) => f.startsWith(`${BINARY}_`) && f.endsWith('.ports'));
  if (file === undefined) return undefined;
  try {
    const ports = JSON.parse(fs.readFileSync(path.join(dir, file), 'utf8')) as { nats?: string[] };
    const url = ports.nats?.[0];
    if (url === undefined) return undefined;
    const port = Number(new URL(url).port);
    return port > 0 ? port : undefined;
  } catch {
    return undefined; // being written
  }
}

function accepts(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = tcpConnect({ host, port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}
