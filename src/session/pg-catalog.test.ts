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
  s = engine.createSession({ user: 'alice' });
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
