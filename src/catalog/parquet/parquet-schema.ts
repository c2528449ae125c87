/**
 * Parquet schema → Spark types: the type each top-level column of a file holds (from its logical,
 * converted and physical type, or from Spark's own `org.apache.spark.sql.parquet.row.metadata`
 * key-value when the file has it), and which declared types a file type may be read as.
 *
 * | Parquet                                  | Spark            |
 * |------------------------------------------|------------------|
 * | BOOLEAN                                  | boolean          |
 * | INT32 (INT_8 / INT_16 / plain)           | tinyint / smallint / int |
 * | INT32 UINT_8 / UINT_16, UINT_32          | smallint / int, bigint |
 * | INT64, UINT_64                           | bigint, decimal(20,0) |
 * | FLOAT, DOUBLE                            | float, double    |
 * | DECIMAL on INT32/INT64/FIXED/BYTE_ARRAY  | decimal(p,s)     |
 * | BYTE_ARRAY UTF8/STRING/ENUM/JSON         | string           |
 * | BYTE_ARRAY, FIXED_LEN_BYTE_ARRAY         | binary           |
 * | INT32 DATE                               | date             |
 * | INT64 TIMESTAMP (ms/µs/ns), INT96        | timestamp (timestamp_ntz when not adjusted to UTC) |
 * | INT32 TIME(ms), INT64 TIME(µs/ns)        | time(3), time(6) |
 * | group (LIST), any of the format's list layouts | array       |
 * | group (MAP / MAP_KEY_VALUE) { repeated { key; value } } | map |
 * | group without annotation                 | struct           |
 * | repeated field outside a LIST / MAP      | array of non-null values |
 *
 * Nested columns are read through parquet-wasm (the native decoder reads flat columns) and have no
 * statistics for pruning (`leafIndex` -1).
 */
import { parquetSchema, type FileMetaData, type SchemaElement, type SchemaTree } from 'hyparquet';
import {
  EngineError,
  SqlState,
  decimalForIntegral,
  isIntegral,
  typeToString,
  type DataType,
  type Field,
} from '../../common/index.ts';

export const SPARK_ROW_METADATA_KEY = 'org.apache.spark.sql.parquet.row.metadata';

/** A top-level column of a Parquet file. */
export interface FileColumn {
  readonly name: string;
  /** The Spark type the file holds, nested types included (null: a type this reader cannot read). */
  readonly type: DataType | null;
  /** What the file stores, for messages: `INT64 DECIMAL(15,2)`. */
  readonly physical: string;
  /** Index among the file's leaf columns (statistics), or -1 for nested columns. */
  readonly leafIndex: number;
  readonly element: SchemaElement;
  readonly nullable: boolean;
}

function describePhysical(e: SchemaElement): string {
  if (e.type === undefined) return e.converted_type ?? 'GROUP';
  const lt = e.logical_type;
  let annotation = '';
  if (lt !== undefined) {
    switch (lt.type) {
      case 'DECIMAL':
        annotation = ` DECIMAL(${lt.precision},${lt.scale})`;
        break;
      case 'TIMESTAMP':
      case 'TIME':
        annotation = ` ${lt.type}(${lt.unit}, utc=${lt.isAdjustedToUTC})`;
        break;
      case 'INTEGER':
        annotation = ` INTEGER(${lt.bitWidth}, ${lt.isSigned ? 'signed' : 'unsigned'})`;
        break;
      default:
        annotation = ` ${lt.type}`;
    }
  } else if (e.converted_type !== undefined) {
    annotation =
      e.converted_type === 'DECIMAL' ? ` DECIMAL(${e.precision},${e.scale})` : ` ${e.converted_type}`;
  }
  return `${e.type}${e.type === 'FIXED_LEN_BYTE_ARRAY' ? `(${e.type_length})` : ''}${annotation}`;
}

function decimalOf(e: SchemaElement): { precision: number; scale: number } | null {
  const lt = e.logical_type;
  if (lt?.type === 'DECIMAL') return { precision: lt.precision, scale: lt.scale };
  if (e.converted_type === 'DECIMAL' && e.precision !== undefined) {
    return { precision: e.precision, scale: e.scale ?? 0 };
  }
  return null;
}

