/**
 * Text rendering of results for the terminal: values as Spark's `spark-sql` shows them, laid out as
 * an aligned table with a row count.
 */
import type { DataType, Value } from '../common/index.ts';
import { valueToString } from '../session/index.ts';

/**
 * A value as `spark-sql` prints it: Spark's cast to string (decimals with their scale, doubles as
 * Java prints them, timestamps in the session time zone), and `NULL` for NULL. Arrays, maps and
 * structs print as Spark's Hive-style result strings: `[1,2]`, `{"a":1}` (a map's entries sorted
 * by their text), `{"x":1,"y":"b"}`; inside them strings are quoted and NULL is `null`.
 */
export function formatValue(value: Value, type: DataType, timeZone: string): string {
  if (value === null) return 'NULL';
  return hiveString(value, type, false, {
    ansi: false,
    timeZone,
    queryStartMicros: 0n,
    currentDatabase: '',
    currentUser: '',
  });
}

type TextContext = Parameters<typeof valueToString>[2];

function hiveString(value: Value, type: DataType, nested: boolean, ctx: TextContext): string {
  if (value === null) return nested ? 'null' : 'NULL';
  switch (type.kind) {
    case 'array':
      return `[${(value as readonly Value[]).map((v) => hiveString(v, type.element, true, ctx)).join(',')}]`;
    case 'map': {
      const entries = [...(value as ReadonlyMap<Value, Value>)].map(
        ([k, v]) => `${hiveString(k, type.key, true, ctx)}:${hiveString(v, type.value, true, ctx)}`,
      );
      // Spark sorts the entries' texts (code unit order), whatever the map's order.
      entries.sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.join(',')}}`;
    }
    case 'struct': {
      const fields = value as readonly Value[];
      return `{${type.fields.map((f, k) => `"${f.name}":${hiveString(fields[k] ?? null, f.type, true, ctx)}`).join(',')}}`;
    }
    case 'string': {
      const text = value as string;
      return nested ? `"${text}"` : text;
    }
    default:
      return valueToString(value, type, ctx);
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
