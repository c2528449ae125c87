/**
 * Manual runs: `npx node tpch/gen/run.ts --sf 1 --out /tmp/sf1 [--format tbl|parquet]
 * [--compression zstd|gzip|none] [--tables orders,lineitem] [--workers 2] [--parts 1]` generates
 * the tables in one run (one worker pool) and prints, per table, when it was complete, its size
 * and rows.
 */

import { parseArgs } from 'node:util';
import {
  TABLE_NAMES,
  generateTables,
  type OutputFormat,
  type ParquetCompression,
  type TableName,
} from './index.ts';

const { values } = parseArgs({
  options: {
    sf: { type: 'string', default: '1' },
    out: { type: 'string', default: 'tpch-data' },
    format: { type: 'string', default: 'tbl' },
    compression: { type: 'string' },
    tables: { type: 'string' },
    workers: { type: 'string' },
    parts: { type: 'string', default: '1' },
  },
});

const tables = (values.tables?.split(',') ?? TABLE_NAMES) as TableName[];
const started = performance.now();
const seconds = (): string => ((performance.now() - started) / 1000).toFixed(2);
const finished = new Map<string, string>();
const files = await generateTables(tables, Number(values.sf), {
  out: values.out,
  format: values.format as OutputFormat,
  parts: Number(values.parts),
  ...(values.compression === undefined ? {} : { compression: values.compression as ParquetCompression }),
  ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
  onProgress: (table, done, total) => {
    if (done === total) finished.set(table, seconds());
  },
});
for (const table of tables) {
  const mine = files.filter((f) => f.table === table);
  const bytes = mine.reduce((sum, f) => sum + f.bytes, 0);
  const rows = mine.reduce((sum, f) => sum + f.rows, 0);
  console.log(
    `${table}: ${rows} rows, ${(bytes / 1e6).toFixed(1)} MB in ${mine.length} file(s), done at ${finished.get(table)} s`,
  );
}
console.log(`total: ${seconds()} s`);
