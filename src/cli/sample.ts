/**
 * The sample database a new user can query at once: TPC-H at scale factor 0.01 (the official dbgen
 * data the project carries), copied into the warehouse (`_kindling_data/tpch_sample/`, where SQL may
 * read it) and registered as database `tpch` when the warehouse is empty.
 */
import { copyFileSync, existsSync, mkdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Session } from '../session/index.ts';
import { TPCH_TABLE_NAMES, createTpchTableSql } from '../../tpch/schema.ts';

export const SAMPLE_DATA_DIR = resolve(
  dirname(fileURLToPath(import.meta.url)),
  '../../test/data/tpch/sf0.01',
);

/** True when the warehouse has no tables in any database. */
export function warehouseIsEmpty(session: Session): boolean {
  const metastore = session.engine.metastore;
  return metastore.listDatabases().every((d) => metastore.listTables(d.name).length === 0);
}

/** Registers database `tpch` over the SF0.01 sample files; returns false if they are missing. */
export async function registerSampleDatabase(session: Session): Promise<boolean> {
  if (!existsSync(join(SAMPLE_DATA_DIR, 'lineitem.tbl'))) return false;
  const dir = join(session.engine.warehouse, '_kindling_data', 'tpch_sample');
  mkdirSync(dir, { recursive: true });
  for (const table of TPCH_TABLE_NAMES)
    copyFileSync(join(SAMPLE_DATA_DIR, `${table}.tbl`), join(dir, `${table}.tbl`));
  await session.sql('CREATE DATABASE IF NOT EXISTS tpch');
  for (const table of TPCH_TABLE_NAMES) {
    await session.sql(createTpchTableSql(table, join(dir, `${table}.tbl`), 'tpch'));
  }
  return true;
}
