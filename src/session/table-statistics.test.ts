import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { Statistics } from '../catalog/index.ts';
import { Engine } from './engine.ts';

const warehouses: string[] = [];
afterAll(() => {
  for (const w of warehouses) rmSync(w, { recursive: true, force: true });
});

function engine(): Engine {
  const warehouse = mkdtempSync(join(tmpdir(), 'kindling-stats-'));
  warehouses.push(warehouse);
  return new Engine({ warehouse });
}

/** The total size of the table's data files on disk. */
function filesSize(dir: string): number {
  let total = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
    if (e.isDirectory()) total += filesSize(p);
    else total += statSync(p).size;
  }
  return total;
}

function stats(e: Engine, table: string): Statistics | undefined {
  return e.metastore.getTable('default', table)?.statistics;
}

describe('table statistics recorded by writes', () => {
  it('CREATE TABLE AS SELECT records rows, bytes and per-column bounds and null counts', async () => {
    const e = engine();
    const s = e.createSession();
    await s.sql(
      "CREATE TABLE t AS SELECT * FROM VALUES (1, 'a', DATE '2024-01-02'), (5, NULL, NULL), (3, 'c', DATE '2023-12-31') AS v(i, s, d)",
    );
    const def = e.metastore.getTable('default', 't')!;
    expect(def.statistics).toEqual({
      rowCount: 3,
      totalBytes: filesSize(def.location),
      columns: {
        i: { min: 1, max: 5, nullCount: 0 },
        s: { nullCount: 1 },
        d: { min: 19722, max: 19724, nullCount: 1 },
      },
    });
    // Statistics row of DESCRIBE EXTENDED, before Location, as Spark prints it
    const desc = (await s.sql('DESCRIBE EXTENDED t')).rows;
    const at = desc.findIndex((r) => r[0] === 'Statistics');
    expect(desc[at]![1]).toBe(`${def.statistics!.totalBytes} bytes, 3 rows`);
    expect(desc[at + 1]![0]).toBe('Location');
  });

  it('INSERT INTO adds counts and widens bounds; INSERT OVERWRITE replaces them', async () => {
    const e = engine();
    const s = e.createSession();
    await s.sql('CREATE TABLE t (i INT, s STRING) USING parquet');
    expect(stats(e, 't')).toBeUndefined();
    await s.sql("INSERT INTO t VALUES (2, 'x'), (4, NULL)");
    expect(stats(e, 't')).toMatchObject({ rowCount: 2, columns: { i: { min: 2, max: 4, nullCount: 0 } } });
    await s.sql('ANALYZE TABLE t COMPUTE STATISTICS FOR COLUMNS i, s');
    expect(stats(e, 't')?.columns?.i).toEqual({
      min: 2,
      max: 4,
      nullCount: 0,
      distinctCount: 2,
      avgLen: 4,
      maxLen: 4,
    });
    await s.sql('INSERT INTO t VALUES (9, NULL), (NULL, NULL)');
    const def = e.metastore.getTable('default', 't')!;
    expect(def.statistics).toEqual({
      rowCount: 4,
      totalBytes: filesSize(def.location),
      // distinct counts and lengths cannot be kept exact by an append: dropped
      columns: { i: { min: 2, max: 9, nullCount: 1 }, s: { nullCount: 3 } },
    });
    await s.sql('INSERT OVERWRITE t VALUES (7, NULL)');
    const after = e.metastore.getTable('default', 't')!;
    expect(after.statistics).toEqual({
      rowCount: 1,
      totalBytes: filesSize(after.location),
      columns: { i: { min: 7, max: 7, nullCount: 0 }, s: { nullCount: 1 } },
    });
  });

  it('INSERT OVERWRITE of one partition keeps exact counts and drops bounds', async () => {
    const e = engine();
    const s = e.createSession();
    await s.sql('CREATE TABLE p PARTITIONED BY (k) AS SELECT id AS v, id % 2 AS k FROM range(10)');
    expect(stats(e, 'p')).toMatchObject({
      rowCount: 10,
      columns: { v: { min: 0n, max: 9n }, k: { min: 0n, max: 1n } },
    });
    await s.sql('INSERT OVERWRITE p PARTITION (k = 1) SELECT 100');
    const def = e.metastore.getTable('default', 'p')!;
    expect(def.statistics).toEqual({
      rowCount: 6,
      totalBytes: filesSize(def.location),
      columns: { v: { nullCount: 0 }, k: { nullCount: 0 } },
    });
    expect((await s.sql('SELECT count(*) FROM p')).rows).toEqual([[6n]]);
  });

  it('statistics changed by another statement while an INSERT ran are dropped, not added to', async () => {
    const e = engine();
    const s = e.createSession();
    await s.sql('CREATE TABLE t AS SELECT 1 AS a');
    // The INSERT reads the table before a concurrent statement recorded other statistics.
    const stale = e.metastore.requireTable('default', 't');
    e.metastore.setTableStatistics('default', 't', { rowCount: 50, totalBytes: 5000, columns: {} });
    const original = e.metastore.requireTable.bind(e.metastore);
    e.metastore.requireTable = () => stale;
    try {
      await s.sql('INSERT INTO t VALUES (2)');
    } finally {
      e.metastore.requireTable = original;
    }
    expect(stats(e, 't')).toBeUndefined();
  });

  it('an INSERT into a table with data but no recorded statistics records none', async () => {
    const e = engine();
    const s = e.createSession();
    await s.sql('CREATE TABLE t AS SELECT 1 AS a');
    e.metastore.setTableStatistics('default', 't', null);
    await s.sql('INSERT INTO t VALUES (2)');
    expect(stats(e, 't')).toBeUndefined();
    // the provider still answers from the files
    expect(e.metastore.tableProvider(e.metastore.getTable('default', 't')!).statistics().rowCount).toBe(2);
  });
});

