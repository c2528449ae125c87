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
    expect(await rows('SELECT current_schemas(true), (current_schemas(false))[0]')).toEqual([
      [['pg_catalog', 'public'], 'public'],
    ]);
  });

  it('answers information_schema tables, columns and schemata', async () => {
    expect(
      await rows(
        "SELECT table_schema, table_name, table_type FROM information_schema.tables WHERE table_schema IN ('public', 'shop') ORDER BY 1, 2",
      ),
    ).toEqual([
      ['public', 'nation', 'BASE TABLE'],
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
