import { mkdtempSync, rmSync, writeFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import type { DataFile } from '../file-listing.ts';
import { estimateCsvRows } from './csv-row-estimate.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-csv-rows-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: Buffer | string): DataFile {
  const path = join(dir, name);
  writeFileSync(path, content);
  return { path, size: statSync(path).size, partitionValues: new Map() };
}

const lines = (n: number, from = 0): string =>
  Array.from({ length: n }, (_, i) => `${from + i}|some text of a row ${(from + i) % 97}|1995-01-01|\n`).join(
    '',
  );

describe('estimateCsvRows', () => {
  it('divides the files’ text size by the bytes per line of a sample', () => {
    const a = file('a.csv', lines(50_000));
    const b = file('b.csv', lines(10_000, 50_000));
    const est = estimateCsvRows([a, b], () => false)!;
    expect(Math.abs(est - 60_000) / 60_000).toBeLessThan(0.05);
  });

  it('reads the text size of gzip files from their trailer', () => {
    const gz = file('c.csv.gz', gzipSync(Buffer.from(lines(40_000))));
    const est = estimateCsvRows([gz], () => true)!;
    expect(Math.abs(est - 40_000) / 40_000).toBeLessThan(0.05);
  });

  it('is 0 for no data, null for what cannot be read', () => {
    expect(estimateCsvRows([], () => false)).toBe(0);
    expect(estimateCsvRows([file('e.csv', '')], () => false)).toBe(0);
    expect(
      estimateCsvRows(
        [{ path: join(dir, 'missing.csv'), size: 10, partitionValues: new Map() }],
        () => false,
      ),
    ).toBeNull();
    expect(estimateCsvRows([file('bad.csv.gz', 'not gzip at all, just text')], () => true)).toBeNull();
  });
});
