/**
 * Reading a Parquet file's footer synchronously (the last 8 bytes: footer length + `PAR1`, then the
 * footer), decoded with hyparquet's metadata reader, checked for sanity (so that a corrupt footer is
 * reported here and never reaches the wasm decoder), and cached per path + mtime + size.
 *
 * Raw column statistics (min/max as the bytes the writer stored) are decoded from the same Thrift
 * bytes, because hyparquet turns decimal statistics into binary floats, which pruning cannot trust.
 */
import * as fs from 'node:fs';
import { parquetMetadata, type FileMetaData } from 'hyparquet';
import { deserializeTCompactProtocol } from 'hyparquet/src/thrift.js';
import { EngineError, SqlState } from '../../common/index.ts';

const MAGIC = 0x31524150; // "PAR1" little-endian
/** Footers larger than this are refused as corrupt (Spark's largest real footers are a few MB). */
const MAX_FOOTER_BYTES = 256 * 1024 * 1024;
const MAX_CACHED_FOOTERS = 4096;

/** The statistics bytes of one column chunk, as stored. */
export interface RawStatistics {
  /** `min_value`/`max_value` (ordered by the column's type). */
  readonly minValue: Uint8Array | undefined;
  readonly maxValue: Uint8Array | undefined;
  /** Deprecated `min`/`max` (signed byte order: trusted only for signed numeric types). */
  readonly legacyMin: Uint8Array | undefined;
  readonly legacyMax: Uint8Array | undefined;
  readonly nullCount: number | undefined;
}

export interface ParquetFooter {
  readonly path: string;
  readonly size: number;
  readonly mtimeMs: number;
  readonly metadata: FileMetaData;
  /** Rows per row group. */
  readonly rowGroupRows: readonly number[];
  /** Compressed bytes per row group (for spreading work). */
  readonly rowGroupBytes: readonly number[];
  /** `[rowGroup][leafColumn]`; undefined where the writer stored no statistics. */
  readonly statistics: readonly (readonly (RawStatistics | undefined)[])[];
  readonly numRows: number;
}

const cache = new Map<string, ParquetFooter>();

/** An EngineError for a file that is not a readable Parquet file. */
export function corruptFileError(filePath: string, reason: string, cause?: unknown): EngineError {
  return new EngineError(SqlState.ioError, `could not read Parquet file "${filePath}": ${reason}`, {
    cause,
  });
}

/** The footer of `filePath`, from the cache when the file has not changed since it was read. */
export function readParquetFooter(filePath: string): ParquetFooter {
  let stat: fs.Stats;
  try {
    stat = fs.statSync(filePath);
  } catch (err) {
    throw new EngineError(SqlState.pathNotFound, `[PATH_NOT_FOUND] Path does not exist: ${filePath}.`, {
      cause: err,
    });
  }
  const cached = cache.get(filePath);
  if (cached !== undefined && cached.mtimeMs === stat.mtimeMs && cached.size === stat.size) return cached;
  const footer = loadFooter(filePath, stat);
  if (cache.size >= MAX_CACHED_FOOTERS) {
    const oldest = cache.keys().next();
    if (oldest.done !== true) cache.delete(oldest.value);
  }
  cache.set(filePath, footer);
  return footer;
}

/** Forgets every cached footer (tests). */
export function clearParquetFooterCache(): void {
  cache.clear();
}

function readExactly(fd: number, buffer: Uint8Array, position: number): void {
  let done = 0;
  while (done < buffer.length) {
    const n = fs.readSync(fd, buffer, done, buffer.length - done, position + done);
    if (n === 0) throw new Error('unexpected end of file');
    done += n;
  }
}

function loadFooter(filePath: string, stat: fs.Stats): ParquetFooter {
  const size = stat.size;
  if (size < 12) throw corruptFileError(filePath, `the file is too short to be Parquet (${size} bytes)`);
  let fd: number;
  try {
    fd = fs.openSync(filePath, 'r');
  } catch (err) {
    throw new EngineError(SqlState.ioError, `could not open "${filePath}": ${(err as Error).message}`, {
      cause: err,
    });
  }
  let footerBytes: Uint8Array;
  try {
    const head = new Uint8Array(4);
    readExactly(fd, head, 0);
    const tail = new Uint8Array(8);
    readExactly(fd, tail, size - 8);
    const tailView = new DataView(tail.buffer);
    const headView = new DataView(head.buffer);
    if (headView.getUint32(0, true) !== MAGIC || tailView.getUint32(4, true) !== MAGIC) {
      throw corruptFileError(filePath, 'it is not a Parquet file (magic bytes "PAR1" missing)');
    }
    const footerLength = tailView.getUint32(0, true);
    if (footerLength === 0 || footerLength > size - 12 || footerLength > MAX_FOOTER_BYTES) {
      throw corruptFileError(filePath, `corrupt footer length ${footerLength} (file size ${size})`);
    }
    footerBytes = new Uint8Array(footerLength + 8);
    readExactly(fd, footerBytes, size - 8 - footerLength);
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw corruptFileError(filePath, (err as Error).message, err);
  } finally {
    fs.closeSync(fd);
  }
  let metadata: FileMetaData;
  let raw: Record<string, unknown>;
  try {
    metadata = parquetMetadata(footerBytes);
    raw = deserializeTCompactProtocol({ view: new DataView(footerBytes.buffer), offset: 0 });
  } catch (err) {
    throw corruptFileError(filePath, `corrupt footer (${(err as Error).message})`, err);
  }
  return checkFooter(filePath, size, stat.mtimeMs, metadata, raw);
}

