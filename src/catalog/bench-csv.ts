/**
 * Benchmark (not a test): reads TPC-H lineitem through the CSV provider and prints rows/s for all
 * columns and for a 4-column projection, on one partition (one core).
 *
 *   npx node src/catalog/bench-csv.ts [path/to/lineitem.tbl(.gz)] [partitions]
 */
import * as fs from 'node:fs';
import * as zlib from 'node:zlib';
import type { TableDefinition } from './types.ts';
import { CsvTableProvider } from './csv/csv-table-provider.ts';
import { LINEITEM_COLUMNS } from './tpch-lineitem.ts';

const file = process.argv[2] ?? '/work/shared/tpch/data/sf0.1/lineitem.tbl.gz';
const targetPartitions = Number(process.argv[3] ?? '1');

const def: TableDefinition = {
  database: 'default',
  name: 'lineitem',
  columns: LINEITEM_COLUMNS,
  format: 'csv',
  location: file,
  options: { sep: '|' },
  partitionColumns: [],
  external: true,
  comment: null,
  properties: {},
  createdAt: new Date().toISOString(),
};

async function run(label: string, projection: number[] | null): Promise<void> {
  const provider = new CsvTableProvider(def);
  const scan = provider.scan({ projection, filters: [], limit: null, targetPartitions });
  const start = performance.now();
  const cpuStart = process.cpuUsage();
  const counts = await Promise.all(
    Array.from({ length: scan.partitions }, async (_, p) => {
      let rows = 0;
      for await (const batch of scan.open(p, { signal: new AbortController().signal, batchSize: 8192 })) {
        rows += batch.numRows;
      }
      return rows;
    }),
  );
  const ms = performance.now() - start;
  const cpu = process.cpuUsage(cpuStart);
  const cpuMs = (cpu.user + cpu.system) / 1000;
  const rows = counts.reduce((a, b) => a + b, 0);
  console.log(
    `${label.padEnd(24)} ${rows} rows in ${ms.toFixed(0)} ms = ${(((rows / ms) * 1000) / 1e6).toFixed(2)} M rows/s` +
      ` (process CPU ${cpuMs.toFixed(0)} ms = ${(((rows / cpuMs) * 1000) / 1e6).toFixed(2)} M rows per CPU-second)`,
  );
}

/**
 * Machine-speed reference: the bare minimum loop (find every separator and line end) over the same
 * bytes. On a busy machine both numbers slow down together, so their ratio is the stable figure.
 */
function referenceScan(): void {
  const raw = fs.readFileSync(file);
  const bytes = new Uint8Array(file.endsWith('.gz') ? zlib.gunzipSync(raw) : raw);
  let best = Infinity;
  for (let round = 0; round < 3; round++) {
    const start = performance.now();
    let fields = 0;
    let p = 0;
    const end = bytes.length;
    while (p < end) {
      while (p < end) {
        const c = bytes[p]!;
        if (c === 124 || c === 10) break;
        p++;
      }
      fields++;
      p++;
    }
    best = Math.min(best, performance.now() - start);
    if (fields === 0) console.log('empty file');
  }
  console.log(
    `reference: a bare separator-scanning loop over the ${bytes.length} bytes takes ${best.toFixed(0)} ms`,
  );
}

referenceScan();
for (let round = 0; round < 3; round++) {
  await run('all 16 columns', null);
  await run('4 columns (q6-like)', [4, 5, 6, 10]);
  if (process.env.BENCH_EMPTY) await run('no columns', []);
}
