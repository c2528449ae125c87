import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.ts';
import { objectOid } from './pg-catalog.ts';
import type { Session } from './session.ts';

const warehouse = mkdtempSync(join(tmpdir(), 'kindling-pg-catalog-'));
let engine: Engine;
let s: Session;

beforeAll(async () => {
  engine = new Engine({ warehouse, executorThreads: 1 });
  // As the wire server opens its sessions: PostgreSQL's clients quote identifiers with "…".
  s = engine.createSession({ user: 'alice', settings: { 'spark.sql.ansi.doubleQuotedIdentifiers': 'true' } });
  await s.sql(
    "CREATE TABLE nation (n_nationkey INT NOT NULL, n_name VARCHAR(25), n_total DECIMAL(15,2), tags ARRAY<INT>) USING parquet COMMENT 'nations'",
  );
  await s.sql('CREATE VIEW nation_view AS SELECT n_nationkey, n_total FROM nation');
  await s.sql('CREATE DATABASE shop');
  await s.sql('CREATE TABLE shop.orders (o_orderkey BIGINT) USING parquet');
});

afterAll(async () => {
  s.close();
  await engine.close();
  rmSync(warehouse, { recursive: true, force: true });
});

async function rows(sql: string): Promise<unknown[][]> {
  return (await s.sql(sql)).rows as unknown[][];
}

