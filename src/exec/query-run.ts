/**
 * The DAG scheduler of one query: runs its stages on the engine's executors in dependency order
 * (independent stages at once), streams the result stage's batches to the caller, and recovers
 * from lost work by lineage.
 *
 *   stage 1 ─┐
 *            ├─► stage 3 (result) ─► batches
 *   stage 2 ─┘
 *
 * - A stage starts when every stage it reads has output for all its map partitions; all its
 *   missing partitions are submitted to the task scheduler at once.
 * - A map task's output stays on the executor that ran it; the stage records where.
 * - A task failure of kind `error` fails the query: every other task is cancelled, and the error
 *   reaches the caller once they have stopped (`SETTLE_MS` at most; a cancellation at once). A `lost` task (its executor died) runs again
 *   elsewhere, at most `maxTaskFailures` times per partition (a result task only if the caller has
 *   not read any of its rows yet: what it sent and was not read is dropped). A `fetch` failure marks the map output it could not read as lost; the map task runs
 *   again (and, transitively, whatever it needs), then the failed task.
 * - An executor's loss marks every output it held as lost; stages still reading them recompute
 *   only those partitions.
 * - A map stage's outputs are released on every executor as soon as every stage reading them is
 *   complete (`releaseDoneStages`), so their memory returns to the query's budget while later
 *   stages run; should a reader need them again (its own outputs lost), they are recomputed from
 *   lineage like lost ones.
 * - The result comes partition after partition, in order (as Spark's collect): a later
 *   partition's task sends a few batches and waits, lending its slot, until the caller reaches
 *   it; a batch is acknowledged when the caller pulls it, so a slow client holds back only the
 *   tasks producing its rows.
 * - Cancelling (the signal, or the caller stopping early) cancels every running task, drops
 *   waiting ones and releases what the executors hold for the query.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState } from '../common/index.ts';
import { exprSpec } from '../physical/index.ts';
import type { BudgetHandle } from './memory/memory-budget.ts';
import { encodePlan } from './plan-codec.ts';
import { preferredExecutor, type MapOutputsRead } from './locality.ts';
import type { Stage, StagePlan } from './stages.ts';
import { errorFromData, type TaskFailure } from './task-failure.ts';
import type { PendingTask, TaskScheduler } from './task-scheduler.ts';
import type { ExecutorId, TaskDescription, TaskMetrics, TaskOutput, TaskSettings } from './task.ts';

/** How long a failed query waits for its cancelled tasks to stop before it reports the error. */
const SETTLE_MS = 1000;

export interface QueryRunOptions {
  readonly queryId: string;
  readonly settings: TaskSettings;
  readonly queryBudget: BudgetHandle;
  readonly processBudget: BudgetHandle;
  readonly signal: AbortSignal;
  /** Attempts per task partition before the query fails (`spark.task.maxFailures`). */
  readonly maxTaskFailures: number;
  /** Measure every operator of every task (EXPLAIN ANALYZE). */
  readonly instrument: boolean;
  /**
   * Called each time a map stage has output for all its partitions (again after a recomputation),
   * with where each partition's output is, before the stages reading it start.
   */
  readonly onStageCompleted?: (stats: StageRunStats, locations: readonly (ExecutorId | null)[]) => void;
}

/** What a stage did, for EXPLAIN ANALYZE and tests. */
export interface StageRunStats {
  readonly stageId: number;
  readonly stage: Stage;
  readonly partitions: number;
  /** Metrics of every successful task attempt. */
  readonly tasks: TaskMetrics[];
  /** Task attempts started (retries and recomputations included). */
  launched: number;
  /**
   * Times a map stage's outputs were released while the query ran, every stage reading them being
   * complete (more than once if they were recomputed for a rerun and released again).
   */
  releases: number;
}

