/**
 * psql's meta-commands against the real engine: `\l`, `\dn`, `\dt`, `\dv` read the emulated
 * `pg_catalog` (src/session/pg-catalog.ts) and list Kindling's databases, schemas (`public` is
 * `default`), tables and views; `\d` and `\d+` describe one. Expectations are what PostgreSQL's
 * psql prints for such objects.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { serialize } from 'pg-protocol';
import { RawWireClient } from './raw-wire-client.ts';
import { startEngineServer, type EngineServer } from './engine-server.ts';

let fixture: EngineServer | undefined;

beforeAll(async () => {
  fixture = await startEngineServer('psql-catalog', {
    setup: async (s) => {
      await s.sql(
        "CREATE TABLE nation (n_nationkey INT NOT NULL, n_name STRING, n_regionkey BIGINT, n_comment VARCHAR(152), n_rate DECIMAL(15,2)) USING parquet COMMENT 'nations'",
      );
      await s.sql(
        "INSERT INTO nation VALUES (1, 'ARGENTINA', 1, 'silver', 12.5), (2, 'BRAZIL', 1, NULL, 3.25)",
      );
      await s.sql('CREATE VIEW big_nations AS SELECT * FROM nation WHERE n_nationkey > 10');
      await s.sql('CREATE DATABASE shop');
      await s.sql('CREATE TABLE shop.orders (o_orderkey BIGINT, o_total DECIMAL(15,2)) USING parquet');
    },
  });
});

afterAll(async () => {
  await fixture?.close();
});

function psql(database: string, command: string): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(
      '/usr/bin/psql',
      [
        '-h',
        '127.0.0.1',
        '-p',
        String(fixture!.port),
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

  it('\\df lists no user functions; \\df abs lists the built-in overloads with their result types', async () => {
    const none = await psql('default', '\\df');
    expect(none.stderr).toBe('');
    expect(none.stdout).toBe(
      'List of functions\nSchema,Name,Result data type,Argument data types,Type\n(0 rows)\n',
    );
    const abs = await psql('default', '\\df abs');
    expect(abs.stderr).toBe('');
    expect(abs.stdout).toBe(
      [
        'List of functions',
        'Schema,Name,Result data type,Argument data types,Type',
        'pg_catalog,abs,bigint,bigint,func',
        'pg_catalog,abs,double precision,double precision,func',
        'pg_catalog,abs,integer,integer,func',
        'pg_catalog,abs,numeric,numeric,func',
        'pg_catalog,abs,real,real,func',
        'pg_catalog,abs,smallint,smallint,func',
        '(6 rows)',
        '',
      ].join('\n'),
    );
    const kinds = await psql('default', '\\df (count|row_number|generate_series)');
    expect(kinds.stderr).toBe('');
    expect(kinds.stdout).toContain('pg_catalog,count,bigint,VARIADIC "any",agg\n');
    expect(kinds.stdout).toContain('pg_catalog,row_number,integer,,window\n');
    expect(kinds.stdout).toContain('pg_catalog,generate_series,SETOF bigint,bigint, bigint,func\n');
  });

  it('\\df+ adds volatility, language, source and the function’s description', async () => {
    const r = await psql('default', '\\df+ upper');
    expect(r.stderr).toBe('');
    const lines = r.stdout.split('\n');
    expect(lines[1]).toBe(
      'Schema,Name,Result data type,Argument data types,Type,Volatility,Parallel,Owner,Security,Access privileges,Language,Source code,Description',
    );
    expect(lines[2]).toMatch(
      /^pg_catalog,upper,text,text,func,immutable,safe,alice,invoker,,internal,upper,.+/,
    );
    const rand = await psql('default', '\\df+ rand');
    expect(rand.stdout).toContain(',func,volatile,');
  });

  it('\\dT lists the types a pattern names', async () => {
    const r = await psql('default', '\\dT int*');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'List of data types',
        'Schema,Name,Description',
        'pg_catalog,bigint,',
        'pg_catalog,integer,',
        'pg_catalog,interval,',
        'pg_catalog,smallint,',
        '(4 rows)',
        '',
      ].join('\n'),
    );
  });

  it('\\du lists the connected user with its attributes', async () => {
    const r = await psql('default', '\\du');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      'List of roles\nRole name,Attributes,Member of\nalice,Superuser, Create role, Create DB,{}\n',
    );
  });

  it('\\dt+ and \\l+ show the real size of the data files; \\dv+ a view’s 0 bytes', async () => {
    const t = await psql('default', '\\dt+');
    expect(t.stderr).toBe('');
    const cells = t.stdout.split('\n')[2]!.split(',');
    expect([...cells.slice(0, 6), cells[7]]).toEqual([
      'public',
      'nation',
      'table',
      'alice',
      'permanent',
      'heap',
      'nations',
    ]);
    const size = cells[6]!;
    expect(size).toMatch(/^[1-9]\d* (bytes|kB)$/);
    const bytes = await psql('default', "SELECT pg_total_relation_size('nation')");
    expect(Number(bytes.stdout.split('\n')[1])).toBeGreaterThan(0);
    const l = await psql('default', '\\l+');
    expect(l.stderr).toBe('');
    expect(l.stdout.split('\n')[2]).toContain(`,${size},pg_default,`);
    const v = await psql('default', '\\dv+');
    expect(v.stdout).toContain('public,big_nations,view,alice,permanent,0 bytes,');
  });

  it('\\di finds no indexes and \\dx no extensions', async () => {
    expect((await psql('default', '\\di')).stderr).toBe('Did not find any relations.\n');
    const x = await psql('default', '\\dx');
    expect(x.stderr).toBe('');
    expect(x.stdout).toBe('List of installed extensions\nName,Version,Schema,Description\n(0 rows)\n');
  });
});

describe.skipIf(!existsSync('/usr/bin/psql'))(
  'live connections: pg_stat_activity, pg_backend_pid, signals',
  () => {
    /** Runs `sql` on a raw connection; the DataRows' first cells and the error, once it is ready again. */
    async function run(client: RawWireClient, sql: string): Promise<{ cells: unknown[]; error?: string }> {
      client.send(serialize.query(sql));
      const cells: unknown[] = [];
      let error: string | undefined;
      for (;;) {
        const m = await client.next(30_000);
        if (m.name === 'dataRow') cells.push((m['fields'] as unknown[])[0]);
        if (m.name === 'error') error = m['code'] as string;
        if (m.name === 'readyForQuery') return error === undefined ? { cells } : { cells, error };
      }
    }

    /** pg_stat_activity's row of a connection, as psql prints it. */
    async function activityOf(pid: number): Promise<string> {
      const r = await psql(
        'default',
        `SELECT usename, datname, application_name, client_addr, state, query FROM pg_stat_activity WHERE pid = ${pid}`,
      );
      expect(r.stderr).toBe('');
      return r.stdout.split('\n')[1]!;
    }

    const LONG = 'SELECT sum(id) FROM range(0, 50000000000)';

    it('pg_backend_pid is the BackendKeyData process id; pg_stat_activity shows each connection live', async () => {
      const target = await RawWireClient.connect(fixture!.port, {
        user: 'alice',
        application_name: 'watched',
      });
      try {
        expect(await run(target, 'SELECT pg_backend_pid()')).toEqual({ cells: [String(target.processId)] });
        expect(await activityOf(target.processId)).toBe(
          'alice,default,watched,127.0.0.1,idle,SELECT pg_backend_pid()',
        );
        await run(target, 'BEGIN');
        expect(await activityOf(target.processId)).toBe(
          'alice,default,watched,127.0.0.1,idle in transaction,BEGIN',
        );
        await run(target, 'COMMIT');
        // psql's own connection is there too, running this very query.
        const self = await psql(
          'default',
          'SELECT state, query, backend_type FROM pg_stat_activity WHERE pid = pg_backend_pid()',
        );
        expect(self.stdout.split('\n')[1]).toBe(
          'active,SELECT state, query, backend_type FROM pg_stat_activity WHERE pid = pg_backend_pid(),client backend',
        );
        const gss = await psql(
          'default',
          'SELECT gss_authenticated, encrypted FROM pg_catalog.pg_stat_gssapi WHERE pid = pg_backend_pid()',
        );
        expect(gss.stdout).toBe('gss_authenticated,encrypted\nf,f\n(1 row)\n');
      } finally {
        await target.end();
      }
      // A closed connection is gone from the list.
      expect(
        (await psql('default', `SELECT count(*) FROM pg_stat_activity WHERE pid = ${target.processId}`))
          .stdout,
      ).toContain('\n0\n');
    });

    it('pg_cancel_backend cancels the running statement of a connection of the same user', async () => {
      const target = await RawWireClient.connect(fixture!.port, { user: 'alice' });
      try {
        const running = run(target, LONG);
        await expect
          .poll(async () => activityOf(target.processId), { timeout: 10_000 })
          .toContain(`,active,${LONG}`);
        const r = await psql(
          'default',
          `SELECT pg_cancel_backend(${target.processId}), pg_cancel_backend(1)`,
        );
        expect(r.stdout.split('\n')[1]).toBe('t,f');
        expect((await running).error).toBe('57014');
        // The connection lives on.
        expect(await run(target, 'SELECT 7')).toEqual({ cells: ['7'] });
      } finally {
        await target.end();
      }
    });

    it('pg_terminate_backend closes the connection with 57P01; another user’s is refused with 42501', async () => {
      const other = await RawWireClient.connect(fixture!.port, { user: 'bob' });
      try {
        const denied = await psql('default', `SELECT pg_terminate_backend(${other.processId})`);
        expect(denied.stderr).toContain('ERROR:  permission denied to terminate process');
        const cancel = await psql('default', `SELECT pg_cancel_backend(${other.processId})`);
        expect(cancel.stderr).toContain('ERROR:  permission denied to cancel query');
      } finally {
        await other.end();
      }
      const target = await RawWireClient.connect(fixture!.port, { user: 'alice' });
      target.send(serialize.query(LONG));
      await expect
        .poll(async () => activityOf(target.processId), { timeout: 10_000 })
        .toContain(`,active,${LONG}`);
      const r = await psql(
        'default',
        `SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE pid = ${target.processId}`,
      );
      expect(r.stdout).toBe('pg_terminate_backend(pid)\nt\n(1 row)\n');
      const closing: string[] = [];
      for (;;) {
        try {
          const m = await target.next(10_000);
          if (m.name === 'error')
            closing.push(`${m['severity'] as string} ${m['code'] as string} ${m['message'] as string}`);
        } catch {
          break; // closed
        }
      }
      expect(closing).toContain('FATAL 57P01 terminating connection due to administrator command');
    });

    it('set_config of application_name shows in pg_stat_activity', async () => {
      const r = await psql(
        'default',
        "SELECT set_config('application_name', 'renamed', false); SELECT application_name FROM pg_stat_activity WHERE pid = pg_backend_pid()",
      );
      expect(r.stderr).toBe('');
      expect(r.stdout.endsWith('\napplication_name\nrenamed\n(1 row)\n')).toBe(true);
    });
  },
);

