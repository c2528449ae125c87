/**
 * The map side of an exchange under a memory budget: every bucket reads back exactly the rows,
 * in the order, of the same output kept wholly in memory — whether it stayed in memory, went to
 * the map task's file, or partly both (also for random outputs under random budgets); empty buckets stay empty; the file describes itself
 * (index read from the file alone); releasing the output, or abandoning the task, gives the
 * memory back and removes the file; a writer that cannot spill fails with 53200 naming the
 * exchange.
 */
import type * as arrow from 'apache-arrow';
import { existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import {
  EngineError,
  batchRows,
  columnFromValues,
  makeBatch,
  type Schema,
  type Value,
} from '../../common/index.ts';
import { columnExpr, defaultEvalContext, type ExchangeKind, type TaskContext } from '../../physical/index.ts';
import { MemoryBudget, TaskMemoryPool, UNLIMITED, createBudget } from '../memory/memory-budget.ts';
import { readMapOutputIndex } from './map-output-file.ts';
import { ShuffleStore, readMapOutputBucket, type MapOutput } from './shuffle-store.ts';
import { MEMORY_SHARE, ShuffleWriter, type FinishedMapOutput } from './shuffle-writer.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kindling-shuffle-writer-'));
  dirs.push(d);
  return d;
}

const schema: Schema = {
  fields: [
    { name: 'k', type: { kind: 'bigint' }, nullable: true },
    { name: 's', type: { kind: 'string' }, nullable: true },
    { name: 'i', type: { kind: 'int' }, nullable: false },
  ],
};
const types = schema.fields.map((f) => f.type);

/** Rows [from, from + n): keys from a few values (so some buckets stay empty), NULLs, strings. */
function batch(from: number, n: number, keys = 3): arrow.RecordBatch {
  const k: Value[] = [];
  const s: Value[] = [];
  const i: Value[] = [];
  for (let r = from; r < from + n; r++) {
    k.push(r % 17 === 0 ? null : BigInt((r * 7919) % keys));
    s.push(r % 5 === 0 ? null : `row ${r} ${'x'.repeat(r % 40)}`);
    i.push(r);
  }
  return makeBatch(
    schema,
    [columnFromValues(types[0]!, k), columnFromValues(types[1]!, s), columnFromValues(types[2]!, i)],
    n,
  );
}

function budgets(
  queryLimit: number,
  processLimit = UNLIMITED,
): { pool: TaskMemoryPool; query: MemoryBudget; process: MemoryBudget } {
  const query = new MemoryBudget(createBudget(queryLimit, 'kindling.memory.query_limit'));
  const process = new MemoryBudget(createBudget(processLimit, 'kindling.memory.limit'));
  return { pool: new TaskMemoryPool(query, process), query, process };
}

function context(pool: TaskMemoryPool): TaskContext {
  return {
    eval: defaultEvalContext(),
    signal: new AbortController().signal,
    batchSize: 1024,
    scope: {},
    memory: pool,
  };
}

interface Written {
  readonly finished: FinishedMapOutput;
  readonly query: MemoryBudget;
  readonly spilledBefore: boolean;
}

/** Writes `batches` through a writer of `exchange` with `buckets` buckets under `queryLimit`. */
async function write(
  exchange: ExchangeKind,
  buckets: number,
  batches: readonly arrow.RecordBatch[],
  queryLimit: number,
  file: string | null,
): Promise<Written> {
  const { pool, query } = budgets(queryLimit);
  const keys = exchange === 'hash' ? [columnExpr(schema, 0)] : [];
  const writer = new ShuffleWriter(
    { kind: 'exchange', exchange, keys: [], buckets },
    keys,
    schema,
    pool,
    file,
  );
  const ctx = context(pool);
  for (const b of batches) await writer.write(b, ctx);
  const spilledBefore = writer.spilledBytes > 0;
  return { finished: await writer.finish(), query, spilledBefore };
}

/** Every bucket's rows, read as a reducer reads them (through a store). */
async function bucketRows(output: MapOutput, buckets: number): Promise<Value[][][]> {
  const store = new ShuffleStore();
  store.put('q', 1, 0, output, null);
  const out: Value[][][] = [];
  for (let b = 0; b < buckets; b++) {
    const rows: Value[][] = [];
    for await (const batch of readMapOutputBucket(store.get('q', 1, 0, b)!, schema)) {
      rows.push(...batchRows(batch, types));
    }
    out.push(rows);
  }
  return out;
}

const input = Array.from({ length: 40 }, (_, i) => batch(i * 500, 500));

