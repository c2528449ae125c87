/**
 * Catalog: the Hive-style metastore in the warehouse directory, table providers (csv, memory, and
 * registered formats), file listing and statistics.
 */
export * from './types.ts';
export {
  Metastore,
  DEFAULT_DATABASE,
  METASTORE_DIR,
  VIEW_FORMAT,
  validateName as validateObjectName,
  type DatabaseInput,
  type DatabaseSummary,
  type TableSummary,
  type TableDefinitionInput,
  type ViewInput,
} from './metastore/metastore.ts';
export {
  appendStatistics,
  columnStatistics,
  compareStatValues,
  defaultSizeOf,
  keepsMinMax,
  mergeStoredStatistics,
  replacePartStatistics,
  sameStatistics,
  statisticsText,
  supportsColumnStatistics,
  writtenStatistics,
} from './statistics.ts';
export { compileNamePattern, filterByPattern, type NameMatcher } from './metastore/name-pattern.ts';
export { METADATA_FORMAT_VERSION } from './metastore/metadata-codec.ts';
export { CsvTableProvider, type CsvReaderTuning } from './csv/csv-table-provider.ts';
export { parseCsvOptions, type CsvOptions, type ParseMode } from './csv/csv-options.ts';
export { MemoryTableProvider } from './memory/memory-table-provider.ts';
export {
  CACHED_FORMAT,
  CachedTableProvider,
  cachedTableDefinition,
  dealCachedBatches,
  dropCachedData,
  hasCachedData,
  putCachedData,
  type CachedData,
} from './memory/cached-tables.ts';
export { CacheFileWriter } from './memory/cache-files.ts';
export {
  listDataFiles,
  dataFileAt,
  unescapePathName,
  HIVE_DEFAULT_PARTITION,
  SNAPSHOTS_DIR,
  type DataFile,
  type Snapshot,
  type SnapshotFile,
} from './file-listing.ts';
export {
  adoptSnapshot,
  commitTable,
  removeUnregisteredWrite,
  sweepSnapshots,
  type TableCommit,
} from './table-commit.ts';
export {
  DataFilesWriter,
  abortDataFiles,
  canWriteFormat,
  canWriteNestedTypes,
  dataFileExtension,
  sweepWriteLeftovers,
  type DataFilesWriterOptions,
  type WrittenFile,
  registerFileWriter,
  type FileWriter,
  type FileWriterFactory,
} from './data-files-writer.ts';
export { createTableProvider, registerTableFormat, type TableProviderFactory } from './table-providers.ts';
export { ParquetTableProvider, type ParquetTableScan } from './parquet/parquet-table-provider.ts';
export { inferParquetSchema } from './parquet/parquet-infer-schema.ts';
export {
  ParquetFileWriter,
  encodeRowGroup,
  DEFAULT_PARQUET_COMPRESSION,
  DEFAULT_PARQUET_ROW_GROUP_ROWS,
  type EncodedRowGroup,
  type ParquetCompression,
  type ParquetWriteOptions,
  type ParquetRowGroupMeta,
  type ParquetColumnChunkMeta,
  type ParquetColumnStatistics,
} from './parquet/writer/index.ts';
export { JsonTableProvider, type JsonReaderTuning } from './json/json-table-provider.ts';
export { inferJsonSchema } from './json/json-infer-schema.ts';
export { inferPartitionColumns } from './partition-inference.ts';
