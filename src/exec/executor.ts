/**
 * The executor contract: what the scheduler needs of a place that runs tasks. Worker threads
 * implement it today (executors/thread-pool.ts); executor processes on other hosts will implement
 * the same contract over the network.
 *
 * An executor runs the tasks it is given (at most `slots` at a time is the scheduler's business),
 * keeps the exchange outputs its map tasks wrote until the driver releases their stage or query, serves
 * them to other executors' tasks, and reports each task's end exactly once: finished with its
 * metrics, or failed with a `TaskFailure`. A result task streams its batches to the driver through
 * `events.batch`, at most a few ahead of the driver's `ack`s.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../common/index.ts';
import type { TaskFailure } from './task-failure.ts';
import type { ExecutorId, TaskDescription, TaskMetrics } from './task.ts';

export interface TaskEvents {
  /** A batch of a result task; call `ack` once it is consumed, so the task may send more. */
  batch(batch: arrow.RecordBatch, ack: () => void): void;
  /**
   * The result task has sent all the batches it may before an `ack` and waits, using no CPU
   * (true), or goes on (false). The scheduler lends its slot to another task meanwhile.
   */
  parked(parked: boolean): void;
  finished(metrics: TaskMetrics): void;
  failed(failure: TaskFailure): void;
}

export interface RunningTask {
  /** Stops the task; it then reports `failed` (or `finished`, had it just ended). */
  cancel(): void;
}

export interface Executor {
  readonly id: ExecutorId;
  /** Tasks it should run at once (its cores). */
  readonly slots: number;
  /** Starts a task; `schema` is the schema of its output batches (result tasks). */
  launch(task: TaskDescription, schema: Schema, events: TaskEvents): RunningTask;
  /** Drops everything the executor holds for a query (exchange outputs, decoded plans, caches). */
  releaseQuery(queryId: string): void;
  /**
   * Drops what it holds of one stage of a query: the stage's map outputs (their memory goes back to
   * the budgets, their files are removed) and mirrors of other executors' outputs of it, and its
   * decoded plan. The driver sends it once no task will read those outputs; should a rerun need
   * them after all, the driver runs the stage's map tasks again and they store new outputs.
   */
  releaseStage(queryId: string, stageId: number): void;
}

/**
 * A set of executors that can change: the local thread pool replaces a thread that dies; a cluster
 * manager adds and loses executor processes.
 */
export interface ExecutorPool {
  executors(): readonly Executor[];
  /** Called when an executor is gone (its running tasks have already been failed as `lost`). */
  onExecutorLost(listener: (id: ExecutorId, reason: string) => void): void;
  /** Called when an executor joins (or a lost one is replaced). */
  onExecutorAdded(listener: (executor: Executor) => void): void;
  close(): Promise<void>;
}
