/**
 * psql's meta-commands against the real engine: `\l`, `\dn`, `\dt`, `\dv` read the emulated
 * `pg_catalog` (src/session/pg-catalog.ts) and list Kindling's databases, schemas (`public` is
 * `default`), tables and views; `\d` and `\d+` describe one. Expectations are what PostgreSQL's
 * psql prints for such objects.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, engineSessions, startServer } from '../../src/index.ts';

let warehouse = '';
let server: Awaited<ReturnType<typeof startServer>> | undefined;

beforeAll(async () => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-psql-catalog-'));
  const engine = new Engine({ warehouse, executorThreads: 1 });
  const s = engine.createSession();
  await s.sql(
    "CREATE TABLE nation (n_nationkey INT NOT NULL, n_name STRING, n_regionkey BIGINT, n_comment VARCHAR(152), n_rate DECIMAL(15,2)) USING parquet COMMENT 'nations'",
  );
  await s.sql('CREATE VIEW big_nations AS SELECT * FROM nation WHERE n_nationkey > 10');
  await s.sql('CREATE DATABASE shop');
  await s.sql('CREATE TABLE shop.orders (o_orderkey BIGINT, o_total DECIMAL(15,2)) USING parquet');
  s.close();
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    createSession: engineSessions(engine),
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(warehouse, { recursive: true, force: true });
});

function psql(database: string, command: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/psql',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(server!.port),
        '-U',
        'alice',
        '-d',
        database,
        '-X',
        '-A',
        '-F',
        ',',
        '-c',
        command,
      ],
      { env: { ...process.env, PGCONNECT_TIMEOUT: '5' }, timeout: 30_000 },
      (error, stdout, stderr) => {
        if (error !== null && stderr === '') reject(new Error(error.message));
        else resolve({ stdout, stderr });
      },
    );
  });
}

describe.skipIf(!existsSync('/usr/bin/psql'))('psql meta-commands', () => {
  it('\\dt lists the tables of the current database as schema public', async () => {
    const r = await psql('default', '\\dt');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('List of relations\nSchema,Name,Type,Owner\npublic,nation,table,alice\n(1 row)\n');
  });

  it('\\dt in another database lists its tables under its own schema', async () => {
    const r = await psql('shop', '\\dt');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('List of relations\nSchema,Name,Type,Owner\nshop,orders,table,alice\n(1 row)\n');
  });

  it('\\dv lists views', async () => {
    const r = await psql('default', '\\dv');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'List of relations\nSchema,Name,Type,Owner\npublic,big_nations,view,alice\n(1 row)\n',
    );
  });

  it('\\dn lists the databases as schemas', async () => {
    const r = await psql('default', '\\dn');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('List of schemas\nName,Owner\npublic,alice\nshop,alice\n(2 rows)\n');
  });

  it('\\l lists the databases one can connect to', async () => {
    const r = await psql('default', '\\l');
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[0]).toBe('List of databases');
    expect(lines.slice(2, 4).map((l) => l.split(',').slice(0, 3).join(','))).toEqual([
      'default,alice,UTF8',
      'shop,alice,UTF8',
    ]);
  });

  it('reports a missing relation in PostgreSQL’s words, with Spark’s error class in the detail', async () => {
    const r = await psql('default', 'SELECT * FROM nope');
    expect(r.stderr).toContain('ERROR:  relation "nope" does not exist\n');
    expect(r.stderr).toContain(
      'DETAIL:  [TABLE_OR_VIEW_NOT_FOUND] The table or view `nope` cannot be found.',
    );
    const c = await psql('default', 'SELECT n_nope FROM nation');
    expect(c.stderr).toContain('ERROR:  column "n_nope" does not exist\n');
  });

  it('\\d describes a table: its columns, types and NOT NULLs', async () => {
    const r = await psql('default', '\\d nation');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'Table "public.nation"',
        'Column,Type,Collation,Nullable,Default',
        'n_nationkey,integer,,not null,',
        'n_name,text,,,',
        'n_regionkey,bigint,,,',
        'n_comment,character varying(152),,,',
        'n_rate,numeric(15,2),,,',
        '',
      ].join('\n'),
    );
  });

  it('\\d+ adds storage, compression, statistics target, description and the access method', async () => {
    const r = await psql('default', '\\d+ nation');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'Table "public.nation"',
        'Column,Type,Collation,Nullable,Default,Storage,Compression,Stats target,Description',
        'n_nationkey,integer,,not null,,plain,,,',
        'n_name,text,,,,extended,,,',
        'n_regionkey,bigint,,,,plain,,,',
        'n_comment,character varying(152),,,,extended,,,',
        'n_rate,numeric(15,2),,,,main,,,',
        'Access method: heap',
        '',
      ].join('\n'),
    );
  });

  it('\\d describes a view (whose columns are never NOT NULL) and one of another schema', async () => {
    const v = await psql('default', '\\d big_nations');
    expect(v.stderr).toBe('');
    expect(v.stdout).toBe(
      [
        'View "public.big_nations"',
        'Column,Type,Collation,Nullable,Default',
        'n_nationkey,integer,,,',
        'n_name,text,,,',
        'n_regionkey,bigint,,,',
        'n_comment,character varying(152),,,',
        'n_rate,numeric(15,2),,,',
        '',
      ].join('\n'),
    );
    const o = await psql('default', '\\d shop.orders');
    expect(o.stderr).toBe('');
    expect(o.stdout).toBe(
      [
        'Table "shop.orders"',
        'Column,Type,Collation,Nullable,Default',
        'o_orderkey,bigint,,,',
        'o_total,numeric(15,2),,,',
        '',
      ].join('\n'),
    );
    expect((await psql('default', '\\d nope')).stderr).toBe('Did not find any relation named "nope".\n');
    // \d+ of a view ends with its definition: as it was written (PostgreSQL prints its own deparse).
    const plus = await psql('default', '\\d+ big_nations');
    expect(plus.stderr).toBe('');
    expect(plus.stdout.split('\n').slice(-3)).toEqual([
      'View definition:',
      'SELECT * FROM nation WHERE n_nationkey > 10;',
      '',
    ]);
  });

  it('a pattern selects by name', async () => {
    expect((await psql('default', '\\dt nat*')).stdout).toContain('public,nation,table,alice');
    expect((await psql('default', '\\dt x*')).stderr).toBe('Did not find any relation named "x*".\n');
  });
});