describe('ANALYZE TABLE', () => {
  it('NOSCAN records the size only; plain adds the row count; both survive a restart', async () => {
    const e = engine();
    const s = e.createSession();
    await s.sql('CREATE TABLE t AS SELECT id FROM range(5)');
    e.metastore.setTableStatistics('default', 't', null);
    await s.sql('ANALYZE TABLE t COMPUTE STATISTICS NOSCAN');
    const def = e.metastore.getTable('default', 't')!;
    expect(def.statistics).toEqual({ rowCount: null, totalBytes: filesSize(def.location), columns: {} });
    await s.sql('ANALYZE TABLE t COMPUTE STATISTICS');
    expect(stats(e, 't')).toMatchObject({ rowCount: 5 });
    const again = new Engine({ warehouse: e.metastore.warehouse });
    expect(again.metastore.getTable('default', 't')?.statistics).toEqual(stats(e, 't'));
    const desc = (await again.createSession().sql('DESC EXTENDED t')).rows;
    expect(desc.find((r) => r[0] === 'Statistics')?.[1]).toBe(`${def.statistics!.totalBytes} bytes, 5 rows`);
  });

  it('FOR ALL COLUMNS computes min, max, nulls, distinct counts and lengths', async () => {
    const e = engine();
    const s = e.createSession();
    await s.sql(
      "CREATE TABLE t AS SELECT * FROM VALUES (1, 'ab', 1.5D, CAST(2.25 AS DECIMAL(10, 2)), true), (2, 'abcd', NULL, NULL, NULL), (2, NULL, -1.0D, CAST(-1 AS DECIMAL(10, 2)), false) AS v(i, s, d, m, b)",
    );
    await s.sql('ANALYZE TABLE t COMPUTE STATISTICS FOR ALL COLUMNS');
    expect(stats(e, 't')?.columns).toEqual({
      i: { min: 1, max: 2, nullCount: 0, distinctCount: 2, avgLen: 4, maxLen: 4 },
      s: { nullCount: 1, distinctCount: 2, avgLen: 3, maxLen: 4 },
      d: { min: -1, max: 1.5, nullCount: 1, distinctCount: 2, avgLen: 8, maxLen: 8 },
      m: { min: -100n, max: 225n, nullCount: 1, distinctCount: 2, avgLen: 8, maxLen: 8 },
      b: { min: false, max: true, nullCount: 1, distinctCount: 2, avgLen: 1, maxLen: 1 },
    });
  });
});

