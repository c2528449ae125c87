/**
 * TPC-H data generator (spec 2.17): the eight tables at any scale factor as dbgen's `.tbl` text or
 * as Parquet, deterministic, streaming, parallel over worker threads.
 */

export { generateTable, generateTables, unitsPerChunk } from './generate.ts';
export type { GeneratedFile } from './generate.ts';
export type { OutputFormat } from './chunk.ts';
export {
  GeneratorOptionError,
  GeneratorOutputError,
  MAX_SCALE_FACTOR,
  MIN_SCALE_FACTOR,
  type GenerateOptions,
} from './options.ts';
export type { Compression as ParquetCompression } from './parquet-api.ts';
export { TABLE_NAMES, scaleOf } from './scale.ts';
export type { Scale, TableName } from './scale.ts';
export { tableRows, unitCount } from './table-rows.ts';
