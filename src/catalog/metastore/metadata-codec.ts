/**
 * The JSON shape of metadata files, versioned, and its validation. Reading never trusts a file: a
 * file that does not parse or lacks a field is reported as corrupt (XX001) with its path.
 */
import type { DataType, Field, Value } from '../../common/index.ts';
import {
  DAY_TIME_FIELDS,
  MAX_TIME_PRECISION,
  EngineError,
  SqlState,
  YEAR_MONTH_FIELDS,
  dayTimeIntervalType,
  yearMonthIntervalType,
} from '../../common/index.ts';
import type { ColumnStatistics, DatabaseDefinition, Statistics, TableDefinition } from '../types.ts';

export const METADATA_FORMAT_VERSION = 1;
/** SQLSTATE of a corrupt data or metadata file (PostgreSQL's data_corrupted). */
export const DATA_CORRUPTED = SqlState.dataCorrupted;

export function corrupt(file: string, reason: string, cause?: unknown): EngineError {
  return new EngineError(DATA_CORRUPTED, `corrupt metadata file "${file}": ${reason}`, { cause });
}

export function encodeDatabase(db: DatabaseDefinition): string {
  return (
    JSON.stringify({ formatVersion: METADATA_FORMAT_VERSION, kind: 'database', database: db }, null, 2) + '\n'
  );
}

export function encodeTable(table: TableDefinition): string {
  const { statistics, ...rest } = table;
  const body = statistics === undefined ? rest : { ...rest, statistics: encodeStatistics(statistics) };
  return (
    JSON.stringify({ formatVersion: METADATA_FORMAT_VERSION, kind: 'table', table: body }, null, 2) + '\n'
  );
}

/** A statistics value as text, as Spark stores column statistics (`"1"`, `"1.5"`, `"true"`). */
function encodeStatValue(v: Value): string | null {
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return null;
}

function encodeStatistics(stats: Statistics): Record<string, unknown> {
  const columns: Record<string, Record<string, unknown>> = {};
  for (const [name, c] of Object.entries(stats.columns ?? {})) {
    const out: Record<string, unknown> = {};
    const min = c.min === undefined ? null : encodeStatValue(c.min);
    const max = c.max === undefined ? null : encodeStatValue(c.max);
    if (min !== null && max !== null) {
      out.min = min;
      out.max = max;
    }
    for (const key of ['nullCount', 'distinctCount', 'avgLen', 'maxLen'] as const) {
      if (c[key] !== undefined) out[key] = c[key];
    }
    columns[name] = out;
  }
  return { sizeInBytes: stats.totalBytes, rowCount: stats.rowCount, columns };
}

type Json = unknown;

function isRecord(v: Json): v is Record<string, Json> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function parseEnvelope(file: string, text: string, kind: string): Record<string, Json> {
  let json: Json;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw corrupt(file, 'not valid JSON', err);
  }
  if (!isRecord(json)) throw corrupt(file, 'not a JSON object');
  const version = json.formatVersion;
  if (typeof version !== 'number') throw corrupt(file, 'missing formatVersion');
  if (version > METADATA_FORMAT_VERSION) {
    throw corrupt(
      file,
      `formatVersion ${version} is newer than this engine supports (${METADATA_FORMAT_VERSION})`,
    );
  }
  if (json.kind !== kind) throw corrupt(file, `expected a ${kind} entry`);
  const body = json[kind];
  if (!isRecord(body)) throw corrupt(file, `missing ${kind} body`);
  return body;
}

function str(file: string, o: Record<string, Json>, key: string): string {
  const v = o[key];
  if (typeof v !== 'string') throw corrupt(file, `field "${key}" is not a string`);
  return v;
}

function strOrNull(file: string, o: Record<string, Json>, key: string): string | null {
  const v = o[key];
  if (v === null || v === undefined) return null;
  if (typeof v !== 'string') throw corrupt(file, `field "${key}" is not a string`);
  return v;
}

