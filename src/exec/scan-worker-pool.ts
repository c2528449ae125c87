/**
 * ScanWorkerPool: reads table-scan partitions on worker threads, so the decoding of Parquet and
 * CSV files runs on other cores while this thread runs the operators above the scan.
 *
 * A scan partition is a job on the least busy worker (threads start on first use and stay for the
 * engine's life). The worker plans the same scan from the table definition and the request, and
 * streams batches back as transferred typed arrays (arrow-transfer.ts), at most `CREDITS` ahead of
 * the consumer. Stopping early or cancelling sends `cancel`; a worker that dies fails its jobs
 * with XX000 and is replaced on next use. Workers are unref'd while idle, so an idle pool never
 * keeps the process alive.
 */
import { Worker } from 'node:worker_threads';
import type * as arrow from 'apache-arrow';
import type { ScanRequest, TableDefinition } from '../catalog/index.ts';
import { EngineError, SqlState, type Schema } from '../common/index.ts';
import type { ScanRunner, TaskContext } from '../physical/index.ts';
import { fromWireBatch } from './arrow-transfer.ts';
import type { FromWorker, ToWorker } from './scan-messages.ts';
import { canceled } from './local-executor.ts';

/** Batches a worker may send ahead of the consumer. */
const CREDITS = 16;

interface JobSink {
  push(message: FromWorker): void;
  fail(error: EngineError): void;
}

interface PoolWorker {
  readonly worker: Worker;
  readonly jobs: Map<number, JobSink>;
  dead: boolean;
}

export class ScanWorkerPool implements ScanRunner {
  readonly size: number;
  private readonly workers: PoolWorker[] = [];
  private nextId = 1;
  private closed = false;

  constructor(size: number) {
    this.size = Math.max(1, size);
  }

  /** Threads started so far (for tests and EXPLAIN ANALYZE-style reporting). */
  get started(): number {
    return this.workers.filter((w) => !w.dead).length;
  }

  run(
    definition: TableDefinition,
    request: ScanRequest,
    partition: number,
    schema: Schema,
    ctx: TaskContext,
  ): AsyncIterable<arrow.RecordBatch> {
    return { [Symbol.asyncIterator]: () => this.open(definition, request, partition, schema, ctx) };
  }

  private open(
    definition: TableDefinition,
    request: ScanRequest,
    partition: number,
    schema: Schema,
    ctx: TaskContext,
  ): AsyncIterator<arrow.RecordBatch> {
    if (this.closed)
      throw new EngineError(SqlState.internalError, 'internal error: the scan worker pool is closed');
    const pw = this.pick();
    const id = this.nextId++;
    const queue: FromWorker[] = [];
    let failure: EngineError | null = null;
    let waiting: (() => void) | null = null;
    let finished = false;
    const wake = (): void => {
      const w = waiting;
      waiting = null;
      w?.();
    };
    pw.jobs.set(id, {
      push(message) {
        queue.push(message);
        wake();
      },
      fail(error) {
        failure = error;
        wake();
      },
    });
    if (pw.jobs.size === 1) pw.worker.ref();
    const finish = (): void => {
      if (finished) return;
      finished = true;
      pw.jobs.delete(id);
      if (pw.jobs.size === 0) pw.worker.unref();
    };
    const onAbort = (): void => wake();
    ctx.signal.addEventListener('abort', onAbort);
    const post = (message: ToWorker): void => {
      if (!pw.dead) pw.worker.postMessage(message);
    };
    post({ type: 'scan', id, definition, request, partition, batchSize: ctx.batchSize, credits: CREDITS });
    const stop = (): void => {
      if (!finished) post({ type: 'cancel', id });
      ctx.signal.removeEventListener('abort', onAbort);
      finish();
    };
    return {
      next: async (): Promise<IteratorResult<arrow.RecordBatch>> => {
        for (;;) {
          if (ctx.signal.aborted) {
            stop();
            throw canceled();
          }
          const message = queue.shift();
          if (message !== undefined) {
            switch (message.type) {
              case 'batch':
                post({ type: 'ack', id });
                return { done: false, value: fromWireBatch(schema, message.batch) };
              case 'end':
                ctx.signal.removeEventListener('abort', onAbort);
                finish();
                return { done: true, value: undefined };
              case 'error':
                ctx.signal.removeEventListener('abort', onAbort);
                finish();
                throw new EngineError(message.sqlstate, message.message);
            }
          }
          if (failure !== null) {
            stop();
            throw failure;
          }
          if (finished) return { done: true, value: undefined };
          await new Promise<void>((resolve) => (waiting = resolve));
        }
      },
      return: (): Promise<IteratorResult<arrow.RecordBatch>> => {
        stop();
        return Promise.resolve({ done: true, value: undefined });
      },
    };
  }

  /** The live worker with the fewest jobs, starting a new one while below `size`. */
  private pick(): PoolWorker {
    for (let i = this.workers.length - 1; i >= 0; i--) if (this.workers[i]!.dead) this.workers.splice(i, 1);
    const idle = this.workers.find((w) => w.jobs.size === 0);
    if (idle !== undefined) return idle;
    if (this.workers.length < this.size) return this.spawn();
    return this.workers.reduce((a, b) => (b.jobs.size < a.jobs.size ? b : a));
  }

  private spawn(): PoolWorker {
    const worker = new Worker(new URL('./scan-worker.ts', import.meta.url));
    worker.unref();
    const pw: PoolWorker = { worker, jobs: new Map(), dead: false };
    worker.on('message', (message: FromWorker) => pw.jobs.get(message.id)?.push(message));
    const die = (why: string): void => {
      if (pw.dead) return;
      pw.dead = true;
      const error = new EngineError(SqlState.internalError, `internal error: a scan worker stopped: ${why}`);
      for (const sink of pw.jobs.values()) sink.fail(error);
      pw.jobs.clear();
    };
    worker.on('error', (err: Error) => die(err.message));
    worker.on('exit', (code) => die(`exit code ${code}`));
    this.workers.push(pw);
    return pw;
  }

  /** Stops every thread; running scans fail. */
  async close(): Promise<void> {
    this.closed = true;
    const all = this.workers.splice(0);
    await Promise.all(all.map((w) => w.worker.terminate()));
  }
}
