import { describe, expect, it } from 'vitest';
import type { EngineError } from '../../common/index.ts';
import { T, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { buildMap, mapLookup } from './map.ts';
import { call } from './test-helpers.ts';

const MAP_INT_STRING: DataType = { kind: 'map', key: T.int, value: T.string, valueContainsNull: true };

describe('map columns', () => {
  it('round-trip through an Arrow Map column, NULL maps and NULL values kept', () => {
    const values: Value[] = [
      new Map<Value, Value>([
        [1, 'a'],
        [2, null],
      ]),
      null,
      new Map<Value, Value>(),
      new Map<Value, Value>([[3, 'ü']]),
    ];
    const col = columnFromValues(MAP_INT_STRING, values);
    expect(col.length).toBe(4);
    const back = values.map((_, i) => valueAt(col, MAP_INT_STRING, i));
    expect(back.map((m) => (m === null ? null : [...(m as Map<Value, Value>)]))).toEqual([
      [
        [1, 'a'],
        [2, null],
      ],
      null,
      [],
      [[3, 'ü']],
    ]);
  });
});

describe('map keys', () => {
  it('binary and struct keys compare by value', () => {
    const m = buildMap([
      [new Uint8Array([1, 2]), 'bin'],
      [[1, 'x'], 'struct'],
    ]);
    expect(mapLookup(m, new Uint8Array([1, 2]))).toBe('bin');
    expect(mapLookup(m, [1, 'x'])).toBe('struct');
    expect(mapLookup(m, [1, 'y'])).toBeUndefined();
    expect(() =>
      buildMap([
        [[1, 'x'], 1],
        [[1, 'x'], 2],
      ]),
    ).toThrow(/DUPLICATED_MAP_KEY/);
  });

  it('NULL keys raise 2200E with or without ANSI', () => {
    try {
      buildMap([[null, 1]]);
      expect.unreachable();
    } catch (e) {
      expect((e as EngineError).sqlstate).toBe('2200E');
    }
  });

  it('element_at finds a decimal key and size counts entries', () => {
    const m = call('map', [
      [15n, T.decimal(2, 1)],
      ['x', T.string],
    ]);
    const mt: DataType = { kind: 'map', key: T.decimal(2, 1), value: T.string, valueContainsNull: true };
    expect(
      call('element_at', [
        [m, mt],
        [15n, T.decimal(2, 1)],
      ]),
    ).toBe('x');
    expect(
      call(
        'element_at',
        [
          [m, mt],
          [16n, T.decimal(2, 1)],
        ],
        undefined,
        true,
      ),
    ).toBeNull();
    expect(call('size', [[m, mt]], undefined, true)).toBe(1);
  });
});
