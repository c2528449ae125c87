/**
 * Math functions. Rounding of decimals is exact (HALF_UP for round, HALF_EVEN for bround) with
 * Spark's result types; rounding of doubles goes through their shortest decimal text, as Spark's
 * BigDecimal(double) does, so round(2.675, 2) = 2.68.
 */
import { fromArrowType } from '../../common/index.ts';
import { makeColumn } from '../../common/index.ts';
import type { Data } from 'apache-arrow';
import { EngineError, SqlState, T, isIntegral, type DataType, type Value } from '../../common/index.ts';
import type { ColumnarValue, ResolveContext, ScalarFunctionDef } from '../registry.ts';
import { decimalArithmeticType } from '../type-coercion.ts';
import { arithmetic } from '../kernels/arithmetic.ts';
import { compareValues } from '../kernels/compare.ts';
import { INT64_MAX, INT64_MIN, intRange, overflowError } from '../kernels/common.ts';
import {
  decimalToDouble,
  doubleToDecimal,
  fitsPrecision,
  pow10,
  rescale,
  type RoundingMode,
} from '../kernels/decimal.ts';
import { castColumnar } from '../kernels/cast.ts';
import {
  checkArity,
  coerce,
  commonType,
  evaluateRows,
  requireNumeric,
  simple,
  typeMismatch,
  isNumericType,
  requireOrderable,
} from './define.ts';

const D = T.double;

function unaryDouble(
  name: string,
  description: string,
  f: (x: number) => number | null,
  aliases?: readonly string[],
): ScalarFunctionDef {
  return simple({
    name,
    ...(aliases === undefined ? {} : { aliases }),
    description,
    args: [[D]],
    returns: D,
    row: (v) => f(v[0] as number),
  });
}

function roundType(t: DataType, scale: number): DataType {
  if (t.kind !== 'decimal') return t;
  const intDigits = t.precision - t.scale + 1;
  if (scale < 0)
    return { kind: 'decimal', precision: Math.min(Math.max(intDigits, -scale + 1), 38), scale: 0 };
  const s = Math.min(t.scale, scale);
  return { kind: 'decimal', precision: Math.min(intDigits + s, 38), scale: s };
}

function roundValue(
  v: Value,
  from: DataType,
  to: DataType,
  scale: number,
  mode: RoundingMode,
  failOnError: boolean,
): Value {
  switch (from.kind) {
    case 'decimal': {
      const toScale = to.kind === 'decimal' ? to.scale : 0;
      let r: bigint;
      if (scale < 0) r = rescale(rescale(v as bigint, from.scale, scale, mode), scale, 0);
      else
        r =
          rescale(v as bigint, from.scale, Math.min(from.scale, scale), mode) *
          pow10(toScale - Math.min(from.scale, scale));
      if (to.kind === 'decimal' && !fitsPrecision(r, to.precision)) {
        if (failOnError) throw overflowError('decimal', 'try_round');
        return null;
      }
      return r;
    }
    case 'float':
    case 'double': {
      const x = v as number;
      if (!Number.isFinite(x)) return x;
      const d = doubleToDecimal(x, Math.max(scale, 0) + 20);
      const r = rescale(d, Math.max(scale, 0) + 20, scale, mode);
      const out = scale >= 0 ? decimalToDouble(r, scale) : Number(r) * 10 ** -scale;
      return from.kind === 'float' ? Math.fround(out) : out;
    }
    default: {
      if (scale >= 0) return v;
      const big = BigInt(v as number | bigint);
      const r = rescale(big, 0, scale, mode) * pow10(-scale);
      if (from.kind === 'bigint') {
        if (r > INT64_MAX || r < INT64_MIN) {
          if (failOnError) throw overflowError('long', 'try_round');
          return null;
        }
        return r;
      }
      const [lo, hi] = intRange(from);
      const n = Number(r);
      if (n < lo || n > hi) {
        if (failOnError) throw overflowError(from.kind, 'try_round');
        return null;
      }
      return n;
    }
  }
}

