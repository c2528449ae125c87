/**
 * Options of the Parquet writer, their defaults, and page compression.
 *
 * zstd runs at level 1 (node:zlib, Node 24) and gzip at level 1: the writer is on the TPC-H
 * generator's critical path, where encoding speed matters more than the last few percent of size.
 */
import * as zlib from 'node:zlib';
import { EngineError, SqlState } from '../../../common/index.ts';
import { CompressionCodec } from './parquet-format.ts';

export type ParquetCompression = 'none' | 'zstd' | 'gzip';

export interface ParquetWriteOptions {
  /** Page compression; default 'zstd'. */
  readonly compression?: ParquetCompression;
  /** Rows per row group written by `ParquetFileWriter.write`; default 983,040 (122,880 × 8). */
  readonly rowGroupRows?: number;
}

export const DEFAULT_COMPRESSION: ParquetCompression = 'zstd';
export const DEFAULT_ROW_GROUP_ROWS = 122_880 * 8;
/** Target size of one data page before compression. */
export const TARGET_PAGE_BYTES = 1 << 20;

export interface ResolvedWriteOptions {
  readonly compression: ParquetCompression;
  readonly rowGroupRows: number;
}

export function resolveWriteOptions(options: ParquetWriteOptions | undefined): ResolvedWriteOptions {
  const compression = options?.compression ?? DEFAULT_COMPRESSION;
  if (compression !== 'none' && compression !== 'zstd' && compression !== 'gzip') {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `unknown Parquet compression "${String(compression)}" (expected none, zstd or gzip)`,
    );
  }
  const rowGroupRows = options?.rowGroupRows ?? DEFAULT_ROW_GROUP_ROWS;
  if (!Number.isSafeInteger(rowGroupRows) || rowGroupRows < 1) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `Parquet row group size must be a positive integer, got ${String(rowGroupRows)}`,
    );
  }
  return { compression, rowGroupRows };
}

export function codecOf(compression: ParquetCompression): number {
  switch (compression) {
    case 'none':
      return CompressionCodec.uncompressed;
    case 'zstd':
      return CompressionCodec.zstd;
    case 'gzip':
      return CompressionCodec.gzip;
  }
}

const ZSTD_OPTIONS: zlib.ZstdOptions = { params: { [zlib.constants.ZSTD_c_compressionLevel]: 1 } };
const GZIP_OPTIONS: zlib.ZlibOptions = { level: 1 };

export function compressPage(body: Uint8Array, compression: ParquetCompression): Uint8Array {
  switch (compression) {
    case 'none':
      return body;
    case 'zstd':
      return zlib.zstdCompressSync(body, ZSTD_OPTIONS);
    case 'gzip':
      return zlib.gzipSync(body, GZIP_OPTIONS);
  }
}
