/**
 * TPC-H through the wire: the official dbgen data at SF0.01 and SF0.1 registered as CSV tables,
 * every query sent by psql to a Kindling server, and the rows compared with the reference answers
 * (test/data/tpch, copied from the TPC-H reference material).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine, engineSessions, startServer } from '../../src/index.ts';
import { compareAnswer, parseAnswer } from '../../tpch/answers.ts';
import { TPCH_TABLE_NAMES, createTpchTableSql } from '../../tpch/schema.ts';
import { psqlRows } from './psql-rows.ts';

const DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../data/tpch');

/** Queries this build answers; the rest are listed in the issue tracker's note until they pass. */
export const TPCH_QUERIES = Array.from({ length: 22 }, (_, i) => i + 1);

const SCALES = [
  { name: 'sf0.01', database: 'tpch_sf0_01', file: (t: string) => join(DATA, 'sf0.01', `${t}.tbl`) },
  { name: 'sf0.1', database: 'tpch_sf0_1', file: (t: string) => join(DATA, 'sf0.1', `${t}.tbl.gz`) },
];

let warehouse = '';
let server: Awaited<ReturnType<typeof startServer>> | undefined;

beforeAll(async () => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-tpch-'));
  const engine = new Engine({ warehouse, allowedPaths: [warehouse, DATA] });
  const session = engine.createSession();
  for (const scale of SCALES) {
    await session.sql(`CREATE DATABASE ${scale.database}`);
    for (const t of TPCH_TABLE_NAMES) await session.sql(createTpchTableSql(t, scale.file(t), scale.database));
  }
  session.close();
  server = await startServer({
    host: '127.0.0.1',
    port: 0,
    createSession: engineSessions(engine),
  });
});

afterAll(async () => {
  await server?.close();
  rmSync(warehouse, { recursive: true, force: true });
});

describe.each(SCALES)('TPC-H $name through psql', (scale) => {
  it.each(TPCH_QUERIES)('Q%i', async (q) => {
    const file = join(DATA, 'queries', `q${String(q).padStart(2, '0')}.sql`);
    const answer = parseAnswer(readFileSync(join(DATA, 'answers', scale.name, `q${q}.out`), 'utf8'));
    const rows = await psqlRows(server!.port, scale.database, file);
    expect(compareAnswer(answer, rows, q)).toEqual([]);
  });
});
