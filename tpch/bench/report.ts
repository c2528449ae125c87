/**
 * The benchmark's figures: one row per query (engine and peer medians, ratio, rows, agreement),
 * totals and geometric means, rendered as a text table and as the JSON document written to disk.
 */
import { geometricMean } from '../run/index.ts';
import type { MachineInfo } from './machine.ts';

export interface SystemFigures {
  readonly coldMs: number;
  readonly medianMs: number;
  readonly warmMs: readonly number[];
  readonly rows: number;
  /** CPU time of the whole process over wall time during the runs, in percent (200 = two cores busy). */
  readonly cpuPercent?: number;
  /**
   * Peak resident memory of the whole process during the runs (Linux; with peers in the same
   * process, their resident memory counts too: run with `--vs none` for Kindling's alone).
   */
  readonly peakRssBytes?: number;
  /** Set when the query failed on this system. */
  readonly error?: string;
}

export interface QueryFigures {
  readonly query: number;
  /** By system name: `kindling`, `duckdb`, `postgres`. */
  readonly systems: Readonly<Record<string, SystemFigures>>;
  /** Kindling's answer agrees with every peer's. */
  readonly ok: boolean;
  readonly problems: readonly string[];
}

export interface BenchReport {
  readonly date: string;
  readonly machine: MachineInfo;
  readonly sf: number;
  readonly format: string;
  readonly threads: number;
  readonly runs: number;
  readonly systems: readonly string[];
  readonly queries: readonly QueryFigures[];
  readonly totals: Readonly<Record<string, { totalMs: number; geomeanMs: number }>>;
  /** Geometric mean of kindling / peer over the queries both answered, by peer. */
  readonly geomeanRatio: Readonly<Record<string, number>>;
}

function fmtMs(n: number | undefined): string {
  return n === undefined || Number.isNaN(n) ? '—' : n.toFixed(1);
}

function ratio(engine: SystemFigures | undefined, peer: SystemFigures | undefined): number | undefined {
  if (engine === undefined || peer === undefined || engine.error !== undefined || peer.error !== undefined)
    return undefined;
  return engine.medianMs / Math.max(peer.medianMs, 1e-3);
}

export function headerLine(systems: readonly string[]): string {
  const peers = systems.slice(1);
  const cells = ['query', `${systems[0]} ms`.padStart(12)];
  for (const p of peers) cells.push(`${p} ms`.padStart(12), 'ratio'.padStart(7));
  cells.push('rows'.padStart(7), 'ok', `${systems[0]} cpu`.padStart(13), 'peak RSS'.padStart(10));
  return cells.join('  ');
}

export function queryLine(systems: readonly string[], q: QueryFigures): string {
  const engine = q.systems[systems[0]!];
  const cells = [
    `Q${String(q.query).padStart(2, '0')}`.padEnd(5),
    fmtMs(engine?.error === undefined ? engine?.medianMs : undefined).padStart(12),
  ];
  for (const p of systems.slice(1)) {
    const peer = q.systems[p];
    const r = ratio(engine, peer);
    cells.push(
      fmtMs(peer?.error === undefined ? peer?.medianMs : undefined).padStart(12),
      (r === undefined ? '—' : `${r.toFixed(2)}x`).padStart(7),
    );
  }
  const cpu = engine?.cpuPercent;
  cells.push(
    String(engine?.rows ?? '—').padStart(7),
    q.ok ? '✓' : '✗',
    (cpu === undefined ? '—' : `${cpu.toFixed(0)}%`).padStart(14),
    (engine?.peakRssBytes === undefined ? '—' : `${(engine.peakRssBytes / 2 ** 20).toFixed(0)} MiB`).padStart(
      10,
    ),
  );
  return cells.join('  ');
}

export function summarize(
  systems: readonly string[],
  queries: readonly QueryFigures[],
): Pick<BenchReport, 'totals' | 'geomeanRatio'> {
  const totals: Record<string, { totalMs: number; geomeanMs: number }> = {};
  for (const s of systems) {
    const times = queries.flatMap((q) => {
      const f = q.systems[s];
      return f === undefined || f.error !== undefined ? [] : [f.medianMs];
    });
    totals[s] = { totalMs: times.reduce((a, b) => a + b, 0), geomeanMs: geometricMean(times) };
  }
  const geomeanRatio: Record<string, number> = {};
  for (const p of systems.slice(1)) {
    const ratios = queries.flatMap((q) => {
      const r = ratio(q.systems[systems[0]!], q.systems[p]);
      return r === undefined ? [] : [r];
    });
    geomeanRatio[p] = geometricMean(ratios);
  }
  return { totals, geomeanRatio };
}

export function summaryLines(report: BenchReport): string[] {
  const [engine, ...peers] = report.systems;
  const total = ['total'.padEnd(5), fmtMs(report.totals[engine!]?.totalMs).padStart(12)];
  const geo = ['geo'.padEnd(5), fmtMs(report.totals[engine!]?.geomeanMs).padStart(12)];
  for (const p of peers) {
    const t = report.totals[p];
    const te = report.totals[engine!];
    total.push(
      fmtMs(t?.totalMs).padStart(12),
      (t === undefined || te === undefined ? '—' : `${(te.totalMs / t.totalMs).toFixed(2)}x`).padStart(7),
    );
    geo.push(
      fmtMs(t?.geomeanMs).padStart(12),
      `${(report.geomeanRatio[p] ?? Number.NaN).toFixed(2)}x`.padStart(7),
    );
  }
  const okCount = report.queries.filter((q) => q.ok).length;
  let peak: { bytes: number; query: number } | undefined;
  for (const q of report.queries) {
    const b = q.systems[engine!]?.peakRssBytes;
    if (b !== undefined && (peak === undefined || b > peak.bytes)) peak = { bytes: b, query: q.query };
  }
  const rss =
    peak === undefined
      ? []
      : [`peak RSS ${(peak.bytes / 2 ** 20).toFixed(0)} MiB (Q${String(peak.query).padStart(2, '0')})`];
  return [
    ...rss,
    total.join('  '),
    geo.join('  '),
    `${okCount}/${report.queries.length} queries agree` +
      (peers.length === 0 ? ' (no peer to compare with)' : ` with ${peers.join(' and ')}`),
  ];
}
