/**
 * The server stays responsive while a query computes: statement_timeout and CancelRequest stop a
 * long computation promptly, a client that disappears has its computation stopped, and other
 * connections start and answer at once.
 *
 * Every test here needs query work off the server's event-loop thread (the executor pool): while a
 * computation runs inline, the server reads no socket and fires no timer until the query ends, so
 * these tests fail on a server that computes inline. Each test runs its own `kindling serve` child
 * process (killed afterwards, even when stuck) and bounds every wait, so a failure is quick and clear.
 */
import { spawn } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { serialize } from 'pg-protocol';
import { afterEach, describe, expect, it } from 'vitest';
import { cpuSeconds, startChildServer, type ChildServer } from './child-server.ts';
import { RawWireClient, pgCancel } from './raw-wire-client.ts';

/** Minutes of CPU in one thread, seconds at least on any pool: a computation that outlasts each test. */
const HEAVY = 'SELECT sum(id % 7) AS s FROM range(0, 20000000000)';
const HEAVY_WITH_PARAMETER = 'SELECT count(*) AS n FROM range(0, 20000000000) WHERE id % 7 <> $1::bigint';
const TIMEOUT_TEXT = 'canceling statement due to statement timeout';
const USER_TEXT = 'canceling statement due to user request';

let server: ChildServer | undefined;

afterEach(async () => {
  await server?.stop();
  server = undefined;
});

async function start(args: readonly string[] = []): Promise<number> {
  server = await startChildServer(args);
  return server.port;
}

/** `work`, or a rejection naming `what` after `ms`. */
async function within<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}

function config(port: number): pg.ClientConfig {
  return { host: '127.0.0.1', port, user: 'test', database: 'default' };
}

async function connect(port: number, ms = 2000): Promise<pg.Client> {
  const client = new pg.Client(config(port));
  // A killed server closes the socket; the client must not turn that into an uncaught error.
  client.on('error', () => {});
  await within(client.connect(), ms, 'connect');
  return client;
}

interface Running {
  /** The statement's error (never rejects; an Error saying so if the statement completed). */
  readonly error: Promise<unknown>;
  settled(): boolean;
  /** Cancels it as node-pg does: a CancelRequest on a new connection. */
  cancel(): void;
}

/** Starts `sql` on `client` without waiting for it. */
function running(port: number, client: pg.Client, sql: string, values?: unknown[]): Running {
  const query = new pg.Query(sql, values);
  let done = false;
  const error = new Promise<unknown>((resolve) => {
    query.on('error', (e: Error) => {
      done = true;
      resolve(e);
    });
    query.on('end', () => {
      done = true;
      resolve(new Error(`the statement completed: ${sql}`));
    });
  });
  void client.query(query);
  return {
    error,
    settled: () => done,
    cancel: () => pgCancel(config(port), client, query),
  };
}

async function expectCanceled(error: Promise<unknown>, ms: number, text: string): Promise<void> {
  const err = await within(error, ms, 'the cancelled statement');
  expect(err).toBeInstanceOf(pg.DatabaseError);
  expect((err as pg.DatabaseError).code).toBe('57014');
  expect((err as pg.DatabaseError).message).toBe(text);
}

