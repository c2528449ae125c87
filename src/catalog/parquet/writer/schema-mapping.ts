/**
 * Maps engine schemas to flat Parquet schemas (physical type, legacy ConvertedType and LogicalType
 * per column) and to the Spark schema JSON stored under `org.apache.spark.sql.parquet.row.metadata`.
 *
 * | engine type        | Parquet                                                   |
 * |--------------------|-----------------------------------------------------------|
 * | boolean            | BOOLEAN                                                   |
 * | tinyint / smallint | INT32, INT_8 / INT_16, INTEGER(8/16, signed)              |
 * | int / bigint       | INT32 / INT64                                             |
 * | float / double     | FLOAT / DOUBLE                                            |
 * | decimal(p ≤ 9)     | INT32 DECIMAL(p,s)                                        |
 * | decimal(p ≤ 18)    | INT64 DECIMAL(p,s)                                        |
 * | decimal(p > 18)    | FIXED_LEN_BYTE_ARRAY(minimal width) DECIMAL(p,s), big-endian |
 * | string             | BYTE_ARRAY, UTF8, STRING                                  |
 * | binary             | BYTE_ARRAY                                                |
 * | date               | INT32, DATE, DATE                                         |
 * | timestamp          | INT64, TIMESTAMP_MICROS, TIMESTAMP(MICROS, utc=true)      |
 * | timestamp_ntz      | INT64, TIMESTAMP(MICROS, utc=false) (no ConvertedType: it implies UTC) |
 * | time(p)            | INT64, TIME(MICROS, utc=false) (likewise no ConvertedType) |
 *
 * Intervals, arrays, maps, structs and the null (void) type are rejected with 0A000, as Spark does
 * for void; the void type is not written as an all-null column.
 */
import {
  EngineError,
  SqlState,
  typeToString,
  type DataType,
  type Field,
  type Schema,
} from '../../../common/index.ts';
import { ConvertedType, PhysicalType, type LeafColumn } from './parquet-format.ts';

export const SPARK_ROW_METADATA_KEY = 'org.apache.spark.sql.parquet.row.metadata';

/** Bytes of the minimal big-endian two's-complement FIXED_LEN_BYTE_ARRAY for a decimal precision. */
export function decimalByteWidth(precision: number): number {
  const max = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (max >= 1n << BigInt(8 * bytes - 1)) bytes++;
  return bytes;
}

export function toLeafColumns(schema: Schema): LeafColumn[] {
  return schema.fields.map(toLeafColumn);
}

function unsupported(f: Field): EngineError {
  return new EngineError(
    SqlState.featureNotSupported,
    `cannot write column "${f.name}" of type ${typeToString(f.type)} to Parquet: the type is not supported`,
  );
}

function toLeafColumn(f: Field): LeafColumn {
  const base = { name: f.name, required: !f.nullable };
  const t = f.type;
  switch (t.kind) {
    case 'boolean':
      return { ...base, physicalType: PhysicalType.boolean };
    case 'tinyint':
      return {
        ...base,
        physicalType: PhysicalType.int32,
        convertedType: ConvertedType.int8,
        logicalType: { kind: 'integer', bitWidth: 8, signed: true },
      };
    case 'smallint':
      return {
        ...base,
        physicalType: PhysicalType.int32,
        convertedType: ConvertedType.int16,
        logicalType: { kind: 'integer', bitWidth: 16, signed: true },
      };
    case 'int':
      return { ...base, physicalType: PhysicalType.int32 };
    case 'bigint':
      return { ...base, physicalType: PhysicalType.int64 };
    case 'float':
      return { ...base, physicalType: PhysicalType.float };
    case 'double':
      return { ...base, physicalType: PhysicalType.double };
    case 'decimal': {
      const decimal = {
        ...base,
        convertedType: ConvertedType.decimal,
        precision: t.precision,
        scale: t.scale,
        logicalType: { kind: 'decimal', precision: t.precision, scale: t.scale },
      } as const;
      if (t.precision <= 9) return { ...decimal, physicalType: PhysicalType.int32 };
      if (t.precision <= 18) return { ...decimal, physicalType: PhysicalType.int64 };
      return {
        ...decimal,
        physicalType: PhysicalType.fixedLenByteArray,
        typeLength: decimalByteWidth(t.precision),
      };
    }
    case 'string':
      return {
        ...base,
        physicalType: PhysicalType.byteArray,
        convertedType: ConvertedType.utf8,
        logicalType: { kind: 'string' },
      };
    case 'binary':
      return { ...base, physicalType: PhysicalType.byteArray };
    case 'date':
      return {
        ...base,
        physicalType: PhysicalType.int32,
        convertedType: ConvertedType.date,
        logicalType: { kind: 'date' },
      };
    case 'timestamp':
      return {
        ...base,
        physicalType: PhysicalType.int64,
        convertedType: ConvertedType.timestampMicros,
        logicalType: { kind: 'timestamp', adjustedToUtc: true },
      };
    case 'timestamp_ntz':
      return {
        ...base,
        physicalType: PhysicalType.int64,
        logicalType: { kind: 'timestamp', adjustedToUtc: false },
      };
    case 'time':
      return {
        ...base,
        physicalType: PhysicalType.int64,
        logicalType: { kind: 'time', adjustedToUtc: false },
      };
    case 'null':
    case 'interval_year_month':
    case 'interval_day_time':
    case 'array':
    case 'map':
    case 'struct':
      throw unsupported(f);
  }
}

/** Spark's JSON name of a (supported) type. */
function sparkTypeJson(t: DataType): string {
  switch (t.kind) {
    case 'tinyint':
      return 'byte';
    case 'smallint':
      return 'short';
    case 'int':
      return 'integer';
    case 'bigint':
      return 'long';
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'time':
      return `time(${t.precision})`;
    case 'string':
      return 'string';
    default:
      return t.kind;
  }
}

/** The Spark schema JSON (`StructType.json`) that Spark stores in the footer's key-value metadata. */
export function sparkSchemaJson(schema: Schema): string {
  return JSON.stringify({
    type: 'struct',
    fields: schema.fields.map((f) => ({
      name: f.name,
      type: sparkTypeJson(f.type),
      nullable: f.nullable,
      metadata:
        f.type.kind === 'string' && f.type.maxLength !== undefined
          ? { __CHAR_VARCHAR_TYPE_STRING: typeToString(f.type) }
          : {},
    })),
  });
}