describe('pg_catalog', () => {
  it('gives objects OIDs that depend on their names only, above PostgreSQL’s own', () => {
    expect(objectOid('r', 'default.nation')).toBe(objectOid('r', 'default.nation'));
    expect(objectOid('r', 'default.nation')).not.toBe(objectOid('r', 'default.region'));
    expect(objectOid('r', 'x')).toBeGreaterThanOrEqual(16384);
  });

  it('describes columns with PostgreSQL’s types, typmods and format_type names', async () => {
    const r = await rows(`
      SELECT a.attnum, a.attname, format_type(a.atttypid, a.atttypmod), a.attnotnull
      FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_class c ON c.oid = a.attrelid
      WHERE c.relname = 'nation' ORDER BY a.attnum`);
    expect(r).toEqual([
      [1, 'n_nationkey', 'integer', true],
      [2, 'n_name', 'character varying(25)', false],
      [3, 'n_total', 'numeric(15,2)', false],
      [4, 'tags', 'integer[]', false],
    ]);
  });

  it('puts tables in their database’s schema; public is default', async () => {
    const r = await rows(`
      SELECT n.nspname, c.relname, c.relkind, pg_table_is_visible(c.oid), obj_description(c.oid, 'pg_class')
      FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
      WHERE n.nspname IN ('public', 'shop') ORDER BY 1, 2`);
    expect(r).toEqual([
      ['public', 'nation', 'r', true, 'nations'],
      ['public', 'nation_view', 'v', true, null],
      ['shop', 'orders', 'r', false, null],
    ]);
    expect(await rows('SELECT count(*) FROM public.nation')).toEqual([[0n]]);
  });

  it('names the session’s user as the owner, and the encoding UTF8', async () => {
    expect(await rows('SELECT pg_get_userbyid(10), pg_get_userbyid(7), pg_encoding_to_char(6)')).toEqual([
      ['alice', 'unknown (OID=7)', 'UTF8'],
    ]);
  });

  it('reads reg* casts as PostgreSQL does: a name to its OID, an OID to its name', async () => {
    const [[oid]] = (await rows("SELECT 'nation'::regclass")) as [[number]];
    expect(
      await rows("SELECT relname FROM pg_class WHERE oid = 'public.nation'::pg_catalog.regclass"),
    ).toEqual([['nation']]);
    expect(await rows(`SELECT ${oid}::regclass, 23::regtype::text, 2200::regnamespace`)).toEqual([
      ['nation', 'integer', 'public'],
    ]);
    expect(await rows("SELECT c.oid::regclass FROM pg_class c WHERE c.relname = 'orders'")).toEqual([
      ['shop.orders'],
    ]);
    await expect(s.sql("SELECT 'nope'::regclass")).rejects.toMatchObject({
      sqlstate: '42P01',
      message: 'relation "nope" does not exist',
    });
  });

  it('takes PostgreSQL array constants and lists schemas for current_schemas', async () => {
    expect(
      await rows(`SELECT '{a,"b,c",NULL}'::text[], '{1, 2}'::int[], 'a' <> ALL ('{a,b}'::text[])`),
    ).toEqual([[['a', 'b,c', null], [1, 2], false]]);
    // PostgreSQL numbers its arrays from 1 (pgjdbc reads `(current_schemas(false))[s.r]` for r in 1..n).
    expect(
      await rows(
        'SELECT current_schemas(true), (current_schemas(false))[1], (pg_catalog.current_schemas(true))[2], (current_schemas(false))[0]',
      ),
    ).toEqual([[['pg_catalog', 'public'], 'public', 'public', null]]);
  });

  it('answers information_schema tables, columns and schemata', async () => {
    expect(
      await rows(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema IN ('public', 'shop') ORDER BY 1, 2",
      ),
    ).toEqual([
      ['public', 'nation', 'BASE TABLE'],
      ['public', 'nation_view', 'VIEW'],
      ['shop', 'orders', 'BASE TABLE'],
    ]);
    expect(
      await rows(`
        SELECT column_name, ordinal_position, is_nullable, data_type, character_maximum_length,
               numeric_precision, numeric_scale, udt_name
        FROM information_schema.columns WHERE table_name = 'nation' ORDER BY ordinal_position`),
    ).toEqual([
      ['n_nationkey', 1, 'NO', 'integer', null, 32, 0, 'int4'],
      ['n_name', 2, 'YES', 'character varying', 25, null, null, 'varchar'],
      ['n_total', 3, 'YES', 'numeric', null, 15, 2, 'numeric'],
      ['tags', 4, 'YES', 'ARRAY', null, null, null, '_int4'],
    ]);
    expect(await rows('SELECT schema_name FROM information_schema.schemata ORDER BY 1')).toEqual([
      ['information_schema'],
      ['pg_catalog'],
      ['public'],
      ['shop'],
    ]);
  });

  it('answers pg_catalog.version() as PostgreSQL, version() as Spark', async () => {
    const [[pgVersion, sparkVersion]] = (await rows('SELECT pg_catalog.version(), version()')) as [
      [string, string],
    ];
    expect(pgVersion).toMatch(/^PostgreSQL 16\.4 on \S+, compiled by Kindling 0\.1\.0, 64-bit$/);
    expect(sparkVersion).toBe('4.0.0 kindling-0.1.0');
  });

  it('answers the functions psql’s \\d reads: none of the relations is a partition, publishable tables', async () => {
    const [[oid]] = (await rows("SELECT 'nation'::regclass")) as [[number]];
    expect(await rows("SELECT * FROM pg_catalog.pg_partition_ancestors('nation')")).toEqual([]);
    expect(
      await rows(
        `SELECT pg_catalog.pg_partition_ancestors('${oid}') UNION ALL VALUES ('${oid}'::pg_catalog.regclass)`,
      ),
    ).toEqual([[oid]]);
    await expect(s.sql("SELECT * FROM pg_partition_ancestors('nope')")).rejects.toMatchObject({
      sqlstate: '42P01',
    });
    expect(
      await rows(`
        SELECT c.relname, pg_catalog.pg_relation_is_publishable(c.oid)
        FROM pg_class c WHERE c.relname IN ('nation', 'orders', 'pg_class', 'nation_view') ORDER BY 1`),
    ).toEqual([
      ['nation', true],
      ['nation_view', false],
      ['orders', true],
      ['pg_class', false],
    ]);
    expect(
      await rows(
        `SELECT pg_get_statisticsobjdef_columns(1), col_description(${oid}, 1), 2200::pg_catalog.regnamespace::pg_catalog.text`,
      ),
    ).toEqual([[null, null, 'public']]);
  });

  it('reads the view definition and shows view columns as nullable, numeric as main storage', async () => {
    const [[view]] = (await rows("SELECT 'nation_view'::regclass")) as [[number]];
    expect(await rows(`SELECT pg_get_viewdef(${view}, true), pg_get_viewdef('nation_view')`)).toEqual([
      ['SELECT n_nationkey, n_total FROM nation;', 'SELECT n_nationkey, n_total FROM nation;'],
    ]);
    expect(
      await rows(`
        SELECT c.relname, a.attname, a.attnotnull, a.attstorage
        FROM pg_attribute a JOIN pg_class c ON c.oid = a.attrelid
        WHERE c.relname IN ('nation', 'nation_view') AND a.attnum <= 3 ORDER BY 1, a.attnum`),
    ).toEqual([
      ['nation', 'n_nationkey', true, 'p'],
      ['nation', 'n_name', false, 'x'],
      ['nation', 'n_total', false, 'm'],
      ['nation_view', 'n_nationkey', false, 'p'],
      ['nation_view', 'n_total', false, 'm'],
    ]);
  });

  it('runs the correlated catalog subqueries psql sends, over empty and filled catalogs', async () => {
    const [[oid]] = (await rows("SELECT 'nation'::regclass")) as [[number]];
    // A scalar subquery that is not aggregated (at most one row per column here).
    expect(
      await rows(`
        SELECT a.attname,
          (SELECT pg_catalog.pg_get_expr(d.adbin, d.adrelid, true) FROM pg_catalog.pg_attrdef d
           WHERE d.adrelid = a.attrelid AND d.adnum = a.attnum AND a.atthasdef),
          (SELECT c.collname FROM pg_catalog.pg_collation c, pg_catalog.pg_type t
           WHERE c.oid = a.attcollation AND t.oid = a.atttypid AND a.attcollation <> t.typcollation)
        FROM pg_catalog.pg_attribute a WHERE a.attrelid = '${oid}' AND a.attnum > 0 ORDER BY a.attnum`),
    ).toEqual([
      ['n_nationkey', null, null],
      ['n_name', null, null],
      ['n_total', null, null],
      ['tags', null, null],
    ]);
    // ARRAY(subquery), '{0}' compared with an oid[], pg_roles by oid = ANY(…)
    expect(
      await rows(`
        SELECT CASE WHEN roles = '{0}' THEN NULL
          ELSE pg_catalog.array_to_string(array(select rolname from pg_catalog.pg_roles where oid = any (roles) order by 1), ',') END
        FROM VALUES (array(10)), (array(0)), (array(7)) AS p(roles)`),
    ).toEqual([['alice'], [null], ['']]);
    // Set-returning functions over the (empty) trigger and publication catalogs
    expect(
      await rows(`
        SELECT t.tgname, (SELECT u.tgrelid::pg_catalog.regclass
          FROM pg_catalog.pg_trigger AS u, pg_catalog.pg_partition_ancestors(t.tgrelid) WITH ORDINALITY AS a(relid, depth)
          WHERE u.tgname = t.tgname AND u.tgrelid = a.relid AND u.tgparentid = 0 ORDER BY a.depth LIMIT 1)
        FROM pg_catalog.pg_trigger t WHERE t.tgrelid = '${oid}'`),
    ).toEqual([]);
    expect(
      await rows(`
        SELECT pubname, (CASE WHEN pr.prattrs IS NOT NULL THEN
          (SELECT string_agg(attname, ', ')
           FROM pg_catalog.generate_series(0, pg_catalog.array_upper(pr.prattrs::pg_catalog.int2[], 1)) s,
                pg_catalog.pg_attribute
           WHERE attrelid = pr.prrelid AND attnum = prattrs[s]) ELSE NULL END)
        FROM pg_catalog.pg_publication p JOIN pg_catalog.pg_publication_rel pr ON p.oid = pr.prpubid
        WHERE pr.prrelid = '${oid}'`),
    ).toEqual([]);
    // \d+'s options: the table's and its TOAST table's (there is none)
    expect(
      await rows(`
        SELECT pg_catalog.array_to_string(c.reloptions || array(select 'toast.' || x from pg_catalog.unnest(tc.reloptions) x), ', ')
        FROM pg_catalog.pg_class c LEFT JOIN pg_catalog.pg_class tc ON (c.reltoastrelid = tc.oid)
        WHERE c.oid = '${oid}'`),
    ).toEqual([[null]]);
  });

  it('answers what SQLAlchemy reflects: current_schema, key and index columns as arrays, no sequences', async () => {
    expect(await rows('SELECT current_schema(), current_schema, current_database()')).toEqual([
      ['public', 'public', 'default'],
    ]);
    const oid = objectOid('r', 'default.nation');
    // get_pk_constraint: the primary key's columns in order (Kindling has no keys or indexes)
    expect(
      await rows(`
        SELECT a.attname FROM pg_attribute a JOIN (
          SELECT unnest(ix.indkey) attnum, generate_subscripts(ix.indkey, 1) ord
          FROM pg_index ix WHERE ix.indrelid = ${oid} AND ix.indisprimary) k ON a.attnum = k.attnum
        WHERE a.attrelid = ${oid} ORDER BY k.ord`),
    ).toEqual([]);
    expect(
      await rows(`
        SELECT cons.conname, cons.conkey, a.attname FROM pg_catalog.pg_constraint cons
        JOIN pg_attribute a ON cons.conrelid = a.attrelid AND a.attnum = ANY(cons.conkey)
        WHERE cons.conrelid = ${oid} AND cons.contype = 'u'`),
    ).toEqual([]);
    // get_columns: a column's identity options, from sequences (there are none)
    expect(
      await rows(`
        SELECT a.attname, (SELECT json_build_object('always', a.attidentity = 'a', 'start', s.seqstart)
          FROM pg_catalog.pg_sequence s JOIN pg_catalog.pg_class c ON s.seqrelid = c."oid"
          WHERE c.relkind = 'S' AND a.attidentity != ''
          AND s.seqrelid = pg_catalog.pg_get_serial_sequence(a.attrelid::regclass::text, a.attname)::regclass::oid)
        FROM pg_catalog.pg_attribute a WHERE a.attrelid = ${oid} AND a.attnum = 1`),
    ).toEqual([['n_nationkey', null]]);
  });

  it('lets a table of the same name win over an unqualified catalog name', async () => {
    await s.sql('CREATE TABLE pg_am (x INT) USING parquet');
    try {
      expect(await rows('SELECT count(*) FROM pg_am')).toEqual([[0n]]);
      expect(await rows('SELECT count(*) FROM pg_catalog.pg_am')).toEqual([[2n]]);
    } finally {
      await s.sql('DROP TABLE pg_am');
    }
  });
});

