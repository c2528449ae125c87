/**
 * One query whose every memory-hungry operator spills: a join, an aggregate over its result, a
 * window over the groups and a global ORDER BY, on two executor threads and two partitions (so
 * its exchanges hold rows too and two tasks reserve side by side), under a query budget far below
 * what the operators would keep.
 * The answer must be exactly the one without a budget, EXPLAIN ANALYZE must show the join, the
 * aggregate, the window and the sort spilling, and no file may be left in `kindling.local.dir`
 * once the query is done.
 */
import { describe, expect, it } from 'vitest';
import { noFileLeft, spillBed } from './spill-support.ts';

const bed = spillBed('spill-query');

// 800K facts over 600K dimension rows (some facts without a match, NULL keys on both sides) in
// 500K groups, ranked in one window partition of all of them; the answer comes in the ORDER
// BY's order.
const QUERY = `
  SELECT g, n, total, rank() OVER (ORDER BY total DESC, g) AS r
  FROM (
    SELECT d.grp AS g, count(*) AS n, sum(f.amount) AS total
    FROM facts f JOIN dims d ON f.dim = d.id
    GROUP BY d.grp
  )
  ORDER BY total DESC, g`;

describe('a query over its memory budget', () => {
  it('spills in its join, aggregate, window and sort, with exactly the unlimited answer and no file left', async () => {
    const local = bed.tempDir();
    // No broadcast: the join hashes both sides, as large tables do.
    const s = await bed.session(local, {
      'kindling.execution.target_partitions': '2',
      'spark.sql.shuffle.partitions': '2',
      'spark.sql.autoBroadcastJoinThreshold': '-1',
    });
    await s.sql(`CREATE TABLE facts AS
        SELECT id AS fid, CASE WHEN id % 101 = 0 THEN NULL ELSE (id * 48271) % 640000 END AS dim,
          CAST(id % 997 AS DECIMAL(12, 2)) / 4 AS amount
        FROM range(0, 800000)`);
    await s.sql(`CREATE TABLE dims AS
        SELECT CASE WHEN id % 5000 = 0 THEN NULL ELSE id END AS id, (id * 7) % 500000 AS grp,
          concat('dimension ', CAST(id AS STRING)) AS label
        FROM range(0, 600000)`);

    const want = (await s.sql(QUERY)).rows;
    expect(want.length).toBeGreaterThan(450000);

    // 16MB: the join's input stages are released once the join's stage is complete, and with
    // their memory back the aggregate and the window above it would not spill under 24MB.
    await s.sql("SET kindling.memory.query_limit = '16MB'");
    const got = (await s.sql(QUERY)).rows;
    expect(got).toEqual(want);
    // The files of a map stage are released once its readers are complete, or with the query, a
    // moment after its last row.
    await noFileLeft(local);

    const plan = (await s.sql(`EXPLAIN ANALYZE ${QUERY}`)).rows.map((r) => r[0] as string);
    for (const operator of ['HashJoinExec', 'HashAggregateExec', 'WindowExec', 'SortExec']) {
      const lines = plan.filter((l) => l.trimStart().startsWith(operator));
      expect(
        lines.some((l) => /spilled=[\d.]+ [KM]iB in \d+ files?, \d+ pass(es)?\)/.test(l)),
        `${operator} spilled:\n${plan.join('\n')}`,
      ).toBe(true);
    }
    await noFileLeft(local);
  }, 240_000);
});
