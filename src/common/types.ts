/**
 * Spark SQL data types, fields and schemas.
 *
 * Each type maps to one Arrow type (see `arrow.ts`) and one PostgreSQL type OID (see src/server).
 * Runtime values of a type, wherever a single value is held outside a column (literals, scalar
 * results, partition values), use one representation per type:
 *
 * | type                       | JS value                                  |
 * |----------------------------|-------------------------------------------|
 * | null                       | `null`                                    |
 * | boolean                    | `boolean`                                 |
 * | tinyint/smallint/int       | `number` (integer)                        |
 * | bigint                     | `bigint`                                  |
 * | float/double               | `number`                                  |
 * | decimal(p,s)               | `bigint` — the unscaled value (1.25 → 125n at s=2) |
 * | string                     | `string`                                  |
 * | binary                     | `Uint8Array`                              |
 * | date                       | `number` — days since 1970-01-01          |
 * | timestamp / timestamp_ntz  | `bigint` — microseconds since the epoch (UTC for timestamp) |
 * | interval_year_month        | `number` — months                         |
 * | interval_day_time          | `bigint` — microseconds                   |
 * | array                      | `Value[]`                                 |
 * | map                        | `Map<Value, Value>`                       |
 * | struct                     | `Value[]` (one per field)                 |
 */

export type DataType =
  | { readonly kind: 'null' }
  | { readonly kind: 'boolean' }
  | { readonly kind: 'tinyint' }
  | { readonly kind: 'smallint' }
  | { readonly kind: 'int' }
  | { readonly kind: 'bigint' }
  | { readonly kind: 'float' }
  | { readonly kind: 'double' }
  | { readonly kind: 'decimal'; readonly precision: number; readonly scale: number }
  /** `maxLength`/`fixed` record a declared VARCHAR(n)/CHAR(n); values are strings either way. */
  | { readonly kind: 'string'; readonly maxLength?: number; readonly fixed?: boolean }
  | { readonly kind: 'binary' }
  | { readonly kind: 'date' }
  | { readonly kind: 'timestamp' }
  | { readonly kind: 'timestamp_ntz' }
  | { readonly kind: 'interval_year_month' }
  | { readonly kind: 'interval_day_time' }
  | { readonly kind: 'array'; readonly element: DataType; readonly containsNull: boolean }
  | {
      readonly kind: 'map';
      readonly key: DataType;
      readonly value: DataType;
      readonly valueContainsNull: boolean;
    }
  | { readonly kind: 'struct'; readonly fields: readonly Field[] };

export type TypeKind = DataType['kind'];

export type Value =
  null | boolean | number | bigint | string | Uint8Array | readonly Value[] | ReadonlyMap<Value, Value>;

export interface Field {
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
}

export interface Schema {
  readonly fields: readonly Field[];
}

export const MAX_DECIMAL_PRECISION = 38;
/** Decimals up to this precision are held as 64-bit scaled integers; wider ones as 128-bit. */
export const MAX_DECIMAL64_PRECISION = 18;

export const T = {
  null: { kind: 'null' },
  boolean: { kind: 'boolean' },
  tinyint: { kind: 'tinyint' },
  smallint: { kind: 'smallint' },
  int: { kind: 'int' },
  bigint: { kind: 'bigint' },
  float: { kind: 'float' },
  double: { kind: 'double' },
  string: { kind: 'string' },
  binary: { kind: 'binary' },
  date: { kind: 'date' },
  timestamp: { kind: 'timestamp' },
  timestampNtz: { kind: 'timestamp_ntz' },
  intervalYearMonth: { kind: 'interval_year_month' },
  intervalDayTime: { kind: 'interval_day_time' },
  decimal(precision: number, scale: number): DataType {
    return { kind: 'decimal', precision, scale };
  },
  array(element: DataType, containsNull = true): DataType {
    return { kind: 'array', element, containsNull };
  },
} as const satisfies Record<string, DataType | ((...args: never[]) => DataType)>;

export function field(name: string, type: DataType, nullable = true): Field {
  return { name, type, nullable };
}

export function schema(fields: readonly Field[]): Schema {
  return { fields };
}

export function isIntegral(t: DataType): boolean {
  return t.kind === 'tinyint' || t.kind === 'smallint' || t.kind === 'int' || t.kind === 'bigint';
}

export function isFractional(t: DataType): boolean {
  return t.kind === 'float' || t.kind === 'double' || t.kind === 'decimal';
}

export function isNumeric(t: DataType): boolean {
  return isIntegral(t) || isFractional(t);
}

export function isDatetime(t: DataType): boolean {
  return t.kind === 'date' || t.kind === 'timestamp' || t.kind === 'timestamp_ntz';
}

export function isInterval(t: DataType): boolean {
  return t.kind === 'interval_year_month' || t.kind === 'interval_day_time';
}

/** Structural equality; VARCHAR(n)/CHAR(n) compare equal to STRING. */
export function typesEqual(a: DataType, b: DataType): boolean {
  if (a.kind !== b.kind) return false;
  switch (a.kind) {
    case 'decimal':
      return b.kind === 'decimal' && a.precision === b.precision && a.scale === b.scale;
    case 'array':
      return b.kind === 'array' && typesEqual(a.element, b.element);
    case 'map':
      return b.kind === 'map' && typesEqual(a.key, b.key) && typesEqual(a.value, b.value);
    case 'struct':
      return (
        b.kind === 'struct' &&
        a.fields.length === b.fields.length &&
        a.fields.every((f, i) => f.name === b.fields[i]!.name && typesEqual(f.type, b.fields[i]!.type))
      );
    default:
      return true;
  }
}

/** Spark's `simpleString`/SQL name: `int`, `decimal(15,2)`, `array<string>`, `varchar(25)`. */
export function typeToString(t: DataType): string {
  switch (t.kind) {
    case 'decimal':
      return `decimal(${t.precision},${t.scale})`;
    case 'string':
      if (t.maxLength !== undefined) return `${t.fixed === true ? 'char' : 'varchar'}(${t.maxLength})`;
      return 'string';
    case 'interval_year_month':
      return 'interval year to month';
    case 'interval_day_time':
      return 'interval day to second';
    case 'array':
      return `array<${typeToString(t.element)}>`;
    case 'map':
      return `map<${typeToString(t.key)},${typeToString(t.value)}>`;
    case 'struct':
      return `struct<${t.fields.map((f) => `${f.name}:${typeToString(f.type)}`).join(',')}>`;
    case 'null':
      return 'void';
    default:
      return t.kind;
  }
}

/** The decimal type that holds every value of an integral type exactly (Spark's DecimalType.forType). */
export function decimalForIntegral(t: DataType): { precision: number; scale: number } | undefined {
  switch (t.kind) {
    case 'tinyint':
      return { precision: 3, scale: 0 };
    case 'smallint':
      return { precision: 5, scale: 0 };
    case 'int':
      return { precision: 10, scale: 0 };
    case 'bigint':
      return { precision: 20, scale: 0 };
    case 'decimal':
      return { precision: t.precision, scale: t.scale };
    default:
      return undefined;
  }
}
