/**
 * ExchangeReaderExec: the consuming side of an exchange once src/exec has cut the plan into
 * stages. It reads, through `ctx.exchanges`, what the map tasks of stage `stageId` wrote for its
 * partition: for a shuffle, bucket `partition` of every map task; for a gather, every map task's
 * output (merged in order when the exchange had sort keys); for a broadcast, everything, in every
 * task that asks.
 *
 * Output: the exchange's partitioning (`hash` keys keep their meaning: the reader's columns are
 * the exchange input's). Explains as the exchange it replaces, with the stage it reads.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { exprSpec, sortKeySpec, type OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition, yieldToEventLoop } from './exec-support.ts';
import { exchangePartitioning, explainExchange, interleave, type ExchangeKind } from './exchange-exec.ts';
import { mergeSortedStreams } from './sorted-merge.ts';
import type { SortKey } from './sort-exec.ts';

export interface ExchangeReaderExecOptions {
  readonly stageId: number;
  readonly kind: ExchangeKind;
  readonly keys: readonly PhysicalExpr[];
  readonly count: number;
  readonly sortKeys: readonly SortKey[];
  readonly schema: Schema;
}

export class ExchangeReaderExec implements ExecutionPlan {
  readonly name = 'ExchangeReaderExec';
  readonly stageId: number;
  readonly kind: ExchangeKind;
  readonly keys: readonly PhysicalExpr[];
  readonly count: number;
  readonly sortKeys: readonly SortKey[];
  readonly schema: Schema;
  readonly partitioning: Partitioning;
  readonly requiredInputDistribution: readonly Distribution[] = [];

  constructor(options: ExchangeReaderExecOptions) {
    this.stageId = options.stageId;
    this.kind = options.kind;
    this.keys = options.keys;
    this.count = options.kind === 'hash' || options.kind === 'round_robin' ? options.count : 1;
    this.sortKeys = options.sortKeys;
    this.schema = options.schema;
    this.partitioning = exchangePartitioning(this.kind, this.keys, this.count);
  }

  get outputPartitions(): number {
    return this.count;
  }

  children(): readonly ExecutionPlan[] {
    return [];
  }

  withChildren(_children: readonly ExecutionPlan[]): ExecutionPlan {
    return this;
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.count);
    checkCancelled(ctx);
    const source = ctx.exchanges;
    if (source === undefined) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: stage ${this.stageId}'s output was asked for outside a staged run`,
      );
    }
    const streams = source.read(this.stageId, partition, this.schema, ctx);
    if (this.kind === 'single' && this.sortKeys.length > 0) {
      yield* mergeSortedStreams(streams, this.sortKeys, this.schema, ctx);
      return;
    }
    const batches = this.kind === 'broadcast' ? concat(streams) : interleave(streams, ctx);
    for await (const batch of batches) {
      await yieldToEventLoop();
      checkCancelled(ctx);
      yield batch;
    }
  }

  explain(): string {
    return `${explainExchange(this.kind, this.keys, this.count, this.sortKeys)}, stage=${this.stageId}`;
  }

  spec(): OperatorSpec {
    return {
      kind: 'ExchangeReader',
      stageId: this.stageId,
      exchange: this.kind,
      keys: this.keys.map(exprSpec),
      count: this.count,
      sortKeys: this.sortKeys.map(sortKeySpec),
      schema: this.schema,
    };
  }
}

async function* concat(
  streams: readonly AsyncIterable<arrow.RecordBatch>[],
): AsyncGenerator<arrow.RecordBatch> {
  for (const s of streams) yield* s;
}
