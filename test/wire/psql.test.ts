/**
 * psql (libpq) as a child process against the wire server backed by the fake session.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startServer, type ServerHandle } from '../../src/server/index.ts';
import { FakeSession } from './fake-session.ts';

let server: ServerHandle;

beforeAll(async () => {
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    createSession: (s) => new FakeSession(s.applicationName),
  });
});

afterAll(async () => {
  await server.close();
});

function psql(args: string[]): Promise<{ stdout: string; stderr: string; code: number }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/psql',
      ['-h', '127.0.0.1', '-p', String(server.port), '-U', 'test', '-d', 'test', '-X', '-A', '-t', ...args],
      {
        env: { ...process.env, PGCONNECT_TIMEOUT: '5', PGSSLMODE: 'prefer' },
        timeout: 20_000,
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
        resolve({ stdout, stderr, code });
      },
    );
  });
}

describe('psql', () => {
  it('runs a query with -c', async () => {
    const r = await psql(['-c', 'select 42']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('42\n');
  });

  it('prints every type the way PostgreSQL does', async () => {
    const r = await psql(['-c', 'select typed']);
    expect(r.stdout.split('\n')[0]).toBe(
      't|-12|123456|9007199254740993|1.5|0.1|-0.50|héllo|abc|\\x0a1b|2020-01-01|2020-01-02 03:04:05.123456|2020-01-02 03:04:05+00|3 days 04:05:06',
    );
  });

  it('runs a file and shows errors with SQLSTATE under VERBOSITY verbose', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'kindling-psql-'));
    const file = join(dir, 'script.sql');
    writeFileSync(
      file,
      '\\set VERBOSITY verbose\nselect 1;\nselect * from nope;\nselect 2;\nshow application_name;\n',
    );
    const r = await psql(['-f', file]);
    expect(r.stdout).toBe('1\n2\npsql\n');
    expect(r.stderr).toContain('ERROR:  42P01: relation "nope" does not exist');
    expect(r.stderr).toContain('LINE 1: select * from nope;');
  });

  it('streams a large result', async () => {
    const r = await psql(['-c', 'select big 200000']);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines.length).toBe(200_000);
    expect(lines[199_999]).toBe('199999|row-199999');
  });
});