describe('pg_proc, pg_language and relation sizes', () => {
  it('lists the registry’s functions with the overloads their resolve accepts', async () => {
    expect(
      await rows(`
        SELECT p.proname, p.prokind, p.pronargs, format_type(p.prorettype, NULL), p.proargtypes, p.proretset, l.lanname
        FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_language l ON l.oid = p.prolang
        WHERE p.proname IN ('abs', 'sum', 'rank', 'explode') ORDER BY 1, pg_get_function_arguments(p.oid)`),
    ).toEqual([
      ['abs', 'f', 1, 'bigint', [20], false, 'internal'],
      ['abs', 'f', 1, 'double precision', [701], false, 'internal'],
      ['abs', 'f', 1, 'integer', [23], false, 'internal'],
      ['abs', 'f', 1, 'numeric', [1700], false, 'internal'],
      ['abs', 'f', 1, 'real', [700], false, 'internal'],
      ['abs', 'f', 1, 'smallint', [21], false, 'internal'],
      ['explode', 'f', 1, 'anyelement', [2277], true, 'internal'],
      ['rank', 'w', 0, 'integer', [], false, 'internal'],
      ['sum', 'a', 1, 'bigint', [20], false, 'internal'],
      ['sum', 'a', 1, 'double precision', [701], false, 'internal'],
      ['sum', 'a', 1, 'bigint', [23], false, 'internal'],
      ['sum', 'a', 1, 'numeric', [1700], false, 'internal'],
      ['sum', 'a', 1, 'double precision', [700], false, 'internal'],
      ['sum', 'a', 1, 'bigint', [21], false, 'internal'],
    ]);
    // Every name and alias of the registry is there, in pg_catalog.
    const names = new Set(
      ((await rows('SELECT DISTINCT proname FROM pg_proc')) as [string][]).map((r) => r[0]),
    );
    for (const name of engine.functions.names()) expect(names.has(name.toLowerCase())).toBe(true);
    expect(await rows("SELECT DISTINCT pronamespace FROM pg_proc WHERE proname = 'upper'")).toEqual([[11]]);
    expect(
      await rows(
        "SELECT DISTINCT proname, provolatile FROM pg_proc WHERE proname IN ('rand', 'upper') ORDER BY proname",
      ),
    ).toEqual([
      ['rand', 'v'],
      ['upper', 'i'],
    ]);
    const [[total, distinct]] = (await rows('SELECT count(*), count(DISTINCT oid) FROM pg_proc')) as [
      [bigint, bigint],
    ];
    expect(total).toBe(distinct);
  });

  it('prints signatures and reads ::regproc both ways', async () => {
    expect(
      await rows(`
        SELECT pg_get_function_arguments(p.oid), pg_get_function_result(p.oid), pg_function_is_visible(p.oid)
        FROM pg_proc p WHERE p.proname IN ('concat', 'substr', 'generate_series') ORDER BY p.proname, p.pronargs`),
    ).toEqual([
      ['VARIADIC "any"', 'anyelement', true],
      ['bigint, bigint', 'SETOF bigint', true],
      ['bigint, bigint, bigint', 'SETOF bigint', true],
      ['text, integer', 'text', true],
      ['text, integer, integer', 'text', true],
    ]);
    const [[oid]] = (await rows("SELECT 'upper'::regproc")) as [[number]];
    expect(
      await rows(`SELECT ${oid}::regproc, pg_get_function_result(${oid}), pg_function_is_visible(1)`),
    ).toEqual([['upper', 'text', false]]);
    expect(await rows(`SELECT obj_description(${oid}, 'pg_proc')`)).toEqual([
      [engine.functions.lookup('upper')!.description],
    ]);
    await expect(s.sql("SELECT 'nope'::regproc")).rejects.toMatchObject({ sqlstate: '42883' });
    await expect(s.sql("SELECT 'abs'::regproc")).rejects.toMatchObject({ sqlstate: '42725' });
    expect(await rows('SELECT lanname FROM pg_language ORDER BY oid')).toEqual([
      ['internal'],
      ['c'],
      ['sql'],
    ]);
  });

  it('measures tables by their data files; views and catalogs take no space', async () => {
    await s.sql('CREATE TABLE sized (x BIGINT, y STRING) USING parquet');
    try {
      expect(await rows("SELECT pg_table_size('sized'), pg_relation_size('sized', 'fsm')")).toEqual([
        [0n, 0n],
      ]);
      await s.sql("INSERT INTO sized SELECT id, repeat('x', 100) FROM range(1000)");
      const [[table, relation, total, indexes]] = (await rows(
        "SELECT pg_table_size('sized'), pg_relation_size('sized'::regclass), pg_total_relation_size(c.oid), pg_indexes_size(c.oid) FROM pg_class c WHERE relname = 'sized'",
      )) as [[bigint, bigint, bigint, bigint]];
      expect(table).toBeGreaterThan(1000n);
      expect([relation, total, indexes]).toEqual([table, table, 0n]);
      expect(
        await rows("SELECT pg_table_size('nation_view'), pg_table_size('pg_class'), pg_table_size(12345)"),
      ).toEqual([[0n, 0n, null]]);
      const [[db, byOid]] = (await rows(
        "SELECT pg_database_size('default'), pg_database_size(oid) FROM pg_database WHERE datname = 'default'",
      )) as [[bigint, bigint]];
      expect(db).toBeGreaterThanOrEqual(table);
      expect(byOid).toBe(db);
      await expect(s.sql("SELECT pg_table_size('nope')")).rejects.toMatchObject({ sqlstate: '42P01' });
    } finally {
      await s.sql('DROP TABLE sized');
    }
  });

  it('writes sizes as pg_size_pretty does', async () => {
    expect(
      await rows(
        'SELECT pg_size_pretty(1), pg_size_pretty(10239), pg_size_pretty(10240), pg_size_pretty(20000), pg_size_pretty(-20000), pg_size_pretty(123456789), pg_size_pretty(9223372036854775807)',
      ),
    ).toEqual([['1 bytes', '10239 bytes', '10 kB', '20 kB', '-20 kB', '118 MB', '8192 PB']]);
  });
});

