/**
 * `kindling tpch load --sf N [--format parquet|tbl] [--warehouse W] [--data DIR] [--analyze]`:
 * makes sure the data is there (generated into `<warehouse>/_kindling_data/tpch_sf<N>/` unless
 * `--data` names a complete folder), then registers database `tpch_sf<N>` with its eight tables —
 * all or nothing; `--analyze` then records their column statistics (ANALYZE TABLE … FOR ALL
 * COLUMNS) for the cost-based optimizer.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { EngineError, SqlState } from '../../common/index.ts';
import { DEFAULT_WAREHOUSE, Engine } from '../../session/index.ts';
import {
  ensureData,
  findData,
  missingTables,
  registerTpch,
  tpchDatabase,
  type DataFormat,
  type TableFiles,
} from '../../../tpch/run/index.ts';
import { TPCH_TABLE_NAMES } from '../../../tpch/schema.ts';
import { formatArg, reportFailure, scaleFactorArg, workersArg } from './arguments.ts';
import { GenerationProgress, stderrSink } from './progress.ts';

interface LoadOptions {
  sf: number;
  format: DataFormat;
  warehouse: string;
  data?: string;
  workers?: number;
  analyze?: boolean;
}

async function dataFiles(opts: LoadOptions, database: string): Promise<{ dir: string; files: TableFiles }> {
  if (opts.data !== undefined) {
    const files = findData(opts.data, opts.format, opts.sf);
    if (files !== undefined) return { dir: resolve(opts.data), files };
    const missing = missingTables(opts.data, opts.format);
    throw new EngineError(
      SqlState.invalidParameterValue,
      missing.length > 0
        ? `--data ${opts.data} has no ${opts.format} file for ${missing.join(', ')}`
        : `--data ${opts.data} holds TPC-H data of another scale factor than ${opts.sf}`,
    );
  }
  const dir = join(opts.warehouse, '_kindling_data', database);
  const progress = new GenerationProgress(stderrSink());
  let generated = false;
  try {
    const result = await ensureData(dir, opts.sf, opts.format, {
      workers: opts.workers,
      onProgress: (event) => {
        if (!generated)
          process.stderr.write(`Generating TPC-H SF${opts.sf} (${opts.format}) in ${resolve(dir)}\n`);
        generated = true;
        progress.onEvent(event);
      },
    });
    progress.finish(generated);
    return { dir: resolve(dir), files: result.files };
  } catch (err) {
    progress.finish(false);
    throw err;
  }
}

export function addLoadCommand(tpch: Command): void {
  tpch
    .command('load')
    .description('generate TPC-H data if needed and register it as database tpch_sf<N>')
    .requiredOption('--sf <n>', 'scale factor (0.01 to 100)', scaleFactorArg)
    .option('--format <format>', 'parquet or tbl', formatArg, 'parquet' as DataFormat)
    .option('--warehouse <dir>', 'warehouse directory', DEFAULT_WAREHOUSE)
    .option('--data <dir>', 'use this folder of complete TPC-H data instead of generating')
    .option('--workers <k>', 'generator threads (default: one per core)', workersArg)
    .option('--analyze', 'compute column statistics of the tables (ANALYZE TABLE … FOR ALL COLUMNS)')
    .action(async (opts: LoadOptions) => {
      const database = tpchDatabase(opts.sf);
      try {
        const { dir, files } = await dataFiles(opts, database);
        // The data folder is this command's own choice (not a client's): SQL may name it.
        const engine = new Engine({ warehouse: opts.warehouse, allowedPaths: [opts.warehouse, dir] });
        const session = engine.createSession();
        try {
          await registerTpch(session, database, files, opts.format);
          console.log(`Registered database ${database}: 8 tables (${opts.format}) over ${dir}`);
          if (opts.analyze === true) {
            const start = performance.now();
            for (const t of TPCH_TABLE_NAMES) {
              await session.sql(`ANALYZE TABLE ${database}.${t} COMPUTE STATISTICS FOR ALL COLUMNS`);
            }
            console.log(`Analyzed ${database} in ${((performance.now() - start) / 1000).toFixed(1)} s`);
          }
        } finally {
          session.close();
        }
      } catch (err) {
        reportFailure(err);
      }
    });
}
