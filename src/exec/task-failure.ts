/**
 * Why a task failed, as plain data that crosses threads and processes intact — the scheduler's
 * recovery depends on the kind, never on an error message:
 * - `error`: the query's own error (bad data, ANSI arithmetic, out of memory): the query fails;
 * - `fetch`: an input could not be read because the executor holding it is gone or no longer has
 *   it: the map task that produced it runs again, then this task;
 * - `lost`: the executor running the task died: the task runs again elsewhere.
 */
import { EngineError, SqlState } from '../common/index.ts';
import type { ExecutorId } from './task.ts';

export type TaskFailure =
  | { readonly kind: 'error'; readonly error: ErrorData }
  | {
      readonly kind: 'fetch';
      readonly stageId: number;
      readonly mapPartition: number;
      readonly executorId: ExecutorId;
      readonly error: ErrorData;
    }
  | { readonly kind: 'lost'; readonly executorId: ExecutorId; readonly error: ErrorData };

/** An EngineError as plain data. */
export interface ErrorData {
  readonly sqlstate: string;
  readonly message: string;
  readonly hint?: string;
  readonly detail?: string;
}

export function errorData(e: EngineError): ErrorData {
  return {
    sqlstate: e.sqlstate,
    message: e.message,
    ...(e.hint === undefined ? {} : { hint: e.hint }),
    ...(e.detail === undefined ? {} : { detail: e.detail }),
  };
}

export function errorFromData(d: ErrorData): EngineError {
  return new EngineError(d.sqlstate, d.message, {
    ...(d.hint === undefined ? {} : { hint: d.hint }),
    ...(d.detail === undefined ? {} : { detail: d.detail }),
  });
}

/**
 * Thrown inside a task when an exchange input cannot be read. It is an EngineError (so every
 * error path handles it) that the task runner recognises by class and reports as `fetch`.
 */
export class FetchFailedError extends EngineError {
  readonly stageId: number;
  readonly mapPartition: number;
  readonly executorId: ExecutorId;

  constructor(stageId: number, mapPartition: number, executorId: ExecutorId, why: string) {
    super(
      SqlState.ioError,
      `could not read the output of stage ${stageId}, map task ${mapPartition}, from executor ${executorId}: ${why}`,
    );
    this.stageId = stageId;
    this.mapPartition = mapPartition;
    this.executorId = executorId;
  }
}
