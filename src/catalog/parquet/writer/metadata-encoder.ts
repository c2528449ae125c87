/**
 * Serializes Parquet page headers and the file footer (FileMetaData) with the Thrift compact
 * protocol. Field ids follow parquet.thrift; only the fields the writer sets are written.
 */
import { CompactType, ThriftCompactWriter } from './thrift-compact-writer.ts';
import {
  PageType,
  type ColumnChunkMeta,
  type ColumnStatistics,
  type LeafColumn,
  type LogicalType,
  type RowGroupMeta,
  type SchemaElementOut,
} from './parquet-format.ts';

export interface DataPageHeaderInput {
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  readonly numValues: number;
  readonly encoding: number;
  /** RLE (3) for definition and repetition levels. */
  readonly levelEncoding: number;
}

export function encodeDataPageHeader(h: DataPageHeaderInput): Uint8Array {
  const w = new ThriftCompactWriter(48);
  w.i32Field(1, PageType.dataPage);
  w.i32Field(2, h.uncompressedSize);
  w.i32Field(3, h.compressedSize);
  w.beginStruct(5); // DataPageHeader
  w.i32Field(1, h.numValues);
  w.i32Field(2, h.encoding);
  w.i32Field(3, h.levelEncoding);
  w.i32Field(4, h.levelEncoding);
  w.endStruct();
  w.stop();
  return w.finish();
}

export interface DictionaryPageHeaderInput {
  readonly uncompressedSize: number;
  readonly compressedSize: number;
  readonly numValues: number;
  readonly encoding: number;
}

export function encodeDictionaryPageHeader(h: DictionaryPageHeaderInput): Uint8Array {
  const w = new ThriftCompactWriter(48);
  w.i32Field(1, PageType.dictionaryPage);
  w.i32Field(2, h.uncompressedSize);
  w.i32Field(3, h.compressedSize);
  w.beginStruct(7); // DictionaryPageHeader
  w.i32Field(1, h.numValues);
  w.i32Field(2, h.encoding);
  w.endStruct();
  w.stop();
  return w.finish();
}

export interface FileMetaDataInput {
  readonly rootName: string;
  /** The schema's elements below the root, depth first. */
  readonly elements: readonly SchemaElementOut[];
  /** How many top-level columns the root has. */
  readonly topLevelColumns: number;
  /** The schema's leaves (one column chunk each per row group). */
  readonly columns: readonly LeafColumn[];
  readonly numRows: number;
  /** Row groups with offsets already absolute in the file. */
  readonly rowGroups: readonly RowGroupMeta[];
  readonly keyValueMetadata: readonly (readonly [string, string])[];
  readonly createdBy: string;
}

export function encodeFileMetaData(m: FileMetaDataInput): Uint8Array {
  const w = new ThriftCompactWriter(1024 + m.rowGroups.length * m.columns.length * 96);
  w.i32Field(1, 1); // version
  w.listHeader(2, CompactType.struct, m.elements.length + 1);
  w.beginListStruct(); // root
  w.stringField(4, m.rootName);
  w.i32Field(5, m.topLevelColumns);
  w.endStruct();
  for (const e of m.elements) writeSchemaElement(w, e);
  w.i64Field(3, m.numRows);
  w.listHeader(4, CompactType.struct, m.rowGroups.length);
  m.rowGroups.forEach((g, ordinal) => writeRowGroup(w, g, ordinal));
  if (m.keyValueMetadata.length > 0) {
    w.listHeader(5, CompactType.struct, m.keyValueMetadata.length);
    for (const [key, value] of m.keyValueMetadata) {
      w.beginListStruct();
      w.stringField(1, key);
      w.stringField(2, value);
      w.endStruct();
    }
  }
  w.stringField(6, m.createdBy);
  // column_orders: TypeDefinedOrder for every leaf, so readers trust min_value/max_value.
  w.listHeader(7, CompactType.struct, m.columns.length);
  for (let i = 0; i < m.columns.length; i++) {
    w.beginListStruct(); // ColumnOrder union
    w.emptyStructField(1); // TYPE_ORDER
    w.endStruct();
  }
  w.stop();
  return w.finish();
}

