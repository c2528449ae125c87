/**
 * Exchanges: where rows change partitions. The planner puts one wherever an operator's required
 * distribution differs from its input's partitioning; src/exec cuts the plan into stages at them
 * (the input becomes a map stage whose tasks write `count` buckets, the exchange becomes an
 * `ExchangeReaderExec` in the consuming stage).
 *
 *   ShuffleExchangeExec: hash([l_orderkey@0], 4)   rows with equal keys → the same of 4 partitions
 *   ShuffleExchangeExec: round_robin(4)            batches dealt to 4 partitions in turn
 *   GatherExec                                      every row → one partition
 *   GatherExec: merge=[o_totalprice@1 DESC …]      sorted input partitions → one sorted partition
 *   BroadcastExchangeExec                           every row → one partition every task reads
 *
 * Run whole in one thread (a tiny query, a recursive CTE's branches, tests), an exchange moves the
 * rows itself: a gather pulls its input partitions concurrently (or merges them), a shuffle reads
 * its whole input once per `ctx.scope` and serves each output partition from memory, a broadcast
 * reads its input in partition order (its consumers keep what they build per scope).
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import { hashPartitions, splitBatch } from '../batch/partition.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { exprSpec, sortKeySpec, type OperatorSpec } from '../plan-spec.ts';
import { batchBytes, checkCancelled, checkPartition, evaluateToColumn } from './exec-support.ts';
import { mergeSortedStreams } from './sorted-merge.ts';
import type { SortKey } from './sort-exec.ts';

export type ExchangeKind = 'hash' | 'round_robin' | 'single' | 'broadcast';

export interface ExchangeExecOptions {
  readonly input: ExecutionPlan;
  readonly kind: ExchangeKind;
  /** `hash`: the key expressions over the input's columns. */
  readonly keys?: readonly PhysicalExpr[];
  /** Output partitions of `hash` and `round_robin` (1 for the others). */
  readonly count?: number;
  /** `single`: each input partition is sorted by these keys; the output merges them in order. */
  readonly sortKeys?: readonly SortKey[];
}

/** The partitioning an exchange of `kind` produces. */
export function exchangePartitioning(
  kind: ExchangeKind,
  keys: readonly PhysicalExpr[],
  count: number,
): Partitioning {
  switch (kind) {
    case 'hash':
      return { kind: 'hash', keys, count };
    case 'round_robin':
      return { kind: 'unknown', count };
    case 'single':
      return { kind: 'single' };
    case 'broadcast':
      return { kind: 'broadcast' };
  }
}

/** The explain line of an exchange (or of the reader that replaces it). */
export function explainExchange(
  kind: ExchangeKind,
  keys: readonly PhysicalExpr[],
  count: number,
  sortKeys: readonly SortKey[],
): string {
  switch (kind) {
    case 'hash':
      return `ShuffleExchangeExec: hash([${keys.map((k) => k.toString()).join(', ')}], ${count})`;
    case 'round_robin':
      return `ShuffleExchangeExec: round_robin(${count})`;
    case 'single':
      return sortKeys.length === 0
        ? 'GatherExec'
        : `GatherExec: merge=[${sortKeys.map((k) => `${k.expr.toString()} ${k.ascending ? 'ASC' : 'DESC'} NULLS ${k.nullsFirst ? 'FIRST' : 'LAST'}`).join(', ')}]`;
    case 'broadcast':
      return 'BroadcastExchangeExec';
  }
}

