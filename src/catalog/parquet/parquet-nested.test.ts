/**
 * Nested columns (arrays, maps, structs, at any depth) through Parquet: generated values with
 * NULLs at every level written by Kindling's writer and read back by Kindling's reader and by
 * DuckDB; files DuckDB writes (standard three-level lists, key_value maps) read by Kindling; and
 * the Spark types derived from nested schemas of other layouts (two-level lists, `_tuple` and
 * `array` groups, bare repeated fields).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DuckDBInstance } from '@duckdb/node-api';
import type { FileMetaData, SchemaElement } from 'hyparquet';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  T,
  columnFromValues,
  field,
  makeBatch,
  schema,
  type DataType,
  type Field,
  type Schema,
  type Value,
} from '../../common/index.ts';
import { parquetDef, readRows, tempDir, writeParquet } from './parquet-test-support.ts';
import { fileColumns } from './parquet-schema.ts';
import { readParquetFooter } from './parquet-footer.ts';
import { ParquetFileWriter } from './writer/index.ts';

let dir: string;

beforeAll(() => {
  dir = tempDir('kindling-parquet-nested-');
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const POINT: DataType = { kind: 'struct', fields: [field('x', T.int), field('y', T.string)] };
const ITEM: DataType = {
  kind: 'struct',
  fields: [field('p', T.double), field('q', T.array(T.string))],
};
const INNER: DataType = {
  kind: 'struct',
  fields: [field('b', T.boolean), field('d', T.date), field('big', T.decimal(25, 3))],
};

const COLUMNS: Field[] = [
  field('id', T.int, false),
  field('a', T.array(T.int)),
  field('s', POINT),
  field('m', { kind: 'map', key: T.string, value: T.bigint, valueContainsNull: true }),
  field('n', T.array(ITEM)),
  field('deep', {
    kind: 'struct',
    fields: [field('inner', INNER), field('flags', T.array(T.boolean))],
  }),
  field('ma', {
    kind: 'map',
    key: T.int,
    value: T.array(T.decimal(12, 2)),
    valueContainsNull: true,
  }),
  // Required at every level: no definition level for the list, a repeated one only.
  field('req', { kind: 'array', element: T.bigint, containsNull: false }, false),
];

/** A small deterministic generator (the same values on every run). */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed;
  }
  next(): number {
    this.state = (Math.imul(this.state, 1103515245) + 12345) >>> 0;
    return this.state / 2 ** 32;
  }
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
}

/** A value of `type`, NULL with probability `nulls` when `nullable`. */
function generate(r: Random, type: DataType, nullable: boolean, nulls = 0.15): Value {
  if (nullable && r.chance(nulls)) return null;
  switch (type.kind) {
    case 'int':
      return r.int(2000) - 1000;
    case 'bigint':
      return BigInt(r.int(1_000_000)) * 1_000_003n - 7n;
    case 'double':
      return r.int(10_000) / 8 - 500;
    case 'boolean':
      return r.chance(0.5);
    case 'date':
      return r.int(40_000) - 10_000;
    case 'decimal':
      return BigInt(r.int(2_000_000)) * (type.precision > 18 ? 10n ** 15n : 1n) - 1_000_000n;
    case 'string': {
      const n = r.int(6);
      return n === 0 ? '' : `v${r.int(50)}é${'x'.repeat(n)}`;
    }
    case 'array': {
      const n = r.int(5);
      return Array.from({ length: n }, () => generate(r, type.element, type.containsNull));
    }
    case 'struct':
      return type.fields.map((f) => generate(r, f.type, f.nullable));
    case 'map': {
      const out = new Map<Value, Value>();
      const n = r.int(4);
      for (let k = 0; k < n; k++) {
        out.set(generate(r, type.key, false), generate(r, type.value, type.valueContainsNull));
      }
      return out;
    }
    default:
      throw new Error(`no generator for ${type.kind}`);
  }
}

