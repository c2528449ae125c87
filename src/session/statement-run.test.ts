/**
 * Cancellation and statement_timeout through the embedding API: the session's clock runs from a
 * statement's start until its rows are read, and the statement fails with 57014 and the reason.
 * Rows are read slowly here (the consumer sleeps between batches), so the clock fires between pulls
 * even while queries run in this thread.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import { EngineError, makeBatch } from '../common/index.ts';
import { Engine } from './engine.ts';
import type { Session } from './session.ts';
import { StatementRun } from './statement-run.ts';
import type { StatementResult } from './types.ts';

let warehouse = '';
let engine: Engine;

beforeAll(() => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-run-'));
  engine = new Engine({ warehouse });
});

afterAll(() => {
  rmSync(warehouse, { recursive: true, force: true });
});

/** 50 batches of 1,000 rows. */
const FIFTY_BATCHES = 'SELECT id FROM range(0, 50000)';

function session(settings: Record<string, string> = {}): Session {
  return engine.createSession({ settings: { 'kindling.execution.batch_size': '1000', ...settings } });
}

/** Reads every row of a rows result, sleeping `pauseMs` after each batch. */
async function drain(result: StatementResult, pauseMs: number): Promise<number> {
  if (result.kind !== 'rows') throw new Error('expected rows');
  let rows = 0;
  for await (const batch of result.batches) {
    rows += batch.numRows;
    await sleep(pauseMs);
  }
  return rows;
}

async function runSlowly(s: Session, sql: string, pauseMs: number): Promise<number> {
  let rows = 0;
  for await (const result of s.execute(sql)) if (result.kind === 'rows') rows = await drain(result, pauseMs);
  return rows;
}

async function failure(work: Promise<unknown>): Promise<EngineError> {
  const err = await work.then(
    () => new Error('it succeeded'),
    (e: unknown) => e,
  );
  if (!(err instanceof EngineError)) throw err;
  return err;
}

