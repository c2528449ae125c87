/**
 * Exact decimal helpers on unscaled BigInt values: powers of ten, HALF_UP / HALF_EVEN rescaling,
 * parsing and printing, and reading/writing Decimal64/Decimal128 columns.
 */
import type * as arrow from 'apache-arrow';
import {
  MAX_DECIMAL64_PRECISION,
  decimal128Words,
  decimal64Values,
  makeColumn,
  readDecimal128,
  writeDecimal128,
  type DataType,
} from '../../common/index.ts';
import type { ColumnarValue } from '../registry.ts';

export const POW10: readonly bigint[] = Array.from({ length: 80 }, (_, i) => 10n ** BigInt(i));
export const POW10_NUM: readonly number[] = Array.from({ length: 23 }, (_, i) => 10 ** i);

export function pow10(k: number): bigint {
  return POW10[k] ?? 10n ** BigInt(k);
}

/** Largest unscaled magnitude of DECIMAL(p, _). */
export function maxUnscaled(precision: number): bigint {
  return pow10(precision) - 1n;
}

function abs(v: bigint): bigint {
  return v < 0n ? -v : v;
}

/** a / b rounded HALF_UP (away from zero on ties). */
export function divHalfUp(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  if (2n * abs(r) >= abs(b)) return a < 0n !== b < 0n ? q - 1n : q + 1n;
  return q;
}

/** a / b rounded HALF_EVEN. */
export function divHalfEven(a: bigint, b: bigint): bigint {
  const q = a / b;
  const r = a % b;
  if (r === 0n) return q;
  const twice = 2n * abs(r);
  const bb = abs(b);
  const neg = a < 0n !== b < 0n;
  if (twice > bb || (twice === bb && (q & 1n) !== 0n)) return neg ? q - 1n : q + 1n;
  return q;
}

/** a / b rounded toward negative infinity. */
export function divFloor(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
}

export function divCeil(a: bigint, b: bigint): bigint {
  const q = a / b;
  return a % b !== 0n && a < 0n === b < 0n ? q + 1n : q;
}

export type RoundingMode = 'half_up' | 'half_even' | 'floor' | 'ceiling' | 'down';

/** Changes the scale of an unscaled value, rounding when the scale shrinks. */
export function rescale(v: bigint, from: number, to: number, mode: RoundingMode = 'half_up'): bigint {
  if (to === from) return v;
  if (to > from) return v * pow10(to - from);
  const d = pow10(from - to);
  switch (mode) {
    case 'half_up':
      return divHalfUp(v, d);
    case 'half_even':
      return divHalfEven(v, d);
    case 'floor':
      return divFloor(v, d);
    case 'ceiling':
      return divCeil(v, d);
    case 'down':
      return v / d;
  }
}

export function fitsPrecision(v: bigint, precision: number): boolean {
  const m = maxUnscaled(precision);
  return v <= m && v >= -m;
}

/** `-12.50` for (-1250n, 2): exactly `scale` fractional digits. */
export function decimalToString(v: bigint, scale: number): string {
  const neg = v < 0n;
  let digits = (neg ? -v : v).toString();
  if (scale > 0) {
    if (digits.length <= scale) digits = '0'.repeat(scale - digits.length + 1) + digits;
    digits = `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  }
  return neg ? `-${digits}` : digits;
}

const DECIMAL_RE = /^([+-])?(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/** Parses decimal text into (unscaled, scale); undefined when malformed. Accepts exponents. */
export function parseDecimalText(text: string): { unscaled: bigint; scale: number } | undefined {
  const m = DECIMAL_RE.exec(text.trim());
  if (m === null) return undefined;
  const intPart = m[2] ?? '';
  const frac = m[3] ?? '';
  if (intPart === '' && frac === '') return undefined;
  let scale = frac.length - (m[4] === undefined ? 0 : Number(m[4]));
  let unscaled = BigInt((intPart + frac).replace(/^0+(?=\d)/, '') || '0');
  if (scale < 0) {
    unscaled *= pow10(-scale);
    scale = 0;
  }
  if (m[1] === '-') unscaled = -unscaled;
  return { unscaled, scale };
}

/** Converts text to DECIMAL(p,s) with HALF_UP; undefined when malformed, null when it overflows. */
export function textToDecimal(text: string, precision: number, scale: number): bigint | null | undefined {
  const parsed = parseDecimalText(text);
  if (parsed === undefined) return undefined;
  const v = rescale(parsed.unscaled, parsed.scale, scale);
  return fitsPrecision(v, precision) ? v : null;
}

/** Exact decimal value of a finite double at `scale`, HALF_UP (via its shortest decimal text). */
export function doubleToDecimal(x: number, scale: number): bigint {
  const parsed = parseDecimalText(String(x))!;
  return rescale(parsed.unscaled, parsed.scale, scale);
}

export function decimalToDouble(v: bigint, scale: number): number {
  if (scale === 0) return Number(v);
  return Number(decimalToString(v, scale));
}

/** Reads unscaled values of a decimal ColumnarValue row by row (cold or 128-bit paths). */
export function decimalGetter(v: ColumnarValue, t: DataType): (i: number) => bigint {
  if (v.kind === 'scalar') {
    const value = (v.value ?? 0n) as bigint;
    return () => value;
  }
  const p = t.kind === 'decimal' ? t.precision : 38;
  if (p <= MAX_DECIMAL64_PRECISION) {
    const values = decimal64Values(v.data);
    return (i) => values[i]!;
  }
  const words = decimal128Words(v.data);
  return (i) => readDecimal128(words, i);
}

/** A writer of unscaled values into a new decimal column of `type`. */
/**
 * Writes integer `v` (|v| ≤ 2^53) as the two's-complement 64-bit value in `words[o]` (low) and
 * `words[o + 1]` (high), without a BigInt.
 */
export function writeInt53(words: Int32Array, o: number, v: number): void {
  const hi = Math.floor(v / 4294967296);
  words[o] = v - hi * 4294967296;
  words[o + 1] = hi;
}

export class DecimalColumnWriter {
  readonly wide: boolean;
  readonly values: BigInt64Array;
  readonly type: DataType;
  readonly length: number;
  readonly #words: Int32Array;
  constructor(type: DataType, length: number) {
    this.type = type;
    this.length = length;
    this.wide = type.kind === 'decimal' && type.precision > MAX_DECIMAL64_PRECISION;
    this.values = new BigInt64Array(this.wide ? 2 * length : length);
    this.#words = new Int32Array(this.values.buffer);
  }
  set(i: number, v: bigint): void {
    if (this.wide) writeDecimal128(this.values, i, v);
    else this.values[i] = v;
  }
  /** `set` of an unscaled value that is an integer with |v| ≤ 2^53. */
  setSmall(i: number, v: number): void {
    const words = this.#words;
    if (this.wide) {
      const o = 4 * i;
      writeInt53(words, o, v);
      const sign = v < 0 ? -1 : 0;
      words[o + 2] = sign;
      words[o + 3] = sign;
    } else writeInt53(words, 2 * i, v);
  }
  finish(valid: Uint8Array | null): arrow.Data {
    return makeColumn(this.type, this.values, this.length, valid);
  }
}
