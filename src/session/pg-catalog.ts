/**
 * PostgreSQL's system catalogs as clients read them — psql's `\d` commands, JDBC DatabaseMetaData,
 * ODBC, BI tools — computed from Kindling's catalog when a query names them:
 * `pg_catalog.pg_class`, `pg_attribute`, `pg_namespace`… (also unqualified, as `pg_catalog` is
 * always first on PostgreSQL's search path, unless a table or view of that name exists).
 *
 * Kindling's databases are the schemas (`public` is `default`), and also the databases a client
 * may connect to. OIDs are stable across restarts: fixed ones for what PostgreSQL fixes (types,
 * `pg_catalog` = 11, `public` = 2200, the bootstrap role = 10), and for databases, schemas and
 * tables a hash of the name above 16384, where PostgreSQL's own user objects start.
 *
 * The functions clients call on these catalogs that need the session's knowledge —
 * `pg_table_is_visible`, `pg_get_userbyid`, `obj_description`, `format_type`… — are expanded
 * into plain expressions while the query is analyzed (`expandCatalogFunction`), so what runs in
 * the executors is ordinary SQL over constant rows.
 */
import {
  EngineError,
  SqlState,
  T,
  pgTypeOf,
  type DataType,
  type Field,
  type Value,
} from '../common/index.ts';
import { VIEW_FORMAT, type Metastore, type TableDefinition } from '../catalog/index.ts';
import { KINDLING_VERSION, type FunctionRegistry } from '../functions/index.ts';
import { parseExpression, type Expr as AstExpr } from '../sql/parser/index.ts';
import {
  PG_LANGUAGE_COLUMNS,
  PG_PROC_COLUMNS,
  PSEUDO_TYPES,
  argumentText,
  languageRows,
  procRows,
  procedures,
  resultText,
} from './pg-proc.ts';
import type { BackendIdentity } from './backends.ts';
import { PG_GET_KEYWORDS_COLUMNS, keywordRows } from './pg-keywords.ts';
import {
  PG_STAT_ACTIVITY_COLUMNS,
  PG_STAT_GSSAPI_COLUMNS,
  activityRows,
  backendPid,
  gssapiRows,
} from './pg-activity.ts';

export const PG_CATALOG = 'pg_catalog';
export const INFORMATION_SCHEMA = 'information_schema';
const PG_CATALOG_OID = 11;
const PUBLIC_OID = 2200;
const INFORMATION_SCHEMA_OID = 13_213;
/** The role every object belongs to: PostgreSQL's bootstrap superuser. */
const OWNER_OID = 10;
const UTF8 = 6;
const HEAP_AM = 2;
const FIRST_USER_OID = 16_384;

/** A stable OID for a named object of a kind (`d` database, `n` schema, `r` relation). */
export function objectOid(kind: string, name: string): number {
  let h = 0x811c9dc5;
  const text = `${kind}:${name}`;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return FIRST_USER_OID + ((h >>> 0) % (0x7fffffff - FIRST_USER_OID));
}

/** The schema a Kindling database is shown as: `public` for `default`. */
export function schemaName(database: string): string {
  return database === 'default' ? 'public' : database;
}

/** The Kindling database a schema name stands for (`public` → `default`). */
export function databaseOfSchema(schema: string): string {
  return schema === 'public' ? 'default' : schema;
}

function schemaOid(database: string): number {
  return database === 'default' ? PUBLIC_OID : objectOid('n', database);
}

/** The OID of a table or view (of the catalogs too: `relationOid('pg_catalog', 'pg_class')`). */
export function relationOid(database: string, table: string): number {
  return objectOid('r', `${database}.${table}`);
}

// ---- table shapes --------------------------------------------------------------------------------

type ColumnKind =
  | 'oid'
  | 'name'
  | 'text'
  | 'char'
  | 'bool'
  | 'int2'
  | 'int4'
  | 'int8'
  | 'float4'
  | 'text[]'
  | 'oid[]'
  | 'int2[]'
  | 'timestamptz';

const SPARK_TYPE: Readonly<Record<ColumnKind, DataType>> = {
  oid: T.int,
  name: T.string,
  text: T.string,
  char: T.string,
  bool: T.boolean,
  int2: T.smallint,
  int4: T.int,
  int8: T.bigint,
  float4: T.float,
  'text[]': T.array(T.string),
  'oid[]': T.array(T.int),
  // int2vector columns (pg_index.indkey, pg_publication_rel.prattrs, pg_statistic_ext.stxkeys) read as int2[]
  'int2[]': T.array(T.smallint),
  timestamptz: T.timestamp,
};

/** Columns as `name:kind` words; a kind left out is `text`. */
function columns(spec: string): Field[] {
  return spec
    .trim()
    .split(/\s+/)
    .map((word) => {
      const [name, kind] = word.split(':') as [string, ColumnKind | undefined];
      return { name, type: SPARK_TYPE[kind ?? 'text'], nullable: true };
    });
}

export interface CatalogView {
  readonly metastore: Metastore;
  readonly user: string;
  readonly currentDatabase: string;
  /** The session's settings (SHOW ALL). */
  readonly settings: () => readonly { key: string; value: string; description: string }[];
  /** The engine's functions (pg_proc). */
  readonly functions: FunctionRegistry;
  /** A setting's value by any of its names (as SHOW reads it); undefined when unknown. */
  readonly setting: (name: string) => string | undefined;
  /** The server connection the session serves; null when embedded. */
  readonly backend: BackendIdentity | null;
  /** CACHE TABLE's caches the session can read (kindling_cached_tables). */
  readonly caches: () => readonly CachedRelation[];
}

/** A cached table or view as `pg_catalog.kindling_cached_tables` lists it. */
export interface CachedRelation {
  /** '' for a temporary view. */
  readonly database: string;
  readonly name: string;
  readonly storageLevel: string;
  /** `lazy` (not filled yet), `memory`, `disk`, or `memory and disk`. */
  readonly state: string;
  readonly rows: number | null;
  readonly memoryBytes: number;
  readonly diskBytes: number;
}

interface SystemTable {
  readonly columns: readonly Field[];
  /** Rows in column order; `{}` objects name the columns they set, the rest are NULL. */
  readonly rows: (view: CatalogView) => readonly Readonly<Record<string, Value>>[];
}

function table(spec: string, rows: SystemTable['rows'] = () => []): SystemTable {
  return { columns: columns(spec), rows };
}

// ---- what the catalog holds --------------------------------------------------------------------

interface Relation {
  readonly database: string;
  readonly name: string;
  readonly oid: number;
  readonly namespace: number;
  readonly kind: 'r' | 'v';
  readonly definition: TableDefinition | null;
  readonly columns: readonly Field[];
}

function databases(view: CatalogView): string[] {
  return view.metastore.listDatabases().map((d) => d.name);
}

/** Every table and view of every database, then the catalogs' own relations. */
function relations(view: CatalogView): Relation[] {
  const out: Relation[] = [];
  for (const db of databases(view)) {
    for (const t of view.metastore.listTables(db)) {
      let def: TableDefinition | undefined;
      try {
        def = view.metastore.getTable(db, t.name);
      } catch {
        continue; // a corrupt definition is reported when the table is used
      }
      if (def === undefined) continue;
      out.push({
        database: db,
        name: t.name,
        oid: relationOid(db, t.name),
        namespace: schemaOid(db),
        kind: def.format === VIEW_FORMAT ? 'v' : 'r',
        definition: def,
        columns: def.columns,
      });
    }
  }
  for (const [name, t] of Object.entries(PG_TABLES)) {
    out.push({
      database: PG_CATALOG,
      name,
      oid: relationOid(PG_CATALOG, name),
      namespace: PG_CATALOG_OID,
      kind: 'v',
      definition: null,
      columns: t.columns,
    });
  }
  return out;
}

interface TypeRow {
  readonly oid: number;
  readonly name: string;
  readonly len: number;
  readonly category: string;
  readonly element: number;
  readonly array: number;
}

