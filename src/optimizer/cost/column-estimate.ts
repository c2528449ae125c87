/**
 * What the estimator knows of one column of a plan's output (Spark's `ColumnStat`), and the small
 * rules that carry it from node to node: bounds as numbers, distinct counts scaled with the row
 * count, widths for size estimates.
 */
import { isIntegral, type DataType, type Value } from '../../common/index.ts';
import type { Attribute } from '../../plan/index.ts';
import { defaultSizeOf } from '../../catalog/index.ts';

export interface ColumnEstimate {
  /** Distinct non-NULL values; null when unknown. */
  readonly distinctCount: number | null;
  /**
   * The column's domain: how many values it can have at most, known when its distinct count is
   * not — the distinct count, else the rows, of the table it comes from (a column of a 25-row
   * table has at most 25 values). Filters and joins above do not lower it (the values they keep
   * are unknown); uses cap it by the rows at hand. Null when nothing bounds it.
   */
  readonly maxDistinct: number | null;
  /**
   * Bounds of the non-NULL values as numbers (numbers, decimals by value, dates in days,
   * timestamps in microseconds, booleans as 0/1); null when unknown or not orderable as numbers.
   */
  readonly min: number | null;
  readonly max: number | null;
  /** NULL values; null when unknown. */
  readonly nullCount: number | null;
  /** Average / maximum bytes of a value, where statistics tell (strings); null otherwise. */
  readonly avgLen: number | null;
  readonly maxLen: number | null;
}

export const UNKNOWN_COLUMN: ColumnEstimate = {
  distinctCount: null,
  maxDistinct: null,
  min: null,
  max: null,
  nullCount: null,
  avgLen: null,
  maxLen: null,
};

/** Whether bounds of this type interpolate as numbers (Spark's range estimation types). */
export function isNumericLike(t: DataType): boolean {
  switch (t.kind) {
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
    case 'boolean':
      return true;
    default:
      return false;
  }
}

/** A value of type `t` as a number on the column's numeric scale, or null. */
export function numericValue(v: Value, t: DataType): number | null {
  if (v === null || !isNumericLike(t)) return null;
  if (typeof v === 'boolean') return v ? 1 : 0;
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'bigint') return t.kind === 'decimal' ? Number(v) / 10 ** t.scale : Number(v);
  return null;
}

/** Whether values of `t` are whole steps apart (integers, dates), so `max - min + 1` bounds the distinct count. */
export function isDiscrete(t: DataType): boolean {
  return isIntegral(t) || t.kind === 'date' || t.kind === 'boolean';
}

/**
 * The distinct values left when a filter keeps `newRows` of `oldRows` rows without looking at this
 * column: each of the d values has oldRows / d rows, and survives unless all of them go, so
 * d · (1 − (1 − f)^(oldRows / d)) remain for a kept fraction f. For a unique column that is d · f,
 * Spark's `updateNdv`; a column of few values keeps nearly all of them (Spark would shrink them
 * in proportion, too few for the group counts of an aggregate above).
 */
export function scaleDistinct(distinct: number | null, oldRows: number, newRows: number): number | null {
  if (distinct === null) return null;
  if (oldRows <= 0 || newRows <= 0 || distinct <= 0) return 0;
  if (newRows >= oldRows) return Math.min(distinct, newRows);
  const kept = newRows / oldRows;
  const perValue = Math.max(1, oldRows / distinct);
  const left = distinct * (1 - Math.pow(1 - kept, perValue));
  return Math.min(Math.max(1, Math.ceil(left - 1e-9)), newRows);
}

/** A column after its rows went from `oldRows` to `newRows` by a filter or join unrelated to it. */
export function scaleColumn(c: ColumnEstimate, oldRows: number, newRows: number): ColumnEstimate {
  if (newRows === oldRows) return c;
  const nulls =
    c.nullCount === null
      ? null
      : oldRows <= 0
        ? 0
        : Math.min(Math.ceil((c.nullCount * newRows) / oldRows), newRows);
  return {
    ...c,
    distinctCount: scaleDistinct(c.distinctCount, oldRows, newRows),
    nullCount: nulls,
  };
}

/**
 * The distinct count to reason with: the known one, else `max - min + 1` for whole-step types,
 * else 2 for booleans; never more than the non-NULL rows. Null when nothing bounds it.
 */
export function effectiveDistinct(c: ColumnEstimate, t: DataType, rows: number): number | null {
  const nonNull = Math.max(0, rows - (c.nullCount ?? 0));
  if (c.distinctCount !== null) return Math.min(c.distinctCount, nonNull);
  if (t.kind === 'boolean') return Math.min(2, nonNull);
  if (isDiscrete(t) && c.min !== null && c.max !== null)
    return Math.min(Math.max(1, c.max - c.min + 1), nonNull);
  return null;
}

/** The distinct count, else an upper bound on it (for group counts); null when nothing bounds it. */
export function distinctAtMost(c: ColumnEstimate, t: DataType, rows: number): number | null {
  const ndv = effectiveDistinct(c, t, rows);
  if (ndv !== null) return ndv;
  return c.maxDistinct === null ? null : Math.min(c.maxDistinct, rows);
}

/** Bytes of one value of `attr` in a row (Spark's `getSizePerRow` term). */
export function valueWidth(attr: Attribute, c: ColumnEstimate | undefined): number {
  const avg = c?.avgLen ?? null;
  if (avg !== null) return attr.type.kind === 'string' ? avg + 8 + 4 : avg;
  return defaultSizeOf(attr.type);
}

/** Bytes of a row of `attrs`: Spark's generic 8-byte row overhead plus each value's width. */
export function rowWidth(attrs: readonly Attribute[], columns: ReadonlyMap<number, ColumnEstimate>): number {
  let width = 8;
  for (const a of attrs) width += valueWidth(a, columns.get(a.id));
  return width;
}
