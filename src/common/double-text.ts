/**
 * Doubles and floats as text the way Spark (Java) prints them: casts to STRING, the CLI, and the
 * numbers written into JSON.
 */

/** Java's Double.toString as Spark prints doubles: `1.0`, `0.1`, `1.0E10`, `1.0E-5`, `NaN`, `Infinity`. */
export function doubleToString(x: number, float = false): string {
  if (Number.isNaN(x)) return 'NaN';
  if (x === Infinity) return 'Infinity';
  if (x === -Infinity) return '-Infinity';
  if (x === 0) return Object.is(x, -0) ? '-0.0' : '0.0';
  let text = String(x);
  if (float) {
    for (let k = 1; k <= 9; k++) {
      const candidate = Number(x.toPrecision(k));
      if (Math.fround(candidate) === x) {
        text = String(candidate);
        break;
      }
    }
  }
  const v = Number(text);
  const a = Math.abs(v);
  if (a >= 1e-3 && a < 1e7) {
    if (text.includes('e')) text = v.toFixed(20).replace(/0+$/, '');
    return text.includes('.') ? text : `${text}.0`;
  }
  const [mant, exp] = v.toExponential().split('e') as [string, string];
  const m = mant.includes('.') ? mant : `${mant}.0`;
  return `${m}E${exp.startsWith('+') ? exp.slice(1) : exp}`;
}