function generateRows(count: number, seed: number): Value[][] {
  const r = new Random(seed);
  const rows: Value[][] = [];
  for (let i = 0; i < count; i++) {
    rows.push(COLUMNS.map((f, c) => (c === 0 ? i : generate(r, f.type, f.nullable))));
  }
  return rows;
}

function batchOf(s: Schema, rows: readonly (readonly Value[])[]): ReturnType<typeof makeBatch> {
  return makeBatch(
    s,
    s.fields.map((f, c) =>
      columnFromValues(
        f.type,
        rows.map((row) => row[c]!),
      ),
    ),
    rows.length,
  );
}

/** Values compared as plain data (maps as entry lists, in their order). */
function plain(v: unknown): unknown {
  if (v instanceof Map) return { map: [...v.entries()].map(([k, x]) => [plain(k), plain(x)]) };
  if (Array.isArray(v)) return v.map(plain);
  return v;
}

describe('nested Parquet columns written by Kindling', () => {
  const rows = generateRows(3000, 42);
  const s = schema(COLUMNS);
  let tableDir: string;
  let file: string;

  beforeAll(async () => {
    tableDir = path.join(dir, 'written');
    fs.mkdirSync(tableDir);
    file = path.join(tableDir, 'part-0.parquet');
    // Small row groups, batches of several sizes, and sliced batches (a sliced list's offsets
    // point into its whole child).
    const writer = await ParquetFileWriter.create(file, s, { rowGroupRows: 700 });
    const whole = batchOf(s, rows.slice(0, 1000));
    await writer.write(whole.slice(0, 400));
    await writer.write(whole.slice(400, 1000));
    for (let at = 1000; at < rows.length; at += 333) await writer.write(batchOf(s, rows.slice(at, at + 333)));
    await writer.close();
  });

  it('reads back every value, NULLs at every level included', async () => {
    const got = await readRows(parquetDef(tableDir, COLUMNS), { batchSize: 256 });
    expect(got.length).toBe(rows.length);
    expect(plain(got)).toEqual(plain(rows));
  });

  it('reads back a projection, over several partitions', async () => {
    const got = await readRows(parquetDef(tableDir, COLUMNS), { projection: [4, 0], targetPartitions: 3 });
    expect(plain(got)).toEqual(plain(rows.map((r) => [r[4], r[0]])));
  });

  it('exercises NULL and empty values at each level', () => {
    // The generated data must hold each case, or the round trip proves less than it claims.
    const nulls = (c: number): number => rows.filter((r) => r[c] === null).length;
    expect(nulls(1)).toBeGreaterThan(100);
    expect(rows.some((r) => Array.isArray(r[1]) && r[1].length === 0)).toBe(true);
    expect(rows.some((r) => Array.isArray(r[1]) && r[1].includes(null))).toBe(true);
    expect(rows.some((r) => Array.isArray(r[2]) && r[2][0] === null)).toBe(true);
    expect(rows.some((r) => r[3] instanceof Map && [...r[3].values()].includes(null))).toBe(true);
    expect(rows.some((r) => Array.isArray(r[4]) && r[4].includes(null))).toBe(true);
  });

  it('is read by DuckDB as the same values', async () => {
    const instance = await DuckDBInstance.create(':memory:');
    const con = await instance.connect();
    try {
      const reader = await con.runAndReadAll(
        `SELECT id, a, s.y, m, n, deep.inner.big::VARCHAR, req FROM read_parquet('${file}') ORDER BY id`,
      );
      const got = reader.getRowObjectsJson();
      expect(got.length).toBe(rows.length);
      for (const i of [0, 1, 2, 17, 999, 1000, 2999]) {
        const row = rows[i]!;
        const g = got[i]!;
        expect(g['id']).toBe(i);
        expect(g['a']).toEqual(row[1]);
        expect(g['y']).toEqual(row[2] === null ? null : (row[2] as Value[])[1]);
        const m = row[3] as Map<string, bigint | null> | null;
        expect(g['m']).toEqual(
          m === null
            ? null
            : [...m].map(([key, value]) => ({ key, value: value === null ? null : String(value) })),
        );
        const n = row[4] as (Value[] | null)[] | null;
        expect(g['n']).toEqual(n === null ? null : n.map((x) => (x === null ? null : { p: x[0], q: x[1] })));
        const deep = row[5] as Value[] | null;
        const inner = deep === null ? null : (deep[0] as Value[] | null);
        const big = inner === null ? null : (inner[2] as bigint | null);
        const bigText =
          big === null
            ? null
            : `${big < 0n ? '-' : ''}${(big < 0n ? -big : big) / 1000n}.${String((big < 0n ? -big : big) % 1000n).padStart(3, '0')}`;
        expect(g[Object.keys(g)[5]!]).toBe(bigText);
        expect(g['req']).toEqual((row[7] as bigint[]).map(String));
      }
    } finally {
      con.closeSync();
    }
  });

  it('records the standard nested layout in the footer', () => {
    const footer = readParquetFooter(file);
    const names = footer.metadata.schema.map((e) => e.name);
    expect(names.slice(0, 8)).toEqual(['spark_schema', 'id', 'a', 'list', 'element', 's', 'x', 'y']);
    const cols = fileColumns(footer.metadata);
    expect(cols.map((c) => c.type)).toEqual(COLUMNS.map((f) => f.type));
    const paths = footer.metadata.row_groups[0]!.columns.map((c) => c.meta_data!.path_in_schema.join('.'));
    expect(paths).toContain('m.key_value.key');
    expect(paths).toContain('n.list.element.q.list.element');
    expect(paths).toContain('req.list.element');
  });

  it('rejects a NULL inside a value declared without NULLs with 22004', async () => {
    const strict = schema([field('a', { kind: 'array', element: T.int, containsNull: false })]);
    const loose = columnFromValues(T.array(T.int), [[1, null]]);
    const writer = await ParquetFileWriter.create(path.join(dir, 'strict.parquet'), strict);
    await expect(
      writer.write(makeBatch(strict, [loose], 1)).then(() => writer.close()),
    ).rejects.toMatchObject({
      sqlstate: '22004',
    });
    await writer.abort();
  });
});

