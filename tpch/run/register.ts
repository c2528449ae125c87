/**
 * Registering TPC-H data as a database of eight tables, all or nothing: the tables are created,
 * each is read once as a sanity check, and on any failure every table of the eight is dropped
 * again (and the database too if this call created it).
 */
import { EngineError, SqlState, type Session } from '../../src/index.ts';
import { TPCH_TABLES, TPCH_TABLE_NAMES, createTpchTableSql, type TpchTable } from '../schema.ts';
import type { DataFormat } from './options.ts';

function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** The CREATE TABLE statement of one table over its file. */
export function tableDdl(table: TpchTable, location: string, format: DataFormat, database: string): string {
  switch (format) {
    case 'tbl':
      return createTpchTableSql(table, location, database);
    case 'parquet':
      return (
        `CREATE TABLE ${database}.${table} (${TPCH_TABLES[table].join(', ')}) ` +
        `USING parquet LOCATION ${sqlString(location)}`
      );
  }
}

async function databaseExists(session: Session, database: string): Promise<boolean> {
  const { rows } = await session.sql('SHOW DATABASES');
  return rows.some((r) => typeof r[0] === 'string' && r[0].toLowerCase() === database.toLowerCase());
}

/** The first row's key must parse: a wrong file reads as NULLs in the CSV reader's default mode. */
async function checkReadable(session: Session, database: string, table: TpchTable): Promise<void> {
  const key = TPCH_TABLES[table][0].split(' ')[0]!;
  const { rows } = await session.sql(`SELECT ${key} FROM ${database}.${table} LIMIT 1`);
  if (rows.length === 0 || rows[0]![0] === null) {
    throw new EngineError(
      SqlState.dataException,
      `${database}.${table} does not look like TPC-H data: its first row has no ${key}`,
    );
  }
}

/** Drops the eight tables of `database` that exist; errors are ignored (best effort). */
export async function dropTpchTables(session: Session, database: string): Promise<void> {
  for (const table of TPCH_TABLE_NAMES) {
    try {
      await session.sql(`DROP TABLE IF EXISTS ${database}.${table}`);
    } catch {
      // Keep dropping the others.
    }
  }
}

/** Registers `database` with the eight tables over `files`; all or nothing. */
export async function registerTpch(
  session: Session,
  database: string,
  files: Readonly<Record<TpchTable, string>>,
  format: DataFormat,
): Promise<void> {
  const created = !(await databaseExists(session, database));
  await session.sql(`CREATE DATABASE IF NOT EXISTS ${database}`);
  try {
    for (const table of TPCH_TABLE_NAMES) {
      await session.sql(`DROP TABLE IF EXISTS ${database}.${table}`);
      await session.sql(tableDdl(table, files[table], format, database));
    }
    for (const table of TPCH_TABLE_NAMES) await checkReadable(session, database, table);
  } catch (err) {
    await dropTpchTables(session, database);
    if (created) {
      try {
        await session.sql(`DROP DATABASE IF EXISTS ${database}`);
      } catch {
        // The tables are gone; an empty database left behind is harmless.
      }
    }
    throw err;
  }
}
