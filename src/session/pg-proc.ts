/**
 * `pg_catalog.pg_proc` and `pg_language`, generated from Kindling's own function registry: every
 * scalar and aggregate function (and each alias), the window, higher-order and set-returning
 * functions the analyzer knows, each as PostgreSQL lists a built-in — in `pg_catalog`, language
 * `internal`.
 *
 * Registry functions declare their signatures as code (`resolve`), so their overloads are found by
 * asking `resolve` about representative argument types, arity 0 to 3: each distinct set of
 * argument types it casts to becomes one row (abs: smallint, integer, bigint, real, double
 * precision, numeric). A function that also takes many arguments is VARIADIC; one that no probe
 * fits (it wants a lambda or a struct) is listed honestly as `VARIADIC "any"` returning
 * `anyelement`. OIDs hash the name and argument types, so they are stable across restarts.
 */
import { PgOid, T, pgTypeOf, type DataType } from '../common/index.ts';
import type { FunctionDef, FunctionRegistry } from '../functions/index.ts';
import { HIGHER_ORDER_FUNCTIONS, WINDOW_FUNCTION_NAMES } from '../sql/analyzer/index.ts';

/** PostgreSQL's pseudo-types that signatures use. */
export const PSEUDO_TYPES = {
  any: 2276,
  anyelement: 2283,
  anyarray: 2277,
  void: 2278,
  record: 2249,
} as const;

const INTERNAL_LANGUAGE = 12;

export interface ProcRow {
  readonly oid: number;
  readonly name: string;
  /** `f` function, `a` aggregate, `w` window. */
  readonly kind: 'f' | 'a' | 'w';
  readonly argTypes: readonly number[];
  /** The element type of a VARIADIC last argument, else 0. */
  readonly variadic: number;
  readonly returnType: number;
  readonly returnsSet: boolean;
  /** `i` immutable, `v` volatile. */
  readonly volatility: 'i' | 'v';
  readonly description: string;
}

/** Argument types `resolve` is asked about. */
const PROBES: readonly DataType[] = [
  T.boolean,
  T.smallint,
  T.int,
  T.bigint,
  T.float,
  T.double,
  T.decimal(10, 0),
  T.string,
  T.binary,
  T.date,
  T.timestamp,
  T.timestampNtz,
  T.intervalDayTime,
  T.array(T.int),
  T.array(T.string),
  { kind: 'map', key: T.string, value: T.string, valueContainsNull: true },
];

/** A many-argument call: resolving it marks a function as VARIADIC. */
const MANY = 7;

interface Signature {
  readonly args: readonly number[];
  readonly returns: number;
}

function oidOfType(t: DataType): number {
  return t.kind === 'null' ? PSEUDO_TYPES.anyelement : pgTypeOf(t).oid;
}

function tryResolve(def: FunctionDef, args: readonly DataType[]): Signature | null {
  try {
    const r = def.resolve(args, { ansi: true, literalArgs: args.map(() => undefined) });
    return { args: r.argTypes.map(oidOfType), returns: oidOfType(r.returnType) };
  } catch {
    return null;
  }
}

/** The overloads `resolve` accepts, and whether it takes any number of arguments. */
function probe(def: FunctionDef): { signatures: Signature[]; variadic: Signature[] } {
  const found = new Map<string, Signature>();
  const add = (s: Signature | null): void => {
    if (s !== null && !found.has(s.args.join(','))) found.set(s.args.join(','), s);
  };
  for (let n = 0; n <= 3; n++) {
    if (n === 0) {
      add(tryResolve(def, []));
      continue;
    }
    for (const p of PROBES) add(tryResolve(def, Array<DataType>(n).fill(p)));
    if (n >= 2) {
      for (const p of PROBES) {
        add(tryResolve(def, [p, ...Array<DataType>(n - 1).fill(T.int)]));
        add(tryResolve(def, [p, ...Array<DataType>(n - 1).fill(T.string)]));
        add(tryResolve(def, [T.string, ...Array<DataType>(n - 1).fill(p)]));
      }
    }
  }
  const variadic: Signature[] = [];
  for (const p of PROBES) {
    const s = tryResolve(def, Array<DataType>(MANY).fill(p));
    if (s !== null) variadic.push(s);
  }
  return { signatures: [...found.values()], variadic };
}

function procOid(name: string, args: readonly number[]): number {
  let h = 0x811c9dc5;
  const text = `p:${name}(${args.join(',')})`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return 16_384 + ((h >>> 0) % (0x7fffffff - 16_384));
}

function row(
  name: string,
  kind: ProcRow['kind'],
  args: readonly number[],
  returnType: number,
  options: { variadic?: number; returnsSet?: boolean; volatile?: boolean; description: string },
): ProcRow {
  return {
    oid: procOid(name, args),
    name,
    kind,
    argTypes: args,
    variadic: options.variadic ?? 0,
    returnType,
    returnsSet: options.returnsSet ?? false,
    volatility: options.volatile === true ? 'v' : 'i',
    description: options.description,
  };
}

