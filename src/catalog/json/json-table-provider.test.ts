import * as fs from 'node:fs';
import * as path from 'node:path';
import * as zlib from 'node:zlib';
import { afterEach, describe, expect, it } from 'vitest';
import {
  EngineError,
  T,
  batchRows,
  field,
  makeBatch,
  schema,
  columnFromValues,
  type DataType,
  type Field,
  type Value,
} from '../../common/index.ts';
import { csvDef, tempDir, writeFile } from '../csv/csv-test-support.ts';
import type { TableDefinition } from '../types.ts';
import { JsonFileWriter } from './json-file-writer.ts';
import { inferJsonSchema } from './json-infer-schema.ts';
import { JsonTableProvider, type JsonReaderTuning } from './json-table-provider.ts';

const dirs: string[] = [];
function dir(): string {
  const d = tempDir('kindling-json-');
  dirs.push(d);
  return d;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

function jsonDef(
  location: string,
  columns: readonly Field[],
  options: Record<string, string> = {},
  partitionColumns: readonly string[] = [],
): TableDefinition {
  return { ...csvDef(location, columns, options, partitionColumns), format: 'json' };
}

interface ReadOptions extends JsonReaderTuning {
  readonly projection?: readonly number[];
  readonly limit?: number;
  readonly targetPartitions?: number;
  readonly batchSize?: number;
}

async function readRows(def: TableDefinition, opts: ReadOptions = {}): Promise<Value[][]> {
  const tuning: { chunkSize?: number; minSplitBytes?: number } = {};
  if (opts.chunkSize !== undefined) tuning.chunkSize = opts.chunkSize;
  if (opts.minSplitBytes !== undefined) tuning.minSplitBytes = opts.minSplitBytes;
  const scan = new JsonTableProvider(def, tuning).scan({
    projection: opts.projection ?? null,
    filters: [],
    limit: opts.limit ?? null,
    targetPartitions: opts.targetPartitions ?? 1,
  });
  const types = scan.schema.fields.map((f) => f.type);
  const rows: Value[][] = [];
  for (let p = 0; p < scan.partitions; p++) {
    for await (const batch of scan.open(p, {
      signal: new AbortController().signal,
      batchSize: opts.batchSize ?? 1024,
    })) {
      expect(batch.numRows).toBeLessThanOrEqual(opts.batchSize ?? 1024);
      rows.push(...batchRows(batch, types));
    }
  }
  return rows;
}

const AB = [field('a', T.bigint), field('b', T.string)];

describe('JsonTableProvider', () => {
  it('reads JSON Lines whatever the chunk and split sizes: every line once, in order', async () => {
    const d = dir();
    const lines = Array.from({ length: 200 }, (_, i) => JSON.stringify({ a: i, b: `v${i}é`.repeat(i % 4) }));
    writeFile(d, 'part-0.json', `\uFEFF${lines.join('\r\n')}\n`);
    const expected = lines.map((_, i) => [BigInt(i), `v${i}é`.repeat(i % 4)]);
    for (const [chunkSize, minSplitBytes, targetPartitions] of [
      [7, 100, 4],
      [1, 1, 3],
      [4096, 1 << 20, 1],
      [64, 50, 16],
    ] as const) {
      const rows = await readRows(jsonDef(d, AB), {
        chunkSize,
        minSplitBytes,
        targetPartitions,
        batchSize: 13,
      });
      expect(rows.sort((x, y) => Number((x[0] as bigint) - (y[0] as bigint)))).toEqual(expected);
    }
  });

  it('projects, stops at the limit, and skips blank lines', async () => {
    const d = dir();
    writeFile(d, 'x.json', '{"a":1,"b":"x"}\n\n   \n{"b":"y","a":2}\n{"a":3}\n');
    expect(await readRows(jsonDef(d, AB), { projection: [1, 0] })).toEqual([
      ['x', 1n],
      ['y', 2n],
      [null, 3n],
    ]);
    expect(await readRows(jsonDef(d, AB), { limit: 2 })).toEqual([
      [1n, 'x'],
      [2n, 'y'],
    ]);
  });

  it('reads partition values from the folder names', async () => {
    const d = dir();
    writeFile(d, 'p=1/part.json', '{"a":1}\n');
    writeFile(d, 'p=__HIVE_DEFAULT_PARTITION__/part.json', '{"a":2}\n');
    const def = jsonDef(d, [field('a', T.bigint), field('p', T.int)], {}, ['p']);
    expect(await readRows(def)).toEqual([
      [1n, 1],
      [2n, null],
    ]);
  });

  it('reads multiLine files and gzip files', async () => {
    const d = dir();
    writeFile(d, 'm.json', '[\n {"a": 1,\n  "b": "x"},\n {"a": 2}\n]\n');
    expect(await readRows(jsonDef(d, AB, { multiLine: 'true' }))).toEqual([
      [1n, 'x'],
      [2n, null],
    ]);
    const g = dir();
    writeFile(g, 'z.json.gz', zlib.gzipSync('{"a":5,"b":"gz"}\n'));
    expect(await readRows(jsonDef(g, AB))).toEqual([[5n, 'gz']]);
    const bad = dir();
    writeFile(bad, 'broken.json.gz', 'not gzip at all');
    await expect(readRows(jsonDef(bad, AB))).rejects.toThrow(/broken\.json\.gz/);
  });

  it('applies the parse mode, naming the file in FAILFAST errors', async () => {
    const d = dir();
    writeFile(d, 'c.json', '{"a":1}\n{"a":\n{"a":"x","b":"y"}\n');
    const withCorrupt = [...AB, field('_corrupt_record', T.string)];
    expect(await readRows(jsonDef(d, withCorrupt))).toEqual([
      [1n, null, null],
      [null, null, '{"a":'],
      [null, 'y', '{"a":"x","b":"y"}'],
    ]);
    expect(await readRows(jsonDef(d, AB, { mode: 'dropmalformed' }))).toEqual([[1n, null]]);
    const err = await readRows(jsonDef(d, AB, { mode: 'FAILFAST' })).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).sqlstate).toBe('22023');
    expect((err as EngineError).message).toContain('c.json');
  });

  it('refuses types JSON cannot hold and bad options', () => {
    const d = dir();
    expect(() => new JsonTableProvider(jsonDef(d, [field('i', T.intervalDayTime)]))).toThrow(
      /UNSUPPORTED_DATA_TYPE/,
    );
    expect(() => new JsonTableProvider(jsonDef(d, AB, { multiLine: 'maybe' }))).toThrow(EngineError);
    expect(() => new JsonTableProvider(jsonDef(d, AB, { dateFormat: 'dd/MM/yyyy' }))).toThrow(
      /JSON dateFormat/,
    );
    expect(() => new JsonTableProvider(jsonDef(d, AB, { dateFormat: 'yyyy-MM-dd' }))).not.toThrow();
  });
});

