/**
 * A task: one partition of one stage of one query, as plain data — what an executor (a worker
 * thread today, another process later) needs to run it and nothing it could not receive.
 *
 *   { queryId, stageId, partition, attempt,
 *     fragment: bytes of the stage's plan (plan-codec.ts),
 *     output:   'result' (batches to the driver) | buckets of an exchange (kept by the executor),
 *     inputs:   per stage read, where each map task's output lives,
 *     settings: the query's evaluation context and batch size,
 *     memory:   the query's and the process's budgets }
 */
import type { EvalContext } from '../functions/index.ts';
import type { ExchangeKind, ExprSpec } from '../physical/index.ts';
import type { BudgetHandle } from './memory/memory-budget.ts';
import type { OperatorMetrics } from './metrics.ts';

/** Identifies an executor (`thread-3`, later `host:port/7`). */
export type ExecutorId = string;

export type TaskOutput =
  | { readonly kind: 'result' }
  | {
      readonly kind: 'exchange';
      readonly exchange: ExchangeKind;
      readonly keys: readonly ExprSpec[];
      readonly buckets: number;
    };

/** Where the map outputs of one earlier stage are: `locations[m]` holds map task m's buckets. */
export interface TaskInput {
  readonly stageId: number;
  readonly locations: readonly ExecutorId[];
}

export interface TaskSettings {
  readonly eval: EvalContext;
  readonly batchSize: number;
  /** The engine's spill folder (under `kindling.local.dir`). */
  readonly spillDir: string;
}

export interface TaskDescription {
  readonly queryId: string;
  readonly stageId: number;
  readonly partition: number;
  readonly attempt: number;
  /** The stage's plan, encoded; the same bytes for every task of the stage. */
  readonly fragment: Uint8Array;
  readonly output: TaskOutput;
  readonly inputs: readonly TaskInput[];
  readonly settings: TaskSettings;
  readonly queryBudget: BudgetHandle;
  readonly processBudget: BudgetHandle;
  /** Measure every operator (EXPLAIN ANALYZE). */
  readonly instrument: boolean;
}

/** `q7/s3/p2#1`: how tasks are named in logs and errors. */
export function taskName(t: Pick<TaskDescription, 'queryId' | 'stageId' | 'partition' | 'attempt'>): string {
  return `${t.queryId}/s${t.stageId}/p${t.partition}#${t.attempt}`;
}

/** What a finished task reports besides its output. */
export interface TaskMetrics {
  readonly rows: number;
  readonly batches: number;
  readonly elapsedMs: number;
  readonly cpuMs: number;
  readonly peakMemory: number;
  /**
   * A map task: its exchange output's bytes kept in memory, and written to disk (in how many
   * files, and passes: 1 when it wrote a file — the output is written once, never read back to
   * be rewritten).
   */
  readonly exchange?: {
    readonly memoryBytes: number;
    readonly spilledBytes: number;
    readonly spillFiles: number;
    readonly spillPasses: number;
    /** Bytes of each bucket (in memory or on disk), for the locality of the tasks reading them. */
    readonly bucketBytes: readonly number[];
  };
  /**
   * Broadcast map outputs the task read from the object store (an executor process's copy of
   * them, got once per query) instead of from the executor holding them.
   */
  readonly broadcastObjectReads?: number;
  /** Per operator of the stage's plan, in preorder, when the task was instrumented. */
  readonly operators?: readonly OperatorMetrics[];
}