/** The types columns are described as (server RowDescription), with their array types. */
const TYPES: readonly TypeRow[] = (() => {
  const scalar: [number, string, number, string, number][] = [
    [16, 'bool', 1, 'B', 1000],
    [17, 'bytea', -1, 'U', 1001],
    [18, 'char', 1, 'Z', 1002],
    [19, 'name', 64, 'S', 1003],
    [20, 'int8', 8, 'N', 1016],
    [21, 'int2', 2, 'N', 1005],
    [23, 'int4', 4, 'N', 1007],
    [24, 'regproc', 4, 'N', 1008],
    [25, 'text', -1, 'S', 1009],
    [26, 'oid', 4, 'N', 1028],
    [114, 'json', -1, 'U', 199],
    [700, 'float4', 4, 'N', 1021],
    [701, 'float8', 8, 'N', 1022],
    [705, 'unknown', -2, 'X', 0],
    [1042, 'bpchar', -1, 'S', 1014],
    [1043, 'varchar', -1, 'S', 1015],
    [1082, 'date', 4, 'D', 1182],
    [1083, 'time', 8, 'D', 1183],
    [1114, 'timestamp', 8, 'D', 1115],
    [1184, 'timestamptz', 8, 'D', 1185],
    [1186, 'interval', 16, 'T', 1187],
    [1700, 'numeric', -1, 'N', 1231],
    [2205, 'regclass', 4, 'N', 2210],
    [2206, 'regtype', 4, 'N', 2211],
  ];
  const out: TypeRow[] = [];
  // The pseudo-types function signatures use (pg_proc).
  for (const [name, oid] of Object.entries(PSEUDO_TYPES))
    out.push({
      oid,
      name,
      len: name === 'any' || name === 'void' ? 4 : -1,
      category: 'P',
      element: 0,
      array: 0,
    });
  for (const [oid, name, len, category, array] of scalar) {
    out.push({ oid, name, len, category, element: 0, array });
    if (array !== 0)
      out.push({ oid: array, name: `_${name}`, len: -1, category: 'A', element: oid, array: 0 });
  }
  return out;
})();

/** PostgreSQL's `format_type` names, by type OID. */
const FORMAT_NAMES: Readonly<Record<number, string>> = {
  16: 'boolean',
  17: 'bytea',
  18: '"char"',
  19: 'name',
  20: 'bigint',
  21: 'smallint',
  23: 'integer',
  24: 'regproc',
  25: 'text',
  26: 'oid',
  114: 'json',
  700: 'real',
  701: 'double precision',
  705: 'unknown',
  1042: 'character',
  1043: 'character varying',
  1082: 'date',
  1083: 'time without time zone',
  1114: 'timestamp without time zone',
  1184: 'timestamp with time zone',
  1186: 'interval',
  1700: 'numeric',
  2205: 'regclass',
  2206: 'regtype',
  [PSEUDO_TYPES.any]: '"any"',
  [PSEUDO_TYPES.anyelement]: 'anyelement',
  [PSEUDO_TYPES.anyarray]: 'anyarray',
  [PSEUDO_TYPES.void]: 'void',
  [PSEUDO_TYPES.record]: 'record',
};

/**
 * PostgreSQL's storage strategy of a type: plain for fixed-size ones (and C strings), main for
 * numeric, extended for the other variable-size ones.
 */
function storage(oid: number, len: number): string {
  if (len > 0 || len === -2) return 'p';
  return oid === 1700 ? 'm' : 'x';
}

function attributeRows(r: Relation): Record<string, Value>[] {
  return r.columns.map((c, i) => {
    const pg = pgTypeOf(c.type);
    return {
      attrelid: r.oid,
      attname: c.name,
      atttypid: pg.oid,
      attstattarget: -1,
      attlen: pg.typlen,
      attnum: i + 1,
      attndims: c.type.kind === 'array' ? 1 : 0,
      attcacheoff: -1,
      atttypmod: pg.typmod,
      attbyval: pg.typlen > 0 && pg.typlen <= 8,
      attalign: pg.typlen === 8 ? 'd' : pg.typlen === 2 ? 's' : pg.typlen === 1 ? 'c' : 'i',
      attstorage: storage(pg.oid, pg.typlen),
      attcompression: '',
      // A view's columns carry no NOT NULL in PostgreSQL.
      attnotnull: r.kind === 'r' && !c.nullable,
      atthasdef: false,
      atthasmissing: false,
      attidentity: '',
      attgenerated: '',
      attisdropped: false,
      attislocal: true,
      attinhcount: 0,
      attcollation: c.type.kind === 'string' ? 100 : 0,
    };
  });
}

/** A type's input and output functions, as pg_type names them: `int4_in`, `array_out`. */
function ioFunctionNames(t: TypeRow): [string, string] {
  const base = t.element === 0 ? t.name : 'array';
  return [`${base}_in`, `${base}_out`];
}

