/**
 * A micro-benchmark of the two heaviest operators (not a test): `npx node src/physical/operators/bench.ts`.
 * Aggregates 6M rows over 1.5M distinct int keys (count + sum of a double), and hash-joins 1.5M
 * build keys with 6M probe keys; prints the wall time of each.
 */
import type * as arrow from 'apache-arrow';
import { T, field, makeBatch, makeColumn, schema, type Schema } from '../../common/index.ts';
import { HashAggregateExec } from './hash-aggregate-exec.ts';
import { HashJoinExec } from './hash-join-exec.ts';
import { ColumnExpr, CountAccumulator, MemoryExec, SumAccumulator, taskCtx } from './test-support.ts';

const BATCH = 8192;

function intBatches(s: Schema, n: number, key: (i: number) => number): arrow.RecordBatch[] {
  const out: arrow.RecordBatch[] = [];
  for (let start = 0; start < n; start += BATCH) {
    const len = Math.min(BATCH, n - start);
    const k = new Int32Array(len);
    const v = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      k[i] = key(start + i);
      v[i] = (start + i) % 100;
    }
    out.push(makeBatch(s, [makeColumn(T.int, k, len, null), makeColumn(T.double, v, len, null)], len));
  }
  return out;
}

async function drain(plan: {
  execute(p: number, ctx: ReturnType<typeof taskCtx>): AsyncIterable<arrow.RecordBatch>;
  outputPartitions: number;
}): Promise<number> {
  let rows = 0;
  const ctx = taskCtx(BATCH);
  for (let p = 0; p < plan.outputPartitions; p++)
    for await (const b of plan.execute(p, ctx)) rows += b.numRows;
  return rows;
}

const s = schema([field('k', T.int), field('v', T.double)]);
const probe = intBatches(s, 6_000_000, (i) => ((i * 2654435761) % 1_500_000) >>> 0);
const build = intBatches(s, 1_500_000, (i) => i);

for (let run = 0; run < 3; run++) {
  const agg = new HashAggregateExec({
    input: new MemoryExec(s, [probe]),
    mode: 'single',
    groupBy: [{ expr: new ColumnExpr(0, T.int, 'k'), name: 'k' }],
    aggregates: [
      {
        name: 'count(1)',
        args: [],
        filter: null,
        distinct: false,
        createAccumulator: () => new CountAccumulator(),
        type: T.bigint,
      },
      {
        name: 'sum(v)',
        args: [new ColumnExpr(1, T.double, 'v')],
        filter: null,
        distinct: false,
        createAccumulator: () => new SumAccumulator(T.double),
        type: T.double,
      },
    ],
    groupingSets: null,
    groupingIdName: null,
    schema: schema([field('k', T.int), field('c', T.bigint), field('s', T.double)]),
  });
  let t0 = performance.now();
  const groups = await drain(agg);
  const aggMs = performance.now() - t0;

  const join = new HashJoinExec({
    left: new MemoryExec(s, [probe]),
    right: new MemoryExec(s, [build]),
    joinType: 'inner',
    leftKeys: [new ColumnExpr(0, T.int)],
    rightKeys: [new ColumnExpr(0, T.int)],
    nullSafe: [false],
    filter: null,
    buildSide: 'right',
    nullAware: false,
    schema: schema([...s.fields, ...s.fields]),
  });
  t0 = performance.now();
  const joined = await drain(join);
  const joinMs = performance.now() - t0;
  console.log(
    `run ${run}: aggregate 6M rows → ${groups} groups: ${aggMs.toFixed(0)} ms; join 1.5M × 6M → ${joined} rows: ${joinMs.toFixed(0)} ms`,
  );
}
