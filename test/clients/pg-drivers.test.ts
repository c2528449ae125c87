/**
 * Python and ODBC PostgreSQL drivers against a started server: psycopg 3 (parameters and results
 * as text and binary, named cursors, COPY, pipelined executemany, transactions), SQLAlchemy 1.4's
 * reflection through psycopg2, and psqlODBC through unixODBC (`isql`, and pyodbc's catalog calls
 * and parameterized queries). Each part is skipped where its client is not installed.
 * Expectations are what the drivers report against PostgreSQL for such tables.
 */
import { execFile, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEngineServer, type EngineServer } from '../e2e/engine-server.ts';

const HERE = dirname(fileURLToPath(import.meta.url));
const PYTHON = '/usr/bin/python3';

let fixture: EngineServer | undefined;

beforeAll(async () => {
  fixture = await startEngineServer('drivers', {
    setup: async (s) => {
      await s.sql(
        "CREATE TABLE nation (n_nationkey INT NOT NULL, n_name VARCHAR(25), n_total DECIMAL(15,2), n_since DATE) USING parquet COMMENT 'nations'",
      );
      await s.sql(
        "INSERT INTO nation VALUES (1, 'ALGERIA', 100.25, DATE '1999-01-01'), (2, 'ARGENTINA', 250.00, DATE '2001-05-06'), (3, 'BRAZIL', NULL, DATE '2010-10-10'), (4, 'CANADA', 1000.75, NULL)",
      );
      await s.sql('CREATE TABLE copied (a INT, b STRING, c DECIMAL(10,2), d DATE) USING parquet');
      await s.sql('CREATE VIEW rich AS SELECT n_nationkey, n_name FROM nation WHERE n_total > 200');
    },
  });
});

afterAll(async () => {
  await fixture?.close();
});

/** True when `/usr/bin/python3` imports every module named. */
function hasPython(...modules: string[]): boolean {
  try {
    execFileSync(PYTHON, ['-c', modules.map((m) => `import ${m}`).join('; ')], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** Runs a script of this folder with the arguments; its standard output as lines. */
async function runPython(
  script: string,
  args: readonly string[],
  env: NodeJS.ProcessEnv = {},
): Promise<string[]> {
  const { stdout } = await promisify(execFile)(PYTHON, [join(HERE, script), ...args], {
    timeout: 120_000,
    env: { ...process.env, ...env },
  });
  return stdout.trimEnd().split('\n');
}

function libpqDsn(): string {
  return `host=127.0.0.1 port=${fixture!.port} dbname=default user=alice sslmode=disable`;
}

describe.skipIf(!hasPython('psycopg'))('psycopg 3', () => {
  it('round-trips parameters and results as text and binary, streams named cursors, copies both ways, pipelines executemany and recovers from errors in transactions', async () => {
    expect(await runPython('psycopg3_client.py', [libpqDsn()])).toEqual([
      'server_version True',
      'params text results text same',
      'params text results binary same',
      'params binary results text same',
      'params binary results binary same',
      // int2 int8 float8 numeric numeric text date timestamp timestamptz bool text int2[] text[] numeric[]
      'types [21, 20, 701, 1700, 1700, 25, 1082, 1114, 1184, 16, 25, 1005, 1009, 1231]',
      "prepared [('ALGERIA', Decimal('100.25')), ('ARGENTINA', Decimal('250.00')), ('BRAZIL', None)]",
      'filtered [2]',
      "named cursor text (3, 6, Decimal('3.00')) [4, 5, 6] 43 (49, 98, Decimal('49.00')) ['id', 'twice', 'd']",
      "named cursor binary (3, 6, Decimal('3.00')) [4, 5, 6] 43 (49, 98, Decimal('49.00')) ['id', 'twice', 'd']",
      'copy in 3',
      'copy out same',
      "copy out lines ['\\\\N\\t3\\n', 'plain\\t1\\n', 'tab\\\\there\\\\nnewline \\\\\\\\ back\\t2\\n']",
      'executemany same',
      'executemany returning [(10,), (11,)]',
      'error 22012',
      'aborted 25P02 INERROR',
      'after rollback IDLE',
      'usable 42 INTRANS',
      'undefined table 42P01',
      'autocommit 8 IDLE',
    ]);
  });
});

describe.skipIf(!hasPython('sqlalchemy', 'psycopg2'))(
  'SQLAlchemy 1.4 reflection (postgresql+psycopg2)',
  () => {
    it('lists schemas, tables, views and columns, finds no keys or indexes, autoloads a table and selects with parameters', async () => {
      const url = `postgresql+psycopg2://alice@127.0.0.1:${fixture!.port}/default`;
      expect(await runPython('sqlalchemy_client.py', [url])).toEqual([
        'server_version_info True',
        'default schema public',
        "schemas ['information_schema', 'public']",
        "tables ['copied', 'nation']",
        "views ['rich']",
        "columns [('n_nationkey', 'INTEGER', False, None), ('n_name', 'VARCHAR(25)', True, None), ('n_total', 'NUMERIC(15, 2)', True, None), ('n_since', 'DATE', True, None)]",
        "view columns [('n_nationkey', 'INTEGER', True), ('n_name', 'VARCHAR(25)', True)]",
        "pk {'constrained_columns': [], 'name': None}",
        'fks []',
        'indexes []',
        'uniques []',
        'checks []',
        "comment {'text': 'nations'}",
        'has_table True False',
        "autoload [('n_nationkey', 'INTEGER', False), ('n_name', 'VARCHAR(25)', True), ('n_total', 'NUMERIC(15, 2)', True), ('n_since', 'DATE', True)]",
        "select [(2, 'ARGENTINA', Decimal('250.00')), (4, 'CANADA', Decimal('1000.75'))]",
        'count 4',
        "in [('ALGERIA',), ('BRAZIL',)]",
        'text 2001-05-06',
      ]);
    });
  },
);

/** psqlODBC's Unicode driver where Debian's odbc-postgresql puts it (`/usr/lib/<arch>/odbc/`). */
function psqlOdbcDriver(): string | null {
  try {
    for (const dir of readdirSync('/usr/lib')) {
      const path = join('/usr/lib', dir, 'odbc', 'psqlodbcw.so');
      if (existsSync(path)) return path;
    }
  } catch {
    // no /usr/lib
  }
  return null;
}

/** Runs `command` with `input` on its standard input; its standard output. */
function runWithInput(
  command: string,
  args: readonly string[],
  input: string,
  env: NodeJS.ProcessEnv,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: { ...process.env, ...env } });
    let out = '';
    let err = '';
    const timer = setTimeout(() => child.kill('SIGKILL'), 60_000);
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.stderr.on('data', (d: Buffer) => (err += d.toString()));
    child.once('error', reject);
    child.once('close', (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(out);
      else reject(new Error(`${command} exited with ${String(code)}: ${err}${out}`));
    });
    child.stdin.end(input);
  });
}

