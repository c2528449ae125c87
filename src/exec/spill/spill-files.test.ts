/**
 * Spill files: every column layout read back as written (NULLs, nested types), compressed on
 * disk, removed by their holder, by the task's end and with the engine's folder; a write that
 * cannot be made is a 58030 error.
 */
import { mkdtempSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type * as arrow from 'apache-arrow';
import {
  batchRows,
  columnFromValues,
  makeBatch,
  type DataType,
  type Schema,
  type Value,
} from '../../common/index.ts';
import { TaskSpillSpace, engineSpillDir, removeSpillDir } from './spill-files.ts';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function spillDir(): string {
  const d = mkdtempSync(join(tmpdir(), 'kindling-spill-files-'));
  dirs.push(d);
  return engineSpillDir(d);
}

const types: DataType[] = [
  { kind: 'int' },
  { kind: 'bigint' },
  { kind: 'boolean' },
  { kind: 'double' },
  { kind: 'string' },
  { kind: 'binary' },
  { kind: 'decimal', precision: 15, scale: 2 },
  { kind: 'decimal', precision: 30, scale: 2 },
  { kind: 'date' },
  { kind: 'timestamp' },
  { kind: 'array', element: { kind: 'string' }, containsNull: true },
  {
    kind: 'struct',
    fields: [
      { name: 'a', type: { kind: 'int' }, nullable: true },
      { name: 'b', type: { kind: 'string' }, nullable: true },
    ],
  },
  { kind: 'map', key: { kind: 'string' }, value: { kind: 'double' }, valueContainsNull: true },
];
const schema: Schema = { fields: types.map((type, i) => ({ name: `c${i}`, type, nullable: true })) };

function rowAt(i: number): Value[] {
  if (i % 5 === 1) return types.map(() => null);
  return [
    i,
    BigInt(i) * 10_000_000_000n,
    i % 2 === 0,
    i / 3,
    `héllo ${i}`,
    new Uint8Array([i & 255, 0, 7]),
    BigInt(i * 125),
    10n ** 25n + BigInt(i),
    19000 + i,
    1_700_000_000_000_000n + BigInt(i),
    [`x${i}`, null],
    [i, i % 3 === 0 ? null : 'b'],
    new Map([[`k${i}`, i % 4 === 0 ? null : i / 2]]),
  ];
}

function batchOfRows(rows: Value[][]): arrow.RecordBatch {
  return makeBatch(
    schema,
    types.map((t, c) =>
      columnFromValues(
        t,
        rows.map((r) => r[c] ?? null),
      ),
    ),
    rows.length,
  );
}

describe('spill files', () => {
  it('read back every type, NULLs and all, batch by batch in the order written, compressed', async () => {
    const dir = spillDir();
    const space = new TaskSpillSpace(dir, 'q1/s2/p3#0');
    const rows = Array.from({ length: 3000 }, (_, i) => rowAt(i));
    const batches = [batchOfRows(rows.slice(0, 1000)), batchOfRows([]), batchOfRows(rows.slice(1000))];
    const file = await space.write('SortExec', schema, batches);
    expect(file.rows).toBe(3000);
    const onDisk = readdirSync(dir);
    expect(onDisk).toEqual(['q1_s2_p3_0-SortExec-0.arrows.zst']);
    expect(statSync(join(dir, onDisk[0]!)).size).toBe(file.bytes);
    // Repetitive values compress: far smaller than the batches in memory.
    const memory = batches.reduce((n, b) => n + b.data.children.reduce((m, c) => m + c.byteLength, 0), 0);
    expect(file.bytes).toBeLessThan(memory / 3);
    expect(file.maxBatchBytes).toBeGreaterThan(0);

    const back: number[] = [];
    const got: Value[][] = [];
    for await (const b of file.read()) {
      back.push(b.numRows);
      got.push(...batchRows(b, types));
    }
    expect(back).toEqual([1000, 2000]);
    expect(got).toEqual(batchRows(batchOfRows(rows), types));
    // Read twice: a file is read as often as asked until removed.
    let again = 0;
    for await (const b of file.read()) again += b.numRows;
    expect(again).toBe(3000);
    file.remove();
    expect(readdirSync(dir)).toEqual([]);
  });

  it.skipIf(process.platform !== 'linux')('closes the file when a reader stops early', async () => {
    const dir = spillDir();
    const space = new TaskSpillSpace(dir, 'q1/s1/p1#0');
    const one = batchOfRows([rowAt(0), rowAt(1)]);
    const file = await space.write('SortExec', schema, [one, one, one]);
    const path = join(dir, readdirSync(dir)[0]!);
    const openOnIt = (): number =>
      readdirSync('/proc/self/fd').filter((fd) => {
        try {
          return readlinkSync(`/proc/self/fd/${fd}`) === path;
        } catch {
          return false;
        }
      }).length;
    for await (const b of file.read()) {
      expect(b.numRows).toBe(2);
      expect(openOnIt()).toBe(1);
      break;
    }
    expect(openOnIt()).toBe(0);
    file.remove();
  });

  it('removes what a task left when it ends, and an engine removes its folder', async () => {
    const dir = spillDir();
    const space = new TaskSpillSpace(dir, 'q1/s1/p0#0');
    const one = batchOfRows([rowAt(0), rowAt(1)]);
    const a = await space.write('SortExec', schema, [one]);
    await space.write('SortExec', schema, [one, one]);
    expect(readdirSync(dir)).toHaveLength(2);
    a.remove();
    a.remove();
    expect(readdirSync(dir)).toHaveLength(1);
    space.removeAll();
    expect(readdirSync(dir)).toEqual([]);
    removeSpillDir(dir);
    expect(() => readdirSync(dir)).toThrow(/ENOENT/);
  });

  it('fails a write it cannot make with 58030, leaving no file', async () => {
    const dir = spillDir();
    const space = new TaskSpillSpace(join(dir, '\0bad'), 'q1/s1/p0#0');
    await expect(space.write('SortExec', schema, [batchOfRows([rowAt(0)])])).rejects.toMatchObject({
      sqlstate: '58030',
    });
  });
});
