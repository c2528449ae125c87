/**
 * Spark's JSON schema inference, shared by `USING json` tables without a column list and
 * schema_of_json: the type of one JSON value, the widening of two types seen for the same field,
 * and the final clean-up. Objects become structs with fields sorted by name; integers BIGINT (or
 * DECIMAL(p,0) past BIGINT, DOUBLE past 38 digits); other numbers DOUBLE; strings STRING; arrays
 * arrays of their elements' widened type. Two types widen within the numbers (BIGINT → DECIMAL →
 * DOUBLE), field by field for structs, element-wise for arrays, and to STRING otherwise. At the end
 * a type seen only as `null` is STRING and a struct without fields is dropped.
 */
import type { JsonNode } from './json-text.ts';
import { MAX_DECIMAL_PRECISION, T, typeToString, type DataType, type Field } from './types.ts';

const NULL: DataType = T.null;
const LONG_MIN = -(1n << 63n);
const LONG_MAX = (1n << 63n) - 1n;

function struct(fields: readonly Field[]): DataType {
  return { kind: 'struct', fields };
}

function byName(a: Field, b: Field): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

/** The type of one JSON value (`null` is the null type until widened). */
export function inferJsonType(node: JsonNode): DataType {
  switch (node.kind) {
    case 'null':
      return NULL;
    case 'boolean':
      return T.boolean;
    case 'string':
      return T.string;
    case 'number': {
      if (!node.integral) return T.double;
      const v = BigInt(node.text);
      if (v >= LONG_MIN && v <= LONG_MAX) return T.bigint;
      const digits = (v < 0n ? -v : v).toString().length;
      return digits <= MAX_DECIMAL_PRECISION ? T.decimal(digits, 0) : T.double;
    }
    case 'array': {
      let element = NULL;
      for (const item of node.items) element = widenJsonTypes(element, inferJsonType(item));
      return T.array(element);
    }
    case 'object': {
      const fields = new Map<string, DataType>();
      for (const [name, value] of node.entries) {
        const t = inferJsonType(value);
        const seen = fields.get(name);
        fields.set(name, seen === undefined ? t : widenJsonTypes(seen, t));
      }
      return struct([...fields].map(([name, type]) => ({ name, type, nullable: true })).sort(byName));
    }
  }
}

function widenDecimals(a: DataType & { kind: 'decimal' }, b: DataType & { kind: 'decimal' }): DataType {
  const scale = Math.max(a.scale, b.scale);
  const range = Math.max(a.precision - a.scale, b.precision - b.scale);
  return range + scale > MAX_DECIMAL_PRECISION ? T.double : T.decimal(range + scale, scale);
}

/** The type that holds values of both `a` and `b` (Spark's JsonInferSchema.compatibleType). */
export function widenJsonTypes(a: DataType, b: DataType): DataType {
  if (a.kind === 'null') return b;
  if (b.kind === 'null') return a;
  if (a.kind === 'struct' && b.kind === 'struct') {
    const fields = new Map<string, DataType>(a.fields.map((f) => [f.name, f.type]));
    for (const f of b.fields) {
      const seen = fields.get(f.name);
      fields.set(f.name, seen === undefined ? f.type : widenJsonTypes(seen, f.type));
    }
    return struct([...fields].map(([name, type]) => ({ name, type, nullable: true })).sort(byName));
  }
  if (a.kind === 'array' && b.kind === 'array') return T.array(widenJsonTypes(a.element, b.element));
  if (a.kind === b.kind && a.kind !== 'decimal') return a;
  const asDecimal = (t: DataType): DataType => (t.kind === 'bigint' ? T.decimal(20, 0) : t);
  const x = asDecimal(a);
  const y = asDecimal(b);
  if (x.kind === 'decimal' && y.kind === 'decimal') {
    return a.kind === 'bigint' && b.kind === 'bigint' ? T.bigint : widenDecimals(x, y);
  }
  const numeric = (t: DataType): boolean =>
    t.kind === 'bigint' || t.kind === 'double' || t.kind === 'decimal';
  if (numeric(a) && numeric(b)) return T.double;
  return T.string;
}

/**
 * The inferred type made final: the null type becomes STRING, fields with empty names and structs
 * without fields are dropped (undefined when nothing is left).
 */
export function finishJsonType(t: DataType): DataType | undefined {
  switch (t.kind) {
    case 'null':
      return T.string;
    case 'array': {
      const element = finishJsonType(t.element);
      return element === undefined ? undefined : T.array(element);
    }
    case 'struct': {
      const fields: Field[] = [];
      for (const f of t.fields) {
        if (f.name === '') continue;
        const type = finishJsonType(f.type);
        if (type !== undefined) fields.push({ ...f, type });
      }
      return fields.length === 0 ? undefined : struct(fields);
    }
    default:
      return t;
  }
}

function quoteIfNeeded(name: string): string {
  return /^[A-Za-z_][A-Za-z0-9_]*$/.test(name) ? name : `\`${name.replace(/`/g, '``')}\``;
}

/** Spark's SQL text of a type (`DataType.sql`): `STRUCT<a: BIGINT, b: ARRAY<STRING>>`. */
export function typeToDdl(t: DataType): string {
  switch (t.kind) {
    case 'struct':
      return `STRUCT<${t.fields.map((f) => `${quoteIfNeeded(f.name)}: ${typeToDdl(f.type)}`).join(', ')}>`;
    case 'array':
      return `ARRAY<${typeToDdl(t.element)}>`;
    case 'map':
      return `MAP<${typeToDdl(t.key)}, ${typeToDdl(t.value)}>`;
    case 'decimal':
      return `DECIMAL(${t.precision},${t.scale})`;
    case 'null':
      return 'VOID';
    case 'string':
      return t.maxLength === undefined
        ? 'STRING'
        : `${t.fixed === true ? 'CHAR' : 'VARCHAR'}(${t.maxLength})`;
    case 'interval_day_time':
    case 'interval_year_month':
      return typeToString(t).toUpperCase();
    default:
      return t.kind.toUpperCase();
  }
}