describe('ShuffleWriter', () => {
  it('keeps every bucket in memory when the budget allows, writing no file', async () => {
    const dir = tempDir();
    const { finished, query } = await write('hash', 8, input, UNLIMITED, join(dir, 'out.shuffle'));
    expect(finished.output.file).toBeNull();
    expect(readdirSync(dir)).toEqual([]);
    expect(finished.bytes).toBeGreaterThan(0);
    // The bytes stay charged to the query until the store releases them.
    expect(query.used).toBe(finished.bytes);
    const rows = await bucketRows(finished.output, 8);
    expect(
      rows
        .flat()
        .map((r) => r[2])
        .sort((a, b) => Number(a) - Number(b)),
    ).toEqual(Array.from({ length: 20000 }, (_, i) => i));
    // Three key values and NULL: at most four buckets have rows.
    expect(rows.filter((r) => r.length > 0).length).toBeLessThanOrEqual(4);
    expect(rows.filter((r) => r.length === 0).length).toBeGreaterThanOrEqual(4);
  });

  it('over its budget writes the buckets to one file, partly on disk and partly in memory, with the same rows in the same order', async () => {
    const want = await bucketRows((await write('hash', 8, input, UNLIMITED, null)).finished.output, 8);
    const dir = tempDir();
    const file = join(dir, 'q1-s1-m0-a0.shuffle');
    // Room for a few batches' pieces at a time: the writer spills several times.
    const limit = 300_000;
    const { finished, query, spilledBefore } = await write('hash', 8, input, limit, file);
    expect(spilledBefore).toBe(true);
    const out = finished.output;
    expect(out.file?.path).toBe(file);
    expect(readdirSync(dir)).toEqual(['q1-s1-m0-a0.shuffle']);
    // Several rounds: a bucket with rows has several blocks on disk, and the last pieces stayed in memory.
    expect(Math.max(...out.file!.index.map((r) => r.length))).toBeGreaterThan(1);
    expect(out.buckets.some((b) => b.length > 0)).toBe(true);
    expect(finished.bytes).toBeGreaterThan(0);
    expect(finished.bytes).toBeLessThanOrEqual(limit * MEMORY_SHARE);
    expect(query.used).toBe(finished.bytes);
    // Empty buckets have no block and no batch.
    want.forEach((rows, b) => {
      if (rows.length > 0) return;
      expect(out.file!.index[b]).toEqual([]);
      expect(out.buckets[b]).toEqual([]);
    });
    expect(await bucketRows(out, 8)).toEqual(want);

    // The file describes itself: its index, read from the file alone, is the writer's.
    const alone = await readMapOutputIndex(file);
    expect(alone).toEqual(out.file);
    expect(await bucketRows({ buckets: out.buckets.map(() => []), file: alone }, 8)).toEqual(
      want.map((rows, b) => rows.slice(0, rows.length - countRows(out.buckets[b]!))),
    );

    // Released, the memory goes back to the budget and the file is removed.
    const store = new ShuffleStore();
    store.put('q1', 1, 0, out, { bytes: finished.bytes, budgets: finished.budgets });
    // A mirror of it elsewhere is not the owner: dropping it keeps the file.
    const mirror = new ShuffleStore();
    mirror.put('q1', 1, 0, out, null);
    mirror.releaseQuery('q1');
    expect(existsSync(file)).toBe(true);
    expect(query.used).toBe(finished.bytes);
    store.releaseQuery('q1');
    expect(existsSync(file)).toBe(false);
    expect(query.used).toBe(0);
    expect(store.get('q1', 1, 0, 0)).toBeUndefined();
  });

  it('keeps a gather’s single bucket in its order across disk and memory', async () => {
    const want = await bucketRows((await write('single', 1, input, UNLIMITED, null)).finished.output, 1);
    expect(want[0]!.map((r) => r[2])).toEqual(Array.from({ length: 20000 }, (_, i) => i));
    const dir = tempDir();
    const { finished } = await write('single', 1, input, 200_000, join(dir, 'g.shuffle'));
    expect(finished.output.file).not.toBeNull();
    expect(await bucketRows(finished.output, 1)).toEqual(want);
  });

  it('writes straight to disk what no memory is left for, and round-robins keep every row', async () => {
    const want = await bucketRows((await write('round_robin', 3, input, UNLIMITED, null)).finished.output, 3);
    const dir = tempDir();
    const { finished, query } = await write('round_robin', 3, input, 1000, join(dir, 'rr.shuffle'));
    expect(finished.bytes).toBe(0);
    expect(finished.output.buckets.every((b) => b.length === 0)).toBe(true);
    expect(query.used).toBe(0);
    expect(await bucketRows(finished.output, 3)).toEqual(want);
  });

  it('spills when the process’s budget refuses, its query’s having room', async () => {
    const want = await bucketRows((await write('hash', 8, input, UNLIMITED, null)).finished.output, 8);
    const dir = tempDir();
    const { pool, query, process } = budgets(UNLIMITED, 200_000);
    const writer = new ShuffleWriter(
      { kind: 'exchange', exchange: 'hash', keys: [], buckets: 8 },
      [columnExpr(schema, 0)],
      schema,
      pool,
      join(dir, 'p.shuffle'),
    );
    const ctx = context(pool);
    for (const b of input) await writer.write(b, ctx);
    const finished = await writer.finish();
    expect(finished.output.file).not.toBeNull();
    expect(process.used).toBe(finished.bytes);
    expect(process.used).toBeLessThanOrEqual(200_000);
    expect(query.used).toBe(finished.bytes);
    expect(await bucketRows(finished.output, 8)).toEqual(want);
  });

  it('abandoned, gives back its memory and removes its file', async () => {
    const dir = tempDir();
    const file = join(dir, 'abandoned.shuffle');
    const { pool, query } = budgets(300_000);
    const writer = new ShuffleWriter(
      { kind: 'exchange', exchange: 'hash', keys: [], buckets: 4 },
      [columnExpr(schema, 0)],
      schema,
      pool,
      file,
    );
    const ctx = context(pool);
    for (const b of input.slice(0, 20)) await writer.write(b, ctx);
    expect(writer.spilledBytes).toBeGreaterThan(0);
    expect(existsSync(file)).toBe(true);
    expect(query.used).toBeGreaterThan(0);
    await writer.abandon();
    expect(existsSync(file)).toBe(false);
    expect(query.used).toBe(0);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('without a file to spill to, fails over its budget with 53200 naming the exchange', async () => {
    const err = await write('single', 1, input, 100_000, null).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).sqlstate).toBe('53200');
    expect((err as EngineError).message).toMatch(/for GatherExec/);
  });
});

