/**
 * Maps type names as written (Spark and PostgreSQL spellings) to engine data types.
 *
 * PostgreSQL-only names (`regclass`, `oid`, `name`, …) map to the closest Spark type and report the
 * name in `pgTypeName`, which `::` casts carry for the analyzer.
 */
import { EngineError, MAX_DECIMAL_PRECISION, MAX_TIME_PRECISION, SqlState } from '../../common/index.ts';
import type { DataType } from '../../common/index.ts';

type Fail = (message: string) => never;

export interface ResolvedType {
  readonly type: DataType;
  readonly pgTypeName: string | null;
  /** The type name as written, lower-cased (for `text[]`-style PostgreSQL array names). */
  readonly written?: string;
}

const SIMPLE: Readonly<Record<string, DataType>> = {
  boolean: { kind: 'boolean' },
  bool: { kind: 'boolean' },
  tinyint: { kind: 'tinyint' },
  byte: { kind: 'tinyint' },
  smallint: { kind: 'smallint' },
  short: { kind: 'smallint' },
  int2: { kind: 'smallint' },
  int: { kind: 'int' },
  integer: { kind: 'int' },
  int4: { kind: 'int' },
  bigint: { kind: 'bigint' },
  long: { kind: 'bigint' },
  int8: { kind: 'bigint' },
  real: { kind: 'float' },
  float4: { kind: 'float' },
  double: { kind: 'double' },
  float8: { kind: 'double' },
  string: { kind: 'string' },
  text: { kind: 'string' },
  binary: { kind: 'binary' },
  bytea: { kind: 'binary' },
  date: { kind: 'date' },
  timestamp: { kind: 'timestamp' },
  timestamp_ltz: { kind: 'timestamp' },
  timestamptz: { kind: 'timestamp' },
  timestamp_ntz: { kind: 'timestamp_ntz' },
  void: { kind: 'null' },
};

/** PostgreSQL types with no Spark counterpart: the fallback type used for them. */
const PG_ONLY: Readonly<Record<string, DataType>> = {
  regclass: { kind: 'string' },
  regtype: { kind: 'string' },
  regproc: { kind: 'string' },
  regprocedure: { kind: 'string' },
  regnamespace: { kind: 'string' },
  regoper: { kind: 'string' },
  regoperator: { kind: 'string' },
  regrole: { kind: 'string' },
  regconfig: { kind: 'string' },
  name: { kind: 'string' },
  char: { kind: 'string' },
  json: { kind: 'string' },
  jsonb: { kind: 'string' },
  uuid: { kind: 'string' },
  xml: { kind: 'string' },
  inet: { kind: 'string' },
  oid: { kind: 'int' },
  xid: { kind: 'int' },
  cid: { kind: 'int' },
  tid: { kind: 'string' },
  interval: { kind: 'interval_day_time' },
  timetz: { kind: 'string' },
};

function checkLength(name: string, args: readonly number[], fail: Fail): number | undefined {
  if (args.length > 1) fail(`type ${name} takes at most one argument`);
  const n = args[0];
  if (n !== undefined && n < 1) fail(`length for type ${name} must be at least 1`);
  return n;
}

/**
 * The type for `name(args…)`; `quoted` names come from `"char"`-style casts.
 * `words` is the lower-cased name, with multi-word names joined by a space.
 */
export function namedType(words: string, args: readonly number[], fail: Fail): ResolvedType {
  switch (words) {
    case 'decimal':
    case 'dec':
    case 'numeric': {
      if (args.length > 2) fail(`type ${words} takes at most two arguments`);
      const precision = args[0] ?? 10;
      const scale = args[1] ?? 0;
      if (precision < 1 || precision > MAX_DECIMAL_PRECISION) {
        fail(
          `decimal precision ${precision} is out of range: it must be between 1 and ${MAX_DECIMAL_PRECISION}`,
        );
      }
      if (scale < 0 || scale > precision)
        fail(`decimal scale ${scale} must be between 0 and the precision ${precision}`);
      // PostgreSQL's `numeric` without a precision keeps every digit; `::numeric` carries the
      // name so the analyzer can size it to its value (CAST(x AS DECIMAL) stays Spark's (10,0)).
      return {
        type: { kind: 'decimal', precision, scale },
        pgTypeName: args.length === 0 ? 'numeric' : null,
      };
    }
    case 'varchar':
    case 'character varying': {
      const n = checkLength(words, args, fail);
      return {
        type: n === undefined ? { kind: 'string' } : { kind: 'string', maxLength: n },
        pgTypeName: null,
      };
    }
    case 'char':
    case 'character':
    case 'bpchar': {
      const n = checkLength(words, args, fail);
      if (n === undefined && words === 'char') return { type: { kind: 'string' }, pgTypeName: 'char' };
      return { type: { kind: 'string', maxLength: n ?? 1, fixed: true }, pgTypeName: null };
    }
    case 'float': {
      const p = args[0];
      if (args.length > 1 || (p !== undefined && (p < 1 || p > 53)))
        fail('precision for type float must be between 1 and 53');
      return { type: p === undefined || p <= 24 ? { kind: 'float' } : { kind: 'double' }, pgTypeName: null };
    }
    case 'double precision':
      return { type: { kind: 'double' }, pgTypeName: null };
    case 'timestamp with time zone':
      return { type: { kind: 'timestamp' }, pgTypeName: null };
    case 'timestamp without time zone':
      return { type: { kind: 'timestamp_ntz' }, pgTypeName: null };
    case 'time':
    case 'time without time zone': {
      if (args.length > 1) fail(`type ${words} takes at most one argument`);
      const precision = args[0] ?? MAX_TIME_PRECISION;
      if (precision > MAX_TIME_PRECISION) {
        throw new EngineError(
          SqlState.unsupportedTimePrecision,
          `[UNSUPPORTED_TIME_PRECISION] The seconds precision ${precision} of the TIME data type is out of the supported range [0, ${MAX_TIME_PRECISION}].`,
        );
      }
      return { type: { kind: 'time', precision }, pgTypeName: null };
    }
    default:
      break;
  }
  const simple = SIMPLE[words];
  if (simple !== undefined) {
    if (args.length > 0 && !(words.startsWith('timestamp') && args.length === 1)) {
      fail(`type ${words} does not take arguments`);
    }
    return { type: simple, pgTypeName: null };
  }
  const pg = PG_ONLY[words];
  if (pg !== undefined) return { type: pg, pgTypeName: words };
  return fail(`unsupported data type: ${words}`);
}
