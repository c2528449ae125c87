/**
 * Helpers for the CSV tests: temp directories, table definitions and reading a whole scan as rows.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { batchRows, type Field, type Value } from '../../common/index.ts';
import type { TableDefinition } from '../types.ts';
import { CsvTableProvider, type CsvReaderTuning } from './csv-table-provider.ts';

export function tempDir(prefix = 'kindling-csv-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function csvDef(
  location: string,
  columns: readonly Field[],
  options: Record<string, string> = {},
  partitionColumns: readonly string[] = [],
): TableDefinition {
  return {
    database: 'default',
    name: 't',
    columns,
    format: 'csv',
    location,
    options,
    partitionColumns,
    external: true,
    comment: null,
    properties: {},
    createdAt: '2024-01-01T00:00:00.000Z',
  };
}

export interface ReadOptions extends CsvReaderTuning {
  readonly projection?: readonly number[] | null;
  readonly limit?: number | null;
  readonly targetPartitions?: number;
  readonly batchSize?: number;
}

/** All rows of a scan, partitions in order. */
export async function readRows(def: TableDefinition, opts: ReadOptions = {}): Promise<Value[][]> {
  const tuning: { chunkSize?: number; minSplitBytes?: number } = {};
  if (opts.chunkSize !== undefined) tuning.chunkSize = opts.chunkSize;
  if (opts.minSplitBytes !== undefined) tuning.minSplitBytes = opts.minSplitBytes;
  const provider = new CsvTableProvider(def, tuning);
  const scan = provider.scan({
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
      rows.push(...batchRows(batch, types));
    }
  }
  return rows;
}

/** Writes `content` to `dir/name` and returns the path. */
export function writeFile(dir: string, name: string, content: string | Uint8Array): string {
  const file = path.join(dir, name);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, content);
  return file;
}
