/**
 * NestedLoopJoinExec: cross joins and joins on conditions without equi-keys.
 *
 * Input: `left` and `right`. The build side (`buildSide`, default right: the smaller input) is read
 * completely (a broadcast) into one batch, once per query and executor; each probe batch is paired with every build
 * row in blocks of at most `ctx.batchSize` pairs, and the condition (over left ++ right columns;
 * null = every pair matches) is evaluated once per block. Output: as HashJoinExec for every join
 * type (see join-emitter.ts); one partition per probe partition. The probe side may have any
 * partitioning unless the build side has rows to emit after probing: then it is one partition.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { exprSpec, type OperatorSpec } from '../plan-spec.ts';
import { concatBatches } from '../batch/concat.ts';
import { collectAll } from './collect.ts';
import { checkCancelled, checkPartition } from './exec-support.ts';
import { JoinEmitter, type JoinType } from './join-emitter.ts';

export interface NestedLoopJoinExecOptions {
  readonly left: ExecutionPlan;
  readonly right: ExecutionPlan;
  readonly joinType: JoinType;
  readonly condition: PhysicalExpr | null;
  readonly schema: Schema;
  readonly buildSide?: 'left' | 'right';
  readonly nullAware?: boolean;
}

export class NestedLoopJoinExec implements ExecutionPlan {
  readonly name = 'NestedLoopJoinExec';
  readonly options: NestedLoopJoinExecOptions;
  private readonly builds = new WeakMap<object, Promise<arrow.RecordBatch>>();

  constructor(options: NestedLoopJoinExecOptions) {
    this.options = options;
  }

  get schema(): Schema {
    return this.options.schema;
  }

  private get buildIsLeft(): boolean {
    return this.options.buildSide === 'left';
  }

  private get probe(): ExecutionPlan {
    return this.buildIsLeft ? this.options.right : this.options.left;
  }

  get outputPartitions(): number {
    return this.probe.outputPartitions;
  }

  get requiredInputDistribution(): readonly Distribution[] {
    const probe: Distribution = JoinEmitter.emitsAtEnd(this.options.joinType, this.buildIsLeft)
      ? { kind: 'single' }
      : { kind: 'any' };
    const build: Distribution = { kind: 'broadcast' };
    return this.buildIsLeft ? [build, probe] : [probe, build];
  }

  get partitioning(): Partitioning {
    return { kind: 'unknown', count: this.outputPartitions };
  }

  children(): readonly ExecutionPlan[] {
    return [this.options.left, this.options.right];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new NestedLoopJoinExec({ ...this.options, left: children[0]!, right: children[1]! });
  }

  private buildBatch(ctx: TaskContext): Promise<arrow.RecordBatch> {
    let p = this.builds.get(ctx.scope);
    if (p === undefined) {
      const side = this.buildIsLeft ? this.options.left : this.options.right;
      const reservation = ctx.memory.reserve(this.name);
      p = collectAll(side, ctx, reservation).then((batches) => concatBatches(batches, side.schema));
      this.builds.set(ctx.scope, p);
    }
    return p;
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    const o = this.options;
    const build = await this.buildBatch(ctx);
    const emitter = new JoinEmitter({
      joinType: o.joinType,
      buildIsLeft: this.buildIsLeft,
      condition: o.condition,
      leftSchema: o.left.schema,
      rightSchema: o.right.schema,
      schema: o.schema,
      nullAware: o.nullAware ?? false,
      build,
      buildKeyNull: null,
      ctx,
    });
    const chunk = Math.max(1, ctx.batchSize);
    const probeIdx = new Int32Array(chunk);
    const buildIdx = new Int32Array(chunk);
    const nb = build.numRows;
    for await (const probe of this.probe.execute(partition, ctx)) {
      checkCancelled(ctx);
      const n = probe.numRows;
      if (n === 0) continue;
      const matched = new Uint8Array(n);
      const unknown = new Uint8Array(n);
      let count = 0;
      for (let i = 0; i < n; i++) {
        for (let j = 0; j < nb; j++) {
          probeIdx[count] = i;
          buildIdx[count++] = j;
          if (count === chunk) {
            yield* emitter.candidates(probe, probeIdx, buildIdx, count, matched, unknown);
            count = 0;
            checkCancelled(ctx);
          }
        }
      }
      yield* emitter.candidates(probe, probeIdx, buildIdx, count, matched, unknown);
      yield* emitter.finishProbe(probe, matched, unknown, null);
    }
    yield* emitter.finishBuild();
  }

  explain(): string {
    const o = this.options;
    let s = `NestedLoopJoinExec: type=${o.joinType}`;
    if (o.condition !== null) s += `, filter=${o.condition.toString()}`;
    return s;
  }

  spec(): OperatorSpec {
    const o = this.options;
    return {
      kind: 'NestedLoopJoin',
      joinType: o.joinType,
      condition: o.condition === null ? null : exprSpec(o.condition),
      schema: o.schema,
      buildSide: o.buildSide ?? 'right',
      nullAware: o.nullAware ?? false,
    };
  }
}
