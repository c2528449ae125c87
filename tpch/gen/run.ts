/**
 * Manual runs: `npx node tpch/gen/run.ts --sf 1 --out /tmp/sf1 [--tables orders,lineitem]
 * [--workers 2] [--parts 1]` generates the tables and prints sizes and timings.
 */

import { parseArgs } from 'node:util';
import { TABLE_NAMES, generateTable, type TableName } from './index.ts';

const { values } = parseArgs({
  options: {
    sf: { type: 'string', default: '1' },
    out: { type: 'string', default: 'tpch-data' },
    tables: { type: 'string' },
    workers: { type: 'string' },
    parts: { type: 'string', default: '1' },
  },
});

const tables = (values.tables?.split(',') ?? TABLE_NAMES) as TableName[];
for (const t of tables) {
  if (!(TABLE_NAMES as readonly string[]).includes(t)) throw new RangeError(`unknown table ${t}`);
}
const sf = Number(values.sf);
const started = performance.now();
for (const table of tables) {
  const t0 = performance.now();
  const files = await generateTable(table, sf, {
    out: values.out,
    parts: Number(values.parts),
    ...(values.workers === undefined ? {} : { workers: Number(values.workers) }),
  });
  const bytes = files.reduce((sum, f) => sum + f.bytes, 0);
  const ms = performance.now() - t0;
  console.log(`${table}: ${(bytes / 1e6).toFixed(1)} MB in ${(ms / 1000).toFixed(2)} s`);
}
console.log(`total: ${((performance.now() - started) / 1000).toFixed(2)} s`);
