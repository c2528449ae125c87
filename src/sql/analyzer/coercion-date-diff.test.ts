import { describe, expect, it } from 'vitest';
import { T, dayTimeIntervalType, type DataType, type Value } from '../../common/index.ts';
import { exprType, type Expr } from '../../plan/index.ts';
import { bindArithmetic } from './coercion.ts';

const lit = (value: Value, type: DataType): Expr => ({ kind: 'literal', value, type });

describe('date - date', () => {
  it('binds to date_diff_interval returning a day-time interval (Spark 4 INTERVAL DAY)', () => {
    const e = bindArithmetic('-', lit(19783, T.date), lit(19754, T.date), 'x', 0, true);
    expect(e.kind).toBe('call');
    expect(e.kind === 'call' ? e.name : '').toBe('date_diff_interval');
    expect(exprType(e)).toEqual(dayTimeIntervalType('day'));
  });

  it('date + date is still a type mismatch', () => {
    expect(() => bindArithmetic('+', lit(1, T.date), lit(2, T.date), 'x', 0, true)).toThrow(
      /DATATYPE_MISMATCH/,
    );
  });
});
