/**
 * The server log of `kindling serve` (on its stderr): one line per connection authorized, failed
 * statement, timed statement, disconnection and failed login, in text and in JSON, and never a
 * password.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startChildServer, type ChildServer } from './child-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const warehouse = mkdtempSync(join(tmpdir(), 'kindling-server-log-'));
const hba = join(warehouse, 'hba.conf');
const PASSWORD = 'correct-horse-7';
const WRONG_PASSWORD = 'battery-staple-9';

beforeAll(async () => {
  const add = await new Promise<number>((done) => {
    const child = execFile(
      process.execPath,
      [MAIN, 'user', 'add', 'alice', '--warehouse', warehouse],
      { cwd: ROOT, timeout: 20_000 },
      (err) => done(err === null ? 0 : 1),
    );
    child.stdin!.end(`${PASSWORD}\n`);
  });
  expect(add).toBe(0);
  writeFileSync(hba, 'host all all 127.0.0.1/32 scram-sha-256\n');
});

afterAll(() => {
  rmSync(warehouse, { recursive: true, force: true });
});

function client(port: number, options: Partial<pg.ClientConfig> = {}): pg.Client {
  return new pg.Client({
    host: '127.0.0.1',
    port,
    user: 'alice',
    password: PASSWORD,
    database: 'default',
    ...options,
  });
}

/** The SQLSTATE a statement or a login fails with. */
async function failure(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
  } catch (err) {
    return String((err as { code?: string }).code);
  }
  return 'no error';
}

/** A login with the wrong password, which must fail with 28P01. */
async function wrongPassword(port: number): Promise<void> {
  const c = client(port, { password: WRONG_PASSWORD });
  expect(await failure(() => c.connect())).toBe('28P01');
  await c.end().catch(() => undefined);
}

const SLOW = 'SELECT count(*) AS n FROM range(2000000)';
const FAILING = 'SELECT 1\n/ 0';
const PREFIX = /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \[(\d+)\] (LOG|ERROR|FATAL): {2}/;

describe('the server log (text)', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChildServer(['--hba', hba, '--conf', 'kindling.log.min_duration_statement=0'], {
      warehouse,
    });
  });
  afterAll(async () => {
    await server.stop();
  });

  it('has one line per connection, failed statement, statement and disconnection', async () => {
    const c = client(server.port, { application_name: 'log-test' });
    await c.connect();
    const pid = (c as unknown as { processID: number }).processID;
    expect((await c.query(SLOW)).rows).toEqual([{ n: '2000000' }]);
    expect(await failure(() => c.query(FAILING))).toBe('22012');
    expect((await c.query('SELECT $1::int + 1 AS n', [41])).rows).toEqual([{ n: 42 }]);
    await c.end();

    const all = await server.waitForStderr((lines) => lines.some((l) => l.includes('disconnection:')));
    for (const line of all) expect(line).toMatch(PREFIX);
    const mine = all.filter((l) => PREFIX.exec(l)![1] === String(pid));
    const only = (pattern: RegExp): string => {
      const found = mine.filter((l) => pattern.test(l));
      expect(found, String(pattern)).toHaveLength(1);
      return found[0]!;
    };
    only(
      / LOG: {2}connection authorized: user=alice database=default application_name=log-test host=127\.0\.0\.1 port=\d+$/,
    );
    only(
      / LOG: {2}duration: \d+\.\d{3} ms rows: 1 statement: SELECT count\(\*\) AS n FROM range\(2000000\)$/,
    );
    // The statement of an error stays on its line, its newline escaped; it has no duration line.
    only(/ ERROR: {2}22012 .*Division by zero.* STATEMENT: SELECT 1\\n\/ 0$/);
    expect(mine.filter((l) => l.includes('duration:') && l.includes('/ 0'))).toEqual([]);
    // The extended protocol: the Execute is timed, with the statement's text (no parameter values).
    only(/ LOG: {2}duration: \d+\.\d{3} ms rows: 1 statement: SELECT \$1::int \+ 1 AS n$/);
    only(
      / LOG: {2}disconnection: session time: \d+:\d\d:\d\d\.\d{3} user=alice database=default application_name=log-test host=127\.0\.0\.1 port=\d+$/,
    );
    expect(mine).toHaveLength(5);
  });

  it('logs a failed login with its SQLSTATE and user, and never a password', async () => {
    await wrongPassword(server.port);
    const all = await server.waitForStderr((lines) => lines.some((l) => l.includes('28P01')));
    const failed = all.filter((l) => l.includes('28P01'));
    expect(failed).toHaveLength(1);
    expect(failed[0]).toMatch(
      / FATAL: {2}28P01 password authentication failed for user "alice" \(user=alice database=default application_name="" host=127\.0\.0\.1 port=\d+\)$/,
    );
    const text = all.join('\n');
    expect(text).not.toContain(WRONG_PASSWORD);
    expect(text).not.toContain(PASSWORD);
  });
});

describe('the server log (JSON)', () => {
  let server: ChildServer;
  beforeAll(async () => {
    server = await startChildServer(
      ['--hba', hba, '--log-format', 'json', '--conf', 'log_min_duration_statement=0'],
      { warehouse },
    );
  });
  afterAll(async () => {
    await server.stop();
  });

  it('writes one JSON object per line with the fields of each event', async () => {
    const c = client(server.port, { application_name: 'json-test' });
    await c.connect();
    const pid = (c as unknown as { processID: number }).processID;
    expect((await c.query(SLOW)).rows).toEqual([{ n: '2000000' }]);
    expect(await failure(() => c.query(FAILING))).toBe('22012');
    await c.end();
    await wrongPassword(server.port);
    // A database that does not exist ends the connection (FATAL), after authentication.
    expect(await failure(() => client(server.port, { database: 'nosuch' }).connect())).toBe('3D000');

    const lines = await server.waitForStderr(
      (ls) => ls.some((l) => l.includes('3D000')) && ls.some((l) => l.includes('28P01')),
    );
    expect(lines.join('\n')).not.toContain(WRONG_PASSWORD);
    expect(lines.join('\n')).not.toContain(PASSWORD);
    const records = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    for (const r of records) {
      expect(r['time']).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      expect(typeof r['pid']).toBe('number');
    }
    const session = {
      pid,
      user: 'alice',
      database: 'default',
      application_name: 'json-test',
      address: '127.0.0.1',
    };
    const mine = records.filter((r) => r['pid'] === pid);
    expect(mine.map((r) => r['event'])).toEqual(['connection', 'duration', 'error', 'disconnection']);
    expect(mine[0]).toMatchObject({ ...session, level: 'LOG', message: 'connection authorized' });
    expect(mine[1]).toMatchObject({ ...session, level: 'LOG', statement: SLOW, rows: 1 });
    expect(mine[1]!['duration_ms']).toBeGreaterThan(0);
    expect(mine[2]).toMatchObject({ ...session, level: 'ERROR', sqlstate: '22012', statement: FAILING });
    expect(mine[3]).toMatchObject({ ...session, level: 'LOG' });
    expect(mine[3]!['duration_ms']).toBeGreaterThan(0);

    const refused = records.filter((r) => r['level'] === 'FATAL');
    expect(refused).toHaveLength(2);
    expect(refused.find((r) => r['sqlstate'] === '28P01')).toMatchObject({
      event: 'authentication_failed',
      user: 'alice',
      database: 'default',
      message: 'password authentication failed for user "alice"',
    });
    expect(refused.find((r) => r['sqlstate'] === '3D000')).toMatchObject({
      event: 'error',
      user: 'alice',
      database: 'nosuch',
    });
  });
});
