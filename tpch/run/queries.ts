/**
 * The 22 TPC-H query texts (validation parameters, one statement each). The one copy lives in
 * test/data/tpch/queries; the CLI, the benchmark and the tests all read it from there.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const QUERY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/data/tpch/queries');

/** The text of query `n` (1–22), without its trailing semicolon. */
export function queryText(n: number): string {
  const text = readFileSync(join(QUERY_DIR, `q${String(n).padStart(2, '0')}.sql`), 'utf8');
  return text.trim().replace(/;\s*$/, '');
}