describe('nested Parquet columns written by DuckDB', () => {
  let tableDir: string;
  beforeAll(async () => {
    tableDir = path.join(dir, 'duck');
    await writeParquet(
      `SELECT i AS id,
         CASE WHEN i % 5 = 0 THEN NULL WHEN i % 5 = 1 THEN [] ELSE [i, NULL, i * 2] END AS a,
         CASE WHEN i % 4 = 0 THEN NULL ELSE {'x': CASE WHEN i % 3 = 0 THEN NULL ELSE i END, 'y': 'n' || i} END AS s,
         CASE WHEN i % 6 = 0 THEN NULL ELSE MAP {'k' || i: i::BIGINT, 'z': NULL} END AS m,
         [{'p': i / 2, 'q': ['a', NULL]}, NULL] AS n
       FROM range(5000) t(i)`,
      path.join(tableDir, 'data.parquet'),
      1500,
    );
  });

  const columns: Field[] = [
    field('id', T.bigint),
    field('a', T.array(T.bigint)),
    field('s', { kind: 'struct', fields: [field('x', T.bigint), field('y', T.string)] }),
    field('m', { kind: 'map', key: T.string, value: T.bigint, valueContainsNull: true }),
    field('n', T.array({ kind: 'struct', fields: [field('p', T.double), field('q', T.array(T.string))] })),
  ];

  function expected(i: number): Value[] {
    const b = BigInt(i);
    return [
      b,
      i % 5 === 0 ? null : i % 5 === 1 ? [] : [b, null, b * 2n],
      i % 4 === 0 ? null : [i % 3 === 0 ? null : b, `n${i}`],
      i % 6 === 0
        ? null
        : new Map<Value, Value>([
            [`k${i}`, b],
            ['z', null],
          ]),
      [[i / 2, ['a', null]], null],
    ];
  }

  it('derives the nested types from the file', () => {
    const footer = readParquetFooter(path.join(tableDir, 'data.parquet'));
    expect(fileColumns(footer.metadata).map((c) => c.type)).toEqual(columns.map((f) => f.type));
  });

  it('reads lists, structs and key_value maps', async () => {
    const got = await readRows(parquetDef(tableDir, columns), { targetPartitions: 2 });
    expect(got.length).toBe(5000);
    expect(plain(got)).toEqual(plain(Array.from({ length: 5000 }, (_, i) => expected(i))));
  });

  it('reads struct fields by name, a field the file lacks as NULL', async () => {
    const renamed: Field[] = [
      field('S', { kind: 'struct', fields: [field('Y', T.string), field('w', T.int)] }),
    ];
    const got = await readRows(parquetDef(tableDir, renamed), { limit: 3 });
    expect(got).toEqual([[null], [['n1', null]], [['n2', null]]]);
  });

  it('rejects a nested column declared with an element it cannot be read as', async () => {
    const wrong: Field[] = [field('a', T.array(T.int))];
    await expect(readRows(parquetDef(tableDir, wrong))).rejects.toMatchObject({ sqlstate: '42K09' });
  });
});

