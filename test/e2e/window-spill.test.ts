/**
 * Spill for windows, end to end through the Engine: a window partition far larger than its query's
 * memory budget is written to `kindling.local.dir` and evaluated from there a chunk at a time, with
 * exactly the answer of the same query without a budget; EXPLAIN ANALYZE shows what the window
 * spilled; no spill file outlives its query, whether it succeeds, fails or is cancelled; and a peer group that
 * cume_dist needs whole but the budget cannot hold fails with 53200 naming the operator.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/index.ts';
import { failure, filesUnder, spillBed } from './spill-support.ts';

const bed = spillBed('window-spill');
const tempDir = bed.tempDir;

function session(localDir: string): Promise<Session> {
  // One partition; batches of 2048 rows: the stretch a window holds is a few batches of its
  // partition's fifty.
  return bed.session(localDir, {
    'kindling.execution.target_partitions': '1',
    'kindling.execution.batch_size': '2048',
  });
}

// One window partition of 100000 rows (no PARTITION BY): k has ties and NULLs, v NULLs. Floating
// sums too: spilled, they must round exactly as in memory.
const ROWS = `SELECT id,
    CASE WHEN id % 97 = 0 THEN NULL ELSE (id * 7919) % 5000 END AS k,
    CASE WHEN id % 11 = 0 THEN NULL ELSE (id * 31) % 1000 - 500 END AS v
  FROM range(0, 100000)`;
const WINDOW = `SELECT id, k, v,
    sum(v) OVER (ORDER BY k, id ROWS BETWEEN 10 PRECEDING AND CURRENT ROW) AS s10,
    sum(v) OVER (ORDER BY k, id) AS running,
    sum(v / 7.0D) OVER (ORDER BY k, id) AS running_d,
    avg(v / 3.0D) OVER (ORDER BY k, id ROWS BETWEEN 5 PRECEDING AND 2 FOLLOWING) AS sliding_d,
    row_number() OVER (ORDER BY k, id) AS rn,
    lag(v, 3) OVER (ORDER BY k, id) AS lag3,
    first_value(v) IGNORE NULLS OVER (ORDER BY k, id) AS first_v,
    rank() OVER (ORDER BY k) AS rk,
    sum(v) OVER (ORDER BY k RANGE BETWEEN 2 PRECEDING AND 1 FOLLOWING) AS near,
    count(v) OVER () AS total,
    sum(v) OVER (ORDER BY k, id ROWS BETWEEN CURRENT ROW AND UNBOUNDED FOLLOWING) AS rest,
    percent_rank() OVER (ORDER BY k) AS pr
  FROM (${ROWS})
  ORDER BY id`;

describe('window over its memory budget', () => {
  it('spills a large window partition and evaluates it into exactly the unlimited answer, leaving no file', async () => {
    const local = tempDir();
    const s = await session(local);
    const want = (await s.sql(WINDOW)).rows;
    expect(want).toHaveLength(100000);
    await s.sql("SET kindling.memory.query_limit = '6MB'");
    expect((await s.sql(WINDOW)).rows).toEqual(want);
    expect(filesUnder(local)).toEqual([]);

    const plan = (await s.sql(`EXPLAIN ANALYZE ${WINDOW}`)).rows.map((r) => r[0] as string);
    // Each window spills when the budget is short as its turn comes (the sorts below hold some).
    const windows = plan.filter((l) => l.trimStart().startsWith('WindowExec:'));
    expect(windows.length).toBeGreaterThanOrEqual(3);
    for (const w of windows) expect(w).toMatch(/\(rows=100000, /);
    const spilled = windows.filter((w) => /spilled=[\d.]+ [KM]iB in 1 file, [12] pass(es)?\)/.test(w));
    expect(spilled.length).toBeGreaterThanOrEqual(2);
    // count(v) OVER () takes the partition's count from a first pass over the file.
    const whole = windows.find((w) => w.includes('count(v) over'));
    expect(whole).toMatch(/spilled=[\d.]+ [KM]iB in 1 file, 2 passes\)/);
    // rank, a bounded RANGE sum and percent_rank (the file's row count) need one pass.
    const ranks = windows.find((w) => w.includes('percent_rank() over'));
    expect(ranks).toMatch(/spilled=[\d.]+ [KM]iB in 1 file, 1 pass\)/);
    expect(filesUnder(local)).toEqual([]);
  }, 120_000);

  it('evaluates frames with negative offsets, empty ones included, as without a budget', async () => {
    const local = tempDir();
    const s = await session(local);
    // Rows i + 1 … i + 3; empty ROWS frames; RANGE [k + 1, k + 2] (the NULL keys' own group).
    const query = `SELECT id,
        sum(v) OVER (ORDER BY k, id ROWS BETWEEN -1 PRECEDING AND 3 FOLLOWING) AS ahead,
        count(v) OVER (ORDER BY k, id ROWS BETWEEN 1 FOLLOWING AND CURRENT ROW) AS none,
        sum(v) OVER (ORDER BY k RANGE BETWEEN -1 PRECEDING AND 2 FOLLOWING) AS above
      FROM (${ROWS})
      ORDER BY id`;
    const want = (await s.sql(query)).rows;
    expect(want).toHaveLength(100000);
    expect(want.every((r) => r[2] === 0n)).toBe(true);
    await s.sql("SET kindling.memory.query_limit = '2MB'");
    expect((await s.sql(query)).rows).toEqual(want);
    const plan = (await s.sql(`EXPLAIN ANALYZE ${query}`)).rows.map((r) => r[0] as string);
    const windows = plan.filter((l) => l.trimStart().startsWith('WindowExec:'));
    expect(windows.filter((w) => /spilled=[\d.]+ [KM]iB in 1 file/.test(w))).toHaveLength(2);
    expect(filesUnder(local)).toEqual([]);
  }, 120_000);

  it('removes its spill file when the query fails or is cancelled', async () => {
    const local = tempDir();
    const s = await session(local);
    await s.sql("SET kindling.memory.query_limit = '1MB'");
    let seen = 0;
    const watch = setInterval(() => {
      seen = Math.max(seen, filesUnder(local).length);
    }, 5);
    // The division fails on the row numbered 80000, long after the partition went to disk.
    const err = await failure(() =>
      s.sql(
        `SELECT 10 DIV (rn - 80000) FROM (SELECT row_number() OVER (ORDER BY k, id) AS rn FROM (${ROWS}))`,
      ),
    );
    clearInterval(watch);
    expect(err.sqlstate).toBe('22012');
    expect(seen).toBeGreaterThan(0);
    expect(filesUnder(local)).toEqual([]);

    // Cancelled while writing its partition: a window without ORDER BY spills as its rows come.
    await s.sql("SET statement_timeout = '1500ms'");
    seen = 0;
    const watch2 = setInterval(() => {
      seen = Math.max(seen, filesUnder(local).length);
    }, 5);
    const canceled = await failure(() =>
      s.sql('SELECT max(c) FROM (SELECT id, count(*) OVER () AS c FROM range(0, 50000000))'),
    );
    clearInterval(watch2);
    expect(canceled.sqlstate).toBe('57014');
    expect(seen).toBeGreaterThan(0);
    // The statement fails at once; its task stops at its next check of the signal.
    for (let i = 0; i < 100 && filesUnder(local).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(filesUnder(local)).toEqual([]);
    await s.sql('RESET statement_timeout');
  });

  it('fails with 53200 naming WindowExec where one peer group is larger than the budget', async () => {
    const local = tempDir();
    const s = await session(local);
    await s.sql("SET kindling.memory.query_limit = '2MB'");
    // cume_dist over one peer group of every row (some 9 MiB): the whole group at once.
    const peers = await failure(() =>
      s.sql(`SELECT id, id * 2 AS v, cume_dist() OVER (ORDER BY id DIV 1000000) FROM range(0, 400000)`),
    );
    expect(peers.sqlstate).toBe('53200');
    expect(peers.message).toMatch(/WindowExec/);
    expect(filesUnder(local)).toEqual([]);
  });
});
