/**
 * Spill for hash aggregation, end to end through the Engine: a GROUP BY with far more groups than
 * its query's memory budget holds finishes by writing its groups' states to `kindling.local.dir`
 * by key hash and merging each part, with exactly the answer of the same query without a budget
 * (DISTINCT aggregates included, and a DISTINCT aggregate without GROUP BY, whose values are made
 * distinct by a keyed aggregate first); EXPLAIN ANALYZE shows what it spilled; no spill file outlives its
 * query, whether it succeeds, fails or is cancelled; and one group larger than the budget fails with 53200
 * naming the operator.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/index.ts';
import { failure, filesUnder, spillBed } from './spill-support.ts';

const bed = spillBed('aggregate-spill');
const tempDir = bed.tempDir;

function session(localDir: string): Promise<Session> {
  // One partition: a single aggregate, and no exchange output (which does not spill) in the budget.
  return bed.session(localDir, { 'kindling.execution.target_partitions': '1' });
}

/** The rows as sorted lines (the order of groups is not part of the answer). */
function lines(rows: readonly (readonly unknown[])[]): string[] {
  return rows.map((r) => JSON.stringify(r, (_k, v: unknown) => (typeof v === 'bigint' ? `${v}n` : v))).sort();
}

// 100K groups, NULL keys among them, over int, decimal, double and string columns, with a
// DISTINCT aggregate.
const ROWS = `SELECT CASE WHEN id % 1009 = 0 THEN NULL ELSE (id * 7919) % 100000 END AS k,
    id AS v, CAST(id % 1000 AS DECIMAL(10, 2)) / 8 AS d, id * 0.25 AS x,
    CASE WHEN id % 7 = 0 THEN NULL ELSE concat('s', CAST((id * 31) % 577 AS STRING)) END AS s
  FROM range(0, 300000)`;
const GROUP_BY = `SELECT k, count(*) AS c, sum(v) AS sv, sum(d) AS sd, avg(x) AS ax, min(s) AS mn, max(s) AS mx,
    count(DISTINCT v % 5) AS dv
  FROM (${ROWS}) GROUP BY k`;

describe('hash aggregation over its memory budget', () => {
  it('spills its groups and merges them into exactly the unlimited answer, leaving no file', async () => {
    const local = tempDir();
    const s = await session(local);
    const want = lines((await s.sql(GROUP_BY)).rows);
    expect(want).toHaveLength(100001);
    await s.sql("SET kindling.memory.query_limit = '3MB'");
    expect(lines((await s.sql(GROUP_BY)).rows)).toEqual(want);
    expect(filesUnder(local)).toEqual([]);

    const plan = (await s.sql(`EXPLAIN ANALYZE ${GROUP_BY}`)).rows.map((r) => r[0] as string);
    const agg = plan.find((l) => l.trimStart().startsWith('HashAggregateExec:'));
    // Every spill partition fits when its turn comes: one pass.
    expect(agg).toMatch(/\(rows=100001, .*spilled=[\d.]+ [KM]iB in \d+ files, 1 pass\)/);
    expect(Number(/in (\d+) files/.exec(agg!)![1])).toBeGreaterThanOrEqual(16);
    expect(filesUnder(local)).toEqual([]);
  });

  it('a DISTINCT aggregate without GROUP BY makes its values distinct in a keyed aggregate that spills', async () => {
    const local = tempDir();
    const s = await session(local);
    const query = `SELECT count(DISTINCT v % 100003), sum(DISTINCT v % 100003), max(DISTINCT v % 100003) FROM (${ROWS})`;
    const want = (await s.sql(query)).rows;
    // 0 … 100002 each once: 100002 · 100003 / 2.
    expect(want).toEqual([[100003n, 5000250003n, 100002n]]);
    await s.sql("SET kindling.memory.query_limit = '3MB'");
    expect((await s.sql(query)).rows).toEqual(want);
    const plan = (await s.sql(`EXPLAIN ANALYZE SELECT count(DISTINCT v) FROM (${ROWS})`)).rows.map(
      (r) => r[0] as string,
    );
    const keyed = plan.find((l) => /HashAggregateExec: mode=(final|single), gby=\[v/.test(l));
    expect(keyed).toMatch(/spilled=[\d.]+ [KM]iB in \d+ files/);
    expect(filesUnder(local)).toEqual([]);
  });

  it('DISTINCT aggregates over different arguments without GROUP BY spill too (one grouping set each)', async () => {
    const local = tempDir();
    const s = await session(local);
    const query = `SELECT count(DISTINCT v % 100003), sum(DISTINCT v % 100019), count(DISTINCT s),
        count(DISTINCT v % 3, s) FROM (${ROWS})`;
    const want = (await s.sql(query)).rows;
    // 0 … 100002 and 0 … 100018 each once; 577 strings; (v % 3, s) pairs with s not NULL
    expect(want[0]!.slice(0, 3)).toEqual([100003n, (100018n * 100019n) / 2n, 577n]);
    await s.sql("SET kindling.memory.query_limit = '3MB'");
    expect((await s.sql(query)).rows).toEqual(want);
    const plan = (await s.sql(`EXPLAIN ANALYZE ${query}`)).rows.map((r) => r[0] as string);
    const keyed = plan.find((l) =>
      /HashAggregateExec: mode=(final|single), gby=\[.+grouping_sets=\[\[0\], \[1\], \[2\], \[2, 3\]\]/.test(
        l,
      ),
    );
    expect(keyed).toMatch(/spilled=[\d.]+ [KM]iB in \d+ files/);
    expect(filesUnder(local)).toEqual([]);
  });

  it('removes its spill files when the query fails or is cancelled; one group over the budget is 53200', async () => {
    const local = tempDir();
    const s = await session(local);
    await s.sql("SET kindling.memory.query_limit = '3MB'");
    // The division fails on the last row, after the aggregate has spilled groups.
    const err = await failure(() =>
      s.sql(
        `SELECT id % 100000 AS k, sum(10 DIV (id - 299999)) AS q, min(id) FROM range(0, 300000) GROUP BY 1`,
      ),
    );
    expect(err.sqlstate).toBe('22012');
    expect(filesUnder(local)).toEqual([]);

    // One key: hashing cannot split it, so after the last re-partitioning the query fails.
    const big = await failure(() =>
      s.sql(
        `SELECT id % 1 AS k, collect_list(concat('value ', CAST(id AS STRING))) FROM range(0, 400000) GROUP BY 1`,
      ),
    );
    expect(big.sqlstate).toBe('53200');
    expect(big.message).toMatch(/HashAggregateExec/);
    expect(filesUnder(local)).toEqual([]);

    // Cancelled while spilling: its task removes its files at its next check of the signal.
    await s.sql("SET statement_timeout = '1500ms'");
    let seen = 0;
    const watch = setInterval(() => {
      seen = Math.max(seen, filesUnder(local).length);
    }, 10);
    const canceled = await failure(() =>
      s.sql(`SELECT id % 20000000 AS k, count(*), max(id) FROM range(0, 50000000) GROUP BY 1`),
    );
    clearInterval(watch);
    expect(canceled.sqlstate).toBe('57014');
    expect(seen).toBeGreaterThan(0);
    for (let i = 0; i < 100 && filesUnder(local).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(filesUnder(local)).toEqual([]);
    await s.sql('RESET statement_timeout');
    await s.sql('RESET kindling.memory.query_limit');
    expect((await s.sql('SELECT count(*) FROM range(0, 10)')).rows).toEqual([[10n]]);
  });
});
