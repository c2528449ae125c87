/**
 * Spill for exchange outputs, end to end through the Engine on two executor threads: a sorted
 * gather (ORDER BY over several partitions) and a hash shuffle (GROUP BY) whose map outputs do not
 * fit in their query's memory budget finish by writing them to files in `kindling.local.dir`, with
 * exactly the answer of the same query without a budget; EXPLAIN ANALYZE shows what each map stage
 * wrote to disk; and no file outlives its query, whether it succeeds, fails or is cancelled.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/index.ts';
import { failure, filesUnder, noFileLeft, spillBed } from './spill-support.ts';

const bed = spillBed('exchange-spill');
const tempDir = bed.tempDir;

function session(localDir: string): Promise<Session> {
  // Three map tasks on two threads.
  return bed.session(localDir, {
    'kindling.execution.target_partitions': '3',
    'spark.sql.shuffle.partitions': '4',
  });
}

async function explainAnalyze(s: Session, sql: string): Promise<string[]> {
  return (await s.sql(`EXPLAIN ANALYZE ${sql}`)).rows.map((r) => r[0] as string);
}

// Scrambled keys with NULLs and many ties; `id` makes the order total, so the answer is exact.
const SORT = `SELECT id,
    CASE WHEN id % 11 = 0 THEN NULL ELSE (id * 7919) % 1000 END AS k,
    CASE WHEN id % 13 = 0 THEN NULL ELSE concat('s', CAST((id * 31) % 577 AS STRING)) END AS t
  FROM range(0, 300000)
  ORDER BY k DESC NULLS FIRST, t ASC NULLS LAST, id`;

// A DISTINCT aggregate is not split in two: every input row crosses the hash shuffle, while the
// aggregate itself holds only a thousand groups.
const GROUP = `SELECT id % 1000 AS g, count(DISTINCT id % 7) AS d, count(*) AS n, sum(id) AS s,
    max(concat('t', CAST(id * 37 AS STRING))) AS m
  FROM range(0, 600000) GROUP BY id % 1000 ORDER BY g`;

/** The header of the map stage writing `exchange`, and its spilled bytes and files. */
function mapStage(plan: readonly string[], exchange: RegExp): { files: number } {
  const header = plan.find((l) => /^Stage \d+ \(→ /.test(l) && exchange.test(l));
  expect(header).toBeDefined();
  const m = /output spilled=[\d.]+ (B|KiB|MiB) in (\d+) files?, 1 pass$/.exec(header!);
  expect(m, header).not.toBeNull();
  return { files: Number(m![2]) };
}

describe('exchange outputs over the memory budget', () => {
  it('a multi-partition ORDER BY spills its gather and gives exactly the unlimited answer', async () => {
    const local = tempDir();
    const s = await session(local);
    const want = (await s.sql(SORT)).rows;
    expect(want).toHaveLength(300000);
    await s.sql("SET kindling.memory.query_limit = '4MB'");
    expect((await s.sql(SORT)).rows).toEqual(want);
    await noFileLeft(local);

    const plan = await explainAnalyze(s, SORT);
    expect(plan[1]).toMatch(/^Query: 300000 rows .*2 stages/);
    // Each of the three sorted partitions went, at least in part, to its own file.
    expect(mapStage(plan, /GatherExec/).files).toBeGreaterThanOrEqual(1);
    expect(plan.join('\n')).toMatch(/GatherExec: merge=\[k@1 DESC NULLS FIRST.*\(rows=300000,/);
    await noFileLeft(local);
  });

  it('a GROUP BY spills its hash shuffle and gives exactly the unlimited answer', async () => {
    const local = tempDir();
    const s = await session(local);
    const want = (await s.sql(GROUP)).rows;
    expect(want).toHaveLength(1000);
    expect(want[0]).toEqual([0n, 7n, 600n, 179700000n, 't9990000']);
    await s.sql("SET kindling.memory.query_limit = '4MB'");
    expect((await s.sql(GROUP)).rows).toEqual(want);
    await noFileLeft(local);

    const plan = await explainAnalyze(s, GROUP);
    // The map tasks' output is 4.8 MB of ids alone, 1.6 MB each, and may hold 2 MB in memory:
    // one of the two running first may keep its whole output there if it finishes before the
    // other has charged much (it depends on timing), but no two can — at least two write to disk.
    expect(mapStage(plan, /ShuffleExchangeExec: hash/).files).toBeGreaterThanOrEqual(2);
    expect(plan.join('\n')).toMatch(/ShuffleExchangeExec: hash\(\[.*\], 4\), stage=1 {2}\(rows=600000,/);
    await noFileLeft(local);
  });

  it('removes the map outputs’ files when the query fails or is cancelled', async () => {
    const local = tempDir();
    const s = await session(local);
    await s.sql("SET kindling.memory.query_limit = '4MB'");
    // The map outputs are written to disk; the aggregate reading them divides by zero.
    const err = await failure(() =>
      s.sql(
        `SELECT id % 1000 AS g, count(DISTINCT id % 7), sum(10 DIV (id - 599999)) FROM range(0, 600000) GROUP BY id % 1000`,
      ),
    );
    expect(err.sqlstate).toBe('22012');
    await noFileLeft(local);

    await s.sql("SET statement_timeout = '2500ms'");
    let seen = 0;
    const watch = setInterval(() => {
      seen = Math.max(seen, filesUnder(local).filter((f) => f.endsWith('.shuffle')).length);
    }, 10);
    const canceled = await failure(() =>
      s.sql(`SELECT id % 1000 AS g, count(DISTINCT id % 7) FROM range(0, 100000000) GROUP BY id % 1000`),
    );
    clearInterval(watch);
    expect(canceled.sqlstate).toBe('57014');
    expect(seen).toBeGreaterThan(0);
    // The statement fails at once; its tasks stop at their next check of the signal, remove the
    // files they were writing, and the query's outputs are released once none runs.
    await noFileLeft(local);
    await s.sql('RESET statement_timeout');
    expect((await s.sql('SELECT count(*) FROM range(0, 10)')).rows).toEqual([[10n]]);
  });
});
