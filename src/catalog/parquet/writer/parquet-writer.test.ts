/**
 * Round trips through Kindling's Parquet writer, read back by three independent readers: hyparquet
 * (`parquetMetadata`, `parquetReadObjects`), parquet-wasm (`readParquet`) and DuckDB
 * (`read_parquet`, `parquet_metadata` for statistics and encodings).
 */
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as zlib from 'node:zlib';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parquetMetadata, parquetReadObjects } from 'hyparquet';
import * as parquetWasm from 'parquet-wasm/node';
import { DuckDBInstance, type DuckDBConnection } from '@duckdb/node-api';
import {
  EngineError,
  T,
  columnFromValues,
  field,
  makeBatch,
  schema,
  type DataType,
  type Schema,
  type Value,
} from '../../../common/index.ts';
import {
  ParquetFileWriter,
  encodeRowGroup,
  type ParquetCompression,
  type ParquetWriteOptions,
} from './index.ts';

let dir: string;
let duck: DuckDBConnection;
let fileNo = 0;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'kindling-parquet-writer-'));
  const instance = await DuckDBInstance.create(':memory:');
  duck = await instance.connect();
  await duck.run("SET TimeZone = 'UTC'").catch(() => undefined);
});

afterAll(() => {
  duck.closeSync();
  rmSync(dir, { recursive: true, force: true });
});

const compressors = {
  ZSTD: (b: Uint8Array): Uint8Array => new Uint8Array(zlib.zstdDecompressSync(b)),
  GZIP: (b: Uint8Array): Uint8Array => new Uint8Array(zlib.gunzipSync(b)),
};

function batchOf(s: Schema, columns: readonly (readonly Value[])[]): arrow.RecordBatch {
  const n = columns[0]?.length ?? 0;
  return makeBatch(
    s,
    s.fields.map((f, i) => columnFromValues(f.type, columns[i]!)),
    n,
  );
}

async function writeFile(
  s: Schema,
  batches: readonly arrow.RecordBatch[],
  options?: ParquetWriteOptions,
): Promise<{ path: string; rows: number; bytes: number }> {
  const path = join(dir, `f${fileNo++}.parquet`);
  const w = await ParquetFileWriter.create(path, s, options);
  for (const b of batches) await w.write(b);
  return w.close();
}

function arrayBufferOf(path: string): ArrayBuffer {
  const buf = readFileSync(path);
  return buf.buffer.slice(buf.byteOffset, buf.byteOffset + buf.byteLength);
}

async function hyparquetRows(path: string): Promise<Record<string, unknown>[]> {
  return parquetReadObjects({ file: arrayBufferOf(path), compressors });
}

function wasmTable(path: string): arrow.Table {
  return arrow.tableFromIPC(parquetWasm.readParquet(new Uint8Array(readFileSync(path))).intoIPCStream());
}

/** Every column as text, as DuckDB reads it. */
async function duckText(path: string): Promise<(string | null)[][]> {
  const r = await duck.runAndReadAll(`SELECT COLUMNS(*)::VARCHAR FROM read_parquet('${path}')`);
  return r.getRowsJS() as (string | null)[][];
}

interface DuckColumnMeta {
  path: string;
  rowGroup: number;
  type: string;
  min: string | null;
  max: string | null;
  nulls: number | null;
  encodings: string;
  compression: string;
}

async function duckMetadata(path: string): Promise<DuckColumnMeta[]> {
  const r = await duck.runAndReadAll(
    `SELECT path_in_schema, row_group_id, type, stats_min_value, stats_max_value, stats_null_count, encodings, compression
     FROM parquet_metadata('${path}') ORDER BY row_group_id, column_id`,
  );
  return (r.getRowsJS() as (string | number | bigint | null)[][]).map((row) => ({
    path: String(row[0]),
    rowGroup: Number(row[1]),
    type: String(row[2]),
    min: row[3] === null ? null : String(row[3]),
    max: row[4] === null ? null : String(row[4]),
    nulls: row[5] === null ? null : Number(row[5]),
    encodings: String(row[6]),
    compression: String(row[7]),
  }));
}

const ALL_TYPES = schema([
  field('b', T.boolean),
  field('i8', T.tinyint),
  field('i16', T.smallint),
  field('i32', T.int),
  field('i64', T.bigint),
  field('f32', T.float),
  field('f64', T.double),
  field('d9', T.decimal(9, 2)),
  field('d18', T.decimal(18, 4)),
  field('d38', T.decimal(38, 10)),
  field('s', T.string),
  field('bin', T.binary),
  field('dt', T.date),
  field('ts', T.timestamp),
  field('ntz', T.timestampNtz),
]);

