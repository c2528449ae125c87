/**
 * `kindling serve` as a child process on a free port, for tests whose server may be kept busy: the
 * test's own process stays free to measure it, and a stuck server is simply killed.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');

export interface ChildServer {
  readonly port: number;
  readonly pid: number;
  /** Settles when the process has exited, with the signal that ended it (null: it exited). */
  readonly exited: Promise<NodeJS.Signals | null>;
  /** Kills the server (SIGKILL: a server busy in a computation cannot run a signal handler). */
  stop(): Promise<void>;
  /** The complete lines the server has written to stderr so far (its log). */
  stderrLines(): string[];
  /** Resolves with the stderr lines once `done` holds for them; rejects after `timeoutMs`. */
  waitForStderr(done: (lines: readonly string[]) => boolean, timeoutMs?: number): Promise<string[]>;
}

export interface ChildServerOptions {
  /** Serve this warehouse (kept when the server stops) rather than a fresh one (removed). */
  readonly warehouse?: string;
  /** Added to the server's environment. */
  readonly env?: Readonly<Record<string, string>>;
}

/** Starts `kindling serve --port 0 <args>`; resolves once it listens. */
export async function startChildServer(
  args: readonly string[] = [],
  options: ChildServerOptions = {},
): Promise<ChildServer> {
  const warehouse = options.warehouse ?? mkdtempSync(join(tmpdir(), 'kindling-child-'));
  const child = spawn(process.execPath, [MAIN, 'serve', '--port', '0', '--warehouse', warehouse, ...args], {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { ...process.env, ...options.env },
  });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (stderr += d));
  const stderrLines = (): string[] => {
    const lines = stderr.split('\n');
    lines.pop(); // the unfinished line, if any
    return lines;
  };
  const exited = new Promise<NodeJS.Signals | null>((done) =>
    child.once('exit', (_code, signal) => done(signal)),
  );
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    await exited;
    if (options.warehouse === undefined) rmSync(warehouse, { recursive: true, force: true });
  };
  try {
    const port = await listeningPort(child, 20_000);
    return {
      port,
      pid: child.pid!,
      exited,
      stop,
      stderrLines,
      waitForStderr: (done, timeoutMs = 10_000) =>
        waitFor(() => done(stderrLines()), timeoutMs).then(stderrLines),
    };
  } catch (err) {
    await stop();
    throw err;
  }
}

/** Polls `ready` until it holds; rejects after `timeoutMs`. */
async function waitFor(ready: () => boolean, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ready()) {
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function listeningPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let out = '';
    let errOut = '';
    const timer = setTimeout(() => reject(new Error(`server did not start: ${out}${errOut}`)), timeoutMs);
    child.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const m = / on [^\s]+:(\d+)\n/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    child.stderr!.on('data', (d: string) => (errOut += d));
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${String(code)}: ${errOut}`));
    });
  });
}

/**
 * CPU seconds used so far by process `pid` (all its threads) and its descendants, from /proc; null
 * where there is no /proc.
 */
export function cpuSeconds(pid: number): number | null {
  let entries: string[];
  try {
    entries = readdirSync('/proc').filter((e) => /^\d+$/.test(e));
  } catch {
    return null;
  }
  const stats = new Map<number, { parent: number; ticks: number }>();
  for (const e of entries) {
    try {
      const text = readFileSync(`/proc/${e}/stat`, 'utf8');
      // pid (comm) state ppid … utime stime: fields after the command name, which may hold spaces.
      const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
      stats.set(Number(e), { parent: Number(fields[1]), ticks: Number(fields[11]) + Number(fields[12]) });
    } catch {
      // The process ended meanwhile.
    }
  }
  if (!stats.has(pid)) return null;
  let ticks = 0;
  const tree = new Set([pid]);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [p, s] of stats) {
      if (!tree.has(p) && tree.has(s.parent)) {
        tree.add(p);
        grew = true;
      }
    }
  }
  for (const p of tree) ticks += stats.get(p)!.ticks;
  return ticks / 100; // USER_HZ is 100 on Linux
}
