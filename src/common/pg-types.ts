/**
 * The PostgreSQL type (OID, typmod, typlen, name) each engine type is sent as in RowDescription and
 * ParameterDescription, and the reverse lookup from a client-declared parameter OID.
 */
import { T, type DataType } from './types.ts';

export interface PgType {
  readonly oid: number;
  readonly typmod: number;
  readonly typlen: number;
  readonly name: string;
}

export const PgOid = {
  bool: 16,
  bytea: 17,
  char: 18,
  name: 19,
  int8: 20,
  int2: 21,
  int4: 23,
  text: 25,
  oid: 26,
  json: 114,
  float4: 700,
  float8: 701,
  unknown: 705,
  bpchar: 1042,
  varchar: 1043,
  date: 1082,
  time: 1083,
  timestamp: 1114,
  timestamptz: 1184,
  interval: 1186,
  numeric: 1700,
} as const;

const ARRAY_OID: Readonly<Record<number, number>> = {
  [PgOid.bool]: 1000,
  [PgOid.bytea]: 1001,
  [PgOid.int2]: 1005,
  [PgOid.int4]: 1007,
  [PgOid.text]: 1009,
  [PgOid.bpchar]: 1014,
  [PgOid.varchar]: 1015,
  [PgOid.int8]: 1016,
  [PgOid.float4]: 1021,
  [PgOid.float8]: 1022,
  [PgOid.date]: 1182,
  [PgOid.time]: 1183,
  [PgOid.timestamp]: 1115,
  [PgOid.timestamptz]: 1185,
  [PgOid.interval]: 1187,
  [PgOid.numeric]: 1231,
};

/** The element type OID of each array type OID above. */
const ARRAY_ELEMENT_OID: ReadonlyMap<number, number> = new Map(
  Object.entries(ARRAY_OID).map(([element, array]) => [array, Number(element)]),
);

/** The element type OID of an array type OID (`_int4` → `int4`); undefined for other OIDs. */
export function pgArrayElementOid(oid: number): number | undefined {
  return ARRAY_ELEMENT_OID.get(oid);
}

function scalar(oid: number, typlen: number, name: string, typmod = -1): PgType {
  return { oid, typmod, typlen, name };
}

/** The PostgreSQL type a column of `type` is described as. */
export function pgTypeOf(type: DataType): PgType {
  switch (type.kind) {
    case 'null':
      return scalar(PgOid.text, -1, 'text');
    case 'boolean':
      return scalar(PgOid.bool, 1, 'bool');
    case 'tinyint':
    case 'smallint':
      return scalar(PgOid.int2, 2, 'int2');
    case 'int':
      return scalar(PgOid.int4, 4, 'int4');
    case 'bigint':
      return scalar(PgOid.int8, 8, 'int8');
    case 'float':
      return scalar(PgOid.float4, 4, 'float4');
    case 'double':
      return scalar(PgOid.float8, 8, 'float8');
    case 'decimal':
      return scalar(PgOid.numeric, -1, 'numeric', ((type.precision << 16) | type.scale) + 4);
    case 'string':
      if (type.maxLength !== undefined) {
        return type.fixed === true
          ? scalar(PgOid.bpchar, -1, 'bpchar', type.maxLength + 4)
          : scalar(PgOid.varchar, -1, 'varchar', type.maxLength + 4);
      }
      return scalar(PgOid.text, -1, 'text');
    case 'binary':
      return scalar(PgOid.bytea, -1, 'bytea');
    case 'date':
      return scalar(PgOid.date, 4, 'date');
    case 'timestamp':
      return scalar(PgOid.timestamptz, 8, 'timestamptz');
    case 'timestamp_ntz':
      return scalar(PgOid.timestamp, 8, 'timestamp');
    case 'time':
      // PostgreSQL's typmod of time(p) is p itself.
      return scalar(PgOid.time, 8, 'time', type.precision);
    case 'interval_year_month':
    case 'interval_day_time':
    case 'calendar_interval':
      return scalar(PgOid.interval, 16, 'interval');
    case 'array': {
      let element = type.element;
      while (element.kind === 'array') element = element.element;
      const el = pgTypeOf(element);
      const oid = ARRAY_OID[el.oid] ?? 1009;
      return scalar(oid, -1, `_${ARRAY_OID[el.oid] === undefined ? 'text' : el.name}`, el.typmod);
    }
    case 'map':
    case 'struct':
      return scalar(PgOid.text, -1, 'text');
  }
}

/** The engine type a client-declared parameter OID stands for; null = infer (0, unknown, unsupported). */
export function dataTypeOfOid(oid: number): DataType | null {
  switch (oid) {
    case PgOid.bool:
      return T.boolean;
    case PgOid.int2:
      return T.smallint;
    case PgOid.int4:
    case PgOid.oid:
      return T.int;
    case PgOid.int8:
      return T.bigint;
    case PgOid.float4:
      return T.float;
    case PgOid.float8:
      return T.double;
    case PgOid.text:
    case PgOid.varchar:
    case PgOid.bpchar:
    case PgOid.name:
    case PgOid.char:
    case PgOid.json:
      return T.string;
    case PgOid.bytea:
      return T.binary;
    case PgOid.date:
      return T.date;
    case PgOid.timestamp:
      return T.timestampNtz;
    case PgOid.timestamptz:
      return T.timestamp;
    case PgOid.time:
      return T.time;
    case PgOid.interval:
      // PostgreSQL's interval keeps months, days and microseconds apart, as CalendarIntervalType does.
      return T.calendarInterval;
    case PgOid.numeric:
      // Precision and scale are not declared: a bound value keeps its own digits.
      return T.decimal(38, 18);
    default: {
      const element = pgArrayElementOid(oid);
      const elementType = element === undefined ? null : dataTypeOfOid(element);
      return elementType === null ? null : T.array(elementType);
    }
  }
}
