import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine, EngineError } from '../../src/index.ts';
import { EXCHANGE_QUERIES, LINEITEM, LINEITEM_DATA } from './exchange-queries.ts';

const DATA = LINEITEM_DATA;
const dirs: string[] = [];
const engines: Engine[] = [];
afterAll(async () => {
  for (const e of engines) await e.close();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kindling-executors-'));
  dirs.push(d);
  return d;
}

function engine(warehouse: string, executorThreads: number): Engine {
  const e = new Engine({ warehouse, executorThreads, allowedPaths: [warehouse, DATA] });
  engines.push(e);
  return e;
}

async function failure(run: () => Promise<unknown>): Promise<EngineError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the query to fail');
}

describe('executor threads', () => {
  it('give the same answers as running in the calling thread, through every kind of exchange', async () => {
    const dir = tempDir();
    const pooled = engine(dir, 2).createSession();
    const inline = engine(dir, 0).createSession();
    await pooled.sql(LINEITEM);
    for (const s of [pooled, inline]) {
      await s.sql('SET kindling.execution.target_partitions = 3');
      await s.sql('SET spark.sql.shuffle.partitions = 4');
    }
    const queries = EXCHANGE_QUERIES;
    for (const q of queries) {
      const a = await pooled.sql(q);
      const b = await inline.sql(q);
      expect(a.rows, q).toEqual(b.rows);
      expect(a.rows.length, q).toBeGreaterThan(0);
    }
    const explain = await pooled.sql(`EXPLAIN ${queries[0]}`);
    const text = explain.rows.map((r) => r[0] as string).join('\n');
    expect(text).toContain('ShuffleExchangeExec: hash([l_returnflag@0], 4)');
    expect(text).toContain('GatherExec: merge=');
  });

  it('stop early under LIMIT and keep serving', async () => {
    const s = engine(tempDir(), 2).createSession();
    await s.sql(LINEITEM);
    await s.sql('SET kindling.execution.target_partitions = 3');
    const limited = await s.sql('SELECT l_orderkey FROM lineitem LIMIT 5');
    expect(limited.rows).toHaveLength(5);
    const again = await s.sql('SELECT count(*) FROM lineitem');
    expect(again.rows).toEqual([[60175n]]);
  });

  it('report an error raised in a task with its SQLSTATE and message, as the calling thread does', async () => {
    const dir = tempDir();
    const file = join(dir, 'bad.csv');
    writeFileSync(
      file,
      Array.from({ length: 20000 }, (_, i) => (i === 15000 ? 'x,y' : `${i},${i}`)).join('\n'),
    );
    const pooled = engine(dir, 2).createSession();
    const inline = engine(dir, 0).createSession();
    await pooled.sql(`CREATE TABLE t (a INT, b INT) USING csv OPTIONS (mode 'FAILFAST') LOCATION '${file}'`);
    const remote = await failure(() => pooled.sql('SELECT sum(a) FROM t'));
    const local = await failure(() => inline.sql('SELECT sum(a) FROM t'));
    expect(local.sqlstate).toMatch(/^22/);
    expect(remote.sqlstate).toBe(local.sqlstate);
    expect(remote.message).toBe(local.message);
    const divide = await failure(() => pooled.sql('SELECT sum(1 / (id - 1500000)) FROM range(0, 2000000)'));
    expect(divide.sqlstate).toBe('22012');
  });
});

describe('EXPLAIN ANALYZE', () => {
  it('runs the query and prints each stage with its tasks and each operator with its rows', async () => {
    const s = engine(tempDir(), 2).createSession();
    await s.sql(LINEITEM);
    await s.sql('SET kindling.execution.target_partitions = 3');
    await s.sql('SET spark.sql.shuffle.partitions = 2');
    const { rows, columns } = await s.sql(
      'EXPLAIN ANALYZE SELECT l_returnflag, count(*) FROM lineitem GROUP BY l_returnflag ORDER BY 1',
    );
    expect(columns).toEqual(['plan']);
    const text = rows.map((r) => r[0] as string);
    expect(text[0]).toBe('== Physical Plan (analyzed) ==');
    expect(text[1]).toMatch(/^Query: 3 rows in [\d.]+ m?s, 3 stages, \d+ tasks, peak memory /);
    expect(text).toContainEqual(expect.stringMatching(/^Stage 3 \(result\): 1 task, task time min /));
    expect(text).toContainEqual(
      expect.stringMatching(/^Stage 1 \(→ ShuffleExchangeExec: hash\(\[l_returnflag@0\], 2\)\): \d tasks?, /),
    );
    // Every lineitem row is scanned once, and the final aggregate makes the three groups.
    expect(text).toContainEqual(
      expect.stringMatching(/^ {4}TableScanExec: .*\(rows=60175, batches=\d+, time=/),
    );
    expect(text).toContainEqual(expect.stringMatching(/HashAggregateExec: mode=final.*\(rows=3, .*memory=/));
    // A tiny query runs in the session's thread, as one stage.
    const tiny = await s.sql('EXPLAIN ANALYZE SELECT 1');
    expect(tiny.rows[1]![0]).toMatch(/^Query: 1 row in [\d.]+ ms, in the session's thread/);
    // A table's files are read on the executors, however small the table.
    await s.sql('CREATE TABLE one_row USING parquet AS SELECT 1 AS a');
    const small = await s.sql('EXPLAIN ANALYZE SELECT a FROM one_row');
    expect(small.rows[1]![0]).toMatch(/^Query: 1 row in [\d.]+ m?s, 1 stage, 1 task,/);
  });
});

describe('memory budgets', () => {
  it('spill what can spill, refuse what cannot with 53200 naming the operator, and the session goes on', async () => {
    const s = engine(tempDir(), 2).createSession();
    await s.sql("SET kindling.memory.query_limit = '4MB'");
    // The sort and the window over one partition of 3M rows spill.
    expect(
      (
        await s.sql(
          'SELECT max(r) FROM (SELECT row_number() OVER (ORDER BY id DESC) AS r FROM range(0, 3000000))',
        )
      ).rows,
    ).toEqual([[3000000]]);
    // One group's list cannot be split: 53200.
    const collect = await failure(() => s.sql('SELECT size(collect_list(id)) FROM range(0, 5000000)'));
    expect(collect.sqlstate).toBe('53200');
    expect(collect.message).toMatch(/UNABLE_TO_ACQUIRE_MEMORY.*HashAggregateExec/);
    expect(collect.message).toContain('kindling.memory.query_limit');
    expect((await s.sql('SELECT count(*) FROM range(0, 3000000)')).rows).toEqual([[3000000n]]);
    await s.sql("SET kindling.memory.query_limit = '1GB'");
    expect((await s.sql('SELECT size(collect_list(id)) FROM range(0, 2000000)')).rows).toEqual([[2000000]]);
  });

  it('end a thread that outgrows its heap with 53200, never the process, and replace it', async () => {
    const e = new Engine({ warehouse: tempDir(), executorThreads: 1, executorHeapLimitMb: 64 });
    engines.push(e);
    const s = e.createSession();
    const err = await failure(() => s.sql('SELECT size(collect_list(id)) FROM range(0, 50000000)'));
    expect(err.sqlstate).toBe('53200');
    expect(err.message).toMatch(/heap limit/);
    expect((await s.sql('SELECT count(*) FROM range(0, 3000000)')).rows).toEqual([[3000000n]]);
  });
});
