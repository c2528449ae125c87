import { describe, expect, it } from 'vitest';
import { T, dayTimeIntervalType, field, yearMonthIntervalType } from '../../common/index.ts';
import type { TableDefinition } from '../types.ts';
import { decodeTable, encodeTable } from './metadata-codec.ts';

const table = (columns: TableDefinition['columns']): TableDefinition => ({
  database: 'default',
  name: 't',
  columns,
  format: 'parquet',
  location: '/tmp/t',
  options: {},
  partitionColumns: [],
  external: false,
  comment: null,
  properties: {},
  createdAt: '2024-01-01T00:00:00Z',
});

describe('interval column types in metadata', () => {
  it('round-trips start/end fields', () => {
    const cols = [
      field('d', dayTimeIntervalType('day')),
      field('hm', dayTimeIntervalType('hour', 'minute')),
      field('y', yearMonthIntervalType('year')),
    ];
    expect(decodeTable('f', encodeTable(table(cols))).columns).toEqual(cols);
  });

  it('reads metadata written before the fields existed as the full ranges', () => {
    const text = encodeTable(table([field('a', T.intervalDayTime), field('b', T.intervalYearMonth)]));
    const cols = decodeTable('f', text).columns;
    expect(cols.map((c) => c.type)).toEqual([{ kind: 'interval_day_time' }, { kind: 'interval_year_month' }]);
  });

  it('rejects an unknown field as corrupt (XX001)', () => {
    const text = encodeTable(table([field('a', dayTimeIntervalType('day'))])).replace('"day"', '"days"');
    expect(() => decodeTable('f', text)).toThrow(expect.objectContaining({ sqlstate: 'XX001' }));
  });
});

describe('TIME column types in metadata', () => {
  it('round-trip their precision, with statistics of their values', () => {
    const cols = [field('t', T.time), field('t0', { kind: 'time', precision: 0 })];
    const statistics = {
      rowCount: 2,
      totalBytes: 16,
      columns: { t: { min: 0n, max: 86_399_999_999n, nullCount: 0 } },
    };
    const def = { ...table(cols), statistics };
    expect(decodeTable('f', encodeTable(def))).toEqual(def);
  });

  it('reject a precision out of range as corrupt (XX001)', () => {
    const text = encodeTable(table([field('t', { kind: 'time', precision: 3 })])).replace(
      '"precision": 3',
      '"precision": 7',
    );
    expect(() => decodeTable('f', text)).toThrow(expect.objectContaining({ sqlstate: 'XX001' }));
  });
});

describe('statistics in metadata', () => {
  const cols = [
    field('i', T.int),
    field('b', T.bigint),
    field('m', T.decimal(30, 2)),
    field('d', T.double),
    field('t', T.timestamp),
    field('f', T.boolean),
    field('s', T.string),
  ];

  it('round-trips every kind of value exactly (bigints as text, not as lossy numbers)', () => {
    const statistics = {
      rowCount: 10,
      totalBytes: 1234,
      columns: {
        i: { min: -3, max: 7, nullCount: 1, distinctCount: 9, avgLen: 4, maxLen: 4 },
        b: { min: -(2n ** 63n), max: 2n ** 63n - 1n, nullCount: 0 },
        m: { min: -(10n ** 29n), max: 10n ** 29n },
        d: { min: -Infinity, max: 2.5 },
        t: { min: 1700000000000000n, max: 1700000000000001n },
        f: { min: false, max: true },
        s: { nullCount: 2, avgLen: 3, maxLen: 9 },
      },
    };
    const def = { ...table(cols), statistics };
    expect(decodeTable('f', encodeTable(def))).toEqual(def);
    const sizeOnly = { ...table(cols), statistics: { rowCount: null, totalBytes: 5, columns: {} } };
    expect(decodeTable('f', encodeTable(sizeOnly))).toEqual(sizeOnly);
    expect(decodeTable('f', encodeTable(table(cols))).statistics).toBeUndefined();
  });

  it('rejects statistics that do not fit the column or are not counts (XX001)', () => {
    const bad = (statistics: unknown): string =>
      JSON.stringify({ formatVersion: 1, kind: 'table', table: { ...table(cols), statistics } });
    for (const s of [
      { sizeInBytes: -1, rowCount: 1, columns: {} },
      { sizeInBytes: 1, rowCount: 1.5, columns: {} },
      { sizeInBytes: 1, rowCount: 1, columns: { i: { min: 'x', max: '2' } } },
      { sizeInBytes: 1, rowCount: 1, columns: { b: { min: '1.5', max: '2' } } },
      { sizeInBytes: 1, rowCount: 1, columns: { nope: { nullCount: 1 } } },
      'text',
    ]) {
      expect(() => decodeTable('f', bad(s))).toThrow(expect.objectContaining({ sqlstate: 'XX001' }));
    }
  });
});
