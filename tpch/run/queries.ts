/**
 * The 22 TPC-H query texts (validation parameters, one statement each). The one copy lives in
 * test/data/tpch/queries; the CLI, the benchmark and the tests all read it from there.
 */
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const QUERY_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../test/data/tpch/queries');

/** Q11's FRACTION as the query files hold it: the validation value, 0.0001 / SF at SF1. */
const Q11_VALIDATION_FRACTION = '0.0001000000';

/**
 * The text of query `n` (1–22), without its trailing semicolon. With `sf`, the parameters that
 * the specification scales with the data take that scale factor's value (Q11's FRACTION =
 * 0.0001 / SF, printed with ten decimals as qgen does), so the answer stays meaningful at every
 * scale; without it, the validation parameters (those of the reference answer files).
 */
export function queryText(n: number, sf?: number): string {
  const text = readFileSync(join(QUERY_DIR, `q${String(n).padStart(2, '0')}.sql`), 'utf8');
  const sql = text.trim().replace(/;\s*$/, '');
  if (n !== 11 || sf === undefined) return sql;
  if (!sql.includes(Q11_VALIDATION_FRACTION))
    throw new Error(`q11.sql no longer holds ${Q11_VALIDATION_FRACTION}`);
  return sql.replace(Q11_VALIDATION_FRACTION, q11Fraction(sf));
}

/** Q11's FRACTION at scale factor `sf`: 0.0001 / SF with ten decimals (`0.0000033333` at SF30). */
export function q11Fraction(sf: number): string {
  return (0.0001 / sf).toFixed(10);
}
