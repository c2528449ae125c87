/**
 * `npm run bench:tpch -- --sf N …`: TPC-H with Kindling in-process against DuckDB (and PostgreSQL
 * with --vs-pg) on the same files. Makes sure the data exists (generating it under
 * ./tpch-data/sf<N>/ if needed), then query by query: one cold run and the median of K warm runs
 * per system, Kindling's answer compared with each peer's. Prints a table with totals and
 * geometric means and writes the figures as JSON.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { EngineError, SqlState } from '../../src/index.ts';
import {
  compareResults,
  ensureData,
  queryText,
  timeQuery,
  type GenerateEvent,
  type Timed,
} from '../run/index.ts';
import { USAGE, parseBenchArgs, type BenchOptions } from './args.ts';
import { openDuckDb } from './duckdb-peer.ts';
import { openEngine } from './engine-peer.ts';
import { machineInfo, peakRssBytes, resetPeakRss } from './machine.ts';
import type { Peer } from './peer.ts';
import { openPostgres } from './pg-peer.ts';
import {
  headerLine,
  queryLine,
  summarize,
  summaryLines,
  type BenchReport,
  type QueryFigures,
  type SystemFigures,
} from './report.ts';

const tty = process.stderr.isTTY;

function status(text: string): void {
  if (tty) process.stderr.write(`\r\x1b[2K${text}`);
}

function clearStatus(): void {
  if (tty) process.stderr.write('\r\x1b[2K');
}

function logGeneration(event: GenerateEvent): void {
  switch (event.kind) {
    case 'start':
      status(`generating ${event.table}…`);
      return;
    case 'progress':
      status(`generating ${event.table}… ${(event.fraction * 100).toFixed(0)}%`);
      return;
    case 'done':
      clearStatus();
      process.stderr.write(
        `  ${event.table.padEnd(9)} ${(event.bytes / 1e6).toFixed(1).padStart(8)} MB ${(event.ms / 1000).toFixed(2).padStart(7)} s\n`,
      );
      return;
  }
}

async function prepareData(opts: BenchOptions) {
  const dir = resolve(opts.dataDir);
  const progress = { workers: undefined, onProgress: logGeneration };
  let announced = false;
  const announce = (format: string) => (event: GenerateEvent) => {
    if (!announced) process.stderr.write(`Generating TPC-H SF${opts.sf} (${format}) in ${dir}\n`);
    announced = true;
    progress.onProgress(event);
  };
  const data = await ensureData(dir, opts.sf, opts.format, { onProgress: announce(opts.format) });
  announced = false;
  const tbl =
    opts.pgUrl === undefined
      ? undefined
      : opts.format === 'tbl'
        ? data
        : await ensureData(dir, opts.sf, 'tbl', { onProgress: announce('tbl') });
  return { dir, files: data.files, tblFiles: tbl?.files };
}

function figures(timed: Timed, cpuPercent: number, peakRss: number | undefined): SystemFigures {
  return {
    coldMs: timed.coldMs,
    medianMs: timed.medianMs,
    warmMs: timed.warmMs,
    rows: timed.result.rows.length,
    cpuPercent,
    ...(peakRss === undefined ? {} : { peakRssBytes: peakRss }),
  };
}

async function main(opts: BenchOptions): Promise<boolean> {
  const { dir, files, tblFiles } = await prepareData(opts);
  const systems: Peer[] = [];
  try {
    status('opening kindling…');
    let analyzedMs: number | null = null;
    let cachedMs: number | null = null;
    systems.push(
      await openEngine(files, opts.format, opts.sf, {
        threads: opts.threads,
        settings: opts.settings,
        ...(opts.master === undefined ? {} : { master: opts.master }),
        conf: opts.conf,
        ...(opts.analyze ? { analyze: { onAnalyzed: (ms: number) => (analyzedMs = ms) } } : {}),
        ...(opts.cache ? { cache: { onCached: (ms: number) => (cachedMs = ms) } } : {}),
      }),
    );
    if (opts.duckdb) {
      status('opening duckdb…');
      systems.push(await openDuckDb(files, opts.format, opts.threads, opts.cache));
    }
    if (opts.pgUrl !== undefined && tblFiles !== undefined) {
      status('loading postgres…');
      systems.push(
        await openPostgres(opts.pgUrl, tblFiles, opts.sf, (m: string) => process.stderr.write(`${m}\n`)),
      );
    }
    clearStatus();
    const names = systems.map((s) => s.name);
    console.log(
      `TPC-H SF${opts.sf} (${opts.format}, ${dir}): ${opts.queries.length} queries, 1 cold + ${opts.runs} warm runs, ${opts.threads} threads`,
    );
    if (analyzedMs !== null) {
      console.log(
        `Kindling's tables analyzed (ANALYZE TABLE … FOR ALL COLUMNS) in ${(analyzedMs as number).toFixed(0)} ms`,
      );
    }
    if (cachedMs !== null) {
      console.log(
        `Kindling's tables cached (CACHE TABLE) in ${(cachedMs as number).toFixed(0)} ms` +
          (opts.duckdb ? "; DuckDB's loaded into in-memory tables" : ''),
      );
    }
    for (const [key, value] of Object.entries(opts.settings)) console.log(`Kindling: SET ${key} = ${value}`);
    console.log(headerLine(names));
    const results: QueryFigures[] = [];
    for (const q of opts.queries) {
      const sql = queryText(q, opts.sf);
      const perSystem: Record<string, SystemFigures> = {};
      const answers = new Map<string, Timed>();
      for (const system of systems) {
        status(`Q${q}: ${system.name}…`);
        try {
          // Every engine runs in this process: its CPU time over the wall time says how many cores it used.
          const cpuStart = process.cpuUsage();
          const wallStart = performance.now();
          resetPeakRss();
          const timed = await timeQuery(system.execute, sql, opts.runs);
          const cpu = process.cpuUsage(cpuStart);
          const cpuPercent = ((cpu.user + cpu.system) / 1000 / (performance.now() - wallStart)) * 100;
          answers.set(system.name, timed);
          perSystem[system.name] = figures(timed, cpuPercent, peakRssBytes());
        } catch (err) {
          const message = (err as Error).message;
          perSystem[system.name] = {
            coldMs: Number.NaN,
            medianMs: Number.NaN,
            warmMs: [],
            rows: 0,
            error: message,
          };
        }
      }
      clearStatus();
      const engine = answers.get(systems[0]!.name);
      const problems: string[] = [];
      if (engine === undefined) problems.push(`kindling: ${perSystem[systems[0]!.name]?.error ?? 'failed'}`);
      for (const peer of systems.slice(1)) {
        const answer = answers.get(peer.name);
        if (answer === undefined) problems.push(`${peer.name}: ${perSystem[peer.name]?.error ?? 'failed'}`);
        else if (engine !== undefined)
          problems.push(
            ...compareResults(answer.result, engine.result, q).map((p) => `vs ${peer.name}: ${p}`),
          );
      }
      const figuresOfQuery: QueryFigures = {
        query: q,
        systems: perSystem,
        ok: problems.length === 0,
        problems,
      };
      results.push(figuresOfQuery);
      console.log(queryLine(names, figuresOfQuery));
      for (const p of problems.slice(0, 3)) console.log(`        ${p}`);
    }
    const report: BenchReport = {
      date: new Date().toISOString(),
      machine: machineInfo(),
      sf: opts.sf,
      format: opts.format,
      threads: opts.threads,
      runs: opts.runs,
      systems: names,
      queries: results,
      ...summarize(names, results),
    };
    for (const line of summaryLines(report)) console.log(line);
    writeFileSync(opts.json, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Figures written to ${resolve(opts.json)}`);
    return results.every((r) => r.ok);
  } finally {
    for (const s of systems) await s.close();
  }
}

let opts: BenchOptions;
try {
  opts = parseBenchArgs(process.argv.slice(2));
} catch (err) {
  console.error(`error: ${(err as Error).message}\n${USAGE}`);
  process.exit(2);
}
try {
  if (!(await main(opts))) process.exitCode = 1;
} catch (err) {
  clearStatus();
  const e = err instanceof EngineError ? err : new EngineError(SqlState.internalError, String(err));
  console.error(`ERROR [${e.sqlstate}]: ${e.message}`);
  process.exitCode = 1;
}
