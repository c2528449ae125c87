/**
 * Text rendering of results for the terminal: values as Spark's `spark-sql` shows them, laid out as
 * an aligned table with a row count.
 */
import type { DataType, Value } from '../common/index.ts';
import { valueToString } from '../session/index.ts';

/**
 * A value as `spark-sql` prints it: Spark's cast to string (decimals with their scale, doubles as
 * Java prints them, timestamps in the session time zone), and `NULL` for NULL.
 */
export function formatValue(value: Value, type: DataType, timeZone: string): string {
  if (value === null) return 'NULL';
  return valueToString(value, type, {
    ansi: false,
    timeZone,
    queryStartMicros: 0n,
    currentDatabase: '',
    currentUser: '',
  });
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