const ODBC_DRIVER = psqlOdbcDriver();
const HAS_ISQL = existsSync('/usr/bin/isql');

describe.skipIf(ODBC_DRIVER === null || (!HAS_ISQL && !hasPython('pyodbc')))(
  'psqlODBC through unixODBC',
  () => {
    let odbcDir = '';
    let env: NodeJS.ProcessEnv = {};

    beforeAll(() => {
      // A driver and a data source of our own, found through ODBCSYSINI and ODBCINI.
      odbcDir = mkdtempSync(join(tmpdir(), 'kindling-odbc-'));
      writeFileSync(join(odbcDir, 'odbcinst.ini'), `[Kindling psqlODBC]\nDriver=${ODBC_DRIVER!}\n`);
      writeFileSync(
        join(odbcDir, 'odbc.ini'),
        [
          '[kindling]',
          'Driver=Kindling psqlODBC',
          'Servername=127.0.0.1',
          `Port=${fixture!.port}`,
          'Database=default',
          'Username=alice',
          'SSLmode=disable',
          '',
        ].join('\n'),
      );
      env = { ODBCSYSINI: odbcDir, ODBCINI: join(odbcDir, 'odbc.ini') };
    });

    afterAll(() => {
      rmSync(odbcDir, { recursive: true, force: true });
    });

    it.skipIf(!HAS_ISQL)('isql connects and runs queries', async () => {
      const out = await runWithInput(
        '/usr/bin/isql',
        ['-b', '-d|', 'kindling', 'alice'],
        'SELECT n_nationkey, n_name, n_total, n_since FROM nation ORDER BY 1\nSELECT count(*) FROM rich\n',
        env,
      );
      expect(out.trimEnd().split('\n')).toEqual([
        '1|ALGERIA|100.25|1999-01-01',
        '2|ARGENTINA|250.00|2001-05-06',
        '3|BRAZIL||2010-10-10',
        '4|CANADA|1000.75|',
        '2',
      ]);
    });

    it.skipIf(!hasPython('pyodbc'))(
      'pyodbc lists tables and columns, runs parameterized queries and fetches every type',
      async () => {
        expect(await runPython('odbc_client.py', ['kindling'], env)).toEqual([
          'dbms PostgreSQL',
          "tables [('public', 'copied', 'TABLE'), ('public', 'nation', 'TABLE'), ('public', 'rich', 'VIEW')]",
          "views ['rich']",
          // name | type name | SQL type (4 INTEGER, -9 WVARCHAR, 2 NUMERIC, 91 DATE) | size | digits | nullable
          "columns [('n_nationkey', 'int4', 4, 10, 0, 0), ('n_name', 'varchar', -9, 25, None, 1), ('n_total', 'numeric', 2, 15, 2, 1), ('n_since', 'date', 91, 10, None, 1)]",
          'primary keys []',
          'foreign keys []',
          'statistics []',
          "parameters [(2, 'ARGENTINA', Decimal('250.00'), datetime.date(2001, 5, 6)), (4, 'CANADA', Decimal('1000.75'), None)]",
          "types ['int', 'str', 'Decimal', 'date'] [('n_nationkey', 'int', 10, 0), ('n_name', 'str', 25, 0), ('n_total', 'Decimal', 15, 2), ('n_since', 'date', 10, 0)]",
          "string and date parameters ['ALGERIA', 'BRAZIL']",
          "repeated ['ALGERIA', 'ARGENTINA', 'ALGERIA', 'ARGENTINA', 'BRAZIL']",
          "expressions (42, Decimal('1.250'), 'ab')",
          'error 42P01',
          'after rollback 4',
        ]);
      },
    );
  },
);