describe('Spark types of nested Parquet schemas', () => {
  /** The type of the one column of a file whose schema (below the root) is `elements`. */
  function typeOf(elements: SchemaElement[]): DataType | null {
    const metadata = {
      version: 1,
      schema: [{ name: 'root', num_children: 1 }, ...elements],
      num_rows: 0n,
      row_groups: [],
      metadata_length: 0,
    } as unknown as FileMetaData;
    return fileColumns(metadata)[0]!.type;
  }

  it('reads a two-level list whose repeated field is the element', () => {
    expect(
      typeOf([
        { name: 'a', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
        { name: 'array', repetition_type: 'REPEATED', type: 'INT32' },
      ]),
    ).toEqual({ kind: 'array', element: T.int, containsNull: false });
  });

  it('reads a repeated group named array or <list>_tuple as a struct element', () => {
    for (const name of ['array', 'a_tuple']) {
      expect(
        typeOf([
          { name: 'a', repetition_type: 'OPTIONAL', converted_type: 'LIST', num_children: 1 },
          { name, repetition_type: 'REPEATED', num_children: 1 },
          { name: 'v', repetition_type: 'OPTIONAL', type: 'BYTE_ARRAY', converted_type: 'UTF8' },
        ]),
      ).toEqual({
        kind: 'array',
        element: { kind: 'struct', fields: [field('v', T.string)] },
        containsNull: false,
      });
    }
  });

  it('reads a bare repeated field as an array of non-null values', () => {
    expect(typeOf([{ name: 'r', repetition_type: 'REPEATED', type: 'INT64' }])).toEqual({
      kind: 'array',
      element: T.bigint,
      containsNull: false,
    });
  });

  it('reads a MAP_KEY_VALUE map with a required value', () => {
    expect(
      typeOf([
        { name: 'm', repetition_type: 'OPTIONAL', converted_type: 'MAP_KEY_VALUE', num_children: 1 },
        { name: 'map', repetition_type: 'REPEATED', num_children: 2 },
        { name: 'key', repetition_type: 'REQUIRED', type: 'INT32' },
        { name: 'value', repetition_type: 'REQUIRED', type: 'DOUBLE' },
      ]),
    ).toEqual({ kind: 'map', key: T.int, value: T.double, valueContainsNull: false });
  });

  it('has no type for a nested column holding an unreadable type', () => {
    expect(
      typeOf([
        { name: 's', repetition_type: 'OPTIONAL', num_children: 1 },
        {
          name: 't',
          repetition_type: 'OPTIONAL',
          type: 'FIXED_LEN_BYTE_ARRAY',
          type_length: 16,
          logical_type: { type: 'UUID' },
        },
      ]),
    ).toBeNull();
  });
});
