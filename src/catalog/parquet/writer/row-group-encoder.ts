/**
 * `encodeRowGroup`: pure and synchronous, turns record batches into one Parquet row group whose
 * bytes and metadata can be posted to another thread (structured clone) and appended to a file by
 * `ParquetFileWriter.appendRowGroup`. Offsets in the metadata are relative to the start of `bytes`.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, invariant, type Schema } from '../../../common/index.ts';
import { encodeColumnChunk, type EncodedColumnChunk } from './column-chunk-encoder.ts';
import type { ColumnChunkMeta, LeafColumn, RowGroupMeta } from './parquet-format.ts';
import { toLeafColumns } from './schema-mapping.ts';
import { resolveWriteOptions, type ParquetWriteOptions } from './writer-options.ts';

/** One encoded row group: column chunks back to back, with offsets relative to `bytes`. */
export interface EncodedRowGroup {
  readonly bytes: Uint8Array;
  readonly meta: RowGroupMeta;
}

/** The Parquet leaves of a schema the writer accepts (0A000 for unsupported or empty schemas). */
export function writableLeaves(schema: Schema): LeafColumn[] {
  if (schema.fields.length === 0) {
    throw new EngineError(SqlState.featureNotSupported, 'cannot write a Parquet file with no columns');
  }
  return toLeafColumns(schema);
}

/** Encodes `batches` (the engine's Arrow representation of `schema`) as one row group. */
export function encodeRowGroup(
  schema: Schema,
  batches: readonly arrow.RecordBatch[],
  options?: ParquetWriteOptions,
): EncodedRowGroup {
  const { compression } = resolveWriteOptions(options);
  return encodeRowGroupWith(schema, writableLeaves(schema), batches, compression);
}

export function encodeRowGroupWith(
  schema: Schema,
  leaves: readonly LeafColumn[],
  batches: readonly arrow.RecordBatch[],
  compression: Parameters<typeof encodeColumnChunk>[3],
): EncodedRowGroup {
  const nonEmpty: arrow.RecordBatch[] = [];
  let numRows = 0;
  for (const b of batches) {
    invariant(
      b.numCols === schema.fields.length,
      `batch has ${b.numCols} columns, the Parquet schema ${schema.fields.length}`,
    );
    if (b.numRows === 0) continue;
    nonEmpty.push(b);
    numRows += b.numRows;
  }
  const chunks: EncodedColumnChunk[] = [];
  let offset = 0;
  for (let c = 0; c < leaves.length; c++) {
    const pieces = nonEmpty.map((b) => b.data.children[c]!);
    const chunk = encodeColumnChunk(leaves[c]!, schema.fields[c]!, pieces, compression, offset);
    chunks.push(chunk);
    offset += chunk.byteLength;
  }
  const bytes = new Uint8Array(offset);
  let pos = 0;
  let totalByteSize = 0;
  const columns: ColumnChunkMeta[] = [];
  for (const chunk of chunks) {
    for (const part of chunk.parts) {
      bytes.set(part, pos);
      pos += part.length;
    }
    totalByteSize += chunk.meta.totalUncompressedSize;
    columns.push(chunk.meta);
  }
  invariant(pos === offset, 'Parquet column chunk sizes do not add up');
  return { bytes, meta: { numRows, totalByteSize, columns } };
}

/** The row group's metadata with every offset moved by `base` (its position in the file). */
export function rebaseRowGroup(meta: RowGroupMeta, base: number): RowGroupMeta {
  return {
    ...meta,
    columns: meta.columns.map((c) => ({
      ...c,
      dataPageOffset: c.dataPageOffset + base,
      ...(c.dictionaryPageOffset === undefined
        ? {}
        : { dictionaryPageOffset: c.dictionaryPageOffset + base }),
    })),
  };
}
