/**
 * What each benchmark connection sends, over node `pg`: in turn one of the 22 TPC-H queries and
 * the statements clients send on connecting and browsing — `SELECT 1`, `SHOW search_path`, psql's
 * `\dt` query (simple protocol, as psql sends it), the PostgreSQL JDBC driver's `getTables` query
 * (extended protocol, unnamed, as the driver sends it) and a named prepared point query with a
 * parameter. Odd connections send the rest over the extended protocol, even ones over the simple
 * protocol. Every answer is checked: TPC-H results against a reference taken before the load,
 * the others by their shape; a wrong answer counts as an error.
 */
import pg from 'pg';
import { compareResults, queryText, type TextResult } from '../../run/index.ts';

export type Protocol = 'simple' | 'extended';

/** psql 16's `\dt` query, as `psql -E` prints it. */
export const PSQL_DT = `SELECT n.nspname as "Schema",
  c.relname as "Name",
  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' THEN 'view' WHEN 'm' THEN 'materialized view' WHEN 'i' THEN 'index' WHEN 'S' THEN 'sequence' WHEN 't' THEN 'TOAST table' WHEN 'f' THEN 'foreign table' WHEN 'p' THEN 'partitioned table' WHEN 'I' THEN 'partitioned index' END as "Type",
  pg_catalog.pg_get_userbyid(c.relowner) as "Owner"
FROM pg_catalog.pg_class c
     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
     LEFT JOIN pg_catalog.pg_am am ON am.oid = c.relam
WHERE c.relkind IN ('r','p','')
      AND n.nspname <> 'pg_catalog'
      AND n.nspname !~ '^pg_toast'
      AND n.nspname <> 'information_schema'
  AND pg_catalog.pg_table_is_visible(c.oid)
ORDER BY 1,2;`;

/**
 * The JDBC driver's `DatabaseMetaData.getTables(null, schema, "%", {"TABLE", "VIEW"})` (Kindling's
 * databases are the schemas).
 */
