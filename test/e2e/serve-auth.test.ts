/**
 * `kindling serve --hba` with users added by `kindling user add`: passwords checked, unknown
 * databases refused with 3D000, and a server listening beyond loopback refuses to start with rules
 * that trust remote clients.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startChildServer } from './child-server.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const warehouse = mkdtempSync(join(tmpdir(), 'kindling-serve-auth-'));

afterAll(() => {
  rmSync(warehouse, { recursive: true, force: true });
});

function kindling(args: string[], input = ''): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    const child = execFile(
      process.execPath,
      [MAIN, ...args],
      { cwd: ROOT, timeout: 20_000 },
      (err, stdout, stderr) => {
        const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
        done({ code, stdout, stderr });
      },
    );
    child.stdin!.end(input);
  });
}

async function connect(port: number, user: string, password: string, database: string): Promise<string> {
  const client = new pg.Client({ host: '127.0.0.1', port, user, password, database });
  try {
    await client.connect();
    const r = await client.query('SELECT current_database() AS db');
    return String((r.rows[0] as { db: string }).db);
  } catch (err) {
    return `error ${String((err as { code?: string }).code)}`;
  } finally {
    await client.end().catch(() => undefined);
  }
}

describe('kindling serve with password rules', () => {
  it('lets in users added with `kindling user add`, with the right password, to existing databases', async () => {
    const add = await kindling(['user', 'add', 'alice', '--warehouse', warehouse], 'wonder land\n');
    expect(add.code).toBe(0);
    expect((await kindling(['user', 'list', '--warehouse', warehouse])).stdout).toBe(
      'alice\tscram-sha-256\n',
    );
    const hba = join(warehouse, 'hba.conf');
    writeFileSync(hba, 'host all all 127.0.0.1/32 scram-sha-256\n');
    const server = await startChildServer(['--warehouse', warehouse, '--hba', hba]);
    try {
      expect(await connect(server.port, 'alice', 'wonder land', 'default')).toBe('default');
      expect(await connect(server.port, 'alice', 'wonderland', 'default')).toBe('error 28P01');
      expect(await connect(server.port, 'alice', 'wonder land', 'nosuch')).toBe('error 3D000');
      // Users change without a restart.
      expect((await kindling(['user', 'remove', 'alice', '--warehouse', warehouse])).code).toBe(0);
      expect(await connect(server.port, 'alice', 'wonder land', 'default')).toBe('error 28P01');
    } finally {
      await server.stop();
    }
  });

  it('refuses to listen beyond loopback with rules that trust remote clients, unless told to', async () => {
    const hba = join(warehouse, 'open.conf');
    writeFileSync(hba, 'host all all 127.0.0.1/32 trust\nhost all all 0.0.0.0/0 trust\n');
    const r = await kindling([
      'serve',
      '--host',
      '0.0.0.0',
      '--port',
      '0',
      '--warehouse',
      warehouse,
      '--hba',
      hba,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('refusing to listen on 0.0.0.0: the rule on line 2');
    const tls = await kindling(['serve', '--port', '0', '--warehouse', warehouse, '--tls-required']);
    expect(tls.code).toBe(1);
    expect(tls.stderr).toContain('--tls-required needs --tls-cert and --tls-key');
  });
});
