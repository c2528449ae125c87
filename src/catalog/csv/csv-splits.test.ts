import * as fs from 'node:fs';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { T, field } from '../../common/index.ts';
import type { DataFile } from '../file-listing.ts';
import { planPieces } from './csv-splits.ts';
import { readCsvPartition } from './csv-scan.ts';
import { parseCsvOptions } from './csv-options.ts';
import { csvDef, readRows, tempDir, writeFile } from './csv-test-support.ts';

const dir = tempDir('kindling-splits-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const cols = [field('id', T.int), field('text', T.string)];

describe('planPieces', () => {
  const f = (path: string, size: number): DataFile => ({ path, size, partitionValues: new Map() });

  it('splits a large plain file into ranges that cover it, and never splits .gz files', () => {
    const parts = planPieces([f('/a.csv', 1000)], 4, 1, true, null);
    expect(parts).toHaveLength(4);
    expect(parts.map((p) => [p[0]!.start, p[0]!.end])).toEqual([
      [0, 250],
      [250, 500],
      [500, 750],
      [750, Infinity],
    ]);
    expect(planPieces([f('/a.csv.gz', 1000)], 4, 1, true, null)).toEqual([
      [{ file: f('/a.csv.gz', 1000), start: 0, end: Infinity, compressed: true }],
    ]);
    expect(planPieces([f('/a.csv', 1000)], 4, 1, false, null)).toHaveLength(1);
    expect(planPieces([], 4, 1, true, null)).toEqual([[]]);
  });

  it('spreads many files over the target partitions, balancing bytes', () => {
    const files = [f('/1', 100), f('/2', 10), f('/3', 90), f('/4', 20), f('/5', 80)];
    const parts = planPieces(files, 2, 1000, true, null);
    expect(parts).toHaveLength(2);
    const sizes = parts.map((p) => p.reduce((s, x) => s + x.file.size, 0));
    expect(sizes.sort((a, b) => a - b)).toEqual([130, 170]); // largest first, each to the least-loaded partition
    expect(parts.flat()).toHaveLength(5);
  });
});

describe('byte-range partitions', () => {
  it('return every row exactly once for random split points', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: -1000, max: 1000 }), fc.string({ maxLength: 12 })), {
          maxLength: 40,
        }),
        fc.array(fc.integer({ min: 0, max: 2000 }), { maxLength: 6 }),
        fc.boolean(),
        fc.integer({ min: 1, max: 9 }),
        async (records, cuts, crlf, chunkSize) => {
          const clean = records.map(([n, s]) => [n, s.replace(/[\r\n,"\\]/g, '_')] as const);
          const eol = crlf ? '\r\n' : '\n';
          const text = clean.map(([n, s]) => `${n},${s}`).join(eol) + (clean.length > 0 ? eol : '');
          const file = writeFile(dir, 'prop.csv', text);
          const size = Buffer.byteLength(text);
          const points = [
            ...new Set(cuts.map((c) => Math.min(c, size)).filter((c) => c > 0 && c < size)),
          ].sort((a, b) => a - b);
          const bounds = [0, ...points];
          const options = parseCsvOptions({});
          const got: unknown[][] = [];
          for (let k = 0; k < bounds.length; k++) {
            const start = bounds[k]!;
            const end = k + 1 < bounds.length ? bounds[k + 1]! : Infinity;
            const stream = readCsvPartition(
              {
                schema: { fields: cols },
                columns: cols.map((c, i) => ({ field: c, csvIndex: i })),
                csvFieldCount: 2,
                options,
                pieces: [
                  { file: { path: file, size, partitionValues: new Map() }, start, end, compressed: false },
                ],
                limit: null,
                chunkSize,
                partitionValue: () => null,
              },
              { signal: new AbortController().signal, batchSize: 5 },
            );
            for await (const batch of stream) {
              for (let i = 0; i < batch.numRows; i++) {
                got.push([batch.getChildAt(0)!.get(i), batch.getChildAt(1)!.get(i)]);
              }
            }
          }
          expect(got).toEqual(clean.map(([n, s]) => [n, s === '' ? null : s]));
        },
      ),
      { numRuns: 150 },
    );
  });

  it('through the provider: many partitions over one file read all rows once', async () => {
    const lines = Array.from({ length: 5000 }, (_, i) => `${i},row ${i}`);
    const file = writeFile(dir, 'big.csv', lines.join('\n') + '\n');
    for (const targetPartitions of [1, 2, 7, 16]) {
      const rows = await readRows(csvDef(file, cols), { targetPartitions, minSplitBytes: 1, chunkSize: 333 });
      expect(rows.map((r) => r[0])).toEqual(lines.map((_, i) => i));
    }
  });
});