describe('connections of an embedded session', () => {
  it('has this process as its backend and no server connections to list or signal', async () => {
    expect(await rows('SELECT pg_backend_pid()')).toEqual([[process.pid]]);
    expect(await rows('SELECT count(*) FROM pg_stat_activity')).toEqual([[0n]]);
    expect(await rows('SELECT count(*) FROM pg_catalog.pg_stat_gssapi')).toEqual([[0n]]);
    expect(await rows(`SELECT pg_cancel_backend(${process.pid}), pg_terminate_backend(1)`)).toEqual([
      [false, false],
    ]);
  });
});

describe('what GUI clients read besides the catalogs', () => {
  it('lists the grammar’s keywords with PostgreSQL’s categories', async () => {
    const r = await rows(
      "SELECT word, catcode, barelabel, catdesc, baredesc FROM pg_catalog.pg_get_keywords() WHERE word IN ('select', 'limit', 'table', 'databases') ORDER BY word",
    );
    expect(r).toEqual([
      ['databases', 'U', true, 'unreserved', 'can be bare label'],
      ['limit', 'U', false, 'unreserved', 'requires AS'],
      ['select', 'R', false, 'reserved', 'requires AS'],
      ['table', 'R', false, 'reserved', 'requires AS'],
    ]);
    const [[all]] = (await rows("SELECT string_agg(word, ',') FROM pg_catalog.pg_get_keywords()")) as [
      [string],
    ];
    expect(all.split(',')).toContain('from');
    expect(all.split(',')).not.toContain('nation');
  });

  it('answers pg_show_all_settings() as pg_settings', async () => {
    expect(
      await rows("SELECT name, setting FROM pg_show_all_settings() s WHERE s.name = 'server_encoding'"),
    ).toEqual([['server_encoding', 'UTF8']]);
    const [[a]] = (await rows('SELECT count(*) FROM pg_show_all_settings()')) as [[bigint]];
    expect(await rows('SELECT count(*) FROM pg_settings')).toEqual([[a]]);
  });

  it('numbers array subscripts with generate_subscripts', async () => {
    expect(await rows('SELECT generate_subscripts(array(5, 6, 7), 1)')).toEqual([[1], [2], [3]]);
    expect(await rows("SELECT s FROM generate_subscripts(array('a', 'b'), 1, true) s")).toEqual([[2], [1]]);
    expect(await rows('SELECT count(*) FROM generate_subscripts(array(1), 2)')).toEqual([[0n]]);
    expect(await rows('SELECT count(*) FROM generate_subscripts(CAST(array() AS ARRAY<INT>), 1)')).toEqual([
      [0n],
    ]);
  });

  it('shows roles in pg_authid without their password, tablespaces in the data directory', async () => {
    expect(
      await rows('SELECT oid, rolname, rolsuper, rolcanlogin, rolpassword FROM pg_catalog.pg_authid'),
    ).toEqual([[10, 'alice', true, true, null]]);
    expect(await rows('SELECT spcname, pg_tablespace_location(oid) FROM pg_tablespace')).toEqual([
      ['pg_default', ''],
    ]);
  });

  it('answers pgAdmin’s connect-time read of the role, with its recursive walk of memberships', async () => {
    const roleQuery =
      "SELECT roles.oid as id, roles.rolname as name, roles.rolsuper as is_superuser, CASE WHEN roles.rolsuper THEN true ELSE roles.rolcreaterole END as can_create_role, CASE WHEN roles.rolsuper THEN true ELSE roles.rolcreatedb END as can_create_db, CASE WHEN 'pg_signal_backend'=ANY(ARRAY(WITH RECURSIVE cte AS (SELECT pg_roles.oid,pg_roles.rolname FROM pg_roles WHERE oid = roles.oid UNION ALL SELECT m.roleid,pgr.rolname FROM cte cte_1 JOIN pg_auth_members m ON m.member = cte_1.oid JOIN pg_roles pgr ON pgr.oid = m.roleid) SELECT rolname FROM cte)) THEN True ELSE False END as can_signal_backend FROM pg_catalog.pg_roles as roles WHERE rolname = current_user;";
    // alice is a superuser and a member of no role, so not of pg_signal_backend.
    expect(await rows(roleQuery)).toEqual([[10, 'alice', true, true, true, false]]);
  });

  it('describes partitioned tables in pg_partitioned_table and pg_get_partkeydef', async () => {
    await s.sql(
      'CREATE TABLE sales (amount INT, region STRING, year INT) USING parquet PARTITIONED BY (region, year)',
    );
    try {
      const [[oid]] = (await rows("SELECT 'sales'::regclass")) as [[number]];
      expect(
        await rows('SELECT partrelid, partstrat, partnatts, partattrs, partdefid FROM pg_partitioned_table'),
      ).toEqual([[oid, 'l', 2, [2, 3], 0]]);
      expect(await rows(`SELECT pg_get_partkeydef(${oid}), pg_get_partkeydef('nation'::regclass)`)).toEqual([
        ['LIST (region, year)', null],
      ]);
    } finally {
      await s.sql('DROP TABLE sales');
    }
  });

  it('counts live rows in pg_stat_user_tables from the statistics', async () => {
    await s.sql('CREATE TABLE counted (x INT) USING parquet');
    try {
      await s.sql('INSERT INTO counted VALUES (1), (2), (3)');
      expect(
        await rows(
          "SELECT schemaname, relname, n_live_tup, n_dead_tup, seq_scan FROM pg_stat_user_tables WHERE relname = 'counted'",
        ),
      ).toEqual([['public', 'counted', 3n, 0n, null]]);
      expect(await rows("SELECT count(*) FROM pg_stat_user_tables WHERE relname = 'nation_view'")).toEqual([
        [0n],
      ]);
    } finally {
      await s.sql('DROP TABLE counted');
    }
  });

  it('has the shapes of what Kindling has none of', async () => {
    for (const t of [
      'pg_available_extensions',
      'pg_available_extension_versions',
      'pg_depend',
      'pg_sequence',
      'pg_sequences',
      'pg_extension',
    ]) {
      expect(await rows(`SELECT count(*) FROM pg_catalog.${t}`)).toEqual([[0n]]);
    }
    expect(await rows('SELECT pg_stat_get_numscans(1)')).toEqual([[null]]);
    expect(
      await rows(
        'SELECT name, default_version, installed_version, comment FROM pg_catalog.pg_available_extensions ORDER BY name',
      ),
    ).toEqual([]);
  });
});

