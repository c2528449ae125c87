/**
 * The server benchmark's command line: `--connections N --seconds S --warmup W --scale SF
 * [--json FILE] [--data DIR] [--select1-p99-ms MS]`, validated into options (22023 on a bad value).
 */
import { parseArgs } from 'node:util';
import { EngineError, SqlState } from '../../../src/index.ts';
import { parseScaleFactor } from '../../run/index.ts';

export interface ServerBenchOptions {
  readonly connections: number;
  /** Seconds measured, after the warm-up. */
  readonly seconds: number;
  /**
   * Seconds of the same load before the measurement starts: latencies are not recorded (errors
   * are), and the server's memory is judged from the end of the warm-up.
   */
  readonly warmup: number;
  readonly sf: number;
  readonly json: string;
  readonly dataDir: string;
  /** The longest p99 of `SELECT 1` under TPC-H load that counts as responsive. */
  readonly select1P99Ms: number;
}

export const SERVER_USAGE =
  'usage: npm run bench:server -- [--connections 64] [--seconds 60] [--warmup 60] [--scale 0.01]\n' +
  '                              [--json FILE] [--data DIR] [--select1-p99-ms 250]';

function whole(text: string, what: string, min: number, max: number): number {
  const n = Number(text.trim());
  if (!/^\d+$/.test(text.trim()) || n < min || n > max) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `invalid ${what} '${text}': expected a whole number from ${min} to ${max}`,
    );
  }
  return n;
}

export function parseServerBenchArgs(argv: readonly string[]): ServerBenchOptions {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: {
        connections: { type: 'string', default: '64' },
        seconds: { type: 'string', default: '60' },
        warmup: { type: 'string', default: '60' },
        scale: { type: 'string', default: '0.01' },
        json: { type: 'string' },
        data: { type: 'string' },
        'select1-p99-ms': { type: 'string', default: '250' },
      },
    }));
  } catch (err) {
    throw new EngineError(SqlState.invalidParameterValue, (err as Error).message);
  }
  const sf = parseScaleFactor(values.scale);
  return {
    connections: whole(values.connections, 'number of connections', 1, 1000),
    seconds: whole(values.seconds, 'number of seconds', 1, 86_400),
    warmup: whole(values.warmup, 'number of warm-up seconds', 0, 86_400),
    sf,
    json: values.json ?? `tpch-bench-server-sf${sf}.json`,
    // The same cache as `npm run bench:tpch`: generated once, reused by both.
    dataDir: values.data ?? `tpch-data/sf${sf}`,
    select1P99Ms: whole(values['select1-p99-ms'], 'SELECT 1 p99 limit', 1, 600_000),
  };
}