interface StageState {
  readonly stage: Stage;
  readonly children: number[];
  fragment: Uint8Array | null;
  readonly output: TaskOutput;
  /** Map stages: where each partition's output is (null = not computed, or lost). */
  readonly locations: (ExecutorId | null)[];
  /** Map stages: the bytes of each partition's output buckets, once it has run. */
  readonly bucketBytes: (readonly number[] | null)[];
  /** Result stage: partitions finished, and those whose rows the caller has begun to read. */
  readonly finished: Set<number>;
  readonly delivered: Set<number>;
  readonly running: Map<number, PendingTask>;
  readonly failures: number[];
  /** Map stages: the partitions whose output readers may have read (a finished attempt). */
  readonly produced: Set<number>;
  readonly stats: StageRunStats;
  /** A map stage whose outputs were released (its locations are all null); false once it runs again. */
  released: boolean;
}

interface Queued {
  readonly batch: arrow.RecordBatch;
  readonly ack: () => void;
}

export class QueryRun {
  private readonly scheduler: TaskScheduler;
  private readonly options: QueryRunOptions;
  private readonly states = new Map<number, StageState>();
  private readonly result: StageState;
  /** Result batches waiting for the caller, per result partition; `current` is being read. */
  private readonly queues: Queued[][];
  private current = 0;
  private failure: EngineError | null = null;
  private ended = false;
  private released = false;
  private wake: (() => void) | null = null;

  constructor(scheduler: TaskScheduler, plan: StagePlan, options: QueryRunOptions) {
    this.scheduler = scheduler;
    this.options = options;
    for (const stage of plan.stages) {
      const output: TaskOutput =
        stage.output.kind === 'result'
          ? { kind: 'result' }
          : {
              kind: 'exchange',
              exchange: stage.output.exchange,
              keys: stage.output.keys.map(exprSpec),
              buckets: stage.output.buckets,
            };
      this.states.set(stage.id, {
        stage,
        children: [],
        fragment: null,
        output,
        locations: new Array<ExecutorId | null>(stage.partitions).fill(null),
        bucketBytes: new Array<readonly number[] | null>(stage.partitions).fill(null),
        finished: new Set(),
        delivered: new Set(),
        running: new Map(),
        failures: new Array<number>(stage.partitions).fill(0),
        stats: {
          stageId: stage.id,
          stage,
          partitions: stage.partitions,
          tasks: [],
          launched: 0,
          releases: 0,
        },
        released: false,
        produced: new Set(),
      });
    }
    for (const stage of plan.stages)
      for (const p of stage.parents) this.states.get(p)!.children.push(stage.id);
    this.result = this.states.get(plan.result.id)!;
    this.queues = Array.from({ length: plan.result.partitions }, () => []);
  }

  /** Per-stage statistics, filled in as tasks finish. */
  get stats(): readonly StageRunStats[] {
    return [...this.states.values()].map((s) => s.stats);
  }

  /** Runs the query; the batches of the result stage, as its tasks produce them. */
  async *run(): AsyncGenerator<arrow.RecordBatch> {
    const { signal } = this.options;
    const onAbort = (): void =>
      this.fail(new EngineError(SqlState.queryCanceled, 'canceling statement due to user request'));
    if (signal.aborted) onAbort();
    signal.addEventListener('abort', onAbort);
    const stopListening = this.scheduler.onExecutorLost((id) => this.executorLost(id));
    try {
      for (const s of this.states.values()) if (this.parentsReady(s)) this.launchMissing(s);
      for (;;) {
        if (this.failure !== null) {
          // Report a task's error once the query's other tasks have stopped (a write's clean-up
          // must not race a task still writing), SETTLE_MS at most; a cancellation at once.
          if (this.failure.sqlstate !== SqlState.queryCanceled) await this.untilSettled(SETTLE_MS);
          throw this.failure;
        }
        const queue = this.queues[this.current];
        if (queue === undefined) return;
        const next = queue.shift();
        if (next !== undefined) {
          next.ack();
          this.result.delivered.add(this.current);
          yield next.batch;
          continue;
        }
        if (this.result.finished.has(this.current)) {
          this.current++;
          continue;
        }
        await new Promise<void>((resolve) => (this.wake = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      stopListening();
      this.finish();
    }
  }

  /** Waits until no task of the query runs, `ms` at most. */
  private async untilSettled(ms: number): Promise<void> {
    const deadline = performance.now() + ms;
    while (this.anyRunning() && performance.now() < deadline) {
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, 20);
      });
    }
  }

