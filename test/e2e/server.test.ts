/**
 * The whole stack through the wire: a real Engine behind the PostgreSQL server, driven by the `pg`
 * client and by psql.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, engineSessions, startServer } from '../../src/index.ts';

const run = promisify(execFile);
const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../data/tpch/sf0.01');

let warehouse = '';
let server: Awaited<ReturnType<typeof startServer>> | undefined;

beforeAll(async () => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-e2e-'));
  const engine = new Engine({ warehouse, allowedPaths: [warehouse, DATA] });
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

async function connect(): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: server!.port, user: 'test', database: 'default' });
  await client.connect();
  return client;
}

describe('engine over the wire', () => {
  it('answers a query with typed columns', async () => {
    const client = await connect();
    try {
      const r = await client.query(
        "SELECT 1 AS one, 'x' AS s, CAST(2.50 AS DECIMAL(5,2)) AS d, DATE '2024-01-31' AS dt",
      );
      expect(r.rows).toEqual([{ one: 1, s: 'x', d: '2.50', dt: expect.any(Date) as unknown }]);
      expect(r.fields.map((f) => f.dataTypeID)).toEqual([23, 25, 1700, 1082]);
    } finally {
      await client.end();
    }
  });

  it('sends TIME columns as PostgreSQL time and reads time parameters', async () => {
    const client = await connect();
    try {
      const r = await client.query("SELECT TIME '12:34:56.789' AS t, CAST('07:08:09' AS TIME(0)) AS t0");
      expect(r.rows).toEqual([{ t: '12:34:56.789', t0: '07:08:09' }]);
      expect(r.fields.map((f) => [f.dataTypeID, f.dataTypeModifier])).toEqual([
        [1083, 6],
        [1083, 0],
      ]);
      const p = await client.query('SELECT hour(CAST($1 AS TIME)) AS h, CAST($1 AS TIME) AS t', [
        '23:05:00.25',
      ]);
      expect(p.rows).toEqual([{ h: 23, t: '23:05:00.25' }]);
    } finally {
      await client.end();
    }
  });

  it('reports a bad statement with SQLSTATE and position, then runs the next one', async () => {
    const client = await connect();
    try {
      const err = (await client.query('SELECT 1 +* 2').catch((e: unknown) => e)) as {
        code?: string;
        position?: string;
      };
      expect(err.code).toBe('42601');
      expect(err.position).toBe('11');
      const missing = (await client.query('SELECT * FROM nowhere').catch((e: unknown) => e)) as {
        code?: string;
        position?: string;
      };
      expect(missing.code).toBe('42P01');
      expect(missing.position).toBe('15');
      const r = await client.query('SELECT 40 + 2 AS x');
      expect(r.rows).toEqual([{ x: 42 }]);
    } finally {
      await client.end();
    }
  });

  it('runs parameterized statements through the extended protocol', async () => {
    const client = await connect();
    try {
      const r = await client.query('SELECT $1::int + 1 AS n, upper($2) AS s', [41, 'abc']);
      expect(r.rows).toEqual([{ n: 42, s: 'ABC' }]);
      // $1 is an integer parameter (inferred from its cast): 'x' is refused at Bind, as PostgreSQL does.
      const bad = (await client.query('SELECT $1::int', ['x']).catch((e: unknown) => e)) as { code?: string };
      expect(bad.code).toBe('22P02');
      expect((await client.query('SELECT 1 AS one')).rows).toEqual([{ one: 1 }]);
    } finally {
      await client.end();
    }
  });

  it('creates a CSV table and queries it through psql', async () => {
    const sql = [
      'CREATE DATABASE wire;',
      `CREATE TABLE wire.nation (n_nationkey BIGINT, n_name STRING, n_regionkey BIGINT, n_comment STRING) USING csv OPTIONS (sep '|', header 'false') LOCATION '${join(DATA, 'nation.tbl')}';`,
      'SELECT n_regionkey, count(*) AS n FROM wire.nation GROUP BY n_regionkey ORDER BY n_regionkey;',
    ].join('\n');
    const { stdout } = await run('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(server!.port),
      '-U',
      'test',
      '-d',
      'default',
      '-X',
      '-q',
      '-A',
      '-t',
      '-v',
      'ON_ERROR_STOP=1',
      '-c',
      sql,
    ]);
    expect(stdout.trim().split('\n')).toEqual(['0|5', '1|5', '2|5', '3|5', '4|5']);
  });

  it('shows psql an error with its SQLSTATE and keeps the session', async () => {
    const sql = "\\set VERBOSITY verbose\nSELECT 1/0;\nSELECT 'still here';\n";
    const child = execFile('psql', [
      '-h',
      '127.0.0.1',
      '-p',
      String(server!.port),
      '-U',
      'test',
      '-d',
      'default',
      '-X',
      '-A',
      '-t',
    ]);
    let out = '';
    let errOut = '';
    child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr!.on('data', (d: Buffer) => (errOut += d.toString()));
    child.stdin!.end(sql);
    await new Promise((r) => child.on('close', r));
    expect(errOut).toContain('ERROR:  22012');
    expect(out.trim()).toBe('still here');
  });
});
