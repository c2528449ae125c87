/**
 * Conversions between timestamps or dates and counts since the Unix epoch (Spark's
 * timestamp_seconds/millis/micros, unix_seconds/millis/micros, unix_date, date_from_unix_date).
 * Timestamps are microseconds since 1970-01-01 00:00 UTC; dates are days since 1970-01-01.
 */
import { T, fromArrowType, isIntegral, type DataType } from '../../common/index.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { INT64_MAX, INT64_MIN, overflowError } from '../kernels/common.ts';
import { pow10 } from '../kernels/decimal.ts';
import { checkArity, evaluateRows, simple, typeMismatch } from './define.ts';

const MICROS_PER_SECOND = 1_000_000n;

/** A count times `factor` as microseconds; beyond the long range it overflows as Spark's multiplyExact. */
function scaledMicros(n: bigint, factor: bigint, ansi: boolean): bigint | null {
  const micros = n * factor;
  if (micros > INT64_MAX || micros < INT64_MIN) {
    if (ansi) throw overflowError('long');
    return null;
  }
  return micros;
}

/** Floor division, so that instants before the epoch round towards the past. */
function floorDiv(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

/** timestamp_seconds takes any number: integral counts exactly, fractions to the microsecond. */
const timestampSeconds: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'timestamp_seconds',
  description:
    'timestamp_seconds(seconds) - The timestamp that many seconds (fractions allowed) after the epoch.',
  resolve(argTypes) {
    checkArity('timestamp_seconds', argTypes, 1, 1);
    const t = argTypes[0]!;
    const arg: DataType =
      t.kind === 'null'
        ? T.bigint
        : isIntegral(t)
          ? T.bigint
          : t.kind === 'float' || t.kind === 'double'
            ? T.double
            : t;
    if (arg.kind !== 'bigint' && arg.kind !== 'double' && arg.kind !== 'decimal') {
      throw typeMismatch('timestamp_seconds', 0, '"NUMERIC"', t);
    }
    return { argTypes: [arg], returnType: T.timestamp };
  },
  evaluate(args, numRows, returnType, ctx) {
    const arg = args[0]!;
    const argType = arg.kind === 'scalar' ? arg.type : fromArrowType(arg.data.type);
    const scale = argType.kind === 'decimal' ? argType.scale : 0;
    return evaluateRows(
      args,
      [T.bigint],
      numRows,
      returnType,
      ctx,
      (v, c) => {
        const x = v[0]!;
        if (typeof x === 'number') {
          if (!Number.isFinite(x)) return null;
          return scaledMicros(BigInt(Math.trunc(x * 1e6)), 1n, c.ansi);
        }
        if (scale === 0) return scaledMicros(x as bigint, MICROS_PER_SECOND, c.ansi);
        // A decimal's unscaled value: shift to microseconds, dropping digits past them.
        const unscaled = x as bigint;
        const micros = scale <= 6 ? unscaled * pow10(6 - scale) : unscaled / pow10(scale - 6);
        return scaledMicros(micros, 1n, c.ansi);
      },
      true,
    );
  },
};

export const epochFunctions: readonly ScalarFunctionDef[] = [
  timestampSeconds,
  simple({
    name: 'timestamp_millis',
    description: 'timestamp_millis(milliseconds) - The timestamp that many milliseconds after the epoch.',
    args: [[T.bigint]],
    returns: T.timestamp,
    row: (v, ctx) => scaledMicros(v[0] as bigint, 1000n, ctx.ansi),
  }),
  simple({
    name: 'timestamp_micros',
    description: 'timestamp_micros(microseconds) - The timestamp that many microseconds after the epoch.',
    args: [[T.bigint]],
    returns: T.timestamp,
    row: (v) => v[0] as bigint,
  }),
  simple({
    name: 'unix_seconds',
    description: 'unix_seconds(timestamp) - Whole seconds since the epoch (earlier fractions round down).',
    args: [[T.timestamp]],
    returns: T.bigint,
    row: (v) => floorDiv(v[0] as bigint, MICROS_PER_SECOND),
  }),
  simple({
    name: 'unix_millis',
    description:
      'unix_millis(timestamp) - Whole milliseconds since the epoch (earlier fractions round down).',
    args: [[T.timestamp]],
    returns: T.bigint,
    row: (v) => floorDiv(v[0] as bigint, 1000n),
  }),
  simple({
    name: 'unix_micros',
    description: 'unix_micros(timestamp) - Microseconds since the epoch.',
    args: [[T.timestamp]],
    returns: T.bigint,
    row: (v) => v[0] as bigint,
  }),
  simple({
    name: 'unix_date',
    description: 'unix_date(date) - Days since 1970-01-01.',
    args: [[T.date]],
    returns: T.int,
    row: (v) => v[0] as number,
  }),
  simple({
    name: 'date_from_unix_date',
    description: 'date_from_unix_date(days) - The date that many days after 1970-01-01.',
    args: [[T.int]],
    returns: T.date,
    row: (v) => v[0] as number,
  }),
];
