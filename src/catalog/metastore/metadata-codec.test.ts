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
