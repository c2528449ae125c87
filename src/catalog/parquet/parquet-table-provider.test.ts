import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlState, T, field, type Field } from '../../common/index.ts';
import { parquetDef, readRows, readScan, tempDir, writeParquet } from './parquet-test-support.ts';
import { ParquetTableProvider } from './parquet-table-provider.ts';
import { setNativeParquetDecoding } from './native/index.ts';

let dir: string;
let typesFile: string;

const TYPES_SELECT = `
  SELECT
    CASE WHEN i % 7 = 3 THEN NULL ELSE i % 2 = 0 END AS bo,
    CASE WHEN i % 7 = 4 THEN NULL ELSE (i % 256 - 128)::TINYINT END AS ti,
    CASE WHEN i % 7 = 5 THEN NULL ELSE (i * 3 - 4000)::SMALLINT END AS si,
    CASE WHEN i % 7 = 6 THEN NULL ELSE (i * 100003 - 50000000)::INT END AS x,
    CASE WHEN i % 11 = 0 THEN NULL ELSE i::BIGINT * 1000000007 - 3000000000000 END AS b,
    CASE WHEN i % 13 = 0 THEN NULL ELSE (i / 4 - 300)::FLOAT END AS f,
    CASE WHEN i % 13 = 1 THEN NULL ELSE i / 3 - 700 END AS d,
    CASE WHEN i % 5 = 0 THEN NULL ELSE ((i - 1500) * 1.25)::DECIMAL(9,2) END AS d9,
    CASE WHEN i % 5 = 1 THEN NULL ELSE ((i - 1500) * 123456.78)::DECIMAL(15,2) END AS d15,
    CASE WHEN i % 5 = 2 THEN NULL ELSE ('12345678901234567.1234567891'::DECIMAL(38,10) * (i - 1500))::DECIMAL(38,10) END AS d38,
    CASE WHEN i % 9 = 0 THEN NULL WHEN i % 9 = 1 THEN '' ELSE 'sé' || i || '😀' END AS s,
    CASE WHEN i % 17 = 0 THEN NULL ELSE DATE '1969-12-01' + (i * 7)::INT END AS dt,
    CASE WHEN i % 19 = 0 THEN NULL ELSE TIMESTAMP '1969-12-31 23:00:00' + INTERVAL (i * 997) SECOND END AS ts
  FROM range(3000) r(i)`;

const TYPES_COLUMNS: Field[] = [
  field('bo', T.boolean),
  field('ti', T.tinyint),
  field('si', T.smallint),
  field('x', T.int),
  field('b', T.bigint),
  field('f', T.float),
  field('d', T.double),
  field('d9', T.decimal(9, 2)),
  field('d15', T.decimal(15, 2)),
  field('d38', T.decimal(38, 10)),
  field('s', T.string),
  field('dt', T.date),
  field('ts', T.timestampNtz),
];

const DAY_MS = 86_400_000;
const BASE_DAYS = Date.UTC(1969, 11, 1) / DAY_MS;
const BASE_TS = BigInt(Date.UTC(1969, 11, 31, 23)) * 1000n;

/** The row `i` DuckDB writes for TYPES_SELECT, in the engine's value representation. */
function expectedRow(i: number): unknown[] {
  const d38 = BigInt(i - 1500) * 123456789012345671234567891n;
  return [
    i % 7 === 3 ? null : i % 2 === 0,
    i % 7 === 4 ? null : (i % 256) - 128,
    i % 7 === 5 ? null : i * 3 - 4000,
    i % 7 === 6 ? null : i * 100003 - 50000000,
    i % 11 === 0 ? null : BigInt(i) * 1000000007n - 3000000000000n,
    i % 13 === 0 ? null : Math.fround(i / 4 - 300),
    i % 13 === 1 ? null : i / 3 - 700,
    i % 5 === 0 ? null : BigInt((i - 1500) * 125),
    i % 5 === 1 ? null : BigInt(i - 1500) * 12345678n,
    i % 5 === 2 ? null : d38,
    i % 9 === 0 ? null : i % 9 === 1 ? '' : `sé${i}😀`,
    i % 17 === 0 ? null : BASE_DAYS + i * 7,
    i % 19 === 0 ? null : BASE_TS + BigInt(i * 997) * 1_000_000n,
  ];
}

