/**
 * One writer per table at a time, within an engine: CREATE TABLE … AS SELECT, INSERT and DROP TABLE
 * of one table run one after another, in arrival order, so two writes never interleave (two
 * INSERT OVERWRITEs would each delete the files the other's listing missed and leave both
 * results). A statement cancelled while it waits stops waiting with its own error.
 */
import { EngineError, SqlState } from '../common/index.ts';

export class TableLocks {
  /** The tail of each table's queue: settles when the last queued writer is done. */
  private readonly tails = new Map<string, Promise<void>>();

  /** Runs `write` once every earlier writer of `table` (`db.name`) has finished. */
  async run<T>(table: string, signal: AbortSignal | undefined, write: () => Promise<T>): Promise<T> {
    const key = table.toLowerCase();
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    try {
      await waitUnlessAborted(before, signal);
      return await write();
    } finally {
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}

function waitUnlessAborted(p: Promise<void>, signal: AbortSignal | undefined): Promise<void> {
  if (signal === undefined) return p;
  if (signal.aborted) return Promise.reject(reasonOf(signal));
  return new Promise((resolve, reject) => {
    const onAbort = (): void => reject(reasonOf(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    void p.then(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    });
  });
}

function reasonOf(signal: AbortSignal): EngineError {
  const r: unknown = signal.reason;
  return r instanceof EngineError
    ? r
    : new EngineError(SqlState.queryCanceled, 'canceling statement due to user request');
}
