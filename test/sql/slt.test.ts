/**
 * Runs every `.slt` file under test/sql in a fresh engine (its own temporary warehouse), three ways,
 * so results cannot depend on where or how partitioned a query runs: in the session's thread (no
 * executors), and on 1 and 3 executor threads with one and three partitions per scan — there even
 * tiny queries are sent to the executors.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/session/index.ts';
import { DATA_DIR, readSlt, runSlt, sltFiles } from './slt.ts';

const root = dirname(fileURLToPath(import.meta.url));
const warehouses: string[] = [];

afterAll(() => {
  for (const w of warehouses) rmSync(w, { recursive: true, force: true });
});

const variants = [
  { name: 'inline, 1 partition', threads: 0, partitions: 1 },
  { name: '1 executor thread, 1 partition', threads: 1, partitions: 1 },
  { name: '3 executor threads, 3 partitions', threads: 3, partitions: 3 },
];

describe.each(variants)('sql logic tests: $name', ({ threads, partitions }) => {
  for (const file of sltFiles(root)) {
    it(relative(root, file), async () => {
      const warehouse = mkdtempSync(join(tmpdir(), 'kindling-slt-'));
      warehouses.push(warehouse);
      const engine = new Engine({ warehouse, executorThreads: threads, allowedPaths: [warehouse, DATA_DIR] });
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
