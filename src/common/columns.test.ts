import { describe, expect, it } from 'vitest';
import { decimal64Values } from './arrow.ts';
import { batchRows, columnFromValues, unpackBits, unpackValidity, valueAt } from './columns.ts';
import { makeBatch } from './arrow.ts';
import type { DataType, Value } from './types.ts';

const CASES: [DataType, Value[]][] = [
  [{ kind: 'boolean' }, [true, false, null, true, false, true, true, false, null, true]],
  [{ kind: 'tinyint' }, [1, -128, null, 127]],
  [{ kind: 'smallint' }, [1, -32768, null, 32767]],
  [{ kind: 'int' }, [1, -2147483648, null, 2147483647]],
  [{ kind: 'bigint' }, [1n, -9223372036854775808n, null, 9223372036854775807n]],
  [{ kind: 'double' }, [1.5, -0, null, Infinity]],
  [{ kind: 'decimal', precision: 15, scale: 2 }, [125n, -5n, null, 999999999999999n]],
  [{ kind: 'decimal', precision: 38, scale: 6 }, [10n ** 37n, -(10n ** 30n) - 7n, null, 1n]],
  [{ kind: 'string' }, ['a', '', null, 'héllo wörld']],
  [{ kind: 'date' }, [0, -719162, null, 10957]],
  [{ kind: 'timestamp' }, [0n, -1n, null, 1700000000123456n]],
];

describe('columns', () => {
  it.each(CASES)('round-trips %o values', (type, values) => {
    const col = columnFromValues(type, values);
    expect(values.map((_, i) => valueAt(col, type, i))).toEqual(values);
  });

  it.each(CASES)('reads %o columns sliced by Arrow', (type, values) => {
    const col = columnFromValues(type, values).slice(1, values.length - 1);
    expect(values.slice(1).map((_, i) => valueAt(col, type, i))).toEqual(values.slice(1));
  });

  it('unpacks sliced booleans and validity at the slice offset', () => {
    const values = [true, false, null, true, false, true, true, false, null, true];
    const col = columnFromValues({ kind: 'boolean' }, values).slice(3, 6);
    expect([...unpackBits(col)]).toEqual([1, 0, 1, 1, 0, 0]);
    expect([...unpackValidity(col)]).toEqual([1, 1, 1, 1, 1, 0]);
  });

  it('views sliced 64-bit decimals from the first row of the slice', () => {
    const col = columnFromValues({ kind: 'decimal', precision: 10, scale: 2 }, [1n, 2n, 3n]).slice(1, 2);
    expect([...decimal64Values(col)]).toEqual([2n, 3n]);
  });

  it('builds batches and reads their rows back', () => {
    const types: DataType[] = [{ kind: 'int' }, { kind: 'string' }];
    const batch = makeBatch(
      { fields: types.map((type, i) => ({ name: `c${i}`, type, nullable: true })) },
      [columnFromValues(types[0]!, [1, null]), columnFromValues(types[1]!, [null, 'x'])],
      2,
    );
    expect(batchRows(batch, types)).toEqual([
      [1, null],
      [null, 'x'],
    ]);
  });
});
