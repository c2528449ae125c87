/**
 * TPC-H data folders: finding complete data (a manifest written last, or one file per table),
 * and generating it atomically — into a temporary folder whose files are moved in before the
 * manifest is written, so a folder is either complete or ignored.
 */
import { existsSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { EngineError, SqlState, makeDirectories } from '../../src/index.ts';
import { TABLE_NAMES, type TableName } from '../gen/index.ts';
import { generateData, type GenerateDataOptions, type TableFiles } from './generate-data.ts';
import type { DataFormat } from './options.ts';

interface Manifest {
  readonly sf: number;
  readonly format: DataFormat;
  readonly tables: Readonly<Record<string, string>>;
}

export function manifestPath(dir: string, format: DataFormat): string {
  return join(dir, `_kindling_tpch_${format}.json`);
}

function readManifest(dir: string, format: DataFormat, sf: number | undefined): TableFiles | undefined {
  const path = manifestPath(dir, format);
  if (!existsSync(path)) return undefined;
  let manifest: Manifest;
  try {
    manifest = JSON.parse(readFileSync(path, 'utf8')) as Manifest;
  } catch {
    return undefined;
  }
  if (manifest.format !== format || (sf !== undefined && manifest.sf !== sf)) return undefined;
  const files: Partial<Record<TableName, string>> = {};
  for (const table of TABLE_NAMES) {
    const name = manifest.tables[table];
    if (name === undefined || !existsSync(join(dir, name))) return undefined;
    files[table] = join(dir, name);
  }
  return files as TableFiles;
}

/** A table's file or folder in `dir`: `<t>.tbl`, `<t>.tbl.gz`; `<t>.parquet` or `<t>/*.parquet`. */
function locate(dir: string, table: TableName, format: DataFormat): string | undefined {
  const candidates = format === 'tbl' ? [`${table}.tbl`, `${table}.tbl.gz`] : [`${table}.parquet`];
  for (const name of candidates) if (existsSync(join(dir, name))) return join(dir, name);
  if (format === 'parquet') {
    const folder = join(dir, table);
    if (
      existsSync(folder) &&
      statSync(folder).isDirectory() &&
      readdirSync(folder).some((n) => n.endsWith('.parquet'))
    )
      return folder;
  }
  return undefined;
}

/** Tables of `dir` without a file in `format`. */
export function missingTables(dir: string, format: DataFormat): TableName[] {
  return TABLE_NAMES.filter((t) => locate(dir, t, format) === undefined);
}

/**
 * The table files of a complete data folder in `format` (with the scale factor `sf` when it has a
 * manifest saying so), or undefined.
 */
export function findData(dir: string, format: DataFormat, sf?: number): TableFiles | undefined {
  const abs = resolve(dir);
  const fromManifest = readManifest(abs, format, sf);
  if (fromManifest !== undefined) return fromManifest;
  if (existsSync(manifestPath(abs, format))) return undefined; // a manifest for another scale
  if (missingTables(abs, format).length > 0) return undefined;
  const files: Partial<Record<TableName, string>> = {};
  for (const table of TABLE_NAMES) files[table] = locate(abs, table, format)!;
  return files as TableFiles;
}

/** Fails with a clear message when `dir` cannot be created or written. */
export function checkWritableDir(dir: string): void {
  try {
    makeDirectories(dir);
    const probe = join(dir, `.kindling-write-test-${process.pid}`);
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (err) {
    throw new EngineError(SqlState.ioError, `cannot write to '${dir}': ${(err as Error).message}`);
  }
}

export interface EnsureResult {
  readonly files: TableFiles;
  /** False when complete data was already there. */
  readonly generated: boolean;
}

/**
 * Makes sure `dir` holds complete TPC-H data at `sf` in `format`, generating it if needed: into
 * `dir/.partial-…`, then moved in, then the manifest. Existing files of other formats stay.
 */
export async function ensureData(
  dir: string,
  sf: number,
  format: DataFormat,
  options: GenerateDataOptions & { readonly force?: boolean } = {},
): Promise<EnsureResult> {
  const abs = resolve(dir);
  const existing = options.force === true ? undefined : readManifest(abs, format, sf);
  if (existing !== undefined) return { files: existing, generated: false };
  checkWritableDir(abs);
  const partial = join(abs, `.partial-${format}-${process.pid}-${Date.now()}`);
  try {
    const generated = await generateData(partial, sf, format, options);
    const files: Partial<Record<TableName, string>> = {};
    const names: Record<string, string> = {};
    // A stale manifest (another scale factor) must not vouch for the folder while files move in.
    rmSync(manifestPath(abs, format), { force: true });
    for (const table of TABLE_NAMES) {
      const name = basename(generated[table]);
      rmSync(join(abs, name), { recursive: true, force: true });
      renameSync(generated[table], join(abs, name));
      files[table] = join(abs, name);
      names[table] = name;
    }
    const manifest: Manifest = { sf, format, tables: names };
    const tmp = `${manifestPath(abs, format)}.tmp-${process.pid}`;
    writeFileSync(tmp, `${JSON.stringify(manifest, null, 2)}\n`);
    renameSync(tmp, manifestPath(abs, format));
    return { files: files as TableFiles, generated: true };
  } finally {
    rmSync(partial, { recursive: true, force: true });
  }
}