export class ExchangeExec implements ExecutionPlan {
  readonly input: ExecutionPlan;
  readonly kind: ExchangeKind;
  readonly keys: readonly PhysicalExpr[];
  readonly count: number;
  readonly sortKeys: readonly SortKey[];
  readonly partitioning: Partitioning;
  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }];
  private readonly shuffled = new WeakMap<object, Promise<arrow.RecordBatch[][]>>();

  constructor(options: ExchangeExecOptions) {
    this.input = options.input;
    this.kind = options.kind;
    this.keys = options.keys ?? [];
    this.count = options.kind === 'hash' || options.kind === 'round_robin' ? (options.count ?? 1) : 1;
    this.sortKeys = options.sortKeys ?? [];
    if (this.count < 1 || (this.kind === 'hash' && this.keys.length === 0)) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: a ${this.kind} exchange without keys or partitions`,
      );
    }
    this.partitioning = exchangePartitioning(this.kind, this.keys, this.count);
  }

  get name(): string {
    return this.kind === 'single'
      ? 'GatherExec'
      : this.kind === 'broadcast'
        ? 'BroadcastExchangeExec'
        : 'ShuffleExchangeExec';
  }

  get schema(): Schema {
    return this.input.schema;
  }

  get outputPartitions(): number {
    return this.count;
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new ExchangeExec({ ...this, input: children[0]! });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.count);
    checkCancelled(ctx);
    const n = this.input.outputPartitions;
    switch (this.kind) {
      case 'single': {
        const streams = Array.from({ length: n }, (_, p) => this.input.execute(p, ctx));
        yield* this.sortKeys.length > 0
          ? mergeSortedStreams(streams, this.sortKeys, this.schema, ctx)
          : interleave(streams, ctx);
        return;
      }
      case 'broadcast':
        for (let p = 0; p < n; p++) yield* this.input.execute(p, ctx);
        return;
      case 'hash':
      case 'round_robin': {
        let buckets = this.shuffled.get(ctx.scope);
        if (buckets === undefined) {
          buckets = this.shuffle(ctx);
          this.shuffled.set(ctx.scope, buckets);
        }
        for (const batch of (await buckets)[partition]!) {
          checkCancelled(ctx);
          yield batch;
        }
        return;
      }
    }
  }

  /** Reads the whole input once and deals its rows to the output partitions. */
  private async shuffle(ctx: TaskContext): Promise<arrow.RecordBatch[][]> {
    const buckets: arrow.RecordBatch[][] = Array.from({ length: this.count }, () => []);
    const reservation = ctx.memory.reserve(this.name);
    const partitioner = new BatchPartitioner(this.kind, this.keys, this.count, this.schema);
    for (let p = 0; p < this.input.outputPartitions; p++) {
      for await (const batch of this.input.execute(p, ctx)) {
        checkCancelled(ctx);
        if (batch.numRows === 0) continue;
        partitioner.split(batch, ctx).forEach((b, i) => {
          if (b === null) return;
          reservation.grow(batchBytes(b));
          buckets[i]!.push(b);
        });
      }
    }
    return buckets;
  }

  explain(): string {
    return explainExchange(this.kind, this.keys, this.count, this.sortKeys);
  }

  spec(): OperatorSpec {
    return {
      kind: 'Exchange',
      exchange: this.kind,
      keys: this.keys.map(exprSpec),
      count: this.count,
      sortKeys: this.sortKeys.map(sortKeySpec),
    };
  }
}

/**
 * Deals batches to the partitions of a hash or round-robin exchange (the map side of a shuffle,
 * in a task or in-process); `single` and `broadcast` send everything to bucket 0.
 */
export class BatchPartitioner {
  private readonly kind: ExchangeKind;
  private readonly keys: readonly PhysicalExpr[];
  private readonly count: number;
  private readonly schema: Schema;
  private parts = new Int32Array(0);
  private nextBucket = 0;

  constructor(kind: ExchangeKind, keys: readonly PhysicalExpr[], count: number, schema: Schema) {
    this.kind = kind;
    this.keys = keys;
    this.count = count;
    this.schema = schema;
  }

  /** One batch (or null) per bucket. */
  split(batch: arrow.RecordBatch, ctx: TaskContext): (arrow.RecordBatch | null)[] {
    const out: (arrow.RecordBatch | null)[] = new Array<arrow.RecordBatch | null>(this.count).fill(null);
    if (this.kind === 'hash' && this.count > 1) {
      const n = batch.numRows;
      if (this.parts.length < n) this.parts = new Int32Array(Math.max(n, this.parts.length * 2));
      const keyCols = this.keys.map((k) => evaluateToColumn(k, batch, ctx));
      hashPartitions(
        keyCols,
        this.keys.map((k) => k.type),
        n,
        this.count,
        this.parts,
      );
      return splitBatch(batch, this.schema, this.parts, this.count);
    }
    if (this.kind === 'round_robin') {
      out[this.nextBucket] = batch;
      this.nextBucket = (this.nextBucket + 1) % this.count;
      return out;
    }
    out[0] = batch;
    return out;
  }
}

/** Every batch of every stream, pulled concurrently, yielded as they arrive. */
export async function* interleave(
  streams: readonly AsyncIterable<arrow.RecordBatch>[],
  ctx: TaskContext,
): AsyncGenerator<arrow.RecordBatch> {
  if (streams.length === 1) {
    yield* streams[0]!;
    return;
  }
  const iterators = streams.map((s) => s[Symbol.asyncIterator]());
  const pending = new Map<number, Promise<{ i: number; r: IteratorResult<arrow.RecordBatch> }>>();
  const pull = (i: number): void => {
    const next = iterators[i]!.next().then((r) => ({ i, r }));
    // A pull that fails while the consumer is busy elsewhere must not count as unhandled: the
    // failure is seen at the next race.
    next.catch(() => undefined);
    pending.set(i, next);
  };
  for (let i = 0; i < iterators.length; i++) pull(i);
  try {
    while (pending.size > 0) {
      const { i, r } = await Promise.race(pending.values());
      if (r.done === true) {
        pending.delete(i);
        continue;
      }
      pull(i);
      checkCancelled(ctx);
      yield r.value;
    }
  } finally {
    // Close every stream still open (the consumer stopped early, or one stream failed).
    await Promise.allSettled(
      [...pending.keys()].map(async (i) => {
        await pending.get(i)!.catch(() => undefined);
        await iterators[i]!.return?.();
      }),
    );
  }
}