const PG_TABLES: Readonly<Record<string, SystemTable>> = {
  pg_namespace: table('oid:oid nspname:name nspowner:oid nspacl:text[]', (v) => [
    { oid: PG_CATALOG_OID, nspname: PG_CATALOG, nspowner: OWNER_OID },
    { oid: INFORMATION_SCHEMA_OID, nspname: INFORMATION_SCHEMA, nspowner: OWNER_OID },
    ...databases(v).map((db) => ({ oid: schemaOid(db), nspname: schemaName(db), nspowner: OWNER_OID })),
  ]),
  pg_class: table(
    'oid:oid relname:name relnamespace:oid reltype:oid reloftype:oid relowner:oid relam:oid relfilenode:oid ' +
      'reltablespace:oid relpages:int4 reltuples:float4 relallvisible:int4 reltoastrelid:oid relhasindex:bool ' +
      'relisshared:bool relpersistence:char relkind:char relnatts:int2 relchecks:int2 relhasrules:bool ' +
      'relhastriggers:bool relhassubclass:bool relrowsecurity:bool relforcerowsecurity:bool relispopulated:bool ' +
      'relreplident:char relispartition:bool relrewrite:oid relacl:text[] reloptions:text[] relpartbound',
    (v) =>
      relations(v).map((r) => ({
        oid: r.oid,
        relname: r.name,
        relnamespace: r.namespace,
        reltype: 0,
        reloftype: 0,
        relowner: OWNER_OID,
        relam: r.kind === 'r' ? HEAP_AM : 0,
        relfilenode: 0,
        reltablespace: 0,
        relpages: 0,
        reltuples: r.definition?.statistics?.rowCount ?? -1,
        relallvisible: 0,
        reltoastrelid: 0,
        relhasindex: false,
        relisshared: false,
        relpersistence: 'p',
        relkind: r.kind,
        relnatts: r.columns.length,
        relchecks: 0,
        relhasrules: false,
        relhastriggers: false,
        relhassubclass: false,
        relrowsecurity: false,
        relforcerowsecurity: false,
        relispopulated: true,
        relreplident: 'd',
        relispartition: false,
        relrewrite: 0,
      })),
  ),
  pg_attribute: table(
    'attrelid:oid attname:name atttypid:oid attstattarget:int4 attlen:int2 attnum:int2 attndims:int4 ' +
      'attcacheoff:int4 atttypmod:int4 attbyval:bool attalign:char attstorage:char attcompression:char ' +
      'attnotnull:bool atthasdef:bool atthasmissing:bool attidentity:char attgenerated:char attisdropped:bool ' +
      'attislocal:bool attinhcount:int4 attcollation:oid attacl:text[] attoptions:text[] attfdwoptions:text[] attmissingval',
    (v) => relations(v).flatMap(attributeRows),
  ),
  pg_type: table(
    'oid:oid typname:name typnamespace:oid typowner:oid typlen:int2 typbyval:bool typtype:char typcategory:char ' +
      'typispreferred:bool typisdefined:bool typdelim:char typrelid:oid typsubscript typelem:oid typarray:oid ' +
      'typinput typoutput typreceive typsend typmodin typmodout typanalyze typalign:char typstorage:char ' +
      'typnotnull:bool typbasetype:oid typtypmod:int4 typndims:int4 typcollation:oid typdefaultbin typdefault typacl:text[]',
    () =>
      TYPES.map((t) => ({
        oid: t.oid,
        typname: t.name,
        typnamespace: PG_CATALOG_OID,
        typowner: OWNER_OID,
        typlen: t.len,
        typbyval: t.len > 0 && t.len <= 8,
        typtype: t.oid === 705 || t.category === 'P' ? 'p' : 'b',
        typcategory: t.category,
        typispreferred: t.name === 'text' || t.name === 'float8' || t.name === 'bool',
        typisdefined: true,
        typdelim: ',',
        typrelid: 0,
        typelem: t.element,
        typarray: t.array,
        typinput: ioFunctionNames(t)[0],
        typoutput: ioFunctionNames(t)[1],
        typalign: t.len === 8 ? 'd' : t.len === 2 ? 's' : t.len === 1 ? 'c' : 'i',
        typstorage: storage(t.oid, t.len),
        typnotnull: false,
        typbasetype: 0,
        typtypmod: -1,
        typndims: 0,
        typcollation: t.category === 'S' ? 100 : 0,
      })),
  ),
  pg_database: table(
    'oid:oid datname:name datdba:oid encoding:int4 datlocprovider:char datistemplate:bool datallowconn:bool ' +
      'datconnlimit:int4 dattablespace:oid datcollate datctype daticulocale datcollversion datacl:text[]',
    (v) =>
      databases(v).map((db) => ({
        oid: objectOid('d', db),
        datname: db,
        datdba: OWNER_OID,
        encoding: UTF8,
        datlocprovider: 'c',
        datistemplate: false,
        datallowconn: true,
        datconnlimit: -1,
        dattablespace: 1663,
        datcollate: 'C.UTF-8',
        datctype: 'C.UTF-8',
      })),
  ),
  pg_am: table('oid:oid amname:name amhandler amtype:char', () => [
    { oid: HEAP_AM, amname: 'heap', amhandler: 'heap_tableam_handler', amtype: 't' },
    { oid: 403, amname: 'btree', amhandler: 'bthandler', amtype: 'i' },
  ]),
  pg_roles: table(
    'rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool rolcanlogin:bool ' +
      'rolreplication:bool rolconnlimit:int4 rolpassword rolvaliduntil rolbypassrls:bool rolconfig:text[] oid:oid',
    (v) => [roleRow(v)],
  ),
  pg_user: table(
    'usename:name usesysid:oid usecreatedb:bool usesuper:bool userepl:bool usebypassrls:bool passwd valuntil useconfig:text[]',
    (v) => [
      {
        usename: v.user,
        usesysid: OWNER_OID,
        usecreatedb: true,
        usesuper: true,
        userepl: false,
        usebypassrls: false,
        passwd: '********',
      },
    ],
  ),
  pg_description: table('objoid:oid classoid:oid objsubid:int4 description', (v) =>
    descriptions(v).map((d) => ({ ...d })),
  ),
  pg_tables: table(
    'schemaname:name tablename:name tableowner:name tablespace:name hasindexes:bool hasrules:bool hastriggers:bool rowsecurity:bool',
    (v) =>
      relations(v)
        .filter((r) => r.kind === 'r')
        .map((r) => ({
          schemaname: schemaName(r.database),
          tablename: r.name,
          tableowner: v.user,
          hasindexes: false,
          hasrules: false,
          hastriggers: false,
          rowsecurity: false,
        })),
  ),
  pg_views: table('schemaname:name viewname:name viewowner:name definition', (v) =>
    relations(v)
      .filter((r) => r.kind === 'v' && r.definition !== null)
      .map((r) => ({
        schemaname: schemaName(r.database),
        viewname: r.name,
        viewowner: v.user,
        definition: r.definition!.properties.viewText ?? null,
      })),
  ),
  // What Kindling has none of: the shapes clients select from, empty.
  pg_index: table(
    'indexrelid:oid indrelid:oid indnatts:int2 indnkeyatts:int2 indisunique:bool indnullsnotdistinct:bool ' +
      'indisprimary:bool indisexclusion:bool indimmediate:bool indisclustered:bool indisvalid:bool ' +
      'indcheckxmin:bool indisready:bool indislive:bool indisreplident:bool indkey:int2[] indcollation:oid[] ' +
      'indclass:oid[] indoption:int2[] indexprs indpred',
  ),
  pg_constraint: table(
    'oid:oid conname:name connamespace:oid contype:char condeferrable:bool condeferred:bool convalidated:bool ' +
      'conrelid:oid contypid:oid conindid:oid conparentid:oid confrelid:oid confupdtype:char confdeltype:char ' +
      'confmatchtype:char conislocal:bool coninhcount:int4 connoinherit:bool conkey:int2[] confkey:int2[] ' +
      'conpfeqop:oid[] conppeqop:oid[] conffeqop:oid[] confdelsetcols:int2[] conexclop:oid[] conbin',
  ),
  pg_attrdef: table('oid:oid adrelid:oid adnum:int2 adbin'),
  pg_inherits: table('inhrelid:oid inhparent:oid inhseqno:int4 inhdetachpending:bool'),
  pg_trigger: table(
    'oid:oid tgrelid:oid tgparentid:oid tgname:name tgfoid:oid tgtype:int2 tgenabled:char tgisinternal:bool ' +
      'tgconstrrelid:oid tgconstrindid:oid tgconstraint:oid tgdeferrable:bool tginitdeferred:bool tgnargs:int2 ' +
      'tgattr tgargs tgqual tgoldtable:name tgnewtable:name',
  ),
  pg_policy: table(
    'oid:oid polname:name polrelid:oid polcmd:char polpermissive:bool polroles:oid[] polqual polwithcheck',
  ),
  pg_collation: table(
    'oid:oid collname:name collnamespace:oid collowner:oid collprovider:char collisdeterministic:bool ' +
      'collencoding:int4 collcollate collctype colliculocale collversion',
    () => [
      {
        oid: 100,
        collname: 'default',
        collnamespace: PG_CATALOG_OID,
        collowner: OWNER_OID,
        collprovider: 'd',
        collisdeterministic: true,
        collencoding: -1,
      },
    ],
  ),
  pg_statistic_ext: table(
    'oid:oid stxrelid:oid stxname:name stxnamespace:oid stxowner:oid stxstattarget:int4 stxkeys:int2[] stxkind:text[] stxexprs',
  ),
  pg_publication: table(
    'oid:oid pubname:name pubowner:oid puballtables:bool pubinsert:bool pubupdate:bool pubdelete:bool ' +
      'pubtruncate:bool pubviaroot:bool',
  ),
  pg_publication_rel: table('oid:oid prpubid:oid prrelid:oid prqual prattrs:int2[]'),
  pg_publication_namespace: table('oid:oid pnpubid:oid pnnspid:oid'),
  pg_extension: table(
    'oid:oid extname:name extowner:oid extnamespace:oid extrelocatable:bool extversion extconfig:text[] extcondition:text[]',
  ),
  pg_matviews: table(
    'schemaname:name matviewname:name matviewowner:name tablespace:name hasindexes:bool ispopulated:bool definition',
  ),
  pg_enum: table('oid:oid enumtypid:oid enumsortorder:float4 enumlabel:name'),
  pg_range: table('rngtypid:oid rngsubtype:oid rngmultitypid:oid rngcollation:oid rngsubopc:oid'),
  pg_event_trigger: table(
    'oid:oid evtname:name evtevent:name evtowner:oid evtfoid:oid evtenabled:char evttags:text[]',
  ),
  pg_auth_members: table('roleid:oid member:oid grantor:oid admin_option:bool'),
  pg_settings: table(
    'name setting unit category short_desc extra_desc context vartype source min_val max_val enumvals ' +
      'boot_val reset_val sourcefile sourceline:int4 pending_restart:bool',
    (v) => {
      const rows = new Map<string, { setting: string; description: string }>();
      for (const [name, setting] of FIXED_SETTINGS) rows.set(name, { setting, description: '' });
      for (const s of v.settings()) rows.set(s.key, { setting: s.value, description: s.description });
      return [...rows].map(([name, r]) => ({
        name,
        setting: r.setting,
        category: 'Kindling',
        short_desc: r.description,
        context: 'user',
        vartype: 'string',
        source: 'default',
        boot_val: r.setting,
        reset_val: r.setting,
        pending_restart: false,
      }));
    },
  ),
  pg_stat_activity: table(PG_STAT_ACTIVITY_COLUMNS, (v) =>
    activityRows(
      v.backend,
      (db) => objectOid('d', db),
      (user) => (user === v.user ? OWNER_OID : objectOid('u', user)),
    ),
  ),
  pg_stat_gssapi: table(PG_STAT_GSSAPI_COLUMNS, (v) => gssapiRows(v.backend)),
  // Kindling's own: CACHE TABLE's caches, least recently read first (the next to give way).
  kindling_cached_tables: table(
    'schemaname:name tablename:name storage_level state rows:int8 memory_bytes:int8 disk_bytes:int8',
    (v) =>
      v.caches().map((c) => ({
        schemaname: c.database === '' ? null : c.database,
        tablename: c.name,
        storage_level: c.storageLevel,
        state: c.state,
        rows: c.rows === null ? null : BigInt(c.rows),
        memory_bytes: BigInt(c.memoryBytes),
        disk_bytes: BigInt(c.diskBytes),
      })),
  ),
  pg_stat_user_tables: table(
    'relid:oid schemaname:name relname:name seq_scan:int8 seq_tup_read:int8 idx_scan:int8 idx_tup_fetch:int8 ' +
      'n_tup_ins:int8 n_tup_upd:int8 n_tup_del:int8 n_tup_hot_upd:int8 n_live_tup:int8 n_dead_tup:int8 ' +
      'n_mod_since_analyze:int8 n_ins_since_vacuum:int8 last_vacuum:timestamptz last_autovacuum:timestamptz ' +
      'last_analyze:timestamptz last_autoanalyze:timestamptz vacuum_count:int8 autovacuum_count:int8 ' +
      'analyze_count:int8 autoanalyze_count:int8',
    // Live rows are what the statistics know; Kindling counts no scans and never vacuums, and its
    // files are never updated in place (no dead rows, no index).
    (v) =>
      userRelations(v)
        .filter((r) => r.kind === 'r')
        .map((r) => {
          const rowCount = r.definition?.statistics?.rowCount ?? null;
          return {
            relid: r.oid,
            schemaname: schemaName(r.database),
            relname: r.name,
            n_live_tup: rowCount === null ? null : BigInt(rowCount),
            n_dead_tup: 0n,
            n_tup_upd: 0n,
            n_tup_hot_upd: 0n,
            vacuum_count: 0n,
            autovacuum_count: 0n,
          };
        }),
  ),
  pg_authid: table(
    'oid:oid rolname:name rolsuper:bool rolinherit:bool rolcreaterole:bool rolcreatedb:bool rolcanlogin:bool ' +
      'rolreplication:bool rolbypassrls:bool rolconnlimit:int4 rolpassword rolvaliduntil:timestamptz',
    // The role as pg_roles shows it; its password verifier is never shown.
    (v) => {
      const { rolconfig: _config, rolpassword: _password, ...role } = roleRow(v);
      return [{ ...role, rolpassword: null }];
    },
  ),
  pg_available_extensions: table('name:name default_version installed_version comment'),
  pg_available_extension_versions: table(
    'name:name version installed:bool superuser:bool trusted:bool relocatable:bool schema:name requires:text[] comment',
  ),
  pg_depend: table(
    'classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4 deptype:char',
  ),
  pg_partitioned_table: table(
    'partrelid:oid partstrat:char partnatts:int2 partdefid:oid partattrs:int2[] partclass:oid[] ' +
      'partcollation:oid[] partexprs',
    // A table partitioned by columns (Hive-style folders per value) is PostgreSQL's LIST partitioning.
    (v) =>
      userRelations(v)
        .filter((r) => r.kind === 'r' && (r.definition?.partitionColumns.length ?? 0) > 0)
        .map((r) => {
          const keys = r.definition!.partitionColumns.map(
            (c) => r.columns.findIndex((f) => f.name.toLowerCase() === c.toLowerCase()) + 1,
          );
          return {
            partrelid: r.oid,
            partstrat: 'l',
            partnatts: keys.length,
            partdefid: 0,
            partattrs: keys,
            partclass: keys.map(() => 0),
            partcollation: keys.map((k) => (r.columns[k - 1]?.type.kind === 'string' ? 100 : 0)),
          };
        }),
  ),
  pg_opclass: table(
    'oid:oid opcmethod:oid opcname:name opcnamespace:oid opcowner:oid opcfamily:oid opcintype:oid ' +
      'opcdefault:bool opckeytype:oid',
  ),
  pg_opfamily: table('oid:oid opfmethod:oid opfname:name opfnamespace:oid opfowner:oid'),
  pg_rewrite: table(
    'oid:oid rulename:name ev_class:oid ev_type:char ev_enabled:char is_instead:bool ev_qual ev_action',
  ),
  pg_sequence: table(
    'seqrelid:oid seqtypid:oid seqstart:int8 seqincrement:int8 seqmax:int8 seqmin:int8 seqcache:int8 seqcycle:bool',
  ),
  pg_sequences: table(
    'schemaname:name sequencename:name sequenceowner:name data_type start_value:int8 min_value:int8 ' +
      'max_value:int8 increment_by:int8 cycle:bool cache_size:int8 last_value:int8',
  ),
  pg_proc: table(PG_PROC_COLUMNS, (v) => procRows(v.functions, PG_CATALOG_OID, OWNER_OID)),
  pg_language: table(PG_LANGUAGE_COLUMNS, () => languageRows(OWNER_OID)),
  pg_tablespace: table('oid:oid spcname:name spcowner:oid spcacl:text[] spcoptions:text[]', () => [
    { oid: 1663, spcname: 'pg_default', spcowner: OWNER_OID },
  ]),
  // What GUI tools read besides (pg-catalog-tools.ts).
};

