/**
 * Table statistics kept in the metastore (Spark's `CatalogStatistics`): size in bytes, row count,
 * and per column min / max / null count / distinct count / average and maximum length.
 *
 * Where they come from:
 * - `ANALYZE TABLE … COMPUTE STATISTICS [NOSCAN | FOR COLUMNS … | FOR ALL COLUMNS]` (the session);
 * - a write that commits (`CREATE TABLE … AS SELECT`, `INSERT`): the rows and bytes written, and the
 *   min / max / null counts of the files just written (read back from their footers).
 *
 * The rules that keep them honest: stored statistics are exact or absent. An append adds counts
 * and widens min / max, but drops what it cannot keep exact (distinct counts, lengths); a partial
 * overwrite keeps counts only. Providers answer `statistics()` with the stored values first and
 * fill in what is missing from their files (`mergeStoredStatistics`).
 */
import type { DataType, Value } from '../common/index.ts';
import type { ColumnStatistics, Statistics, TableDefinition } from './types.ts';

/** Spark's `defaultSize` of a type: the bytes a value takes in a row, for size estimates. */
export function defaultSizeOf(t: DataType): number {
  switch (t.kind) {
    case 'null':
    case 'boolean':
    case 'tinyint':
      return 1;
    case 'smallint':
      return 2;
    case 'int':
    case 'float':
    case 'date':
    case 'interval_year_month':
      return 4;
    case 'bigint':
    case 'double':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'interval_day_time':
      return 8;
    case 'decimal':
    case 'calendar_interval':
      return t.kind === 'decimal' && t.precision <= 18 ? 8 : 16;
    case 'string':
      return 20;
    case 'binary':
      return 100;
    case 'array':
      return defaultSizeOf(t.element);
    case 'map':
      return defaultSizeOf(t.key) + defaultSizeOf(t.value);
    case 'struct':
      return t.fields.reduce((s, f) => s + defaultSizeOf(f.type), 0);
  }
}

/** Whether ANALYZE … FOR COLUMNS can compute statistics of a column of this type (Spark's list). */
export function supportsColumnStatistics(t: DataType): boolean {
  switch (t.kind) {
    case 'boolean':
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'decimal':
    case 'date':
    case 'timestamp':
    case 'timestamp_ntz':
    case 'time':
    case 'string':
    case 'binary':
      return true;
    default:
      return false;
  }
}

/** Whether min / max are kept for a column of this type (Spark keeps none for strings and binary). */
export function keepsMinMax(t: DataType): boolean {
  return supportsColumnStatistics(t) && t.kind !== 'string' && t.kind !== 'binary';
}

/** Orders two statistics values of one type (numbers, bigints, booleans); null when incomparable. */
export function compareStatValues(a: Value, b: Value): number | null {
  if (typeof a === 'number' && typeof b === 'number') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'bigint' && typeof b === 'bigint') return a < b ? -1 : a > b ? 1 : 0;
  if (typeof a === 'boolean' && typeof b === 'boolean') return a === b ? 0 : a ? 1 : -1;
  return null;
}

function columnKey(stats: Readonly<Record<string, ColumnStatistics>>, name: string): string | undefined {
  if (name in stats) return name;
  const lower = name.toLowerCase();
  return Object.keys(stats).find((k) => k.toLowerCase() === lower);
}

/** The statistics of column `name` (case-insensitive), if any. */
export function columnStatistics(stats: Statistics, name: string): ColumnStatistics | undefined {
  const columns = stats.columns;
  if (columns === undefined) return undefined;
  const key = columnKey(columns, name);
  return key === undefined ? undefined : columns[key];
}

/**
 * The statistics a provider answers: the stored ones where they say something, the files' (from
 * `compute`, called only when the stored ones leave something out) for the rest.
 */
export function mergeStoredStatistics(def: TableDefinition, compute: () => Statistics): Statistics {
  const stored = def.statistics;
  if (stored === undefined) return compute();
  const complete =
    stored.rowCount !== null &&
    stored.totalBytes !== null &&
    def.columns.every((c) => columnStatistics(stored, c.name) !== undefined);
  if (complete) return stored;
  const computed = compute();
  const columns: Record<string, ColumnStatistics> = {};
  for (const c of def.columns) {
    const s = columnStatistics(stored, c.name);
    const f = computed.columns === undefined ? undefined : columnStatistics(computed, c.name);
    if (s === undefined && f === undefined) continue;
    columns[c.name] = { ...f, ...s };
  }
  return {
    rowCount: stored.rowCount ?? computed.rowCount,
    totalBytes: stored.totalBytes ?? computed.totalBytes,
    columns,
    ...(computed.estimatedRows === undefined ? {} : { estimatedRows: computed.estimatedRows }),
  };
}

