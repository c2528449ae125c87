/**
 * Test doubles for operator tests: column / literal / `>` physical expressions, count and sum
 * accumulators, an in-memory source with pull counting, a task context and result collection,
 * and for spilling operators a memory pool with a limit and spill "files" kept in memory.
 * Not exported from the layer; the real expressions and accumulators live elsewhere.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  batchRows,
  columnFromValues,
  makeBatch,
  makeColumn,
  type DataType,
  type Schema,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, EvalContext, GroupsAccumulator } from '../../functions/index.ts';
import {
  unboundedMemory,
  type Distribution,
  type ExecutionPlan,
  type MemoryPool,
  type MemoryReservation,
  type Partitioning,
  type PhysicalExpr,
  type SpillFile,
  type SpillSpace,
  type TaskContext,
} from '../execution-plan.ts';
import { NotSerializableError, type OperatorSpec } from '../plan-spec.ts';
import { satisfies } from '../distribution.ts';
import { ExchangeExec } from './exchange-exec.ts';
import { ColumnView } from '../batch/column-view.ts';
import { compareValues } from '../batch/sort-indices.ts';

export const evalCtx: EvalContext = {
  ansi: true,
  timeZone: 'UTC',
  queryStartMicros: 0n,
  currentDatabase: 'default',
  currentUser: 'test',
};

export function taskCtx(batchSize = 8192, signal: AbortSignal = new AbortController().signal): TaskContext {
  return { eval: evalCtx, signal, batchSize, scope: {}, memory: unboundedMemory() };
}

export class ColumnExpr implements PhysicalExpr {
  readonly index: number;
  readonly name: string;
  readonly type: DataType;
  readonly nullable = true;
  constructor(index: number, type: DataType, name = `c${index}`) {
    this.index = index;
    this.type = type;
    this.name = name;
  }
  evaluate(batch: arrow.RecordBatch): ColumnarValue {
    return { kind: 'array', data: batch.data.children[this.index]! };
  }
  toString(): string {
    return `${this.name}@${this.index}`;
  }
}

export class LiteralExpr implements PhysicalExpr {
  readonly value: Value;
  readonly type: DataType;
  readonly nullable: boolean;
  constructor(value: Value, type: DataType) {
    this.value = value;
    this.type = type;
    this.nullable = value === null;
  }
  evaluate(): ColumnarValue {
    return { kind: 'scalar', value: this.value, type: this.type };
  }
  toString(): string {
    return typeof this.value === 'object' && this.value !== null ? 'literal' : String(this.value);
  }
}

/** `left > right` for two expressions of one type; NULL when either side is NULL. */
export class GreaterThanExpr implements PhysicalExpr {
  readonly type: DataType = { kind: 'boolean' };
  readonly nullable = true;
  readonly left: PhysicalExpr;
  readonly right: PhysicalExpr;
  constructor(left: PhysicalExpr, right: PhysicalExpr) {
    this.left = left;
    this.right = right;
  }
  evaluate(batch: arrow.RecordBatch, ctx: EvalContext): ColumnarValue {
    const n = batch.numRows;
    const toCol = (e: PhysicalExpr): arrow.Data => {
      const v = e.evaluate(batch, ctx);
      return v.kind === 'array' ? v.data : columnFromValues(e.type, new Array<Value>(n).fill(v.value));
    };
    const a = new ColumnView(toCol(this.left), this.left.type);
    const b = new ColumnView(toCol(this.right), this.right.type);
    const out = new Uint8Array(n);
    const valid = new Uint8Array(n);
    for (let i = 0; i < n; i++) {
      if (a.isNull(i) || b.isNull(i)) continue;
      valid[i] = 1;
      out[i] = compareValues(a, i, b, i) > 0 ? 1 : 0;
    }
    return { kind: 'array', data: makeColumn(this.type, out, n, valid) };
  }
  toString(): string {
    return `${this.left.toString()} > ${this.right.toString()}`;
  }
}

function readNumber(view: ColumnView, i: number): number {
  if (view.layout === 'int') return view.ints[i]!;
  if (view.layout === 'float') return view.floats[i]!;
  if (view.layout === 'words') return view.words[2 * i]! + view.words[2 * i + 1]! * 4294967296;
  return 1;
}