function strMap(file: string, o: Record<string, Json>, key: string): Record<string, string> {
  const v = o[key] ?? {};
  if (!isRecord(v)) throw corrupt(file, `field "${key}" is not an object`);
  const out: Record<string, string> = {};
  for (const [k, x] of Object.entries(v)) {
    if (typeof x !== 'string') throw corrupt(file, `field "${key}.${k}" is not a string`);
    out[k] = x;
  }
  return out;
}

/** An interval type's start or end field, undefined when absent; one outside `fields` is corrupt. */
function intervalField<F extends string>(file: string, v: Json, fields: readonly F[]): F | undefined {
  if (v === undefined || v === null) return undefined;
  if (typeof v !== 'string' || !(fields as readonly string[]).includes(v)) {
    throw corrupt(file, `bad interval field ${JSON.stringify(v)}`);
  }
  return v as F;
}

function decodeType(file: string, v: Json): DataType {
  if (!isRecord(v) || typeof v.kind !== 'string') throw corrupt(file, 'a column type is malformed');
  switch (v.kind) {
    case 'decimal':
      if (typeof v.precision !== 'number' || typeof v.scale !== 'number')
        throw corrupt(file, 'bad decimal type');
      return { kind: 'decimal', precision: v.precision, scale: v.scale };
    case 'array':
      return { kind: 'array', element: decodeType(file, v.element), containsNull: v.containsNull !== false };
    case 'map':
      return {
        kind: 'map',
        key: decodeType(file, v.key),
        value: decodeType(file, v.value),
        valueContainsNull: v.valueContainsNull !== false,
      };
    case 'struct':
      if (!Array.isArray(v.fields)) throw corrupt(file, 'bad struct type');
      return { kind: 'struct', fields: v.fields.map((f) => decodeField(file, f)) };
    case 'string': {
      const t: { kind: 'string'; maxLength?: number; fixed?: boolean } = { kind: 'string' };
      if (typeof v.maxLength === 'number') t.maxLength = v.maxLength;
      if (typeof v.fixed === 'boolean') t.fixed = v.fixed;
      return t;
    }
    case 'null':
    case 'boolean':
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'binary':
    case 'date':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'calendar_interval':
      return { kind: v.kind };
    case 'time': {
      const p = v.precision;
      if (typeof p !== 'number' || !Number.isInteger(p) || p < 0 || p > MAX_TIME_PRECISION)
        throw corrupt(file, 'bad time precision');
      return { kind: 'time', precision: p };
    }
    case 'interval_year_month': {
      // fields are optional: metadata written before they existed means YEAR TO MONTH
      const start = intervalField(file, v.startField, YEAR_MONTH_FIELDS);
      const end = intervalField(file, v.endField, YEAR_MONTH_FIELDS);
      if (start === undefined || end === undefined) return { kind: v.kind };
      return yearMonthIntervalType(start, end);
    }
    case 'interval_day_time': {
      // fields are optional: metadata written before they existed means DAY TO SECOND
      const start = intervalField(file, v.startField, DAY_TIME_FIELDS);
      const end = intervalField(file, v.endField, DAY_TIME_FIELDS);
      if (start === undefined || end === undefined) return { kind: v.kind };
      return dayTimeIntervalType(start, end);
    }
    default:
      throw corrupt(file, `unknown column type "${v.kind}"`);
  }
}

function decodeField(file: string, v: Json): Field {
  if (!isRecord(v)) throw corrupt(file, 'a column is malformed');
  return { name: str(file, v, 'name'), type: decodeType(file, v.type), nullable: v.nullable !== false };
}

export function decodeDatabase(file: string, text: string): DatabaseDefinition {
  const o = parseEnvelope(file, text, 'database');
  return {
    name: str(file, o, 'name'),
    location: str(file, o, 'location'),
    comment: strOrNull(file, o, 'comment'),
  };
}

