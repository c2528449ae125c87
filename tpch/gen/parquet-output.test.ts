import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TPCH_TABLES } from '../schema.ts';
import { TABLE_NAMES, generateTable, generateTables } from './index.ts';

const engine = (await import('../../src/index.ts')) as Record<string, unknown>;
/** The Parquet writer is another layer's work; these tests run once `src/index.ts` exports it. */
const writerExported =
  typeof engine['encodeRowGroup'] === 'function' && engine['ParquetFileWriter'] !== undefined;

const DUCKDB_TYPES: Record<string, string> = {
  bigint: 'bigint',
  int: 'integer',
  string: 'varchar',
  date: 'date',
  'decimal(15,2)': 'decimal(15,2)',
};

const root = mkdtempSync(join(tmpdir(), 'tpch-parquet-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe.skipIf(!writerExported)('Parquet output at SF 0.01', () => {
  const one = join(root, 'one');
  const two = join(root, 'two');
  const tbl = join(root, 'tbl');

  beforeAll(async () => {
    await generateTables(TABLE_NAMES, 0.01, { out: one, workers: 1, format: 'parquet' });
    await generateTables(TABLE_NAMES, 0.01, { out: two, workers: 2, format: 'parquet' });
    await generateTables(TABLE_NAMES, 0.01, { out: tbl, workers: 2 });
  });

  it('writes a folder per table with one part file', () => {
    expect(readdirSync(one).sort()).toEqual([...TABLE_NAMES].sort());
    for (const t of TABLE_NAMES) expect(readdirSync(join(one, t))).toEqual(['part-00000.parquet']);
  });

  it('is byte-identical with 1 and 2 workers', () => {
    for (const t of TABLE_NAMES) {
      const file = join(t, 'part-00000.parquet');
      expect(Buffer.compare(readFileSync(join(one, file)), readFileSync(join(two, file))), t).toBe(0);
    }
  });

  it('holds exactly the rows of the .tbl files, with the declared types (read by DuckDB)', async () => {
    const db = await DuckDBInstance.create(':memory:');
    const c = await db.connect();
    for (const [t, columns] of Object.entries(TPCH_TABLES)) {
      const spec = columns
        .map((d) => {
          const [name, type] = [d.slice(0, d.indexOf(' ')), d.slice(d.indexOf(' ') + 1)];
          return `'${name}': '${type.replace('string', 'varchar')}'`;
        })
        .join(', ');
      const parquet = `read_parquet('${join(one, t)}/*.parquet')`;
      const text = `read_csv('${join(tbl, t)}.tbl', delim='|', header=false, auto_detect=false, columns={${spec}})`;
      const result = await c.runAndReadAll(
        `SELECT (SELECT count(*) FROM ${parquet}) AS n,
                (SELECT count(*) FROM (SELECT * FROM ${parquet} EXCEPT ALL SELECT * FROM ${text})) AS extra,
                (SELECT count(*) FROM (SELECT * FROM ${text} EXCEPT ALL SELECT * FROM ${parquet})) AS missing`,
      );
      const [n, extra, missing] = result.getRows()[0]!.map(Number);
      expect({ t, extra, missing }).toEqual({ t, extra: 0, missing: 0 });
      expect(n, t).toBeGreaterThan(0);
      const types = (await c.runAndReadAll(`SELECT column_type FROM (DESCRIBE SELECT * FROM ${parquet})`))
        .getRows()
        .map((r) => String(r[0]).toLowerCase());
      expect(types, t).toEqual(columns.map((d) => DUCKDB_TYPES[d.slice(d.indexOf(' ') + 1)]));
    }
    c.closeSync();
  });

  it('splits into part files, and a later run removes stale parts', async () => {
    const out = join(root, 'parts');
    const files = await generateTable('orders', 0.01, { out, workers: 2, parts: 3, format: 'parquet' });
    expect(files.map((f) => [f.path.slice(out.length + 1), f.rows])).toEqual([
      [join('orders', 'part-00000.parquet'), 5000],
      [join('orders', 'part-00001.parquet'), 5000],
      [join('orders', 'part-00002.parquet'), 5000],
    ]);
    writeFileSync(join(out, 'orders', '_SUCCESS'), '');
    await generateTable('orders', 0.01, { out, workers: 1, format: 'parquet', compression: 'none' });
    expect(readdirSync(join(out, 'orders')).sort()).toEqual(['_SUCCESS', 'part-00000.parquet']);
  });
});
