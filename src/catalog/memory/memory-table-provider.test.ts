import { describe, expect, it } from 'vitest';
import type { Data } from 'apache-arrow';
import {
  T,
  batchRows,
  columnFromValues,
  field,
  makeBatch,
  schema,
  type DataType,
} from '../../common/index.ts';
import type { ScanFilterStep, ScanRowFilter } from '../types.ts';
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

describe('MemoryTableProvider under the filter above it', () => {
  // a = 0 … 99, b = 'even' / 'odd'
  const ids = Array.from({ length: 100 }, (_, i) => i);
  const provider = MemoryTableProvider.of('tmp', 'mem', s, [
    [
      batch(
        ids,
        ids.map((i) => (i % 2 === 0 ? 'even' : 'odd')),
      ),
    ],
  ]);
  /** Rows `indices` of `column`, through the values (the filter layer's take, for the test). */
  const take = (column: Data, type: DataType, indices: Int32Array): Data => {
    const values = batchRows(makeBatch(schema([field('x', type)]), [column], column.length), [type]);
    return columnFromValues(
      type,
      Array.from(indices, (i) => values[i]![0] as never),
    );
  };
  const valuesOf = (column: Data, type: DataType) =>
    batchRows(makeBatch(schema([field('x', type)]), [column], column.length), [type]).map((r) => r[0]);
  const keepWhere = (
    pred: (v: unknown) => boolean,
    type: DataType,
    seen: number[],
  ): ScanFilterStep['keep'] => {
    return (columns, rows) => {
      seen.push(rows);
      const values = valuesOf(columns[0]!, type);
      return Int32Array.from(values.flatMap((v, i) => (pred(v) ? [i] : [])));
    };
  };

  async function scanRows(rowFilter: ScanRowFilter, limit: number | null = null): Promise<unknown[][]> {
    const scan = provider.scan({ projection: null, filters: [], limit, targetPartitions: 1 });
    const rows: unknown[][] = [];
    for await (const b of scan.open(0, {
      signal: new AbortController().signal,
      batchSize: 1024,
      rowFilter,
    })) {
      rows.push(...batchRows(b, [T.int, T.string]));
    }
    return rows;
  }

  it('keeps the rows every step keeps, each step reading only what the earlier ones kept', async () => {
    const seenA: number[] = [];
    const seenB: number[] = [];
    const rows = await scanRows({
      take,
      steps: [
        { columns: [0], keep: keepWhere((v) => (v as number) < 40, T.int, seenA) },
        { columns: [1], keep: keepWhere((v) => v === 'odd', T.string, seenB) },
      ],
    });
    expect(rows).toEqual(ids.filter((i) => i < 40 && i % 2 === 1).map((i) => [i, 'odd']));
    expect(seenA).toEqual([100]);
    // b read for the 40 rows a kept, not all 100
    expect(seenB).toEqual([40]);
  });

  it('skips a step that keeps most rows and one that raises: the filter above applies them', async () => {
    const seen: number[] = [];
    const rows = await scanRows({
      take,
      steps: [
        { columns: [0], keep: keepWhere((v) => (v as number) >= 5, T.int, seen) },
        {
          columns: [1],
          keep: () => {
            throw new Error('division by zero');
          },
        },
      ],
    });
    expect(rows).toHaveLength(100);
    expect(seen).toEqual([100]);
  });

  it("leaves the filter's own steps to the filter unless a step from above comes with them", async () => {
    const seen: number[] = [];
    const own: ScanFilterStep = {
      columns: [0],
      keep: keepWhere((v) => (v as number) < 10, T.int, seen),
      rechecked: true,
    };
    // the filter above evaluates its own conjuncts on columns in memory as cheaply as the scan
    expect(await scanRows({ take, steps: [own] })).toHaveLength(100);
    expect(seen).toEqual([]);
    // with a join's key step, both narrow the rows in the scan
    const rows = await scanRows({
      take,
      steps: [own, { columns: [1], keep: keepWhere((v) => v === 'even', T.string, seen) }],
    });
    expect(rows).toEqual([0, 2, 4, 6, 8].map((i) => [i, 'even']));
    expect(seen).toEqual([100, 10]);
  });

  it('applies no step under a limit (the rows it keeps are the first ones, filtered or not)', async () => {
    const seen: number[] = [];
    const rows = await scanRows(
      { take, steps: [{ columns: [0], keep: keepWhere((v) => (v as number) > 90, T.int, seen) }] },
      3,
    );
    expect(rows).toEqual([
      [0, 'even'],
      [1, 'odd'],
      [2, 'even'],
    ]);
    expect(seen).toEqual([]);
  });
});