describe('ShuffleWriter on random outputs and budgets', () => {
  it('reads back every bucket exactly as kept in memory without a budget', async () => {
    const dir = tempDir();
    let run = 0;
    let spilled = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom<ExchangeKind>('hash', 'single', 'round_robin'),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.integer({ min: 0, max: 700 }), { minLength: 1, maxLength: 12 }),
        fc.integer({ min: 1, max: 40 }),
        fc.integer({ min: 1, max: 200_000 }),
        async (kind, count, sizes, keys, limit) => {
          const buckets = kind === 'single' ? 1 : count;
          let from = 0;
          const batches = sizes.map((n) => {
            const b = batch(from, n, keys);
            from += n;
            return b;
          });
          const want = await bucketRows(
            (await write(kind, buckets, batches, UNLIMITED, null)).finished.output,
            buckets,
          );
          const file = join(dir, `r${run++}.shuffle`);
          const { finished, query } = await write(kind, buckets, batches, limit, file);
          if (finished.output.file !== null) spilled++;
          expect(query.used).toBe(finished.bytes);
          expect(await bucketRows(finished.output, buckets)).toEqual(want);
          const store = new ShuffleStore();
          store.put('q', 1, 0, finished.output, { bytes: finished.bytes, budgets: finished.budgets });
          store.releaseQuery('q');
          expect(query.used).toBe(0);
          expect(readdirSync(dir)).toEqual([]);
        },
      ),
      { numRuns: 25, seed: 20261207 },
    );
    // The budgets drawn make most runs spill.
    expect(spilled).toBeGreaterThan(10);
  });
});

describe('map output files', () => {
  it('that are damaged or missing are 58030 errors naming the file', async () => {
    const dir = tempDir();
    const bad = join(dir, 'bad.shuffle');
    writeFileSync(bad, 'not an exchange output at all');
    await expect(readMapOutputIndex(bad)).rejects.toMatchObject({
      sqlstate: '58030',
      message: expect.stringContaining(bad) as string,
    });
    await expect(readMapOutputIndex(join(dir, 'missing.shuffle'))).rejects.toMatchObject({
      sqlstate: '58030',
    });
  });
});

function countRows(batches: readonly { readonly numRows: number }[]): number {
  return batches.reduce((n, b) => n + b.numRows, 0);
}
