/**
 * The benchmark's command line: `--sf N [--vs duckdb|none] [--vs-pg URL] [--runs K]
 * [--queries …] [--format parquet|tbl] [--json FILE] [--data DIR] [--threads T] [--analyze]`.
 */
import { availableParallelism } from 'node:os';
import { parseArgs } from 'node:util';
import { EngineError, SqlState, parseMaster } from '../../src/index.ts';
import {
  TPCH_QUERY_NUMBERS,
  parseFormat,
  parseQueryList,
  parseWarmRuns,
  parseScaleFactor,
  parseWorkers,
  type DataFormat,
} from '../run/index.ts';

export interface BenchOptions {
  readonly sf: number;
  readonly duckdb: boolean;
  readonly pgUrl: string | undefined;
  readonly runs: number;
  readonly queries: readonly number[];
  readonly format: DataFormat;
  readonly json: string;
  readonly dataDir: string;
  readonly threads: number;
  /** Run ANALYZE TABLE … FOR ALL COLUMNS on Kindling's tables before timing (column statistics). */
  readonly analyze: boolean;
  /** `--set key=value`: session settings for Kindling's queries (`kindling.memory.query_limit=512MB`). */
  readonly settings: Readonly<Record<string, string>>;
  /** `--cache`: the eight tables cached before timing (Kindling: CACHE TABLE; DuckDB: in-memory tables). */
  readonly cache: boolean;
  /** `--master`: where Kindling's executors are (`process[3]`); default its worker threads. */
  readonly master: string | undefined;
  /** `--conf key=value`: settings of Kindling's process, as `kindling serve --conf` takes them. */
  readonly conf: Readonly<Record<string, string>>;
}

export const USAGE =
  'usage: npm run bench:tpch -- --sf N [--vs duckdb|none] [--vs-pg URL] [--runs K] [--queries 1,6,…]\n' +
  '                             [--format parquet|tbl] [--json FILE] [--data DIR] [--threads T] [--analyze]\n' +
  '                             [--set key=value …] [--cache] [--master local[N]|process[N]]\n' +
  '                             [--conf key=value …]';

/** The `--master` text, once `kindling.master` would take it. */
function validMaster(text: string): string {
  parseMaster(text);
  return text;
}

export function parseBenchArgs(argv: readonly string[]): BenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        sf: { type: 'string' },
        vs: { type: 'string', default: 'duckdb' },
        'vs-pg': { type: 'string' },
        runs: { type: 'string', default: '3' },
        queries: { type: 'string' },
        format: { type: 'string', default: 'parquet' },
        json: { type: 'string' },
        data: { type: 'string' },
        threads: { type: 'string' },
        analyze: { type: 'boolean', default: false },
        set: { type: 'string', multiple: true, default: [] },
        cache: { type: 'boolean', default: false },
        master: { type: 'string' },
        conf: { type: 'string', multiple: true, default: [] },
      },
    }));
  } catch (err) {
    throw new EngineError(SqlState.invalidParameterValue, (err as Error).message);
  }
  if (values.sf === undefined) throw new EngineError(SqlState.invalidParameterValue, '--sf is required');
  const sf = parseScaleFactor(values.sf);
  const vs = values.vs.trim().toLowerCase();
  if (vs !== 'duckdb' && vs !== 'none') {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `unknown peer '${values.vs}': --vs takes duckdb or none`,
    );
  }
  const threads = values.threads === undefined ? availableParallelism() : parseWorkers(values.threads);
  if (threads === 0) throw new EngineError(SqlState.invalidParameterValue, '--threads must be at least 1');
  return {
    sf,
    duckdb: vs === 'duckdb',
    pgUrl: values['vs-pg'],
    runs: parseWarmRuns(values.runs),
    queries: values.queries === undefined ? TPCH_QUERY_NUMBERS : parseQueryList(values.queries),
    format: parseFormat(values.format),
    json: values.json ?? `tpch-bench-sf${sf}.json`,
    dataDir: values.data ?? `tpch-data/sf${sf}`,
    threads,
    analyze: values.analyze,
    settings: parseSettings(values.set),
    cache: values.cache,
    master: values.master === undefined ? undefined : validMaster(values.master),
    conf: parseSettings(values.conf),
  };
}

function parseSettings(pairs: readonly string[]): Record<string, string> {
  const settings: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) {
      throw new EngineError(SqlState.invalidParameterValue, `--set takes key=value, not '${pair}'`);
    }
    settings[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return settings;
}
