/**
 * The DAG scheduler against in-process fake executors with injected failures: lost executors,
 * lost map outputs (fetch failures), task errors — answers stay right, only lost work reruns.
 */
import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { batchRows, type DataType, type Schema } from '../common/index.ts';
import { createFunctionRegistry } from '../functions/index.ts';
import {
  ExchangeExec,
  RangeExec,
  UnionExec,
  columnExpr,
  createPhysicalPlanner,
  defaultEvalContext,
  type ExecutionPlan,
  type PhysicalPlanner,
} from '../physical/index.ts';
import { fromWireBatch, toWireBatch } from './arrow-transfer.ts';
import { ShuffleStore } from './exchange/shuffle-store.ts';
import type { Executor, ExecutorPool, RunningTask, TaskEvents } from './executor.ts';
import { MemoryBudget, createBudget, UNLIMITED } from './memory/memory-budget.ts';
import { QueryRun } from './query-run.ts';
import { cutStages } from './stages.ts';
import { TaskCache, runTask, type ExecutorServices } from './task-runner.ts';
import { TaskScheduler } from './task-scheduler.ts';
import type { ExecutorId, TaskDescription } from './task.ts';

const functions = createFunctionRegistry();

class FakeExecutor implements Executor {
  readonly id: ExecutorId;
  readonly slots = 1;
  readonly store = new ShuffleStore();
  readonly launched: TaskDescription[] = [];
  /** Stages released (`releaseStage`), in order. */
  readonly releasedStages: number[] = [];
  dead = false;
  private readonly cache = new TaskCache();
  private readonly running = new Set<{ abort: AbortController; events: TaskEvents }>();
  private readonly pool: FakePool;

  constructor(id: ExecutorId, pool: FakePool) {
    this.id = id;
    this.pool = pool;
  }

  launch(task: TaskDescription, schema: Schema, events: TaskEvents): RunningTask {
    this.launched.push(task);
    const job = { abort: new AbortController(), events };
    this.running.add(job);
    this.pool.beforeLaunch?.(this, task);
    const services: ExecutorServices = {
      executorId: this.id,
      functions,
      store: this.store,
      fetch: (executorId, queryId, stageId, map, bucket) => {
        const other = this.pool.byId(executorId);
        const found =
          other === undefined || other.dead ? undefined : other.store.get(queryId, stageId, map, bucket);
        return found === undefined ? Promise.reject(new Error('gone')) : Promise.resolve(found);
      },
    };
    const sink = async (batch: arrow.RecordBatch): Promise<void> => {
      await this.pool.sinkGate?.(task);
      if (this.dead) return;
      events.batch(fromWireBatch(schema, toWireBatch(batch)), () => undefined);
      this.pool.afterBatch?.(this, task);
    };
    void (async () => {
      await Promise.resolve();
      if (this.dead) return;
      const outcome = await runTask(task, services, this.cache, job.abort.signal, sink);
      if (!this.running.delete(job) || this.dead) return;
      if (outcome.ok) {
        events.finished(outcome.metrics);
        this.pool.afterFinish?.(this, task);
      } else events.failed(outcome.failure);
    })();
    return { cancel: () => job.abort.abort() };
  }

  releaseQuery(queryId: string): void {
    this.store.releaseQuery(queryId);
    this.cache.releaseQuery(queryId);
  }

  releaseStage(queryId: string, stageId: number): void {
    this.releasedStages.push(stageId);
    this.store.releaseStage(queryId, stageId);
    this.cache.releaseStage(queryId, stageId);
  }

  kill(): void {
    this.dead = true;
    for (const job of [...this.running]) {
      this.running.delete(job);
      job.events.failed({
        kind: 'lost',
        executorId: this.id,
        error: { sqlstate: 'XX000', message: `executor ${this.id} was lost` },
      });
    }
    this.pool.lost(this);
  }
}

class FakePool implements ExecutorPool {
  readonly all: FakeExecutor[];
  beforeLaunch?: (executor: FakeExecutor, task: TaskDescription) => void;
  /** A result task's batches wait for the promise returned before they are sent. */
  sinkGate?: (task: TaskDescription) => Promise<void> | undefined;
  /** Called as a task has finished (its end reported). */
  afterFinish?: (executor: FakeExecutor, task: TaskDescription) => void;
  /** Called as a result task has sent a batch (before the caller can read it). */
  afterBatch?: (executor: FakeExecutor, task: TaskDescription) => void;
  private readonly lostListeners: ((id: ExecutorId, reason: string) => void)[] = [];