function psql(port: number, args: readonly string[]): ReturnType<typeof spawn> {
  return spawn(
    'psql',
    ['-h', '127.0.0.1', '-p', String(port), '-U', 'test', '-d', 'default', '-X', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
}

/** psql's stderr and exit code, or a rejection after `ms`. */
function finished(
  child: ReturnType<typeof spawn>,
  ms: number,
): Promise<{ code: number | null; stderr: string }> {
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  return within(
    new Promise<{ code: number | null; stderr: string }>((done) =>
      child.once('exit', (code) => done({ code, stderr })),
    ),
    ms,
    'psql',
  ).finally(() => child.kill('SIGKILL'));
}

describe('statement_timeout during a long computation', () => {
  it('fails the statement with 57014 within 2 s; the connection goes on; 0 turns it off', async () => {
    const port = await start();
    const a = await connect(port);
    await a.query('SET statement_timeout = 300');
    const started = Date.now();
    await expectCanceled(running(port, a, HEAVY).error, 5000, TIMEOUT_TEXT);
    const elapsed = Date.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(280);
    expect(elapsed).toBeLessThan(2000);
    expect((await within(a.query('SELECT 1 AS one'), 2000, 'SELECT 1')).rows).toEqual([{ one: 1 }]);

    await a.query('SET statement_timeout = 0');
    const unlimited = running(port, a, HEAVY);
    await sleep(1000);
    expect(unlimited.settled()).toBe(false);
    unlimited.cancel();
    await expectCanceled(unlimited.error, 2000, USER_TEXT);
  });

  it('applies to the extended protocol (a statement with a parameter)', async () => {
    const port = await start();
    const a = await connect(port);
    await a.query("SET statement_timeout = '300ms'");
    const started = Date.now();
    await expectCanceled(running(port, a, HEAVY_WITH_PARAMETER, [3]).error, 5000, TIMEOUT_TEXT);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await within(a.query('SELECT $1::int AS n', [7]), 2000, 'SELECT $1')).rows).toEqual([{ n: 7 }]);
  });

  it('comes from `serve --conf` for every session, as psql sees', async () => {
    const port = await start(['--conf', 'statement_timeout=300']);
    const started = Date.now();
    const result = await finished(psql(port, ['-c', HEAVY]), 5000);
    expect(result.stderr).toContain(`ERROR:  ${TIMEOUT_TEXT}`);
    expect(result.code).toBe(1);
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('CancelRequest during a long computation', () => {
  it("from node-pg's cancel: 57014 within 2 s, and the connection goes on", async () => {
    const port = await start();
    const a = await connect(port);
    const heavy = running(port, a, HEAVY);
    await sleep(500);
    const started = Date.now();
    heavy.cancel();
    await expectCanceled(heavy.error, 2000, USER_TEXT);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await within(a.query('SELECT 1 AS one'), 2000, 'SELECT 1')).rows).toEqual([{ one: 1 }]);
  });

  it('from psql on Ctrl-C', async () => {
    const port = await start();
    const child = psql(port, ['-c', HEAVY]);
    const result = finished(child, 5000);
    await sleep(800);
    child.kill('SIGINT');
    const { stderr, code } = await result;
    expect(stderr).toContain(`ERROR:  ${USER_TEXT}`);
    expect(code).toBe(1);
  });
});

describe('a client that disappears during a long computation', () => {
  it('has its computation stopped, and the server answers others at once', async () => {
    const port = await start();
    const a = await RawWireClient.connect(port);
    a.send(serialize.query(HEAVY));
    await sleep(1000);
    a.destroy();
    const b = await connect(port, 1000);
    expect((await within(b.query('SELECT 1 AS one'), 1000, 'SELECT 1')).rows).toEqual([{ one: 1 }]);
    // The abandoned query frees the CPU: the server is idle a moment later.
    await sleep(1000);
    const before = cpuSeconds(server!.pid);
    await sleep(1000);
    const after = cpuSeconds(server!.pid);
    if (before !== null && after !== null) expect(after - before).toBeLessThan(0.25);
  });
});

describe('other connections during a long computation', () => {
  it('answer SELECT 1 with a p99 latency of at most 100 ms', async () => {
    const port = await start();
    const a = await connect(port);
    await a.query('SET statement_timeout = 20000');
    const heavy = running(port, a, HEAVY);
    await sleep(500);
    const b = await connect(port);
    const latencies: number[] = [];
    for (let i = 0; i < 50; i++) {
      const t = performance.now();
      await within(b.query('SELECT 1'), 2000, `SELECT 1 #${i + 1}`);
      latencies.push(performance.now() - t);
    }
    // The computation was running all along.
    expect(heavy.settled()).toBe(false);
    latencies.sort((x, y) => x - y);
    const p99 = latencies[Math.ceil(0.99 * latencies.length) - 1]!;
    expect(p99).toBeLessThanOrEqual(100);
    heavy.cancel();
    await expectCanceled(heavy.error, 2000, USER_TEXT);
  });

  it('complete their start-up within 500 ms', async () => {
    const port = await start();
    const a = await connect(port);
    const heavy = running(port, a, HEAVY);
    await sleep(500);
    for (let i = 0; i < 5; i++) {
      const t = performance.now();
      const c = await connect(port, 2000);
      expect(performance.now() - t).toBeLessThan(500);
      await within(c.end(), 2000, 'end');
    }
    expect(heavy.settled()).toBe(false);
  });
});
