import * as fs from 'node:fs';
import * as path from 'node:path';
import * as arrow from 'apache-arrow';
import { Table, writeParquet as wasmWriteParquet } from 'parquet-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SqlState, T, field } from '../../common/index.ts';
import { clearParquetFooterCache } from './parquet-footer.ts';
import { inferParquetSchema } from './parquet-infer-schema.ts';
import {
  cmp,
  col,
  duckdb,
  lit,
  parquetDef,
  readRows,
  readScan,
  tempDir,
  writeParquet,
} from './parquet-test-support.ts';

let dir: string;
let hive: string;

beforeAll(async () => {
  dir = tempDir();
  hive = path.join(dir, 'hive');
  // 3 regions × 2 years, one file each (two for eu/2021), plus a NULL partition folder.
  for (const region of ['eu', 'us', 'asia']) {
    for (const year of [2020, 2021]) {
      const base = region.length * 1000 + (year - 2020) * 100;
      await writeParquet(
        `SELECT (${base} + i)::INT AS id, 'v' || i AS v FROM range(10) r(i)`,
        path.join(hive, `region=${region}`, `year=${year}`, 'part-0.parquet'),
      );
    }
  }
  await writeParquet(
    `SELECT (9000 + i)::INT AS id, 'w' || i AS v FROM range(5) r(i)`,
    path.join(hive, 'region=eu', 'year=2021', 'part-1.parquet'),
  );
  await writeParquet(
    `SELECT (7000 + i)::INT AS id, NULL::VARCHAR AS v FROM range(2) r(i)`,
    path.join(hive, 'region=__HIVE_DEFAULT_PARTITION__', 'year=2020', 'part-0.parquet'),
  );
  fs.writeFileSync(path.join(hive, '_SUCCESS'), '');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const HIVE_COLUMNS = [
  field('id', T.int),
  field('v', T.string),
  field('region', T.string),
  field('year', T.int),
];

describe('Hive-partitioned tables', () => {
  it('appends partition columns as constants typed from the table definition', async () => {
    const rows = await readRows(parquetDef(hive, HIVE_COLUMNS, ['region', 'year']));
    expect(rows.length).toBe(6 * 10 + 5 + 2);
    expect(rows).toContainEqual([4100 + 3, 'v3', 'asia', 2021]);
    expect(rows).toContainEqual([9004, 'w4', 'eu', 2021]);
    expect(rows).toContainEqual([7001, null, null, 2020]);
  });

  it('prunes files by partition values without reading their footers', async () => {
    const def = parquetDef(hive, HIVE_COLUMNS, ['region', 'year']);
    const region = col('region', T.string);
    const { rows, scan } = await readScan(def, {
      filters: [cmp('=', region, lit('eu', T.string)), cmp('>=', col('year', T.int), lit(2021, T.int))],
      projection: [0, 2, 3],
    });
    expect(scan.plan?.filesRead).toBe(2);
    expect(scan.plan?.rowGroupsTotal).toBe(2);
    expect(rows.length).toBe(15);
    expect(new Set(rows.map((r) => `${r[1] as string}/${r[2] as number}`))).toEqual(new Set(['eu/2021']));
    const nulls = await readScan(def, {
      filters: [{ kind: 'unary', op: 'is_null', input: region, type: T.boolean, failOnError: false }],
    });
    expect(nulls.rows).toEqual([
      [7000, null, null, 2020],
      [7001, null, null, 2020],
    ]);
  });

  it('spreads files over partitions; the union is the same rows', async () => {
    const def = parquetDef(hive, HIVE_COLUMNS, ['region', 'year']);
    const one = await readScan(def, { targetPartitions: 1 });
    const four = await readScan(def, { targetPartitions: 4 });
    expect(four.scan.partitions).toBe(4);
    expect(four.rows).toEqual(one.rows);
    const many = await readScan(def, { targetPartitions: 64 });
    expect(many.scan.partitions).toBe(8);
    expect(many.rows).toEqual(one.rows);
    expect(four.scan.describe()).toBe(
      'ParquetScan: t, files=8, row groups=8/8, projection=[id, v, region, year], partitions=4',
    );
  });

  it('a partition column only query decodes nothing', async () => {
    const { rows, scan } = await readScan(parquetDef(hive, HIVE_COLUMNS, ['region', 'year']), {
      projection: [2],
    });
    expect(rows.length).toBe(67);
    expect(scan.metrics.rowGroupsDecoded).toBe(0);
  });

  it('infers the schema of a partitioned directory', () => {
    expect(inferParquetSchema(hive)).toEqual([
      field('id', T.int),
      field('v', T.string),
      field('region', T.string),
      field('year', T.int),
    ]);
    expect(inferParquetSchema(hive, ['region'])).toEqual([
      field('id', T.int),
      field('v', T.string),
      field('region', T.string),
    ]);
  });
});

describe('type inference', () => {
  it('maps Parquet types to Spark types', async () => {
    const f = path.join(dir, 'infer', 'f.parquet');
    await writeParquet(
      `SELECT true AS bo, 1::TINYINT AS t, 1::SMALLINT AS sm, 1::INT AS i, 1::BIGINT AS b, 1::FLOAT AS f, 1::DOUBLE AS d,
         1::DECIMAL(9,2) AS d9, 1::DECIMAL(38,10) AS d38, 'a' AS s, 'a'::BLOB AS bl, DATE '2020-01-01' AS dt,
         TIMESTAMP '2020-01-01' AS ts, TIMESTAMPTZ '2020-01-01 00:00:00+00' AS tz, 1::UTINYINT AS u8, 1::UINTEGER AS u32,
         1::UBIGINT AS u64`,
      f,
    );
    expect(inferParquetSchema(f).map((c) => [c.name, c.type])).toEqual([
      ['bo', T.boolean],
      ['t', T.tinyint],
      ['sm', T.smallint],
      ['i', T.int],
      ['b', T.bigint],
      ['f', T.float],
      ['d', T.double],
      ['d9', T.decimal(9, 2)],
      ['d38', T.decimal(38, 10)],
      ['s', T.string],
      ['bl', T.binary],
      ['dt', T.date],
      ['ts', T.timestampNtz],
      ['tz', T.timestamp],
      ['u8', T.smallint],
      ['u32', T.bigint],
      ['u64', T.decimal(20, 0)],
    ]);
    const rows = await readRows(parquetDef(f, inferParquetSchema(f)));
    expect(rows[0]!.slice(14)).toEqual([1, 1n, 1n]);
  });

  it('prefers the Spark schema stored in the file', async () => {
    const f = path.join(dir, 'spark.parquet');
    const sparkSchema = JSON.stringify({
      type: 'struct',
      fields: [
        { name: 'a', type: 'long', nullable: false, metadata: {} },
        { name: 'c', type: 'string', nullable: true, metadata: { __CHAR_VARCHAR_TYPE_STRING: 'varchar(5)' } },
      ],
    });
    await duckdb(
      `COPY (SELECT 1::BIGINT AS a, 'x' AS c) TO '${f}' (FORMAT parquet, KV_METADATA {'org.apache.spark.sql.parquet.row.metadata': '${sparkSchema}'})`,
    );
    expect(inferParquetSchema(f)).toEqual([
      { name: 'a', type: T.bigint, nullable: false },
      { name: 'c', type: { kind: 'string', maxLength: 5, fixed: false }, nullable: true },
    ]);
  });
});

describe('Arrow layouts parquet-wasm may produce', () => {
  it('converts LargeUtf8, dictionaries and millisecond timestamps with zones', async () => {
    const f = path.join(dir, 'layouts.parquet');
    const table = new arrow.Table({
      dict: arrow.vectorFromArray(
        ['x', null, 'yy', 'x'],
        new arrow.Dictionary(new arrow.Utf8(), new arrow.Int32()),
      ),
      large: arrow.vectorFromArray(['p', '', null, 'ré'], new arrow.LargeUtf8()),
      ms: arrow.vectorFromArray([1000, -1, null, 0], new arrow.TimestampMillisecond('Europe/Paris')),
      u16: arrow.vectorFromArray([65535, 0, 1, null], new arrow.Uint16()),
    });
    fs.writeFileSync(f, wasmWriteParquet(Table.fromIPCStream(arrow.tableToIPC(table, 'stream'))));
    const rows = await readRows(
      parquetDef(f, [
        field('dict', T.string),
        field('large', T.string),
        field('ms', T.timestamp),
        field('u16', T.int),
      ]),
    );
    expect(rows).toEqual([
      ['x', 'p', 1_000_000n, 65535],
      [null, '', -1000n, 0],
      ['yy', null, null, 1],
      ['x', 'ré', 0n, null],
    ]);
  });
});

describe('bad files', () => {
  const def = (f: string) => parquetDef(f, [field('id', T.int)]);

  async function failure(f: string): Promise<{ sqlstate: string; message: string }> {
    clearParquetFooterCache();
    try {
      await readRows(def(f));
    } catch (err) {
      return err as { sqlstate: string; message: string };
    }
    throw new Error('expected a failure');
  }

  it('a file that is not Parquet', async () => {
    const f = path.join(dir, 'bad', 'text.parquet');
    fs.mkdirSync(path.dirname(f), { recursive: true });
    fs.writeFileSync(f, 'id\n1\n2\n3\n4\n5\n');
    const e = await failure(f);
    expect(e.sqlstate).toBe(SqlState.ioError);
    expect(e.message).toBe(
      `could not read Parquet file "${f}": it is not a Parquet file (magic bytes "PAR1" missing)`,
    );
  });

  it('an empty or tiny file', async () => {
    const f = path.join(dir, 'bad', 'empty.parquet');
    fs.writeFileSync(f, '');
    expect((await failure(f)).message).toContain('too short');
    fs.writeFileSync(f, 'PAR1PAR1PAR1');
    expect((await failure(f)).sqlstate).toBe(SqlState.ioError);
  });

  it('truncated files, at every cut of the footer and some of the data', async () => {
    const good = path.join(dir, 'bad', 'good.parquet');
    await writeParquet('SELECT i::INT AS id FROM range(5000) r(i)', good);
    const bytes = fs.readFileSync(good);
    const f = path.join(dir, 'bad', 'cut.parquet');
    const cuts = [1, 4, 8, 9, 100, bytes.length / 2, bytes.length - 9, bytes.length - 8, bytes.length - 1];
    for (const cut of cuts) {
      fs.writeFileSync(f, bytes.subarray(0, Math.floor(cut)));
      const e = await failure(f);
      expect(e.sqlstate, `cut at ${cut}`).toBe(SqlState.ioError);
      expect(e.message).toContain(f);
    }
  });

  it('corrupt footers and corrupt data pages never crash', async () => {
    const good = path.join(dir, 'bad', 'good2.parquet');
    await writeParquet("SELECT i::INT AS id, 'x' || i AS s FROM range(3000) r(i)", good);
    const bytes = fs.readFileSync(good);
    const f = path.join(dir, 'bad', 'corrupt.parquet');
    const footerLength = bytes.readUInt32LE(bytes.length - 8);
    const footerStart = bytes.length - 8 - footerLength;
    let seed = 7;
    const random = (n: number): number => {
      seed = (seed * 1103515245 + 12345) & 0x7fffffff;
      return seed % n;
    };
    for (let k = 0; k < 60; k++) {
      const copy = Buffer.from(bytes);
      // Half the time scribble on the footer, otherwise on the data pages.
      const start = k % 2 === 0 ? footerStart : 4;
      const span = k % 2 === 0 ? footerLength : footerStart - 4;
      for (let j = 0; j < 1 + random(4); j++) copy[start + random(span)] = random(256);
      fs.writeFileSync(f, copy);
      clearParquetFooterCache();
      try {
        await readRows(def(f));
      } catch (err) {
        expect((err as { sqlstate: string }).sqlstate, `case ${k}`).toMatch(/^(58030|42K09|XX000|0A000)$/);
        expect((err as Error).message).toContain(f);
      }
    }
    // The decoder still works afterwards.
    expect((await readRows(def(good))).length).toBe(3000);
  });
});