const ALL_VALUES: readonly (readonly Value[])[] = [
  [true, null, false, true],
  [-128, 127, null, 0],
  [-32768, null, 32767, 1],
  [2147483647, -2147483648, null, 0],
  [9223372036854775807n, null, -9223372036854775808n, 0n],
  [1.5, null, -0.25, 3],
  [null, 2.5, -1e300, 0],
  [999999999n, -999999999n, null, 0n],
  [999999999999999999n, null, -999999999999999999n, 5n],
  [10n ** 38n - 1n, -(10n ** 38n - 1n), null, -1n],
  ['héllo wörld', null, '日本語 🚀', ''],
  [new Uint8Array([0, 255, 1]), new Uint8Array([]), null, new Uint8Array([128])],
  [0, -719162, 2932896, null],
  [0n, -62135596800000000n, null, 1700000000123456n],
  [null, 1n, -1n, 253402300799999999n],
];

const DUCK_EXPECTED: readonly (readonly (string | null)[])[] = [
  [
    'true',
    '-128',
    '-32768',
    '2147483647',
    '9223372036854775807',
    '1.5',
    null,
    '9999999.99',
    '99999999999999.9999',
    '9999999999999999999999999999.9999999999',
    'héllo wörld',
    '\\x00\\xFF\\x01',
    '1970-01-01',
    '1970-01-01 00:00:00+00',
    null,
  ],
  [
    null,
    '127',
    null,
    '-2147483648',
    null,
    null,
    '2.5',
    '-9999999.99',
    null,
    '-9999999999999999999999999999.9999999999',
    null,
    '',
    '0001-01-01',
    '0001-01-01 00:00:00+00',
    '1970-01-01 00:00:00.000001',
  ],
  [
    'false',
    null,
    '32767',
    null,
    '-9223372036854775808',
    '-0.25',
    '-1e+300',
    null,
    '-99999999999999.9999',
    null,
    '日本語 🚀',
    null,
    '9999-12-31',
    null,
    '1969-12-31 23:59:59.999999',
  ],
  [
    'true',
    '0',
    '1',
    '0',
    '0',
    '3.0',
    '0.0',
    '0.00',
    '0.0005',
    '-0.0000000001',
    '',
    '\\x80',
    null,
    '2023-11-14 22:13:20.123456+00',
    '9999-12-31 23:59:59.999999',
  ],
];

