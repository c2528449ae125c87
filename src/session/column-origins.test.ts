import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Value } from '../common/index.ts';
import { Engine } from './engine.ts';
import type { Session } from './session.ts';
import type { ColumnOrigin } from './types.ts';

let warehouse = '';
let engine: Engine;
let session: Session;

beforeAll(async () => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-origins-'));
  engine = new Engine({ warehouse, executorThreads: 1 });
  // As the wire server opens its sessions: clients quote identifiers with "…".
  session = engine.createSession({
    user: 'u',
    database: 'default',
    settings: { 'spark.sql.ansi.doubleQuotedIdentifiers': 'true' },
  });
  await session.sql('CREATE TABLE nation (n_key INT NOT NULL, n_name STRING, n_region INT) USING parquet');
  await session.sql('CREATE TABLE region (r_key INT, r_name STRING) USING parquet');
});

afterAll(async () => {
  await engine.close();
  rmSync(warehouse, { recursive: true, force: true });
});

/** What pg_class/pg_attribute say a (table OID, attnum) pair is. */
async function lookup(origin: ColumnOrigin | null): Promise<string | null> {
  if (origin === null) return null;
  const rows = await collect(
    `SELECT c.relname, a.attname FROM pg_catalog.pg_class c JOIN pg_catalog.pg_attribute a ON a.attrelid = c.oid
     WHERE c.oid = ${origin.tableOid} AND a.attnum = ${origin.column}`,
  );
  return rows.length === 1
    ? `${rows[0]![0] as string}.${rows[0]![1] as string}`
    : `missing ${JSON.stringify(origin)}`;
}

async function collect(sql: string): Promise<Value[][]> {
  const out: Value[][] = [];
  for await (const result of session.execute(sql)) {
    if (result.kind !== 'rows') continue;
    for await (const batch of result.batches)
      for (let r = 0; r < batch.numRows; r++)
        out.push(batch.schema.fields.map((_, c) => batch.getChildAt(c)!.get(r) as Value));
  }
  return out;
}

async function origins(sql: string): Promise<(string | null)[]> {
  const prepared = await session.prepare(sql, []);
  return Promise.all((prepared.resultOrigins ?? []).map(lookup));
}

describe('column origins', () => {
  it('name the pg_class/pg_attribute entries of columns read straight from a table', async () => {
    expect(
      await origins('SELECT n_name, n_key + 1 AS k1, upper(n_name), n_region AS reg FROM nation'),
    ).toEqual(['nation.n_name', null, null, 'nation.n_region']);
  });

  it('through joins, filters, sorts, subquery aliases and GROUP BY keys; not through aggregates or unions', async () => {
    expect(
      await origins(
        `SELECT r.r_name, x.n_key, count(*) FROM (SELECT * FROM nation WHERE n_key > $1) x
         JOIN region r ON x.n_region = r.r_key GROUP BY r.r_name, x.n_key ORDER BY 1`,
      ),
    ).toEqual(['region.r_name', 'nation.n_key', null]);
    expect(await origins('SELECT n_key FROM nation UNION ALL SELECT r_key FROM region')).toEqual([null]);
    expect(await origins('SELECT 1 AS one')).toEqual([null]);
  });

  it('columns qualified by the schema and table as written in FROM (Metabase): "public"."nation"."n_name"', async () => {
    expect(
      await origins('SELECT "public"."nation"."n_name" AS "n_name", nation.n_key FROM "public"."nation"'),
    ).toEqual(['nation.n_name', 'nation.n_key']);
    expect(await origins('SELECT default.nation.n_region FROM nation')).toEqual(['nation.n_region']);
  });

  it("name a view's own columns, computed ones too, as PostgreSQL does", async () => {
    await session.sql(
      'CREATE OR REPLACE VIEW named AS SELECT n_name, n_key * 2 AS twice FROM nation WHERE n_key > 0',
    );
    await session.sql('CREATE OR REPLACE VIEW renamed (who, k) AS SELECT n_name, n_key FROM nation');
    expect(await origins('SELECT twice, n_name, upper(n_name) FROM named')).toEqual([
      'named.twice',
      'named.n_name',
      null,
    ]);
    expect(
      await origins('SELECT v.k, v.who, n.n_region FROM renamed v JOIN nation n ON v.k = n.n_key'),
    ).toEqual(['renamed.k', 'renamed.who', 'nation.n_region']);
    expect(await origins('SELECT * FROM (SELECT twice FROM named) s')).toEqual(['named.twice']);
  });

  it('come with the rows of a query run directly too', async () => {
    for await (const result of session.execute('SELECT n_region, n_name FROM nation')) {
      if (result.kind !== 'rows') throw new Error('expected rows');
      expect(await Promise.all((result.origins ?? []).map(lookup))).toEqual([
        'nation.n_region',
        'nation.n_name',
      ]);
      for await (const _ of result.batches);
    }
  });
});
