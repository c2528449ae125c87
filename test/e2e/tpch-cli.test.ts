/**
 * `kindling tpch gen|load|run` as a user runs them: generation with progress, loading (from a
 * given folder, idempotent, all or nothing), running with answer checks, and clear errors with a
 * non-zero exit for bad options.
 */
import { execFile } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Metastore } from '../../src/catalog/index.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const MAIN = join(ROOT, 'src/cli/main.ts');
const SF001 = join(ROOT, 'test/data/tpch/sf0.01');
const ANSWERS = join(ROOT, 'test/data/tpch/answers');
const TABLES = ['region', 'nation', 'supplier', 'customer', 'part', 'partsupp', 'orders', 'lineitem'];
const dirs: string[] = [];

afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kindling-tpch-cli-'));
  dirs.push(d);
  return d;
}

function kindling(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((done) => {
    execFile(process.execPath, [MAIN, ...args], { cwd: ROOT }, (err, stdout, stderr) => {
      const code = err === null ? 0 : typeof err.code === 'number' ? err.code : 1;
      done({ code, stdout, stderr });
    });
  });
}

async function databases(warehouse: string): Promise<string> {
  const r = await kindling(['sql', '--warehouse', warehouse, '-e', 'SHOW DATABASES']);
  expect(r.code).toBe(0);
  return r.stdout;
}

/** The SF0.01 files with lineitem.tbl replaced by text that is not TPC-H. */
function brokenData(): string {
  const dir = tempDir();
  for (const t of TABLES) copyFileSync(join(SF001, `${t}.tbl`), join(dir, `${t}.tbl`));
  writeFileSync(join(dir, 'lineitem.tbl'), 'not|tpch|data\n');
  return dir;
}