function roundDef(name: string, mode: RoundingMode): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: `${name}(x[, d]) - x rounded to d decimal places (${mode === 'half_up' ? 'HALF_UP' : 'HALF_EVEN'}).`,
    resolve(argTypes, ctx: ResolveContext) {
      checkArity(name, argTypes, 1, 2);
      const t = requireNumeric(name, 0, argTypes[0]!);
      if (argTypes.length === 2) coerce(name, 1, argTypes[1]!, T.int);
      const lit = ctx.literalArgs[1];
      const scale = argTypes.length === 2 ? (typeof lit === 'number' ? lit : 0) : 0;
      return { argTypes: argTypes.length === 2 ? [t, T.int] : [t], returnType: roundType(t, scale) };
    },
    evaluate(args, numRows, returnType, ctx) {
      const from = args[0]!.kind === 'scalar' ? args[0]!.type : inputType(args[0]!, returnType);
      return evaluateRows(
        args,
        [from, T.int],
        numRows,
        returnType,
        ctx,
        (v) => roundValue(v[0]!, from, returnType, (v[1] as number | undefined) ?? 0, mode, ctx.ansi),
        true,
      );
    },
  };
}

function inputType(v: ColumnarValue, fallback: DataType): DataType {
  if (v.kind === 'scalar') return v.type;
  try {
    return fromArrowType(v.data.type);
  } catch {
    return fallback;
  }
}

function floorCeil(name: string, mode: 'floor' | 'ceiling', aliases?: readonly string[]): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    ...(aliases === undefined ? {} : { aliases }),
    description: `${name}(x[, d]) - The ${mode === 'floor' ? 'largest' : 'smallest'} value not ${mode === 'floor' ? 'greater' : 'less'} than x.`,
    resolve(argTypes, ctx) {
      checkArity(name, argTypes, 1, 2);
      const t = requireNumeric(name, 0, argTypes[0]!);
      if (argTypes.length === 2) {
        const lit = ctx.literalArgs[1];
        const scale = typeof lit === 'number' ? lit : 0;
        return { argTypes: [t, T.int], returnType: roundType(t, scale) };
      }
      const rt: DataType =
        t.kind === 'decimal'
          ? { kind: 'decimal', precision: Math.min(t.precision - t.scale + 1, 38), scale: 0 }
          : T.bigint;
      return { argTypes: [t], returnType: rt };
    },
    evaluate(args, numRows, returnType, ctx) {
      const from = inputType(args[0]!, returnType);
      return evaluateRows(
        args,
        [from, T.int],
        numRows,
        returnType,
        ctx,
        (v) => {
          const scale = (v[1] as number | undefined) ?? 0;
          if (v.length === 1 && returnType.kind === 'bigint') {
            if (from.kind === 'decimal') return rescale(v[0] as bigint, from.scale, 0, mode);
            if (typeof v[0] === 'bigint') return v[0];
            const x = v[0] as number;
            if (Number.isNaN(x)) return 0n;
            const r = mode === 'floor' ? Math.floor(x) : Math.ceil(x);
            if (!Number.isFinite(r) || r >= 9223372036854775807 || r < -9223372036854775808)
              return r > 0 ? INT64_MAX : INT64_MIN;
            return BigInt(r);
          }
          return roundValue(v[0]!, from, returnType, scale, mode, ctx.ansi);
        },
        true,
      );
    },
  };
}

function numericResult(name: string, argTypes: readonly DataType[]): DataType {
  argTypes.forEach((t, i) => {
    if (!isNumericType(t) && t.kind !== 'string') throw typeMismatch(name, i, '"NUMERIC"', t);
  });
  const t = commonType(
    name,
    argTypes.map((x) => (x.kind === 'string' ? D : x)),
  );
  return t.kind === 'string' ? D : t;
}

