/**
 * Parser micro-benchmark (not a test): parses the 22 TPC-H queries and prints µs per query.
 * Run with `npx node src/sql/parser/bench.ts`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseStatements } from './index.ts';

const dir = '/work/shared/tpch/queries';
const files = readdirSync(dir)
  .filter((f) => f.endsWith('.sql'))
  .sort();
const queries = files.map((f) => ({ name: f, sql: readFileSync(join(dir, f), 'utf8') }));

const warmup = 200;
const rounds = 2000;
for (let i = 0; i < warmup; i++) for (const q of queries) parseStatements(q.sql);

let total = 0;
for (const q of queries) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < rounds; i++) parseStatements(q.sql);
  const micros = Number(process.hrtime.bigint() - start) / 1000 / rounds;
  total += micros;
  console.log(`${q.name.padEnd(8)} ${micros.toFixed(1).padStart(8)} µs  (${q.sql.length} chars)`);
}
console.log(`mean     ${(total / queries.length).toFixed(1).padStart(8)} µs per query`);