describe.skipIf(!existsSync('/usr/bin/psql'))('psql tab completion', () => {
  /** The query psql 15 sends to complete a table name after `SELECT * FROM <prefix>`. */
  function completionQuery(prefix: string, withKinds: boolean): string {
    return [
      `SELECT c.relname, NULL::pg_catalog.text FROM pg_catalog.pg_class c WHERE ${withKinds ? "c.relkind IN ('r', 'S', 'v', 'm', 'f', 'p') AND " : ''}(c.relname) LIKE '${prefix}%' AND pg_catalog.pg_table_is_visible(c.oid) AND c.relnamespace <> (SELECT oid FROM pg_catalog.pg_namespace WHERE nspname = 'pg_catalog')`,
      'UNION ALL',
      `SELECT NULL::pg_catalog.text, n.nspname FROM pg_catalog.pg_namespace n WHERE n.nspname LIKE '${prefix}%' AND n.nspname NOT LIKE E'pg\\\\_%'`,
      'LIMIT 1000;',
    ].join('\n');
  }

  it('answers the completion queries with the tables, views and schemas', async () => {
    const nat = await psql('default', completionQuery('nati', true));
    expect(nat.stderr).toBe('');
    expect(nat.stdout.split('\n').slice(1)).toEqual(['nation,', '(1 row)', '']);
    const all = await psql('default', completionQuery('', true));
    expect(all.stderr).toBe('');
    expect(all.stdout.split('\n').slice(1, -2).sort()).toEqual([
      ',information_schema',
      ',public',
      ',shop',
      'big_nations,',
      'nation,',
    ]);
    const big = await psql('default', completionQuery('big', false));
    expect(big.stdout.split('\n').slice(1)).toEqual(['big_nations,', '(1 row)', '']);
  });

  it.skipIf(!existsSync('/usr/bin/script'))(
    'completes a table name typed in an interactive psql',
    async () => {
      // psql reads the keyboard only from a terminal: script(1) gives it one.
      const child = spawn(
        '/usr/bin/script',
        [
          '-qfc',
          `/usr/bin/psql -h 127.0.0.1 -p ${fixture!.port} -U alice -d default -X -P pager=off`,
          '/dev/null',
        ],
        { env: { ...process.env, PGCONNECT_TIMEOUT: '5', TERM: 'dumb' } },
      );
      let out = '';
      child.stdout.setEncoding('utf8');
      child.stdout.on('data', (d: string) => (out += d));
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      try {
        await expect.poll(() => out, { timeout: 10_000 }).toContain('default=#');
        child.stdin.write('SELECT n_name FROM nat\t');
        await expect.poll(() => out, { timeout: 10_000 }).toContain('SELECT n_name FROM nation');
        child.stdin.write(' ORDER BY 1 LIMIT 1;\n');
        await expect.poll(() => out, { timeout: 10_000 }).toContain('ARGENTINA');
        child.stdin.write('\\q\n');
        await exited;
      } finally {
        child.kill();
      }
    },
  );
});

