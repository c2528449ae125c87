/**
 * `COPY … TO STDOUT` through psql (and its `\copy … to 'file'`), in PostgreSQL's text and CSV
 * formats: the escapes and quoting below are those PostgreSQL's documentation of COPY gives.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, startServer } from '../../src/index.ts';

let dir = '';
let engine: Engine;
let server: Awaited<ReturnType<typeof startServer>> | undefined;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kindling-copy-'));
  engine = new Engine({ warehouse: join(dir, 'warehouse'), executorThreads: 1 });
  const s = engine.createSession();
  await s.sql(
    `CREATE TABLE t USING parquet AS SELECT * FROM VALUES
       (1, 'a\tb', CAST(NULL AS STRING)), (2, 'x,"y"', ''), (3, 'back\\\\slash', 'line\nbreak') AS v(id, s, u)`,
  );
  s.close();
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    createSession: (startup) => engine.createSession({ user: startup.user, database: startup.database }),
  });
});

afterAll(async () => {
  await server?.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

function psql(command: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      '/usr/bin/psql',
      ['-h', '127.0.0.1', '-p', String(server!.port), '-U', 'alice', '-d', 'default', '-X', '-c', command],
      { timeout: 30_000 },
      (_error, stdout, stderr) => resolve({ stdout, stderr }),
    );
  });
}

describe.skipIf(!existsSync('/usr/bin/psql'))('COPY … TO STDOUT', () => {
  it('writes the text format: tab-separated, \\N for NULL, backslash escapes', async () => {
    const r = await psql('COPY (SELECT * FROM t ORDER BY id) TO STDOUT');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('1\ta\\tb\t\\N\n2\tx,"y"\t\n3\tback\\\\slash\tline\\nbreak\n');
  });

  it('writes CSV with a header: quoted where needed, NULL empty and the empty string ""', async () => {
    const r = await psql('COPY (SELECT * FROM t ORDER BY id) TO STDOUT WITH (FORMAT csv, HEADER)');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('id,s,u\n1,a\tb,\n2,"x,""y""",""\n3,back\\slash,"line\nbreak"\n');
  });

  it('takes a table with a column list, and the older option spelling', async () => {
    const r = await psql("COPY t (u, id) TO STDOUT DELIMITER '|' NULL 'null'");
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').sort()).toEqual(['', '|2', 'line\\nbreak|3', 'null|1'].sort());
  });

  it("serves psql's \\copy to a file", async () => {
    const file = join(dir, 'ids.csv');
    const r = await psql(`\\copy (SELECT id, s FROM t WHERE id < 3 ORDER BY id) TO '${file}' CSV`);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('COPY 2\n');
    expect(readFileSync(file, 'utf8')).toBe('1,a\tb\n2,"x,""y"""\n');
  });

  it('refuses what it does not do with 0A000, and bad options with 42601', async () => {
    expect((await psql("COPY t TO '/tmp/x'")).stderr).toContain('COPY TO a file is not supported');
    expect((await psql('COPY t TO STDOUT (FORMAT binary)')).stderr).toContain(
      'COPY FORMAT binary is not supported',
    );
    expect((await psql('COPY t TO STDOUT (COLOUR red)')).stderr).toContain('option "COLOUR" not recognized');
  });
});