function count(file: string, v: Json, what: string): number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw corrupt(file, `statistics field "${what}" is not a count`);
  }
  return v;
}

function decodeStatValue(file: string, v: Json, t: DataType, what: string): Value {
  if (typeof v !== 'string') throw corrupt(file, `statistics field "${what}" is not a string`);
  switch (t.kind) {
    case 'boolean':
      if (v !== 'true' && v !== 'false') break;
      return v === 'true';
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'date':
    case 'float':
    case 'double': {
      const n = Number(v);
      if (v.trim() === '' || (Number.isNaN(n) && v !== 'NaN')) break;
      return n;
    }
    case 'bigint':
    case 'decimal':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
      if (!/^-?\d+$/.test(v)) break;
      return BigInt(v);
    default:
      break;
  }
  throw corrupt(file, `statistics field "${what}" is not a ${t.kind} value`);
}

function decodeStatistics(file: string, v: Json, columns: readonly Field[]): Statistics {
  if (!isRecord(v)) throw corrupt(file, 'field "statistics" is not an object');
  const size = v.sizeInBytes === null ? null : count(file, v.sizeInBytes, 'sizeInBytes');
  const rows = v.rowCount === null || v.rowCount === undefined ? null : count(file, v.rowCount, 'rowCount');
  const raw = v.columns ?? {};
  if (!isRecord(raw)) throw corrupt(file, 'statistics field "columns" is not an object');
  const out: Record<string, ColumnStatistics> = {};
  for (const [name, c] of Object.entries(raw)) {
    if (!isRecord(c)) throw corrupt(file, `statistics of column "${name}" are not an object`);
    const field = columns.find((f) => f.name.toLowerCase() === name.toLowerCase());
    if (field === undefined) throw corrupt(file, `statistics name an unknown column "${name}"`);
    const s: { -readonly [K in keyof ColumnStatistics]: ColumnStatistics[K] } = {};
    if (c.min !== undefined && c.max !== undefined) {
      s.min = decodeStatValue(file, c.min, field.type, `${name}.min`);
      s.max = decodeStatValue(file, c.max, field.type, `${name}.max`);
    }
    for (const key of ['nullCount', 'distinctCount', 'avgLen', 'maxLen'] as const) {
      if (c[key] !== undefined) s[key] = count(file, c[key], `${name}.${key}`);
    }
    out[field.name] = s;
  }
  return { rowCount: rows, totalBytes: size, columns: out };
}

function snapshotId(file: string, v: unknown): string {
  if (typeof v !== 'string' || !/^[0-9a-z-]+$/.test(v))
    throw corrupt(file, 'field "snapshot" is not a snapshot id');
  return v;
}

export function decodeTable(file: string, text: string): TableDefinition {
  const o = parseEnvelope(file, text, 'table');
  const columns = o.columns;
  const partitionColumns = o.partitionColumns ?? [];
  if (!Array.isArray(columns)) throw corrupt(file, 'field "columns" is not an array');
  if (!Array.isArray(partitionColumns) || !partitionColumns.every((c) => typeof c === 'string')) {
    throw corrupt(file, 'field "partitionColumns" is not an array of strings');
  }
  const fields = columns.map((c) => decodeField(file, c));
  const statistics = o.statistics === undefined ? undefined : decodeStatistics(file, o.statistics, fields);
  return {
    database: str(file, o, 'database'),
    name: str(file, o, 'name'),
    columns: fields,
    format: str(file, o, 'format'),
    location: str(file, o, 'location'),
    options: strMap(file, o, 'options'),
    partitionColumns: partitionColumns,
    external: o.external === true,
    comment: strOrNull(file, o, 'comment'),
    properties: strMap(file, o, 'properties'),
    createdAt: str(file, o, 'createdAt'),
    ...(statistics === undefined ? {} : { statistics }),
    ...(o.snapshot === undefined ? {} : { snapshot: snapshotId(file, o.snapshot) }),
  };
}
