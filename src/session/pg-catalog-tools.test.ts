import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.ts';
import type { Session } from './session.ts';

const warehouse = mkdtempSync(join(tmpdir(), 'kindling-pg-catalog-tools-'));
let engine: Engine;
let s: Session;

beforeAll(async () => {
  engine = new Engine({ warehouse, executorThreads: 1 });
  s = engine.createSession({ user: 'alice' });
  await s.sql('CREATE TABLE nation (k INT, name STRING) USING parquet');
  await s.sql("INSERT INTO nation VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  await s.sql('CREATE TABLE empty (k INT) USING parquet');
  await s.sql('CREATE VIEW v AS SELECT k FROM nation');
  await s.sql('CREATE DATABASE shop');
});

afterAll(async () => {
  s.close();
  await engine.close();
  rmSync(warehouse, { recursive: true, force: true });
});

async function rows(sql: string): Promise<unknown[][]> {
  return (await s.sql(sql)).rows as unknown[][];
}

describe('catalog parts GUI tools read', () => {
  it('pg_stat_user_tables: one row per table with its live rows from the statistics', async () => {
    expect(
      await rows(
        "SELECT s.schemaname, s.relname, s.n_live_tup, s.relid = c.oid FROM pg_stat_user_tables s JOIN pg_class c ON c.relname = s.relname WHERE schemaname = 'public' ORDER BY 2",
      ),
    ).toEqual([
      // Never written: no statistics yet, so no count.
      ['public', 'empty', null, true],
      ['public', 'nation', 3n, true],
    ]);
  });

  it('sizes come from the tables’ statistics; views have none; unknown OIDs and databases are NULL', async () => {
    const [[nation, total, view, unknown]] = (await rows(
      `SELECT pg_relation_size((SELECT oid FROM pg_class WHERE relname = 'nation')),
              pg_total_relation_size((SELECT oid FROM pg_class WHERE relname = 'nation')),
              pg_relation_size((SELECT oid FROM pg_class WHERE relname = 'v')),
              pg_relation_size(1)`,
    )) as [[bigint, bigint, bigint | null, bigint | null]];
    expect(nation).toBeGreaterThan(0n);
    expect(total).toBe(nation);
    expect(view).toBeNull();
    expect(unknown).toBeNull();
    const [[db, byOid, other, none]] = (await rows(
      `SELECT pg_database_size('default'), pg_database_size((SELECT oid FROM pg_database WHERE datname = 'default')),
              pg_database_size('shop'), pg_database_size('nope')`,
    )) as [[bigint, bigint, bigint, bigint | null]];
    expect(db).toBeGreaterThanOrEqual(nation);
    expect(byOid).toBe(db);
    expect(other).toBe(0n);
    expect(none).toBeNull();
  });

  it('pg_language, pg_depend, pg_available_extensions, pg_stat_activity and the other functions', async () => {
    expect(await rows('SELECT oid, lanname, lanpltrusted FROM pg_catalog.pg_language ORDER BY oid')).toEqual([
      [12, 'internal', false],
      [13, 'c', false],
      [14, 'sql', true],
    ]);
    expect(await rows('SELECT count(*) FROM pg_depend')).toEqual([[0n]]);
    expect(await rows('SELECT count(*) FROM pg_available_extensions')).toEqual([[0n]]);
    expect(await rows('SELECT datname, usename, state FROM pg_stat_activity')).toEqual([
      ['default', 'alice', 'active'],
    ]);
    expect(
      await rows(
        "SELECT pg_tablespace_location(1663), pg_get_partkeydef(c.oid), pg_stat_get_numscans(c.oid) FROM pg_class c WHERE relname = 'nation'",
      ),
    ).toEqual([['', null, 0n]]);
    await expect(rows('SELECT pg_relation_size()')).rejects.toMatchObject({ sqlstate: '42883' });
  });

  it('pg_get_keywords() lists the grammar’s keywords, reserved ones as R', async () => {
    expect(
      await rows(
        "SELECT word, catcode, catdesc FROM pg_catalog.pg_get_keywords() WHERE word IN ('select', 'date', 'from') ORDER BY 1",
      ),
    ).toEqual([
      ['date', 'U', 'unreserved'],
      ['from', 'R', 'reserved'],
      ['select', 'R', 'reserved'],
    ]);
    // As pgjdbc asks for the keywords that are not SQL:2003's.
    const [[list]] = (await rows(
      "SELECT string_agg(word, ',') FROM pg_catalog.pg_get_keywords() WHERE word <> ALL ('{select,from}'::text[])",
    )) as [[string]];
    expect(list.split(',')).toContain('date');
    expect(list.split(',')).not.toContain('select');
  });
});
