/**
 * Kindling in-process over the benchmark's files: a throw-away warehouse in a temporary folder
 * with database `tpch_sf<N>` registered over them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine, splitProcessSettings } from '../../src/index.ts';
import {
  engineExecutor,
  registerTpch,
  tpchDatabase,
  type DataFormat,
  type TableFiles,
} from '../run/index.ts';
import { TPCH_TABLE_NAMES } from '../schema.ts';
import type { Peer } from './peer.ts';

export interface EngineOptions {
  /** Sets `kindling.execution.target_partitions` and the executor threads (default: one per core). */
  readonly threads?: number;
  /**
   * Runs `ANALYZE TABLE … COMPUTE STATISTICS FOR ALL COLUMNS` on every table after registering
   * them, reporting its time.
   */
  readonly analyze?: { readonly onAnalyzed: (ms: number) => void };
  /** Session settings of the timed queries (`kindling.memory.query_limit`). */
  readonly settings?: Readonly<Record<string, string>>;
  /** Caches the eight tables (`CACHE TABLE`) before the queries, reporting its time. */
  readonly cache?: { readonly onCached: (ms: number) => void };
  /** `kindling.master` (`process[3]`); default the worker threads. */
  readonly master?: string;
  /** Settings of the process (`kindling serve --conf`). */
  readonly conf?: Readonly<Record<string, string>>;
}

export async function openEngine(
  files: TableFiles,
  format: DataFormat,
  sf: number,
  options: EngineOptions = {},
): Promise<Peer> {
  const { threads, analyze, cache, master, conf } = options;
  const { process: processSettings } = splitProcessSettings({
    ...conf,
    ...(master === undefined ? {} : { 'kindling.master': master }),
  });
  const warehouse = mkdtempSync(join(tmpdir(), 'kindling-bench-'));
  const database = tpchDatabase(sf);
  const engine = new Engine({
    warehouse,
    allowedPaths: [warehouse, ...Object.values(files)],
    ...(threads === undefined ? {} : { executorThreads: threads }),
    ...processSettings,
  });
  await engine.execution.start();
  const setup = engine.createSession();
  try {
    await registerTpch(setup, database, files, format);
    if (analyze !== undefined) {
      const start = performance.now();
      for (const t of TPCH_TABLE_NAMES) {
        await setup.sql(`ANALYZE TABLE ${database}.${t} COMPUTE STATISTICS FOR ALL COLUMNS`);
      }
      analyze.onAnalyzed(performance.now() - start);
    }
    if (cache !== undefined) {
      const start = performance.now();
      for (const t of TPCH_TABLE_NAMES) await setup.sql(`CACHE TABLE ${database}.${t}`);
      cache.onCached(performance.now() - start);
    }
  } catch (err) {
    setup.close();
    await engine.close();
    rmSync(warehouse, { recursive: true, force: true });
    throw err;
  }
  setup.close();
  const session = engine.createSession({
    database,
    settings: {
      ...(threads === undefined
        ? {}
        : {
            'kindling.execution.target_partitions': String(threads),
            'spark.sql.shuffle.partitions': String(threads),
          }),
      ...options.settings,
    },
  });
  return {
    name: 'kindling',
    execute: engineExecutor(session),
    close: async () => {
      session.close();
      await engine.close();
      rmSync(warehouse, { recursive: true, force: true });
    },
  };
}
