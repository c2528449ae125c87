import { describe, expect, it } from 'vitest';
import { T, field } from '../common/index.ts';
import {
  appendStatistics,
  mergeStoredStatistics,
  replacePartStatistics,
  statisticsText,
  writtenStatistics,
} from './statistics.ts';
import type { Statistics, TableDefinition } from './types.ts';

const def = (statistics?: Statistics): TableDefinition => ({
  database: 'default',
  name: 't',
  columns: [field('a', T.int), field('s', T.string)],
  format: 'parquet',
  location: '/nowhere',
  options: {},
  partitionColumns: [],
  external: false,
  comment: null,
  properties: {},
  createdAt: '2024-01-01T00:00:00Z',
  ...(statistics === undefined ? {} : { statistics }),
});

describe('stored statistics', () => {
  it('answer alone when complete, and are filled in from the files otherwise', () => {
    const files: Statistics = {
      rowCount: 5,
      totalBytes: 100,
      columns: { a: { min: 1, max: 9, nullCount: 0 }, s: { nullCount: 2 } },
    };
    let computed = 0;
    const compute = (): Statistics => (computed++, files);
    const complete: Statistics = {
      rowCount: 4,
      totalBytes: 90,
      columns: { a: { nullCount: 1 }, S: { nullCount: 0 } },
    };
    expect(mergeStoredStatistics(def(complete), compute)).toBe(complete);
    expect(computed).toBe(0);
    expect(mergeStoredStatistics(def(), compute)).toBe(files);
    const sizeOnly: Statistics = { rowCount: null, totalBytes: 70, columns: { a: { distinctCount: 3 } } };
    expect(mergeStoredStatistics(def(sizeOnly), compute)).toEqual({
      rowCount: 5,
      totalBytes: 70,
      columns: { a: { min: 1, max: 9, nullCount: 0, distinctCount: 3 }, s: { nullCount: 2 } },
    });
  });

  it('append: counts add, bounds widen (all-NULL sides keep the other), exactness-losing fields go', () => {
    const before: Statistics = {
      rowCount: 3,
      totalBytes: 10,
      columns: {
        a: { min: 2, max: 5, nullCount: 1, distinctCount: 2, avgLen: 4, maxLen: 4 },
        s: { nullCount: 3 },
      },
    };
    const added: Statistics = {
      rowCount: 2,
      totalBytes: 6,
      columns: { a: { nullCount: 2 }, s: { nullCount: 0 } },
    };
    expect(appendStatistics(before, added)).toEqual({
      rowCount: 5,
      totalBytes: 16,
      columns: { a: { min: 2, max: 5, nullCount: 3 }, s: { nullCount: 3 } },
    });
    const wider: Statistics = {
      rowCount: 1,
      totalBytes: 1,
      columns: { a: { min: -1, max: 3, nullCount: 0 } },
    };
    expect(appendStatistics(before, wider).columns?.a).toEqual({ min: -1, max: 5, nullCount: 1 });
    // unknown on one side: the counts are unknown after
    expect(appendStatistics({ rowCount: null, totalBytes: 1 }, wider)).toMatchObject({
      rowCount: null,
      totalBytes: 2,
    });
    // into an empty table: what was added
    expect(appendStatistics({ rowCount: 0, totalBytes: 0, columns: {} }, wider)).toEqual(wider);
  });

  it('partial overwrite keeps exact counts only', () => {
    const before: Statistics = {
      rowCount: 10,
      totalBytes: 100,
      columns: { a: { min: 1, max: 9, nullCount: 2 } },
    };
    const removed: Statistics = { rowCount: 4, totalBytes: 40, columns: { a: { nullCount: 1 } } };
    const added: Statistics = { rowCount: 1, totalBytes: 9, columns: { a: { nullCount: 0 } } };
    expect(replacePartStatistics(before, removed, added)).toEqual({
      rowCount: 7,
      totalBytes: 69,
      columns: { a: { nullCount: 1 } },
    });
  });

  it('writes keep bounds only for types Spark keeps them for', () => {
    const files: Statistics = {
      rowCount: 2,
      totalBytes: 9,
      columns: { a: { min: 1, max: 2, nullCount: 0 }, s: { min: 'a', max: 'b', nullCount: 0 } },
    };
    expect(writtenStatistics(def(), files).columns).toEqual({
      a: { min: 1, max: 2, nullCount: 0 },
      s: { nullCount: 0 },
    });
  });

  it('print as Spark prints CatalogStatistics', () => {
    expect(statisticsText({ rowCount: 2, totalBytes: 864 })).toBe('864 bytes, 2 rows');
    expect(statisticsText({ rowCount: null, totalBytes: 864 })).toBe('864 bytes');
  });
});