function modDef(name: string, positive: boolean): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: `${name}(a, b) - The ${positive ? 'positive ' : ''}remainder of a / b.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 2, 2);
      const t = numericResult(name, argTypes);
      const rt = t.kind === 'decimal' ? decimalArithmeticType('%', t, t) : t;
      return { argTypes: [t, t], returnType: rt };
    },
    evaluate(args, numRows, returnType, ctx) {
      const t = args[0]!.kind === 'scalar' ? args[0]!.type : inputType(args[0]!, returnType);
      const r = arithmetic('%', args[0]!, args[1]!, t, t, returnType, numRows, ctx.ansi ? 'error' : 'wrap');
      if (!positive) return r;
      const withB = arithmetic(
        '+',
        r,
        castColumnar(args[1]!, t, returnType, 'legacy', numRows, ctx),
        returnType,
        returnType,
        returnType.kind === 'decimal' ? decimalArithmeticType('+', returnType, returnType) : returnType,
        numRows,
        'null',
      );
      const plusB = castColumnar(
        withB,
        returnType.kind === 'decimal' ? decimalArithmeticType('+', returnType, returnType) : returnType,
        returnType,
        'legacy',
        numRows,
        ctx,
      );
      return evaluateRows(
        [r, plusB, args[1]!],
        [returnType, returnType, t],
        numRows,
        returnType,
        ctx,
        (v) => {
          const x = v[0]!;
          const neg = typeof x === 'bigint' ? x < 0n : (x as number) < 0;
          if (!neg) return x;
          const y = v[2]!;
          const yNeg = typeof y === 'bigint' ? y < 0n : (y as number) < 0;
          return yNeg ? x : v[1]!;
        },
        true,
      );
    },
  };
}

function extremum(name: 'greatest' | 'least'): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: `${name}(expr, ...) - The ${name === 'greatest' ? 'largest' : 'smallest'} non-NULL argument.`,
    resolve(argTypes) {
      if (argTypes.length < 2) {
        throw new EngineError(
          SqlState.wrongNumArgs,
          `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires > 1 parameters but the actual number is ${argTypes.length}.`,
        );
      }
      const t = commonType(name, argTypes);
      requireOrderable(name, t);
      return { argTypes: argTypes.map(() => t), returnType: t, nullable: true };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        args.map(() => returnType),
        numRows,
        returnType,
        ctx,
        (v) => {
          let best: Value = null;
          for (const x of v) {
            if (x === null) continue;
            if (best === null) best = x;
            else {
              const c = compareValues(x, best, returnType);
              if (name === 'greatest' ? c > 0 : c < 0) best = x;
            }
          }
          return best;
        },
        false,
      );
    },
  };
}

const absDef: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'abs',
  description: 'abs(x) - The absolute value.',
  resolve(argTypes) {
    checkArity('abs', argTypes, 1, 1);
    const t = requireNumeric('abs', 0, argTypes[0]!);
    return { argTypes: [t], returnType: t };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [returnType],
      numRows,
      returnType,
      ctx,
      (v) => {
        const x = v[0]!;
        if (typeof x === 'bigint') {
          const r = x < 0n ? -x : x;
          if (returnType.kind === 'bigint' && r > INT64_MAX) {
            if (ctx.ansi) throw overflowError('long');
            return null;
          }
          return r;
        }
        const r = Math.abs(x as number);
        if (isIntegral(returnType) && r > intRange(returnType)[1]) {
          if (ctx.ansi) throw overflowError(returnType.kind === 'int' ? 'integer' : returnType.kind);
          return null;
        }
        return r;
      },
      true,
    );
  },
};

function logOf(x: number): number | null {
  return x <= 0 ? null : Math.log(x);
}

let seedState = 0;
function seededRandom(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const randDef: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'rand',
  aliases: ['random'],
  description: 'rand([seed]) - A uniformly distributed random double in [0, 1).',
  deterministic: false,
  resolve(argTypes) {
    checkArity('rand', argTypes, 0, 1);
    return {
      argTypes: argTypes.length === 1 ? [coerce('rand', 0, argTypes[0]!, T.bigint)] : [],
      returnType: D,
      nullable: false,
    };
  },
  evaluate(args, numRows, returnType) {
    const seed =
      args[0]?.kind === 'scalar' && args[0].value !== null
        ? Number(args[0].value)
        : (seedState = (seedState + 1) >>> 0) ^ Date.now();
    const next = seededRandom(seed);
    const out = new Float64Array(numRows);
    for (let i = 0; i < numRows; i++) out[i] = next();
    if (numRows === 1 && args.every((a) => a.kind === 'scalar'))
      return { kind: 'scalar', value: out[0]!, type: returnType };
    return { kind: 'array', data: columnData(out, numRows) };
  },
};

function columnData(out: Float64Array, n: number): Data {
  return makeColumn(D, out, n, null);
}

export const mathFunctions: readonly ScalarFunctionDef[] = [
  absDef,
  roundDef('round', 'half_up'),
  roundDef('bround', 'half_even'),
  floorCeil('floor', 'floor'),
  floorCeil('ceil', 'ceiling', ['ceiling']),
  modDef('mod', false),
  modDef('pmod', true),
  simple({
    name: 'pow',
    aliases: ['power'],
    description: 'pow(x, y) - x raised to the power y.',
    args: [[D, D]],
    returns: D,
    row: (v) => Math.pow(v[0] as number, v[1] as number),
  }),
  unaryDouble('sqrt', 'sqrt(x) - The square root.', Math.sqrt),
  unaryDouble('cbrt', 'cbrt(x) - The cube root.', Math.cbrt),
  unaryDouble('ln', 'ln(x) - The natural logarithm; NULL for x <= 0.', logOf),
  unaryDouble('log10', 'log10(x) - The base-10 logarithm; NULL for x <= 0.', (x) =>
    x <= 0 ? null : Math.log10(x),
  ),
  unaryDouble('log2', 'log2(x) - The base-2 logarithm; NULL for x <= 0.', (x) =>
    x <= 0 ? null : Math.log2(x),
  ),
  unaryDouble('log1p', 'log1p(x) - ln(1 + x); NULL for x <= -1.', (x) => (x <= -1 ? null : Math.log1p(x))),
  simple({
    name: 'log',
    description:
      'log([base, ]x) - The logarithm of x (natural, or in the given base); NULL for non-positive input.',
    args: [[D], [D, D]],
    returns: D,
    row: (v) => {
      if (v.length === 1) return logOf(v[0] as number);
      const b = v[0] as number;
      const x = v[1] as number;
      if (b <= 0 || x <= 0) return null;
      return Math.log(x) / Math.log(b);
    },
  }),
  unaryDouble('exp', 'exp(x) - e to the power x.', Math.exp),
  unaryDouble('expm1', 'expm1(x) - exp(x) - 1.', Math.expm1),
  unaryDouble(
    'sign',
    'sign(x) - -1.0, 0.0 or 1.0 by the sign of x.',
    (x) => (Number.isNaN(x) ? NaN : x > 0 ? 1 : x < 0 ? -1 : 0),
    ['signum'],
  ),
  extremum('greatest'),
  extremum('least'),
  simple({ name: 'pi', description: 'pi() - π.', args: [[]], returns: D, row: () => Math.PI }),
  simple({ name: 'e', description: "e() - Euler's number.", args: [[]], returns: D, row: () => Math.E }),
  unaryDouble('sin', 'sin(x) - The sine.', Math.sin),
  unaryDouble('cos', 'cos(x) - The cosine.', Math.cos),
  unaryDouble('tan', 'tan(x) - The tangent.', Math.tan),
  unaryDouble('asin', 'asin(x) - The arc sine.', Math.asin),
  unaryDouble('acos', 'acos(x) - The arc cosine.', Math.acos),
  unaryDouble('atan', 'atan(x) - The arc tangent.', Math.atan),
  unaryDouble('sinh', 'sinh(x) - The hyperbolic sine.', Math.sinh),
  unaryDouble('cosh', 'cosh(x) - The hyperbolic cosine.', Math.cosh),
  unaryDouble('tanh', 'tanh(x) - The hyperbolic tangent.', Math.tanh),
  unaryDouble('cot', 'cot(x) - The cotangent.', (x) => 1 / Math.tan(x)),
  unaryDouble('sec', 'sec(x) - The secant, 1 / cos(x).', (x) => 1 / Math.cos(x)),
  unaryDouble('csc', 'csc(x) - The cosecant, 1 / sin(x).', (x) => 1 / Math.sin(x)),
  // The inverse hyperbolic functions by Spark's formulas, so results agree to the last digit.
  unaryDouble('asinh', 'asinh(x) - The inverse hyperbolic sine.', (x) =>
    x === -Infinity ? -Infinity : Math.log(x + Math.sqrt(x * x + 1)),
  ),
  unaryDouble('acosh', 'acosh(x) - The inverse hyperbolic cosine.', (x) =>
    Math.log(x + Math.sqrt(x * x - 1)),
  ),
  unaryDouble(
    'atanh',
    'atanh(x) - The inverse hyperbolic tangent.',
    (x) => 0.5 * (Math.log1p(x) - Math.log1p(-x)),
  ),
  {
    kind: 'scalar',
    name: 'positive',
    description: 'positive(x) - x itself.',
    resolve(argTypes) {
      checkArity('positive', argTypes, 1, 1);
      const t = argTypes[0]!;
      const type =
        t.kind === 'interval_year_month' || t.kind === 'interval_day_time'
          ? t
          : requireNumeric('positive', 0, t);
      return { argTypes: [type], returnType: type };
    },
    evaluate: (args) => args[0]!,
  },
  simple({
    name: 'width_bucket',
    description:
      'width_bucket(value, min, max, n) - The bucket (1 to n) of value among n equal-width buckets of [min, max); 0 below, n + 1 above.',
    args: [[D, D, D, T.bigint]],
    returns: T.bigint,
    row: (v) => widthBucket(v[0] as number, v[1] as number, v[2] as number, v[3] as bigint),
  }),
  simple({
    name: 'bin',
    description: "bin(x) - The binary digits of the long x (two's complement when negative).",
    args: [[T.bigint]],
    returns: T.string,
    row: (v) => BigInt.asUintN(64, v[0] as bigint).toString(2),
  }),
  simple({
    name: 'atan2',
    description: 'atan2(y, x) - The angle of the point (x, y).',
    args: [[D, D]],
    returns: D,
    row: (v) => Math.atan2(v[0] as number, v[1] as number),
  }),
  unaryDouble('degrees', 'degrees(x) - Radians to degrees.', (x) => (x * 180) / Math.PI),
  unaryDouble('radians', 'radians(x) - Degrees to radians.', (x) => (x * Math.PI) / 180),
  randDef,
];

/** Spark's WidthBucket: NULL for no buckets, an empty or non-finite range, or a NaN value. */
function widthBucket(value: number, min: number, max: number, n: bigint): bigint | null {
  if (
    n <= 0n ||
    n === INT64_MAX ||
    Number.isNaN(value) ||
    min === max ||
    !Number.isFinite(min) ||
    !Number.isFinite(max)
  ) {
    return null;
  }
  const buckets = Number(n);
  if (min < max) {
    if (value < min) return 0n;
    if (value >= max) return n + 1n;
    return BigInt(Math.trunc((buckets * (value - min)) / (max - min))) + 1n;
  }
  if (value > min) return 0n;
  if (value <= max) return n + 1n;
  return BigInt(Math.trunc((buckets * (min - value)) / (min - max))) + 1n;
}

/** pmod helper is exported for tests. */
export function numberToBigint(x: number): bigint {
  return BigInt(Math.trunc(x));
}
