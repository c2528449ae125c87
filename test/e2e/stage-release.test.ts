/**
 * Exchange outputs released stage by stage, end to end through the Engine on two executor threads:
 * in a query of several stages (a partitioned join, an aggregate above it, a sort), the outputs of
 * the join's input stages are released as soon as the join's stage is complete — EXPLAIN ANALYZE
 * says so on their lines — not when the query ends; under a tight budget the answer is that of
 * the same query without one, and no file outlives the query.
 */
import { describe, expect, it } from 'vitest';
import type { Session } from '../../src/index.ts';
import { noFileLeft, spillBed } from './spill-support.ts';

const bed = spillBed('stage-release');

function session(localDir: string): Promise<Session> {
  return bed.session(localDir, {
    'kindling.execution.target_partitions': '3',
    'spark.sql.shuffle.partitions': '4',
    // Both join sides hashed on the key: stages of their own.
    'spark.sql.autoBroadcastJoinThreshold': '-1',
  });
}

const QUERY = `SELECT a.id % 1000 AS k, count(*) AS n, sum(b.v) AS s, max(b.t) AS m
  FROM range(0, 300000) a
  JOIN (SELECT (id * 7919) % 300000 AS k2, id * 3 AS v, concat('t', CAST(id AS STRING)) AS t
        FROM range(0, 300000)) b
    ON a.id = b.k2
  GROUP BY a.id % 1000
  ORDER BY k`;

describe("a stage's exchange outputs", () => {
  it('are released once the stages reading them are complete, before the query ends', async () => {
    const local = bed.tempDir();
    const s = await session(local);
    const want = (await s.sql(QUERY)).rows;
    expect(want).toHaveLength(1000);
    await s.sql("SET kindling.memory.query_limit = '8MB'");
    expect((await s.sql(QUERY)).rows).toEqual(want);
    await noFileLeft(local);

    const plan = (await s.sql(`EXPLAIN ANALYZE ${QUERY}`)).rows.map((r) => r[0] as string);
    const headers = plan.filter((l) => l.startsWith('Stage '));
    const joinLine = plan.findIndex((l) => l.trimStart().startsWith('HashJoinExec:'));
    expect(joinLine, plan.join('\n')).toBeGreaterThan(0);
    // The stage that joins, and the two it reads (each side hashed on the join key).
    const joinStage = plan.slice(0, joinLine).findLast((l) => l.startsWith('Stage '))!;
    const sides = headers.filter((h) => /→ ShuffleExchangeExec: hash\(\[(id|k2)@0\], 4\)/.test(h));
    expect(sides, plan.join('\n')).toHaveLength(2);
    for (const side of sides) expect(side, plan.join('\n')).toMatch(/, output released early(,|$)/);
    // The join's own output is read by the final aggregate's stage, released once that one is
    // complete; what the result stage reads goes with the query.
    expect(joinStage).toMatch(/output released early/);
    const resultInput = headers.find((h) => h.includes('(→ GatherExec'));
    expect(resultInput, plan.join('\n')).toBeDefined();
    expect(resultInput).not.toMatch(/released early/);
    expect(headers.filter((h) => h.includes('released early'))).toHaveLength(3);
    await noFileLeft(local);
  }, 120_000);
});