function sum(a: number | null, b: number | null): number | null {
  return a === null || b === null ? null : a + b;
}

function nonNullRows(stats: Statistics, c: ColumnStatistics | undefined): number | null {
  if (stats.rowCount === null || c?.nullCount === undefined) return null;
  return stats.rowCount - c.nullCount;
}

/**
 * The statistics after appending data whose statistics are `added` (INSERT INTO): counts add up,
 * min / max widen; distinct counts and lengths cannot be kept exact and are dropped.
 */
export function appendStatistics(before: Statistics, added: Statistics): Statistics {
  if (before.rowCount === 0) {
    return { ...added, totalBytes: sum(before.totalBytes, added.totalBytes) };
  }
  const columns: Record<string, ColumnStatistics> = {};
  for (const [name, b] of Object.entries(before.columns ?? {})) {
    const a = columnStatistics(added, name);
    const out: { min?: Value; max?: Value; nullCount?: number } = {};
    if (b.nullCount !== undefined && a?.nullCount !== undefined) out.nullCount = b.nullCount + a.nullCount;
    const addedValues = nonNullRows(added, a);
    const beforeValues = nonNullRows(before, b);
    if (addedValues === 0 && b.min !== undefined && b.max !== undefined) {
      out.min = b.min;
      out.max = b.max;
    } else if (beforeValues === 0 && a?.min !== undefined && a.max !== undefined) {
      out.min = a.min;
      out.max = a.max;
    } else if (b.min !== undefined && b.max !== undefined && a?.min !== undefined && a.max !== undefined) {
      const lo = compareStatValues(a.min, b.min);
      const hi = compareStatValues(a.max, b.max);
      if (lo !== null && hi !== null) {
        out.min = lo < 0 ? a.min : b.min;
        out.max = hi > 0 ? a.max : b.max;
      }
    }
    if (Object.keys(out).length > 0) columns[name] = out;
  }
  return {
    rowCount: sum(before.rowCount, added.rowCount),
    totalBytes: sum(before.totalBytes, added.totalBytes),
    columns,
  };
}

/**
 * The statistics after replacing the data whose statistics are `removed` by `added` (INSERT
 * OVERWRITE of some partitions): row counts, sizes and null counts stay exact; min / max, distinct
 * counts and lengths cannot and are dropped.
 */
export function replacePartStatistics(
  before: Statistics,
  removed: Statistics,
  added: Statistics,
): Statistics {
  const diff = (b: number | null, r: number | null, a: number | null): number | null =>
    b === null || r === null || a === null ? null : Math.max(0, b - r + a);
  const columns: Record<string, ColumnStatistics> = {};
  for (const [name, b] of Object.entries(before.columns ?? {})) {
    const nulls = diff(
      b.nullCount ?? null,
      columnStatistics(removed, name)?.nullCount ?? null,
      columnStatistics(added, name)?.nullCount ?? null,
    );
    if (nulls !== null) columns[name] = { nullCount: nulls };
  }
  return {
    rowCount: diff(before.rowCount, removed.rowCount, added.rowCount),
    totalBytes: diff(before.totalBytes, removed.totalBytes, added.totalBytes),
    columns,
  };
}

/** Only the parts of `stats` that a write may record: counts, and min / max where the type keeps them. */
export function writtenStatistics(def: TableDefinition, stats: Statistics): Statistics {
  const columns: Record<string, ColumnStatistics> = {};
  for (const c of def.columns) {
    const s = columnStatistics(stats, c.name);
    if (s === undefined) continue;
    const out: { min?: Value; max?: Value; nullCount?: number } = {};
    if (s.nullCount !== undefined) out.nullCount = s.nullCount;
    if (
      keepsMinMax(c.type) &&
      s.min !== undefined &&
      s.max !== undefined &&
      s.min !== null &&
      s.max !== null
    ) {
      out.min = s.min;
      out.max = s.max;
    }
    columns[c.name] = out;
  }
  return { rowCount: stats.rowCount, totalBytes: stats.totalBytes, columns };
}

/** Whether two recorded statistics say the same (for detecting a concurrent change). */
export function sameStatistics(a: Statistics | undefined, b: Statistics | undefined): boolean {
  const text = (s: Statistics | undefined): string =>
    JSON.stringify(s ?? null, (_k, v: unknown) =>
      typeof v === 'bigint' ? `${v}n` : v instanceof Uint8Array ? [...v] : v,
    );
  return text(a) === text(b);
}

/** `864 bytes, 2 rows` (Spark's `CatalogStatistics.simpleString`, as DESCRIBE EXTENDED shows it). */
export function statisticsText(stats: Statistics): string {
  const size = `${stats.totalBytes ?? 0} bytes`;
  return stats.rowCount === null ? size : `${size}, ${stats.rowCount} rows`;
}