  constructor(n: number) {
    this.all = Array.from({ length: n }, (_, i) => new FakeExecutor(`fake-${i}`, this));
  }
  executors(): readonly Executor[] {
    return this.all.filter((e) => !e.dead);
  }
  byId(id: ExecutorId): FakeExecutor | undefined {
    return this.all.find((e) => e.id === id);
  }
  lost(e: FakeExecutor): void {
    for (const l of this.lostListeners) l(e.id, 'killed');
  }
  onExecutorLost(listener: (id: ExecutorId, reason: string) => void): void {
    this.lostListeners.push(listener);
  }
  onExecutorAdded(): void {}
  close(): Promise<void> {
    return Promise.resolve();
  }
}

/** `SELECT id % 10 AS k, count(*) FROM range(0, 40000, 1, 4) GROUP BY k` planned for 2 shuffle partitions. */
/** A logical plan, typed through the planner (exec may not import the plan layer). */
type LogicalPlan = Parameters<PhysicalPlanner['plan']>[0];

function groupedRange(): ExecutionPlan {
  let id = 1;
  const attr = (name: string, type: DataType) => ({
    id: id++,
    name,
    type,
    nullable: false,
    qualifier: null,
  });
  const idAttr = attr('id', { kind: 'bigint' });
  const k = attr('k', { kind: 'bigint' });
  const n = attr('n', { kind: 'bigint' });
  const range: LogicalPlan = {
    kind: 'Range',
    start: 0n,
    end: 40000n,
    step: 1n,
    numPartitions: 4,
    output: [idAttr],
  };
  const plan: LogicalPlan = {
    kind: 'Aggregate',
    input: range,
    groupBy: [
      {
        expr: {
          kind: 'binary',
          op: '%',
          left: { kind: 'column', attr: idAttr },
          right: { kind: 'literal', value: 10n, type: { kind: 'bigint' } },
          type: { kind: 'bigint' },
          failOnError: true,
        },
        attr: k,
      },
    ],
    aggregates: [
      {
        expr: {
          kind: 'aggregate',
          name: 'count',
          args: [],
          distinct: false,
          filter: null,
          ignoreNulls: false,
          type: { kind: 'bigint' },
          failOnError: true,
        },
        attr: n,
      },
    ],
    groupingSets: null,
    groupingId: null,
  };
  return createPhysicalPlanner({
    functions,
    targetPartitions: 4,
    shufflePartitions: 2,
    maxRecursionDepth: 100,
    broadcastThreshold: -1,
  }).plan(plan);
}

async function run(
  pool: FakePool,
  plan: ExecutionPlan,
  maxTaskFailures = 4,
  memory: { queryLimit: number; spillDir: string } = {
    queryLimit: UNLIMITED,
    spillDir: path.join(os.tmpdir(), 'kindling-query-run-test'),
  },
  queryBudget = createBudget(memory.queryLimit, 'kindling.memory.query_limit'),
): Promise<{ rows: unknown[][]; run: QueryRun }> {
  const q = new QueryRun(new TaskScheduler(pool), cutStages(plan), {
    queryId: 'q1',
    settings: { eval: defaultEvalContext(), batchSize: 4096, spillDir: memory.spillDir },
    queryBudget,
    processBudget: createBudget(UNLIMITED, 'kindling.memory.limit'),
    signal: new AbortController().signal,
    maxTaskFailures,
    instrument: false,
  });
  const rows: unknown[][] = [];
  const types = plan.schema.fields.map((f) => f.type);
  for await (const b of q.run()) rows.push(...batchRows(b, types));
  rows.sort((a, b) => Number(a[0]) - Number(b[0]));
  return { rows, run: q };
}

const EXPECTED = Array.from({ length: 10 }, (_, k) => [BigInt(k), 4000n]);