describe('name lookups, casts and operators clients write', () => {
  it('looks names up with to_regtype, to_regclass, to_regproc, to_regnamespace: NULL when missing', async () => {
    const [[nation]] = (await rows("SELECT 'nation'::regclass")) as [[number]];
    const [[upper]] = (await rows("SELECT 'upper'::regproc")) as [[number]];
    expect(
      await rows(
        "SELECT to_regtype('hstore'), to_regtype('integer'), to_regclass('nation'), to_regclass('nope'), to_regproc('upper'), to_regproc('abs'), to_regnamespace('shop') IS NOT NULL",
      ),
    ).toEqual([[null, 23, nation, null, upper, null, true]]);
    // A name known only when the query runs.
    expect(
      await rows(
        "SELECT to_regtype(x) FROM VALUES ('text'), ('hstore'), ('INTEGER'), ('int4'), (NULL) AS t(x)",
      ),
    ).toEqual([[25], [null], [23], [23], [null]]);
    expect(
      await rows(
        "SELECT typname, typarray, oid::regtype::text FROM pg_type t WHERE t.oid = to_regtype('int4')",
      ),
    ).toEqual([['int4', 1007, 'integer']]);
  });

  it('casts to oid and matches with OPERATOR(pg_catalog.~), !~ and ~*', async () => {
    const [[nation]] = (await rows("SELECT 'nation'::regclass")) as [[number]];
    expect(await rows(`SELECT '17'::oid, 5::oid, 'nation'::regclass::oid = ${nation}`)).toEqual([
      [17, 5, true],
    ]);
    expect(
      await rows(
        "SELECT 'nation' OPERATOR(pg_catalog.~) '^nat', 'nation' OPERATOR(pg_catalog.!~) '^nat', 'NATION' OPERATOR(pg_catalog.~*) '^nat', 'x' !~ 'y'",
      ),
    ).toEqual([[true, false, true, true]]);
    expect(await rows('SELECT array_lower(array(4, 5), 1), array_upper(array(4, 5), 1)')).toEqual([[1, 2]]);
  });
});

