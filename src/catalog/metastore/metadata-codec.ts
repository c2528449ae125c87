/**
 * The JSON shape of metadata files, versioned, and its validation. Reading never trusts a file: a
 * file that does not parse or lacks a field is reported as corrupt (XX001) with its path.
 */
import type { DataType, Field } from '../../common/index.ts';
import {
  DAY_TIME_FIELDS,
  EngineError,
  YEAR_MONTH_FIELDS,
  dayTimeIntervalType,
  yearMonthIntervalType,
} from '../../common/index.ts';
import type { DatabaseDefinition, TableDefinition } from '../types.ts';

export const METADATA_FORMAT_VERSION = 1;
/** SQLSTATE of a corrupt data or metadata file (PostgreSQL's data_corrupted). */
export const DATA_CORRUPTED = 'XX001';

export function corrupt(file: string, reason: string, cause?: unknown): EngineError {
  return new EngineError(DATA_CORRUPTED, `corrupt metadata file "${file}": ${reason}`, { cause });
}

export function encodeDatabase(db: DatabaseDefinition): string {
  return (
    JSON.stringify({ formatVersion: METADATA_FORMAT_VERSION, kind: 'database', database: db }, null, 2) + '\n'
  );
}

export function encodeTable(table: TableDefinition): string {
  return JSON.stringify({ formatVersion: METADATA_FORMAT_VERSION, kind: 'table', table }, null, 2) + '\n';
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
      return { kind: v.kind };
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

export function decodeTable(file: string, text: string): TableDefinition {
  const o = parseEnvelope(file, text, 'table');
  const columns = o.columns;
  const partitionColumns = o.partitionColumns ?? [];
  if (!Array.isArray(columns)) throw corrupt(file, 'field "columns" is not an array');
  if (!Array.isArray(partitionColumns) || !partitionColumns.every((c) => typeof c === 'string')) {
    throw corrupt(file, 'field "partitionColumns" is not an array of strings');
  }
  return {
    database: str(file, o, 'database'),
    name: str(file, o, 'name'),
    columns: columns.map((c) => decodeField(file, c)),
    format: str(file, o, 'format'),
    location: str(file, o, 'location'),
    options: strMap(file, o, 'options'),
    partitionColumns: partitionColumns,
    external: o.external === true,
    comment: strOrNull(file, o, 'comment'),
    properties: strMap(file, o, 'properties'),
    createdAt: str(file, o, 'createdAt'),
  };
}
