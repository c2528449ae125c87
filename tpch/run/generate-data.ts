/**
 * Generating the eight tables with tpch/gen into one folder, with per-table progress events, and
 * each table's location: `<table>.tbl`, or the folder `<table>/` of Parquet part files. The
 * generator's option and output errors become EngineErrors (22023, 58030).
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError, SqlState } from '../../src/index.ts';
import {
  GeneratorOptionError,
  GeneratorOutputError,
  TABLE_NAMES,
  generateTables,
  type TableName,
} from '../gen/index.ts';
import type { DataFormat } from './options.ts';

export type GenerateEvent =
  | { readonly kind: 'start'; readonly table: TableName }
  /** `fraction` from 0 to 1. */
  | { readonly kind: 'progress'; readonly table: TableName; readonly fraction: number }
  | { readonly kind: 'done'; readonly table: TableName; readonly bytes: number; readonly ms: number };

export interface GenerateDataOptions {
  readonly workers?: number | undefined;
  readonly onProgress?: ((event: GenerateEvent) => void) | undefined;
}

/** The location (absolute path of a file or a folder of files) of each table. */
export type TableFiles = Readonly<Record<TableName, string>>;

/** Where the generator puts a table written with one part. */
export function generatedLocation(out: string, table: TableName, format: DataFormat): string {
  return format === 'parquet' ? join(out, table) : join(out, `${table}.tbl`);
}

/** Bytes of a file, or of the files directly in a folder. */
export function sizeOf(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.size;
  return readdirSync(path).reduce((sum, name) => sum + statSync(join(path, name)).size, 0);
}

/** Generates every table at `sf` into `out` in `format`; returns each table's location. */
export async function generateData(
  out: string,
  sf: number,
  format: DataFormat,
  options: GenerateDataOptions = {},
): Promise<TableFiles> {
  const started = new Map<TableName, number>();
  const emit = options.onProgress;
  try {
    await generateTables(TABLE_NAMES, sf, {
      out,
      format,
      ...(options.workers === undefined ? {} : { workers: options.workers }),
      onProgress: (table, done, total) => {
        if (!started.has(table)) {
          started.set(table, performance.now());
          emit?.({ kind: 'start', table });
        }
        emit?.({ kind: 'progress', table, fraction: total > 0 ? done / total : 1 });
        if (done >= total) {
          const ms = performance.now() - started.get(table)!;
          emit?.({ kind: 'done', table, bytes: sizeOf(generatedLocation(out, table, format)), ms });
        }
      },
    });
  } catch (err) {
    if (err instanceof GeneratorOptionError)
      throw new EngineError(SqlState.invalidParameterValue, err.message);
    if (err instanceof GeneratorOutputError) throw new EngineError(SqlState.ioError, err.message);
    throw err;
  }
  const files: Partial<Record<TableName, string>> = {};
  for (const table of TABLE_NAMES) files[table] = generatedLocation(out, table, format);
  return files as TableFiles;
}