/** The Spark type a primitive Parquet column holds, or null when it has none. */
export function sparkTypeOfPrimitive(e: SchemaElement): DataType | null {
  const lt = e.logical_type;
  const ct = e.converted_type;
  const dec = decimalOf(e);
  if (dec !== null) {
    if (dec.precision < 1 || dec.precision > 38 || dec.scale < 0 || dec.scale > dec.precision) return null;
    return { kind: 'decimal', precision: dec.precision, scale: dec.scale };
  }
  switch (e.type) {
    case 'BOOLEAN':
      return { kind: 'boolean' };
    case 'INT32': {
      if (lt?.type === 'DATE' || ct === 'DATE') return { kind: 'date' };
      if ((lt?.type === 'TIME' && lt.unit === 'MILLIS') || ct === 'TIME_MILLIS')
        return { kind: 'time', precision: 3 };
      if (lt?.type === 'TIME') return null;
      const signed = lt?.type === 'INTEGER' ? lt.isSigned : !(ct?.startsWith('UINT_') ?? false);
      const bits =
        lt?.type === 'INTEGER'
          ? lt.bitWidth
          : ct === 'INT_8' || ct === 'UINT_8'
            ? 8
            : ct === 'INT_16' || ct === 'UINT_16'
              ? 16
              : 32;
      if (signed) return { kind: bits === 8 ? 'tinyint' : bits === 16 ? 'smallint' : 'int' };
      return { kind: bits === 8 ? 'smallint' : bits === 16 ? 'int' : 'bigint' };
    }
    case 'INT64': {
      if (lt?.type === 'TIMESTAMP') return { kind: lt.isAdjustedToUTC ? 'timestamp' : 'timestamp_ntz' };
      if (ct === 'TIMESTAMP_MILLIS' || ct === 'TIMESTAMP_MICROS') return { kind: 'timestamp' };
      if ((lt?.type === 'TIME' && lt.unit !== 'MILLIS') || ct === 'TIME_MICROS')
        return { kind: 'time', precision: 6 };
      if (lt?.type === 'TIME') return null;
      const unsigned = lt?.type === 'INTEGER' ? !lt.isSigned : ct === 'UINT_64';
      return unsigned ? { kind: 'decimal', precision: 20, scale: 0 } : { kind: 'bigint' };
    }
    case 'INT96':
      return { kind: 'timestamp' };
    case 'FLOAT':
      return { kind: 'float' };
    case 'DOUBLE':
      return { kind: 'double' };
    case 'BYTE_ARRAY':
      if (
        lt?.type === 'STRING' ||
        lt?.type === 'ENUM' ||
        lt?.type === 'JSON' ||
        ct === 'UTF8' ||
        ct === 'ENUM' ||
        ct === 'JSON'
      ) {
        return { kind: 'string' };
      }
      return { kind: 'binary' };
    case 'FIXED_LEN_BYTE_ARRAY':
      if (lt?.type === 'FLOAT16' || lt?.type === 'UUID') return null;
      return { kind: 'binary' };
    default:
      return null;
  }
}

function isListAnnotated(e: SchemaElement): boolean {
  return e.logical_type?.type === 'LIST' || e.converted_type === 'LIST';
}

function isMapAnnotated(e: SchemaElement): boolean {
  return e.logical_type?.type === 'MAP' || e.converted_type === 'MAP' || e.converted_type === 'MAP_KEY_VALUE';
}

/** The type of a node's values, ignoring its own repetition. */
function nodeValueType(t: SchemaTree): DataType | null {
  const e = t.element;
  if (t.children.length === 0) return e.type === undefined ? null : sparkTypeOfPrimitive(e);
  if (isListAnnotated(e)) return listType(t);
  if (isMapAnnotated(e)) return mapType(t);
  return structType(t);
}

/**
 * The type of a node as a field of its parent: a `repeated` node not under a LIST or MAP group is
 * an array of non-null values (the legacy unannotated layout).
 */
function fieldType(t: SchemaTree): DataType | null {
  const value = nodeValueType(t);
  if (value === null || t.element.repetition_type !== 'REPEATED') return value;
  return { kind: 'array', element: value, containsNull: false };
}

function structType(t: SchemaTree): DataType | null {
  const fields: Field[] = [];
  for (const c of t.children) {
    const type = fieldType(c);
    if (type === null) return null;
    fields.push({ name: c.element.name, type, nullable: c.element.repetition_type !== 'REQUIRED' });
  }
  return fields.length === 0 ? null : { kind: 'struct', fields };
}

/**
 * A LIST group, by the Parquet format's rules for lists written by older writers: its one
 * repeated child is the element itself when it is a primitive, a group of several fields, or a
 * group named `array` or `<list>_tuple`; otherwise (the standard three levels) the repeated
 * group's one child is the element.
 */
function listType(t: SchemaTree): DataType | null {
  if (t.children.length !== 1) return null;
  const repeated = t.children[0]!;
  if (repeated.element.repetition_type !== 'REPEATED') return null;
  const name = repeated.element.name;
  const legacy = repeated.children.length !== 1 || name === 'array' || name === `${t.element.name}_tuple`;
  if (legacy) {
    const element = nodeValueType(repeated);
    return element === null ? null : { kind: 'array', element, containsNull: false };
  }
  const inner = repeated.children[0]!;
  const element = fieldType(inner);
  if (element === null) return null;
  return { kind: 'array', element, containsNull: inner.element.repetition_type !== 'REQUIRED' };
}

