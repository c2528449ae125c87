/**
 * `npm run bench:server -- [--connections 64] [--seconds 60] [--scale 0.01]`: load over the
 * PostgreSQL wire. Makes sure TPC-H data exists (generated under ./tpch-data/sf<N>/ like
 * `bench:tpch`, and reused), registers it in a fresh warehouse, starts a real `kindling serve`
 * child process, takes every TPC-H answer once as the reference, then holds N concurrent node
 * `pg` connections (workload.ts) for a warm-up of W seconds and S measured seconds while sampling
 * the server's resident memory every second. Prints per kind of statement (over the measured
 * seconds) the count, throughput, p50/p95/p99/max latency and errors; the memory's start, value at
 * the end of the warm-up, peak and end and whether it stayed flat after the warm-up; and whether
 * `SELECT 1` stayed quick while TPC-H queries ran. Writes the figures as JSON. Exits non-zero on any error (each is
 * printed), a server that died, memory that grew, or a slow `SELECT 1`.
 */
import { writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import pg from 'pg';
import { EngineError, SqlState } from '../../../src/index.ts';
import { TPCH_QUERY_NUMBERS, ensureData, tpchDatabase } from '../../run/index.ts';
import { machineInfo } from '../machine.ts';
import { SERVER_USAGE, parseServerBenchArgs, type ServerBenchOptions } from './args.ts';
import {
  kindFigures,
  kindTable,
  latencyFigures,
  responsivenessLine,
  rssFigures,
  rssLine,
  type RssSample,
} from './figures.ts';
import { startServeChild, type ServeChild } from './serve-child.ts';
import { LoadRecorder, clientConfig, runConnection, takeReference, type LoadError } from './workload.ts';

/** How many errors are printed in full (all are counted and written to the JSON). */
const ERRORS_SHOWN = 20;

function note(text: string): void {
  process.stderr.write(`${text}\n`);
}

async function prepare(opts: ServerBenchOptions): Promise<ServeChild> {
  let announced = false;
  await ensureData(opts.dataDir, opts.sf, 'parquet', {
    onProgress: (event) => {
      if (!announced) note(`Generating TPC-H SF${opts.sf} (parquet) in ${resolve(opts.dataDir)}`);
      announced = true;
      if (event.kind === 'done') note(`  ${event.table}: ${(event.ms / 1000).toFixed(1)} s`);
    },
  });
  note(`Starting kindling serve over TPC-H SF${opts.sf} (${resolve(opts.dataDir)})`);
  return startServeChild(opts.sf, opts.dataDir);
}

/** Groups errors that differ only by connection: `kind [sqlstate] message ×n`. */
function errorLines(errors: readonly LoadError[]): string[] {
  const counts = new Map<string, number>();
  for (const e of errors) {
    const key = `${e.kind} [${e.sqlstate ?? 'client'}] ${e.message}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  return [...counts].slice(0, ERRORS_SHOWN).map(([key, n]) => `  ${key}${n > 1 ? ` (×${n})` : ''}`);
}

async function main(opts: ServerBenchOptions): Promise<boolean> {
  const server = await prepare(opts);
  const database = tpchDatabase(opts.sf);
  const config = clientConfig(server.port, database);
  try {
    note(`Server pid ${server.pid} on port ${server.port}; taking the reference answers…`);
    const warm = new pg.Client(config);
    await warm.connect();
    const reference = await takeReference(warm, database, TPCH_QUERY_NUMBERS, (q, ms) =>
      note(`  Q${String(q).padStart(2, '0')} ${ms.toFixed(0)} ms`),
    );
    await warm.end();

    note(`Load: ${opts.connections} connections, ${opts.warmup} s warm-up and ${opts.seconds} s measured…`);
    const recorder = new LoadRecorder();
    const rss: RssSample[] = [];
    const loadStart = performance.now();
    const sampleRss = (): void => {
      const kb = server.rssKb();
      if (kb !== undefined) rss.push({ t: (performance.now() - loadStart) / 1000, kb });
    };
    sampleRss();
    const sampler = setInterval(sampleRss, 1000);
    const measureFrom = loadStart + opts.warmup * 1000;
    const deadline = measureFrom + opts.seconds * 1000;
    await Promise.all(
      Array.from({ length: opts.connections }, (_, i) =>
        runConnection(i, config, TPCH_QUERY_NUMBERS, reference, measureFrom, deadline, recorder),
      ),
    );
    clearInterval(sampler);
    sampleRss();
    const seconds = (performance.now() - measureFrom) / 1000;

    const kinds = [...recorder.samples.keys(), ...recorder.errorCounts.keys()]
      .filter((k, i, all) => all.indexOf(k) === i)
      .sort();
    const rows = kinds.map((kind) => {
      const protocols = [...(recorder.protocols.get(kind) ?? [])];
      return kindFigures(
        kind,
        protocols.length === 1 ? protocols[0]! : protocols.length === 0 ? '—' : 'both',
        recorder.samples.get(kind) ?? [],
        recorder.errorCounts.get(kind) ?? 0,
        seconds,
      );
    });
    const memory = rssFigures(rss, opts.warmup);
    const select1 = latencyFigures(recorder.select1UnderLoad);
    const died = server.exited();

    console.log(
      `Kindling server under load: TPC-H SF${opts.sf}, ${opts.connections} connections ` +
        `(odd: extended protocol, even: simple), ${seconds.toFixed(1)} s measured after ${opts.warmup} s of warm-up`,
    );
    for (const line of kindTable(rows, seconds)) console.log(line);
    console.log(rssLine(memory));
    console.log(responsivenessLine(select1, opts.select1P99Ms));
    const serverProblems = server
      .logLines()
      .filter((l) => / (FATAL|PANIC):|connection failed|session close failed/.test(l));
    if (died) console.log('THE SERVER DIED during the load');
    if (recorder.errors.length > 0) {
      console.log(`${recorder.errors.length} errors:`);
      for (const line of errorLines(recorder.errors)) console.log(line);
    }
    if (serverProblems.length > 0) {
      console.log('server log:');
      for (const line of serverProblems.slice(0, ERRORS_SHOWN)) console.log(`  ${line}`);
    }

    const ok =
      !died &&
      recorder.errors.length === 0 &&
      serverProblems.length === 0 &&
      memory?.flat !== false &&
      select1.count > 0 &&
      select1.p99Ms <= opts.select1P99Ms;
    writeFileSync(
      opts.json,
      `${JSON.stringify(
        {
          date: new Date().toISOString(),
          machine: machineInfo(),
          sf: opts.sf,
          connections: opts.connections,
          seconds,
          warmupSeconds: opts.warmup,
          kinds: rows,
          rss: { samples: rss, ...memory, settleSeconds: opts.warmup },
          select1UnderLoad: { ...select1, limitMs: opts.select1P99Ms },
          errors: recorder.errors,
          serverDied: died,
          serverProblems,
          ok,
        },
        null,
        2,
      )}\n`,
    );
    console.log(`Figures written to ${resolve(opts.json)}`);
    console.log(ok ? 'PASS' : 'FAIL');
    return ok;
  } finally {
    await server.stop();
  }
}

let opts: ServerBenchOptions;
try {
  opts = parseServerBenchArgs(process.argv.slice(2));
} catch (err) {
  console.error(`error: ${(err as Error).message}\n${SERVER_USAGE}`);
  process.exit(2);
}
try {
  if (!(await main(opts))) process.exitCode = 1;
} catch (err) {
  const e = err instanceof EngineError ? err : new EngineError(SqlState.internalError, String(err));
  console.error(`ERROR [${e.sqlstate}]: ${e.message}`);
  process.exitCode = 1;
}
