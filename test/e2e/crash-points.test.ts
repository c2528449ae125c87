/**
 * Every write killed exactly at each step of its commit (the test-only KINDLING_TEST_CRASH_AT
 * hook): before the switch the table reads back as it was, from the switch on as the write made
 * it — never a mix, never lost — and start-up leaves no data file its snapshot does not list. A
 * CREATE TABLE … AS SELECT killed before its switch can be run again at once.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { CrashHarness, type Write } from './crash-harness.ts';

const BEFORE_SWITCH = ['commit.snapshot-written', 'commit.file-renamed', 'commit.files-renamed'];

describe('a write killed at each step of its commit', () => {
  const h = new CrashHarness();
  afterAll(() => h.remove());

  /** Kills `write` at `point`; the next start checks the table holds what that step promises. */
  async function killAt(write: Write, point: string, expected: 'before' | 'after'): Promise<void> {
    expect(await h.crash(write, { crashAt: point }, expected)).toBe('killed');
  }

  it('sets up the tables', async () => {
    await h.setup(
      [
        // `a` is created empty: its first write adopts the folder's files as its first snapshot.
        'CREATE TABLE a (v BIGINT, p INT) USING parquet PARTITIONED BY (p)',
        'CREATE TABLE r USING parquet AS SELECT id AS v FROM range(0, 10)',
        'CREATE TABLE d USING parquet AS SELECT id AS v FROM range(0, 5)',
      ],
      ['a', 'r', 'd', 'c'],
    );
  });

  it('INSERT INTO over 1000 partitions', async () => {
    const insert = (from: number): Write => ({
      table: 'a',
      sql: `INSERT INTO a SELECT id, id % 1000 FROM range(${from}, ${from + 2000})`,
      after: `SELECT count(*), sum(v) FROM (SELECT v FROM a UNION ALL SELECT id FROM range(${from}, ${from + 2000}))`,
    });
    await killAt(insert(0), 'commit.adopted', 'before');
    for (const point of BEFORE_SWITCH)
      await killAt(insert(0), point === 'commit.file-renamed' ? `${point}@500` : point, 'before');
    await killAt(insert(0), 'commit.switched', 'after');
  });

  it('INSERT OVERWRITE of every partition', async () => {
    const overwrite = (n: number): Write => ({
      table: 'a',
      sql: `INSERT OVERWRITE a SELECT id * 3, id % 1000 FROM range(0, ${n})`,
      after: `SELECT count(*), sum(id * 3) FROM range(0, ${n})`,
    });
    for (const point of BEFORE_SWITCH)
      await killAt(overwrite(3000), point === 'commit.file-renamed' ? `${point}@500` : point, 'before');
    await killAt(overwrite(3001), 'commit.switched', 'after');
    await killAt(overwrite(3002), 'commit.file-deleted@500', 'after');
  });

  it('INSERT OVERWRITE of one partition', async () => {
    const overwrite = (n: number): Write => ({
      table: 'a',
      sql: `INSERT OVERWRITE a PARTITION (p = 7) SELECT id + 1 FROM range(0, ${n})`,
      after: `SELECT count(*), sum(v) FROM (SELECT v FROM a WHERE p <> 7 UNION ALL SELECT id + 1 FROM range(0, ${n}))`,
    });
    for (const point of BEFORE_SWITCH) await killAt(overwrite(40), point, 'before');
    await killAt(overwrite(41), 'commit.switched', 'after');
    await killAt(overwrite(42), 'commit.file-deleted', 'after');
  });

  it('TRUNCATE TABLE of one partition, then of the whole table', async () => {
    // No files are added: the commit goes from the new snapshot to the switch.
    const points = ['commit.snapshot-written', 'commit.files-renamed'];
    const partition: Write = {
      table: 'a',
      sql: 'TRUNCATE TABLE a PARTITION (p = 8)',
      after: 'SELECT count(*), sum(v) FROM a WHERE p <> 8',
    };
    for (const point of points) await killAt(partition, point, 'before');
    await killAt(partition, 'commit.switched', 'after');
    const all: Write = {
      table: 'a',
      sql: 'TRUNCATE TABLE a',
      after: 'SELECT count(*), sum(v) FROM a WHERE false',
    };
    for (const point of points) await killAt(all, point, 'before');
    await killAt(all, 'commit.file-deleted@500', 'after');
  });

  it('CREATE OR REPLACE TABLE … AS SELECT', async () => {
    const replace = (n: number): Write => ({
      table: 'r',
      sql: `CREATE OR REPLACE TABLE r USING parquet PARTITIONED BY (q) AS SELECT id AS v, id % 4 AS q FROM range(0, ${n})`,
      after: `SELECT count(*), sum(id) FROM range(0, ${n})`,
    });
    for (const point of BEFORE_SWITCH) await killAt(replace(100), point, 'before');
    await killAt(replace(101), 'commit.switched', 'after');
    await killAt(replace(102), 'commit.file-deleted', 'after');
  });

  it('CREATE TABLE … AS SELECT, and DROP TABLE', async () => {
    const create: Write = {
      table: 'c',
      sql: 'CREATE TABLE c USING parquet PARTITIONED BY (q) AS SELECT id AS v, id % 5 AS q FROM range(0, 50)',
      after: 'SELECT count(*), sum(id) FROM range(0, 50)',
    };
    // Each kill before the switch leaves no table, and the next CREATE of the name goes ahead.
    for (const point of BEFORE_SWITCH) await killAt(create, point, 'before');
    await killAt(create, 'commit.switched', 'after');
    await killAt({ table: 'c', sql: 'DROP TABLE c', after: null }, 'drop.unregistered', 'after');
    await killAt({ table: 'd', sql: 'DROP TABLE d', after: null }, 'drop.unregistered', 'after');
    await killAt(create, 'commit.switched', 'after');
    await h.finish();
    expect(h.kills).toBe(33);
    expect(h.outcomes).toEqual({ before: 20, after: 13 });
  });
});
