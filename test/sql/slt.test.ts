/**
 * Runs every `.slt` file under test/sql in a fresh engine (its own temporary warehouse), four ways,
 * so results cannot depend on where or how partitioned a query runs: in the session's thread (no
 * executors), on 1 and 3 executor threads with one and three partitions per scan — there even
 * tiny queries are sent to the executors — and on three executor processes (`process[3]`, one
 * set shared by every file's engine; skipped where nats-server is not installed).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { ExecutionEngine } from '../../src/exec/index.ts';
import { hasNatsServer } from '../../src/exec/remote/nats/nats-server-process.ts';
import { Engine } from '../../src/session/index.ts';
import { DATA_DIR, readSlt, runSlt, sltFiles } from './slt.ts';

const root = dirname(fileURLToPath(import.meta.url));
const warehouses: string[] = [];

afterAll(() => {
  for (const w of warehouses) rmSync(w, { recursive: true, force: true });
});

const variants = [
  { name: 'inline, 1 partition', threads: 0, partitions: 1, processes: false },
  { name: '1 executor thread, 1 partition', threads: 1, partitions: 1, processes: false },
  { name: '3 executor threads, 3 partitions', threads: 3, partitions: 3, processes: false },
  { name: '3 executor processes, 3 partitions', threads: 0, partitions: 3, processes: true },
].filter((v) => !v.processes || hasNatsServer());

/** The executor processes every file's engine of the `process[3]` variant runs on. */
let processes: ExecutionEngine | null = null;
async function sharedProcesses(): Promise<ExecutionEngine> {
  if (processes === null) {
    processes = new ExecutionEngine({ master: { kind: 'process', executors: 3 }, memoryLimit: 3 * 2 ** 30 });
    await processes.start();
  }
  return processes;
}
afterAll(async () => {
  await processes?.close();
});

describe.each(variants)('sql logic tests: $name', ({ threads, partitions, processes: distributed }) => {
  for (const file of sltFiles(root)) {
    it(relative(root, file), async () => {
      const warehouse = mkdtempSync(join(tmpdir(), 'kindling-slt-'));
      warehouses.push(warehouse);
      const engine = new Engine({
        warehouse,
        executorThreads: threads,
        allowedPaths: [warehouse, DATA_DIR],
        ...(distributed ? { execution: await sharedProcesses() } : {}),
      });
      const session = engine.createSession({
        settings: {
          'kindling.execution.target_partitions': String(partitions),
          'spark.sql.shuffle.partitions': String(partitions),
          'kindling.execution.inline_tiny_queries': 'false',
          'spark.sql.session.timeZone': 'UTC',
        },
      });
      const outcome = await runSlt(readSlt(file), session).finally(() => engine.close());
      const report = outcome.failures
        .map((f) => `${relative(root, file)}:${f.line}: ${f.message}`)
        .join('\n\n');
      expect(report).toBe('');
    });
  }
});
