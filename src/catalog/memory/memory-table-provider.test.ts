import { describe, expect, it } from 'vitest';
import { T, batchRows, columnFromValues, field, makeBatch, schema } from '../../common/index.ts';
import { MemoryTableProvider } from './memory-table-provider.ts';

const s = schema([field('a', T.int), field('b', T.string)]);
const batch = (a: (number | null)[], b: (string | null)[]) =>
  makeBatch(s, [columnFromValues(T.int, a), columnFromValues(T.string, b)], a.length);

async function collect(provider: MemoryTableProvider, projection: number[] | null, limit: number | null) {
  const scan = provider.scan({ projection, filters: [], limit, targetPartitions: 8 });
  const out: unknown[][][] = [];
  for (let p = 0; p < scan.partitions; p++) {
    const rows: unknown[][] = [];
    for await (const b of scan.open(p, { signal: new AbortController().signal, batchSize: 1024 })) {
      rows.push(
        ...batchRows(
          b,
          scan.schema.fields.map((f) => f.type),
        ),
      );
    }
    out.push(rows);
  }
  return { scan, out };
}

describe('MemoryTableProvider', () => {
  const provider = MemoryTableProvider.of('tmp', 'mem', s, [
    [batch([1, 2], ['x', null]), batch([3], ['z'])],
    [batch([null], ['w'])],
  ]);

  it('has one partition per batch group and projects columns', async () => {
    const { scan, out } = await collect(provider, [1, 0], null);
    expect(scan.partitions).toBe(2);
    expect(scan.describe()).toBe('MemoryScan: tmp.mem, projection=[b, a], partitions=2');
    expect(out).toEqual([
      [
        ['x', 1],
        [null, 2],
        ['z', 3],
      ],
      [['w', null]],
    ]);
  });

  it('applies the limit per partition and reports statistics', async () => {
    const { out } = await collect(provider, null, 1);
    expect(out).toEqual([[[1, 'x']], [[null, 'w']]]);
    expect(provider.statistics().rowCount).toBe(4);
    expect(provider.qualifiedName).toEqual(['tmp', 'mem']);
  });

  it('fails a cancelled scan rather than ending it early', async () => {
    const scan = provider.scan({ projection: null, filters: [], limit: null, targetPartitions: 8 });
    const controller = new AbortController();
    const batches = scan.open(0, { signal: controller.signal, batchSize: 1024 })[Symbol.asyncIterator]();
    expect((await batches.next()).done).toBe(false);
    controller.abort();
    await expect(batches.next()).rejects.toMatchObject({ sqlstate: '57014' });
  });

  it('scans an empty table as one empty partition', async () => {
    const { scan, out } = await collect(MemoryTableProvider.of('tmp', 'e', s, []), null, null);
    expect(scan.partitions).toBe(1);
    expect(out).toEqual([[]]);
  });
});
