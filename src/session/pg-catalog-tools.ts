/**
 * The parts of PostgreSQL's catalog that GUI tools read besides browsing (DBeaver's navigator,
 * Metabase's sync) and pg-catalog.ts merges into its own: `pg_depend` (no dependencies between
 * Kindling objects), `pg_language`, `pg_available_extensions` (none), `pg_stat_activity` (the
 * session asking), `pg_stat_user_tables` (live rows from each table's statistics), and the size
 * functions `pg_relation_size`, `pg_table_size`, `pg_total_relation_size`, `pg_database_size`
 * (bytes from the tables' statistics), `pg_stat_get_numscans`, `pg_tablespace_location`,
 * `pg_get_partkeydef`, and the set-returning `pg_get_keywords()`.
 *
 * It depends on pg-catalog.ts only through function declarations, so either module may load first.
 */
import { VIEW_FORMAT, type TableDefinition } from '../catalog/index.ts';
import { T, type DataType, type Field, type Value } from '../common/index.ts';
import {
  NON_RESERVED_KEYWORDS,
  RESERVED_KEYWORDS,
  parseExpression,
  type Expr as AstExpr,
} from '../sql/parser/index.ts';
import type { CatalogView } from './pg-catalog.ts';
import { arity, instantiate, objectOid, schemaName } from './pg-catalog.ts';

interface ToolTable {
  readonly columns: readonly Field[];
  readonly rows: (view: CatalogView) => readonly Readonly<Record<string, Value>>[];
}

const KINDS: Readonly<Record<string, DataType>> = {
  oid: T.int,
  name: T.string,
  text: T.string,
  char: T.string,
  bool: T.boolean,
  int4: T.int,
  int8: T.bigint,
  'text[]': T.array(T.string),
};

function table(spec: string, rows: ToolTable['rows'] = () => []): ToolTable {
  const columns = spec
    .trim()
    .split(/\s+/)
    .map((word): Field => {
      const [name, kind] = word.split(':') as [string, string | undefined];
      return { name, type: KINDS[kind ?? 'text'] ?? T.string, nullable: true };
    });
  return { columns, rows };
}

/** The bootstrap superuser PostgreSQL's objects belong to. */
const OWNER_OID = 10;

/** Every table (not view) of every database, with its definition. */
function tables(view: CatalogView): TableDefinition[] {
  const out: TableDefinition[] = [];
  for (const db of view.metastore.listDatabases()) {
    for (const t of view.metastore.listTables(db.name)) {
      let def: TableDefinition | undefined;
      try {
        def = view.metastore.getTable(db.name, t.name);
      } catch {
        continue; // a corrupt definition is reported when the table is used
      }
      if (def !== undefined && def.format !== VIEW_FORMAT) out.push(def);
    }
  }
  return out;
}

/** The relation OID pg_class shows a table with (pg-catalog.ts computes it the same way). */
function tableOid(def: TableDefinition): number {
  return objectOid('r', `${def.database}.${def.name}`);
}

export const TOOL_TABLES: Readonly<Record<string, ToolTable>> = {
  pg_depend: table(
    'classid:oid objid:oid objsubid:int4 refclassid:oid refobjid:oid refobjsubid:int4 deptype:char',
  ),
  pg_language: table(
    'oid:oid lanname:name lanowner:oid lanispl:bool lanpltrusted:bool lanplcallfoid:oid laninline:oid lanvalidator:oid lanacl:text[]',
    () =>
      [
        { oid: 12, lanname: 'internal', lanowner: OWNER_OID, lanispl: false, lanpltrusted: false },
        { oid: 13, lanname: 'c', lanowner: OWNER_OID, lanispl: false, lanpltrusted: false },
        { oid: 14, lanname: 'sql', lanowner: OWNER_OID, lanispl: false, lanpltrusted: true },
      ].map((r) => ({ ...r, lanplcallfoid: 0, laninline: 0, lanvalidator: 0 })),
  ),
  pg_available_extensions: table('name:name default_version installed_version comment'),
  pg_stat_activity: table(
    'datid:oid datname:name pid:int4 leader_pid:int4 usesysid:oid usename:name application_name client_addr ' +
      'client_hostname client_port:int4 backend_start xact_start query_start state_change wait_event_type ' +
      'wait_event state backend_xid backend_xmin query_id:int8 query backend_type',
    (v) => [
      {
        datid: objectOid('d', v.currentDatabase),
        datname: v.currentDatabase,
        usesysid: OWNER_OID,
        usename: v.user,
        state: 'active',
        backend_type: 'client backend',
      },
    ],
  ),
  pg_stat_user_tables: table(
    'relid:oid schemaname:name relname:name seq_scan:int8 seq_tup_read:int8 idx_scan:int8 idx_tup_fetch:int8 ' +
      'n_tup_ins:int8 n_tup_upd:int8 n_tup_del:int8 n_tup_hot_upd:int8 n_live_tup:int8 n_dead_tup:int8',
    (v) =>
      tables(v).map((def) => {
        const rows = def.statistics?.rowCount;
        return {
          relid: tableOid(def),
          schemaname: schemaName(def.database),
          relname: def.name,
          n_live_tup: rows === null || rows === undefined ? null : BigInt(rows),
          n_dead_tup: 0n,
        };
      }),
  ),
};

