import { describe, expect, it } from 'vitest';
import {
  T,
  dayTimeIntervalType,
  typeToString,
  yearMonthIntervalType,
  type DataType,
  type Value,
} from '../../common/index.ts';
import { exprType, type Expr } from '../../plan/index.ts';
import { bindArithmetic } from './coercion.ts';

const lit = (value: Value, type: DataType): Expr => ({ kind: 'literal', value, type });
const DAY = 86_400_000_000n;
const date = lit(19783, T.date);
const str = lit('2024-02-01', T.string);
const bind = (op: '+' | '-', l: Expr, r: Expr): Expr => bindArithmetic(op, l, r, 'x', 1, true);
const typeOf = (op: '+' | '-', l: Expr, r: Expr): string => typeToString(exprType(bind(op, l, r)));
const callName = (e: Expr): string => (e.kind === 'call' ? e.name : e.kind);
const err = (f: () => unknown): { sqlstate: string; message: string } => {
  try {
    f();
  } catch (e) {
    return e as { sqlstate: string; message: string };
  }
  throw new Error('expected an error');
};

describe('date/timestamp/interval arithmetic (Spark 4 BinaryArithmetic resolution)', () => {
  it('date ± INTERVAL DAY and year-month intervals stay dates; time fields make a timestamp', () => {
    expect(typeOf('+', date, lit(29n * DAY, dayTimeIntervalType('day')))).toBe('date');
    expect(typeOf('-', date, lit(29n * DAY, dayTimeIntervalType('day')))).toBe('date');
    expect(typeOf('+', lit(DAY, dayTimeIntervalType('day')), date)).toBe('date');
    expect(typeOf('+', date, lit(14, yearMonthIntervalType('year', 'month')))).toBe('date');
    expect(typeOf('-', date, lit(24n * 3_600_000_000n, dayTimeIntervalType('hour')))).toBe('timestamp');
    expect(typeOf('+', date, lit(DAY, T.intervalDayTime))).toBe('timestamp');
  });

  it('date + (date - date) is a date', () => {
    const diff = bind('-', date, lit(19754, T.date));
    expect(typeToString(exprType(diff))).toBe('interval day');
    expect(typeOf('+', date, diff)).toBe('date');
  });

  it('a string or NULL beside a date in `-` is read as a date: INTERVAL DAY', () => {
    const a = bind('-', date, str);
    expect(callName(a)).toBe('date_diff_interval');
    expect(typeToString(exprType(a))).toBe('interval day');
    expect(typeOf('-', str, date)).toBe('interval day');
    expect(typeOf('-', lit(null, T.null), date)).toBe('interval day');
    // date - NULL is date_sub(date, NULL), a date
    expect(typeOf('-', date, lit(null, T.null))).toBe('date');
    expect(typeOf('+', date, lit(null, T.null))).toBe('date');
  });

  it('date + string and date + double are 42K09 UNEXPECTED_INPUT_TYPE (date_add rejects them)', () => {
    for (const r of [str, lit(10, T.double), lit(1, T.date)]) {
      const e = err(() => bind('+', date, r));
      expect(e.sqlstate).toBe('42K09');
      expect(e.message).toMatch(/^\[DATATYPE_MISMATCH\.UNEXPECTED_INPUT_TYPE\]/);
    }
    expect(err(() => bind('+', str, date)).sqlstate).toBe('42K09');
  });

  it('timestamp - timestamp is INTERVAL DAY TO SECOND; a string is read as a timestamp', () => {
    const ts = lit(0n, T.timestamp);
    expect(typeOf('-', ts, ts)).toBe('interval day to second');
    expect(typeOf('-', ts, date)).toBe('interval day to second');
    expect(typeOf('-', ts, lit('2024-01-01', T.string))).toBe('interval day to second');
    expect(typeOf('+', ts, lit(1, yearMonthIntervalType('month')))).toBe('timestamp');
  });

  it('interval ± interval widens to the union of the fields; families do not mix', () => {
    expect(typeOf('+', lit(DAY, dayTimeIntervalType('day')), lit(1n, dayTimeIntervalType('hour')))).toBe(
      'interval day to hour',
    );
    expect(
      typeOf('-', lit(1n, dayTimeIntervalType('minute')), lit(1n, dayTimeIntervalType('hour', 'second'))),
    ).toBe('interval hour to second');
    expect(typeOf('+', lit(1, yearMonthIntervalType('year')), lit(1, yearMonthIntervalType('month')))).toBe(
      'interval year to month',
    );
    expect(typeOf('+', lit(null, T.null), lit(1, yearMonthIntervalType('month')))).toBe('interval month');
    const e = err(() =>
      bind('+', lit(1, yearMonthIntervalType('month')), lit(DAY, dayTimeIntervalType('day'))),
    );
    expect(e.sqlstate).toBe('42K09');
    expect(e.message).toContain('BINARY_OP_DIFF_TYPES');
    expect(e.message).toContain('("INTERVAL MONTH" and "INTERVAL DAY")');
  });

  it('interval * number has the full-range type, as Spark types it', () => {
    const e = bindArithmetic('*', lit(DAY, dayTimeIntervalType('day')), lit(2, T.int), 'x', 1, true);
    expect(typeToString(exprType(e))).toBe('interval day to second');
  });

  it('numeric type mismatches are 42K09 BINARY_OP_DIFF_TYPES', () => {
    const e = err(() => bind('+', lit(1, T.int), lit(true, T.boolean)));
    expect(e.sqlstate).toBe('42K09');
    expect(e.message).toMatch(/^\[DATATYPE_MISMATCH\.BINARY_OP_DIFF_TYPES\]/);
  });
});
