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