beforeAll(async () => {
  dir = tempDir();
  typesFile = path.join(dir, 'types', 'data.parquet');
  await writeParquet(TYPES_SELECT, typesFile, 2048);
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('ParquetTableProvider: values', () => {
  it('reads every type exactly, with NULLs, over several row groups', async () => {
    const rows = await readRows(parquetDef(typesFile, TYPES_COLUMNS));
    expect(rows.length).toBe(3000);
    for (let i = 0; i < 3000; i++) expect(rows[i], `row ${i}`).toEqual(expectedRow(i));
  });

  it('produces exactly the engine Arrow types', async () => {
    const { scan } = await readScan(parquetDef(typesFile, TYPES_COLUMNS));
    const batch = await firstBatch(scan.open(0, { signal: new AbortController().signal, batchSize: 100 }));
    const types = batch.schema.fields.map((f) => String(f.type));
    expect(types).toEqual([
      'Bool',
      'Int8',
      'Int16',
      'Int32',
      'Int64',
      'Float32',
      'Float64',
      'Decimal[9e+2]',
      'Decimal[15e+2]',
      'Decimal[38e+10]',
      'Utf8',
      'Date32<DAY>',
      'Timestamp<MICROSECOND>',
    ]);
    expect((batch.getChildAt(7)!.type as arrow.Decimal).bitWidth).toBe(64);
    expect((batch.getChildAt(9)!.type as arrow.Decimal).bitWidth).toBe(128);
    expect((batch.getChildAt(7)!.data[0]!.values as Uint32Array).length).toBe(200);
    expect(batch.numRows).toBe(100);
  });

  it('decodes only the projected columns, in projection order', async () => {
    const rows = await readRows(parquetDef(typesFile, TYPES_COLUMNS), { projection: [10, 3] });
    expect(rows[2]).toEqual(['sé2😀', 2 * 100003 - 50000000]);
    expect(rows[9]).toEqual([null, 9 * 100003 - 50000000]);
    expect(rows[10]).toEqual(['', 10 * 100003 - 50000000]);
  });

  it('matches columns by name, case-insensitively, and reads missing columns as NULL', async () => {
    const def = parquetDef(typesFile, [field('S', T.string), field('nope', T.int), field('X', T.bigint)]);
    const rows = await readRows(def, { limit: 3 });
    expect(rows).toEqual([
      [null, null, -50000000n],
      ['', null, 100003n - 50000000n],
      ['sé2😀', null, 200006n - 50000000n],
    ]);
  });

  it('widens types where Spark does (int → bigint/double/decimal, float → double, decimal scale up)', async () => {
    const def = parquetDef(typesFile, [
      field('x', T.double),
      field('ti', T.decimal(5, 1)),
      field('f', T.double),
      field('d9', T.decimal(20, 4)),
      field('d15', T.decimal(18, 3)),
      field('dt', T.timestampNtz),
    ]);
    const rows = await readRows(def, { limit: 2 });
    expect(rows[1]).toEqual([
      100003 - 50000000,
      -1270n,
      -299.75,
      -18737500n,
      null,
      BigInt(BASE_DAYS + 7) * 86_400_000_000n,
    ]);
    expect(rows[0]![4]).toBe(-1500n * 12345678n * 10n);
  });

  it('reports a column whose type cannot be read as declared, naming file, column and types', async () => {
    const def = parquetDef(typesFile, [field('s', T.int)]);
    await expect(readRows(def)).rejects.toMatchObject({
      sqlstate: SqlState.datatypeMismatch,
      message: `[PARQUET_COLUMN_DATA_TYPE_MISMATCH] Column \`s\` of Parquet file "${typesFile}" has type string (BYTE_ARRAY UTF8), which cannot be read as the declared type int of column \`s\`.`,
    });
    await expect(readRows(parquetDef(typesFile, [field('b', T.int)]))).rejects.toMatchObject({
      sqlstate: SqlState.datatypeMismatch,
    });
    await expect(readRows(parquetDef(typesFile, [field('d15', T.decimal(15, 1))]))).rejects.toMatchObject({
      sqlstate: SqlState.datatypeMismatch,
    });
  });

  it('stops at the limit, across partitions each limited', async () => {
    const def = parquetDef(typesFile, TYPES_COLUMNS);
    expect((await readRows(def, { limit: 5, projection: [3] })).length).toBe(5);
    const first = await readScan(def, { limit: 1500, projection: [3] });
    expect(first.rows.length).toBe(1500);
    expect(first.scan.metrics.rowGroupsDecoded).toBe(1);
    const { rows, scan } = await readScan(def, { limit: 2500, projection: [3], targetPartitions: 2 });
    expect(scan.partitions).toBe(2);
    expect(rows.length).toBe(2048 + 952);
    expect(scan.metrics.rowsProduced).toBe(3000);
    expect(rows[2499]).toEqual([2499 * 100003 - 50000000]);
  });

  it('counts rows without decoding when no column is projected', async () => {
    const { rows, scan } = await readScan(parquetDef(typesFile, TYPES_COLUMNS), { projection: [] });
    expect(rows.length).toBe(3000);
    expect(scan.metrics.rowGroupsDecoded).toBe(0);
  });

  it('statistics come from the footers', () => {
    const stats = new ParquetTableProvider(parquetDef(typesFile, TYPES_COLUMNS)).statistics();
    expect(stats.rowCount).toBe(3000);
    expect(stats.totalBytes).toBe(fs.statSync(typesFile).size);
    expect(stats.columns?.x).toEqual({ min: -50000000, max: 2999 * 100003 - 50000000, nullCount: 428 });
    expect(stats.columns?.d9).toEqual({ min: -187375n, max: 187375n, nullCount: 600 });
    expect(stats.columns?.s).toEqual({ nullCount: 334 });
  });

  it('statistics of a missing location are unknown', () => {
    const stats = new ParquetTableProvider(parquetDef(path.join(dir, 'nope'), TYPES_COLUMNS)).statistics();
    expect(stats).toEqual({ rowCount: null, totalBytes: null });
  });

  it('a missing location fails when read with 42K03 PATH_NOT_FOUND', async () => {
    await expect(readRows(parquetDef(path.join(dir, 'nope'), TYPES_COLUMNS))).rejects.toMatchObject({
      sqlstate: '42K03',
    });
  });
});

async function firstBatch(it: AsyncIterable<arrow.RecordBatch>): Promise<arrow.RecordBatch> {
  for await (const b of it) return b;
  throw new Error('no batch');
}

describe('ParquetTableProvider: row groups split between partitions', () => {
  let location = '';
  const columns: Field[] = [field('id', T.bigint), field('s', T.string)];
  beforeAll(async () => {
    location = path.join(tempDir('kindling-parquet-split-'), 'big');
    // Three row groups of 100k rows: three partitions would get one each, two must cut one.
    await writeParquet(
      `SELECT i::BIGINT AS id, CASE WHEN i % 9 = 0 THEN NULL ELSE 'v' || (i % 13) END AS s FROM range(300000) r(i)`,
      path.join(location, 'part-0.parquet'),
      100_000,
    );
  });

  it('every row once and in order, each partition about as many rows, native and parquet-wasm, under a LIMIT', async () => {
    const want = Array.from({ length: 300_000 }, (_, i) => [BigInt(i), i % 9 === 0 ? null : `v${i % 13}`]);
    for (const native of [true, false]) {
      setNativeParquetDecoding(native);
      try {
        for (const targetPartitions of [2, 4, 7]) {
          const { rows, scan } = await readScan(parquetDef(location, columns), {
            targetPartitions,
            batchSize: 4096,
          });
          expect(rows.length).toBe(300_000);
          expect(rows).toEqual(want);
          expect(scan.partitions).toBe(targetPartitions);
          // Balanced: no partition reads more than its share and a bit.
          const sizes: number[] = [];
          for (let p = 0; p < scan.partitions; p++) {
            let n = 0;
            for await (const b of scan.open(p, { signal: new AbortController().signal, batchSize: 8192 }))
              n += b.numRows;
            sizes.push(n);
          }
          expect(Math.max(...sizes)).toBeLessThan((300_000 / targetPartitions) * 1.15);
        }
        // A LIMIT applies to each partition: the first rows of each one's range.
        const limited = await readRows(parquetDef(location, columns), { targetPartitions: 2, limit: 5 });
        expect(limited.length).toBe(10);
        expect(limited.slice(0, 5)).toEqual(want.slice(0, 5));
        const second = Number(limited[5]![0]);
        expect(second).toBeGreaterThan(100_000);
        expect(limited.slice(5)).toEqual(want.slice(second, second + 5));
      } finally {
        setNativeParquetDecoding(true);
      }
    }
  });
});

describe('ParquetTableProvider: TIME columns another writer wrote', () => {
  let location = '';
  beforeAll(async () => {
    location = path.join(tempDir('kindling-parquet-time-'), 'times');
    // DuckDB writes TIME as INT64 TIME(MICROS); every 7th row NULL.
    await writeParquet(
      `SELECT i AS id, CASE WHEN i % 7 = 0 THEN NULL ELSE TIME '00:00:00' + INTERVAL (i * 86399999) MICROSECOND END AS t FROM range(1000) r(i)`,
      path.join(location, 'part-0.parquet'),
      300,
    );
  });

  it('reads them as TIME(6), or cut to a declared TIME(p), native and parquet-wasm', async () => {
    const micros = (i: number): bigint | null => (i % 7 === 0 ? null : BigInt(i) * 86_399_999n);
    for (const native of [true, false]) {
      setNativeParquetDecoding(native);
      try {
        const rows = await readRows(
          parquetDef(location, [field('id', T.bigint), field('t', T.time), field('t2', T.time)]),
        );
        expect(rows.map((r) => r[1])).toEqual(Array.from({ length: 1000 }, (_, i) => micros(i)));
        expect(rows.every((r) => r[2] === null)).toBe(true);
        const cut = await readRows(parquetDef(location, [field('t', { kind: 'time', precision: 2 })]));
        expect(cut.map((r) => r[0])).toEqual(
          Array.from({ length: 1000 }, (_, i) => {
            const m = micros(i);
            return m === null ? null : m - (m % 10_000n);
          }),
        );
      } finally {
        setNativeParquetDecoding(true);
      }
    }
  });
});
