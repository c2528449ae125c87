/**
 * The slice of the Parquet format (apache/parquet-format, parquet.thrift) the writer uses: enum
 * values, and the plain-object shapes of the metadata it produces. Everything here is
 * structured-cloneable so encoded row groups can be posted between worker threads.
 */

export const MAGIC = new Uint8Array([0x50, 0x41, 0x52, 0x31]); // "PAR1"

export const PhysicalType = {
  boolean: 0,
  int32: 1,
  int64: 2,
  int96: 3,
  float: 4,
  double: 5,
  byteArray: 6,
  fixedLenByteArray: 7,
} as const;
export type PhysicalTypeId = (typeof PhysicalType)[keyof typeof PhysicalType];

export const Repetition = { required: 0, optional: 1, repeated: 2 } as const;

export const ConvertedType = {
  utf8: 0,
  map: 1,
  list: 3,
  decimal: 5,
  date: 6,
  timestampMicros: 10,
  int8: 15,
  int16: 16,
} as const;

export const Encoding = {
  plain: 0,
  plainDictionary: 2,
  rle: 3,
  bitPacked: 4,
  rleDictionary: 8,
} as const;

export const CompressionCodec = { uncompressed: 0, snappy: 1, gzip: 2, zstd: 6 } as const;

export const PageType = { dataPage: 0, indexPage: 1, dictionaryPage: 2, dataPageV2: 3 } as const;

/** Parquet's LogicalType union, as far as the engine's types need it. */
export type LogicalType =
  | { readonly kind: 'string' }
  | { readonly kind: 'map' }
  | { readonly kind: 'list' }
  | { readonly kind: 'date' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  | { readonly kind: 'timestamp'; readonly adjustedToUtc: boolean }
  | { readonly kind: 'time'; readonly adjustedToUtc: boolean }
  | { readonly kind: 'integer'; readonly bitWidth: number; readonly signed: boolean };

/** The annotations of a primitive column (a leaf of the schema). */
export interface PrimitiveColumn {
  readonly name: string;
  readonly physicalType: PhysicalTypeId;
  /** Byte width of FIXED_LEN_BYTE_ARRAY values. */
  readonly typeLength?: number;
  readonly required: boolean;
  readonly convertedType?: number;
  readonly precision?: number;
  readonly scale?: number;
  readonly logicalType?: LogicalType;
}

/**
 * One leaf of the Parquet schema: its primitive annotations, its path from the root (one name for
 * a top-level column) and the highest definition and repetition levels its values carry (0 and 0
 * for a required top-level column, 1 and 0 for a nullable one).
 */
export interface LeafColumn extends PrimitiveColumn {
  readonly path: readonly string[];
  readonly maxDefinition: number;
  readonly maxRepetition: number;
}

/**
 * One element of the schema as the footer lists it, depth first: a primitive column, or a group
 * (struct, LIST, MAP, or the repeated group inside a list or map) followed by its `children`.
 */
export type SchemaElementOut =
  | ({ readonly kind: 'primitive'; readonly repetition: number } & PrimitiveColumn)
  | {
      readonly kind: 'group';
      readonly name: string;
      readonly repetition: number;
      readonly children: number;
      readonly convertedType?: number;
      readonly logicalType?: LogicalType;
    };

/** Column-chunk statistics; min/max are PLAIN-encoded values without a length prefix. */
export interface ColumnStatistics {
  readonly nullCount: number;
  readonly minValue?: Uint8Array;
  readonly maxValue?: Uint8Array;
}

export interface ColumnChunkMeta {
  /** The leaf's path from the root (`path_in_schema`). */
  readonly path: readonly string[];
  readonly physicalType: PhysicalTypeId;
  readonly encodings: readonly number[];
  readonly codec: number;
  /** Values including NULLs and empty lists: one per level entry (= rows for a top-level leaf). */
  readonly numValues: number;
  readonly totalUncompressedSize: number;
  readonly totalCompressedSize: number;
  /** Byte offsets relative to the start of the row group's bytes (rebased when written to a file). */
  readonly dataPageOffset: number;
  readonly dictionaryPageOffset?: number;
  readonly statistics: ColumnStatistics;
}

export interface RowGroupMeta {
  readonly numRows: number;
  /** Total uncompressed size of all column chunks. */
  readonly totalByteSize: number;
  readonly columns: readonly ColumnChunkMeta[];
}