  private anyRunning(): boolean {
    for (const s of this.states.values()) if (s.running.size > 0) return true;
    return false;
  }

  private notify(): void {
    const w = this.wake;
    this.wake = null;
    w?.();
  }

  private complete(s: StageState): boolean {
    return s.output.kind === 'result'
      ? s.finished.size === s.stage.partitions
      : s.locations.every((l) => l !== null);
  }

  private parentsReady(s: StageState): boolean {
    return s.stage.parents.every((p) => this.complete(this.states.get(p)!));
  }

  /** Submits every partition of `s` that has no output and is not running. */
  private launchMissing(s: StageState): void {
    if (this.failure !== null || this.ended) return;
    for (let p = 0; p < s.stage.partitions; p++) {
      const has = s.output.kind === 'result' ? s.finished.has(p) : s.locations[p] !== null;
      if (!has && !s.running.has(p)) this.submit(s, p);
    }
  }

  /** Makes sure `s` will be able to run: recomputes missing outputs of the stages it reads. */
  private ensureInputs(s: StageState): void {
    for (const id of s.stage.parents) {
      const parent = this.states.get(id)!;
      if (this.complete(parent)) continue;
      if (this.parentsReady(parent)) this.launchMissing(parent);
      else this.ensureInputs(parent);
    }
  }

  /**
   * A stage whose output can differ from one attempt to the next: one that deals rows round-robin
   * after reading an exchange (the rows arrive in whatever order the fetches complete).
   */
  private indeterminate(s: StageState): boolean {
    return s.output.kind === 'exchange' && s.output.exchange === 'round_robin' && s.stage.parents.length > 0;
  }

  /**
   * Before an indeterminate stage makes a partition again that readers may have read, everything
   * after it is made again too, whole: a new attempt may deal its rows to other buckets, so a
   * reader mixing the two attempts would lose or repeat rows. What the caller has already read
   * cannot be taken back: then the query fails.
   */
  private rollBackReaders(s: StageState): void {
    for (const id of s.children) {
      const child = this.states.get(id)!;
      if (child.stats.launched === 0) continue;
      for (const [p, t] of child.running) {
        t.cancelled = true;
        if (t.running === undefined) child.running.delete(p);
        else t.running.cancel();
      }
      child.running.clear();
      if (child.output.kind === 'result') {
        if (child.delivered.size > 0) {
          this.fail(
            new EngineError(
              SqlState.systemError,
              `stage ${s.stage.id}, whose output can differ between attempts, lost part of it after the query had returned rows; run the query again`,
            ),
          );
          return;
        }
        child.finished.clear();
        for (const q of this.queues) for (const b of q.splice(0)) b.ack();
        this.current = 0;
      } else {
        child.locations.fill(null);
        child.produced.clear();
        this.rollBackReaders(child);
      }
    }
  }

  private submit(s: StageState, partition: number): void {
    if (s.produced.has(partition) && this.indeterminate(s)) {
      s.produced.delete(partition);
      this.rollBackReaders(s);
      if (this.failure !== null) return;
    }
    s.fragment ??= encodePlan(s.stage.plan);
    const fragment = s.fragment;
    const o = this.options;
    const attempt = s.stats.launched++;
    // Running again after a release (a reader lost its outputs and reruns): tracked anew.
    s.released = false;
    const task: PendingTask = {
      queryId: o.queryId,
      schema: s.stage.plan.schema,
      preferred: this.preferredExecutor(s, partition),
      describe: (): TaskDescription => ({
        queryId: o.queryId,
        stageId: s.stage.id,
        partition,
        attempt,
        fragment,
        output: s.output,
        inputs: s.stage.parents.map((id) => ({
          stageId: id,
          locations: this.states.get(id)!.locations.map((l) => l ?? ''),
        })),
        settings: o.settings,
        queryBudget: o.queryBudget,
        processBudget: o.processBudget,
        instrument: o.instrument,
      }),
      events: {
        batch: (batch, ack) => this.onBatch(s, partition, batch, ack),
        parked: () => undefined,
        finished: (metrics) => this.onFinished(s, partition, task, metrics),
        failed: (failure) => this.onFailed(s, partition, task, failure),
      },
    };
    s.running.set(partition, task);
    this.scheduler.submit(task);
  }

