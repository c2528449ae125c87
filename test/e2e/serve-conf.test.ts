/**
 * `kindling serve --conf key=value`: server-wide defaults of session settings, checked at start.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer } from './child-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const warehouse = mkdtempSync(join(tmpdir(), 'kindling-conf-'));

afterAll(() => {
  rmSync(warehouse, { recursive: true, force: true });
});

/** Runs `kindling serve` with `args`, for the cases where it must exit at once. */
function serve(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(
      process.execPath,
      [MAIN, 'serve', '--port', '0', '--warehouse', warehouse, ...args],
      { cwd: ROOT, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        done({ code, stdout, stderr });
      },
    );
  });
}

describe('kindling serve --conf', () => {
  it('sets the defaults of every session, which SHOW reports and RESET returns to', async () => {
    const server = await startChildServer([
      '--conf',
      'statement_timeout=90000',
      '--conf',
      'spark.sql.ansi.enabled=false',
    ]);
    const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'test', database: 'default' });
    try {
      await client.connect();
      expect((await client.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '90s' }]);
      await client.query('SET statement_timeout = 0');
      await client.query('RESET statement_timeout');
      expect((await client.query('SHOW statement_timeout')).rows).toEqual([{ statement_timeout: '90s' }]);
      // ANSI off: division by zero is NULL rather than an error.
      expect((await client.query('SELECT 1 / 0 AS q')).rows).toEqual([{ q: null }]);
    } finally {
      await client.end();
      await server.stop();
    }
  });

  it('exits 1 with one line for a bad value, an unknown key or a missing =', async () => {
    const bad = await serve(['--conf', 'statement_timeout=soon']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toBe('ERROR [22023]: invalid value for parameter "statement_timeout": "soon"\n');
    expect(bad.stdout).toBe('');
    const unknown = await serve(['--conf', 'statement_timout=5s']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toBe('ERROR [42704]: unrecognized configuration parameter "statement_timout"\n');
    const noValue = await serve(['--conf', 'statement_timeout']);
    expect(noValue.code).toBe(1);
    expect(noValue.stderr.trim().split('\n')).toHaveLength(1);
    expect(noValue.stderr).toContain('expected key=value');
  });
});