/** A MAP group: one repeated group of a key and (optionally) a value. */
function mapType(t: SchemaTree): DataType | null {
  if (t.children.length !== 1) return null;
  const entries = t.children[0]!;
  if (entries.element.repetition_type !== 'REPEATED' || entries.children.length < 1) return null;
  if (entries.children.length > 2) return null;
  const key = fieldType(entries.children[0]!);
  const valueNode = entries.children[1];
  const value = valueNode === undefined ? { kind: 'null' as const } : fieldType(valueNode);
  if (key === null || value === null) return null;
  return {
    kind: 'map',
    key,
    value,
    valueContainsNull: valueNode === undefined || valueNode.element.repetition_type !== 'REQUIRED',
  };
}

/** The top-level columns of a file, in file order. */
export function fileColumns(metadata: FileMetaData): FileColumn[] {
  const root: SchemaTree = parquetSchema(metadata);
  const out: FileColumn[] = [];
  let leaf = 0;
  for (const child of root.children) {
    const e = child.element;
    const primitive = e.type !== undefined && child.children.length === 0 && e.repetition_type !== 'REPEATED';
    out.push({
      name: e.name,
      type: primitive ? sparkTypeOfPrimitive(e) : fieldType(child),
      physical: describePhysical(e),
      leafIndex: primitive ? leaf : -1,
      element: e,
      nullable: e.repetition_type !== 'REQUIRED',
    });
    leaf += primitive ? 1 : countLeaves(child);
  }
  return out;
}

function countLeaves(t: SchemaTree): number {
  if (t.children.length === 0) return 1;
  let n = 0;
  for (const c of t.children) n += countLeaves(c);
  return n;
}

/** Spark's JSON type (`"integer"`, `"decimal(10,2)"`, `{"type":"array",…}`) as a DataType. */
export function parseSparkJsonType(json: unknown): DataType | null {
  if (typeof json === 'string') {
    const simple: Record<string, DataType> = {
      boolean: { kind: 'boolean' },
      byte: { kind: 'tinyint' },
      short: { kind: 'smallint' },
      integer: { kind: 'int' },
      long: { kind: 'bigint' },
      float: { kind: 'float' },
      double: { kind: 'double' },
      string: { kind: 'string' },
      binary: { kind: 'binary' },
      date: { kind: 'date' },
      timestamp: { kind: 'timestamp' },
      timestamp_ntz: { kind: 'timestamp_ntz' },
      null: { kind: 'null' },
      void: { kind: 'null' },
    };
    const t = simple[json];
    if (t !== undefined) return t;
    const time = /^time\(([0-6])\)$/.exec(json);
    if (time !== null) return { kind: 'time', precision: Number(time[1]) };
    const dec = /^decimal\((\d+),\s*(\d+)\)$/.exec(json);
    if (dec !== null) return { kind: 'decimal', precision: Number(dec[1]), scale: Number(dec[2]) };
    const vc = /^(var)?char\((\d+)\)$/.exec(json);
    if (vc !== null) return { kind: 'string', maxLength: Number(vc[2]), fixed: vc[1] === undefined };
    if (json.startsWith('interval year') || json.startsWith('interval month')) {
      return { kind: 'interval_year_month' };
    }
    if (
      json.startsWith('interval day') ||
      json.startsWith('interval hour') ||
      json.startsWith('interval minute') ||
      json.startsWith('interval second')
    ) {
      return { kind: 'interval_day_time' };
    }
    return null;
  }
  if (typeof json !== 'object' || json === null) return null;
  const o = json as Record<string, unknown>;
  if (o.type === 'array') {
    const element = parseSparkJsonType(o.elementType);
    return element === null ? null : { kind: 'array', element, containsNull: o.containsNull !== false };
  }
  if (o.type === 'map') {
    const key = parseSparkJsonType(o.keyType);
    const value = parseSparkJsonType(o.valueType);
    if (key === null || value === null) return null;
    return { kind: 'map', key, value, valueContainsNull: o.valueContainsNull !== false };
  }
  if (o.type === 'struct') {
    const fields = parseSparkStructFields(o);
    return fields === null ? null : { kind: 'struct', fields };
  }
  return null;
}

function parseSparkStructFields(o: Record<string, unknown>): Field[] | null {
  if (!Array.isArray(o.fields)) return null;
  const out: Field[] = [];
  for (const f of o.fields as unknown[]) {
    if (typeof f !== 'object' || f === null) return null;
    const fo = f as Record<string, unknown>;
    if (typeof fo.name !== 'string') return null;
    let type = parseSparkJsonType(fo.type);
    const meta = fo.metadata as Record<string, unknown> | undefined;
    // CHAR/VARCHAR columns are stored as `string` with their declared type in the metadata.
    const declared = meta?.__CHAR_VARCHAR_TYPE_STRING;
    if (typeof declared === 'string') type = parseSparkJsonType(declared) ?? type;
    if (type === null) return null;
    out.push({ name: fo.name, type, nullable: fo.nullable !== false });
  }
  return out;
}

