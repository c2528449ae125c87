/**
 * Text rendering of results for the terminal: values as Spark's `spark-sql` shows them, laid out as
 * an aligned table with a row count.
 */
import type { DataType, Value } from '../common/index.ts';

function pad2(n: number): string {
  return String(n).padStart(2, '0');
}

/** Days since 1970-01-01 → `YYYY-MM-DD` (proleptic Gregorian). */
export function formatDate(days: number): string {
  const d = new Date(days * 86_400_000);
  const y = d.getUTCFullYear();
  const year = y < 0 ? `-${String(-y).padStart(4, '0')}` : String(y).padStart(4, '0');
  return `${year}-${pad2(d.getUTCMonth() + 1)}-${pad2(d.getUTCDate())}`;
}

/** Microseconds since the epoch → `YYYY-MM-DD HH:MM:SS[.ffffff]` in `timeZone` (UTC for NTZ). */
export function formatTimestamp(micros: bigint, timeZone: string | null): string {
  const ms = Number(micros / 1000n) - (micros % 1000n < 0n ? 1 : 0);
  const fracMicros = Number(((micros % 1_000_000n) + 1_000_000n) % 1_000_000n);
  let shifted = ms;
  if (timeZone !== null && timeZone !== 'UTC') {
    const parts = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
      hour: '2-digit',
      minute: '2-digit',
      second: '2-digit',
    }).formatToParts(new Date(ms));
    const get = (t: string): number => Number(parts.find((p) => p.type === t)?.value ?? '0');
    const local = Date.UTC(
      get('year'),
      get('month') - 1,
      get('day'),
      get('hour'),
      get('minute'),
      get('second'),
    );
    shifted = local + (((ms % 1000) + 1000) % 1000);
  }
  const d = new Date(shifted);
  const base = `${formatDate(Math.floor(shifted / 86_400_000))} ${pad2(d.getUTCHours())}:${pad2(d.getUTCMinutes())}:${pad2(d.getUTCSeconds())}`;
  if (fracMicros === 0) return base;
  return `${base}.${String(fracMicros).padStart(6, '0').replace(/0+$/, '')}`;
}

export function formatDecimal(unscaled: bigint, scale: number): string {
  const neg = unscaled < 0n;
  const digits = (neg ? -unscaled : unscaled).toString().padStart(scale + 1, '0');
  const text =
    scale === 0 ? digits : `${digits.slice(0, digits.length - scale)}.${digits.slice(digits.length - scale)}`;
  return neg ? `-${text}` : text;
}

export function formatDouble(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (!Number.isFinite(v)) return v > 0 ? 'Infinity' : '-Infinity';
  if (Number.isInteger(v) && Math.abs(v) < 1e7) return v.toFixed(1);
  const abs = Math.abs(v);
  if (abs >= 1e-3 && abs < 1e7) return String(v);
  // Java's Double.toString uses scientific notation outside [1e-3, 1e7): 1.0E10, 1.5E-5.
  const [mantissa, exponent] = v.toExponential().split('e');
  const m = mantissa!.includes('.') ? mantissa! : `${mantissa}.0`;
  return `${m}E${Number(exponent)}`;
}

function formatIntervalDayTime(micros: bigint): string {
  const neg = micros < 0n;
  let rest = neg ? -micros : micros;
  const days = rest / 86_400_000_000n;
  rest %= 86_400_000_000n;
  const h = rest / 3_600_000_000n;
  rest %= 3_600_000_000n;
  const m = rest / 60_000_000n;
  rest %= 60_000_000n;
  const s = Number(rest) / 1e6;
  const sec = s.toFixed(6).replace(/\.?0+$/, '');
  return `INTERVAL '${neg ? '-' : ''}${days} ${pad2(Number(h))}:${pad2(Number(m))}:${sec.padStart(2, '0')}' DAY TO SECOND`;
}

export function formatValue(value: Value, type: DataType, timeZone: string): string {
  if (value === null) return 'NULL';
  switch (type.kind) {
    case 'decimal':
      return formatDecimal(value as bigint, type.scale);
    case 'float':
    case 'double':
      return formatDouble(value as number);
    case 'date':
      return formatDate(value as number);
    case 'timestamp':
      return formatTimestamp(value as bigint, timeZone);
    case 'timestamp_ntz':
      return formatTimestamp(value as bigint, null);
    case 'interval_year_month': {
      const months = value as number;
      const sign = months < 0 ? '-' : '';
      const a = Math.abs(months);
      return `INTERVAL '${sign}${Math.floor(a / 12)}-${a % 12}' YEAR TO MONTH`;
    }
    case 'interval_day_time':
      return formatIntervalDayTime(value as bigint);
    case 'binary':
      return `[${[...(value as Uint8Array)].map((b) => b.toString(16).toUpperCase().padStart(2, '0')).join(' ')}]`;
    case 'boolean':
      return value === true ? 'true' : 'false';
    default:
      return typeof value === 'string' || typeof value === 'number' || typeof value === 'bigint'
        ? String(value)
        : JSON.stringify(value);
  }
}

/** An aligned table: header, rule, rows (numbers right-aligned), then `(N rows)`. */
export function formatTable(
  columns: readonly string[],
  types: readonly DataType[],
  rows: readonly (readonly string[])[],
): string {
  const widths = columns.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const rightAlign = types.map((t) =>
    ['tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'decimal'].includes(t.kind),
  );
  const line = (cells: readonly string[]): string =>
    cells
      .map((c, i) => (rightAlign[i] === true ? c.padStart(widths[i]!) : c.padEnd(widths[i]!)))
      .join(' | ')
      .trimEnd();
  const out = [line(columns), widths.map((w) => '-'.repeat(w)).join('-+-')];
  for (const r of rows) out.push(line(r));
  out.push(`(${rows.length} ${rows.length === 1 ? 'row' : 'rows'})`);
  return out.join('\n');
}
