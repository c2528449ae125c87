/**
 * PostgreSQL's output of float4/float8 (extra_float_digits = 1, the default since PostgreSQL 12):
 * the shortest decimal that reads back to the same value, in fixed notation when the decimal
 * exponent is in [-4, 15) for float8 ([-4, 6) for float4), else `d.ddde+XX`.
 */

/** Shortest round-trip text of a float8, as PostgreSQL prints it. */
export function formatFloat8(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const abs = x < 0 ? -x : x;
  // JavaScript prints shortest digits in fixed notation for exponents in [-7, 21): same as PostgreSQL here.
  if (abs >= 1e-4 && abs < 1e15) return String(x);
  return layout(x.toExponential(), 15);
}

/** Shortest round-trip text of a float4 (a value already rounded to single precision). */
export function formatFloat4(x: number): string {
  if (x !== x) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0' : '0';
  const f = Math.fround(x);
  for (let p = 1; p <= 9; p++) {
    const s = f.toExponential(p - 1);
    if (Math.fround(Number(s)) === f) return layout(s, 6);
  }
  return layout(f.toExponential(8), 6);
}

/** Lays out JavaScript exponential text (`-1.25e+3`) PostgreSQL's way for the given fixed threshold. */
function layout(expText: string, fixedBelow: number): string {
  const negative = expText.charCodeAt(0) === 45;
  const e = expText.indexOf('e');
  const mantissa = expText.slice(negative ? 1 : 0, e);
  const exp = Number(expText.slice(e + 1));
  let digits = mantissa.replace('.', '');
  // Strip trailing zeros that toExponential(p) may have produced.
  let end = digits.length;
  while (end > 1 && digits.charCodeAt(end - 1) === 48) end--;
  digits = digits.slice(0, end);
  const sign = negative ? '-' : '';
  if (exp >= -4 && exp < fixedBelow) {
    const n = digits.length;
    if (exp >= n - 1) return sign + digits + '0'.repeat(exp - n + 1);
    if (exp >= 0) return `${sign}${digits.slice(0, exp + 1)}.${digits.slice(exp + 1)}`;
    return `${sign}0.${'0'.repeat(-exp - 1)}${digits}`;
  }
  const a = Math.abs(exp);
  const frac = digits.length > 1 ? `.${digits.slice(1)}` : '';
  return `${sign}${digits[0]}${frac}e${exp < 0 ? '-' : '+'}${a < 10 ? '0' : ''}${a}`;
}
