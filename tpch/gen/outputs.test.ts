import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  GeneratorOptionError,
  GeneratorOutputError,
  generateTable,
  generateTables,
  type GenerateOptions,
  type TableName,
} from './index.ts';

const root = mkdtempSync(join(tmpdir(), 'tpch-out-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

async function optionError(
  sf: number,
  options: Partial<GenerateOptions>,
  tables: readonly string[] = ['region'],
): Promise<string> {
  const run = generateTables(tables as TableName[], sf, { out: join(root, 'unused'), ...options });
  await expect(run).rejects.toBeInstanceOf(GeneratorOptionError);
  return run.then(
    () => '',
    (e: unknown) => (e as Error).message,
  );
}

describe('option validation', () => {
  it('rejects scale factors outside 0.01 to 100 with a clear message', async () => {
    expect(await optionError(0, {})).toBe('scale factor must be a number from 0.01 to 100, got 0');
    for (const sf of [-1, Number.NaN, Number.POSITIVE_INFINITY, 0.001, 100.5, 1e6]) await optionError(sf, {});
    expect(await optionError('1' as unknown as number, {})).toMatch(/^scale factor must be a number/);
  });

  it('rejects bad tables, formats, parts, workers and compression', async () => {
    expect(await optionError(1, {}, ['lineitems'])).toMatch(/^unknown TPC-H table "lineitems"/);
    expect(await optionError(1, {}, ['orders', 'orders'])).toBe('table "orders" is listed twice');
    expect(await optionError(1, { format: 'csv' as never })).toBe('format must be tbl or parquet, got csv');
    expect(await optionError(1, { parts: 0 })).toBe('parts must be an integer from 1 to 10000, got 0');
    expect(await optionError(1, { parts: 1.5 })).toMatch(/^parts must be an integer/);
    expect(await optionError(1, { workers: -1 })).toBe('workers must be an integer from 0 to 256, got -1');
    expect(await optionError(1, { compression: 'lz4' as never, format: 'parquet' })).toMatch(
      /^compression must be/,
    );
    expect(await optionError(1, { compression: 'zstd' })).toBe(
      'compression applies only to the parquet format',
    );
    expect(await optionError(1, { out: '' })).toBe('an output folder is required');
  });

  it('does not create the output folder when an option is bad', () => {
    expect(existsSync(join(root, 'unused'))).toBe(false);
  });
});

describe('outputs', () => {
  it('reports an output folder that cannot be created', async () => {
    const file = join(root, 'a-file');
    writeFileSync(file, 'x');
    const run = generateTable('region', 0.01, { out: join(file, 'sub'), workers: 1 });
    await expect(run).rejects.toBeInstanceOf(GeneratorOutputError);
    await expect(run).rejects.toThrow(`cannot create output folder "${join(file, 'sub')}"`);
  });

  it('reports progress per table, in units, ending at the total', async () => {
    const seen: string[] = [];
    const out = join(root, 'progress');
    await generateTables(['nation', 'orders', 'lineitem'], 0.01, {
      out,
      workers: 2,
      onProgress: (table, done, total) => seen.push(`${table} ${done}/${total}`),
    });
    expect(seen).toEqual([
      'nation 25/25',
      'orders 10000/15000',
      'lineitem 10000/15000',
      'orders 15000/15000',
      'lineitem 15000/15000',
    ]);
  });

  it('writes orders and lineitem together exactly as each alone', async () => {
    const together = join(root, 'progress');
    const alone = join(root, 'alone');
    await generateTable('lineitem', 0.01, { out: alone, workers: 1 });
    await generateTable('orders', 0.01, { out: alone, workers: 2, parts: 2 });
    const read = (dir: string, name: string): string => readFileSync(join(dir, name), 'latin1');
    expect(read(alone, 'lineitem.tbl') === read(together, 'lineitem.tbl')).toBe(true);
    expect(read(alone, 'orders.tbl.1') + read(alone, 'orders.tbl.2') === read(together, 'orders.tbl')).toBe(
      true,
    );
  });

  it('leaves no file that looks complete when a run is interrupted', async () => {
    const out = join(root, 'interrupted');
    const run = generateTables(['region', 'lineitem'], 0.01, {
      out,
      workers: 2,
      onProgress: (table) => {
        if (table === 'lineitem') throw new Error('stop');
      },
    });
    await expect(run).rejects.toThrow('stop');
    // region was complete and renamed; lineitem's partial file was deleted.
    expect(readdirSync(out)).toEqual(['region.tbl']);
  });

  it('returns the files with their table, rows and bytes; no temporary file remains', async () => {
    const out = join(root, 'files');
    const files = await generateTables(['supplier', 'region'], 0.01, { out, workers: 1, parts: 2 });
    expect(files.map((f) => [f.table, f.path.slice(out.length + 1), f.rows])).toEqual([
      ['supplier', 'supplier.tbl.1', 50],
      ['supplier', 'supplier.tbl.2', 50],
      ['region', 'region.tbl.1', 2],
      ['region', 'region.tbl.2', 3],
    ]);
    expect(files[0]!.bytes).toBe(readFileSync(files[0]!.path).length);
    expect(readdirSync(out).sort()).toEqual([
      'region.tbl.1',
      'region.tbl.2',
      'supplier.tbl.1',
      'supplier.tbl.2',
    ]);
  });
});
