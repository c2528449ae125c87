/**
 * Spill for hash joins, end to end through the Engine: joins of two tables whose build side is far
 * larger than the query's memory budget finish as grace hash joins (both sides written to
 * `kindling.local.dir` by key hash and joined partition by partition) with exactly the rows of
 * the same joins without a budget — inner, outer, semi, anti and NOT IN, with NULL and repeated
 * keys, collected (one task) and partitioned (a task per partition); EXPLAIN ANALYZE shows what the join spilled; no spill file outlives its query, whether
 * it succeeds or fails; and a key whose rows alone exceed the budget fails with 53200.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import type { Session } from '../../src/index.ts';
import { failure, noFileLeft, spillBed } from './spill-support.ts';

const bed = spillBed('join-spill');
const tempDir = bed.tempDir;

/** Rows in a canonical order (joins promise none). */
function sorted(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((r) => r.map((v) => (v === null ? 'NULL' : String(v as string | bigint))).join('|')).sort();
}

const local = tempDir();
let s: Session;

beforeAll(async () => {
  // One partition: each join is one task reading both tables, so no exchange holds their rows
  // (exchanges keep theirs in memory); on the executor threads, however small the tables.
  s = await bed.session(local, { 'kindling.execution.target_partitions': '1' });
  // Orders of customers: NULL customers, customers without orders, orders of unknown customers,
  // many orders a customer.
  await s.sql(`CREATE TABLE orders AS
    SELECT id AS o_id,
      CASE WHEN id % 17 = 0 THEN NULL ELSE (id * 7) % 400000 END AS o_cust,
      id % 5 AS o_prio
    FROM range(0, 120000)`);
  await s.sql(`CREATE TABLE customers AS
    SELECT id AS c_id, concat('customer ', CAST(id AS STRING)) AS c_name, id % 7 AS c_prio
    FROM range(0, 300000) WHERE id % 9 <> 0
    UNION ALL SELECT NULL, 'nobody', 1`);
}, 120_000);

const JOINS = {
  inner: 'SELECT o_id, o_cust, c_name FROM orders JOIN customers ON o_cust = c_id',
  left: 'SELECT o_id, c_id, c_name FROM orders LEFT JOIN customers ON o_cust = c_id',
  full: 'SELECT o_id, c_id FROM orders FULL JOIN customers ON o_cust = c_id AND o_prio < c_prio',
  semi: 'SELECT o_id FROM orders WHERE EXISTS (SELECT 1 FROM customers WHERE c_id = o_cust)',
  anti: 'SELECT o_id, o_cust FROM orders WHERE NOT EXISTS (SELECT 1 FROM customers WHERE c_id = o_cust)',
  // NOT IN: a customer with a NULL key anywhere makes every answer unknown; without it, orders
  // with a NULL customer are unknown.
  notIn: 'SELECT o_id FROM orders WHERE o_cust NOT IN (SELECT c_id FROM customers)',
  notInNoNull:
    'SELECT o_id, o_cust FROM orders WHERE o_cust NOT IN (SELECT c_id FROM customers WHERE c_id IS NOT NULL)',
};

