/**
 * Runs every `.slt` file under test/sql in a fresh engine (its own temporary warehouse), once with
 * one partition per scan and once with three, so results cannot depend on partitioning.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/session/index.ts';
import { readSlt, runSlt, sltFiles } from './slt.ts';

const root = dirname(fileURLToPath(import.meta.url));
const warehouses: string[] = [];

afterAll(() => {
  for (const w of warehouses) rmSync(w, { recursive: true, force: true });
});

describe.each([1, 3])('sql logic tests with %i partition(s)', (partitions) => {
  for (const file of sltFiles(root)) {
    it(relative(root, file), async () => {
      const warehouse = mkdtempSync(join(tmpdir(), 'kindling-slt-'));
      warehouses.push(warehouse);
      const engine = new Engine({ warehouse });
      const session = engine.createSession({
        settings: {
          'kindling.execution.target_partitions': String(partitions),
          'spark.sql.session.timeZone': 'UTC',
        },
      });
      const outcome = await runSlt(readSlt(file), session);
      const report = outcome.failures
        .map((f) => `${relative(root, file)}:${f.line}: ${f.message}`)
        .join('\n\n');
      expect(report).toBe('');
    });
  }
});