/** `CASE WHEN $1 = k THEN v … ELSE otherwise END` over `entries`. */
function lookup(entries: readonly (readonly [string, string])[], otherwise: string): string {
  if (entries.length === 0) return otherwise;
  return `CASE ${entries.map(([k, v]) => `WHEN $1 = ${k} THEN ${v}`).join(' ')} ELSE ${otherwise} END`;
}

function bytesOf(def: TableDefinition): bigint {
  return BigInt(def.statistics?.totalBytes ?? 0);
}

/**
 * The expression a call of one of these functions stands for in this session, or undefined for any
 * other name.
 */
export function expandToolFunction(
  view: CatalogView,
  name: string,
  args: readonly AstExpr[],
  pos: number,
): AstExpr | undefined {
  let text: string;
  switch (name) {
    case 'pg_relation_size':
    case 'pg_table_size':
    case 'pg_total_relation_size':
    case 'pg_indexes_size': {
      arity(name, args, 1, name === 'pg_relation_size' ? 2 : 1, pos);
      // Views and catalogs have no storage (0); an unknown OID is NULL, as in PostgreSQL.
      const sizes = tables(view).map(
        (def) =>
          [
            String(tableOid(def)),
            `CAST(${name === 'pg_indexes_size' ? 0n : bytesOf(def)} AS BIGINT)`,
          ] as const,
      );
      text = lookup(sizes, 'CAST(NULL AS BIGINT)');
      break;
    }
    case 'pg_database_size': {
      arity(name, args, 1, 1, pos);
      const totals = new Map<string, bigint>();
      for (const db of view.metastore.listDatabases()) totals.set(db.name, 0n);
      for (const def of tables(view))
        totals.set(def.database, (totals.get(def.database) ?? 0n) + bytesOf(def));
      // By name or by OID.
      const entries = [...totals].flatMap(([db, bytes]) => [
        [`'${db.replaceAll("'", "''")}'`, `CAST(${bytes} AS BIGINT)`] as const,
        [`'${objectOid('d', db)}'`, `CAST(${bytes} AS BIGINT)`] as const,
      ]);
      text = lookup(entries, 'CAST(NULL AS BIGINT)').replaceAll('$1 =', 'CAST($1 AS STRING) =');
      break;
    }
    case 'pg_tablespace_location':
      // pg_default and pg_global live in the data directory: an empty location.
      arity(name, args, 1, 1, pos);
      text = "CASE WHEN $1 IS NULL THEN CAST(NULL AS STRING) ELSE '' END";
      break;
    case 'pg_stat_get_numscans':
      // Kindling keeps no per-relation scan counters: 0, as PostgreSQL reports once its statistics
      // are reset.
      arity(name, args, 1, 1, pos);
      text = 'CASE WHEN $1 IS NULL THEN CAST(NULL AS BIGINT) ELSE CAST(0 AS BIGINT) END';
      break;
    case 'pg_get_partkeydef':
      // Kindling tables are never PostgreSQL partitioned tables.
      arity(name, args, 1, 1, pos);
      text = 'CAST(NULL AS STRING)';
      break;
    default:
      return undefined;
  }
  return instantiate(parseExpression(text), args, pos) as AstExpr;
}

/**
 * The rows of a set-returning function these catalogs answer, as an array expression, or
 * undefined for any other name: `pg_get_keywords()` lists the keywords of Kindling's grammar
 * (word, catcode R reserved / U unreserved, barelabel, catdesc, baredesc), as PostgreSQL lists its own.
 */
export function expandToolSetFunction(
  name: string,
  args: readonly AstExpr[],
  pos: number,
): AstExpr | undefined {
  if (name !== 'pg_get_keywords') return undefined;
  arity(name, args, 0, 0, pos);
  const row = (word: string, reserved: boolean): string =>
    `named_struct('word', '${word.toLowerCase()}', 'catcode', '${reserved ? 'R' : 'U'}', 'barelabel', true, ` +
    `'catdesc', '${reserved ? 'reserved' : 'unreserved'}', 'baredesc', 'can be bare label')`;
  const words = [
    ...RESERVED_KEYWORDS.map((w) => row(w, true)),
    ...NON_RESERVED_KEYWORDS.map((w) => row(w, false)),
  ].sort();
  return instantiate(parseExpression(`array(${words.join(', ')})`), args, pos) as AstExpr;
}
