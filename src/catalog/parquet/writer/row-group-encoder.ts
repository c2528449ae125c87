/**
 * `encodeRowGroup`: pure and synchronous, turns record batches into one Parquet row group whose
 * bytes and metadata can be posted to another thread (structured clone) and appended to a file by
 * `ParquetFileWriter.appendRowGroup`. Offsets in the metadata are relative to the start of `bytes`.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, invariant, type DataType, type Schema } from '../../../common/index.ts';
import { encodeColumnChunk, encodeNestedChunk, type EncodedColumnChunk } from './column-chunk-encoder.ts';
import { shredColumn } from './nested-levels.ts';
import type { ColumnChunkMeta, RowGroupMeta } from './parquet-format.ts';
import { toParquetSchema, type ParquetSchema } from './schema-mapping.ts';

function isNested(t: DataType): boolean {
  return t.kind === 'array' || t.kind === 'map' || t.kind === 'struct';
}
import { resolveWriteOptions, type ParquetWriteOptions } from './writer-options.ts';

/** One encoded row group: column chunks back to back, with offsets relative to `bytes`. */
export interface EncodedRowGroup {
  readonly bytes: Uint8Array;
  readonly meta: RowGroupMeta;
}

/** The Parquet schema of a schema the writer accepts (0A000 for unsupported or empty schemas). */
export function writableSchema(schema: Schema): ParquetSchema {
  if (schema.fields.length === 0) {
    throw new EngineError(SqlState.featureNotSupported, 'cannot write a Parquet file with no columns');
  }
  return toParquetSchema(schema);
}

/** Encodes `batches` (the engine's Arrow representation of `schema`) as one row group. */
export function encodeRowGroup(
  schema: Schema,
  batches: readonly arrow.RecordBatch[],
  options?: ParquetWriteOptions,
): EncodedRowGroup {
  const { compression } = resolveWriteOptions(options);
  return encodeRowGroupWith(schema, writableSchema(schema), batches, compression);
}

export function encodeRowGroupWith(
  schema: Schema,
  parquet: ParquetSchema,
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
  let leaf = 0;
  for (let c = 0; c < schema.fields.length; c++) {
    const field = schema.fields[c]!;
    const pieces = nonEmpty.map((b) => b.data.children[c]!);
    const count = parquet.leafCounts[c]!;
    const leaves = parquet.leaves.slice(leaf, leaf + count);
    leaf += count;
    if (isNested(field.type)) {
      // Shredded and encoded leaf by leaf, so only one leaf's values are gathered at a time.
      const shredded = shredColumn(field, leaves, pieces);
      for (let k = 0; k < leaves.length; k++) {
        const chunk = encodeNestedChunk(leaves[k]!, shredded[k]!, compression, offset);
        chunks.push(chunk);
        offset += chunk.byteLength;
      }
      continue;
    }
    const chunk = encodeColumnChunk(leaves[0]!, field, pieces, compression, offset);
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
