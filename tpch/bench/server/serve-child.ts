/**
 * The server under load: a fresh warehouse with TPC-H registered by `kindling tpch load --data`
 * over the benchmark's cached files, served by a real `kindling serve` child process on a free
 * port. Its stderr (the server log) is kept for the report; its resident memory is read from
 * /proc/<pid>/status.
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { EngineError, SqlState } from '../../../src/index.ts';
import { parseVmRss } from './figures.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
const MAIN = join(ROOT, 'src/cli/main.ts');

export interface ServeChild {
  readonly port: number;
  readonly pid: number;
  readonly warehouse: string;
  /** The server's resident memory in kB now; undefined without /proc or once it exited. */
  rssKb(): number | undefined;
  /** Whether the process has exited (a crash under load). */
  exited(): boolean;
  /** The lines the server has logged so far. */
  logLines(): string[];
  /** Stops the server (SIGTERM, then SIGKILL after 5 s) and removes the warehouse. */
  stop(): Promise<void>;
}

/** Registers database `database` over `dataDir` in a new warehouse with `kindling tpch load`. */
async function loadWarehouse(sf: number, dataDir: string): Promise<string> {
  const warehouse = mkdtempSync(join(tmpdir(), 'kindling-bench-server-'));
  try {
    await promisify(execFile)(
      process.execPath,
      [MAIN, 'tpch', 'load', '--sf', String(sf), '--warehouse', warehouse, '--data', dataDir],
      { cwd: ROOT, timeout: 600_000 },
    );
  } catch (err) {
    rmSync(warehouse, { recursive: true, force: true });
    const e = err as Error & { stderr?: string };
    throw new EngineError(SqlState.ioError, `kindling tpch load failed: ${e.stderr ?? e.message}`);
  }
  return warehouse;
}

function listeningPort(child: ChildProcess, timeoutMs: number): Promise<number> {
  return new Promise((resolvePort, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`kindling serve did not start: ${out}`)), timeoutMs);
    child.stdout!.setEncoding('utf8');
    child.stdout!.on('data', (d: string) => {
      out += d;
      const m = / on [^\s]+:(\d+)\n/.exec(out);
      if (m !== null) {
        clearTimeout(timer);
        resolvePort(Number(m[1]));
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`kindling serve exited with ${String(code)} before listening: ${out}`));
    });
  });
}

/** Loads TPC-H at `sf` from `dataDir` into a fresh warehouse and serves it. */
export async function startServeChild(sf: number, dataDir: string): Promise<ServeChild> {
  const warehouse = await loadWarehouse(sf, resolve(dataDir));
  // The same V8 flag as bin/kindling.js and `npm start`.
  const args = ['--max-semi-space-size=16', MAIN, 'serve', '--port', '0', '--warehouse', warehouse];
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => (log += d));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const alive = (): boolean => child.exitCode === null && child.signalCode === null;
  const stop = async (): Promise<void> => {
    if (alive()) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(warehouse, { recursive: true, force: true });
  };
  let port: number;
  try {
    port = await listeningPort(child, 60_000);
  } catch (err) {
    await stop();
    throw new EngineError(SqlState.internalError, `${(err as Error).message}\n${log}`);
  }
  const pid = child.pid!;
  return {
    port,
    pid,
    warehouse,
    rssKb: () => {
      if (!alive()) return undefined;
      try {
        return parseVmRss(readFileSync(`/proc/${pid}/status`, 'utf8'));
      } catch {
        return undefined;
      }
    },
    exited: () => !alive(),
    logLines: () => log.split('\n').filter((l) => l !== ''),
    stop,
  };
}
