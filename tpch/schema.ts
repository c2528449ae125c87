/**
 * The eight TPC-H tables (spec 1.4): column names and Spark types, and the DDL that registers
 * `.tbl` files (dbgen's `|`-separated format) as CSV tables.
 *
 * Keys are BIGINT (safe at every scale factor), money and quantities DECIMAL(15,2), dates DATE,
 * everything else STRING.
 */

export const TPCH_TABLES = {
  region: ['r_regionkey bigint', 'r_name string', 'r_comment string'],
  nation: ['n_nationkey bigint', 'n_name string', 'n_regionkey bigint', 'n_comment string'],
  supplier: [
    's_suppkey bigint',
    's_name string',
    's_address string',
    's_nationkey bigint',
    's_phone string',
    's_acctbal decimal(15,2)',
    's_comment string',
  ],
  customer: [
    'c_custkey bigint',
    'c_name string',
    'c_address string',
    'c_nationkey bigint',
    'c_phone string',
    'c_acctbal decimal(15,2)',
    'c_mktsegment string',
    'c_comment string',
  ],
  part: [
    'p_partkey bigint',
    'p_name string',
    'p_mfgr string',
    'p_brand string',
    'p_type string',
    'p_size int',
    'p_container string',
    'p_retailprice decimal(15,2)',
    'p_comment string',
  ],
  partsupp: [
    'ps_partkey bigint',
    'ps_suppkey bigint',
    'ps_availqty int',
    'ps_supplycost decimal(15,2)',
    'ps_comment string',
  ],
  orders: [
    'o_orderkey bigint',
    'o_custkey bigint',
    'o_orderstatus string',
    'o_totalprice decimal(15,2)',
    'o_orderdate date',
    'o_orderpriority string',
    'o_clerk string',
    'o_shippriority int',
    'o_comment string',
  ],
  lineitem: [
    'l_orderkey bigint',
    'l_partkey bigint',
    'l_suppkey bigint',
    'l_linenumber int',
    'l_quantity decimal(15,2)',
    'l_extendedprice decimal(15,2)',
    'l_discount decimal(15,2)',
    'l_tax decimal(15,2)',
    'l_returnflag string',
    'l_linestatus string',
    'l_shipdate date',
    'l_commitdate date',
    'l_receiptdate date',
    'l_shipinstruct string',
    'l_shipmode string',
    'l_comment string',
  ],
} as const;

export type TpchTable = keyof typeof TPCH_TABLES;

export const TPCH_TABLE_NAMES = Object.keys(TPCH_TABLES) as TpchTable[];

function sqlString(s: string): string {
  return `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** `CREATE TABLE db.t (…) USING csv OPTIONS (sep '|', header 'false') LOCATION '<file>'`. */
export function createTpchTableSql(table: TpchTable, location: string, database?: string): string {
  const name = database === undefined ? table : `${database}.${table}`;
  return (
    `CREATE TABLE ${name} (${TPCH_TABLES[table].join(', ')}) ` +
    `USING csv OPTIONS (sep '|', header 'false') LOCATION ${sqlString(location)}`
  );
}
