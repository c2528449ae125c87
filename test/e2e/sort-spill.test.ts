/**
 * Spill for sort, end to end through the Engine: a sort far larger than its query's memory budget
 * finishes by spilling sorted runs to `kindling.local.dir` and merging them, with exactly the rows
 * (and, for equal keys, the order) of the same sort without a budget; EXPLAIN ANALYZE shows what
 * it spilled; no spill file outlives its query, whether it succeeds, fails or is cancelled; and
 * the spill folders of dead processes are removed when an engine starts.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, type Session } from '../../src/index.ts';
import { failure, filesUnder } from './spill-support.ts';

const dirs: string[] = [];
const engines: Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kindling-sort-spill-'));
  dirs.push(d);
  return d;
}

async function session(localDir: string): Promise<Session> {
  const e = new Engine({ warehouse: tempDir(), executorThreads: 2, localDir });
  engines.push(e);
  const s = e.createSession();
  // One partition: the sort is the result stage's, so no exchange holds its output; on the
  // executor threads, however small the range.
  await s.sql('SET kindling.execution.target_partitions = 1');
  await s.sql('SET kindling.execution.inline_tiny_queries = false');
  return s;
}

// NULLs in both keys, many ties (k, t, g repeat), strings, DESC and ASC: `id` tells the rows of
// equal keys apart, so the answer also checks that the external sort is stable.
const ROWS = `SELECT id,
    CASE WHEN id % 11 = 0 THEN NULL ELSE (id * 7919) % 1000 END AS k,
    CASE WHEN id % 13 = 0 THEN NULL ELSE concat('s', CAST((id * 31) % 577 AS STRING)) END AS t,
    id % 3 AS g
  FROM range(0, 150000)`;
const SORT = `${ROWS} ORDER BY k DESC NULLS FIRST, t ASC NULLS LAST, g`;

describe('sort over its memory budget', () => {
  it('spills sorted runs and merges them into exactly the unlimited answer, leaving no file', async () => {
    const local = tempDir();
    const s = await session(local);
    const want = (await s.sql(SORT)).rows;
    expect(want).toHaveLength(150000);
    await s.sql("SET kindling.memory.query_limit = '2MB'");
    expect((await s.sql(SORT)).rows).toEqual(want);
    expect(filesUnder(local)).toEqual([]);
    // The same in the session's thread (a range this short is a tiny query there).
    await s.sql('SET kindling.execution.inline_tiny_queries = true');
    expect((await s.sql(SORT)).rows).toEqual(want);
    expect(filesUnder(local)).toEqual([]);
    await s.sql('SET kindling.execution.inline_tiny_queries = false');

    const plan = (await s.sql(`EXPLAIN ANALYZE ${SORT}`)).rows.map((r) => r[0] as string);
    const sort = plan.find((l) => l.trimStart().startsWith('SortExec:'));
    expect(sort).toMatch(/\(rows=150000, .*spilled=[\d.]+ [KM]iB in \d+ files, \d+ pass(es)?\)/);
    const [, files, passes] = /in (\d+) files, (\d+) pass/.exec(sort!)!.map(Number);
    expect(files).toBeGreaterThanOrEqual(2);
    // The final merge, and before it a merge of the first runs for each run file too many to read
    // at once (each such merge writes a file).
    expect(passes).toBeGreaterThanOrEqual(1);
    expect(passes).toBeLessThanOrEqual(files!);
    expect(plan[1]).toMatch(/peak memory [\d.]+ (KiB|MiB)/);
    expect(filesUnder(local)).toEqual([]);

    // A top-K sort stays in memory and spills nothing.
    const top = (await s.sql(`EXPLAIN ANALYZE ${SORT} LIMIT 5`)).rows.map((r) => r[0] as string);
    expect(top.join('\n')).toMatch(/SortExec: .*fetch=5/);
    expect(top.join('\n')).not.toMatch(/spilled=/);
    expect((await s.sql(`${SORT} LIMIT 5`)).rows).toEqual(want.slice(0, 5));
  });

  it('removes its spill files when the query fails or is cancelled', async () => {
    const local = tempDir();
    const s = await session(local);
    await s.sql("SET kindling.memory.query_limit = '4MB'");
    // The division fails on the last row, after the sort has spilled runs of the others.
    const err = await failure(() =>
      s.sql(`SELECT id, 10 DIV (id - 399999) AS q FROM range(0, 400000) ORDER BY id % 1000, id DESC`),
    );
    expect(err.sqlstate).toBe('22012');
    expect(filesUnder(local)).toEqual([]);

    await s.sql("SET statement_timeout = '1500ms'");
    let seen = 0;
    const watch = setInterval(() => {
      seen = Math.max(seen, filesUnder(local).length);
    }, 10);
    const canceled = await failure(() =>
      s.sql(`SELECT id, id % 1000 AS k FROM range(0, 50000000) ORDER BY k, id DESC`),
    );
    clearInterval(watch);
    expect(canceled.sqlstate).toBe('57014');
    expect(seen).toBeGreaterThan(0);
    // The statement fails at once; its task stops at its next check of the signal and removes
    // its files then.
    for (let i = 0; i < 100 && filesUnder(local).length > 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(filesUnder(local)).toEqual([]);
    await s.sql('RESET statement_timeout');
    expect((await s.sql('SELECT count(*) FROM range(0, 10)')).rows).toEqual([[10n]]);
  });

  it('without room for a single batch still fails with 53200', async () => {
    const s = await session(tempDir());
    await s.sql("SET kindling.memory.query_limit = '64KB'");
    const err = await failure(() => s.sql(SORT));
    expect(err.sqlstate).toBe('53200');
    expect(err.message).toMatch(/SortExec/);
  });
});

describe('spill folders', () => {
  it("of processes that are gone are removed when an engine starts; a live process's stay", () => {
    const local = tempDir();
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    const dead = join(local, `kindling-spill-${gone}-0a1b2c`);
    const live = join(local, `kindling-spill-${process.pid}-3d4e5f`);
    const other = join(local, 'not-ours');
    for (const d of [dead, live, other]) {
      mkdirSync(d);
      writeFileSync(join(d, 'x.arrows.zst'), 'x');
    }
    engines.push(new Engine({ warehouse: tempDir(), executorThreads: 0, localDir: local }));
    expect(readdirSync(local).sort()).toEqual([live, other].map((d) => d.slice(local.length + 1)).sort());
  });
});
