/**
 * Browsing the catalog with the PostgreSQL JDBC driver's DatabaseMetaData — getSchemas, getTables,
 * getColumns — as DBeaver, DataGrip and other JDBC tools do, over the emulated pg_catalog; and
 * psycopg2's named cursors (DECLARE / FETCH / MOVE / CLOSE).
 * Expectations are what the driver reports against PostgreSQL for such tables.
 */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from '../e2e/engine-server.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const JDBC_JAR = '/usr/share/java/postgresql.jar';

let fixture: EngineServer | undefined;

beforeAll(async () => {
  fixture = await startEngineServer('meta', {
    setup: async (s) => {
      await s.sql(
        "CREATE TABLE nation (n_nationkey INT NOT NULL, n_name VARCHAR(25), n_total DECIMAL(15,2)) USING parquet COMMENT 'nations'",
      );
      await s.sql('CREATE VIEW big AS SELECT * FROM nation WHERE n_total > 100');
    },
  });
});

afterAll(async () => {
  await fixture?.close();
});

describe.skipIf(!existsSync(JDBC_JAR) || !existsSync('/usr/bin/java'))('JDBC DatabaseMetaData', () => {
  it('lists schemas, tables with their comments, columns with JDBC types and sizes; SHOW, EXPLAIN and SET answer with rows', async () => {
    const url = `jdbc:postgresql://127.0.0.1:${fixture!.port}/default?sslmode=disable`;
    const { stdout } = await promisify(execFile)(
      '/usr/bin/java',
      ['-cp', JDBC_JAR, join(HERE, 'MetaClient.java'), url, 'alice'],
      { timeout: 120_000 },
    );
    expect(stdout.trimEnd().split('\n')).toEqual([
      'schema|information_schema',
      'schema|pg_catalog',
      'schema|public',
      'table|public|nation|TABLE|nations',
      'table|public|big|VIEW|null',
      // name | java.sql.Types | type | size | digits | nullable (0 = no) | position
      'column|n_nationkey|4|int4|10|0|0|1',
      'column|n_name|12|varchar|25|0|1|2',
      'column|n_total|2|numeric|15|2|1|3',
      'show|search_path|"$user", public',
      'show|plan|== Optimized Logical Plan ==',
      'show|key|spark.sql.ansi.enabled',
    ]);
  });
});

function hasPsycopg(): boolean {
  try {
    execFileSync('/usr/bin/python3', ['-c', 'import psycopg2'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe.skipIf(!hasPsycopg())('psycopg2 named cursors', () => {
  it('stream a result through DECLARE, FETCH FORWARD n, MOVE and CLOSE, and WITH HOLD outlives COMMIT', async () => {
    const dsn = `host=127.0.0.1 port=${fixture!.port} dbname=default user=alice sslmode=disable`;
    const { stdout } = await promisify(execFile)('/usr/bin/python3', [join(HERE, 'cursor_client.py'), dsn], {
      timeout: 120_000,
    });
    expect(stdout.trimEnd().split('\n')).toEqual([
      'first (0, 0)',
      'many 10',
      'after move (111, 222)',
      'rest 2388',
      "held [('x',)]",
    ]);
  });
});
