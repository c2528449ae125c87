/**
 * The TPC-H SF0.01 lineitem table and queries that go through every kind of exchange (hash,
 * merging gather, partitioned and broadcast joins, windows hashed on their keys, DISTINCT
 * aggregates, top-N): what the executor tests run on threads and on processes and compare.
 */
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const LINEITEM_DATA = resolve(dirname(fileURLToPath(import.meta.url)), '../data/tpch/sf0.01');

export const LINEITEM = `CREATE TABLE lineitem (l_orderkey BIGINT, l_partkey BIGINT, l_suppkey BIGINT, l_linenumber INT, l_quantity DECIMAL(15,2), l_extendedprice DECIMAL(15,2), l_discount DECIMAL(15,2), l_tax DECIMAL(15,2), l_returnflag STRING, l_linestatus STRING, l_shipdate DATE, l_commitdate DATE, l_receiptdate DATE, l_shipinstruct STRING, l_shipmode STRING, l_comment STRING) USING csv OPTIONS (sep '|', header 'false') LOCATION '${LINEITEM_DATA}/lineitem.tbl'`;

export const EXCHANGE_QUERIES: readonly string[] = [
  // partial → hash exchange → final, then a merging gather for ORDER BY
  'SELECT l_returnflag, count(*), sum(l_extendedprice), min(l_shipdate), max(l_comment) FROM lineitem ' +
    "WHERE l_shipdate <= DATE '1998-09-01' GROUP BY l_returnflag ORDER BY l_returnflag",
  // a partitioned self-join (broadcast off) and a global aggregate behind a gather
  'SET spark.sql.autoBroadcastJoinThreshold = -1; SELECT count(*), sum(a.l_quantity) FROM lineitem a JOIN lineitem b ON a.l_orderkey = b.l_orderkey AND a.l_linenumber = b.l_linenumber + 1',
  // a broadcast join
  'SET spark.sql.autoBroadcastJoinThreshold = 10MB; SELECT count(*) FROM lineitem a JOIN (SELECT DISTINCT l_suppkey AS s FROM lineitem WHERE l_suppkey < 10) b ON a.l_suppkey = b.s',
  // windows hashed on their partition keys
  'SELECT l_orderkey, l_linenumber, rank() OVER (PARTITION BY l_orderkey ORDER BY l_extendedprice DESC) AS r FROM lineitem ORDER BY l_orderkey, l_linenumber LIMIT 50',
  // DISTINCT aggregates hashed on the keys, top-N
  'SELECT l_shipmode, count(DISTINCT l_suppkey) AS n FROM lineitem GROUP BY l_shipmode ORDER BY n DESC, l_shipmode LIMIT 3',
];