/** Fixed PostgreSQL settings clients read from pg_settings. */
const FIXED_SETTINGS: readonly [string, string][] = [
  ['max_index_keys', '32'],
  ['max_identifier_length', '63'],
  ['block_size', '8192'],
  ['server_encoding', 'UTF8'],
  ['integer_datetimes', 'on'],
];

function roleRow(v: CatalogView): Record<string, Value> {
  return {
    rolname: v.user,
    rolsuper: true,
    rolinherit: true,
    rolcreaterole: true,
    rolcreatedb: true,
    rolcanlogin: true,
    rolreplication: false,
    rolconnlimit: -1,
    rolpassword: '********',
    rolbypassrls: false,
    oid: OWNER_OID,
  };
}

interface Description {
  readonly objoid: number;
  readonly classoid: number;
  readonly objsubid: number;
  readonly description: string;
}

/** Comments of tables and views (Kindling keeps none for columns). */
function descriptions(v: CatalogView): Description[] {
  const pgClass = relationOid(PG_CATALOG, 'pg_class');
  const out: Description[] = [];
  for (const r of relations(v)) {
    const comment = r.definition?.comment ?? null;
    if (comment !== null) out.push({ objoid: r.oid, classoid: pgClass, objsubid: 0, description: comment });
  }
  return out;
}

// ---- lookup ----------------------------------------------------------------------------------------

/** The `information_schema` name of a column's type, as PostgreSQL reports `data_type`. */
function infoDataType(type: DataType): string {
  if (type.kind === 'array') return 'ARRAY';
  const oid = pgTypeOf(type).oid;
  return FORMAT_NAMES[oid] ?? pgTypeOf(type).name;
}

function yesNo(b: boolean): string {
  return b ? 'YES' : 'NO';
}

/** User relations (not the catalogs' own), as information_schema shows them. */
function userRelations(v: CatalogView): Relation[] {
  return relations(v).filter((r) => r.database !== PG_CATALOG);
}