/** count(x) (or count(*) without arguments): bigint, never NULL. */
export class CountAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = [{ kind: 'bigint' }];
  private counts = new Float64Array(0);
  private n = 0;
  private ensure(numGroups: number): void {
    if (numGroups > this.counts.length) {
      const c = new Float64Array(Math.max(numGroups, this.counts.length * 2));
      c.set(this.counts);
      this.counts = c;
    }
    this.n = Math.max(this.n, numGroups);
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    this.ensure(numGroups);
    const view = args[0] === undefined ? null : new ColumnView(args[0], { kind: 'int' });
    for (let i = 0; i < numRows; i++) {
      if (filter !== null && filter[i] === 0) continue;
      if (view !== null && view.isNull(i)) continue;
      this.counts[groupIds[i]!]!++;
    }
  }
  state(): arrow.Data[] {
    return [this.evaluate()];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.ensure(numGroups);
    const view = new ColumnView(states[0]!, { kind: 'bigint' });
    for (let i = 0; i < numRows; i++) this.counts[groupIds[i]!]! += readNumber(view, i);
  }
  evaluate(): arrow.Data {
    const out = new BigInt64Array(this.n);
    for (let g = 0; g < this.n; g++) out[g] = BigInt(this.counts[g]!);
    return makeColumn({ kind: 'bigint' }, out, this.n, null);
  }
  size(): number {
    return this.counts.byteLength;
  }
}

/** sum(x) over int/double input as a double; NULL for a group without non-null input. */
export class SumAccumulator implements GroupsAccumulator {
  readonly stateTypes: readonly DataType[] = [{ kind: 'double' }];
  readonly argType: DataType;
  private sums = new Float64Array(0);
  private seen = new Uint8Array(0);
  private n = 0;
  constructor(argType: DataType) {
    this.argType = argType;
  }
  private ensure(numGroups: number): void {
    if (numGroups > this.sums.length) {
      const cap = Math.max(numGroups, this.sums.length * 2);
      const s = new Float64Array(cap);
      s.set(this.sums);
      this.sums = s;
      const v = new Uint8Array(cap);
      v.set(this.seen);
      this.seen = v;
    }
    this.n = Math.max(this.n, numGroups);
  }
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
  ): void {
    this.ensure(numGroups);
    const view = new ColumnView(args[0]!, this.argType);
    this.add(view, groupIds, numRows, filter);
  }
  private add(view: ColumnView, groupIds: Int32Array, numRows: number, filter: Uint8Array | null): void {
    for (let i = 0; i < numRows; i++) {
      if ((filter !== null && filter[i] === 0) || view.isNull(i)) continue;
      const g = groupIds[i]!;
      this.sums[g]! += readNumber(view, i);
      this.seen[g] = 1;
    }
  }
  state(): arrow.Data[] {
    return [this.evaluate()];
  }
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void {
    this.ensure(numGroups);
    this.add(new ColumnView(states[0]!, { kind: 'double' }), groupIds, numRows, null);
  }
  evaluate(): arrow.Data {
    return makeColumn({ kind: 'double' }, this.sums.slice(0, this.n), this.n, this.seen.slice(0, this.n));
  }
  size(): number {
    return this.sums.byteLength;
  }
}

/** An in-memory source: `partitions[p]` are partition p's batches; counts batches pulled. */
export class MemoryExec implements ExecutionPlan {
  readonly name = 'MemoryExec';
  readonly schema: Schema;
  readonly partitions: readonly (readonly arrow.RecordBatch[])[];
  pulled = 0;
  closed = 0;
  constructor(schema: Schema, partitions: readonly (readonly arrow.RecordBatch[])[]) {
    this.schema = schema;
    this.partitions = partitions;
  }
  readonly requiredInputDistribution: readonly Distribution[] = [];
  get outputPartitions(): number {
    return this.partitions.length;
  }
  get partitioning(): Partitioning {
    return this.partitions.length === 1
      ? { kind: 'single' }
      : { kind: 'unknown', count: this.partitions.length };
  }
  children(): readonly ExecutionPlan[] {
    return [];
  }
  withChildren(): ExecutionPlan {
    return this;
  }
  spec(): OperatorSpec {
    throw new NotSerializableError('a test MemoryExec');
  }
  async *execute(partition: number): AsyncGenerator<arrow.RecordBatch> {
    try {
      for (const b of this.partitions[partition] ?? []) {
        this.pulled++;
        await Promise.resolve();
        yield b;
      }
    } finally {
      this.closed++;
    }
  }
  explain(): string {
    return 'MemoryExec';
  }
}

/** A batch of `schema` from rows of values. */
export function batchOf(schema: Schema, rows: readonly (readonly Value[])[]): arrow.RecordBatch {
  return makeBatch(
    schema,
    schema.fields.map((f, c) =>
      columnFromValues(
        f.type,
        rows.map((r) => r[c] ?? null),
      ),
    ),
    rows.length,
  );
}

