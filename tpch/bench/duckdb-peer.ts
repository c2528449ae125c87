/**
 * DuckDB (`@duckdb/node-api`, a devDependency loaded on demand) over the same files as the engine:
 * each table a view over read_parquet, or over read_csv with the .tbl options and the column
 * types of tpch/schema.ts — so both systems parse the same bytes on every query.
 */
import type * as DuckDb from '@duckdb/node-api';
import { EngineError, SqlState } from '../../src/index.ts';
import { TPCH_TABLES, TPCH_TABLE_NAMES, type TpchTable } from '../schema.ts';
import { numberText, type DataFormat, type TableFiles, type TextResult } from '../run/index.ts';
import type { Peer } from './peer.ts';

type DuckDbModule = typeof DuckDb;

async function loadDuckDb(): Promise<DuckDbModule> {
  try {
    return await import('@duckdb/node-api');
  } catch (err) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `DuckDB is not installed (${(err as Error).message.split('\n')[0]}); ` +
        'it is a devDependency: run `npm ci` without --omit=dev, or leave out --vs duckdb',
    );
  }
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

/** `bigint` → BIGINT, `string` → VARCHAR, `decimal(15,2)` → DECIMAL(15,2), … */
function duckType(sparkType: string): string {
  return sparkType === 'string' ? 'VARCHAR' : sparkType.toUpperCase();
}

/** The SELECT a table's view runs over its file. */
export function duckDbSource(table: TpchTable, file: string, format: DataFormat): string {
  switch (format) {
    case 'parquet':
      return `SELECT * FROM read_parquet(${sqlString(file.endsWith('.parquet') ? file : `${file}/*.parquet`)})`;
    case 'tbl': {
      const columns = TPCH_TABLES[table]
        .map((c) => {
          const [name, type] = c.split(' ') as [string, string];
          return `${sqlString(name)}: ${sqlString(duckType(type))}`;
        })
        .join(', ');
      return (
        `SELECT * FROM read_csv(${sqlString(file)}, delim = '|', header = false, quote = '', ` +
        `escape = '', auto_detect = false, null_padding = true, columns = {${columns}})`
      );
    }
  }
}

/** A DuckDB value as text in the comparison's terms. */
export function duckDbText(value: unknown): string {
  if (value === null || value === undefined) return 'NULL';
  if (typeof value === 'number') return numberText(value);
  if (typeof value === 'object') return (value as { toString(): string }).toString();
  if (typeof value === 'string') return value;
  if (typeof value === 'bigint' || typeof value === 'boolean') return String(value);
  return typeof value;
}

/**
 * DuckDB over the same files: each table a view of them, or with `inMemory` a table loaded from
 * them into DuckDB's memory (what Kindling's CACHE TABLE is measured against).
 */
export async function openDuckDb(
  files: TableFiles,
  format: DataFormat,
  threads: number,
  inMemory = false,
): Promise<Peer> {
  const duckdb = await loadDuckDb();
  const instance = await duckdb.DuckDBInstance.create(':memory:', { threads: String(threads) });
  const connection = await instance.connect();
  for (const table of TPCH_TABLE_NAMES) {
    const kind = inMemory ? 'TABLE' : 'VIEW';
    await connection.run(`CREATE ${kind} ${table} AS ${duckDbSource(table, files[table], format)}`);
  }
  return {
    name: 'duckdb',
    execute: async (sql): Promise<TextResult> => {
      const reader = await connection.runAndReadAll(sql);
      return {
        columns: reader.columnNames(),
        rows: reader.getRows().map((row) => row.map(duckDbText)),
      };
    },
    close: () => {
      connection.closeSync();
      instance.closeSync();
      return Promise.resolve();
    },
  };
}
