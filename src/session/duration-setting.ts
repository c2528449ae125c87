/**
 * PostgreSQL's integer settings measured in milliseconds (`statement_timeout`): the values `SET`
 * accepts and the form `SHOW` prints, as PostgreSQL's `parse_int` and `_ShowOption` do.
 *
 *   SET statement_timeout = 1500      → 1500 ms   SHOW → 1500ms
 *   SET statement_timeout = '5s'      → 5000 ms   SHOW → 5s
 *   SET statement_timeout = '1.5min'  → 90000 ms  SHOW → 90s
 *   SET statement_timeout = '0x10'    → 16 ms     SHOW → 16ms      (C's strtol: hex and octal too)
 *   SET statement_timeout = 0         → no limit  SHOW → 0
 *
 * A number may be fractional (rounded to the next smaller unit, then to whole milliseconds) and may
 * be followed by whitespace and one unit, case-sensitive: `us`, `ms`, `s`, `min`, `h`, `d`.
 */
import { EngineError, SqlState } from '../common/index.ts';

/** Largest unit first: `SHOW` picks the first one that divides the value. */
const UNITS: readonly { readonly name: string; readonly ms: number }[] = [
  { name: 'd', ms: 86_400_000 },
  { name: 'h', ms: 3_600_000 },
  { name: 'min', ms: 60_000 },
  { name: 's', ms: 1000 },
  { name: 'ms', ms: 1 },
  { name: 'us', ms: 0.001 },
];

const INT_MAX = 2_147_483_647;

const UNITS_HINT = 'Valid units for this parameter are "us", "ms", "s", "min", "h", and "d".';

/** C's `strtol(s, &end, 0)`: leading space, a sign, then hex (`0x`), octal (`0…`) or decimal digits. */
const INTEGER = /^\s*([+-]?)(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)/;
/** C's `strtod` for decimal input. */
const FLOAT = /^\s*[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?/;

function invalid(name: string, value: string, hint?: string): EngineError {
  return new EngineError(
    SqlState.invalidParameterValue,
    `invalid value for parameter "${name}": "${value}"`,
    hint === undefined ? {} : { hint },
  );
}

/** Reads a number the way `strtol` then `strtod` do; null when there is none. */
function leadingNumber(value: string): { number: number; rest: string } | null {
  const int = INTEGER.exec(value);
  if (int !== null) {
    const rest = value.slice(int[0].length);
    if (!/^[.eE]/.test(rest)) {
      const digits = int[2]!;
      const magnitude =
        digits.length > 1 && (digits[1] === 'x' || digits[1] === 'X')
          ? parseInt(digits.slice(2), 16)
          : digits.length > 1 && digits.startsWith('0')
            ? parseInt(digits, 8)
            : Number(digits);
      return { number: int[1] === '-' ? -magnitude : magnitude, rest };
    }
  }
  const float = FLOAT.exec(value);
  if (float === null) return null;
  return { number: Number(float[0]), rest: value.slice(float[0].length) };
}

/**
 * Parses a millisecond setting as PostgreSQL does, checking it lies in 0 … 2147483647 ms. Errors are
 * PostgreSQL's, with SQLSTATE 22023.
 */
export function parseMilliseconds(name: string, value: string): number {
  const parsed = leadingNumber(value);
  if (parsed === null || !Number.isFinite(parsed.number)) throw invalid(name, value);
  let ms = parsed.number;
  const unitText = parsed.rest.trim();
  if (unitText !== '') {
    const i = UNITS.findIndex((u) => u.name === unitText);
    if (i < 0) throw invalid(name, value, UNITS_HINT);
    ms *= UNITS[i]!.ms;
    // A fractional value is rounded to a whole number of the next smaller unit ('1.0004s' → 1000 ms).
    const smaller = UNITS[i + 1];
    if (smaller !== undefined) ms = Math.round(ms / smaller.ms) * smaller.ms;
  }
  // C's rint: halves to even.
  const whole = Math.round(ms);
  ms = Math.abs(ms % 1) === 0.5 && whole % 2 !== 0 ? whole - 1 : whole;
  if (ms > INT_MAX || ms < -INT_MAX - 1) throw invalid(name, value, 'Value exceeds integer range.');
  if (ms < 0) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `${ms} ms is outside the valid range for parameter "${name}" (0 .. ${INT_MAX})`,
    );
  }
  return ms === 0 ? 0 : ms; // no -0
}

/** PostgreSQL's `SHOW` form: the largest unit that divides the value (`5s`, `90s`, `1500ms`), `0` for none. */
export function formatMilliseconds(ms: number): string {
  if (ms === 0) return '0';
  for (const unit of UNITS) {
    if (unit.ms >= 1 && ms % unit.ms === 0) return `${ms / unit.ms}${unit.name}`;
  }
  return `${ms}ms`;
}
