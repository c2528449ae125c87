import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { EngineError, T, batchRows, field, schema, type Schema, type Value } from '../../common/index.ts';
import { createFunctionRegistry } from '../../functions/index.ts';
import type { CacheObjectStore } from '../execution-plan.ts';
import { planFromSpec } from '../plan-decoder.ts';
import { planToSpec } from '../plan-spec.ts';
import { CacheShareExec } from './cache-share-exec.ts';
import { collectRows, source, taskCtx } from './test-support.ts';
import { ValuesExec } from './values-exec.ts';

const s = schema([field('a', T.int), field('b', T.string)]);
const rows: Value[][] = [
  [1, 'x'],
  [2, null],
  [3, 'z'],
  [4, 'w'],
  [5, 'v'],
];

/** An object store that keeps what each partition's writer was given, and when it finished. */
function recordingStore(): {
  store: CacheObjectStore;
  objects: Map<string, { rows: Value[][]; done: boolean }>;
} {
  const objects = new Map<string, { rows: Value[][]; done: boolean }>();
  const store: CacheObjectStore = {
    open(cacheId: string, partition: number, sch: Schema) {
      const object = { rows: [] as Value[][], done: false };
      objects.set(`${cacheId}/${partition}`, object);
      let bytes = 0;
      return {
        write(batch: arrow.RecordBatch) {
          object.rows.push(
            ...batchRows(
              batch,
              sch.fields.map((f) => f.type),
            ),
          );
          bytes += batch.numRows;
        },
        get bytes() {
          return bytes;
        },
        finish() {
          object.done = true;
          return Promise.resolve();
        },
      };
    },
  };
  return { store, objects };
}

describe('CacheShareExec', () => {
  it('passes every batch through and puts each partition as one object, finished', async () => {
    const { store, objects } = recordingStore();
    const plan = new CacheShareExec({ input: source(s, rows, 2, 2), cacheId: 'c1' });
    expect(plan.outputPartitions).toBe(2);
    const out = await collectRows(plan, { ...taskCtx(), cacheObjects: store });
    expect(out).toEqual([rows[0], rows[1], rows[4], rows[2], rows[3]]);
    expect([...objects.keys()]).toEqual(['c1/0', 'c1/1']);
    expect(objects.get('c1/0')).toEqual({ rows: [rows[0], rows[1], rows[4]], done: true });
    expect(objects.get('c1/1')).toEqual({ rows: [rows[2], rows[3]], done: true });
  });

  it('puts nothing for a cancelled partition', async () => {
    const { store, objects } = recordingStore();
    const abort = new AbortController();
    const plan = new CacheShareExec({ input: source(s, rows, 2, 1), cacheId: 'c2' });
    const ctx = { ...taskCtx(8192, abort.signal), cacheObjects: store };
    await expect(
      (async () => {
        for await (const _ of plan.execute(0, ctx)) abort.abort();
      })(),
    ).rejects.toBeInstanceOf(EngineError);
    expect(objects.get('c2/0')?.done).toBe(false);
  });

  it('refuses to run where there is no object store, and travels as plain data', async () => {
    const plan = new CacheShareExec({ input: source(s, rows), cacheId: 'c3' });
    await expect(collectRows(plan)).rejects.toMatchObject({ sqlstate: 'XX000' });
    const shared = new CacheShareExec({ input: new ValuesExec({ schema: s, rows }), cacheId: 'c3' });
    const again = planFromSpec(planToSpec(shared), { functions: createFunctionRegistry() });
    expect(again).toBeInstanceOf(CacheShareExec);
    expect((again as CacheShareExec).cacheId).toBe('c3');
    expect(again.children()[0]).toBeInstanceOf(ValuesExec);
  });
});
