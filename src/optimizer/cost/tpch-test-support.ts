/**
 * TPC-H tables at scale factor 1 for optimizer tests: the columns the join-order tests read, with
 * the statistics `ANALYZE TABLE … COMPUTE STATISTICS FOR ALL COLUMNS` records for dbgen's data
 * (row counts and key ranges from the TPC-H specification; distinct counts of the keys).
 */
import { T } from '../../common/index.ts';
import { table, type FakeTable } from '../test-support.ts';

const days = (iso: string): number => Math.round(Date.parse(iso) / 86_400_000);

export const region: FakeTable = table(
  'tpch.region',
  [
    ['r_regionkey', T.bigint],
    ['r_name', T.string],
  ],
  5,
  {
    r_regionkey: { min: 0n, max: 4n, nullCount: 0, distinctCount: 5 },
    r_name: { nullCount: 0, distinctCount: 5, avgLen: 7, maxLen: 11 },
  },
);

export const nation: FakeTable = table(
  'tpch.nation',
  [
    ['n_nationkey', T.bigint],
    ['n_name', T.string],
    ['n_regionkey', T.bigint],
  ],
  25,
  {
    n_nationkey: { min: 0n, max: 24n, nullCount: 0, distinctCount: 25 },
    n_name: { nullCount: 0, distinctCount: 25, avgLen: 8, maxLen: 14 },
    n_regionkey: { min: 0n, max: 4n, nullCount: 0, distinctCount: 5 },
  },
);

export const supplier: FakeTable = table(
  'tpch.supplier',
  [
    ['s_suppkey', T.bigint],
    ['s_nationkey', T.bigint],
  ],
  10_000,
  {
    s_suppkey: { min: 1n, max: 10_000n, nullCount: 0, distinctCount: 10_000 },
    s_nationkey: { min: 0n, max: 24n, nullCount: 0, distinctCount: 25 },
  },
);

export const customer: FakeTable = table(
  'tpch.customer',
  [
    ['c_custkey', T.bigint],
    ['c_nationkey', T.bigint],
  ],
  150_000,
  {
    c_custkey: { min: 1n, max: 150_000n, nullCount: 0, distinctCount: 150_000 },
    c_nationkey: { min: 0n, max: 24n, nullCount: 0, distinctCount: 25 },
  },
);

export const part: FakeTable = table(
  'tpch.part',
  [
    ['p_partkey', T.bigint],
    ['p_name', T.string],
    ['p_type', T.string],
  ],
  200_000,
  {
    p_partkey: { min: 1n, max: 200_000n, nullCount: 0, distinctCount: 200_000 },
    p_name: { nullCount: 0, distinctCount: 199_997, avgLen: 33, maxLen: 55 },
    p_type: { nullCount: 0, distinctCount: 150, avgLen: 21, maxLen: 25 },
  },
);

export const partsupp: FakeTable = table(
  'tpch.partsupp',
  [
    ['ps_partkey', T.bigint],
    ['ps_suppkey', T.bigint],
    ['ps_supplycost', T.decimal(15, 2)],
  ],
  800_000,
  {
    ps_partkey: { min: 1n, max: 200_000n, nullCount: 0, distinctCount: 200_000 },
    ps_suppkey: { min: 1n, max: 10_000n, nullCount: 0, distinctCount: 10_000 },
    ps_supplycost: { min: 100n, max: 100_000n, nullCount: 0, distinctCount: 99_865, avgLen: 8, maxLen: 8 },
  },
);

export const orders: FakeTable = table(
  'tpch.orders',
  [
    ['o_orderkey', T.bigint],
    ['o_custkey', T.bigint],
    ['o_orderdate', T.date],
    ['o_orderstatus', T.string],
  ],
  1_500_000,
  {
    o_orderkey: { min: 1n, max: 6_000_000n, nullCount: 0, distinctCount: 1_500_000 },
    o_custkey: { min: 1n, max: 149_999n, nullCount: 0, distinctCount: 99_996 },
    o_orderdate: { min: days('1992-01-01'), max: days('1998-08-02'), nullCount: 0, distinctCount: 2406 },
    o_orderstatus: { nullCount: 0, distinctCount: 3, avgLen: 1, maxLen: 1 },
  },
);

export const lineitem: FakeTable = table(
  'tpch.lineitem',
  [
    ['l_orderkey', T.bigint],
    ['l_partkey', T.bigint],
    ['l_suppkey', T.bigint],
    ['l_quantity', T.decimal(15, 2)],
  ],
  6_001_215,
  {
    l_orderkey: { min: 1n, max: 6_000_000n, nullCount: 0, distinctCount: 1_500_000 },
    l_partkey: { min: 1n, max: 200_000n, nullCount: 0, distinctCount: 200_000 },
    l_suppkey: { min: 1n, max: 10_000n, nullCount: 0, distinctCount: 10_000 },
    l_quantity: { min: 100n, max: 5000n, nullCount: 0, distinctCount: 50, avgLen: 8, maxLen: 8 },
  },
);

export { days };
