/**
 * `kindling tpch run --sf N [--queries 1,6,…] [--check DIR] [--runs K] [--warehouse W]`: runs the
 * queries against `tpch_sf<N>`, prints each one's time and row count, and with `--check` compares
 * the rows with answer files (qN.out) — exit code 1 on any mismatch or error. Q11's FRACTION is
 * the specification's 0.0001 / SF, except with `--check`: answer files use the validation value.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import type { Command } from 'commander';
import { EngineError, SqlState, toEngineError } from '../../common/index.ts';
import { DEFAULT_WAREHOUSE, Engine } from '../../session/index.ts';
import {
  TPCH_QUERY_NUMBERS,
  answerFile,
  compareWithAnswerText,
  engineExecutor,
  queryText,
  timeQuery,
  tpchDatabase,
} from '../../../tpch/run/index.ts';
import { queryListArg, reportFailure, runsArg, scaleFactorArg } from './arguments.ts';

interface RunOptions {
  sf: number;
  queries: number[];
  check?: string;
  runs: number;
  warehouse: string;
}

function ms(n: number): string {
  return `${n.toFixed(1)} ms`;
}

async function runQueries(opts: RunOptions): Promise<boolean> {
  const database = tpchDatabase(opts.sf);
  if (opts.check !== undefined && !(existsSync(opts.check) && statSync(opts.check).isDirectory())) {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `--check ${opts.check} is not a folder of answer files`,
    );
  }
  const engine = new Engine({ warehouse: opts.warehouse });
  if (!engine.metastore.listDatabases().some((d) => d.name.toLowerCase() === database)) {
    throw new EngineError(
      SqlState.invalidCatalogName,
      `database ${database} does not exist in ${opts.warehouse}; run: kindling tpch load --sf ${opts.sf}`,
    );
  }
  const session = engine.createSession({ database });
  const execute = engineExecutor(session);
  // The reference answer files hold the validation parameters' answers; otherwise the parameters
  // take the scale factor's values (Q11's FRACTION).
  const textOf = (q: number): string => (opts.check === undefined ? queryText(q, opts.sf) : queryText(q));
  let ok = true;
  let total = 0;
  try {
    for (const q of opts.queries) {
      const label = `Q${String(q).padStart(2, '0')}`;
      let line: string;
      try {
        // --runs K: one cold run and K-1 more; the time shown is the median of all K.
        const timed = await timeQuery(execute, textOf(q), opts.runs - 1);
        const times = [timed.coldMs, ...timed.warmMs].sort((a, b) => a - b);
        const mid = times.length >> 1;
        const shown = times.length % 2 === 1 ? times[mid]! : (times[mid - 1]! + times[mid]!) / 2;
        total += shown;
        const rows = timed.result.rows.length;
        line = `${label}  ${ms(shown).padStart(11)}  ${String(rows).padStart(7)} row${rows === 1 ? ' ' : 's'}`;
        if (opts.runs > 1) line += `  (cold ${ms(timed.coldMs)})`;
        if (opts.check !== undefined) {
          const file = answerFile(opts.check, q);
          if (file === undefined) {
            ok = false;
            line += `  NO ANSWER FILE`;
          } else {
            const problems = compareWithAnswerText(readFileSync(file, 'utf8'), timed.result, q);
            if (problems.length === 0) line += '  OK';
            else {
              ok = false;
              line += `  MISMATCH\n${problems.map((p) => `      ${p}`).join('\n')}`;
            }
          }
        }
      } catch (err) {
        ok = false;
        const e = toEngineError(err);
        line = `${label}  ERROR [${e.sqlstate}]: ${e.message}`;
      }
      console.log(line);
    }
  } finally {
    session.close();
  }
  console.log(`total ${ms(total).padStart(11)}`);
  return ok;
}

export function addRunCommand(tpch: Command): void {
  tpch
    .command('run')
    .description('run TPC-H queries against tpch_sf<N>, timing them and optionally checking answers')
    .requiredOption('--sf <n>', 'scale factor of the loaded database', scaleFactorArg)
    .option('--queries <list>', 'queries to run, e.g. 1,6,14 or 1-5 (default: all 22)', queryListArg, [
      ...TPCH_QUERY_NUMBERS,
    ])
    .option('--check <dir>', 'folder of answer files (q1.out …) to compare the results with')
    .option('--runs <k>', 'runs per query; the median is shown', runsArg, 1)
    .option('--warehouse <dir>', 'warehouse directory', DEFAULT_WAREHOUSE)
    .action(async (opts: RunOptions) => {
      try {
        if (!(await runQueries(opts))) process.exitCode = 1;
      } catch (err) {
        reportFailure(err);
      }
    });
}
