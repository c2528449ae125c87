/** `kindling tpch gen --sf N --out DIR [--format parquet|tbl] [--workers K]`. */
import { resolve } from 'node:path';
import type { Command } from 'commander';
import { ensureData, type DataFormat } from '../../../tpch/run/index.ts';
import { formatArg, reportFailure, scaleFactorArg, workersArg } from './arguments.ts';
import { GenerationProgress, stderrSink } from './progress.ts';

interface GenOptions {
  sf: number;
  out: string;
  format: DataFormat;
  workers?: number;
}

export function addGenCommand(tpch: Command): void {
  tpch
    .command('gen')
    .description('generate the eight TPC-H tables at a scale factor')
    .requiredOption('--sf <n>', 'scale factor (0.01 to 100)', scaleFactorArg)
    .requiredOption('--out <dir>', 'output folder (created if missing)')
    .option('--format <format>', 'parquet or tbl', formatArg, 'parquet' as DataFormat)
    .option('--workers <k>', 'generator threads (default: one per core)', workersArg)
    .action(async (opts: GenOptions) => {
      const progress = new GenerationProgress(stderrSink());
      try {
        await ensureData(opts.out, opts.sf, opts.format, {
          workers: opts.workers,
          onProgress: progress.onEvent,
          force: true,
        });
        progress.finish(true);
        console.log(`Wrote TPC-H SF${opts.sf} (${opts.format}) to ${resolve(opts.out)}`);
      } catch (err) {
        progress.finish(false);
        reportFailure(err);
      }
    });
}
