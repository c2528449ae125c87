import type * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { batchRows, columnFromValues, makeBatch, type Schema } from '../../common/index.ts';
import {
  NotSerializableError,
  defaultEvalContext,
  unboundedMemory,
  type ExecutionPlan,
  type TaskContext,
} from '../../physical/index.ts';
import { executeInline } from './inline.ts';

async function collect(plan: ExecutionPlan, ctx: TaskContext): Promise<arrow.RecordBatch[]> {
  const out: arrow.RecordBatch[] = [];
  for await (const b of executeInline(plan, ctx)) out.push(b);
  return out;
}

const schema: Schema = { fields: [{ name: 'x', type: { kind: 'int' }, nullable: false }] };

/** A plan whose partition p yields `batches` batches of the values p*100 + i, recording closes. */
function fakePlan(partitions: number, batches: number, closed: number[]): ExecutionPlan {
  return {
    name: 'FakeExec',
    schema,
    outputPartitions: partitions,
    partitioning: { kind: 'unknown', count: partitions },
    requiredInputDistribution: [],
    spec() {
      throw new NotSerializableError('FakeExec');
    },
    children: () => [],
    withChildren() {
      return this;
    },
    explain: () => 'FakeExec',
    async *execute(p: number): AsyncGenerator<arrow.RecordBatch> {
      try {
        for (let i = 0; i < batches; i++) {
          await Promise.resolve();
          yield makeBatch(schema, [columnFromValues({ kind: 'int' }, [p * 100 + i])], 1);
        }
      } finally {
        closed.push(p);
      }
    },
  };
}

function ctx(): TaskContext {
  return {
    eval: defaultEvalContext(),
    signal: new AbortController().signal,
    batchSize: 1024,
    scope: {},
    memory: unboundedMemory(),
  };
}

describe('inline execution', () => {
  it('returns every batch of every partition exactly once', async () => {
    const closed: number[] = [];
    const batches = await collect(fakePlan(3, 4, closed), ctx());
    const values = batches.flatMap((b) => batchRows(b, [{ kind: 'int' }]).map((r) => r[0]));
    expect(values.sort((a, b) => Number(a) - Number(b))).toEqual([
      0, 1, 2, 3, 100, 101, 102, 103, 200, 201, 202, 203,
    ]);
    expect(closed.sort()).toEqual([0, 1, 2]);
  });

  it('reads partitions in order and closes the open one when the consumer stops early', async () => {
    const closed: number[] = [];
    const first: number[] = [];
    for await (const b of executeInline(fakePlan(3, 100, closed), ctx())) {
      first.push(Number(batchRows(b, [{ kind: 'int' }])[0]![0]));
      if (first.length === 150) break;
    }
    expect(first.slice(98, 102)).toEqual([98, 99, 100, 101]);
    expect(closed.sort()).toEqual([0, 1]);
  });

  it('stops with 57014 when the query is cancelled', async () => {
    const controller = new AbortController();
    controller.abort();
    const err = await collect(fakePlan(1, 2, []), { ...ctx(), signal: controller.signal }).catch(
      (e: unknown) => e,
    );
    expect((err as { sqlstate?: string }).sqlstate).toBe('57014');
  });
});
