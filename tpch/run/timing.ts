/**
 * Timing a query: one cold run, then `runs` warm runs whose median is the figure reported. Also
 * the median and geometric mean used in summaries.
 */
import type { Session } from '../../src/index.ts';
import type { TextResult } from './compare.ts';
import { renderRows } from './render.ts';

/** Runs one SQL statement and returns its result as text. */
export type QueryExecutor = (sql: string) => Promise<TextResult>;

export interface Timed {
  readonly coldMs: number;
  readonly warmMs: readonly number[];
  /** Median of the warm runs (the cold run when there are none). */
  readonly medianMs: number;
  /** The result of the last run. */
  readonly result: TextResult;
}

export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

export function geometricMean(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  return Math.exp(values.reduce((s, v) => s + Math.log(Math.max(v, 1e-6)), 0) / values.length);
}

/** One cold run of `sql` and then `warmRuns` more. */
export async function timeQuery(execute: QueryExecutor, sql: string, warmRuns: number): Promise<Timed> {
  let t0 = performance.now();
  let result = await execute(sql);
  const coldMs = performance.now() - t0;
  const warmMs: number[] = [];
  for (let i = 0; i < warmRuns; i++) {
    t0 = performance.now();
    result = await execute(sql);
    warmMs.push(performance.now() - t0);
  }
  return { coldMs, warmMs, medianMs: warmMs.length === 0 ? coldMs : median(warmMs), result };
}

/** An executor over a Kindling session. */
export function engineExecutor(session: Session): QueryExecutor {
  return async (sql) => {
    const result = await session.sql(sql);
    return { columns: result.columns, rows: renderRows(result) };
  };
}