describe('JsonFileWriter', () => {
  it('writes one object per row that the provider reads back, NULL fields left out', async () => {
    const d = dir();
    const pair: DataType = { kind: 'struct', fields: [field('p', T.int), field('q', T.string)] };
    const s = schema([
      field('a', T.bigint),
      field('d', T.date),
      field('ts', T.timestamp),
      field('x', T.decimal(10, 3)),
      field('arr', T.array(pair)),
      field('m', { kind: 'map', key: T.string, value: T.double, valueContainsNull: true }),
    ]);
    const rows: Value[][] = [
      [1n, 19724, 1704164645678000n, -1500n, [[1, 'x'], null], new Map([['k', 0.5]])],
      [null, null, null, null, null, null],
    ];
    const batch = makeBatch(
      s,
      s.fields.map((f, i) =>
        columnFromValues(
          f.type,
          rows.map((r) => r[i]!),
        ),
      ),
      rows.length,
    );
    const file = path.join(d, 'part-0.json');
    const writer = await JsonFileWriter.create(file, s, {});
    await writer.write(batch);
    const { rows: written, bytes } = await writer.close();
    expect(written).toBe(2);
    const text = fs.readFileSync(file, 'utf8');
    expect(bytes).toBe(Buffer.byteLength(text));
    expect(text).toBe(
      '{"a":1,"d":"2024-01-02","ts":"2024-01-02T03:04:05.678Z","x":-1.500,"arr":[{"p":1,"q":"x"},null],"m":{"k":0.5}}\n{}\n',
    );
    expect(await readRows(jsonDef(d, s.fields))).toEqual(rows);
    // Inference reads the written file back with Spark's types.
    expect(inferJsonSchema(d, {}).map((f) => `${f.name} ${f.type.kind}`)).toEqual([
      'a bigint',
      'arr array',
      'd string',
      'm struct',
      'ts string',
      'x double',
    ]);
  });

  it('abort deletes the file', async () => {
    const d = dir();
    const file = path.join(d, 'gone.json');
    const writer = await JsonFileWriter.create(file, schema(AB), {});
    await writer.abort();
    expect(fs.existsSync(file)).toBe(false);
  });
});

describe('inferJsonSchema', () => {
  it('widens records, adds _corrupt_record for malformed ones, then partition columns', () => {
    const d = dir();
    writeFile(d, 'k=1/a.json', '{"n": 1, "s": "x"}\n{"n": 2.5}\nnot json\n');
    writeFile(d, 'k=2/b.json', '[{"n": 3, "o": {"z": null, "y": [true]}}]\n');
    expect(inferJsonSchema(d, {}).map((f) => [f.name, f.type])).toEqual([
      ['_corrupt_record', T.string],
      ['n', T.double],
      ['o', { kind: 'struct', fields: [field('y', T.array(T.boolean)), field('z', T.string)] }],
      ['s', T.string],
      ['k', T.int],
    ]);
    expect(() => inferJsonSchema(d, { mode: 'FAILFAST' })).toThrow(/MALFORMED_RECORD_IN_PARSING/);
    expect(inferJsonSchema(d, { mode: 'DROPMALFORMED' }).map((f) => f.name)).toEqual(['n', 'o', 's', 'k']);
  });

  it('reads at most the byte budget, in whole lines, of plain and gzip files', () => {
    const lines = Array.from({ length: 2000 }, (_, i) => JSON.stringify({ a: i, pad: 'x'.repeat(i % 50) }));
    // A field only the last line has, and a line the budget cuts in two: neither is seen.
    const text = `${lines.join('\n')}\n{"late": 1}\n`;
    const plain = dir();
    writeFile(plain, 'p.json', text);
    const gz = dir();
    writeFile(gz, 'g.json.gz', zlib.gzipSync(text));
    for (const d of [plain, gz]) {
      expect(inferJsonSchema(d, {}, undefined, 10_000).map((f) => f.name)).toEqual(['a', 'pad']);
      expect(inferJsonSchema(d, {}).map((f) => f.name)).toEqual(['a', 'late', 'pad']);
    }
  });

  it('cannot infer from files without objects', () => {
    const d = dir();
    writeFile(d, 'e.json', '\n\n');
    expect(() => inferJsonSchema(d, {})).toThrow(/UNABLE_TO_INFER_SCHEMA/);
  });
});