describe('ParquetFileWriter round trips', () => {
  for (const compression of ['none', 'zstd', 'gzip'] as const satisfies readonly ParquetCompression[]) {
    it(`writes every supported type with NULLs (${compression})`, async () => {
      const { path, rows } = await writeFile(ALL_TYPES, [batchOf(ALL_TYPES, ALL_VALUES)], { compression });
      expect(rows).toBe(4);

      expect(await duckText(path)).toEqual(DUCK_EXPECTED);

      const hy = await hyparquetRows(path);
      expect(hy.map((r) => r['s'])).toEqual(['héllo wörld', null, '日本語 🚀', '']);
      expect(hy.map((r) => r['i64'])).toEqual([9223372036854775807n, null, -9223372036854775808n, 0n]);
      expect(hy.map((r) => r['b'])).toEqual([true, null, false, true]);
      expect(hy.map((r) => r['i8'])).toEqual([-128, 127, null, 0]);

      const t = wasmTable(path);
      expect(t.numRows).toBe(4);
      const typeOf = (name: string): arrow.DataType =>
        t.schema.fields.find((f) => f.name === name)!.type as arrow.DataType;
      expect(typeOf('i8')).toMatchObject({ bitWidth: 8, isSigned: true });
      expect(typeOf('i16')).toMatchObject({ bitWidth: 16, isSigned: true });
      expect(typeOf('d38')).toMatchObject({ precision: 38, scale: 10 });
      expect((typeOf('ts') as arrow.Timestamp).timezone).toMatch(/UTC|\+00:00/);
      expect((typeOf('ntz') as arrow.Timestamp).timezone ?? null).toBeNull();
      expect(t.getChild('i32')!.toArray()).toEqual(new Int32Array([2147483647, -2147483648, 0, 0]));
      expect([...t.getChild('s')!]).toEqual(['héllo wörld', null, '日本語 🚀', '']);
      expect([...t.getChild('dt')!].map((v) => (v === null ? null : Number(v) / 86_400_000))).toEqual([
        0,
        -719162,
        2932896,
        null,
      ]);

      const meta = await duckMetadata(path);
      expect(new Set(meta.map((m) => m.compression))).toEqual(
        new Set([compression === 'none' ? 'UNCOMPRESSED' : compression.toUpperCase()]),
      );
    });
  }

  it('writes exact statistics: min/max (signed numbers, unsigned bytes) and null counts', async () => {
    const { path } = await writeFile(ALL_TYPES, [batchOf(ALL_TYPES, ALL_VALUES)], { compression: 'none' });
    const stats = Object.fromEntries(
      (await duckMetadata(path)).map((m) => [m.path, [m.min, m.max, m.nulls]]),
    );
    expect(stats).toEqual({
      b: ['false', 'true', 1],
      i8: ['-128', '127', 1],
      i16: ['-32768', '32767', 1],
      i32: ['-2147483648', '2147483647', 1],
      i64: ['-9223372036854775808', '9223372036854775807', 1],
      f32: ['-0.25', '3.0', 1],
      f64: ['-1e+300', '2.5', 1],
      d9: ['-9999999.99', '9999999.99', 1],
      d18: ['-99999999999999.9999', '99999999999999.9999', 1],
      d38: ['-9999999999999999999999999999.9999999999', '9999999999999999999999999999.9999999999', 1],
      s: ['', '日本語 🚀', 1],
      bin: ['', '\\x80', 1],
      dt: ['0001-01-01', '9999-12-31', 1],
      ts: ['0001-01-01 00:00:00+00', '2023-11-14 22:13:20.123456+00', 1],
      ntz: ['1969-12-31 23:59:59.999999', '9999-12-31 23:59:59.999999', 1],
    });

    const hy = parquetMetadata(arrayBufferOf(path));
    const col = (name: string) =>
      hy.row_groups[0]!.columns.find((c) => c.meta_data!.path_in_schema[0] === name)!.meta_data!.statistics!;
    expect(col('i64').min_value).toBe(-9223372036854775808n);
    expect(col('i64').max_value).toBe(9223372036854775807n);
    expect(col('s').min_value).toBe('');
    expect(col('s').null_count).toBe(1n);
    expect(hy.created_by).toBe('kindling');
  });

  it('leaves NaN out of float statistics and writes no min/max for all-NULL columns', async () => {
    const s = schema([field('f', T.double), field('n', T.int), field('z', T.float)]);
    const { path } = await writeFile(s, [
      batchOf(s, [
        [NaN, 2, NaN, -3],
        [null, null, null, null],
        [0, 0, 1, 2],
      ]),
    ]);
    const meta = await duckMetadata(path);
    expect(meta.map((m) => [m.min, m.max, m.nulls])).toEqual([
      ['-3.0', '2.0', 0],
      [null, null, 4],
      ['-0.0', '2.0', 0],
    ]);
    expect(await duckText(path)).toEqual([
      ['nan', null, '0.0'],
      ['2.0', null, '0.0'],
      ['nan', null, '1.0'],
      ['-3.0', null, '2.0'],
    ]);
  });

  it('stores the Spark schema JSON, including varchar/char lengths', async () => {
    const s = schema([
      field('a', T.tinyint, false),
      field('v', { kind: 'string', maxLength: 25 }),
      field('c', { kind: 'string', maxLength: 3, fixed: true }),
      field('d', T.decimal(15, 2)),
    ]);
    const { path } = await writeFile(s, [batchOf(s, [[1], ['x'], ['abc'], [1n]])]);
    const hy = parquetMetadata(arrayBufferOf(path));
    const kv = Object.fromEntries((hy.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    expect(JSON.parse(kv['org.apache.spark.sql.parquet.row.metadata']!)).toEqual({
      type: 'struct',
      fields: [
        { name: 'a', type: 'byte', nullable: false, metadata: {} },
        {
          name: 'v',
          type: 'string',
          nullable: true,
          metadata: { __CHAR_VARCHAR_TYPE_STRING: 'varchar(25)' },
        },
        { name: 'c', type: 'string', nullable: true, metadata: { __CHAR_VARCHAR_TYPE_STRING: 'char(3)' } },
        { name: 'd', type: 'decimal(15,2)', nullable: true, metadata: {} },
      ],
    });
    const a = hy.schema.find((e) => e.name === 'a')!;
    expect(a.repetition_type).toBe('REQUIRED');
    expect(a.converted_type).toBe('INT_8');
    expect(a.logical_type).toEqual({ type: 'INTEGER', bitWidth: 8, isSigned: true });
    const d = hy.schema.find((e) => e.name === 'd')!;
    expect([d.type, d.converted_type, d.precision, d.scale]).toEqual(['INT64', 'DECIMAL', 15, 2]);
  });

  it('writes TIME(p) as INT64 TIME(MICROS, not adjusted to UTC) that other readers read back', async () => {
    const s = schema([field('t', T.time), field('t3', { kind: 'time', precision: 3 })]);
    const noon = 43_200_000_000n;
    const { path } = await writeFile(s, [
      batchOf(s, [
        [0n, 45_296_789_012n, null, 86_399_999_999n],
        [noon, null, 1_000n, 45_296_789_000n],
      ]),
    ]);
    const hy = parquetMetadata(arrayBufferOf(path));
    for (const name of ['t', 't3']) {
      const e = hy.schema.find((x) => x.name === name)!;
      expect([e.type, e.converted_type]).toEqual(['INT64', undefined]);
      expect(e.logical_type).toEqual({ type: 'TIME', isAdjustedToUTC: false, unit: 'MICROS' });
    }
    const kv = Object.fromEntries((hy.key_value_metadata ?? []).map((e) => [e.key, e.value]));
    const spark = JSON.parse(kv['org.apache.spark.sql.parquet.row.metadata']!) as {
      fields: { type: string }[];
    };
    expect(spark.fields.map((f) => f.type)).toEqual(['time(6)', 'time(3)']);
    expect(await duckText(path)).toEqual([
      ['00:00:00', '12:00:00'],
      ['12:34:56.789012', null],
      [null, '00:00:00.001'],
      ['23:59:59.999999', '12:34:56.789'],
    ]);
    const wasm = wasmTable(path);
    expect(arrow.DataType.isTime(wasm.schema.fields[0]!.type)).toBe(true);
    expect((wasm.getChild('t')!.toArray() as BigInt64Array)[3]).toBe(86_399_999_999n);
  });

  it('starts and ends the file with the magic bytes PAR1', async () => {
    const s = schema([field('x', T.int)]);
    const { path } = await writeFile(s, [batchOf(s, [[1, 2, null]])]);
    const bytes = readFileSync(path);
    expect(bytes.subarray(0, 4).toString('latin1')).toBe('PAR1');
    expect(bytes.subarray(bytes.length - 4).toString('latin1')).toBe('PAR1');
  });

  it('writes a valid file with no row groups for zero rows and empty batches', async () => {
    const s = schema([field('x', T.int), field('s', T.string)]);
    const empty = batchOf(s, [[], []]);
    const { path, rows } = await writeFile(s, [empty, empty]);
    expect(rows).toBe(0);
    const hy = parquetMetadata(arrayBufferOf(path));
    expect(hy.num_rows).toBe(0n);
    expect(hy.row_groups).toEqual([]);
    expect(await hyparquetRows(path)).toEqual([]);
    expect(wasmTable(path).numRows).toBe(0);
    const r = await duck.runAndReadAll(
      `SELECT count(*)::INT, typeof(any_value(x)), typeof(any_value(s)) FROM read_parquet('${path}')`,
    );
    expect(r.getRowsJS()).toEqual([[0, 'INTEGER', 'VARCHAR']]);
  });

  it('splits rows into row groups of rowGroupRows, keeping their order', async () => {
    const s = schema([field('x', T.int, false), field('s', T.string)]);
    const batches: arrow.RecordBatch[] = [];
    for (let start = 0; start < 2500; start += 700) {
      const xs: number[] = [];
      const ss: (string | null)[] = [];
      for (let i = start; i < Math.min(2500, start + 700); i++) {
        xs.push(i);
        ss.push(i % 10 === 0 ? null : `v${i % 3}`);
      }
      batches.push(batchOf(s, [xs, ss]));
    }
    const { path, rows } = await writeFile(s, batches, { rowGroupRows: 1000 });
    expect(rows).toBe(2500);
    const hy = parquetMetadata(arrayBufferOf(path));
    expect(hy.row_groups.map((g) => g.num_rows)).toEqual([1000n, 1000n, 500n]);
    const meta = (await duckMetadata(path)).filter((m) => m.path === 'x');
    expect(meta.map((m) => [m.min, m.max])).toEqual([
      ['0', '999'],
      ['1000', '1999'],
      ['2000', '2499'],
    ]);
    const r = await duck.runAndReadAll(
      `SELECT count(*)::INT, sum(x)::BIGINT, count(s)::INT, min(s), max(s), bool_and(x = rn - 1)
       FROM (SELECT *, row_number() OVER () AS rn FROM read_parquet('${path}'))`,
    );
    expect(r.getRowsJS()).toEqual([[2500, 3123750n, 2250, 'v0', 'v2', true]]);
    const hyRows = await hyparquetRows(path);
    expect(hyRows.map((row) => row['x'])).toEqual(Array.from({ length: 2500 }, (_, i) => i));
    expect(wasmTable(path).getChild('x')!.toArray()).toEqual(Int32Array.from({ length: 2500 }, (_, i) => i));
  });

  it('honours sliced batches (offsets in values, validity and boolean bits)', async () => {
    const s = schema([
      field('b', T.boolean),
      field('i', T.int),
      field('s', T.string),
      field('d', T.decimal(38, 2)),
    ]);
    const n = 50;
    const full = batchOf(s, [
      Array.from({ length: n }, (_, i) => (i % 7 === 3 ? null : i % 3 === 0)),
      Array.from({ length: n }, (_, i) => (i % 5 === 1 ? null : i)),
      Array.from({ length: n }, (_, i) => (i % 4 === 2 ? null : `s${i}`)),
      Array.from({ length: n }, (_, i) => (i % 6 === 5 ? null : BigInt(i) * -(10n ** 30n))),
    ]);
    const parts = [full.slice(3, 14), full.slice(14, 14), full.slice(14, 37), full.slice(37, 50)];
    const expected = await (async () => {
      const { path } = await writeFile(s, [
        batchOf(s, [
          Array.from({ length: n }, (_, i) => (i % 7 === 3 ? null : i % 3 === 0)),
          Array.from({ length: n }, (_, i) => (i % 5 === 1 ? null : i)),
          Array.from({ length: n }, (_, i) => (i % 4 === 2 ? null : `s${i}`)),
          Array.from({ length: n }, (_, i) => (i % 6 === 5 ? null : BigInt(i) * -(10n ** 30n))),
        ]),
      ]);
      return (await duckText(path)).slice(3);
    })();
    // One row group from several sliced batches (the concatenating path) …
    const one = await writeFile(s, parts);
    expect(await duckText(one.path)).toEqual(expected);
    // … and one row group per slice (the zero-copy path).
    const many = await writeFile(s, parts, { rowGroupRows: 1 << 20 });
    expect(await duckText(many.path)).toEqual(expected);
    const single = join(dir, `slice-${fileNo++}.parquet`);
    const w = await ParquetFileWriter.create(single, s);
    await w.appendRowGroup(encodeRowGroup(s, [parts[2]!]));
    await w.close();
    expect(await duckText(single)).toEqual(expected.slice(11, 34));
    const hy = await hyparquetRows(single);
    expect(hy.map((r) => r['s'])).toEqual(
      Array.from({ length: 23 }, (_, k) => ((k + 14) % 4 === 2 ? null : `s${k + 14}`)),
    );
  });

  it('writes decimals at 9, 18 and 38 digits exactly, including negative and extreme values', async () => {
    const s = schema([
      field('d9', T.decimal(9, 0)),
      field('d18', T.decimal(18, 18)),
      field('d38', T.decimal(38, 38)),
      field('d19', T.decimal(19, 3)),
    ]);
    const max9 = 10n ** 9n - 1n;
    const max18 = 10n ** 18n - 1n;
    const max38 = 10n ** 38n - 1n;
    const max19 = 10n ** 19n - 1n;
    const { path } = await writeFile(s, [
      batchOf(s, [
        [max9, -max9, -1n, 0n],
        [max18, -max18, -1n, 0n],
        [max38, -max38, -1n, 0n],
        [max19, -max19, -(2n ** 63n), 2n ** 63n],
      ]),
    ]);
    // DuckDB prints DECIMAL(p, p) without a leading zero.
    expect(await duckText(path)).toEqual([
      ['999999999', '.999999999999999999', '.99999999999999999999999999999999999999', '9999999999999999.999'],
      [
        '-999999999',
        '-.999999999999999999',
        '-.99999999999999999999999999999999999999',
        '-9999999999999999.999',
      ],
      ['-1', '-.000000000000000001', '-.00000000000000000000000000000000000001', '-9223372036854775.808'],
      ['0', '.000000000000000000', '.00000000000000000000000000000000000000', '9223372036854775.808'],
    ]);
    const meta = await duckMetadata(path);
    expect(meta.map((m) => [m.type, m.min, m.max])).toEqual([
      ['INT32', '-999999999', '999999999'],
      ['INT64', '-.999999999999999999', '.999999999999999999'],
      [
        'FIXED_LEN_BYTE_ARRAY',
        '-.99999999999999999999999999999999999999',
        '.99999999999999999999999999999999999999',
      ],
      ['FIXED_LEN_BYTE_ARRAY', '-9999999999999999.999', '9999999999999999.999'],
    ]);
    const hy = parquetMetadata(arrayBufferOf(path));
    expect(hy.schema.map((e) => e.type_length)).toEqual([undefined, undefined, undefined, 16, 9]);
    const t = wasmTable(path);
    expect([...t.getChild('d38')!].map((v) => String(v))).toEqual(
      [String(max38), String(-max38), '-1', '0'].map((x) => `"${x}"`).map((x) => JSON.parse(x) as string),
    );
  });

  it('dictionary-encodes low-cardinality strings and keeps high-cardinality ones PLAIN', async () => {
    const s = schema([field('mode', T.string), field('comment', T.string), field('flag', T.string, false)]);
    const n = 20_000;
    const modes = ['REG AIR', 'AIR', 'RAIL', 'SHIP', 'TRUCK', 'MAIL', 'FOB', 'ÅÄÖ'];
    const mode = Array.from({ length: n }, (_, i) =>
      i % 11 === 0 ? null : modes[(i * 7919) % modes.length]!,
    );
    const comment = Array.from({ length: n }, (_, i) => `comment ${i} ${'x'.repeat(i % 17)}`);
    const flag = Array.from({ length: n }, (_, i) => (i < n / 2 ? 'A' : 'R'));
    const { path } = await writeFile(s, [batchOf(s, [mode, comment, flag])], { compression: 'zstd' });
    const meta = await duckMetadata(path);
    expect(meta[0]!.encodings).toContain('RLE_DICTIONARY');
    expect(meta[1]!.encodings).not.toContain('DICTIONARY');
    expect(meta[2]!.encodings).toContain('RLE_DICTIONARY');
    expect(meta.map((m) => [m.min, m.max, m.nulls])).toEqual([
      ['AIR', 'ÅÄÖ', Math.ceil(n / 11)],
      ['comment 0 ', 'comment 9999 xxxxxxxxxxxxxxxx'.slice(0, 'comment 9999 '.length + (9999 % 17)), 0],
      ['A', 'R', 0],
    ]);
    const rows = await duckText(path);
    expect(rows.map((r) => r[0])).toEqual(mode);
    expect(rows.map((r) => r[1])).toEqual(comment);
    expect(rows.map((r) => r[2])).toEqual(flag);
    const hy = await hyparquetRows(path);
    expect(hy.map((r) => r['mode'])).toEqual(mode);
    const t = wasmTable(path);
    expect([...t.getChild('mode')!]).toEqual(mode);
    expect([...t.getChild('flag')!]).toEqual(flag);
  });

  it('dictionary-encodes fixed-width columns with few distinct values, bit for bit', async () => {
    const s = schema([
      field('day', T.date),
      field('qty', T.decimal(15, 2)),
      field('f', T.float),
      field('d', T.double),
      field('id', T.bigint),
    ]);
    const n = 50_000;
    const doubles = [0.5, -0, 0, NaN, Infinity, -1e300, 2.25];
    const day = Array.from({ length: n }, (_, i) => (i % 9 === 0 ? null : 8000 + ((i * 7919) % 2500)));
    const qty = Array.from({ length: n }, (_, i) => BigInt(100 + ((i * 31) % 50) * 100));
    const f = Array.from({ length: n }, (_, i) => (i % 5 === 0 ? null : [1.5, -2, 0][i % 3]!));
    const d = Array.from({ length: n }, (_, i) => doubles[(i >> 3) % doubles.length]!);
    const id = Array.from({ length: n }, (_, i) => BigInt(i) * 3n);
    const { path } = await writeFile(s, [batchOf(s, [day, qty, f, d, id])], { compression: 'zstd' });
    const meta = await duckMetadata(path);
    for (let c = 0; c < 4; c++) expect(meta[c]!.encodings).toContain('RLE_DICTIONARY');
    expect(meta[4]!.encodings).not.toContain('DICTIONARY');
    expect(meta.map((m) => m.nulls)).toEqual([Math.ceil(n / 9), 0, n / 5, 0, 0]);
    const t = wasmTable(path);
    expect([...t.getChild('f')!]).toEqual(f);
    const wasmD = [...t.getChild('d')!] as number[];
    // Bit for bit: -0.0 stays negative, NaN stays NaN.
    expect(wasmD.map((v) => (Object.is(v, -0) ? '-0' : String(v)))).toEqual(
      d.map((v) => (Object.is(v, -0) ? '-0' : String(v))),
    );
    const hy = await hyparquetRows(path);
    expect(hy.map((r) => r['id'])).toEqual(id);
    const r = await duck.runAndReadAll(
      `SELECT count(day)::INT, sum(day - DATE '1970-01-01')::BIGINT, sum(qty)::VARCHAR FROM read_parquet('${path}')`,
    );
    const days = day.filter((v): v is number => v !== null);
    expect(r.getRowsJS()).toEqual([
      [
        days.length,
        BigInt(days.reduce((a, b) => a + b, 0)),
        (Number(qty.reduce((a, b) => a + b, 0n)) / 100).toFixed(2),
      ],
    ]);
  });

  it('encodes many pages with runs and scattered NULLs (RLE and bit-packed levels)', async () => {
    const s = schema([field('x', T.int), field('y', T.bigint), field('b', T.boolean)]);
    const n = 600_000; // > 262,144 int32 values per page: several pages per chunk
    const x = new Array<Value>(n);
    const y = new Array<Value>(n);
    const b = new Array<Value>(n);
    for (let i = 0; i < n; i++) {
      const nullRun = i >= 100_000 && i < 100_050;
      x[i] = nullRun || i % 13 === 0 ? null : i;
      y[i] = i % 3 === 1 ? null : BigInt(i) * 1_000_003n - 5n;
      b[i] = i % 1000 < 500 ? null : (i & 1) === 0;
    }
    const { path } = await writeFile(s, [batchOf(s, [x, y, b])], { compression: 'zstd' });
    const r = await duck.runAndReadAll(
      `SELECT count(x)::INT, sum(x)::BIGINT, count(y)::INT, sum(y)::VARCHAR, count(b)::INT, sum(b::INT)::INT,
              bool_and(x IS NULL OR x = rn - 1), bool_and(y IS NULL OR y = (rn - 1) * 1000003 - 5)
       FROM (SELECT *, row_number() OVER () AS rn FROM read_parquet('${path}'))`,
    );
    let cx = 0;
    let sx = 0n;
    let cy = 0;
    let sy = 0n;
    let cb = 0;
    let sb = 0;
    for (let i = 0; i < n; i++) {
      if (x[i] !== null) {
        cx++;
        sx += BigInt(x[i] as number);
      }
      if (y[i] !== null) {
        cy++;
        sy += y[i] as bigint;
      }
      if (b[i] !== null) {
        cb++;
        sb += b[i] === true ? 1 : 0;
      }
    }
    expect(r.getRowsJS()).toEqual([[cx, sx, cy, String(sy), cb, sb, true, true]]);
    const t = wasmTable(path);
    const col = t.getChild('x')!;
    expect(col.nullCount).toBe(n - cx);
    expect(col.get(100_049)).toBeNull();
    expect(col.get(100_051)).toBe(100_051);
    const hy = await hyparquetRows(path);
    expect(hy.filter((row) => row['b'] === true).length).toBe(sb);
  });
});

describe('encodeRowGroup and appendRowGroup', () => {
  it('appends structured-cloned row groups in call order with buffered rows', async () => {
    const s = schema([field('x', T.int), field('s', T.string)]);
    const g1 = structuredClone(
      encodeRowGroup(
        s,
        [
          batchOf(s, [
            [1, 2],
            ['a', 'b'],
          ]),
        ],
        { compression: 'gzip' },
      ),
    );
    const g2 = structuredClone(encodeRowGroup(s, [batchOf(s, [[], []])]));
    const path = join(dir, `append-${fileNo++}.parquet`);
    const w = await ParquetFileWriter.create(path, s, { compression: 'zstd' });
    await w.write(batchOf(s, [[0], ['z']]));
    await w.appendRowGroup(g1);
    await w.appendRowGroup(g2);
    await w.write(batchOf(s, [[3], [null]]));
    const result = await w.close();
    expect(result.rows).toBe(4);
    expect(result.bytes).toBe(readFileSync(path).length);
    expect(await duckText(path)).toEqual([
      ['0', 'z'],
      ['1', 'a'],
      ['2', 'b'],
      ['3', null],
    ]);
    expect(parquetMetadata(arrayBufferOf(path)).row_groups.map((g) => g.num_rows)).toEqual([1n, 2n, 1n]);
  });

  it('rejects a row group of another schema', async () => {
    const s = schema([field('x', T.int)]);
    const other = schema([field('x', T.bigint)]);
    const w = await ParquetFileWriter.create(join(dir, `bad-${fileNo++}.parquet`), s);
    await expect(w.appendRowGroup(encodeRowGroup(other, [batchOf(other, [[1n]])]))).rejects.toMatchObject({
      sqlstate: 'XX000',
    });
    await w.abort();
  });
});

describe('errors and abort', () => {
  const unsupported: [string, DataType, string][] = [
    ['iv', T.intervalYearMonth, 'interval year to month'],
    ['dt', T.intervalDayTime, 'interval day to second'],
    ['nul', T.null, 'void'],
    // Nested types are written, but not with an unwritable type inside, nor as an empty struct.
    ['arr', T.array(T.intervalDayTime), 'array<interval day to second>'],
    ['m', { kind: 'map', key: T.string, value: T.null, valueContainsNull: true }, 'map<string,void>'],
    ['st', { kind: 'struct', fields: [] }, 'struct<>'],
  ];
  for (const [name, type, text] of unsupported) {
    it(`rejects ${text} columns with 0A000 naming the column`, async () => {
      const s = schema([field('ok', T.int), field(name, type)]);
      const path = join(dir, `unsupported-${fileNo++}.parquet`);
      const err = await ParquetFileWriter.create(path, s).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(EngineError);
      expect(err).toMatchObject({
        sqlstate: '0A000',
        message: `cannot write column "${name}" of type ${text} to Parquet: the type is not supported`,
      });
      expect(existsSync(path)).toBe(false);
      expect(() => encodeRowGroup(s, [])).toThrow(/0A000|not supported/);
    });
  }

  it('rejects NULLs in a non-nullable column with 22004', () => {
    const s = schema([field('x', T.int, false)]);
    const batch = makeBatch(s, [columnFromValues(T.int, [1, null])], 2);
    expect(() => encodeRowGroup(s, [batch])).toThrow(
      expect.objectContaining({
        sqlstate: '22004',
        message: 'cannot write NULL into non-nullable column "x"',
      }),
    );
  });

  it('rejects bad options with 22023', () => {
    const s = schema([field('x', T.int)]);
    expect(() => encodeRowGroup(s, [], { compression: 'lz4' as never })).toThrow(
      expect.objectContaining({ sqlstate: '22023' }),
    );
    expect(() => encodeRowGroup(s, [], { rowGroupRows: 0 })).toThrow(
      expect.objectContaining({ sqlstate: '22023' }),
    );
  });

  it('abort deletes the partial file and later calls fail', async () => {
    const s = schema([field('x', T.int)]);
    const path = join(dir, `abort-${fileNo++}.parquet`);
    const w = await ParquetFileWriter.create(path, s, { rowGroupRows: 1 });
    await w.write(batchOf(s, [[1, 2, 3]]));
    expect(existsSync(path)).toBe(true);
    await w.abort();
    await w.abort();
    expect(existsSync(path)).toBe(false);
    await expect(w.write(batchOf(s, [[4]]))).rejects.toMatchObject({ sqlstate: 'XX000' });
  });

  it('reports an I/O error (58030) for a path that cannot be created', async () => {
    const s = schema([field('x', T.int)]);
    await expect(ParquetFileWriter.create(join(dir, 'missing', 'x.parquet'), s)).rejects.toMatchObject({
      sqlstate: '58030',
    });
  });
});
