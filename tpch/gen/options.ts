/**
 * The generator's options, their validation and its errors: `GeneratorOptionError` for options a
 * caller (e.g. the CLI) passed wrong, `GeneratorOutputError` for an output folder that cannot be
 * written. Both carry a message fit to show a user as is.
 */

import type { OutputFormat } from './chunk.ts';
import type { Compression } from './parquet-api.ts';
import { TABLE_NAMES, type TableName } from './scale.ts';

export const MIN_SCALE_FACTOR = 0.01;
export const MAX_SCALE_FACTOR = 100;
export const MAX_PARTS = 10_000;
export const MAX_WORKERS = 256;

export interface GenerateOptions {
  /** Output directory (created if missing). */
  readonly out: string;
  /** `.tbl` text (default) or Parquet. */
  readonly format?: OutputFormat;
  /** Parquet page compression (default zstd). */
  readonly compression?: Compression;
  /** Number of output files per table (default 1; never more than the table has units). */
  readonly parts?: number;
  /** Worker threads (default: one per core); 0 or 1 generates on the calling thread. */
  readonly workers?: number;
  /**
   * Called after each chunk is written: units are rows, except parts for partsupp and orders for
   * lineitem.
   */
  readonly onProgress?: (table: TableName, doneUnits: number, totalUnits: number) => void;
}

/** An option out of its domain. */
export class GeneratorOptionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'GeneratorOptionError';
  }
}

/** The output folder or a file in it cannot be created or written. */
export class GeneratorOutputError extends Error {
  constructor(message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'GeneratorOutputError';
  }
}

export interface ResolvedOptions {
  readonly out: string;
  readonly format: OutputFormat;
  readonly compression: Compression | undefined;
  readonly parts: number;
  readonly workers: number | undefined;
  readonly onProgress: GenerateOptions['onProgress'];
}

function isInteger(n: unknown, lo: number, hi: number): boolean {
  return typeof n === 'number' && Number.isInteger(n) && n >= lo && n <= hi;
}

/** Checks the tables, scale factor and options; throws `GeneratorOptionError` for the first bad one. */
export function resolveOptions(
  tables: readonly TableName[],
  sf: number,
  options: GenerateOptions,
): ResolvedOptions {
  if (typeof sf !== 'number' || !Number.isFinite(sf) || sf < MIN_SCALE_FACTOR || sf > MAX_SCALE_FACTOR) {
    throw new GeneratorOptionError(
      `scale factor must be a number from ${MIN_SCALE_FACTOR} to ${MAX_SCALE_FACTOR}, got ${String(sf)}`,
    );
  }
  const seen = new Set<string>();
  for (const t of tables) {
    if (!(TABLE_NAMES as readonly string[]).includes(t)) {
      throw new GeneratorOptionError(
        `unknown TPC-H table "${String(t)}" (expected one of ${TABLE_NAMES.join(', ')})`,
      );
    }
    if (seen.has(t)) throw new GeneratorOptionError(`table "${t}" is listed twice`);
    seen.add(t);
  }
  if (typeof options.out !== 'string' || options.out === '') {
    throw new GeneratorOptionError('an output folder is required');
  }
  const format = options.format ?? 'tbl';
  if (format !== 'tbl' && format !== 'parquet') {
    throw new GeneratorOptionError(`format must be tbl or parquet, got ${String(format)}`);
  }
  const compression = options.compression;
  if (
    compression !== undefined &&
    compression !== 'none' &&
    compression !== 'zstd' &&
    compression !== 'gzip'
  ) {
    throw new GeneratorOptionError(`compression must be none, zstd or gzip, got ${String(compression)}`);
  }
  if (compression !== undefined && format !== 'parquet') {
    throw new GeneratorOptionError('compression applies only to the parquet format');
  }
  const parts = options.parts ?? 1;
  if (!isInteger(parts, 1, MAX_PARTS)) {
    throw new GeneratorOptionError(`parts must be an integer from 1 to ${MAX_PARTS}, got ${String(parts)}`);
  }
  const workers = options.workers;
  if (workers !== undefined && !isInteger(workers, 0, MAX_WORKERS)) {
    throw new GeneratorOptionError(
      `workers must be an integer from 0 to ${MAX_WORKERS}, got ${String(workers)}`,
    );
  }
  const onProgress = options.onProgress;
  if (onProgress !== undefined && typeof onProgress !== 'function') {
    throw new GeneratorOptionError('onProgress must be a function');
  }
  return { out: options.out, format, compression, parts, workers, onProgress };
}