describe('QueryRun (DAG scheduler)', () => {
  it('runs a map stage and a reduce stage on two executors', async () => {
    const pool = new FakePool(2);
    const { rows, run: q } = await run(pool, groupedRange());
    expect(rows).toEqual(EXPECTED);
    const [map, reduce] = q.stats;
    expect(map!.launched).toBe(4);
    expect(reduce!.launched).toBe(2);
    expect(pool.all.every((e) => e.launched.length > 0)).toBe(true);
  });

  it('recomputes only the map outputs an executor lost after its stage finished', async () => {
    const pool = new FakePool(2);
    let killed: FakeExecutor | null = null;
    pool.beforeLaunch = (executor, task) => {
      // As the first reduce task starts, the other executor dies with its map outputs.
      if (killed === null && task.stageId === 2) {
        killed = pool.all.find((e) => e !== executor)!;
        queueMicrotask(() => killed!.kill());
      }
    };
    const { rows, run: q } = await run(pool, groupedRange());
    expect(rows).toEqual(EXPECTED);
    const lostMaps = killed!.launched.filter((t) => t.stageId === 1).length;
    expect(lostMaps).toBeGreaterThan(0);
    // The four map tasks, plus again exactly those whose output died.
    expect(q.stats[0]!.launched).toBe(4 + lostMaps);
  });

  it('runs a task again elsewhere when its executor dies while it runs', async () => {
    const pool = new FakePool(2);
    let done = false;
    pool.beforeLaunch = (executor, task) => {
      if (!done && task.stageId === 1 && task.partition === 1) {
        done = true;
        queueMicrotask(() => executor.kill());
      }
    };
    const { rows, run: q } = await run(pool, groupedRange());
    expect(rows).toEqual(EXPECTED);
    expect(q.stats[0]!.launched).toBeGreaterThan(4);
  });

  it('runs a result task again when its executor dies after it sent rows the caller has not read', async () => {
    const pool = new FakePool(2);
    let killed = false;
    pool.afterBatch = (executor, task) => {
      if (killed || task.stageId !== 2) return;
      killed = true;
      executor.kill();
    };
    const { rows, run: q } = await run(pool, groupedRange());
    expect(killed).toBe(true);
    // Exactly the right rows: the dead task's unread batch was dropped, not delivered twice.
    expect(rows).toEqual(EXPECTED);
    expect(q.stats[1]!.launched).toBeGreaterThan(2);
  });

  it('an exchange reached twice is one stage, read by both consumers', async () => {
    const schema: Schema = { fields: [{ name: 'id', type: { kind: 'bigint' }, nullable: false }] };
    const range = new RangeExec({ schema, start: 0n, end: 1000n, step: 1n, partitions: 3 });
    const shuffle = new ExchangeExec({ input: range, kind: 'hash', keys: [columnExpr(schema, 0)], count: 2 });
    const plan = new UnionExec({ inputs: [shuffle, shuffle] });
    const cut = cutStages(plan);
    expect(cut.stages.map((s) => s.id)).toEqual([1, 2]);
    expect(cut.result.parents).toEqual([1]);
    const { rows, run: q } = await run(new FakePool(2), plan);
    expect(rows.length).toBe(2000);
    expect(new Set(rows.map((r) => r[0])).size).toBe(1000);
    // The map stage ran once: three tasks, not six.
    expect(q.stats[0]!.launched).toBe(3);
  });

  it('reads map outputs written to disk, recomputes one whose file is gone, and removes the files', async () => {
    const spillDir = mkdtempSync(path.join(os.tmpdir(), 'kindling-query-run-spill-'));
    try {
      const schema: Schema = { fields: [{ name: 'id', type: { kind: 'bigint' }, nullable: false }] };
      const range = new RangeExec({ schema, start: 0n, end: 200000n, step: 1n, partitions: 3 });
      const plan = new ExchangeExec({ input: range, kind: 'hash', keys: [columnExpr(schema, 0)], count: 2 });
      const pool = new FakePool(2);
      const seen: string[] = [];
      let removed = '';
      pool.beforeLaunch = (_executor, task) => {
        // As the first reduce task starts, one map task's file disappears.
        if (task.stageId !== 2 || removed !== '') return;
        seen.push(...readdirSync(spillDir));
        removed = path.join(
          spillDir,
          seen.find((f) => f.endsWith('.shuffle'))!,
        );
        rmSync(removed);
      };
      // 1.6 MB of ids under a 256 KiB budget: every map task writes most of its output to disk.
      const { rows, run: q } = await run(pool, plan, 4, { queryLimit: 256 << 10, spillDir });
      expect(seen.filter((f) => f.endsWith('.shuffle'))).toHaveLength(3);
      expect(rows.map((r) => r[0])).toEqual(Array.from({ length: 200000 }, (_, i) => BigInt(i)));
      // The lost output's map task ran again.
      expect(q.stats[0]!.launched).toBe(4);
      // Released with the query: no file is left.
      expect(readdirSync(spillDir)).toEqual([]);
    } finally {
      rmSync(spillDir, { recursive: true, force: true });
    }
  });

  /**
   * Three stages: a range hashed by id (stage 1), re-hashed by id % 7 (stage 2), read by the
   * result stage (3). 200000 ids: 1.6 MB through each exchange.
   */
  function threeStages(): ExecutionPlan {
    const schema: Schema = { fields: [{ name: 'id', type: { kind: 'bigint' }, nullable: false }] };
    const range = new RangeExec({ schema, start: 0n, end: 200000n, step: 1n, partitions: 3 });
    const first = new ExchangeExec({ input: range, kind: 'hash', keys: [columnExpr(schema, 0)], count: 2 });
    return new ExchangeExec({ input: first, kind: 'round_robin', keys: [], count: 2 });
  }
  const IDS = Array.from({ length: 200000 }, (_, i) => BigInt(i));

  it("releases a stage's outputs once the stages reading them are complete, before the query ends", async () => {
    const pool = new FakePool(2);
    const seenAtResult: { stage1: number; stage2: number; budget: number }[] = [];
    const budget = createBudget(64 << 20, 'kindling.memory.query_limit');
    pool.beforeLaunch = (_executor, task) => {
      if (task.stageId !== 3) return;
      // As each result task starts: stage 1 is gone from every executor, stage 2 is there.
      const held = (stageId: number): number =>
        pool.all.reduce(
          (n, e) => n + [0, 1, 2].filter((m) => e.store.output('q1', stageId, m) !== undefined).length,
          0,
        );
      seenAtResult.push({ stage1: held(1), stage2: held(2), budget: new MemoryBudget(budget).used });
    };
    const { rows, run: q } = await run(pool, threeStages(), 4, undefined, budget);
    expect(rows.map((r) => r[0])).toEqual(IDS);
    expect(seenAtResult).toHaveLength(2);
    for (const seen of seenAtResult) {
      expect(seen.stage1).toBe(0);
      expect(seen.stage2).toBe(2);
      // Only stage 2's outputs are charged (1.6 MB and a little), not stage 1's as well.
      expect(seen.budget).toBeGreaterThan(1_000_000);
      expect(seen.budget).toBeLessThan(2_500_000);
    }
    // Stage 1 released once on every executor; stage 2 only with the query.
    for (const e of pool.all) expect(e.releasedStages).toEqual([1]);
    expect(q.stats.map((s) => s.releases)).toEqual([1, 0, 0]);
    expect(new MemoryBudget(budget).used).toBe(0);
  });

  it('recomputes a released stage from lineage when a rerun of its reader needs it', async () => {
    const pool = new FakePool(2);
    let killed: FakeExecutor | null = null;
    pool.beforeLaunch = (executor, task) => {
      // As the first result task starts (stage 1 released), the other executor dies with its
      // stage 2 outputs: rerunning them needs stage 1 again.
      if (killed === null && task.stageId === 3) {
        killed = pool.all.find((e) => e !== executor)!;
        queueMicrotask(() => killed!.kill());
      }
    };
    const { rows, run: q } = await run(pool, threeStages());
    expect(rows.map((r) => r[0])).toEqual(IDS);
    const [stage1, stage2] = q.stats;
    const lost = killed!.launched.filter((t) => t.stageId === 2).length;
    expect(lost).toBeGreaterThan(0);
    // Stage 1 ran again whole (its outputs were released), stage 2 only where it was lost.
    expect(stage1!.launched).toBe(6);
    expect(stage2!.launched).toBe(2 + lost);
    // Released again once stage 2 was complete again.
    expect(stage1!.releases).toBe(2);
  });

  it('runs every reader of a round-robin stage again when part of it is made again', async () => {
    const pool = new FakePool(2);
    let open = (): void => undefined;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // Result task 0 sends nothing until the scene is set, so the caller has no rows yet.
    pool.sinkGate = (task) => (task.stageId === 3 && task.partition === 0 ? gate : undefined);
    let killed: FakeExecutor | null = null;
    let readerOfPartition0: FakeExecutor | null = null;
    pool.beforeLaunch = (executor, task) => {
      if (task.stageId === 3 && task.partition === 0 && readerOfPartition0 === null) {
        readerOfPartition0 = executor;
      }
    };
    pool.afterFinish = (_executor, task) => {
      if (task.stageId !== 3 || task.partition !== 1 || killed !== null) return;
      // Result task 1 is done (its rows wait for the caller, who is still at partition 0); the
      // executor running task 0 dies with the stage 2 output it held.
      killed = readerOfPartition0!;
      expect(killed.store.output('q1', 2, 0) ?? killed.store.output('q1', 2, 1)).toBeDefined();
      killed.kill();
      open();
    };
    const { rows, run: q } = await run(pool, threeStages());
    expect(killed).not.toBeNull();
    expect(rows.map((r) => r[0])).toEqual(IDS);
    // Stage 2 deals rows round-robin after an exchange: its new attempt may deal them otherwise,
    // so result task 1, which had finished, ran again too (its rows unread were dropped).
    expect(q.stats[2]!.tasks.filter((t) => t.rows > 0).length).toBe(3);
  });

  it('fails the query once a task has failed maxTaskFailures times', async () => {
    const pool = new FakePool(3);
    pool.beforeLaunch = (executor, task) => {
      if (task.stageId === 1 && task.partition === 0) queueMicrotask(() => executor.kill());
    };
    const err = await run(pool, groupedRange(), 2).catch((e: unknown) => e);
    expect((err as Error).message).toMatch(/task 0 of stage 1 failed 2 times/);
  });
});