function writeSchemaElement(w: ThriftCompactWriter, c: SchemaElementOut): void {
  w.beginListStruct();
  if (c.kind === 'group') {
    w.i32Field(3, c.repetition);
    w.stringField(4, c.name);
    w.i32Field(5, c.children);
    if (c.convertedType !== undefined) w.i32Field(6, c.convertedType);
    if (c.logicalType !== undefined) {
      w.beginStruct(10);
      writeLogicalType(w, c.logicalType);
      w.endStruct();
    }
    w.endStruct();
    return;
  }
  w.i32Field(1, c.physicalType);
  if (c.typeLength !== undefined) w.i32Field(2, c.typeLength);
  w.i32Field(3, c.repetition);
  w.stringField(4, c.name);
  if (c.convertedType !== undefined) w.i32Field(6, c.convertedType);
  if (c.scale !== undefined) w.i32Field(7, c.scale);
  if (c.precision !== undefined) w.i32Field(8, c.precision);
  if (c.logicalType !== undefined) {
    w.beginStruct(10);
    writeLogicalType(w, c.logicalType);
    w.endStruct();
  }
  w.endStruct();
}

function writeLogicalType(w: ThriftCompactWriter, t: LogicalType): void {
  switch (t.kind) {
    case 'string':
      w.emptyStructField(1);
      return;
    case 'map':
      w.emptyStructField(2);
      return;
    case 'list':
      w.emptyStructField(3);
      return;
    case 'decimal':
      w.beginStruct(5);
      w.i32Field(1, t.scale);
      w.i32Field(2, t.precision);
      w.endStruct();
      return;
    case 'date':
      w.emptyStructField(6);
      return;
    case 'timestamp':
    case 'time':
      w.beginStruct(t.kind === 'time' ? 7 : 8);
      w.boolField(1, t.adjustedToUtc);
      w.beginStruct(2); // TimeUnit union
      w.emptyStructField(2); // MICROS
      w.endStruct();
      w.endStruct();
      return;
    case 'integer':
      w.beginStruct(10);
      w.byteField(1, t.bitWidth);
      w.boolField(2, t.signed);
      w.endStruct();
      return;
  }
}

function writeRowGroup(w: ThriftCompactWriter, g: RowGroupMeta, ordinal: number): void {
  w.beginListStruct();
  w.listHeader(1, CompactType.struct, g.columns.length);
  let compressed = 0;
  for (const c of g.columns) {
    writeColumnChunk(w, c);
    compressed += c.totalCompressedSize;
  }
  w.i64Field(2, g.totalByteSize);
  w.i64Field(3, g.numRows);
  const first = g.columns[0];
  if (first !== undefined) w.i64Field(5, chunkStart(first));
  w.i64Field(6, compressed);
  if (ordinal < 32768) {
    w.i16Field(7, ordinal);
  }
  w.endStruct();
}

function chunkStart(c: ColumnChunkMeta): number {
  return c.dictionaryPageOffset ?? c.dataPageOffset;
}

function writeColumnChunk(w: ThriftCompactWriter, c: ColumnChunkMeta): void {
  w.beginListStruct();
  w.i64Field(2, chunkStart(c)); // file_offset
  w.beginStruct(3); // ColumnMetaData
  w.i32Field(1, c.physicalType);
  w.listHeader(2, CompactType.i32, c.encodings.length);
  for (const e of c.encodings) w.i32Element(e);
  w.listHeader(3, CompactType.binary, c.path.length);
  for (const name of c.path) w.stringElement(name);
  w.i32Field(4, c.codec);
  w.i64Field(5, c.numValues);
  w.i64Field(6, c.totalUncompressedSize);
  w.i64Field(7, c.totalCompressedSize);
  w.i64Field(9, c.dataPageOffset);
  if (c.dictionaryPageOffset !== undefined) w.i64Field(11, c.dictionaryPageOffset);
  writeStatistics(w, c.statistics);
  w.endStruct();
  w.endStruct();
}

function writeStatistics(w: ThriftCompactWriter, s: ColumnStatistics): void {
  w.beginStruct(12);
  w.i64Field(3, s.nullCount);
  if (s.maxValue !== undefined && s.minValue !== undefined) {
    w.binaryField(5, s.maxValue);
    w.binaryField(6, s.minValue);
    w.boolField(7, true);
    w.boolField(8, true);
  }
  w.endStruct();
}