export function jdbcGetTables(schema: string): string {
  return (
    "SELECT NULL AS TABLE_CAT, n.nspname AS TABLE_SCHEM, c.relname AS TABLE_NAME,  CASE n.nspname ~ '^pg_' OR n.nspname = 'information_schema'  WHEN true THEN CASE  WHEN n.nspname = 'pg_catalog' OR n.nspname = 'information_schema' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TABLE'   WHEN 'v' THEN 'SYSTEM VIEW'   WHEN 'i' THEN 'SYSTEM INDEX'   ELSE NULL   END  WHEN n.nspname = 'pg_toast' THEN CASE c.relkind   WHEN 'r' THEN 'SYSTEM TOAST TABLE'   WHEN 'i' THEN 'SYSTEM TOAST INDEX'   ELSE NULL   END  ELSE CASE c.relkind   WHEN 'r' THEN 'TEMPORARY TABLE'   WHEN 'p' THEN 'TEMPORARY TABLE'   WHEN 'i' THEN 'TEMPORARY INDEX'   WHEN 'S' THEN 'TEMPORARY SEQUENCE'   WHEN 'v' THEN 'TEMPORARY VIEW'   ELSE NULL   END  END  WHEN false THEN CASE c.relkind  WHEN 'r' THEN 'TABLE'  WHEN 'p' THEN 'PARTITIONED TABLE'  WHEN 'i' THEN 'INDEX'  WHEN 'P' then 'PARTITIONED INDEX'  WHEN 'S' THEN 'SEQUENCE'  WHEN 'v' THEN 'VIEW'  WHEN 'c' THEN 'TYPE'  WHEN 'f' THEN 'FOREIGN TABLE'  WHEN 'm' THEN 'MATERIALIZED VIEW'  ELSE NULL  END  ELSE NULL  END  AS TABLE_TYPE, d.description AS REMARKS,  '' as TYPE_CAT, '' as TYPE_SCHEM, '' as TYPE_NAME, '' AS SELF_REFERENCING_COL_NAME, '' AS REF_GENERATION  FROM pg_catalog.pg_namespace n, pg_catalog.pg_class c  LEFT JOIN pg_catalog.pg_description d ON (c.oid = d.objoid AND d.objsubid = 0  and d.classoid = 'pg_class'::regclass)  WHERE c.relnamespace = n.oid  AND n.nspname LIKE '" +
    schema.replace(/'/g, "''") +
    "' AND c.relname LIKE '%' AND (false  OR ( c.relkind = 'r' AND n.nspname !~ '^pg_' AND n.nspname <> 'information_schema' )  OR ( c.relkind = 'v' AND n.nspname <> 'pg_catalog' AND n.nspname <> 'information_schema' ) )  ORDER BY TABLE_TYPE,TABLE_SCHEM,TABLE_NAME "
  );
}

const POINT_QUERY =
  'SELECT o_orderkey, o_custkey, o_totalprice, o_orderdate FROM orders WHERE o_orderkey = $1';

export const TPCH_TABLE_COUNT = 8;

/** What a connection needs that the warm-up established. */
export interface Reference {
  /** Each TPC-H query's text and answer, by query number. */
  readonly tpch: ReadonlyMap<number, { readonly sql: string; readonly answer: TextResult }>;
  /** Order keys that exist, for the point query. */
  readonly orderKeys: readonly number[];
  /** The database the connections use (the schema of the TPC-H tables). */
  readonly database: string;
}

interface Statement {
  readonly kind: string;
  readonly protocol: Protocol;
  /** Runs it; resolves with a problem in the answer, or undefined when it is right. */
  run(client: pg.Client): Promise<string | undefined>;
}

/** Values as the server's text, NULL as `NULL`. */
const rawText = { getTypeParser: () => (value: string) => value };

export function clientConfig(port: number, database: string): pg.ClientConfig {
  return { host: '127.0.0.1', port, user: 'bench', database, types: rawText };
}

async function textQuery(
  client: pg.Client,
  sql: string,
  protocol: Protocol,
  values?: unknown[],
  name?: string,
): Promise<TextResult> {
  const config: pg.QueryArrayConfig & { queryMode?: 'extended' } = {
    text: sql,
    rowMode: 'array',
    ...(values === undefined ? {} : { values }),
    ...(name === undefined ? {} : { name }),
    ...(protocol === 'extended' ? { queryMode: 'extended' } : {}),
  };
  const result = await client.query(config);
  return {
    columns: result.fields.map((f) => f.name),
    rows: (result.rows as (string | null)[][]).map((r) => r.map((v) => v ?? 'NULL')),
  };
}

function expectRows(result: TextResult, rows: number, what: string): string | undefined {
  return result.rows.length === rows
    ? undefined
    : `${what}: expected ${rows} rows, got ${result.rows.length}`;
}

/** One round of a connection: TPC-H query `q`, then the client statements. */
export function round(q: number, protocol: Protocol, reference: Reference): Statement[] {
  const kind = `q${String(q).padStart(2, '0')}`;
  const { sql: tpch, answer } = reference.tpch.get(q)!;
  const getTables = jdbcGetTables(reference.database);
  return [
    {
      kind,
      protocol,
      run: async (client) => {
        const result = await textQuery(client, tpch, protocol);
        const problems = compareResults(answer, result, q);
        return problems.length === 0 ? undefined : `wrong answer: ${problems.slice(0, 2).join('; ')}`;
      },
    },
    {
      kind: 'select_1',
      protocol,
      run: async (client) => {
        const r = await textQuery(client, 'SELECT 1', protocol);
        return r.rows.length === 1 && r.rows[0]![0] === '1'
          ? undefined
          : `wrong answer ${JSON.stringify(r.rows)}`;
      },
    },
    {
      kind: 'show_search_path',
      protocol,
      run: async (client) => expectRows(await textQuery(client, 'SHOW search_path', protocol), 1, 'SHOW'),
    },
    {
      kind: 'point_query',
      protocol: 'extended',
      run: async (client) => {
        const key = reference.orderKeys[Math.floor(Math.random() * reference.orderKeys.length)]!;
        const r = await textQuery(client, POINT_QUERY, 'extended', [key], 'bench_point');
        return r.rows.length === 1 && r.rows[0]![0] === String(key)
          ? undefined
          : `wrong answer for key ${key}: ${JSON.stringify(r.rows)}`;
      },
    },
    {
      kind: 'psql_dt',
      protocol: 'simple',
      run: async (client) => expectRows(await textQuery(client, PSQL_DT, 'simple'), TPCH_TABLE_COUNT, '\\dt'),
    },
    {
      kind: 'jdbc_get_tables',
      protocol: 'extended',
      run: async (client) =>
        expectRows(await textQuery(client, getTables, 'extended'), TPCH_TABLE_COUNT, 'getTables'),
    },
  ];
}

/** The warm-up, on one connection: every TPC-H answer (the reference) and the order keys. */
export async function takeReference(
  client: pg.Client,
  database: string,
  queries: readonly number[],
  onQuery: (q: number, ms: number) => void,
): Promise<Reference> {
  const tpch = new Map<number, { sql: string; answer: TextResult }>();
  for (const q of queries) {
    const sql = queryText(q);
    const start = performance.now();
    tpch.set(q, { sql, answer: await textQuery(client, sql, 'simple') });
    onQuery(q, performance.now() - start);
  }
  const keys = await textQuery(client, 'SELECT o_orderkey FROM orders', 'simple');
  return { tpch, orderKeys: keys.rows.map((r) => Number(r[0])), database };
}

export interface LoadError {
  readonly kind: string;
  readonly connection: number;
  readonly sqlstate: string | undefined;
  readonly message: string;
}

/** What the connections record as they go. */
export class LoadRecorder {
  readonly samples = new Map<string, number[]>();
  readonly protocols = new Map<string, Set<Protocol>>();
  readonly errorCounts = new Map<string, number>();
  readonly errors: LoadError[] = [];
  /** `SELECT 1` latencies of the statements sent while at least one TPC-H query was running. */
  readonly select1UnderLoad: number[] = [];
  tpchRunning = 0;

  sample(kind: string, protocol: Protocol, ms: number): void {
    let list = this.samples.get(kind);
    if (list === undefined) this.samples.set(kind, (list = []));
    list.push(ms);
    let set = this.protocols.get(kind);
    if (set === undefined) this.protocols.set(kind, (set = new Set()));
    set.add(protocol);
  }

  error(error: LoadError): void {
    this.errorCounts.set(error.kind, (this.errorCounts.get(error.kind) ?? 0) + 1);
    this.errors.push(error);
  }
}

function describeError(err: unknown): { sqlstate: string | undefined; message: string } {
  const e = err as Error & { code?: unknown };
  return {
    sqlstate: typeof e.code === 'string' && /^[0-9A-Z]{5}$/.test(e.code) ? e.code : undefined,
    message: e instanceof Error ? e.message : String(err),
  };
}

/**
 * Connection `index`: connects, then runs rounds (starting at a TPC-H query of its own) until
 * `deadline` (a `performance.now()` time), recording the latencies of the statements it starts at
 * or after `measureFrom` (the end of the warm-up) and every error. A failure without a SQLSTATE
 * (the connection itself) ends it; one with a SQLSTATE is recorded and the connection goes on.
 */
export async function runConnection(
  index: number,
  config: pg.ClientConfig,
  queries: readonly number[],
  reference: Reference,
  measureFrom: number,
  deadline: number,
  recorder: LoadRecorder,
): Promise<void> {
  const protocol: Protocol = index % 2 === 1 ? 'extended' : 'simple';
  const client = new pg.Client(config);
  client.on('error', () => {
    // The failing query reports it.
  });
  try {
    await client.connect();
  } catch (err) {
    recorder.error({ kind: 'connect', connection: index, ...describeError(err) });
    return;
  }
  try {
    for (let turn = index; performance.now() < deadline; turn++) {
      for (const statement of round(queries[turn % queries.length]!, protocol, reference)) {
        if (performance.now() >= deadline) break;
        const isTpch = statement.kind.startsWith('q');
        const underLoad = recorder.tpchRunning > 0;
        if (isTpch) recorder.tpchRunning++;
        const start = performance.now();
        let problem: string | undefined;
        try {
          problem = await statement.run(client);
        } catch (err) {
          const described = describeError(err);
          recorder.error({ kind: statement.kind, connection: index, ...described });
          if (described.sqlstate === undefined) return;
          continue;
        } finally {
          if (isTpch) recorder.tpchRunning--;
        }
        const ms = performance.now() - start;
        if (problem !== undefined) {
          recorder.error({ kind: statement.kind, connection: index, sqlstate: undefined, message: problem });
          continue;
        }
        if (start < measureFrom) continue;
        recorder.sample(statement.kind, statement.protocol, ms);
        if (statement.kind === 'select_1' && underLoad) recorder.select1UnderLoad.push(ms);
      }
    }
  } finally {
    await client.end().catch(() => {});
  }
}