describe('hash join over its memory budget', () => {
  it('spills both sides and joins them partition by partition into exactly the unlimited answers', async () => {
    const want: Record<string, string[]> = {};
    for (const [name, sql] of Object.entries(JOINS)) want[name] = sorted((await s.sql(sql)).rows);
    expect(want.inner!.length).toBeGreaterThan(50000);
    expect(want.notIn).toEqual([]);
    expect(want.notInNoNull!.length).toBeGreaterThan(1000);

    await s.sql("SET kindling.memory.query_limit = '2MB'");
    try {
      for (const [name, sql] of Object.entries(JOINS)) {
        expect(sorted((await s.sql(sql)).rows), name).toEqual(want[name]);
        // Exchange outputs that spilled are removed a moment after the query ends.
        await noFileLeft(local);
      }
      const plan = (await s.sql(`EXPLAIN ANALYZE ${JOINS.left}`)).rows.map((r) => r[0] as string);
      const hashJoin = plan.find((l) => l.trimStart().startsWith('HashJoinExec:'));
      // Partitioned once: every build partition fits when its turn comes.
      expect(hashJoin).toMatch(/\(rows=120000, .*spilled=[\d.]+ [KM]iB in \d+ files, 1 pass\)/);
      expect(Number(/in (\d+) files/.exec(hashJoin!)![1])).toBeGreaterThanOrEqual(32);
      // Exchange outputs that spilled are removed a moment after the query ends.
      await noFileLeft(local);
    } finally {
      await s.sql('RESET kindling.memory.query_limit');
    }
    // Without a budget, nothing spills.
    const plain = (await s.sql(`EXPLAIN ANALYZE ${JOINS.left}`)).rows.map((r) => r[0] as string);
    expect(plain.join('\n')).not.toMatch(/spilled=/);
  });

  it('spills partitioned and broadcast joins run as two tasks on two threads, whose exchanges fit', async () => {
    await s.sql('SET kindling.execution.target_partitions = 2');
    const cases = [
      {
        // Both sides hashed on the key; the exchanges keep them in memory (about 5 MiB).
        threshold: '-1',
        limit: '12MB',
        mode: 'partitioned, type=full',
        sql: `SELECT a.id, b.v FROM range(0, 200000) a
          FULL JOIN (SELECT (id * 7919) % 300000 AS k, id AS v FROM range(0, 300000)) b ON a.id = b.k`,
      },
      {
        // The build side broadcast to both probe tasks, each over the budget beside the other.
        threshold: "'1GB'",
        limit: '7MB',
        mode: 'collect_build, type=left',
        sql: `SELECT a.id, b.v FROM range(0, 400000) a
          LEFT JOIN (SELECT (id * 7919) % 300000 AS k, id AS v FROM range(0, 300000)) b ON a.id = b.k`,
      },
    ];
    try {
      for (const c of cases) {
        await s.sql(`SET spark.sql.autoBroadcastJoinThreshold = ${c.threshold}`);
        const want = sorted((await s.sql(c.sql)).rows);
        expect(want.length).toBeGreaterThanOrEqual(300000);
        await s.sql(`SET kindling.memory.query_limit = '${c.limit}'`);
        expect(sorted((await s.sql(c.sql)).rows)).toEqual(want);
        const plan = (await s.sql(`EXPLAIN ANALYZE ${c.sql}`)).rows.map((r) => r[0] as string);
        const hashJoin = plan.find((l) => l.trimStart().startsWith('HashJoinExec:'));
        expect(hashJoin).toContain(`mode=${c.mode}`);
        expect(hashJoin).toMatch(/spilled=[\d.]+ [KM]iB in \d+ files, 1 pass\)/);
        // Exchange outputs that spilled are removed a moment after the query ends.
        await noFileLeft(local);
        await s.sql('RESET kindling.memory.query_limit');
      }
    } finally {
      await s.sql('RESET kindling.memory.query_limit');
      await s.sql('SET kindling.execution.target_partitions = 1');
      await s.sql('RESET spark.sql.autoBroadcastJoinThreshold');
    }
  });

  it('removes its spill files when the query fails after the join spilled', async () => {
    await s.sql("SET kindling.memory.query_limit = '2MB'");
    try {
      // The division fails on the last order, long after both sides went to disk.
      const err = await failure(() =>
        s.sql(
          'SELECT o_id, 10 DIV (o_id - 119999) AS q, c_name FROM orders LEFT JOIN customers ON o_cust = c_id',
        ),
      );
      expect(err.sqlstate).toBe('22012');
      // Exchange outputs that spilled are removed a moment after the query ends.
      await noFileLeft(local);
    } finally {
      await s.sql('RESET kindling.memory.query_limit');
    }
  });

  it('fails with 53200 naming the join when one key has more build rows than the budget holds', async () => {
    await s.sql("SET kindling.memory.query_limit = '2MB'");
    try {
      // Every customer row under one key (the build side of a LEFT join): no split parts them.
      const err = await failure(() =>
        s.sql(
          'SELECT count(*) FROM orders LEFT JOIN (SELECT c_prio * 0 + 7 AS k, c_name FROM customers) c ON o_cust = c.k',
        ),
      );
      expect(err.sqlstate).toBe('53200');
      expect(err.message).toMatch(/HashJoinExec cannot join .* build rows share one join key/);
      // Exchange outputs that spilled are removed a moment after the query ends.
      await noFileLeft(local);
    } finally {
      await s.sql('RESET kindling.memory.query_limit');
    }
    expect((await s.sql('SELECT count(*) FROM range(0, 10)')).rows).toEqual([[10n]]);
  });
});
