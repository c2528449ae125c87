/**
 * The TPC-H `lineitem` columns (Spark types), shared by the CSV benchmark and tests of the catalog.
 */
import { T, field, type Field } from '../common/index.ts';

export const LINEITEM_COLUMNS: readonly Field[] = [
  field('l_orderkey', T.bigint),
  field('l_partkey', T.bigint),
  field('l_suppkey', T.bigint),
  field('l_linenumber', T.int),
  field('l_quantity', T.decimal(15, 2)),
  field('l_extendedprice', T.decimal(15, 2)),
  field('l_discount', T.decimal(15, 2)),
  field('l_tax', T.decimal(15, 2)),
  field('l_returnflag', T.string),
  field('l_linestatus', T.string),
  field('l_shipdate', T.date),
  field('l_commitdate', T.date),
  field('l_receiptdate', T.date),
  field('l_shipinstruct', T.string),
  field('l_shipmode', T.string),
  field('l_comment', T.string),
];