const INFO_TABLES: Readonly<Record<string, SystemTable>> = {
  schemata: table(
    'catalog_name schema_name schema_owner default_character_set_catalog default_character_set_schema ' +
      'default_character_set_name sql_path',
    (v) =>
      [PG_CATALOG, INFORMATION_SCHEMA, ...databases(v).map(schemaName)].map((n) => ({
        catalog_name: v.currentDatabase,
        schema_name: n,
        schema_owner: v.user,
      })),
  ),
  tables: table(
    'table_catalog table_schema table_name table_type self_referencing_column_name reference_generation ' +
      'user_defined_type_catalog user_defined_type_schema user_defined_type_name is_insertable_into is_typed commit_action',
    (v) =>
      userRelations(v).map((r) => ({
        table_catalog: v.currentDatabase,
        table_schema: schemaName(r.database),
        table_name: r.name,
        table_type: r.kind === 'v' ? 'VIEW' : 'BASE TABLE',
        is_insertable_into: yesNo(r.kind === 'r'),
        is_typed: 'NO',
      })),
  ),
  columns: table(
    'table_catalog table_schema table_name column_name ordinal_position:int4 column_default is_nullable ' +
      'data_type character_maximum_length:int4 character_octet_length:int4 numeric_precision:int4 ' +
      'numeric_precision_radix:int4 numeric_scale:int4 datetime_precision:int4 interval_type interval_precision:int4 ' +
      'udt_catalog udt_schema udt_name dtd_identifier is_self_referencing is_identity is_generated is_updatable',
    (v) =>
      userRelations(v).flatMap((r) =>
        r.columns.map((c, i) => {
          const t = c.type;
          const numeric =
            t.kind === 'decimal'
              ? { numeric_precision: t.precision, numeric_precision_radix: 10, numeric_scale: t.scale }
              : t.kind === 'int' || t.kind === 'bigint' || t.kind === 'smallint' || t.kind === 'tinyint'
                ? {
                    numeric_precision: t.kind === 'bigint' ? 64 : t.kind === 'int' ? 32 : 16,
                    numeric_precision_radix: 2,
                    numeric_scale: 0,
                  }
                : t.kind === 'float' || t.kind === 'double'
                  ? { numeric_precision: t.kind === 'double' ? 53 : 24, numeric_precision_radix: 2 }
                  : {};
          return {
            table_catalog: v.currentDatabase,
            table_schema: schemaName(r.database),
            table_name: r.name,
            column_name: c.name,
            ordinal_position: i + 1,
            is_nullable: yesNo(c.nullable || r.kind === 'v'),
            data_type: infoDataType(t),
            ...(t.kind === 'string' && t.maxLength !== undefined
              ? { character_maximum_length: t.maxLength, character_octet_length: t.maxLength * 4 }
              : {}),
            ...numeric,
            ...(t.kind === 'timestamp' || t.kind === 'timestamp_ntz'
              ? { datetime_precision: 6 }
              : t.kind === 'time'
                ? { datetime_precision: t.precision }
                : {}),
            udt_catalog: v.currentDatabase,
            udt_schema: PG_CATALOG,
            udt_name: pgTypeOf(t).name,
            dtd_identifier: String(i + 1),
            is_self_referencing: 'NO',
            is_identity: 'NO',
            is_generated: 'NEVER',
            is_updatable: yesNo(r.kind === 'r'),
          };
        }),
      ),
  ),
  views: table(
    'table_catalog table_schema table_name view_definition check_option is_updatable is_insertable_into ' +
      'is_trigger_updatable is_trigger_deletable is_trigger_insertable_into',
    (v) =>
      userRelations(v)
        .filter((r) => r.kind === 'v')
        .map((r) => ({
          table_catalog: v.currentDatabase,
          table_schema: schemaName(r.database),
          table_name: r.name,
          view_definition: r.definition?.properties.viewText ?? null,
          check_option: 'NONE',
          is_updatable: 'NO',
          is_insertable_into: 'NO',
          is_trigger_updatable: 'NO',
          is_trigger_deletable: 'NO',
          is_trigger_insertable_into: 'NO',
        })),
  ),
  // Kindling has no constraints and no stored routines.
  table_constraints: table(
    'constraint_catalog constraint_schema constraint_name table_catalog table_schema table_name constraint_type ' +
      'is_deferrable initially_deferred enforced nulls_distinct',
  ),
  key_column_usage: table(
    'constraint_catalog constraint_schema constraint_name table_catalog table_schema table_name column_name ' +
      'ordinal_position:int4 position_in_unique_constraint:int4',
  ),
  referential_constraints: table(
    'constraint_catalog constraint_schema constraint_name unique_constraint_catalog unique_constraint_schema ' +
      'unique_constraint_name match_option update_rule delete_rule',
  ),
  routines: table(
    'specific_catalog specific_schema specific_name routine_catalog routine_schema routine_name routine_type ' +
      'data_type routine_body routine_definition external_language is_deterministic',
  ),
  parameters: table(
    'specific_catalog specific_schema specific_name ordinal_position:int4 parameter_mode parameter_name data_type',
  ),
};

/**
 * Columns and rows of `pg_catalog.<name>` or `information_schema.<name>` for this session, or
 * undefined when there is none.
 */
export function systemRelation(
  view: CatalogView,
  schema: typeof PG_CATALOG | typeof INFORMATION_SCHEMA,
  name: string,
): { readonly columns: readonly Field[]; readonly rows: Value[][] } | undefined {
  const tables = schema === PG_CATALOG ? PG_TABLES : INFO_TABLES;
  const t = Object.hasOwn(tables, name) ? tables[name] : undefined;
  if (t === undefined) return undefined;
  const rows = t.rows(view).map((r) => t.columns.map((c) => r[c.name] ?? null));
  return { columns: t.columns, rows };
}

// ---- functions ---------------------------------------------------------------------------------------

/** Functions whose result is text: a reg* cast of a call of one reads a name, not an OID. */
const TEXT_FUNCTIONS: ReadonlySet<string> = new Set([
  'format',
  'concat',
  'concat_ws',
  'quote_ident',
  'lower',
  'upper',
  'replace',
  'trim',
  'btrim',
  'substring',
  'substr',
]);

/** Whether an expression is text by its form alone (the analyzer has not typed it yet). */
function isText(e: AstExpr): boolean {
  switch (e.kind) {
    case 'literal':
      return e.value.type === 'string';
    case 'cast':
      return e.type.kind === 'string';
    case 'binary':
      return e.op === '||';
    case 'function':
      return TEXT_FUNCTIONS.has(e.name.parts[e.name.parts.length - 1]!.name.toLowerCase());
    default:
      return false;
  }
}

/** The template with its parameters replaced by `args` and every position set to `pos`. */
export function instantiate(node: unknown, args: readonly AstExpr[], pos: number): unknown {
  if (Array.isArray(node)) return node.map((n) => instantiate(n, args, pos));
  if (node === null || typeof node !== 'object') return node;
  const o = node as Record<string, unknown>;
  if (o.kind === 'parameter' && typeof o.index === 'number') return args[o.index - 1];
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) out[k] = k === 'pos' ? pos : instantiate(v, args, pos);
  return out;
}

function intLiteral(n: number, pos: number): AstExpr {
  return { kind: 'literal', value: { type: 'integer', text: String(n), suffix: null }, pos };
}

interface RegNames {
  /** OID and name of every object of the kind. */
  readonly entries: readonly (readonly [number, string])[];
  byName(written: string): number | undefined;
  notFound(written: string, pos: number): EngineError;
}

/** A type's name as format_type prints it without a typmod (`integer`, `text[]`). */
function typeDisplayName(oid: number): string {
  const named = FORMAT_NAMES[oid];
  if (named !== undefined) return named;
  const t = TYPES.find((x) => x.oid === oid);
  if (t === undefined) return '???';
  return t.element !== 0 ? `${typeDisplayName(t.element)}[]` : t.name;
}

