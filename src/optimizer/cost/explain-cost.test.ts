import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import * as b from '../test-support.ts';
import { bytesToString, explainCost, threeDigits } from './explain-cost.ts';

describe('EXPLAIN COST', () => {
  it("prints sizes and row counts as Spark's Statistics.simpleString does", () => {
    // The pairs of Spark's StatisticsSuite "number format in statistics".
    const cases: [bigint, string, string][] = [
      [0n, '0.0 B', '0'],
      [100n, '100.0 B', '100'],
      [2047n, '2047.0 B', '2.05E+3'],
      [2048n, '2.0 KiB', '2.05E+3'],
      [3333333n, '3.2 MiB', '3.33E+6'],
      [4444444444n, '4.1 GiB', '4.44E+9'],
      [5555555555555n, '5.1 TiB', '5.56E+12'],
      [6666666666666666n, '5.9 PiB', '6.67E+15'],
      [(1n << 10n) * (1n << 60n), '1024.0 EiB', '1.18E+21'],
      [(1n << 11n) * (1n << 60n), '2.36E+21 B', '2.36E+21'],
    ];
    for (const [n, size, rows] of cases) {
      expect(bytesToString(n)).toBe(size);
      expect(threeDigits(n)).toBe(rows);
    }
    expect(threeDigits(9995)).toBe('1.00E+4');
  });

  it('appends each node its estimate', () => {
    const env = b.testEnv();
    const v = env.values(
      [
        ['id', T.int],
        ['tag', T.string],
      ],
      [
        [1, 'a'],
        [2, 'b'],
        [3, 'a'],
      ],
    );
    const plan = env.filter(v, b.gt(b.c(v, 'id'), b.int(1)));
    expect(explainCost(plan).split('\n')).toEqual([
      'Filter: id > Int32(1), Statistics(sizeInBytes=64.0 B, rowCount=2)',
      '  Values: output=[id, tag], rows=[(Int32(1), Utf8("a")), (Int32(2), Utf8("b")), (Int32(3), Utf8("a"))], Statistics(sizeInBytes=96.0 B, rowCount=3)',
    ]);
  });
});