/** The rows of one registry function under one of its names. */
function registryRows(name: string, def: FunctionDef): ProcRow[] {
  const kind = def.kind === 'aggregate' ? 'a' : 'f';
  const volatile = def.kind === 'scalar' && def.deterministic === false;
  const description = def.description;
  const { signatures, variadic } = probe(def);
  if (variadic.length > 0) {
    // Any number of arguments: one VARIADIC row, of "any" unless every probe casts to one type.
    const elements = new Set(variadic.map((s) => s.args[s.args.length - 1]!));
    const element =
      variadic.length === PROBES.length || elements.size > 1 ? PSEUDO_TYPES.any : [...elements][0]!;
    const returns = new Set(variadic.map((s) => s.returns));
    const returnType = returns.size === 1 ? [...returns][0]! : PSEUDO_TYPES.anyelement;
    return [row(name, kind, [element], returnType, { variadic: element, volatile, description })];
  }
  if (signatures.length === 0) {
    return [
      row(name, kind, [PSEUDO_TYPES.any], PSEUDO_TYPES.anyelement, {
        variadic: PSEUDO_TYPES.any,
        volatile,
        description,
      }),
    ];
  }
  return signatures.map((s) => row(name, kind, s.args, s.returns, { volatile, description }));
}

const { int4, int8, float8 } = PgOid;
const { anyelement, anyarray } = PSEUDO_TYPES;

/** The window functions' signatures, as the analyzer binds them (src/sql/analyzer/window-function.ts). */
const WINDOW_SIGNATURES: Readonly<Record<string, readonly (readonly [readonly number[], number])[]>> = {
  row_number: [[[], int4]],
  rank: [[[], int4]],
  dense_rank: [[[], int4]],
  percent_rank: [[[], float8]],
  cume_dist: [[[], float8]],
  ntile: [[[int4], int4]],
  lag: [
    [[anyelement], anyelement],
    [[anyelement, int4], anyelement],
    [[anyelement, int4, anyelement], anyelement],
  ],
  lead: [
    [[anyelement], anyelement],
    [[anyelement, int4], anyelement],
    [[anyelement, int4, anyelement], anyelement],
  ],
  first_value: [[[anyelement], anyelement]],
  last_value: [[[anyelement], anyelement]],
  nth_value: [[[anyelement, int4], anyelement]],
};

/** Set-returning functions (generators, PostgreSQL's, the range table function). */
const SET_RETURNING: readonly (readonly [string, readonly number[], number, string])[] = [
  ['explode', [anyarray], anyelement, 'explode(array) - One row per element.'],
  ['explode_outer', [anyarray], anyelement, 'explode_outer(array) - One row per element, NULL for none.'],
  [
    'posexplode',
    [anyarray],
    PSEUDO_TYPES.record,
    'posexplode(array) - One row per element with its position.',
  ],
  [
    'posexplode_outer',
    [anyarray],
    PSEUDO_TYPES.record,
    'posexplode_outer(array) - One row per element with its position, NULL for none.',
  ],
  ['inline', [anyarray], PSEUDO_TYPES.record, 'inline(array) - One row per struct, a column per field.'],
  [
    'inline_outer',
    [anyarray],
    PSEUDO_TYPES.record,
    'inline_outer(array) - One row per struct, a column per field, NULL for none.',
  ],
  [
    'json_tuple',
    [PgOid.text, PgOid.text],
    PSEUDO_TYPES.record,
    'json_tuple(json, name, ...) - One row of the named top-level fields of a JSON object.',
  ],
  ['unnest', [anyarray], anyelement, 'unnest(array) - One row per element.'],
  ['generate_series', [int8, int8], int8, 'generate_series(start, stop) - The integers from start to stop.'],
  [
    'generate_series',
    [int8, int8, int8],
    int8,
    'generate_series(start, stop, step) - The integers from start to stop by step.',
  ],
  [
    'generate_subscripts',
    [anyarray, int4],
    int4,
    'generate_subscripts(array, dim) - The subscripts of an array.',
  ],
  ['range', [int8], int8, 'range(end) - The integers from 0 below end.'],
  ['range', [int8, int8], int8, 'range(start, end) - The integers from start below end.'],
  ['range', [int8, int8, int8], int8, 'range(start, end, step) - The integers from start below end by step.'],
  ['pg_get_keywords', [], PSEUDO_TYPES.record, 'pg_get_keywords() - The SQL keywords and their categories.'],
  ['pg_show_all_settings', [], PSEUDO_TYPES.record, 'pg_show_all_settings() - Every setting.'],
  [
    'pg_partition_ancestors',
    [2205],
    2205,
    'pg_partition_ancestors(regclass) - The relation and its ancestors in its partition tree.',
  ],
];

const cache = new WeakMap<FunctionRegistry, readonly ProcRow[]>();