describe('current_setting', () => {
  it('reads a setting by any of its names, as SHOW does; an unknown one is 42704 unless missing_ok', async () => {
    await s.sql("SET TimeZone = 'Europe/Paris'");
    try {
      expect(
        await rows(
          "SELECT current_setting('TimeZone'), current_setting('server_encoding'), pg_catalog.current_setting('max_identifier_length'), current_setting('nope', true)",
        ),
      ).toEqual([['Europe/Paris', 'UTF8', '63', null]]);
      await expect(s.sql("SELECT current_setting('nope')")).rejects.toMatchObject({
        sqlstate: '42704',
        message: 'unrecognized configuration parameter "nope"',
      });
      expect(
        await rows(
          "SELECT s.name, current_setting(s.name) = s.setting FROM pg_settings s WHERE s.name IN ('block_size', 'spark.sql.session.timeZone') ORDER BY 1",
        ),
      ).toEqual([
        ['block_size', true],
        ['spark.sql.session.timeZone', true],
      ]);
    } finally {
      await s.sql('RESET TimeZone');
    }
  });
});

describe('set_config', () => {
  it('sets a setting as SET does and returns its value; a bad value is refused', async () => {
    try {
      expect(await rows("SELECT set_config('spark.sql.shuffle.partitions', '7', false)")).toEqual([['7']]);
      expect(await rows("SELECT current_setting('spark.sql.shuffle.partitions')")).toEqual([['7']]);
      expect(s.settings.shufflePartitions).toBe(7);
      // psycopg 3's connection check: no such row, nothing set.
      expect(
        await rows(
          "SELECT set_config('bytea_output', 'hex', false) FROM pg_show_all_settings() WHERE name = 'bytea_output'",
        ),
      ).toEqual([]);
      await expect(
        s.sql("SELECT set_config('spark.sql.shuffle.partitions', 'x', false)"),
      ).rejects.toMatchObject({
        sqlstate: '22023',
      });
    } finally {
      await s.sql('RESET spark.sql.shuffle.partitions');
    }
  });
});

