/**
 * Benchmark: decode time of a DuckDB-written 1M-row, 16-column lineitem-like Parquet file through
 * the provider (all columns vs 3 columns, 1 and 2 partitions, and a pruned scan).
 * Run: `npx node src/catalog/parquet/bench-parquet.ts [rows]`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { T, field } from '../../common/index.ts';
import { ParquetTableProvider } from './parquet-table-provider.ts';
import { cmp, col, lit, parquetDef, tempDir, writeParquet } from './parquet-test-support.ts';
import type { Expr } from '../../plan/index.ts';

const rows = Number(process.argv[2] ?? 1_000_000);
const dir = tempDir('kindling-parquet-bench-');
const file = path.join(dir, 'lineitem.parquet');
await writeParquet(
  `SELECT (i // 4)::BIGINT AS l_orderkey, (i % 200000)::BIGINT AS l_partkey, (i % 10000)::BIGINT AS l_suppkey,
     (i % 4 + 1)::INT AS l_linenumber, ((i % 50) + 1)::DECIMAL(15,2) AS l_quantity,
     ((i % 100000) * 1.01)::DECIMAL(15,2) AS l_extendedprice, ((i % 11) / 100)::DECIMAL(15,2) AS l_discount,
     ((i % 9) / 100)::DECIMAL(15,2) AS l_tax, CASE WHEN i % 3 = 0 THEN 'R' ELSE 'N' END AS l_returnflag,
     CASE WHEN i % 2 = 0 THEN 'O' ELSE 'F' END AS l_linestatus, DATE '1992-01-01' + (i * 2557 // ${rows})::INT AS l_shipdate,
     DATE '1992-01-01' + (i % 2557)::INT AS l_commitdate, DATE '1992-01-01' + ((i + 30) % 2557)::INT AS l_receiptdate,
     'DELIVER IN PERSON' AS l_shipinstruct, 'TRUCK' AS l_shipmode, 'comment number ' || (i % 5000) AS l_comment
   FROM range(${rows}) r(i)`,
  file,
  122880,
);
const columns = [
  field('l_orderkey', T.bigint),
  field('l_partkey', T.bigint),
  field('l_suppkey', T.bigint),
  field('l_linenumber', T.int),
  field('l_quantity', T.decimal(15, 2)),
  field('l_extendedprice', T.decimal(15, 2)),
  field('l_discount', T.decimal(15, 2)),
  field('l_tax', T.decimal(15, 2)),
  field('l_returnflag', T.string),
  field('l_linestatus', T.string),
  field('l_shipdate', T.date),
  field('l_commitdate', T.date),
  field('l_receiptdate', T.date),
  field('l_shipinstruct', T.string),
  field('l_shipmode', T.string),
  field('l_comment', T.string),
];
const provider = new ParquetTableProvider(parquetDef(file, columns, [], 'lineitem'));

async function run(
  label: string,
  projection: number[] | null,
  partitions: number,
  filters: Expr[] = [],
): Promise<void> {
  const times: number[] = [];
  let count = 0;
  for (let r = 0; r < 4; r++) {
    const t0 = performance.now();
    const scan = provider.scan({ projection, filters, limit: null, targetPartitions: partitions });
    count = 0;
    await Promise.all(
      Array.from({ length: scan.partitions }, async (_, p) => {
        for await (const b of scan.open(p, { signal: new AbortController().signal, batchSize: 8192 }))
          count += b.numRows;
      }),
    );
    times.push(performance.now() - t0);
    if (r === 0) console.log(`  ${scan.describe()}`);
  }
  times.sort((a, b) => a - b);
  console.log(
    `${label}: ${count} rows, median of warm runs ${times[1]!.toFixed(0)} ms (best ${times[0]!.toFixed(0)} ms)`,
  );
}

console.log(`file: ${(fs.statSync(file).size / 1e6).toFixed(1)} MB, ${rows} rows`);
await run('all 16 columns, 1 partition', null, 1);
await run('3 columns, 1 partition', [4, 5, 10], 1);
await run('3 columns, 2 partitions', [4, 5, 10], 2);
const shipdate = col('l_shipdate', T.date);
await run("3 columns, l_shipdate >= '1998-01-01'", [4, 5, 10], 1, [
  cmp('>=', shipdate, lit(Date.UTC(1998, 0, 1) / 86_400_000, T.date)),
]);
fs.rmSync(dir, { recursive: true, force: true });