/** Every function of the registry (and the analyzer's window and set-returning ones) as pg_proc rows. */
export function procedures(functions: FunctionRegistry): readonly ProcRow[] {
  const cached = cache.get(functions);
  if (cached !== undefined) return cached;
  const out: ProcRow[] = [];
  const seen = new Set<number>();
  const push = (r: ProcRow): void => {
    if (seen.has(r.oid)) return;
    seen.add(r.oid);
    out.push(r);
  };
  // Probing throws for every signature a function refuses: no stack traces for those.
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 0;
  try {
    for (const canonical of functions.names()) {
      const def = functions.lookup(canonical);
      if (def === undefined) continue;
      for (const name of [canonical, ...(def.aliases ?? [])]) {
        for (const r of registryRows(name.toLowerCase(), def)) push(r);
      }
    }
  } finally {
    Error.stackTraceLimit = limit;
  }
  for (const name of WINDOW_FUNCTION_NAMES) {
    const signatures = WINDOW_SIGNATURES[name] ?? [[[PSEUDO_TYPES.any], anyelement] as const];
    for (const [args, returns] of signatures) {
      push(
        row(name, 'w', args, returns, {
          description: `${name} - A window function.`,
          ...(WINDOW_SIGNATURES[name] === undefined ? { variadic: PSEUDO_TYPES.any } : {}),
        }),
      );
    }
  }
  // higher-order functions take lambdas, which have no PostgreSQL type
  for (const name of HIGHER_ORDER_FUNCTIONS) {
    push(
      row(name, 'f', [PSEUDO_TYPES.any], PSEUDO_TYPES.anyelement, {
        variadic: PSEUDO_TYPES.any,
        description: `${name} - A higher-order function: it takes lambda functions as arguments.`,
      }),
    );
  }
  for (const [name, args, returns, description] of SET_RETURNING)
    push(row(name, 'f', args, returns, { returnsSet: true, description }));
  out.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : a.argTypes.length - b.argTypes.length));
  cache.set(functions, out);
  return out;
}

/** The columns of pg_proc (PostgreSQL 15). */
export const PG_PROC_COLUMNS =
  'oid:oid proname:name pronamespace:oid proowner:oid prolang:oid procost:float4 prorows:float4 ' +
  'provariadic:oid prosupport prokind:char prosecdef:bool proleakproof:bool proisstrict:bool proretset:bool ' +
  'provolatile:char proparallel:char pronargs:int2 pronargdefaults:int2 prorettype:oid proargtypes:oid[] ' +
  'proallargtypes:oid[] proargmodes:text[] proargnames:text[] proargdefaults protrftypes:oid[] prosrc probin ' +
  'prosqlbody proconfig:text[] proacl:text[]';

/** pg_proc's rows for a registry, in the catalog's namespace owned by `owner`. */
export function procRows(
  functions: FunctionRegistry,
  namespace: number,
  owner: number,
): Record<string, string | number | boolean | number[] | string[] | null>[] {
  return procedures(functions).map((p) => ({
    oid: p.oid,
    proname: p.name,
    pronamespace: namespace,
    proowner: owner,
    prolang: INTERNAL_LANGUAGE,
    procost: 1,
    prorows: p.returnsSet ? 1000 : 0,
    provariadic: p.variadic,
    prosupport: '-',
    prokind: p.kind,
    prosecdef: false,
    proleakproof: false,
    proisstrict: p.kind === 'f',
    proretset: p.returnsSet,
    provolatile: p.volatility,
    proparallel: 's',
    pronargs: p.argTypes.length,
    pronargdefaults: 0,
    prorettype: p.returnType,
    proargtypes: [...p.argTypes],
    ...(p.variadic !== 0
      ? {
          proallargtypes: [...p.argTypes],
          proargmodes: p.argTypes.map((_, i, a) => (i === a.length - 1 ? 'v' : 'i')),
        }
      : {}),
    prosrc: p.name,
  }));
}

/** The columns of pg_language. */
export const PG_LANGUAGE_COLUMNS =
  'oid:oid lanname:name lanowner:oid lanispl:bool lanpltrusted:bool lanplcallfoid:oid laninline:oid ' +
  'lanvalidator:oid lanacl:text[]';

/** PostgreSQL's built-in languages: what Kindling's functions are written in is `internal`. */
export function languageRows(owner: number): Record<string, string | number | boolean>[] {
  const lang = (
    oid: number,
    lanname: string,
    trusted: boolean,
  ): Record<string, string | number | boolean> => ({
    oid,
    lanname,
    lanowner: owner,
    lanispl: false,
    lanpltrusted: trusted,
    lanplcallfoid: 0,
    laninline: 0,
    lanvalidator: 0,
  });
  return [lang(INTERNAL_LANGUAGE, 'internal', false), lang(13, 'c', false), lang(14, 'sql', true)];
}

/**
 * A signature's argument list as `pg_get_function_arguments` prints it, given the name of a type
 * OID (format_type's).
 */
export function argumentText(p: ProcRow, typeName: (oid: number) => string): string {
  return p.argTypes
    .map((t, i) =>
      p.variadic !== 0 && i === p.argTypes.length - 1 ? `VARIADIC ${typeName(t)}` : typeName(t),
    )
    .join(', ');
}

/** The result as `pg_get_function_result` prints it (`SETOF bigint`). */
export function resultText(p: ProcRow, typeName: (oid: number) => string): string {
  return `${p.returnsSet ? 'SETOF ' : ''}${typeName(p.returnType)}`;
}
