/**
 * Kindling in-process over the benchmark's files: a throw-away warehouse in a temporary folder
 * with database `tpch_sf<N>` registered over them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../src/index.ts';
import {
  engineExecutor,
  registerTpch,
  tpchDatabase,
  type DataFormat,
  type TableFiles,
} from '../run/index.ts';
import { TPCH_TABLE_NAMES } from '../schema.ts';
import type { Peer } from './peer.ts';

/**
 * `threads`, when given, sets `kindling.execution.target_partitions` (default: one per core);
 * `analyze` runs `ANALYZE TABLE … COMPUTE STATISTICS FOR ALL COLUMNS` on every table after
 * registering them (its time is reported through `onAnalyzed`).
 */
export async function openEngine(
  files: TableFiles,
  format: DataFormat,
  sf: number,
  threads?: number,
  analyze?: { readonly onAnalyzed: (ms: number) => void },
): Promise<Peer> {
  const warehouse = mkdtempSync(join(tmpdir(), 'kindling-bench-'));
  const database = tpchDatabase(sf);
  const engine = new Engine({
    warehouse,
    allowedPaths: [warehouse, ...Object.values(files)],
    ...(threads === undefined ? {} : { executorThreads: threads }),
  });
  engine.execution.start();
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
  } catch (err) {
    rmSync(warehouse, { recursive: true, force: true });
    throw err;
  } finally {
    setup.close();
  }
  const session = engine.createSession({
    database,
    ...(threads === undefined
      ? {}
      : {
          settings: {
            'kindling.execution.target_partitions': String(threads),
            'spark.sql.shuffle.partitions': String(threads),
          },
        }),
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
