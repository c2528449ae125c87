import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import type { Worker } from 'node:worker_threads';
import { Engine } from './engine.ts';

const warehouse = mkdtempSync(join(tmpdir(), 'kindling-cache-'));
afterAll(() => rmSync(warehouse, { recursive: true, force: true }));

/** Names of the cached relations, least recently read first. */
function cached(engine: Engine): string[] {
  return engine.tableCache.list().map((e) => `${e.name}:${e.state}`);
}

describe('CACHE TABLE under a memory limit', () => {
  it('evicts the least recently read cache, refuses one that cannot fit, and frees on CLEAR CACHE', async () => {
    // 1.2 MB for the process; the tables hold 40k (320 KB), 100k (800 KB) or 200k BIGINTs.
    const engine = new Engine({
      warehouse: join(warehouse, 'a'),
      executorThreads: 1,
      memoryLimit: 1_200_000,
    });
    const s = engine.createSession();
    try {
      await s.sql('CREATE TABLE small1 USING parquet AS SELECT id FROM range(40000)');
      await s.sql('CREATE TABLE small2 USING parquet AS SELECT id FROM range(40000)');
      await s.sql('CREATE TABLE big USING parquet AS SELECT id FROM range(100000)');
      await s.sql('CREATE TABLE huge USING parquet AS SELECT id FROM range(200000)');
      await s.sql('CACHE TABLE small1');
      await s.sql('CACHE TABLE small2');
      expect(cached(engine)).toEqual(['small1:filled', 'small2:filled']);
      // (a finished query's reservations are returned a moment after its last row)
      await vi.waitFor(() => expect(engine.execution.memoryUsed).toBe(engine.tableCache.bytes));
      expect(engine.tableCache.bytes).toBeGreaterThanOrEqual(2 * 320_000);
      // small1 read last: small2 is the one to go
      expect((await s.sql('SELECT sum(id) FROM small1')).rows).toEqual([[799980000n]]);
      await s.sql('CACHE TABLE big');
      expect(cached(engine)).toEqual(['small1:filled', 'big:filled']);
      // Reads of an evicted table still answer, from the files
      expect((await s.sql('SELECT count(*) FROM small2')).rows).toEqual([[40000n]]);
      // More than the whole budget: 53200, and no other cache is dropped for it
      await expect(s.sql('CACHE TABLE huge')).rejects.toMatchObject({
        sqlstate: '53200',
        // stopped while reading, not after gathering the whole table
        message: expect.stringMatching(/outgrow/) as unknown,
      });
      expect(engine.tableCache.peek('default.huge')).toBeUndefined();
      expect(cached(engine)).toEqual(['small1:filled', 'big:filled']);
      await vi.waitFor(() => expect(engine.execution.memoryUsed).toBe(engine.tableCache.bytes));
      // A lazy cache that cannot fit leaves the query reading the files
      await s.sql('CACHE LAZY TABLE huge');
      expect((await s.sql('SELECT count(*) FROM huge')).rows).toEqual([[200000n]]);
      expect(engine.tableCache.peek('default.huge')).toBeUndefined();
      await s.sql('CLEAR CACHE');
      expect(cached(engine)).toEqual([]);
      await vi.waitFor(() => expect(engine.execution.memoryUsed).toBe(0));
    } finally {
      s.close();
      await engine.close();
    }
  });

  it('keeps MEMORY_AND_DISK caches on disk when memory gives way, DISK_ONLY ones on disk alone', async () => {
    const engine = new Engine({
      warehouse: join(warehouse, 'd'),
      executorThreads: 1,
      memoryLimit: 1_200_000,
    });
    const s = engine.createSession();
    const where = async (): Promise<readonly (readonly unknown[])[]> =>
      (await s.sql('SELECT tablename, state, rows FROM kindling_cached_tables')).rows;
    const files = (): string[] =>
      engine.tableCache.list().flatMap((e) => (e.disk === null ? [] : [...e.disk.files]));
    try {
      await s.sql('CREATE TABLE small USING parquet AS SELECT id FROM range(100000)');
      await s.sql('CREATE TABLE huge USING parquet AS SELECT id, id % 7 AS m FROM range(300000)');
      await s.sql("CACHE TABLE small OPTIONS ('storageLevel' 'MEMORY_AND_DISK')");
      expect(await where()).toEqual([['small', 'memory and disk', 100000n]]);
      // Larger than the whole budget: kept on disk, and small's memory stays.
      await s.sql("CACHE TABLE huge OPTIONS ('storageLevel' 'MEMORY_AND_DISK')");
      expect(await where()).toEqual([
        ['small', 'memory and disk', 100000n],
        ['huge', 'disk', 300000n],
      ]);
      expect((await s.sql('SELECT count(*), sum(id), sum(m) FROM huge')).rows).toEqual([
        [300000n, 44999850000n, 899997n],
      ]);
      const plan = (await s.sql('EXPLAIN SELECT id FROM huge')).rows.map((r) => r[0] as string).join('\n');
      expect(plan).toMatch(/InMemoryTableScan: default\.huge/);
      // A memory-only cache that needs small's memory evicts it to disk rather than dropping it.
      await s.sql('CREATE TABLE mid USING parquet AS SELECT id FROM range(100000)');
      await s.sql('CACHE TABLE mid');
      expect(await where()).toEqual([
        ['small', 'disk', 100000n],
        ['huge', 'disk', 300000n],
        ['mid', 'memory', 100000n],
      ]);
      expect((await s.sql('SELECT sum(id) FROM small')).rows).toEqual([[4999950000n]]);
      // DISK_ONLY charges no memory.
      await s.sql("CACHE TABLE mid OPTIONS ('storageLevel' 'DISK_ONLY')");
      await vi.waitFor(() => expect(engine.execution.memoryUsed).toBe(0));
      expect((await s.sql('SELECT max(id) FROM mid')).rows).toEqual([[99999n]]);
      const held = files();
      expect(held.length).toBeGreaterThan(0);
      expect(held.every((f) => existsSync(f))).toBe(true);
      // A write drops its table's files; CLEAR CACHE the rest.
      await s.sql('INSERT INTO huge VALUES (1, 1)');
      expect(engine.tableCache.peek('default.huge')).toBeUndefined();
      expect(held.filter((f) => existsSync(f)).length).toBeGreaterThan(0);
      await s.sql('CLEAR CACHE');
      expect(held.filter((f) => existsSync(f))).toEqual([]);
    } finally {
      s.close();
      await engine.close();
    }
  });

  it('removes the files of a disk cache whose query fails', async () => {
    const engine = new Engine({ warehouse: join(warehouse, 'e'), executorThreads: 0 });
    const s = engine.createSession();
    try {
      await expect(
        s.sql(
          "CACHE TABLE bad OPTIONS ('storageLevel' 'DISK_ONLY') AS SELECT 10 DIV (id - 5000) FROM range(10000)",
        ),
      ).rejects.toMatchObject({ sqlstate: '22012' });
      expect(engine.tableCache.list()).toEqual([]);
      const dir = engine.execution.spillDir;
      expect(existsSync(dir) ? readdirSync(dir) : []).toEqual([]);
    } finally {
      s.close();
      await engine.close();
    }
  });

  it('drops the cached temporary views of a session that closes', async () => {
    const engine = new Engine({ warehouse: join(warehouse, 'b'), executorThreads: 0 });
    const s = engine.createSession();
    const other = engine.createSession();
    await s.sql('CACHE TABLE v AS SELECT id FROM range(10)');
    await other.sql('CACHE TABLE v AS SELECT id FROM range(20)');
    expect((await s.sql('SELECT count(*) FROM v')).rows).toEqual([[10n]]);
    expect((await other.sql('SELECT count(*) FROM v')).rows).toEqual([[20n]]);
    s.close();
    expect(engine.tableCache.list().map((e) => e.key)).toEqual([`#${other.id}.v`]);
    other.close();
    expect(engine.tableCache.list()).toEqual([]);
    await engine.close();
  });

  it('gives the caches to an executor thread that replaces a dead one', async () => {
    const engine = new Engine({ warehouse: join(warehouse, 'c'), executorThreads: 1 });
    const s = engine.createSession();
    try {
      await s.sql('CREATE TABLE t USING parquet AS SELECT id FROM range(1000)');
      await s.sql('CACHE TABLE t');
      // Caching it again as it is keeps the cache it has
      const id = engine.tableCache.peek('default.t')!.cacheId;
      await s.sql('CACHE TABLE t');
      expect(engine.tableCache.peek('default.t')!.cacheId).toBe(id);
      // The pool's one thread ends; the pool starts another.
      const pool = (engine.execution as unknown as { pool: { executors(): { worker: Worker }[] } }).pool;
      const [first] = pool.executors();
      await first!.worker.terminate();
      await vi.waitFor(() => expect(pool.executors().length).toBe(1));
      expect(pool.executors()[0]).not.toBe(first);
      // The new thread reads the cache (a scan without it fails with an internal error).
      const explain = await s.sql('EXPLAIN SELECT sum(id) FROM t');
      expect(explain.rows.map((r) => r[0] as string).join('\n')).toContain('InMemoryTableScan');
      expect((await s.sql('SELECT sum(id) FROM t')).rows).toEqual([[499500n]]);
    } finally {
      s.close();
      await engine.close();
    }
  });
});
