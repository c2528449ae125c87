/**
 * One statement's run: the abort signal its operators see (`TaskContext.signal`), aborted when the
 * caller's signal aborts or when `statement_timeout` passes, and the one place that turns either into
 * the statement's error (SQLSTATE 57014 with PostgreSQL's texts).
 *
 *   caller's signal (CancelRequest, closed socket, a program) ──┐
 *                                                                ├─► run.signal ─► operators, workers
 *   statement_timeout clock (start … last row read) ────────────┘    reason: EngineError 57014
 *
 * Once aborted, whatever error surfaces from the statement (an operator's own 57014, an error of a
 * worker torn down mid-batch) is replaced by the abort's reason, so the caller reads why it stopped.
 * A pull of rows that is still pending when the abort comes fails at once; the abandoned pull is
 * closed when it settles. Rows that end without an error after an abort are cut short, and fail too.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, toEngineError } from '../common/index.ts';
import type { StatementControl, StatementResult } from './types.ts';

type RowsResult = Extract<StatementResult, { kind: 'rows' }>;

/** PostgreSQL's error for a cancelled statement. */
export function statementCanceled(why: 'user request' | 'statement timeout'): EngineError {
  return new EngineError(SqlState.queryCanceled, `canceling statement due to ${why}`);
}

export class StatementRun implements StatementControl {
  private readonly controller = new AbortController();
  private readonly outer: AbortSignal | undefined;
  private readonly timeoutMs: number;
  private readonly onDone: (run: StatementRun) => void;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private done = false;
  private readonly onOuterAbort = (): void => this.abort(statementCanceled('user request'));

  /**
   * Starts the clock (`timeoutMs` 0 = none) and follows `outer`. `onDone` hears `finish`, once.
   */
  constructor(timeoutMs: number, outer: AbortSignal | undefined, onDone: (run: StatementRun) => void) {
    this.timeoutMs = timeoutMs;
    this.outer = outer;
    this.onDone = onDone;
    if (outer?.aborted === true) this.onOuterAbort();
    else outer?.addEventListener('abort', this.onOuterAbort, { once: true });
    this.resume();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  throwIfAborted(): void {
    if (this.signal.aborted) throw this.signal.reason as EngineError;
  }

  /** Aborts the statement; the first reason wins. */
  abort(reason: EngineError): void {
    this.stopClock();
    if (!this.signal.aborted) this.controller.abort(reason);
  }

  pause(): void {
    this.stopClock();
  }

  resume(): void {
    this.stopClock();
    if (this.done || this.signal.aborted || this.timeoutMs <= 0) return;
    this.timer = setTimeout(() => this.abort(statementCanceled('statement timeout')), this.timeoutMs);
    // A statement that is running holds the process by its own work; the clock alone never does.
    this.timer.unref();
  }

  /** The statement completed, failed or was abandoned: stops the clock, lets go of the caller's signal. */
  finish(): void {
    if (this.done) return;
    this.done = true;
    this.stopClock();
    this.outer?.removeEventListener('abort', this.onOuterAbort);
    this.onDone(this);
  }

  /** The error the statement fails with, given the error that surfaced. */
  error(err: unknown): EngineError {
    return this.signal.aborted ? (this.signal.reason as EngineError) : toEngineError(err);
  }

  /** `result` with its batches read under this run: the run finishes when they end, fail or are closed. */
  rows(result: RowsResult): RowsResult {
    return { ...result, batches: this.guard(result.batches), control: this };
  }

  private stopClock(): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private guard(batches: AsyncIterable<arrow.RecordBatch>): AsyncIterable<arrow.RecordBatch> {
    // eslint-disable-next-line @typescript-eslint/no-this-alias -- the iterator's methods have their own `this`
    const run = this;
    return {
      [Symbol.asyncIterator](): AsyncIterator<arrow.RecordBatch> {
        const inner = batches[Symbol.asyncIterator]();
        const close = async (): Promise<void> => {
          try {
            await inner.return?.();
          } catch {
            // The statement is over; its clean-up error has nobody to go to.
          }
        };
        return {
          async next(): Promise<IteratorResult<arrow.RecordBatch>> {
            try {
              run.throwIfAborted();
              const next = await run.race(inner.next());
              if (next.done === true) {
                // A stream that ends quietly once aborted is cut short, not complete.
                run.throwIfAborted();
                run.finish();
              }
              return next;
            } catch (err) {
              const e = run.error(err);
              run.finish();
              // Not awaited: a pull abandoned by an abort closes when it settles.
              void close();
              throw e;
            }
          },
          async return(): Promise<IteratorResult<arrow.RecordBatch>> {
            run.finish();
            await close();
            return { done: true, value: undefined };
          },
        };
      },
    };
  }

  /** `work`, or a rejection with the abort's reason as soon as the statement is aborted. */
  private race<T>(work: Promise<T>): Promise<T> {
    return untilAborted(work, this.signal);
  }
}

/**
 * `work`, or a rejection as soon as `signal` aborts: with its reason when that is an EngineError
 * (a statement's cancel or timeout), else 57014.
 */
export function untilAborted<T>(work: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return work;
  const reason = (): EngineError => {
    const r: unknown = signal.reason;
    return r instanceof EngineError ? r : statementCanceled('user request');
  };
  if (signal.aborted) return Promise.reject(reason());
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(reason());
    signal.addEventListener('abort', onAbort, { once: true });
    void work.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}
