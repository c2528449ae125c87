/**
 * The server benchmark's figures, computed from raw samples: latency percentiles and throughput
 * per kind of statement, the server's resident memory over the run (start, peak, end, and whether
 * it stayed flat once warmed up), and how long `SELECT 1` took while TPC-H queries were running.
 * Pure functions: the benchmark feeds them samples, the unit test feeds them made-up ones.
 */

/**
 * The `p`-th percentile (0 < p ≤ 100) of ascending `sorted` by the nearest-rank method: the
 * smallest sample with at least p% of the samples at or below it. NaN for no samples.
 */
export function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1]!;
}

export interface LatencyFigures {
  readonly count: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
}

/** Count and percentiles of `samplesMs` (in any order). */
export function latencyFigures(samplesMs: readonly number[]): LatencyFigures {
  const sorted = [...samplesMs].sort((a, b) => a - b);
  return {
    count: sorted.length,
    p50Ms: percentile(sorted, 50),
    p95Ms: percentile(sorted, 95),
    p99Ms: percentile(sorted, 99),
    maxMs: sorted.length === 0 ? Number.NaN : sorted[sorted.length - 1]!,
  };
}

export interface KindFigures extends LatencyFigures {
  /** `q01`…`q22`, `select_1`, `show_search_path`, `psql_dt`, `jdbc_get_tables`, `point_query`. */
  readonly kind: string;
  /** `simple`, `extended`, or `both` when connections of each protocol ran it. */
  readonly protocol: string;
  /** Completed statements per second of the load's wall time. */
  readonly qps: number;
  readonly errors: number;
}

export function kindFigures(
  kind: string,
  protocol: string,
  samplesMs: readonly number[],
  errors: number,
  seconds: number,
): KindFigures {
  const latency = latencyFigures(samplesMs);
  return { kind, protocol, ...latency, qps: seconds > 0 ? latency.count / seconds : 0, errors };
}

export interface RssSample {
  /** Seconds since the load started. */
  readonly t: number;
  readonly kb: number;
}

export interface RssFigures {
  readonly startKb: number;
  /** The first sample at or after the warm-up (`settleSeconds` into the load). */
  readonly settledKb: number;
  /** When that sample was taken, in seconds since the load started. */
  readonly settledAt: number;
  readonly peakKb: number;
  readonly endKb: number;
  /** (end − settled) / settled, in percent. */
  readonly growthPercent: number;
  /** The end is within `tolerance` of the settled value. */
  readonly flat: boolean;
}

/**
 * The resident memory verdict: flat when the last sample is within `tolerance` (0.15 = 15%) of the
 * first sample taken `settleSeconds` or more into the load (the last sample if the load was
 * shorter). Undefined for no samples.
 */
export function rssFigures(
  samples: readonly RssSample[],
  settleSeconds = 10,
  tolerance = 0.15,
): RssFigures | undefined {
  if (samples.length === 0) return undefined;
  const settled = samples.find((s) => s.t >= settleSeconds) ?? samples[samples.length - 1]!;
  const end = samples[samples.length - 1]!;
  const growth = (end.kb - settled.kb) / settled.kb;
  return {
    startKb: samples[0]!.kb,
    settledKb: settled.kb,
    settledAt: settled.t,
    peakKb: Math.max(...samples.map((s) => s.kb)),
    endKb: end.kb,
    growthPercent: growth * 100,
    flat: Math.abs(growth) <= tolerance,
  };
}

/** VmRSS of a /proc/<pid>/status text, in kB; undefined when the line is missing. */
export function parseVmRss(status: string): number | undefined {
  const m = /^VmRSS:\s+(\d+)\s+kB$/m.exec(status);
  return m === null ? undefined : Number(m[1]);
}

function fmt(n: number, digits = 1): string {
  return Number.isNaN(n) ? '—' : n.toFixed(digits);
}

const COLUMNS: readonly (readonly [string, number, (f: KindFigures) => string])[] = [
  ['kind', -18, (f) => f.kind],
  ['protocol', -9, (f) => f.protocol],
  ['count', 7, (f) => String(f.count)],
  ['q/s', 8, (f) => fmt(f.qps, 2)],
  ['p50 ms', 9, (f) => fmt(f.p50Ms)],
  ['p95 ms', 9, (f) => fmt(f.p95Ms)],
  ['p99 ms', 9, (f) => fmt(f.p99Ms)],
  ['max ms', 9, (f) => fmt(f.maxMs)],
  ['errors', 6, (f) => String(f.errors)],
];

function cell(text: string, width: number): string {
  return width < 0 ? text.padEnd(-width) : text.padStart(width);
}

/** The per-kind table: a header, one line per kind, a rule, and a total line. */
export function kindTable(rows: readonly KindFigures[], seconds: number): string[] {
  const line = (values: readonly string[]): string =>
    values.map((v, i) => cell(v, COLUMNS[i]![1])).join('  ');
  const header = line(COLUMNS.map((c) => c[0]));
  const count = rows.reduce((s, r) => s + r.count, 0);
  const errors = rows.reduce((s, r) => s + r.errors, 0);
  const total = line([
    'total',
    '',
    String(count),
    fmt(seconds > 0 ? count / seconds : 0, 2),
    '',
    '',
    '',
    '',
    String(errors),
  ]);
  return [header, ...rows.map((r) => line(COLUMNS.map((c) => c[2](r)))), '-'.repeat(header.length), total];
}

function mb(kb: number): string {
  return `${(kb / 1024).toFixed(0)} MB`;
}

/** One line on the server's memory: start, settled, peak, end and the verdict. */
export function rssLine(rss: RssFigures | undefined): string {
  if (rss === undefined) return 'server RSS: not measured (no /proc)';
  const sign = rss.growthPercent >= 0 ? '+' : '';
  const at = `${rss.settledAt.toFixed(0)} s`;
  return (
    `server RSS: start ${mb(rss.startKb)}, after ${at} ${mb(rss.settledKb)}, ` +
    `peak ${mb(rss.peakKb)}, end ${mb(rss.endKb)} (${sign}${rss.growthPercent.toFixed(1)}% since ${at}): ` +
    (rss.flat ? 'flat' : 'NOT FLAT')
  );
}

/** One line on `SELECT 1` sent while TPC-H queries ran, against the limit on its p99. */
export function responsivenessLine(figures: LatencyFigures, limitMs: number): string {
  if (figures.count === 0) return 'SELECT 1 while TPC-H queries ran: no samples';
  const ok = figures.p99Ms <= limitMs;
  return (
    `SELECT 1 while TPC-H queries ran: ${figures.count} samples, p50 ${fmt(figures.p50Ms)} ms, ` +
    `p99 ${fmt(figures.p99Ms)} ms, max ${fmt(figures.maxMs)} ms: ` +
    (ok ? `short (p99 ≤ ${limitMs} ms)` : `TOO SLOW (p99 > ${limitMs} ms)`)
  );
}
