/**
 * EXPLAIN ANALYZE's metrics: how a stage combines its tasks' metrics, and what an instrumented
 * operator that spills reports (bytes, files, passes — its own, not its children's).
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Schema } from '../common/index.ts';
import { RangeExec, SortExec, columnExpr, defaultEvalContext, type TaskContext } from '../physical/index.ts';
import { MemoryBudget, TaskMemoryPool, createBudget, UNLIMITED } from './memory/memory-budget.ts';
import { addMetrics, emptyMetrics, instrument, type OperatorMetrics } from './metrics.ts';
import { TaskSpillSpace } from './spill/spill-files.ts';

describe('addMetrics', () => {
  it('sums counts, bytes and files; keeps the largest peak memory and spill passes', () => {
    const into = emptyMetrics();
    addMetrics(into, {
      ...emptyMetrics(),
      rows: 3,
      peakMemory: 10,
      spilledBytes: 100,
      spillFiles: 4,
      spillPasses: 2,
    });
    addMetrics(into, {
      ...emptyMetrics(),
      rows: 5,
      peakMemory: 30,
      spilledBytes: 50,
      spillFiles: 16,
      spillPasses: 1,
    });
    addMetrics(into, { ...emptyMetrics(), rows: 1 });
    expect(into).toMatchObject({
      rows: 9,
      peakMemory: 30,
      spilledBytes: 150,
      spillFiles: 20,
      spillPasses: 2,
    });
  });
});

describe('instrument', () => {
  it("counts a sort's spill files and passes on the sort alone", async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'kindling-metrics-test-'));
    const spill = new TaskSpillSpace(dir, 'metrics-test');
    const pool = new TaskMemoryPool(
      new MemoryBudget(createBudget(256 << 10, 'kindling.memory.query_limit')),
      new MemoryBudget(createBudget(UNLIMITED, 'kindling.memory.limit')),
    );
    try {
      const schema: Schema = { fields: [{ name: 'id', type: { kind: 'bigint' }, nullable: false }] };
      const range = new RangeExec({ schema, start: 0n, end: 200000n, step: 1n, partitions: 1 });
      const sort = new SortExec({
        input: range,
        keys: [{ expr: columnExpr(schema, 0), ascending: false, nullsFirst: false }],
      });
      const slots: OperatorMetrics[] = [];
      const ctx: TaskContext = {
        eval: defaultEvalContext(),
        signal: new AbortController().signal,
        batchSize: 4096,
        scope: {},
        memory: pool,
        spill,
      };
      let rows = 0;
      for await (const b of instrument(sort, slots).execute(0, ctx)) rows += b.numRows;
      expect(rows).toBe(200000);
      const [sorted, scan] = slots;
      expect(sorted!.spillFiles).toBeGreaterThan(1);
      expect(sorted!.spilledBytes).toBeGreaterThan(0);
      expect(sorted!.spillPasses).toBeGreaterThanOrEqual(1);
      expect(scan).toMatchObject({ spillFiles: 0, spilledBytes: 0, spillPasses: 0 });
    } finally {
      spill.removeAll();
      pool.releaseAll();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
