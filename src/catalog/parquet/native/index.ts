/** The native (TypeScript) Parquet page decoder; parquet-wasm remains the fallback. */
export {
  decodeColumnChunk,
  type ChunkSpec,
  type DecodedChunk,
  type DictionaryIndices,
} from './column-chunk-decoder.ts';
export { CorruptPageError, NativeUnsupportedError } from './native-errors.ts';
export {
  decodeNativeChunk,
  decodeSelectedIndices,
  decodeSelectedRows,
  nativeChunkPlan,
  nativeEngineColumn,
  nativeParquetDecoding,
  readNativeChunk,
  setNativeParquetDecoding,
  type NativeChunkPlan,
} from './native-row-group.ts';
export { sliceColumn } from './slice-column.ts';
export { snappyDecompress } from './snappy.ts';
