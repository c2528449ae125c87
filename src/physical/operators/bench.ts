/**
 * A micro-benchmark of the two heaviest operators (not a test): `npx node src/physical/operators/bench.ts
 * [case …]`. Cases (all by default):
 * - `agg-int`: aggregate 6M rows over 1.5M distinct int keys (count + sum of a double);
 * - `join-int`: inner hash join of 1.5M build keys with 6M probe keys (6M output rows);
 * - `join-decimal`: the same join on decimal(15,2) keys;
 * - `agg-string`: aggregate 6M rows over 150K distinct 25-character string keys (count + sum);
 * - `merge-4`, `merge-16`, `merge-64`: k-way merge (a gather of sorted partitions, as for the
 *   runs of an external sort) of 4M int-keyed rows from 4, 16 or 64 interleaved sorted inputs.
 * Each case runs once to warm up, then 3 times; prints the median wall time and the median CPU
 * time of the process (user + system; less disturbed by other work on a shared machine).
 */
import type * as arrow from 'apache-arrow';
import {
  T,
  field,
  makeBatch,
  makeColumn,
  makeStringColumn,
  schema,
  type DataType,
  type Schema,
} from '../../common/index.ts';
import type { ExecutionPlan } from '../execution-plan.ts';
import { HashAggregateExec } from './hash-aggregate-exec.ts';
import { HashJoinExec } from './hash-join-exec.ts';
import { ExchangeExec } from './exchange-exec.ts';
import { ColumnExpr, CountAccumulator, MemoryExec, SumAccumulator, taskCtx } from './test-support.ts';

const BATCH = 8192;
const DEC: DataType = T.decimal(15, 2);

function keyColumn(type: DataType, keys: Int32Array, len: number): arrow.Data {
  if (type.kind === 'decimal') {
    const big = new BigInt64Array(len);
    for (let i = 0; i < len; i++) big[i] = BigInt(keys[i]!) * 100n + 25n;
    return makeColumn(type, big, len, null);
  }
  if (type.kind === 'string') {
    const offsets = new Int32Array(len + 1);
    const bytes = new Uint8Array(len * 25);
    for (let i = 0; i < len; i++) {
      // "customer#" + 16 digits: 25 bytes.
      const base = i * 25;
      const prefix = 'customer#';
      for (let c = 0; c < prefix.length; c++) bytes[base + c] = prefix.charCodeAt(c);
      let v = keys[i]!;
      for (let d = 24; d >= prefix.length; d--) {
        bytes[base + d] = 48 + (v % 10);
        v = Math.floor(v / 10);
      }
      offsets[i + 1] = base + 25;
    }
    return makeStringColumn(offsets, bytes, len, null, type);
  }
  return makeColumn(type, keys, len, null);
}

function batches(s: Schema, n: number, key: (i: number) => number): arrow.RecordBatch[] {
  const keyType = s.fields[0]!.type;
  const out: arrow.RecordBatch[] = [];
  for (let start = 0; start < n; start += BATCH) {
    const len = Math.min(BATCH, n - start);
    const k = new Int32Array(len);
    const v = new Float64Array(len);
    for (let i = 0; i < len; i++) {
      k[i] = key(start + i);
      v[i] = (start + i) % 100;
    }
    out.push(makeBatch(s, [keyColumn(keyType, k, len), makeColumn(T.double, v, len, null)], len));
  }
  return out;
}

async function drain(plan: ExecutionPlan): Promise<number> {
  let rows = 0;
  const ctx = taskCtx(BATCH);
  for (let p = 0; p < plan.outputPartitions; p++)
    for await (const b of plan.execute(p, ctx)) rows += b.numRows;
  return rows;
}

function aggregate(s: Schema, input: arrow.RecordBatch[]): ExecutionPlan {
  const keyType = s.fields[0]!.type;
  return new HashAggregateExec({
    input: new MemoryExec(s, [input]),
    mode: 'single',
    groupBy: [{ expr: new ColumnExpr(0, keyType, 'k'), name: 'k' }],
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
    schema: schema([field('k', keyType), field('c', T.bigint), field('s', T.double)]),
  });
}

function join(s: Schema, probe: arrow.RecordBatch[], build: arrow.RecordBatch[]): ExecutionPlan {
  const keyType = s.fields[0]!.type;
  return new HashJoinExec({
    left: new MemoryExec(s, [probe]),
    right: new MemoryExec(s, [build]),
    joinType: 'inner',
    leftKeys: [new ColumnExpr(0, keyType)],
    rightKeys: [new ColumnExpr(0, keyType)],
    nullSafe: [false],
    filter: null,
    buildSide: 'right',
    nullAware: false,
    schema: schema([...s.fields, ...s.fields]),
  });
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[s.length >> 1]!;
}

async function measure(label: string, make: () => ExecutionPlan): Promise<void> {
  const wall: number[] = [];
  const cpu: number[] = [];
  let rows = 0;
  for (let run = 0; run < 4; run++) {
    const plan = make();
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    rows = await drain(plan);
    const t1 = performance.now();
    const c1 = process.cpuUsage(c0);
    if (run === 0) continue;
    wall.push(t1 - t0);
    cpu.push((c1.user + c1.system) / 1000);
  }
  const fmt = (xs: number[]): string => xs.map((x) => x.toFixed(0)).join('/');
  console.log(
    `${label} → ${rows} rows: median ${median(wall).toFixed(0)} ms wall (${fmt(wall)}), ` +
      `${median(cpu).toFixed(0)} ms cpu (${fmt(cpu)})`,
  );
}

const probeKey = (i: number): number => ((i * 2654435761) % 1_500_000) >>> 0;
const cases = process.argv.slice(2);
const wanted = (c: string): boolean => cases.length === 0 || cases.includes(c);

if (wanted('agg-int') || wanted('join-int')) {
  const s = schema([field('k', T.int), field('v', T.double)]);
  const probe = batches(s, 6_000_000, probeKey);
  if (wanted('agg-int')) await measure('agg-int: 6M rows, 1.5M int groups', () => aggregate(s, probe));
  if (wanted('join-int')) {
    const build = batches(s, 1_500_000, (i) => i);
    await measure('join-int: 1.5M build × 6M probe', () => join(s, probe, build));
  }
}
if (wanted('join-decimal')) {
  const s = schema([field('k', DEC), field('v', T.double)]);
  const probe = batches(s, 6_000_000, probeKey);
  const build = batches(s, 1_500_000, (i) => i);
  await measure('join-decimal: decimal(15,2) 1.5M build × 6M probe', () => join(s, probe, build));
}
if (wanted('agg-string')) {
  const s = schema([field('k', T.string), field('v', T.double)]);
  const input = batches(s, 6_000_000, (i) => ((i * 2654435761) % 150_000) >>> 0);
  await measure('agg-string: 6M rows, 150K 25-char string groups', () => aggregate(s, input));
}
for (const k of [4, 16, 64]) {
  if (!wanted(`merge-${k}`)) continue;
  const s = schema([field('k', T.int), field('v', T.double)]);
  const per = Math.floor(4_000_000 / k);
  // Partition p holds keys p, p + k, p + 2k, …: sorted, and interleaved row by row with the others.
  const parts = Array.from({ length: k }, (_, p) => batches(s, per, (i) => i * k + p));
  const keys = [{ expr: new ColumnExpr(0, T.int), ascending: true, nullsFirst: true }];
  await measure(
    `merge-${k}: ${k} sorted inputs, 4M rows`,
    () => new ExchangeExec({ input: new MemoryExec(s, parts), kind: 'single', sortKeys: keys }),
  );
}
