/**
 * CacheShareExec: the top of a CACHE TABLE query on executor processes. Each task encodes the
 * batches of its partition as they pass, and puts them in the cluster's object store
 * (`ctx.cacheObjects`) as one object named by the cache id and the partition, so the driver only
 * records how many objects there are: the encoding and the upload are the executor's work, never
 * the server thread's. Executors then get the cache from those objects (in partition order, dealt
 * over the cache's partitions as the driver deals the batches it receives).
 *
 * Input: any partitions. Output: the input's partitions, batch for batch, unchanged. The object
 * of a partition is in the store before its task ends. The encoded bytes are held until then,
 * reserved against the query's budget (53200 when they do not fit).
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import type { Distribution, ExecutionPlan, Partitioning, TaskContext } from '../execution-plan.ts';
import type { OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';

export interface CacheShareExecOptions {
  readonly input: ExecutionPlan;
  readonly cacheId: string;
}

export class CacheShareExec implements ExecutionPlan {
  readonly name = 'CacheShareExec';
  readonly schema: Schema;
  readonly outputPartitions: number;
  readonly partitioning: Partitioning;
  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }];
  readonly input: ExecutionPlan;
  readonly cacheId: string;

  constructor(options: CacheShareExecOptions) {
    this.input = options.input;
    this.cacheId = options.cacheId;
    this.schema = options.input.schema;
    this.outputPartitions = options.input.outputPartitions;
    this.partitioning = options.input.partitioning;
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new CacheShareExec({ input: children[0]!, cacheId: this.cacheId });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    const store = ctx.cacheObjects;
    if (store === undefined) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: ${this.name} runs on executor processes only (no object store here)`,
      );
    }
    const writer = store.open(this.cacheId, partition, this.schema);
    const reservation = ctx.memory.reserve(this.name);
    try {
      for await (const batch of this.input.execute(partition, ctx)) {
        checkCancelled(ctx);
        writer.write(batch);
        reservation.resize(writer.bytes);
        yield batch;
      }
      // A cancelled fill leaves no object behind it.
      checkCancelled(ctx);
      await writer.finish();
    } finally {
      reservation.free();
    }
  }

  explain(): string {
    return `CacheShareExec: cache=${this.cacheId}`;
  }

  spec(): OperatorSpec {
    return { kind: 'CacheShare', cacheId: this.cacheId };
  }
}