describe('EXPLAIN COST', () => {
  /** The optimized logical plan section of EXPLAIN COST. */
  async function costLines(e: Engine, sql: string): Promise<string[]> {
    const lines = (await e.createSession().sql(`EXPLAIN COST ${sql}`)).rows.map((r) => r[0] as string);
    const from = lines.indexOf('== Optimized Logical Plan ==');
    const to = lines.indexOf('== Physical Plan ==');
    expect(from).toBe(0);
    expect(to).toBeGreaterThan(from);
    return lines.slice(from + 1, to);
  }

  it('prints every node of the optimized plan with Statistics(sizeInBytes, rowCount)', async () => {
    const e = engine();
    const lines = await costLines(
      e,
      "SELECT id FROM VALUES (1, 'a', 10), (2, 'b', 20), (3, 'a', 30) AS t(id, tag, v) WHERE tag = 'a'",
    );
    expect(lines).toEqual([
      'Projection: id, Statistics(sizeInBytes=24.0 B, rowCount=2)',
      '  Filter: tag = Utf8("a"), Statistics(sizeInBytes=72.0 B, rowCount=2)',
      '    Values: output=[id, tag, v], rows=[(Int32(1), Utf8("a"), Int32(10)), (Int32(2), Utf8("b"), Int32(20)), (Int32(3), Utf8("a"), Int32(30))], Statistics(sizeInBytes=108.0 B, rowCount=3)',
    ]);
  });

  it('uses the statistics ANALYZE TABLE recorded', async () => {
    const e = engine();
    const s = e.createSession();
    await s.sql('CREATE TABLE t AS SELECT id, id % 10 AS k FROM range(1000)');
    await s.sql('ANALYZE TABLE t COMPUTE STATISTICS FOR ALL COLUMNS');
    const lines = await costLines(e, 'SELECT k, count(*) FROM t WHERE id < 250 GROUP BY k');
    expect(lines.at(-1)).toMatch(
      /^ *TableScan: default\.t.*, Statistics\(sizeInBytes=23\.4 KiB, rowCount=1\.00E\+3\)$/,
    );
    // id < 250 of ids 0 … 999: Spark's interpolation (250 − 0) / (999 − 0) of 1000 rows, rounded up
    expect(lines.find((l) => l.includes('Filter: id < Int64(250)'))).toContain('rowCount=251)');
    // k's ten values all survive a filter on id that keeps a quarter of the rows
    expect(lines.find((l) => l.includes('Aggregate:'))).toContain('rowCount=10)');
  });

  it('estimates scans of a cached table with the statistics of the table it copied', async () => {
    const e = engine();
    const s = e.createSession();
    await s.sql('CREATE TABLE c AS SELECT id, id % 10 AS k FROM range(1000)');
    await s.sql('ANALYZE TABLE c COMPUTE STATISTICS FOR ALL COLUMNS');
    await s.sql('CACHE TABLE c');
    const lines = await costLines(e, 'SELECT k, count(*) FROM c WHERE id < 250 GROUP BY k');
    expect(lines.at(-1)).toMatch(/^ *TableScan: default\.c.*rowCount=1\.00E\+3\)$/);
    // Without the table's bounds of id, the filter's estimate would be a guess, not 251
    expect(lines.find((l) => l.includes('Filter: id < Int64(250)'))).toContain('rowCount=251)');
    expect(lines.find((l) => l.includes('Aggregate:'))).toContain('rowCount=10)');
  });
});

describe('ANALYZE TABLE errors', () => {
  it('refuses a column of a type without statistics (0A000), naming the type, column and table', async () => {
    const e = engine();
    e.metastore.createTable(
      {
        database: 'default',
        name: 'arr',
        columns: [
          { name: 'id', type: { kind: 'int' }, nullable: true },
          {
            name: 'data',
            type: { kind: 'array', element: { kind: 'int' }, containsNull: true },
            nullable: true,
          },
        ],
        format: 'parquet',
        options: {},
        partitionColumns: [],
        external: false,
        comment: null,
        properties: {},
      },
      false,
    );
    const s = e.createSession();
    await expect(s.sql('ANALYZE TABLE arr COMPUTE STATISTICS FOR COLUMNS data')).rejects.toMatchObject({
      sqlstate: '0A000',
      message: expect.stringContaining(
        '[UNSUPPORTED_FEATURE.ANALYZE_UNSUPPORTED_COLUMN_TYPE] The feature is not supported: The ANALYZE TABLE FOR COLUMNS command does not support the type "ARRAY<INT>" of the column `data` in the table `spark_catalog`.`default`.`arr`.',
      ) as unknown,
    });
    await expect(s.sql('ANALYZE TABLE arr COMPUTE STATISTICS FOR ALL COLUMNS')).rejects.toMatchObject({
      sqlstate: '0A000',
    });
    // the other columns, and the table itself, can be analyzed
    await s.sql('ANALYZE TABLE arr COMPUTE STATISTICS FOR COLUMNS id');
    expect(stats(e, 'arr')).toMatchObject({
      rowCount: 0,
      totalBytes: 0,
      columns: { id: { nullCount: 0, distinctCount: 0 } },
    });
  });
});
