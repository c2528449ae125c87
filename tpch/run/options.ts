/**
 * Validation of the options the `kindling tpch` commands and the benchmark share: scale factor,
 * query list, data format, run count and worker count. Each returns the parsed value or throws an
 * EngineError (22023) whose message says what is accepted.
 */
import { EngineError, SqlState } from '../../src/index.ts';
import { MAX_SCALE_FACTOR, MIN_SCALE_FACTOR } from '../gen/index.ts';

/** The generator's range (0.01 to 100). */
export { MAX_SCALE_FACTOR, MIN_SCALE_FACTOR };

export const TPCH_QUERY_NUMBERS: readonly number[] = Array.from({ length: 22 }, (_, i) => i + 1);

export const DATA_FORMATS = ['parquet', 'tbl'] as const;
export type DataFormat = (typeof DATA_FORMATS)[number];

function invalid(message: string): EngineError {
  return new EngineError(SqlState.invalidParameterValue, message);
}

/** `1`, `0.1`, `0.01`, `10`: a plain decimal number in the generator's range, at most 3 decimals. */
export function parseScaleFactor(text: string): number {
  const trimmed = text.trim();
  if (!/^\d+(\.\d+)?$/.test(trimmed)) {
    throw invalid(`invalid scale factor '${text}': expected a positive number such as 1, 0.1 or 10`);
  }
  const sf = Number(trimmed);
  if (!(sf >= MIN_SCALE_FACTOR) || sf > MAX_SCALE_FACTOR) {
    throw invalid(
      `invalid scale factor '${text}': it must be from ${MIN_SCALE_FACTOR} to ${MAX_SCALE_FACTOR}`,
    );
  }
  if (!/^\d+(\.\d{1,3})?$/.test(String(sf))) {
    throw invalid(`invalid scale factor '${text}': at most three decimals (0.001 steps)`);
  }
  return sf;
}

/** The scale factor as an identifier part: 1 → `sf1`, 0.1 → `sf0_1`, 0.01 → `sf0_01`. */
export function scaleName(sf: number): string {
  return `sf${String(sf).replace('.', '_')}`;
}

/** The database `kindling tpch load` registers: `tpch_sf1`, `tpch_sf0_01`, … */
export function tpchDatabase(sf: number): string {
  return `tpch_${scaleName(sf)}`;
}

/** `1,6,14` or ranges `1-5,9`; each from 1 to 22; duplicates dropped; in the order given. */
export function parseQueryList(text: string): number[] {
  const out: number[] = [];
  for (const raw of text.split(',')) {
    const part = raw.trim().replace(/^q/i, '');
    const range = /^(\d+)\s*-\s*q?(\d+)$/i.exec(part);
    const numbers: number[] = [];
    if (range !== null) {
      const from = Number(range[1]);
      const to = Number(range[2]);
      if (from > to) throw invalid(`invalid query range '${raw.trim()}'`);
      for (let q = from; q <= to; q++) numbers.push(q);
    } else if (/^\d+$/.test(part)) {
      numbers.push(Number(part));
    } else {
      throw invalid(`invalid query '${raw.trim()}': expected numbers from 1 to 22 such as 1,6,14 or 1-5`);
    }
    for (const q of numbers) {
      if (q < 1 || q > 22) throw invalid(`unknown TPC-H query ${q}: the queries are numbered 1 to 22`);
      if (!out.includes(q)) out.push(q);
    }
  }
  return out;
}

export function parseFormat(text: string): DataFormat {
  const f = text.trim().toLowerCase();
  for (const format of DATA_FORMATS) if (format === f) return format;
  throw invalid(`unknown format '${text}': expected ${DATA_FORMATS.join(' or ')}`);
}

function parseCount(text: string, what: string, min: number, max: number): number {
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    throw invalid(`invalid ${what} '${text}': expected a whole number from ${min} to ${max}`);
  }
  return n;
}

/** Timed runs per query: 1 to 1000. */
export function parseRuns(text: string): number {
  return parseCount(text, 'number of runs', 1, 1000);
}

/** Warm runs after the cold one: 0 (the cold run alone, for scales where a run takes minutes) to 1000. */
export function parseWarmRuns(text: string): number {
  return parseCount(text, 'number of warm runs', 0, 1000);
}

/** Generator threads: 0 (the calling thread) to 256. */
export function parseWorkers(text: string): number {
  return parseCount(text, 'number of workers', 0, 256);
}
