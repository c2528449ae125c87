/**
 * The `kindling` command as a user runs it: `sql -e`, `sql -f`, errors with a non-zero exit, and
 * a warehouse that survives between runs.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const NATION = join(ROOT, 'test/data/tpch/sf0.01/nation.tbl');
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kindling-cli-'));
  dirs.push(d);
  return d;
}

function kindling(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

describe('kindling sql', () => {
  it('prints a result table', async () => {
    const r = await kindling([
      'sql',
      '--warehouse',
      tempDir(),
      '-e',
      "SELECT 1 + 1 AS two, 'x' AS s, CAST(NULL AS INT) AS n",
    ]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('two | s |    n\n----+---+-----\n  2 | x | NULL\n(1 row)\n');
  });

  it('exits non-zero with the SQLSTATE, line and column of an error', async () => {
    const r = await kindling(['sql', '--warehouse', tempDir(), '-e', 'SELECT 1;\nSELECT *\nFROM nowhere']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ERROR [42P01] (line 3, column 6)');
    expect(r.stderr).toContain('FROM nowhere\n       ^');
  });

  it('runs a file against a warehouse that persists between runs', async () => {
    const warehouse = tempDir();
    const file = join(tempDir(), 'job.sql');
    writeFileSync(
      file,
      `CREATE DATABASE geo;
       CREATE TABLE geo.nation (n_nationkey BIGINT, n_name STRING, n_regionkey BIGINT, n_comment STRING)
         USING csv OPTIONS (sep '|') LOCATION '${NATION}';`,
    );
    const created = await kindling([
      'sql',
      '--warehouse',
      warehouse,
      '--conf',
      `kindling.sql.allowed_paths=${warehouse},${NATION}`,
      '-f',
      file,
    ]);
    expect(created.code).toBe(0);
    const r = await kindling([
      'sql',
      '--warehouse',
      warehouse,
      '-e',
      'SELECT n_name FROM geo.nation WHERE n_nationkey = 7',
    ]);
    expect(r.stdout).toBe('n_name\n-------\nGERMANY\n(1 row)\n');
  });

  it('reports a missing file', async () => {
    const r = await kindling(['sql', '--warehouse', tempDir(), '-f', '/nonexistent/job.sql']);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('cannot read /nonexistent/job.sql');
  });

  it('reports a warehouse that cannot be created in one line, without a stack trace', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const r = await kindling(['sql', '--warehouse', join(file, 'warehouse'), '-e', 'SELECT 1']);
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toMatch(/^ERROR \[58030\]: could not create warehouse ".*warehouse": ENOTDIR/);
    expect(r.stderr).not.toContain('    at ');
  });
});