describe('statement_timeout in a session', () => {
  it('fails a statement whose rows are read past the timeout, and the session goes on', async () => {
    const s = session({ statement_timeout: '200' });
    const started = Date.now();
    const err = await failure(runSlowly(s, FIFTY_BATCHES, 20));
    expect(err.sqlstate).toBe('57014');
    expect(err.message).toBe('canceling statement due to statement timeout');
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(2000);
    expect((await s.sql('SELECT 1 AS one')).rows).toEqual([[1]]);
  });

  it('times each statement of a string on its own, with the value SET just before it', async () => {
    const s = session();
    const err = await failure(runSlowly(s, `SET statement_timeout = '150ms'; ${FIFTY_BATCHES}`, 10));
    expect(err.message).toBe('canceling statement due to statement timeout');
    // Each of these reads for ~1.25 s: under a 2 s timeout each, not together.
    const rows = await runSlowly(
      s,
      "SET statement_timeout = '2s'; SELECT id FROM range(0, 25000); SELECT id FROM range(0, 25000)",
      50,
    );
    expect(rows).toBe(25000);
    await s.sql('SET statement_timeout = 0');
    expect(await runSlowly(s, FIFTY_BATCHES, 10)).toBe(50000);
  });

  it('stops the clock when the rows have been read', async () => {
    const s = session({ statement_timeout: '100' });
    const [result] = await collectResults(s, 'SELECT id FROM range(0, 10)');
    expect(await drain(result!, 0)).toBe(10);
    await sleep(200);
    expect(result!.kind === 'rows' && result!.control?.signal.aborted).toBe(false);
  });

  it('times each Execute of a prepared statement: a paused clock waits', async () => {
    const s = session({ statement_timeout: '200' });
    const prepared = await s.prepare('SELECT id FROM range(0, 50000) WHERE id >= $1::bigint', [null]);
    const result = await s.executePrepared(prepared, ['0']);
    if (result.kind !== 'rows') throw new Error('expected rows');
    const iterator = result.batches[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    result.control!.pause();
    await sleep(400);
    result.control!.resume();
    expect((await iterator.next()).done).toBe(false);
    await sleep(300);
    const err = await failure(iterator.next());
    expect(err.message).toBe('canceling statement due to statement timeout');
  });

  it('applies to a statement that returns no rows (CREATE TABLE AS SELECT)', async () => {
    const s = session({ statement_timeout: '1' });
    // The clock fires while the statement yields to the event loop (writing its files).
    await s.sql('CREATE DATABASE IF NOT EXISTS run_test');
    const err = await failure(
      s.sql('CREATE TABLE run_test.t USING parquet AS SELECT id, id * 2 AS twice FROM range(0, 2000000)'),
    );
    expect(err.message).toBe('canceling statement due to statement timeout');
    expect((await s.sql('SHOW TABLES IN run_test')).rows).toEqual([]);
  });
});

describe('cancelling through the caller signal', () => {
  it('reports the user request, not a timeout', async () => {
    const s = session({ statement_timeout: '10s' });
    const controller = new AbortController();
    const work = (async (): Promise<number> => {
      let rows = 0;
      for await (const result of s.execute(FIFTY_BATCHES, { signal: controller.signal }))
        rows += await drain(result, 10);
      return rows;
    })();
    await sleep(50);
    controller.abort();
    const err = await failure(work);
    expect(err.sqlstate).toBe('57014');
    expect(err.message).toBe('canceling statement due to user request');
    expect((await s.sql('SELECT 2 AS two')).rows).toEqual([[2]]);
  });

  it('fails at once for a signal that is already aborted', async () => {
    const s = session();
    const err = await failure(s.sql('SELECT 1', { signal: AbortSignal.abort() }));
    expect(err.message).toBe('canceling statement due to user request');
  });

  it('aborts the running statement when the session closes', async () => {
    const s = session();
    const [result] = await collectResults(s, FIFTY_BATCHES);
    if (result?.kind !== 'rows') throw new Error('expected rows');
    s.close();
    expect(result.control?.signal.aborted).toBe(true);
    const err = await failure(drain(result, 0));
    expect(err.message).toBe('canceling statement due to user request');
  });
});

describe('a statement run', () => {
  const batch = makeBatch({ fields: [] }, [], 1);

  it('fails the next pull once aborted, even of rows that would end quietly', async () => {
    const controller = new AbortController();
    const run = new StatementRun(0, controller.signal, () => {});
    async function* quietOnAbort(): AsyncGenerator<arrow.RecordBatch> {
      yield batch;
      await Promise.resolve();
      if (run.signal.aborted) return;
      yield batch;
    }
    const rows = run.rows({ kind: 'rows', schema: { fields: [] }, tag: 'SELECT', batches: quietOnAbort() });
    const iterator = rows.batches[Symbol.asyncIterator]();
    expect((await iterator.next()).done).toBe(false);
    controller.abort();
    const err = await failure(iterator.next());
    expect(err.message).toBe('canceling statement due to user request');
  });

  it('fails a pull at once when aborted, without waiting for the rows', async () => {
    let finished = 0;
    const run = new StatementRun(100, undefined, () => finished++);
    let closed = false;
    async function* stuck(): AsyncGenerator<arrow.RecordBatch> {
      try {
        await sleep(1500);
        yield batch;
      } finally {
        closed = true;
      }
    }
    const rows = run.rows({ kind: 'rows', schema: { fields: [] }, tag: 'SELECT', batches: stuck() });
    const started = Date.now();
    const err = await failure(rows.batches[Symbol.asyncIterator]().next());
    expect(err.message).toBe('canceling statement due to statement timeout');
    expect(Date.now() - started).toBeLessThan(1000);
    expect(finished).toBe(1);
    // The abandoned pull is closed once it settles.
    expect(await waitUntil(() => closed, 3000)).toBe(true);
  });
});

async function waitUntil(condition: () => boolean, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) return false;
    await sleep(10);
  }
  return true;
}

/** The results of `sql` without reading their rows (the generator is left at the last one). */
async function collectResults(s: Session, sql: string): Promise<StatementResult[]> {
  const out: StatementResult[] = [];
  const iterator = s.execute(sql)[Symbol.asyncIterator]();
  const first = await iterator.next();
  if (first.done !== true) out.push(first.value);
  return out;
}
