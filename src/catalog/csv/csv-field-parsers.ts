/**
 * Parsing single CSV fields straight from UTF-8 bytes (`buf[s..e)`) into numbers, without creating
 * JS strings on the fast path. Each parser returns its value and reports failure through `status`
 * (module state, read right after the call): OK, MALFORMED, or SLOW (valid-looking but needs the
 * exact BigInt path — more than 15 significant digits, or exponent notation).
 */

export const OK = 0;
export const MALFORMED = 1;
export const SLOW = 2;

/** The status of the last fast parse. */
export let status = OK;

const POW10 = new Float64Array(23);
for (let i = 0, p = 1; i < 23; i++, p *= 10) POW10[i] = p;
const TWO32 = 4294967296;

export function latin1(buf: Uint8Array, s: number, e: number): string {
  let out = '';
  for (let i = s; i < e; i++) out += String.fromCharCode(buf[i]!);
  return out;
}

/** An integer of up to 15 significant digits; SLOW when longer, MALFORMED when not an integer. */
/**
 * Whether `buf[s..e)` is well-formed UTF-8 (no stray continuation bytes, truncated sequences,
 * overlong forms, surrogates or code points above U+10FFFF). ASCII runs cost one test a byte.
 */
export function isValidUtf8(buf: Uint8Array, s: number, e: number): boolean {
  let i = s;
  while (i < e) {
    const b = buf[i]!;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    let cp: number;
    if (b >= 0xc2 && b <= 0xdf) {
      need = 1;
      min = 0x80;
      cp = b & 0x1f;
    } else if (b >= 0xe0 && b <= 0xef) {
      need = 2;
      min = 0x800;
      cp = b & 0x0f;
    } else if (b >= 0xf0 && b <= 0xf4) {
      need = 3;
      min = 0x10000;
      cp = b & 0x07;
    } else return false;
    if (i + need >= e) return false; // the sequence runs past the field
    for (let k = 1; k <= need; k++) {
      const c = buf[i + k]!;
      if ((c & 0xc0) !== 0x80) return false;
      cp = (cp << 6) | (c & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return false;
    i += need + 1;
  }
  return true;
}

export function parseIntFast(buf: Uint8Array, s: number, e: number): number {
  let i = s;
  let neg = false;
  if (i < e) {
    const c = buf[i]!;
    if (c === 45) {
      neg = true;
      i++;
    } else if (c === 43) i++;
  }
  if (i === e) {
    status = MALFORMED;
    return 0;
  }
  let m = 0;
  let digits = 0;
  for (; i < e; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) {
      status = MALFORMED;
      return 0;
    }
    m = m * 10 + d;
    if (m !== 0) digits++;
  }
  status = digits > 15 ? SLOW : OK;
  return neg ? -m : m;
}

/** An integer of any length as a bigint, or null when malformed. */
export function parseBigIntSlow(buf: Uint8Array, s: number, e: number): bigint | null {
  const text = latin1(buf, s, e);
  if (!/^[+-]?\d+$/.test(text)) return null;
  return BigInt(text.startsWith('+') ? text.slice(1) : text);
}

/**
 * A decimal with `scale` fractional digits as a scaled integer (fractional digits beyond the scale
 * round HALF_UP). MALFORMED when not a number or when it needs more than `precision` digits.
 */
export function parseDecimalFast(
  buf: Uint8Array,
  s: number,
  e: number,
  precision: number,
  scale: number,
): number {
  let i = s;
  let neg = false;
  if (i < e) {
    const c = buf[i]!;
    if (c === 45) {
      neg = true;
      i++;
    } else if (c === 43) i++;
  }
  let m = 0;
  let intDigits = 0;
  let sawDigit = false;
  for (; i < e; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    sawDigit = true;
    if (m !== 0 || d !== 0) intDigits++;
    m = m * 10 + d;
  }
  let frac = 0;
  let roundUp = false;
  if (i < e && buf[i] === 46) {
    i++;
    for (; i < e; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      sawDigit = true;
      if (frac < scale) {
        m = m * 10 + d;
        frac++;
      } else if (frac === scale) {
        roundUp = d >= 5;
        frac++;
      }
    }
  }
  if (!sawDigit || i !== e) {
    status = sawDigit && i < e && (buf[i] === 101 || buf[i] === 69) ? SLOW : MALFORMED;
    return 0;
  }
  if (intDigits > precision - scale) {
    status = MALFORMED;
    return 0;
  }
  if (intDigits + scale > 15) {
    status = SLOW;
    return 0;
  }
  if (frac < scale) m *= POW10[scale - frac]!;
  if (roundUp) {
    m += 1;
    if (m >= POW10[precision]!) {
      status = MALFORMED;
      return 0;
    }
  }
  status = OK;
  return neg ? -m : m;
}

/** The exact (BigInt) decimal parser: exponents, any number of digits. Null when malformed or too wide. */
export function parseDecimalSlow(
  buf: Uint8Array,
  s: number,
  e: number,
  precision: number,
  scale: number,
): bigint | null {
  const match = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/.exec(latin1(buf, s, e));
  if (match === null) return null;
  const intPart = match[2] ?? '';
  const fracPart = match[3] ?? '';
  if (intPart === '' && fracPart === '') return null;
  const exponent = match[4] === undefined ? 0 : Number(match[4]);
  if (Math.abs(exponent) > 1000) return null;
  // value = digits * 10^(exponent - fracPart.length); we want round(value * 10^scale).
  const digits = BigInt(intPart + fracPart);
  const shift = exponent - fracPart.length + scale;
  let unscaled: bigint;
  if (shift >= 0) unscaled = digits * 10n ** BigInt(shift);
  else {
    const divisor = 10n ** BigInt(-shift);
    unscaled = digits / divisor;
    if ((digits % divisor) * 2n >= divisor) unscaled += 1n;
  }
  if (unscaled >= 10n ** BigInt(precision)) return null;
  return match[1] === '-' ? -unscaled : unscaled;
}

/** Writes a safe integer as a little-endian two's complement 64-bit value at word `w` (2 words). */
export function writeInt64Words(words: Uint32Array, w: number, v: number): void {
  if (v >= 0) {
    words[w] = v % TWO32;
    words[w + 1] = Math.floor(v / TWO32);
  } else {
    const a = -v;
    const lo = a % TWO32;
    const hi = Math.floor(a / TWO32);
    words[w] = (~lo + 1) >>> 0;
    words[w + 1] = (~hi + (lo === 0 ? 1 : 0)) >>> 0;
  }
}

function equalsAscii(buf: Uint8Array, s: number, e: number, text: string): boolean {
  if (e - s !== text.length) return false;
  for (let i = 0; i < text.length; i++) if (buf[s + i] !== text.charCodeAt(i)) return false;
  return true;
}

const JAVA_DOUBLE = /^[+-]?(?:(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?|Infinity|NaN)[dDfF]?$/;

/**
 * A double as Java's `Double.parseDouble` reads it, plus the `nanValue`/`positiveInf`/`negativeInf`
 * spellings. Fast path: up to 15 digits and 22 fractional digits, exact by one correctly rounded division.
 */
export function parseDouble(
  buf: Uint8Array,
  s: number,
  e: number,
  nanValue: string,
  positiveInf: string,
  negativeInf: string,
): number {
  let i = s;
  let neg = false;
  if (i < e) {
    const c = buf[i]!;
    if (c === 45) {
      neg = true;
      i++;
    } else if (c === 43) i++;
  }
  let m = 0;
  let digits = 0;
  let sawDigit = false;
  for (; i < e; i++) {
    const d = buf[i]! - 48;
    if (d < 0 || d > 9) break;
    sawDigit = true;
    m = m * 10 + d;
    if (m !== 0) digits++;
  }
  let frac = 0;
  if (i < e && buf[i] === 46) {
    i++;
    for (; i < e; i++) {
      const d = buf[i]! - 48;
      if (d < 0 || d > 9) break;
      sawDigit = true;
      m = m * 10 + d;
      frac++;
      if (m !== 0) digits++;
    }
  }
  if (i === e && sawDigit && digits <= 15 && frac <= 22) {
    status = OK;
    const v = frac === 0 ? m : m / POW10[frac]!;
    return neg ? -v : v;
  }
  if (equalsAscii(buf, s, e, nanValue)) {
    status = OK;
    return NaN;
  }
  if (equalsAscii(buf, s, e, positiveInf)) {
    status = OK;
    return Infinity;
  }
  if (equalsAscii(buf, s, e, negativeInf)) {
    status = OK;
    return -Infinity;
  }
  const text = latin1(buf, s, e).trim();
  if (!JAVA_DOUBLE.test(text)) {
    status = MALFORMED;
    return 0;
  }
  status = OK;
  return Number(/[dDfF]$/.test(text) ? text.slice(0, -1) : text);
}

/** `true`/`false`, case-insensitive: 1 or 0, or -1 when malformed. */
export function parseBoolean(buf: Uint8Array, s: number, e: number): number {
  const n = e - s;
  if (n === 4) {
    if (
      (buf[s]! | 32) === 116 &&
      (buf[s + 1]! | 32) === 114 &&
      (buf[s + 2]! | 32) === 117 &&
      (buf[s + 3]! | 32) === 101
    ) {
      return 1;
    }
  } else if (n === 5) {
    if (
      (buf[s]! | 32) === 102 &&
      (buf[s + 1]! | 32) === 97 &&
      (buf[s + 2]! | 32) === 108 &&
      (buf[s + 3]! | 32) === 115 &&
      (buf[s + 4]! | 32) === 101
    ) {
      return 0;
    }
  }
  return -1;
}