function toSafeNumber(v: unknown): number | undefined {
  if (typeof v === 'bigint') return v >= 0n && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : undefined;
  if (typeof v === 'number') return Number.isSafeInteger(v) && v >= 0 ? v : undefined;
  return undefined;
}

function bytesOrUndefined(v: unknown): Uint8Array | undefined {
  return v instanceof Uint8Array ? v : undefined;
}

/** Checks what the decoder will rely on: row counts, column chunk byte ranges inside the file. */
function checkFooter(
  filePath: string,
  size: number,
  mtimeMs: number,
  metadata: FileMetaData,
  raw: Record<string, unknown>,
): ParquetFooter {
  const bad = (reason: string): EngineError => corruptFileError(filePath, `corrupt footer (${reason})`);
  if (!Array.isArray(metadata.schema) || metadata.schema.length === 0) throw bad('no schema');
  const leafCount = metadata.schema.filter((e) => e.type !== undefined).length;
  const rowGroups = Array.isArray(metadata.row_groups) ? metadata.row_groups : [];
  const rawGroups = Array.isArray(raw.field_4) ? (raw.field_4 as Record<string, unknown>[]) : [];
  const rowGroupRows: number[] = [];
  const rowGroupBytes: number[] = [];
  const statistics: (RawStatistics | undefined)[][] = [];
  let numRows = 0;
  rowGroups.forEach((rg, g) => {
    const rows = toSafeNumber(rg.num_rows);
    if (rows === undefined) throw bad(`row group ${g} has an invalid row count`);
    if (rg.columns.length !== leafCount) {
      throw bad(`row group ${g} has ${rg.columns.length} column chunks for ${leafCount} columns`);
    }
    let bytes = 0;
    const rawColumns = (rawGroups[g]?.field_1 ?? []) as Record<string, unknown>[];
    const stats: (RawStatistics | undefined)[] = [];
    rg.columns.forEach((chunk, c) => {
      const md = chunk.meta_data;
      if (md === undefined) throw bad(`column chunk ${c} of row group ${g} has no metadata`);
      if (chunk.file_path !== undefined) throw bad('column chunks in other files are not supported');
      const start = toSafeNumber(md.dictionary_page_offset ?? md.data_page_offset);
      const dataStart = toSafeNumber(md.data_page_offset);
      const length = toSafeNumber(md.total_compressed_size);
      if (start === undefined || dataStart === undefined || length === undefined) {
        throw bad(`column chunk ${c} of row group ${g} has invalid offsets`);
      }
      const first = Math.min(start === 0 ? dataStart : start, dataStart);
      if (first < 4 || first + length > size || dataStart >= size) {
        throw bad(`column chunk ${c} of row group ${g} lies outside the file`);
      }
      if (toSafeNumber(md.num_values) === undefined)
        throw bad(`column chunk ${c} has an invalid value count`);
      bytes += length;
      const rawStats = (rawColumns[c]?.field_3 as Record<string, unknown> | undefined)?.field_12 as
        Record<string, unknown> | undefined;
      stats.push(
        rawStats === undefined
          ? undefined
          : {
              legacyMax: bytesOrUndefined(rawStats.field_1),
              legacyMin: bytesOrUndefined(rawStats.field_2),
              nullCount: toSafeNumber(rawStats.field_3),
              maxValue: bytesOrUndefined(rawStats.field_5),
              minValue: bytesOrUndefined(rawStats.field_6),
            },
      );
    });
    rowGroupRows.push(rows);
    rowGroupBytes.push(bytes);
    statistics.push(stats);
    numRows += rows;
  });
  return { path: filePath, size, mtimeMs, metadata, rowGroupRows, rowGroupBytes, statistics, numRows };
}
