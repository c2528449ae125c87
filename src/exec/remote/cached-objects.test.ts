import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { dealCachedBatches } from '../../catalog/index.ts';
import { batchRows, columnFromValues, makeBatch, type Schema, type Value } from '../../common/index.ts';
import { cacheObjectName, cacheObjectStore, decodeCacheObjects } from './cached-objects.ts';
import { createMemoryControlPlane } from './memory-control-plane.ts';

const SCHEMA: Schema = {
  fields: [
    { name: 'id', type: { kind: 'int' }, nullable: false },
    { name: 's', type: { kind: 'string' }, nullable: true },
  ],
};

function batch(ids: readonly number[]): arrow.RecordBatch {
  return makeBatch(
    SCHEMA,
    [
      columnFromValues({ kind: 'int' }, ids),
      columnFromValues(
        { kind: 'string' },
        ids.map((i) => (i % 3 === 0 ? null : `v${i}`)),
      ),
    ],
    ids.length,
  );
}

function rows(partitions: readonly (readonly arrow.RecordBatch[])[]): Value[][][] {
  const types = SCHEMA.fields.map((f) => f.type);
  return partitions.map((p) => p.flatMap((b) => batchRows(b, types)));
}

describe('cache objects', () => {
  it('rebuild on an executor the partitions the driver dealt from the same batches', async () => {
    // The result of a cache's query: three task partitions, one of them empty, one with an
    // empty batch; the driver receives them in partition order.
    const tasks = [[batch([1, 2]), batch([]), batch([3])], [], [batch([4, 5, 6]), batch([7])]];
    const driver = dealCachedBatches(tasks.flat(), 3);

    const plane = createMemoryControlPlane().executor();
    const store = cacheObjectStore((name, bytes) => plane.putObject(name, bytes));
    for (const [partition, batches] of tasks.entries()) {
      const writer = store.open('cache-1', partition, SCHEMA);
      for (const b of batches) writer.write(b);
      if (batches.length > 0) expect(writer.bytes).toBeGreaterThan(0);
      await writer.finish();
    }
    const objects: Uint8Array[] = [];
    for (let i = 0; i < tasks.length; i++) {
      const bytes = await plane.getObject(cacheObjectName('cache-1', i));
      expect(bytes, `object ${i}`).not.toBeNull();
      objects.push(bytes!);
    }
    const executor = decodeCacheObjects(
      { cacheId: 'cache-1', schema: SCHEMA, objects: 3, partitions: 3 },
      objects,
    );

    expect(executor.partitions.length).toBe(driver.length);
    expect(rows(executor.partitions)).toEqual(rows(driver));
    expect(rows(driver)).toEqual([
      [
        [1, 'v1'],
        [2, 'v2'],
        [7, 'v7'],
      ],
      [[3, null]],
      [
        [4, 'v4'],
        [5, 'v5'],
        [6, null],
      ],
    ]);
  });

  it('keep one partition for a cache without rows', async () => {
    const plane = createMemoryControlPlane().executor();
    const writer = cacheObjectStore((name, bytes) => plane.putObject(name, bytes)).open('c', 0, SCHEMA);
    await writer.finish();
    const bytes = await plane.getObject(cacheObjectName('c', 0));
    const data = decodeCacheObjects({ cacheId: 'c', schema: SCHEMA, objects: 1, partitions: 4 }, [bytes!]);
    expect(data.partitions).toEqual([[]]);
  });
});