/** The objects `regclass`, `regtype`, `regnamespace` or `regproc` values name. */
function regNames(view: CatalogView, kind: string): RegNames {
  if (kind === 'regproc') {
    const procs = procedures(view.functions);
    return {
      entries: procs.map((p) => [p.oid, p.name] as const),
      byName: (w) => {
        const lower = w.toLowerCase().replace(/^pg_catalog\./, '');
        const found = procs.filter((p) => p.name === lower);
        if (found.length > 1) throw new EngineError('42725', `more than one function named "${w}"`);
        return found[0]?.oid;
      },
      notFound: (w, pos) =>
        new EngineError(SqlState.undefinedFunction, `function "${w}" does not exist`, { position: pos }),
    };
  }
  if (kind === 'regtype') {
    const entries = TYPES.map((t) => [t.oid, FORMAT_NAMES[t.oid] ?? t.name] as const);
    return {
      entries,
      byName: (w) => {
        const lower = w.toLowerCase().replace(/^pg_catalog\./, '');
        return TYPES.find((t) => t.name === lower || FORMAT_NAMES[t.oid] === lower)?.oid;
      },
      notFound: (w, pos) =>
        new EngineError(SqlState.undefinedObject, `type "${w}" does not exist`, { position: pos }),
    };
  }
  if (kind === 'regnamespace') {
    const spaces = PG_TABLES.pg_namespace!.rows(view);
    const entries = spaces.map((n) => [n.oid as number, n.nspname as string] as const);
    return {
      entries,
      byName: (w) => entries.find(([, n]) => n === w.toLowerCase())?.[0],
      notFound: (w, pos) =>
        new EngineError(SqlState.undefinedSchema, `schema "${w}" does not exist`, { position: pos }),
    };
  }
  const all = relations(view);
  // A relation prints unqualified when the search path finds it, else as schema.name.
  const entries = all.map(
    (r) =>
      [
        r.oid,
        r.database === view.currentDatabase || r.database === PG_CATALOG
          ? r.name
          : `${schemaName(r.database)}.${r.name}`,
      ] as const,
  );
  return {
    entries,
    byName: (w) => {
      const parts = w.toLowerCase().split('.');
      const name = parts[parts.length - 1]!;
      const schema = parts.length > 1 ? databaseOfSchema(parts[parts.length - 2]!) : null;
      const found =
        schema !== null
          ? all.find((r) => r.database === schema && r.name === name)
          : (all.find((r) => r.database === PG_CATALOG && r.name === name) ??
            all.find((r) => r.database === view.currentDatabase && r.name === name));
      return found?.oid;
    },
    notFound: (w, pos) =>
      new EngineError(SqlState.undefinedTable, `relation "${w}" does not exist`, { position: pos }),
  };
}

/** An identifier as PostgreSQL prints it: quoted unless it is lower case letters, digits and _. */
function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

function sqlString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

export function arity(name: string, args: readonly AstExpr[], min: number, max: number, pos: number): void {
  if (args.length < min || args.length > max) {
    throw new EngineError(
      SqlState.wrongNumArgs,
      `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires ${min === max ? min : `${min} to ${max}`} parameters but the actual number is ${args.length}.`,
      { position: pos },
    );
  }
}

/**
 * The text of `key` (an OID) in a table of many: `get(ARRAY[texts], array_position(ARRAY[oids], key) - 1)`,
 * NULL for a key not there. Built as a tree (parsing a thousand-branch CASE costs more than the query).
 */
function lookupText(entries: readonly (readonly [number, string])[], key: AstExpr, pos: number): AstExpr {
  if (entries.length === 0) return parseExpression('CAST(NULL AS STRING)');
  const template = parseExpression('get($2, CAST(array_position($3, $1) AS INT) - 1)');
  const texts: AstExpr = {
    kind: 'array',
    items: entries.map(([, t]) => ({ kind: 'literal', value: { type: 'string', value: t }, pos })),
    pos,
  };
  const oids: AstExpr = { kind: 'array', items: entries.map(([oid]) => intLiteral(oid, pos)), pos };
  return instantiate(template, [key, texts, oids], pos) as AstExpr;
}

/** `CASE WHEN <when> THEN <value> … END`, or NULL when there are no cases. */
function cases(entries: readonly [string, string][], otherwise = 'CAST(NULL AS STRING)'): string {
  if (entries.length === 0) return otherwise;
  return `CASE ${entries.map(([w, t]) => `WHEN ${w} THEN ${t}`).join(' ')} ELSE ${otherwise} END`;
}

/**
 * The bytes of a relation's data files, as its statistics know them (recorded by writes and
 * ANALYZE, else what the files tell); 0 for views and the catalogs, which keep no data.
 */
function relationBytes(view: CatalogView, r: Relation): number {
  if (r.kind !== 'r' || r.definition === null) return 0;
  try {
    return view.metastore.tableProvider(r.definition).statistics().totalBytes ?? 0;
  } catch {
    return 0; // unreadable files are reported when the table is used
  }
}

/** The relation a size function's argument names: an OID, or a name written as a constant. */
function sizeCases(view: CatalogView, arg: AstExpr, pos: number, size: (r: Relation) => number): string {
  const all = relations(view);
  if (arg.kind === 'literal' && arg.value.type === 'string' && !/^\d+$/.test(arg.value.value)) {
    const named = regNames(view, 'regclass');
    const oid = named.byName(arg.value.value);
    if (oid === undefined) throw named.notFound(arg.value.value, pos);
    const r = all.find((x) => x.oid === oid)!;
    return `CAST(${size(r)} AS BIGINT)`;
  }
  return cases(
    all.map((r) => [`$1 = ${r.oid}`, `CAST(${size(r)} AS BIGINT)`]),
    'CAST(NULL AS BIGINT)',
  );
}

/** A view's text as PostgreSQL's pg_get_viewdef ends it: with a semicolon. */
function viewText(r: Relation): string {
  const body = (r.definition?.properties.viewText ?? '').trim().replace(/;$/, '');
  return `${body};`;
}

/**
 * Columns and rows of a table function the catalog answers in FROM (`pg_get_keywords()`,
 * `pg_show_all_settings()`), or undefined for any other function.
 */
export function expandCatalogTableFunction(
  view: CatalogView,
  name: string,
  args: readonly AstExpr[],
  pos: number,
): { kind: 'rows'; name: string[]; columns: readonly Field[]; rows: Value[][] } | undefined {
  switch (name) {
    case 'pg_get_keywords':
      arity(name, args, 0, 0, pos);
      return {
        kind: 'rows',
        name: [PG_CATALOG, name],
        columns: PG_GET_KEYWORDS_COLUMNS,
        rows: keywordRows(),
      };
    case 'pg_show_all_settings': {
      // What the pg_settings view is made of.
      arity(name, args, 0, 0, pos);
      const settings = systemRelation(view, PG_CATALOG, 'pg_settings')!;
      return { kind: 'rows', name: [PG_CATALOG, name], ...settings };
    }
    default:
      return undefined;
  }
}

/**
 * The array of rows a call of one of the catalog's set-returning functions returns in this
 * session (the analyzer binds it as an explode), or undefined for any other function.
 */
export function expandCatalogSetFunction(
  view: CatalogView,
  name: string,
  args: readonly AstExpr[],
  pos: number,
): AstExpr | undefined {
  switch (name) {
    case 'pg_partition_ancestors': {
      // The relation and its ancestors when it is part of a partition tree, else no rows: no
      // Kindling relation is a PostgreSQL partition or partitioned table.
      arity(name, args, 1, 1, pos);
      const operand = args[0]!;
      if (operand.kind === 'literal' && operand.value.type === 'string')
        expandCatalogFunction(view, '::regclass', [operand], pos); // an unknown name is an error
      return parseExpression('CAST(array() AS ARRAY<INT>)');
    }
    case 'generate_subscripts': {
      // Arrays here have one dimension: subscripts 1..n of dimension 1 (reversed on request).
      arity(name, args, 2, 3, pos);
      const reverse = args.length === 3 ? '$3' : 'false';
      const text =
        'CASE WHEN $2 = 1 AND size($1) > 0 THEN ' +
        `CASE WHEN ${reverse} THEN sequence(size($1), 1) ELSE sequence(1, size($1)) END ` +
        'ELSE CAST(array() AS ARRAY<INT>) END';
      return instantiate(parseExpression(text), args, pos) as AstExpr;
    }
    default:
      return undefined;
  }
}

