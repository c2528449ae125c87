/**
 * PostgreSQL as a second peer (`--vs-pg URL`): the eight tables in schema `tpch_sf<N>`, loaded with
 * COPY from the same .tbl files unless they already hold the files' row counts, with TPC-H's
 * primary keys and indexes on the foreign keys and the dates the queries filter on (as a
 * PostgreSQL user would set them up); then ANALYZE. Values come back as PostgreSQL's text.
 */
import { createReadStream } from 'node:fs';
import { createGunzip } from 'node:zlib';
import type { Client as PgClient } from 'pg';
import { EngineError, SqlState } from '../../src/index.ts';
import { TPCH_TABLES, TPCH_TABLE_NAMES } from '../schema.ts';
import { numberText, tpchDatabase, type TableFiles, type TextResult } from '../run/index.ts';
import { CopyFromFile } from './pg-copy.ts';
import type { Peer } from './peer.ts';

/** TPC-H's primary keys. */
const PRIMARY_KEYS: Readonly<Record<string, string>> = {
  region: 'r_regionkey',
  nation: 'n_nationkey',
  part: 'p_partkey',
  supplier: 's_suppkey',
  partsupp: 'ps_partkey, ps_suppkey',
  customer: 'c_custkey',
  orders: 'o_orderkey',
  lineitem: 'l_orderkey, l_linenumber',
};

/** Indexes on the foreign keys and the filtered dates. */
const INDEXES: readonly (readonly [string, string])[] = [
  ['nation', 'n_regionkey'],
  ['supplier', 's_nationkey'],
  ['customer', 'c_nationkey'],
  ['partsupp', 'ps_suppkey'],
  ['orders', 'o_custkey'],
  ['orders', 'o_orderdate'],
  ['lineitem', 'l_partkey'],
  ['lineitem', 'l_suppkey'],
  ['lineitem', 'l_shipdate'],
];

async function ensureKeys(
  client: PgClient,
  schema: string,
  log: (message: string) => void,
): Promise<boolean> {
  let changed = false;
  for (const [table, key] of Object.entries(PRIMARY_KEYS)) {
    const { rows } = await client.query<{ n: string }>(
      `SELECT count(*) AS n FROM pg_constraint WHERE conrelid = '${schema}.${table}'::regclass AND contype = 'p'`,
    );
    if (Number(rows[0]?.n) > 0) continue;
    log(`postgres: primary key of ${table}`);
    await client.query(`ALTER TABLE ${table} ADD PRIMARY KEY (${key})`);
    changed = true;
  }
  for (const [table, column] of INDEXES) {
    const name = `${table}_${column}_idx`;
    const { rows } = await client.query<{ e: string }>(
      `SELECT to_regclass('${schema}.${name}') IS NOT NULL AS e`,
    );
    if (rows[0]?.e === 't') continue;
    log(`postgres: index on ${table}(${column})`);
    await client.query(`CREATE INDEX ${name} ON ${table} (${column})`);
    changed = true;
  }
  return changed;
}

function pgType(sparkType: string): string {
  if (sparkType === 'string') return 'text';
  if (sparkType.startsWith('decimal')) return sparkType.replace('decimal', 'numeric');
  return sparkType;
}

async function lineCount(file: string): Promise<number> {
  const raw = createReadStream(file);
  const source = file.endsWith('.gz') ? raw.pipe(createGunzip()) : raw;
  let n = 0;
  for await (const chunk of source as AsyncIterable<Buffer>) {
    let i = chunk.indexOf(10);
    while (i >= 0) {
      n++;
      i = chunk.indexOf(10, i + 1);
    }
  }
  return n;
}

function pgText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  // Every type parser returns PostgreSQL's text unchanged.
  const s = value as string;
  return /^-?[\d.]+e[-+]?\d+$/i.test(s) ? numberText(Number(s)) : s;
}

export async function openPostgres(
  url: string,
  files: TableFiles,
  sf: number,
  log: (message: string) => void,
): Promise<Peer> {
  let Client: typeof PgClient;
  try {
    Client = (await import('pg')).default.Client;
  } catch (err) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `the pg package is not installed: ${(err as Error).message}`,
    );
  }
  const raw = (v: string): string => v;
  const client = new Client({ connectionString: url, types: { getTypeParser: () => raw } });
  try {
    await client.connect();
  } catch (err) {
    throw new EngineError(
      SqlState.ioError,
      `cannot connect to PostgreSQL at ${url}: ${(err as Error).message}`,
    );
  }
  const schema = tpchDatabase(sf);
  await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
  await client.query(`SET search_path TO ${schema}`);
  let loaded = false;
  for (const table of TPCH_TABLE_NAMES) {
    const expected = await lineCount(files[table]);
    const exists = await client.query<{ e: string }>(
      `SELECT to_regclass('${schema}.${table}') IS NOT NULL AS e`,
    );
    if (exists.rows[0]?.e === 't') {
      const { rows } = await client.query<{ n: string }>(`SELECT count(*) AS n FROM ${table}`);
      if (Number(rows[0]?.n) === expected) continue;
    }
    log(`postgres: loading ${table} (${expected} rows)`);
    const columns = TPCH_TABLES[table].map((c) => {
      const [name, type] = c.split(' ') as [string, string];
      return `${name} ${pgType(type)}`;
    });
    await client.query(`DROP TABLE IF EXISTS ${table}`);
    await client.query(`CREATE TABLE ${table} (${columns.join(', ')})`);
    const copy = new CopyFromFile(`COPY ${table} FROM STDIN WITH (FORMAT text, DELIMITER '|')`, files[table]);
    void client.query(copy as never);
    await copy.done;
    loaded = true;
  }
  const keyed = await ensureKeys(client, schema, log);
  if (loaded || keyed) await client.query('ANALYZE');
  return {
    name: 'postgres',
    execute: async (sql): Promise<TextResult> => {
      const result = await client.query({ text: sql, rowMode: 'array' });
      return {
        columns: result.fields.map((f) => f.name),
        rows: (result.rows as unknown[][]).map((r) => r.map(pgText)),
      };
    },
    close: () => client.end(),
  };
}
