/**
 * The engine's Parquet writer (`encodeRowGroup`, `ParquetFileWriter` from `src/index.ts`), loaded
 * on first use so that the `.tbl` path and its workers never load the engine.
 */

import type * as engine from '../../src/index.ts';

export type Compression = engine.ParquetCompression;
export type RowGroup = engine.EncodedRowGroup;
export type ParquetWriter = engine.ParquetFileWriter;
export type ParquetApi = Pick<typeof engine, 'encodeRowGroup' | 'ParquetFileWriter'>;

let loaded: Promise<ParquetApi> | undefined;

/** The engine's Parquet writer. */
export function loadParquet(): Promise<ParquetApi> {
  loaded ??= import('../../src/index.ts');
  return loaded;
}