/**
 * The expression a call of one of the catalog functions stands for in this session, or undefined
 * for any other function.
 */
export function expandCatalogFunction(
  view: CatalogView,
  name: string,
  args: readonly AstExpr[],
  pos: number,
): AstExpr | undefined {
  let text: string;
  switch (name) {
    case 'pg_table_is_visible': {
      arity(name, args, 1, 1, pos);
      const visible = relations(view)
        .filter((r) => r.database === view.currentDatabase || r.database === PG_CATALOG)
        .map((r) => r.oid);
      text = `$1 IN (${visible.join(', ')})`;
      break;
    }
    case 'pg_type_is_visible':
      arity(name, args, 1, 1, pos);
      text = `$1 IN (${TYPES.map((t) => t.oid).join(', ')})`;
      break;
    case 'pg_get_userbyid':
      arity(name, args, 1, 1, pos);
      text = `CASE WHEN $1 = ${OWNER_OID} THEN ${sqlString(view.user)} ELSE concat('unknown (OID=', $1, ')') END`;
      break;
    case 'pg_encoding_to_char':
      arity(name, args, 1, 1, pos);
      text = `CASE WHEN $1 = ${UTF8} THEN 'UTF8' ELSE '' END`;
      break;
    case 'format_type': {
      arity(name, args, 2, 2, pos);
      const named = Object.entries(FORMAT_NAMES).map(
        ([oid, n]) => [`$1 = ${oid}`, sqlString(n)] as [string, string],
      );
      text = cases(
        [
          ['$1 IS NULL', 'CAST(NULL AS STRING)'],
          ['$1 = 1700 AND $2 >= 4', "concat('numeric(', ($2 - 4) DIV 65536, ',', ($2 - 4) % 65536, ')')"],
          ['$1 = 1043 AND $2 >= 4', "concat('character varying(', $2 - 4, ')')"],
          ['$1 = 1042 AND $2 >= 4', "concat('character(', $2 - 4, ')')"],
          ['$1 = 1083 AND $2 >= 0', "concat('time(', $2, ') without time zone')"],
          ...TYPES.filter((t) => t.element !== 0).map(
            (t) =>
              [`$1 = ${t.oid}`, sqlString(`${FORMAT_NAMES[t.element] ?? t.name.slice(1)}[]`)] as [
                string,
                string,
              ],
          ),
          ...named,
        ],
        "'???'",
      );
      break;
    }
    case 'obj_description': {
      arity(name, args, 1, 2, pos);
      const catalog = args[1];
      if (
        catalog?.kind === 'literal' &&
        catalog.value.type === 'string' &&
        catalog.value.value === 'pg_proc'
      ) {
        // A function's description is the registry's.
        return lookupText(
          procedures(view.functions).map((p) => [p.oid, p.description]),
          args[0]!,
          pos,
        );
      }
      const entries = descriptions(view)
        .filter((d) => d.objsubid === 0)
        .map((d) => [`$1 = ${d.objoid}`, sqlString(d.description)] as [string, string]);
      text = cases(entries);
      break;
    }
    case 'col_description':
      // Kindling keeps no comments on columns.
      arity(name, args, 2, 2, pos);
      text = 'CAST(NULL AS STRING)';
      break;
    case 'pg_catalog.version': {
      arity('version', args, 0, 0, pos);
      const v = view.settings().find((x) => x.key === 'server_version')?.value ?? '16.4';
      const arch = process.arch === 'x64' ? 'x86_64' : process.arch === 'arm64' ? 'aarch64' : process.arch;
      text = sqlString(
        `PostgreSQL ${v} on ${arch}-pc-linux-gnu, compiled by Kindling ${KINDLING_VERSION.split('-')[1]}, 64-bit`,
      );
      break;
    }
    case 'current_schema':
      // PostgreSQL's name of the current database's schema (`public`), as pg_namespace lists it.
      arity(name, args, 0, 0, pos);
      text = sqlString(schemaName(view.currentDatabase));
      break;
    case 'current_schemas': {
      arity(name, args, 1, 1, pos);
      const current = sqlString(schemaName(view.currentDatabase));
      text = `CASE WHEN $1 THEN array('pg_catalog', ${current}) ELSE array(${current}) END`;
      break;
    }
    case 'array_to_string':
      arity(name, args, 2, 3, pos);
      text = args.length === 2 ? 'array_join($1, $2)' : 'array_join($1, $2, $3)';
      break;
    case 'shobj_description':
      arity(name, args, 2, 2, pos);
      text = 'CAST(NULL AS STRING)';
      break;
    case 'pg_get_serial_sequence':
      // No Kindling column is backed by a sequence.
      arity(name, args, 2, 2, pos);
      text = 'CAST(NULL AS STRING)';
      break;
    case 'pg_get_expr':
      arity(name, args, 2, 3, pos);
      text = 'CAST(NULL AS STRING)';
      break;
    case 'pg_get_indexdef':
    case 'pg_get_constraintdef':
    case 'pg_get_triggerdef':
    case 'pg_get_statisticsobjdef_columns':
      // Kindling has no indexes, constraints, triggers or extended statistics.
      arity(name, args, 1, 3, pos);
      text = 'CAST(NULL AS STRING)';
      break;
    case 'pg_get_viewdef': {
      // A view's definition as it was written (PostgreSQL prints its own deparsed form).
      arity(name, args, 1, 2, pos);
      const operand = args[0]!;
      const views = relations(view).filter((r) => r.kind === 'v' && r.definition !== null);
      if (
        operand.kind === 'literal' &&
        operand.value.type === 'string' &&
        !/^\d+$/.test(operand.value.value)
      ) {
        // pg_get_viewdef('name'): the text form names the view.
        const oid = regNames(view, 'regclass').byName(operand.value.value);
        const found = views.find((r) => r.oid === oid);
        text = found === undefined ? 'CAST(NULL AS STRING)' : sqlString(viewText(found));
        break;
      }
      text = cases(views.map((r) => [`$1 = ${r.oid}`, sqlString(viewText(r))]));
      break;
    }
    case 'pg_relation_is_publishable': {
      // What a publication may include: the tables (not views, not the catalogs).
      arity(name, args, 1, 1, pos);
      const tables = userRelations(view).filter((r) => r.kind === 'r');
      text = tables.length === 0 ? 'false' : `$1 IN (${tables.map((r) => r.oid).join(', ')})`;
      break;
    }
    case 'has_table_privilege':
    case 'has_schema_privilege':
    case 'has_database_privilege':
    case 'has_column_privilege':
    case 'has_function_privilege':
    case 'has_any_column_privilege':
      arity(name, args, 2, 4, pos);
      text = 'true';
      break;
    case 'current_setting': {
      // A setting's value as pg_settings shows it; an unknown name is 42704 unless missing_ok.
      arity(name, args, 1, 2, pos);
      const settings = systemRelation(view, PG_CATALOG, 'pg_settings')!.rows.map(
        (r) => [r[0] as string, (r[1] as string | null) ?? ''] as const,
      );
      const operand = args[0]!;
      const missingOk = args[1];
      if (operand.kind === 'literal' && operand.value.type === 'string') {
        const wanted = operand.value.value.toLowerCase();
        const found = view.setting(wanted) ?? settings.find(([n]) => n.toLowerCase() === wanted)?.[1];
        if (found !== undefined) {
          text = sqlString(found);
          break;
        }
        const ok =
          missingOk?.kind === 'literal' && missingOk.value.type === 'boolean' && missingOk.value.value;
        if (!ok) {
          throw new EngineError(
            SqlState.undefinedObject,
            `unrecognized configuration parameter "${operand.value.value}"`,
            { position: pos },
          );
        }
        text = 'CAST(NULL AS STRING)';
        break;
      }
      text = cases(settings.map(([n, v]) => [`lower($1) = ${sqlString(n.toLowerCase())}`, sqlString(v)]));
      break;
    }
    case 'pg_tablespace_location':
      // pg_default lives in the data directory: PostgreSQL answers the empty string.
      arity(name, args, 1, 1, pos);
      text = "CASE WHEN $1 = 1663 THEN '' ELSE CAST(NULL AS STRING) END";
      break;
    case 'pg_get_partkeydef': {
      arity(name, args, 1, 1, pos);
      const partitioned = userRelations(view).filter(
        (r) => r.kind === 'r' && (r.definition?.partitionColumns.length ?? 0) > 0,
      );
      text = cases(
        partitioned.map((r) => [
          `$1 = ${r.oid}`,
          sqlString(`LIST (${r.definition!.partitionColumns.map(quoteIdent).join(', ')})`),
        ]),
      );
      break;
    }
    case 'pg_opclass_is_visible':
    case 'pg_opfamily_is_visible':
    case 'pg_statistics_obj_is_visible':
      // Kindling has no operator classes, families or extended statistics.
      arity(name, args, 1, 1, pos);
      text = 'CAST(NULL AS BOOLEAN)';
      break;
    case 'pg_stat_get_numscans':
      // Kindling counts no scans per relation: unknown.
      arity(name, args, 1, 1, pos);
      text = 'CAST(NULL AS BIGINT)';
      break;
    case 'pg_backend_pid':
      arity(name, args, 0, 0, pos);
      return intLiteral(backendPid(view.backend), pos);
    case 'pg_table_size':
    case 'pg_total_relation_size':
      // No indexes and no TOAST: a table's size is its data files'.
      arity(name, args, 1, 1, pos);
      text = sizeCases(view, args[0]!, pos, (r) => relationBytes(view, r));
      break;
    case 'pg_relation_size': {
      // The main fork holds the data; the others (fsm, vm, init) are empty.
      arity(name, args, 1, 2, pos);
      const fork = args[1];
      const other = fork?.kind === 'literal' && fork.value.type === 'string' && fork.value.value !== 'main';
      text = sizeCases(view, args[0]!, pos, (r) => (other ? 0 : relationBytes(view, r)));
      break;
    }
    case 'pg_indexes_size':
      arity(name, args, 1, 1, pos);
      text = sizeCases(view, args[0]!, pos, () => 0);
      break;
    case 'pg_database_size': {
      // By name or OID: the sum of its tables' data files.
      arity(name, args, 1, 1, pos);
      const all = relations(view);
      text = cases(
        databases(view).map((db) => [
          `CAST($1 AS STRING) IN (${sqlString(db)}, '${objectOid('d', db)}')`,
          `CAST(${all
            .filter((r) => r.database === db)
            .reduce((sum, r) => sum + relationBytes(view, r), 0)} AS BIGINT)`,
        ]),
        'CAST(NULL AS BIGINT)',
      );
      break;
    }
    case 'pg_function_is_visible':
      // Every function is in pg_catalog, which is always on the search path.
      arity(name, args, 1, 1, pos);
      return instantiate(
        parseExpression('array_contains($2, $1)'),
        [
          args[0]!,
          { kind: 'array', items: procedures(view.functions).map((p) => intLiteral(p.oid, pos)), pos },
        ],
        pos,
      ) as AstExpr;
    case 'pg_get_function_result':
    case 'pg_get_function_arguments':
    case 'pg_get_function_identity_arguments':
      arity(name, args, 1, 1, pos);
      return lookupText(
        procedures(view.functions).map((p) => [
          p.oid,
          name === 'pg_get_function_result'
            ? resultText(p, typeDisplayName)
            : argumentText(p, typeDisplayName),
        ]),
        args[0]!,
        pos,
      );
    case 'pg_get_function_sqlbody':
      // Built-in functions have no SQL body.
      arity(name, args, 1, 1, pos);
      text = 'CAST(NULL AS STRING)';
      break;
    case 'to_regclass':
    case 'to_regtype':
    case 'to_regproc':
    case 'to_regnamespace': {
      // The OID a name stands for, NULL (never an error) when there is no such object.
      arity(name, args, 1, 1, pos);
      const named = regNames(view, `reg${name.slice('to_reg'.length)}`);
      const operand = args[0]!;
      const find = (w: string): number | undefined => {
        try {
          return named.byName(w);
        } catch {
          return undefined; // an ambiguous name is no object either
        }
      };
      if (operand.kind === 'literal' && operand.value.type === 'string') {
        const oid = find(operand.value.value);
        return oid === undefined ? parseExpression('CAST(NULL AS INT)') : intLiteral(oid, pos);
      }
      // A name known only when the query runs ($1): every name the kind has, looked up.
      const spellings = [
        ...named.entries,
        // A type is also known by its pg_type name (int4 as well as integer).
        ...(name === 'to_regtype' ? TYPES.map((t) => [t.oid, t.name] as const) : []),
      ];
      const entries = spellings.flatMap(([oid, n]) => (find(n) === oid ? [[oid, n] as const] : []));
      text = cases(
        entries.map(([oid, n]) => [`lower($1) = ${sqlString(n.toLowerCase())}`, String(oid)]),
        'CAST(NULL AS INT)',
      );
      break;
    }
    case '[]': {
      // A subscript of current_schemas(…), whose array PostgreSQL numbers from 1 (Spark's `[]`
      // counts from 0): `(current_schemas(false))[s.r]`, NULL past either end.
      const base = args[0]!;
      const parts = base.kind === 'function' ? base.name.parts.map((p) => p.name.toLowerCase()) : [];
      if (
        parts.at(-1) !== 'current_schemas' ||
        parts.length > 2 ||
        (parts.length === 2 && parts[0] !== PG_CATALOG)
      )
        return undefined;
      text = 'get($1, $2 - 1)';
      break;
    }
    case '::regclass':
    case '::regtype':
    case '::regproc':
    case '::regnamespace': {
      const kind = name.slice(2);
      const named = regNames(view, kind);
      const operand = args[0]!;
      if (operand.kind === 'literal' && operand.value.type === 'string') {
        // A name (or an OID written as text) → the OID, as PostgreSQL reads the constant.
        const written = operand.value.value;
        if (/^\d+$/.test(written)) return intLiteral(Number(written), pos);
        const oid = named.byName(written);
        if (oid === undefined) {
          // pg_type names its input and output functions (typinput, typoutput), which pg_proc does
          // not list: such a constant stands for its name, as those columns hold it.
          const bare = written.replace(/^pg_catalog\./i, '').toLowerCase();
          if (kind === 'regproc' && TYPES.some((t) => ioFunctionNames(t).includes(bare))) {
            return parseExpression(sqlString(bare));
          }
          throw named.notFound(written, pos);
        }
        return intLiteral(oid, pos);
      }
      if (isText(operand)) {
        // A name computed by the query (`CAST(format('%I.%I', s, t) AS regclass)`) → its OID;
        // NULL for a name that names nothing (PostgreSQL raises an error there).
        const spellings = named.entries.flatMap(([oid, n]) => {
          const all = [n];
          const r = kind === 'regclass' ? relations(view).find((x) => x.oid === oid) : undefined;
          if (r !== undefined) all.push(`${schemaName(r.database)}.${r.name}`);
          return all.map((w) => [`$1 = ${sqlString(w)}`, String(oid)] as [string, string]);
        });
        text = cases(spellings, 'CAST(NULL AS INT)');
        break;
      }
      // An OID → its name (PostgreSQL prints reg* values by name), its number when unknown.
      text = cases(
        named.entries.map(([oid, n]) => [`$1 = ${oid}`, sqlString(n)]),
        'CAST($1 AS STRING)',
      );
      break;
    }
    default:
      return undefined;
  }
  // `$1`, `$2`… in the text stand for the call's arguments.
  return instantiate(parseExpression(text), args, pos) as AstExpr;
}
