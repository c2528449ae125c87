/**
 * Maps engine schemas to Parquet schemas (physical type, legacy ConvertedType and LogicalType per
 * primitive column, groups for nested types) and to the Spark schema JSON stored under
 * `org.apache.spark.sql.parquet.row.metadata`.
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
 *
 * Nested types take Parquet's standard layouts, as Spark writes them:
 *
 * | engine type        | Parquet                                                   |
 * |--------------------|-----------------------------------------------------------|
 * | struct<f…>         | group s { f… }                                            |
 * | array<e>           | group a (LIST) { repeated group list { element } }        |
 * | map<k, v>          | group m (MAP) { repeated group key_value { required key; value } } |
 *
 * A node is `optional` when it may hold NULL (the column, a struct field, `containsNull` elements,
 * `valueContainsNull` values), else `required`. Intervals, the null (void) type and empty structs
 * (at any depth) are rejected with 0A000 naming the column, as Spark does for void; the void type
 * is not written as an all-null column.
 */
import {
  EngineError,
  SqlState,
  typeToString,
  type DataType,
  type Field,
  type Schema,
} from '../../../common/index.ts';
import {
  ConvertedType,
  PhysicalType,
  Repetition,
  type LeafColumn,
  type PrimitiveColumn,
  type SchemaElementOut,
} from './parquet-format.ts';

export const SPARK_ROW_METADATA_KEY = 'org.apache.spark.sql.parquet.row.metadata';

/** Bytes of the minimal big-endian two's-complement FIXED_LEN_BYTE_ARRAY for a decimal precision. */
export function decimalByteWidth(precision: number): number {
  const max = 10n ** BigInt(precision) - 1n;
  let bytes = 1;
  while (max >= 1n << BigInt(8 * bytes - 1)) bytes++;
  return bytes;
}

/** The Parquet schema of an engine schema: its elements depth first, and its leaves in order. */
export interface ParquetSchema {
  readonly elements: readonly SchemaElementOut[];
  readonly leaves: readonly LeafColumn[];
  /** For each top-level field, how many leaves it has (they follow one another). */
  readonly leafCounts: readonly number[];
}

export function toParquetSchema(schema: Schema): ParquetSchema {
  const elements: SchemaElementOut[] = [];
  const leaves: LeafColumn[] = [];
  const leafCounts: number[] = [];
  for (const f of schema.fields) {
    const before = leaves.length;
    addNode(f, f.name, f.type, f.nullable, [], 0, 0, elements, leaves);
    leafCounts.push(leaves.length - before);
  }
  return { elements, leaves, leafCounts };
}

function unsupported(f: Field): EngineError {
  return new EngineError(
    SqlState.featureNotSupported,
    `cannot write column "${f.name}" of type ${typeToString(f.type)} to Parquet: the type is not supported`,
  );
}

/**
 * Adds the elements of one node (a column, a struct field, a list element, a map key or value)
 * named `name`, of type `t`, below `parent` whose values have definition level `def` and
 * repetition level `rep`.
 */
function addNode(
  top: Field,
  name: string,
  t: DataType,
  nullable: boolean,
  parent: readonly string[],
  def: number,
  rep: number,
  elements: SchemaElementOut[],
  leaves: LeafColumn[],
): void {
  const repetition = nullable ? Repetition.optional : Repetition.required;
  const path = [...parent, name];
  const d = def + (nullable ? 1 : 0);
  switch (t.kind) {
    case 'struct': {
      if (t.fields.length === 0) throw unsupported(top);
      elements.push({ kind: 'group', name, repetition, children: t.fields.length });
      for (const c of t.fields) addNode(top, c.name, c.type, c.nullable, path, d, rep, elements, leaves);
      return;
    }
    case 'array': {
      elements.push({
        kind: 'group',
        name,
        repetition,
        children: 1,
        convertedType: ConvertedType.list,
        logicalType: { kind: 'list' },
      });
      elements.push({ kind: 'group', name: 'list', repetition: Repetition.repeated, children: 1 });
      const inner = [...path, 'list'];
      addNode(top, 'element', t.element, t.containsNull, inner, d + 1, rep + 1, elements, leaves);
      return;
    }
    case 'map': {
      elements.push({
        kind: 'group',
        name,
        repetition,
        children: 1,
        convertedType: ConvertedType.map,
        logicalType: { kind: 'map' },
      });
      // As Spark writes it: the repeated group carries no annotation (MAP_KEY_VALUE is legacy).
      elements.push({ kind: 'group', name: 'key_value', repetition: Repetition.repeated, children: 2 });
      const inner = [...path, 'key_value'];
      addNode(top, 'key', t.key, false, inner, d + 1, rep + 1, elements, leaves);
      addNode(top, 'value', t.value, t.valueContainsNull, inner, d + 1, rep + 1, elements, leaves);
      return;
    }
    default: {
      const primitive = toPrimitive(top, name, t, !nullable);
      elements.push({ kind: 'primitive', repetition, ...primitive });
      leaves.push({ ...primitive, path, maxDefinition: d, maxRepetition: rep });
    }
  }
}

function toPrimitive(top: Field, name: string, t: DataType, required: boolean): PrimitiveColumn {
  const base = { name, required };
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
    case 'calendar_interval':
    case 'array':
    case 'map':
    case 'struct':
      throw unsupported(top);
  }
}

/** Spark's JSON form of a (supported) type: a name, or an object for nested types. */
function sparkTypeJson(t: DataType): unknown {
  switch (t.kind) {
    case 'array':
      return { type: 'array', elementType: sparkTypeJson(t.element), containsNull: t.containsNull };
    case 'map':
      return {
        type: 'map',
        keyType: sparkTypeJson(t.key),
        valueType: sparkTypeJson(t.value),
        valueContainsNull: t.valueContainsNull,
      };
    case 'struct':
      return { type: 'struct', fields: t.fields.map(sparkFieldJson) };
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
  return JSON.stringify({ type: 'struct', fields: schema.fields.map(sparkFieldJson) });
}

function sparkFieldJson(f: Field): unknown {
  return {
    name: f.name,
    type: sparkTypeJson(f.type),
    nullable: f.nullable,
    metadata:
      f.type.kind === 'string' && f.type.maxLength !== undefined
        ? { __CHAR_VARCHAR_TYPE_STRING: typeToString(f.type) }
        : {},
  };
}
