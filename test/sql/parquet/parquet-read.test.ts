/**
 * End to end: Parquet tables created with `CREATE TABLE … USING parquet LOCATION`, read through the
 * engine (pruned scans, aggregates, partition columns), with 1 and 3 partitions.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, type Session } from '../../../src/session/index.ts';
import { tempDir, writeParquet } from '../../../src/catalog/parquet/parquet-test-support.ts';

let dir: string;

beforeAll(async () => {
  dir = tempDir('kindling-parquet-sql-');
  await writeParquet(
    `SELECT i::INT AS id, CASE WHEN i % 10 = 0 THEN NULL ELSE 'n' || (i % 7) END AS name,
       ((i % 100) * 1.5)::DECIMAL(9,2) AS price, DATE '2024-01-01' + (i // 1000)::INT AS day
     FROM range(20000) r(i)`,
    path.join(dir, 'items', 'part-0.parquet'),
    2048,
  );
  for (const region of ['eu', 'us']) {
    await writeParquet(
      `SELECT i::INT AS id, (i * ${region === 'eu' ? 2 : 3})::BIGINT AS amount FROM range(100) r(i)`,
      path.join(dir, 'sales', `region=${region}`, 'part-0.parquet'),
    );
  }
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe.each([1, 3])('Parquet tables through the engine, %i partition(s)', (partitions) => {
  let session: Session;

  beforeAll(async () => {
    const warehouse = tempDir('kindling-parquet-wh-');
    const engine = new Engine({ warehouse, allowedPaths: [warehouse, dir] });
    session = engine.createSession({
      settings: {
        'kindling.execution.target_partitions': String(partitions),
        'spark.sql.session.timeZone': 'UTC',
      },
    });
    await session.sql(
      `CREATE TABLE items (id INT, name STRING, price DECIMAL(9,2), day DATE) USING parquet LOCATION '${path.join(dir, 'items')}'`,
    );
    await session.sql(
      `CREATE TABLE sales (id INT, amount BIGINT, region STRING) USING parquet PARTITIONED BY (region) LOCATION '${path.join(dir, 'sales')}'`,
    );
  });

  it('filters and aggregates', async () => {
    const r = await session.sql(
      'SELECT count(*), sum(price), min(id), max(id) FROM items WHERE id >= 15000 AND id < 15010',
    );
    // price = (i % 100) * 1.5 for i = 15000..15009: 0 + 1.5 + … + 13.5 = 67.50 (unscaled 6750)
    expect(r.rows).toEqual([[10n, 6750n, 15000, 15009]]);
  });

  it('counts NULLs, strings and dates', async () => {
    const r = await session.sql(
      "SELECT count(*), count(name), count(DISTINCT name) FROM items WHERE day BETWEEN DATE '2024-01-05' AND DATE '2024-01-06'",
    );
    expect(r.rows).toEqual([[2000n, 1800n, 7n]]);
    const s = await session.sql("SELECT count(*) FROM items WHERE name IN ('n1', 'n2') AND id < 100");
    expect(s.rows).toEqual([[27n]]);
    const n = await session.sql('SELECT count(*) FROM items WHERE name IS NULL');
    expect(n.rows).toEqual([[2000n]]);
  });

  it('reads partition columns and filters on them', async () => {
    const r = await session.sql(
      'SELECT region, count(*), sum(amount) FROM sales GROUP BY region ORDER BY region',
    );
    expect(r.rows).toEqual([
      ['eu', 100n, 9900n],
      ['us', 100n, 14850n],
    ]);
    const f = await session.sql("SELECT sum(amount) FROM sales WHERE region = 'us' AND id < 10");
    expect(f.rows).toEqual([[135n]]);
  });

  it('limits', async () => {
    const r = await session.sql('SELECT id FROM items LIMIT 3');
    expect(r.rows.length).toBe(3);
  });
});