  /** The executor holding most of what partition `partition` of `s` reads (broadcasts aside). */
  private preferredExecutor(s: StageState, partition: number): ExecutorId | null {
    const inputs: MapOutputsRead[] = [];
    for (const id of s.stage.parents) {
      const parent = this.states.get(id)!;
      if (parent.output.kind === 'exchange' && parent.output.exchange === 'broadcast') continue;
      inputs.push(parent);
    }
    return inputs.length === 0 ? null : preferredExecutor(inputs, partition);
  }

  private onBatch(s: StageState, partition: number, batch: arrow.RecordBatch, ack: () => void): void {
    if (this.ended || this.failure !== null) {
      ack();
      return;
    }
    this.queues[partition]!.push({ batch, ack });
    if (partition === this.current) this.notify();
  }

  private onFinished(s: StageState, partition: number, task: PendingTask, metrics: TaskMetrics): void {
    if (s.running.get(partition) !== task) return;
    s.running.delete(partition);
    if (this.ended) {
      this.releaseIfSettled();
      return;
    }
    if (this.failure !== null) this.notify();
    s.stats.tasks.push(metrics);
    if (s.output.kind === 'result') {
      s.finished.add(partition);
      if (partition === this.current) this.notify();
      return;
    }
    s.locations[partition] = task.executorId ?? null;
    s.bucketBytes[partition] = metrics.exchange?.bucketBytes ?? null;
    s.produced.add(partition);
    if (!this.complete(s)) return;
    this.options.onStageCompleted?.(s.stats, s.locations);
    this.releaseDoneStages(s);
    for (const id of s.children) {
      const child = this.states.get(id)!;
      if (this.parentsReady(child)) this.launchMissing(child);
    }
  }

  /**
   * Releases the outputs of the stages that `s` reads, now that `s` is complete, if every other
   * stage reading them is complete too. `s` being the result stage, this is the query's end, which
   * releases everything anyway.
   *
   * Why this is safe: a stage's outputs are read only by the tasks of the stages that read it.
   * Once all of those are complete (every partition has its output, no task of theirs runs), no
   * task reads them — unless a reader has to run again because one of its own outputs is lost
   * (its executor died, or a fetch of it failed). Then the reader's `retry`/`ensureInputs` finds
   * this stage incomplete (a release nulls its locations, as a loss does) and runs its map tasks
   * again first — recursively through stages released before it, down to the scans — exactly the
   * recovery of lost outputs. So a release never costs an answer; at worst, after an executor's
   * loss, work that Spark would keep on disk is recomputed. A released stage that nobody needs is
   * not recomputed: `executorLost` skips it.
   *
   * Holding outputs until every reader is done (rather than until the query ends) means a
   * multi-stage query holds at most the outputs of the stages whose readers still run: an early
   * stage's memory goes back to the query's budget for the stages after it.
   */
  private releaseDoneStages(s: StageState): void {
    if (s.output.kind === 'result') return;
    for (const id of s.stage.parents) {
      const parent = this.states.get(id)!;
      if (parent.released || !this.readersDone(parent)) continue;
      parent.released = true;
      parent.stats.releases++;
      parent.locations.fill(null);
      for (const e of this.scheduler.executors()) e.releaseStage(this.options.queryId, id);
    }
  }

  private onFailed(s: StageState, partition: number, task: PendingTask, failure: TaskFailure): void {
    if (s.running.get(partition) !== task) return;
    s.running.delete(partition);
    if (this.ended) this.releaseIfSettled();
    if (this.failure !== null) this.notify();
    if (this.failure !== null || this.ended) return;
    switch (failure.kind) {
      case 'error':
        this.fail(errorFromData(failure.error));
        return;
      case 'fetch': {
        const parent = this.states.get(failure.stageId);
        if (parent !== undefined && parent.locations[failure.mapPartition] === failure.executorId) {
          parent.locations[failure.mapPartition] = null;
        }
        this.retry(s, partition, failure);
        return;
      }
      case 'lost':
        this.retry(s, partition, failure);
        return;
    }
  }

