/**
 * Writes of every kind killed with SIGKILL at random instants: after each kill the table reads
 * back as it was before the write or as the write made it, and start-up leaves no data file its
 * snapshot does not list. With crash-points.test.ts, well over 100 kills.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CrashHarness, type Write } from './crash-harness.ts';

/** Kills that must stop a write before it returned. */
const KILLS = 75;

/** A small deterministic generator, so a failure can be replayed from its seed. */
function generator(seed: number): () => number {
  let x = seed >>> 0 || 1;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x1_0000_0000;
  };
}

describe('writes killed at random instants', () => {
  const h = new CrashHarness();
  afterAll(() => h.remove());

  it(`${KILLS} kills leave every table old or new`, { timeout: 900_000 }, async () => {
    const seed = Number(process.env['KINDLING_CRASH_SEED'] ?? Date.now() % 1_000_000);
    const random = generator(seed);
    const int = (n: number): number => Math.floor(random() * n);
    await h.setup(
      [
        'CREATE TABLE a (v BIGINT, p INT) USING parquet PARTITIONED BY (p)',
        'CREATE TABLE r USING parquet PARTITIONED BY (q) AS SELECT id AS v, id % 8 AS q FROM range(0, 10)',
      ],
      ['a', 'r', 'c'],
    );
    // Each write with the longest it takes, roughly: kills land anywhere in it (or just after).
    const writes: (() => [Write, number])[] = [
      () => {
        const from = int(1_000_000);
        const range = `range(${from}, ${from + 2000})`;
        const sql = `INSERT INTO a SELECT id, id % 1000 FROM ${range}`;
        const after = `SELECT count(*), sum(v) FROM (SELECT v FROM a UNION ALL SELECT id FROM ${range})`;
        return [{ table: 'a', sql, after }, 2500];
      },
      () => {
        const n = 500 + int(500);
        const sql = `INSERT OVERWRITE a SELECT id * 2, id % 100 FROM range(0, ${n})`;
        return [{ table: 'a', sql, after: `SELECT count(*), sum(id * 2) FROM range(0, ${n})` }, 800];
      },
      () => {
        const p = int(100);
        const n = 1 + int(50);
        const sql = `INSERT OVERWRITE a PARTITION (p = ${p}) SELECT id FROM range(0, ${n})`;
        const after = `SELECT count(*), sum(v) FROM (SELECT v FROM a WHERE p IS DISTINCT FROM ${p} UNION ALL SELECT id FROM range(0, ${n}))`;
        return [{ table: 'a', sql, after }, 400];
      },
      () => {
        const n = 1 + int(5000);
        const sql = `CREATE OR REPLACE TABLE r USING parquet PARTITIONED BY (q) AS SELECT id AS v, id % 8 AS q FROM range(0, ${n})`;
        return [{ table: 'r', sql, after: `SELECT count(*), sum(id) FROM range(0, ${n})` }, 500];
      },
      () => {
        const n = 1 + int(1000);
        const sql = `INSERT INTO r SELECT id, id % 8 FROM range(0, ${n})`;
        const after = `SELECT count(*), sum(v) FROM (SELECT v FROM r UNION ALL SELECT id FROM range(0, ${n}))`;
        return [{ table: 'r', sql, after }, 400];
      },
      () => {
        if (h.content('c') !== null) return [{ table: 'c', sql: 'DROP TABLE c', after: null }, 150];
        const sql =
          'CREATE TABLE c USING parquet PARTITIONED BY (q) AS SELECT id AS v, id % 50 AS q FROM range(0, 500)';
        return [{ table: 'c', sql, after: 'SELECT count(*), sum(id) FROM range(0, 500)' }, 500];
      },
    ];
    // A write that finished before its kill shows how long that write takes on this machine: later
    // kills of its kind land within that time, so they fall inside the write however fast it is.
    const took = new Map<number, number>();
    for (let i = 0; h.kills < KILLS; i++) {
      expect(i, `seed ${seed}: too many writes finished before their kill`).toBeLessThan(KILLS * 3);
      const kind = i % writes.length;
      const [write, longest] = writes[kind]!();
      const within = Math.max(1, Math.min(longest, took.get(kind) ?? longest));
      if ((await h.crash(write, { afterMs: int(within) })) === 'finished') took.set(kind, h.lastWriteMs);
    }
    await h.finish();
    // Every killed write's table was checked (most kills land before a commit's switch: the
    // window after it, before the statement returns, is short; crash-points.test.ts covers it).
    expect(h.outcomes.before + h.outcomes.after, `seed ${seed}`).toBe(h.kills);
  });
});