describe('kindling tpch: bad options', () => {
  it.each([
    [
      ['tpch', 'gen', '--sf', '0', '--out', '/tmp/x'],
      "invalid scale factor '0': it must be from 0.01 to 100",
    ],
    [['tpch', 'gen', '--sf', '-1', '--out', '/tmp/x'], "invalid scale factor '-1'"],
    [['tpch', 'load', '--sf', 'abc'], "invalid scale factor 'abc': expected a positive number"],
    [['tpch', 'load', '--sf', '1e9'], "invalid scale factor '1e9'"],
    [['tpch', 'run', '--sf', '1000'], "invalid scale factor '1000': it must be from 0.01 to 100"],
    [
      ['tpch', 'run', '--sf', '1', '--queries', '23'],
      'unknown TPC-H query 23: the queries are numbered 1 to 22',
    ],
    [['tpch', 'run', '--sf', '1', '--queries', '1,x'], "invalid query 'x'"],
    [
      ['tpch', 'run', '--sf', '1', '--runs', '0'],
      "invalid number of runs '0': expected a whole number from 1 to 1000",
    ],
    [
      ['tpch', 'gen', '--sf', '1', '--out', '/tmp/x', '--format', 'csv'],
      "unknown format 'csv': expected parquet or tbl",
    ],
    [['tpch', 'gen', '--sf', '1'], "required option '--out <dir>' not specified"],
  ])('%j', async (args, message) => {
    const r = await kindling(args);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(message);
    expect(r.stdout).toBe('');
  });

  it('refuses an output folder it cannot create', async () => {
    const file = join(tempDir(), 'a-file');
    writeFileSync(file, '');
    const r = await kindling(['tpch', 'gen', '--sf', '0.01', '--format', 'tbl', '--out', join(file, 'sub')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/^ERROR \[58030\]: cannot write to '.*a-file\/sub': ENOTDIR/m);
  });

  it('says how to load when the database is missing', async () => {
    const r = await kindling(['tpch', 'run', '--sf', '0.01', '--warehouse', tempDir()]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('database tpch_sf0_01 does not exist');
    expect(r.stderr).toContain('kindling tpch load --sf 0.01');
  });
});

describe('kindling tpch gen', () => {
  it('writes the eight tables with a manifest and reports each table and the total', async () => {
    const out = join(tempDir(), 'data');
    const r = await kindling([
      'tpch',
      'gen',
      '--sf',
      '0.01',
      '--format',
      'tbl',
      '--out',
      out,
      '--workers',
      '0',
    ]);
    expect(r.code).toBe(0);
    for (const t of TABLES)
      expect(r.stderr).toMatch(new RegExp(`^${t} +\\d+\\.\\d MB +\\d+\\.\\d\\d s$`, 'm'));
    expect(r.stderr).toMatch(/^total +\d+\.\d\d s$/m);
    expect(readdirSync(out).sort()).toEqual(
      ['_kindling_tpch_tbl.json', ...TABLES.map((t) => `${t}.tbl`)].sort(),
    );
  });
});

describe('kindling tpch load and run', () => {
  it('loads a data folder, checks answers, and loads again idempotently', async () => {
    const warehouse = tempDir();
    const load = [
      'tpch',
      'load',
      '--sf',
      '0.01',
      '--format',
      'tbl',
      '--warehouse',
      warehouse,
      '--data',
      SF001,
    ];
    const first = await kindling(load);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout).toBe(`Registered database tpch_sf0_01: 8 tables (tbl) over ${SF001}\n`);
    expect((await kindling(load)).code).toBe(0);

    const run = await kindling([
      'tpch',
      'run',
      '--sf',
      '0.01',
      '--warehouse',
      warehouse,
      '--queries',
      '1,6',
      '--check',
      join(ANSWERS, 'sf0.01'),
    ]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Q01 +\d+\.\d ms +4 rows +OK$/m);
    expect(run.stdout).toMatch(/^Q06 +\d+\.\d ms +1 row +OK$/m);

    // The SF0.1 answers do not fit SF0.01 data.
    const wrong = await kindling([
      'tpch',
      'run',
      '--sf',
      '0.01',
      '--warehouse',
      warehouse,
      '--queries',
      '6',
      '--check',
      join(ANSWERS, 'sf0.1'),
    ]);
    expect(wrong.code).toBe(1);
    expect(wrong.stdout).toMatch(/^Q06 .* MISMATCH\n +row 1: expected 11803420\.25, got 1193053\.2253$/m);
  });

  it('--analyze records column statistics of the eight tables', async () => {
    const warehouse = tempDir();
    const r = await kindling([
      'tpch',
      'load',
      '--sf',
      '0.01',
      '--format',
      'tbl',
      '--warehouse',
      warehouse,
      '--data',
      SF001,
      '--analyze',
    ]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Analyzed tpch_sf0_01 in \d+\.\d s$/m);
    const metastore = Metastore.open(warehouse);
    expect(metastore.getTable('tpch_sf0_01', 'nation')?.statistics).toMatchObject({
      rowCount: 25,
      columns: { n_nationkey: { min: 0n, max: 24n, nullCount: 0, distinctCount: 25 } },
    });
    expect(metastore.getTable('tpch_sf0_01', 'lineitem')?.statistics?.rowCount).toBe(60175);
  });

  it('leaves no tpch tables registered when a load fails', async () => {
    const warehouse = tempDir();
    const r = await kindling([
      'tpch',
      'load',
      '--sf',
      '0.01',
      '--format',
      'tbl',
      '--warehouse',
      warehouse,
      '--data',
      brokenData(),
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('tpch_sf0_01.lineitem does not look like TPC-H data');
    expect(await databases(warehouse)).not.toContain('tpch_sf0_01');
  });

  it('drops every table of an earlier load when loading again fails', async () => {
    const warehouse = tempDir();
    const good = await kindling([
      'tpch',
      'load',
      '--sf',
      '0.01',
      '--format',
      'tbl',
      '--warehouse',
      warehouse,
      '--data',
      SF001,
    ]);
    expect(good.code).toBe(0);
    const bad = await kindling([
      'tpch',
      'load',
      '--sf',
      '0.01',
      '--format',
      'tbl',
      '--warehouse',
      warehouse,
      '--data',
      brokenData(),
    ]);
    expect(bad.code).toBe(1);
    const tables = await kindling(['sql', '--warehouse', warehouse, '-e', 'SHOW TABLES IN tpch_sf0_01']);
    expect(tables.stdout).toContain('(0 rows)');
  });

  it('refuses an incomplete data folder before registering anything', async () => {
    const warehouse = tempDir();
    const data = tempDir();
    copyFileSync(join(SF001, 'nation.tbl'), join(data, 'nation.tbl'));
    const r = await kindling([
      'tpch',
      'load',
      '--sf',
      '0.01',
      '--format',
      'tbl',
      '--warehouse',
      warehouse,
      '--data',
      data,
    ]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'has no tbl file for region, supplier, customer, part, partsupp, orders, lineitem',
    );
    expect(await databases(warehouse)).not.toContain('tpch_sf0_01');
  });

  it('generates into the warehouse when no data folder is given, leaving no partial folder', async () => {
    const warehouse = tempDir();
    const r = await kindling([
      'tpch',
      'load',
      '--sf',
      '0.01',
      '--format',
      'tbl',
      '--warehouse',
      warehouse,
      '--workers',
      '0',
    ]);
    expect(r.code).toBe(0);
    const dir = join(warehouse, '_kindling_data', 'tpch_sf0_01');
    expect(r.stderr).toContain(`Generating TPC-H SF0.01 (tbl) in ${dir}`);
    expect(existsSync(join(dir, '_kindling_tpch_tbl.json'))).toBe(true);
    expect(readdirSync(dir).filter((f) => f.startsWith('.partial'))).toEqual([]);
    const again = await kindling([
      'tpch',
      'load',
      '--sf',
      '0.01',
      '--format',
      'tbl',
      '--warehouse',
      warehouse,
    ]);
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
    const count = await kindling([
      'sql',
      '--warehouse',
      warehouse,
      '-e',
      'SELECT count(*) AS n FROM tpch_sf0_01.nation',
    ]);
    expect(count.stdout).toContain('25');
  });
});