  private retry(s: StageState, partition: number, failure: TaskFailure): void {
    s.failures[partition]!++;
    const error = errorFromData(failure.error);
    if (s.failures[partition]! >= this.options.maxTaskFailures) {
      this.fail(
        new EngineError(
          error.sqlstate,
          `task ${partition} of stage ${s.stage.id} failed ${s.failures[partition]} times; the last failure: ${error.message}`,
        ),
      );
      return;
    }
    if (s.output.kind === 'result') {
      // Rows the caller has not seen yet are dropped and made again; rows it has seen cannot be
      // taken back.
      if (!s.delivered.has(partition)) for (const b of this.queues[partition]!.splice(0)) b.ack();
    }
    if (s.output.kind === 'result' && s.delivered.has(partition)) {
      this.fail(
        new EngineError(
          error.sqlstate,
          `the query lost part of its result after sending rows: ${error.message}`,
        ),
      );
      return;
    }
    if (this.parentsReady(s)) this.submit(s, partition);
    else this.ensureInputs(s);
  }

  /**
   * Whether no task will read `s`'s outputs any more: every stage reading it is complete with no
   * task running, or released itself (its outputs gone, none of its tasks running). Never true of
   * the result stage, nor of a stage whose readers have yet to run.
   */
  private readersDone(s: StageState): boolean {
    if (s.output.kind === 'result') return false;
    return s.children.every((c) => {
      const reader = this.states.get(c)!;
      return reader.released || (reader.running.size === 0 && this.complete(reader));
    });
  }

  private executorLost(id: ExecutorId): void {
    if (this.ended || this.failure !== null) return;
    for (const s of this.states.values()) {
      for (let p = 0; p < s.locations.length; p++) if (s.locations[p] === id) s.locations[p] = null;
    }
    // Stages that are under way and now lack inputs recompute just the lost partitions. A stage
    // that no reader needs any more (released, or its readers all done) waits for nothing: it runs
    // again only if a reader's rerun needs it.
    for (const s of this.states.values()) {
      if (s.released || this.readersDone(s)) continue;
      const underWay = s.running.size > 0 || (s.output.kind === 'result' ? s.finished.size > 0 : false);
      const waitingOnInputs = !this.complete(s) && s.stage.parents.some((p) => this.isStarted(p));
      if ((underWay || waitingOnInputs) && !this.parentsReady(s)) this.ensureInputs(s);
    }
  }

  private isStarted(stageId: number): boolean {
    const s = this.states.get(stageId)!;
    return s.stats.launched > 0;
  }

  private fail(error: EngineError): void {
    if (this.failure !== null || this.ended) return;
    this.failure = error;
    this.cancelAll();
    this.notify();
  }

  private cancelAll(): void {
    this.scheduler.dropQuery(this.options.queryId);
    for (const s of this.states.values()) {
      for (const [p, t] of s.running) {
        t.cancelled = true;
        // A task still waiting for a slot never runs; one that runs reports its end.
        if (t.running === undefined) s.running.delete(p);
        else t.running.cancel();
      }
    }
  }

  /** The caller is done (all rows read, an error, or it stopped early): stop and release everything. */
  private finish(): void {
    if (this.ended) return;
    this.ended = true;
    this.cancelAll();
    for (const q of this.queues) for (const b of q.splice(0)) b.ack();
    this.releaseIfSettled();
  }

  /**
   * Once no task of the query runs any more, tells every executor to drop what it holds for it
   * (a task still running could otherwise store an output after the release).
   */
  private releaseIfSettled(): void {
    if (this.released) return;
    for (const s of this.states.values()) if (s.running.size > 0) return;
    this.released = true;
    for (const e of this.scheduler.executors()) e.releaseQuery(this.options.queryId);
  }
}
