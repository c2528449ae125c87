/**
 * Engine result values as text in the answer files' terms: decimals with their scale, dates as
 * YYYY-MM-DD, NULL as `NULL`, fractional doubles with six decimals (the comparison is numeric).
 */
import type { DataType, QueryRows, Value } from '../../src/index.ts';

const DAY_MS = 86_400_000;

function decimalText(unscaled: bigint, scale: number): string {
  if (scale === 0) return unscaled.toString();
  const negative = unscaled < 0n;
  const digits = (negative ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  return negative ? `-${text}` : text;
}

/** A double as the comparison expects it: integers plain, others with six decimals. */
export function numberText(n: number): string {
  if (Number.isInteger(n) && Math.abs(n) < 1e21) return String(n);
  if (!Number.isFinite(n)) return String(n);
  return n.toFixed(6);
}

/** Plain text of a value of another type (TPC-H results have only scalars). */
function plainText(value: Value): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'bigint' || typeof value === 'boolean')
    return String(value);
  return JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
}

export function renderValue(value: Value, type: DataType): string {
  if (value === null) return 'NULL';
  switch (type.kind) {
    case 'decimal':
      return typeof value === 'bigint' ? decimalText(value, type.scale) : plainText(value);
    case 'date':
      return typeof value === 'number'
        ? new Date(value * DAY_MS).toISOString().slice(0, 10)
        : plainText(value);
    case 'float':
    case 'double':
      return typeof value === 'number' ? numberText(value) : plainText(value);
    default:
      return plainText(value);
  }
}

/** Every row of a result rendered with `renderValue`. */
export function renderRows(result: QueryRows): string[][] {
  return result.rows.map((row) => row.map((v, i) => renderValue(v, result.types[i]!)));
}
