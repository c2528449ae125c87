import { describe, expect, it } from 'vitest';
import { EngineError, T, type DataType, type Value } from '../common/index.ts';
import { formatTable, formatValue } from './format.ts';
import { describeError } from './program.ts';

describe('terminal output', () => {
  it('renders values as spark-sql prints them', () => {
    expect(formatValue(null, { kind: 'int' }, 'UTC')).toBe('NULL');
    expect(formatValue(-5n, { kind: 'decimal', precision: 15, scale: 2 }, 'UTC')).toBe('-0.05');
    expect(formatValue(1e10, { kind: 'double' }, 'UTC')).toBe('1.0E10');
    expect(formatValue(10957, { kind: 'date' }, 'UTC')).toBe('2000-01-01');
    expect(formatValue(0n, { kind: 'timestamp' }, 'America/Los_Angeles')).toBe('1969-12-31 16:00:00');
    expect(formatValue(true, { kind: 'boolean' }, 'UTC')).toBe('true');
  });

  it('renders arrays, maps and structs as spark-sql does (Hive-style, strings quoted inside)', () => {
    const point: DataType = {
      kind: 'struct',
      fields: [
        { name: 'x', type: T.int, nullable: true },
        { name: 'y', type: T.string, nullable: true },
      ],
    };
    expect(formatValue([1, null, 3], T.array(T.int), 'UTC')).toBe('[1,null,3]');
    expect(formatValue(['a', null, ''], T.array(T.string), 'UTC')).toBe('["a",null,""]');
    expect(formatValue([], T.array(T.int), 'UTC')).toBe('[]');
    expect(formatValue([1, 'a'], point, 'UTC')).toBe('{"x":1,"y":"a"}');
    expect(formatValue([null, null], point, 'UTC')).toBe('{"x":null,"y":null}');
    const map: DataType = { kind: 'map', key: T.decimal(2, 1), value: T.string, valueContainsNull: true };
    // Entries sorted by their text, whatever the map's order.
    expect(
      formatValue(
        new Map<Value, Value>([
          [30n, '4'],
          [10n, null],
        ]),
        map,
        'UTC',
      ),
    ).toBe('{1.0:null,3.0:"4"}');
    expect(formatValue([[1, 'p'], null], T.array(point), 'UTC')).toBe('[{"x":1,"y":"p"},null]');
    expect(formatValue([10957], T.array(T.date), 'UTC')).toBe('[2000-01-01]');
  });

  it('aligns a table, numbers to the right, with a row count', () => {
    const table = formatTable(
      ['name', 'n'],
      [{ kind: 'string' }, { kind: 'bigint' }],
      [
        ['a', '1'],
        ['bbb', '22'],
      ],
    );
    expect(table).toBe('name |  n\n-----+---\na    |  1\nbbb  | 22\n(2 rows)');
    expect(formatTable(['x'], [{ kind: 'int' }], [])).toBe('x\n-\n(0 rows)');
  });

  it('points at the error position with line, column and a caret', () => {
    const err = new EngineError('42703', 'column `zz` cannot be resolved', {
      position: 18,
      hint: 'did you mean z?',
    });
    expect(describeError(err, 'SELECT 1;\nSELECT zz')).toBe(
      'ERROR [42703] (line 2, column 8): column `zz` cannot be resolved\n  SELECT zz\n         ^\nHINT: did you mean z?',
    );
    expect(describeError(new EngineError('XX000', 'boom'), 'SELECT 1')).toBe('ERROR [XX000]: boom');
  });
});