describe('the tableoid system column', () => {
  it('is the catalog relation’s OID, named only: no star includes it', async () => {
    const [[pgAm]] = (await rows("SELECT 'pg_am'::regclass")) as [[number]];
    expect(await rows('SELECT DISTINCT tableoid, a.tableoid FROM pg_am a')).toEqual([[pgAm, pgAm]]);
    for (const q of [
      'SELECT * FROM pg_am',
      'SELECT a.* FROM pg_am a',
      'SELECT * FROM (SELECT * FROM pg_am) x',
    ]) {
      expect((await s.sql(q)).columns).toEqual(['oid', 'amname', 'amhandler', 'amtype']);
    }
    // psql's \dL joins descriptions on it.
    expect(
      await rows(`
        SELECT l.lanname, d.description FROM pg_catalog.pg_language l
        LEFT JOIN pg_catalog.pg_description d ON d.classoid = l.tableoid AND d.objoid = l.oid AND d.objsubid = 0
        ORDER BY 1`),
    ).toEqual([
      ['c', null],
      ['internal', null],
      ['sql', null],
    ]);
  });
});

describe('reg* casts of names the query computes', () => {
  it('reads a text expression as a name and gives its OID (NULL for no such object)', async () => {
    const [[nation]] = (await rows("SELECT 'nation'::regclass")) as [[number]];
    expect(
      await rows(`
        SELECT CAST(CAST(format('%I.%I', table_schema, table_name) AS regclass) AS oid),
               CAST(table_name || '_x' AS regclass), CAST(lower('NATION') AS regclass)
        FROM information_schema.tables WHERE table_name = 'nation'`),
    ).toEqual([[nation, null, nation]]);
    // Metabase's column comments.
    expect(
      await rows(`
        SELECT c.column_name, col_description(CAST(CAST(format('%I.%I', CAST(c.table_schema AS TEXT), CAST(c.table_name AS TEXT)) AS REGCLASS) AS OID), c.ordinal_position)
        FROM information_schema.columns c WHERE c.table_name = 'nation' AND c.ordinal_position = 1`),
    ).toEqual([['n_nationkey', null]]);
  });
});