/** A MemoryExec whose rows are split into batches of `batchRows` and spread over `partitions`. */
export function source(
  schema: Schema,
  rows: readonly (readonly Value[])[],
  batchRowsCount = 3,
  partitions = 1,
): MemoryExec {
  const parts: arrow.RecordBatch[][] = Array.from({ length: partitions }, () => []);
  let k = 0;
  for (let start = 0; start < rows.length; start += batchRowsCount) {
    parts[k % partitions]!.push(batchOf(schema, rows.slice(start, start + batchRowsCount)));
    k++;
  }
  return new MemoryExec(schema, parts);
}

/** Every row of every partition, checking each batch's column types against the schema. */
export async function collectRows(plan: ExecutionPlan, ctx: TaskContext = taskCtx()): Promise<Value[][]> {
  const types = plan.schema.fields.map((f) => f.type);
  const rows: Value[][] = [];
  for (let p = 0; p < plan.outputPartitions; p++) {
    for await (const batch of plan.execute(p, ctx)) {
      if (batch.numCols !== types.length)
        throw new Error(`batch has ${batch.numCols} columns, schema ${types.length}`);
      if (batch.numRows > ctx.batchSize)
        throw new Error(`batch of ${batch.numRows} rows > batchSize ${ctx.batchSize}`);
      rows.push(...batchRows(batch, types));
    }
  }
  return rows;
}

/** Sorts rows for order-insensitive comparison. */
export function sortRows(rows: Value[][]): Value[][] {
  const key = (v: Value): string =>
    v === null ? '\u0000' : typeof v === 'bigint' ? `${v}n` : JSON.stringify(v);
  return [...rows].sort((a, b) => {
    const x = a.map(key).join('|');
    const y = b.map(key).join('|');
    return x < y ? -1 : x > y ? 1 : 0;
  });
}

/**
 * `plan` with exchanges wherever a child does not meet its parent's required distribution (hash
 * exchanges into `count` partitions), as the planner would place them.
 */
export function distributed(plan: ExecutionPlan, count = 3): ExecutionPlan {
  const children = plan.children().map((c) => distributed(c, count));
  const required = plan.requiredInputDistribution;
  const next = children.map((c, i) => {
    const d = required[i]!;
    if (d.kind === 'hash') return new ExchangeExec({ input: c, kind: 'hash', keys: d.keys, count });
    if (satisfies(c.partitioning, d)) return c;
    return new ExchangeExec({ input: c, kind: d.kind === 'broadcast' ? 'broadcast' : 'single' });
  });
  return children.length === 0 ? plan : plan.withChildren(next);
}

/** A memory pool with a limit: past it `grow` throws 53200 and `tryGrow` says false. */
export class LimitedPool implements MemoryPool {
  readonly limit: number;
  used = 0;
  peak = 0;
  constructor(limit: number) {
    this.limit = limit;
  }
  reserve(consumer: string): MemoryReservation {
    let size = 0;
    const tryGrow = (bytes: number): boolean => {
      const b = Math.max(0, Math.ceil(bytes));
      if (this.used + b > this.limit) return false;
      this.used += b;
      size += b;
      this.peak = Math.max(this.peak, this.used);
      return true;
    };
    const shrink = (bytes: number): void => {
      const b = Math.min(size, Math.max(0, Math.ceil(bytes)));
      this.used -= b;
      size -= b;
    };
    const grow = (bytes: number): void => {
      if (!tryGrow(bytes)) {
        throw new EngineError(SqlState.outOfMemory, `${consumer}: ${bytes} bytes more refused`);
      }
    };
    return {
      consumer,
      get size() {
        return size;
      },
      grow,
      tryGrow,
      shrink,
      resize: (bytes) => (bytes > size ? grow(bytes - size) : shrink(size - bytes)),
      free: () => shrink(size),
    };
  }
}

/** Spill "files" kept in memory, counting those written and those not removed yet. */
export class MemorySpill implements SpillSpace {
  /** Writes begun (a write whose rows fail leaves no file). */
  started = 0;
  written = 0;
  readonly live = new Set<number>();
  async write(
    _consumer: string,
    _schema: Schema,
    batches: Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>,
  ): Promise<SpillFile> {
    this.started++;
    const kept: arrow.RecordBatch[] = [];
    for await (const b of batches) kept.push(b);
    const id = this.written++;
    this.live.add(id);
    const sizes = kept.map((b) => b.data.children.reduce((n, c) => n + c.byteLength, 0));
    const max = Math.max(0, ...sizes);
    return {
      bytes: sizes.reduce((a, b) => a + b, 0),
      rows: kept.reduce((n, b) => n + b.numRows, 0),
      maxBatchBytes: max,
      read: async function* () {
        for (const b of kept) {
          await Promise.resolve();
          yield b;
        }
      },
      remove: () => this.live.delete(id),
    };
  }
}