/** The Spark schema a file carries in its key-value metadata, if any and if it parses. */
export function sparkRowMetadata(metadata: FileMetaData): Field[] | null {
  const kv = metadata.key_value_metadata?.find((k) => k.key === SPARK_ROW_METADATA_KEY);
  if (kv?.value === undefined) return null;
  try {
    const parsed: unknown = JSON.parse(kv.value);
    if (typeof parsed !== 'object' || parsed === null) return null;
    return parseSparkStructFields(parsed as Record<string, unknown>);
  } catch {
    return null;
  }
}

function sameKindAndParams(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'decimal' && b.kind === 'decimal') return a.precision === b.precision && a.scale === b.scale;
  return true;
}

const INTEGRAL_RANK: Partial<Record<DataType['kind'], number>> = {
  tinyint: 1,
  smallint: 2,
  int: 3,
  bigint: 4,
};

/**
 * Whether values of file type `from` can be read as declared type `to` without loss (Spark 4's
 * Parquet type widening: wider integers, integers and floats to double, integers to decimals that
 * hold them, decimals to wider decimals, dates to timestamp_ntz; plus string ↔ binary and
 * timestamp ↔ timestamp_ntz, which share a representation).
 */
export function canReadAs(from: DataType, to: DataType): boolean {
  if (from.kind === 'array' || from.kind === 'map' || from.kind === 'struct')
    return canReadNestedAs(from, to);
  if (sameKindAndParams(from, to)) return true;
  if (to.kind === 'null') return true;
  if (isIntegral(from) && isIntegral(to)) return INTEGRAL_RANK[from.kind]! <= INTEGRAL_RANK[to.kind]!;
  if (to.kind === 'double') return isIntegral(from) || from.kind === 'float';
  if (to.kind === 'decimal') {
    const src = from.kind === 'decimal' ? from : isIntegral(from) ? decimalForIntegral(from) : undefined;
    if (src === undefined) return false;
    return to.scale >= src.scale && to.precision - to.scale >= src.precision - src.scale;
  }
  if ((from.kind === 'string' || from.kind === 'binary') && (to.kind === 'string' || to.kind === 'binary'))
    return true;
  if (
    (from.kind === 'timestamp' || from.kind === 'timestamp_ntz') &&
    (to.kind === 'timestamp' || to.kind === 'timestamp_ntz')
  ) {
    return true;
  }
  if (from.kind === 'date' && to.kind === 'timestamp_ntz') return true;
  return false;
}

/**
 * Nested types read element-wise: arrays and maps as arrays and maps of readable elements, keys
 * and values; a struct as a struct whose fields are matched by name (case-insensitively), each
 * field the file has readable as declared (a declared field the file lacks reads as NULL).
 */
function canReadNestedAs(from: DataType, to: DataType): boolean {
  if (to.kind === 'null') return true;
  if (from.kind === 'array' && to.kind === 'array') return canReadAs(from.element, to.element);
  if (from.kind === 'map' && to.kind === 'map') {
    return canReadAs(from.key, to.key) && canReadAs(from.value, to.value);
  }
  if (from.kind === 'struct' && to.kind === 'struct') {
    let matched = 0;
    for (const f of to.fields) {
      const source = structFieldByName(from.fields, f.name);
      if (source === undefined) continue;
      if (!canReadAs(source.type, f.type)) return false;
      matched++;
    }
    return matched > 0;
  }
  return false;
}

/** The field of `fields` named `name`, case-insensitively (the first). */
export function structFieldByName<F extends { readonly name: string }>(
  fields: readonly F[],
  name: string,
): F | undefined {
  const lower = name.toLowerCase();
  return fields.find((f) => f.name === name) ?? fields.find((f) => f.name.toLowerCase() === lower);
}

/** The datatype-mismatch error for a file column that cannot be read as the table declares it. */
export function typeMismatchError(filePath: string, column: FileColumn, declared: Field): EngineError {
  const fileType = column.type === null ? 'an unsupported type' : `type ${typeToString(column.type)}`;
  return new EngineError(
    SqlState.datatypeMismatch,
    `[PARQUET_COLUMN_DATA_TYPE_MISMATCH] Column \`${column.name}\` of Parquet file "${filePath}" has ${fileType} (${column.physical}), which cannot be read as the declared type ${typeToString(declared.type)} of column \`${declared.name}\`.`,
  );
}
