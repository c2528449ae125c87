/**
 * Kindling's Parquet writer: a pure-TypeScript encoder from the engine's Arrow batches to Parquet
 * (data pages v1, PLAIN / RLE_DICTIONARY, zstd or gzip, exact per-chunk statistics, Spark schema
 * metadata; arrays, maps and structs in the standard nested layouts). `encodeRowGroup` is pure and can run in worker threads; `ParquetFileWriter` writes
 * files.
 */
export { encodeRowGroup, type EncodedRowGroup } from './row-group-encoder.ts';
export { ParquetFileWriter } from './parquet-file-writer.ts';
export {
  DEFAULT_COMPRESSION as DEFAULT_PARQUET_COMPRESSION,
  DEFAULT_ROW_GROUP_ROWS as DEFAULT_PARQUET_ROW_GROUP_ROWS,
  type ParquetCompression,
  type ParquetWriteOptions,
} from './writer-options.ts';
export type {
  RowGroupMeta as ParquetRowGroupMeta,
  ColumnChunkMeta as ParquetColumnChunkMeta,
  ColumnStatistics as ParquetColumnStatistics,
} from './parquet-format.ts';