describe.skipIf(!existsSync('/usr/bin/psql'))('psql listings of what Kindling has none of', () => {
  it('\\db, \\dy, \\dd, \\dLS, \\dX and \\dconfig print their tables', async () => {
    const db = await psql('default', '\\db');
    expect(db.stderr).toBe('');
    expect(db.stdout).toBe('List of tablespaces\nName,Owner,Location\npg_default,alice,\n(1 row)\n');
    const dy = await psql('default', '\\dy');
    expect(dy.stderr).toBe('');
    expect(dy.stdout).toBe('List of event triggers\nName,Event,Owner,Enabled,Function,Tags\n(0 rows)\n');
    const dd = await psql('default', '\\dd');
    expect(dd.stderr).toBe('');
    expect(dd.stdout).toBe('Object descriptions\nSchema,Name,Object,Description\n(0 rows)\n');
    const languages = await psql('default', '\\dLS');
    expect(languages.stderr).toBe('');
    expect(languages.stdout).toBe(
      'List of languages\nName,Owner,Trusted,Description\nc,alice,f,\ninternal,alice,f,\nsql,alice,t,\n(3 rows)\n',
    );
    const stats = await psql('default', '\\dX');
    expect(stats.stderr).toBe('');
    expect(stats.stdout).toBe(
      'List of extended statistics\nSchema,Name,Definition,Ndistinct,Dependencies,MCV\n(0 rows)\n',
    );
    const conf = await psql('default', '\\dconfig');
    expect(conf.stderr).toBe('');
    expect(conf.stdout).toBe('List of non-default configuration parameters\nParameter,Value\n(0 rows)\n');
  });
});
