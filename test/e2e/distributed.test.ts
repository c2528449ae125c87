/**
 * Executor processes (`kindling.master = process[3]`): a driver, a NATS server it starts, three
 * `kindling executor` processes. The same queries give the same answers as worker threads through
 * every kind of exchange; a query's own error keeps its SQLSTATE across the process boundary; an
 * executor killed with SIGKILL in the middle of a stage costs a rerun, never a wrong answer, and
 * the cluster manager replaces it. A broadcast's build side goes through the object store. And a driver whose master is `nats://` runs its tasks on an
 * executor started by hand (`kindling executor --master nats://…`).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as arrow from 'apache-arrow';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ExecutionEngine, type StageCompleted } from '../../src/exec/index.ts';
import { hasNatsServer, startNatsServer } from '../../src/exec/remote/nats/nats-server-process.ts';
import { Engine, EngineError, type Session } from '../../src/index.ts';
import { EXCHANGE_QUERIES, LINEITEM, LINEITEM_DATA as DATA } from './exchange-queries.ts';

const PARTITIONED = {
  'kindling.execution.target_partitions': '3',
  'spark.sql.shuffle.partitions': '4',
  'kindling.execution.inline_tiny_queries': 'false',
};

describe.skipIf(!hasNatsServer())('executor processes: process[3]', () => {
  let dir = '';
  let execution: ExecutionEngine;
  let remote: Session;
  let local: Session;
  const engines: Engine[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'kindling-distributed-'));
    execution = new ExecutionEngine({
      master: { kind: 'process', executors: 3 },
      localDir: join(dir, 'local'),
      memoryLimit: 3 * 2 ** 30,
    });
    await execution.start();
    const warehouse = join(dir, 'warehouse');
    const localEngine = new Engine({ warehouse, executorThreads: 2, allowedPaths: [warehouse, DATA] });
    engines.push(localEngine);
    local = localEngine.createSession({ settings: PARTITIONED });
    await local.sql(LINEITEM);
    const remoteEngine = new Engine({ warehouse, execution, allowedPaths: [warehouse, DATA] });
    engines.push(remoteEngine);
    remote = remoteEngine.createSession({ settings: PARTITIONED });
  });

  afterAll(async () => {
    for (const e of engines) await e.close();
    await execution?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('give the same answers as worker threads, through every kind of exchange', async () => {
    const queries = [
      ...EXCHANGE_QUERIES,
      // every row back to the driver, many batches
      'SELECT l_orderkey, l_linenumber, l_comment FROM lineitem ORDER BY l_orderkey, l_linenumber',
    ];
    for (const q of queries) {
      const a = await remote.sql(q);
      const b = await local.sql(q);
      expect(a.rows, q).toEqual(b.rows);
      expect(a.rows.length, q).toBeGreaterThan(0);
    }
  });

  it("report a task's own error with its SQLSTATE", async () => {
    const err = await remote.sql('SELECT sum(l_quantity / (l_linenumber - l_linenumber)) FROM lineitem').then(
      () => null,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).sqlstate).toBe('22012');
  });

  it('cache a table whose partitions the executors encode and put in the object store, never the driver', async () => {
    // Every Arrow IPC stream this process (the driver) writes while caching and reading the cache.
    const encoded = vi.spyOn(arrow.RecordBatchStreamWriter.prototype, 'write');
    try {
      await remote.sql(
        'CACHE TABLE lineitem_cached AS SELECT l_orderkey, l_linenumber, l_quantity, l_comment FROM lineitem',
      );
      const q = (table: string): string =>
        `SELECT count(*), sum(l_quantity), count(DISTINCT l_orderkey, l_linenumber), max(l_comment) FROM ${table}`;
      const cached = await remote.sql(q('lineitem_cached'));
      expect(cached.rows).toEqual((await local.sql(q('lineitem'))).rows);
      const plan = (await remote.sql(`EXPLAIN ${q('lineitem_cached')}`)).rows
        .map((r) => r[0] as string)
        .join('\n');
      expect(plan).toContain('InMemoryTableScan');
      expect(encoded).not.toHaveBeenCalled();
    } finally {
      encoded.mockRestore();
      await remote.sql('UNCACHE TABLE IF EXISTS lineitem_cached');
    }
  });

  it('finish a query whose executor is killed mid-stage, and replace the executor', async () => {
    const query =
      'SET spark.sql.autoBroadcastJoinThreshold = -1; SELECT a.l_returnflag, count(*), sum(b.l_quantity) FROM lineitem a JOIN lineitem b ON a.l_orderkey = b.l_orderkey GROUP BY a.l_returnflag ORDER BY 1';
    const expected = (await local.sql(query)).rows;
    const processes = execution.cluster!.processes!;
    const before = processes.ids();
    const running = remote.sql(query);
    await new Promise((r) => setTimeout(r, 300));
    expect(processes.kill(before[1]!)).toBe(true);
    expect((await running).rows).toEqual(expected);
    // The manager starts a new executor in its place.
    const pool = execution.cluster!.pool;
    const replaced = (): boolean =>
      pool.executors().length === 3 && !pool.executors().some((e) => e.id === before[1]);
    for (let i = 0; i < 400 && !replaced(); i++) await new Promise((r) => setTimeout(r, 50));
    expect(replaced()).toBe(true);
    expect(processes.ids()).not.toContain(before[1]);
    expect((await remote.sql(query)).rows).toEqual(expected);
  });

  it("read a broadcast's build side from the object store, not from the executor holding it", async () => {
    const query =
      'SET spark.sql.autoBroadcastJoinThreshold = 10MB; SELECT a.l_returnflag, count(*), sum(a.l_quantity) FROM lineitem a ' +
      'JOIN (SELECT DISTINCT l_suppkey AS s FROM lineitem WHERE l_suppkey < 10) b ON a.l_suppkey = b.s GROUP BY 1 ORDER BY 1';
    const expected = (await local.sql(query)).rows;
    const completed: StageCompleted[] = [];
    const stop = execution.onStageCompleted((event) => completed.push(event));
    try {
      expect((await remote.sql(query)).rows).toEqual(expected);
    } finally {
      stop();
    }
    // The last completion of each (the stage and where its outputs are once the query is done).
    const broadcast = completed.findLast(
      (c) => c.stats.stage.output.kind === 'exchange' && c.stats.stage.output.exchange === 'broadcast',
    )!;
    expect(broadcast).toBeDefined();
    const join = completed.findLast((c) => c.stats.stage.parents.includes(broadcast.stats.stageId))!;
    expect(join).toBeDefined();
    const placement = JSON.stringify({
      broadcast: broadcast.locations,
      join: join.locations,
      launched: [broadcast.stats.launched, join.stats.launched],
    });
    expect(broadcast.stats.launched, placement).toBe(broadcast.stats.partitions);
    expect(join.stats.launched, placement).toBe(join.stats.partitions);
    // Each executor running the join reads each broadcast output held elsewhere from the object
    // store, once per query (the build side is built once per query and executor).
    const holders = broadcast.locations;
    const readers = new Set(join.locations);
    const elsewhere = [...readers].reduce((n, e) => n + holders.filter((h) => h !== e).length, 0);
    expect(elsewhere, placement).toBeGreaterThan(0);
    const reads = join.stats.tasks.reduce((n, t) => n + (t.broadcastObjectReads ?? 0), 0);
    expect(reads, placement).toBe(elsewhere);
  });

  it('recompute only the map outputs of an executor killed right after their stage finished', async () => {
    const query =
      'SELECT l_returnflag, l_linestatus, count(*), sum(l_quantity), avg(l_discount) FROM lineitem GROUP BY 1, 2 ORDER BY 1, 2';
    const expected = (await local.sql(query)).rows;
    const processes = execution.cluster!.processes!;
    let first: StageCompleted | null = null;
    let victim: string | null = null;
    const stop = execution.onStageCompleted((event) => {
      if (first !== null) return;
      first = event;
      victim = event.locations.find((l) => l !== null) ?? null;
      if (victim !== null) processes.kill(victim);
    });
    try {
      expect((await remote.sql(query)).rows).toEqual(expected);
    } finally {
      stop();
    }
    const stage: StageCompleted = first!;
    const lost = stage.locations.filter((l) => l === victim).length;
    expect(lost).toBeGreaterThan(0);
    // Every map task once, and again only those whose output died with the executor.
    expect(stage.stats.launched).toBe(stage.stats.partitions + lost);
  });
});

describe.skipIf(!hasNatsServer())('executors started by hand: nats://', () => {
  it('join a driver on the same NATS server and run its tasks', async () => {
    const nats = await startNatsServer();
    const dir = mkdtempSync(join(tmpdir(), 'kindling-nats-master-'));
    const cli = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
    // As an operator would start one on another host (cluster id `kindling`, the default).
    const executor = spawn(
      process.execPath,
      [
        cli,
        'executor',
        '--master',
        nats.url,
        '--cores',
        '2',
        '--memory',
        '1g',
        '--local-dir',
        join(dir, 'executor'),
      ],
      { stdio: 'ignore' },
    );
    const execution = new ExecutionEngine({
      master: { kind: 'nats', servers: nats.url },
      localDir: join(dir, 'driver'),
    });
    try {
      await execution.start();
      const pool = execution.cluster!.pool;
      for (let i = 0; i < 400 && pool.size === 0; i++) await new Promise((r) => setTimeout(r, 50));
      expect(pool.executors().map((e) => e.slots)).toEqual([2]);
      const warehouse = join(dir, 'warehouse');
      const engine = new Engine({ warehouse, execution, allowedPaths: [warehouse] });
      const s = engine.createSession({ settings: PARTITIONED });
      const rows = (
        await s.sql('SELECT id % 3 AS k, count(*) FROM range(0, 30000, 1, 2) GROUP BY 1 ORDER BY 1')
      ).rows;
      expect(rows).toEqual([
        [0n, 10000n],
        [1n, 10000n],
        [2n, 10000n],
      ]);
    } finally {
      await execution.close();
      executor.kill('SIGTERM');
      await new Promise((r) => executor.once('exit', r));
      await nats.stop();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
