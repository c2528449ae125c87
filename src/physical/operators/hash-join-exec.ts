/**
 * HashJoinExec: an equi-join (`=` keys, `<=>` null-safe keys) with an optional residual condition.
 *
 * Input: `left` and `right`, any partitions. The build side (`buildSide`) is read completely (all
 * partitions) into one batch and indexed by a chained hash table over typed arrays; the other side
 * is probed a batch at a time. A key with a NULL never matches unless its key is null-safe.
 * Output: `schema` — left ++ right for inner/left/right/full, left for left_semi/left_anti,
 * left ++ [mark] for left_mark (see join-emitter.ts for every type's rules; `nullAware` gives
 * left_anti NOT IN semantics). One output partition per probe partition, or a single partition
 * when the build side has rows to emit after probing (outer rows, semi/anti/mark on a left build).
 * Output batches have at most `ctx.batchSize` rows.
 */
import type * as arrow from 'apache-arrow';
import type { Schema } from '../../common/index.ts';
import { concatBatches } from '../batch/concat.ts';
import type { ExecutionPlan, PhysicalExpr, TaskContext } from '../execution-plan.ts';
import { ColumnView } from '../batch/column-view.ts';
import { rowsEqual, rowsWithNullKey } from '../batch/key-equality.ts';
import { hashRows } from '../batch/row-hash.ts';
import { checkCancelled, checkPartition, evaluateToColumn } from './exec-support.ts';
import { JoinEmitter, type JoinType } from './join-emitter.ts';
import { collectAll } from './collect.ts';

export interface HashJoinExecOptions {
  readonly left: ExecutionPlan;
  readonly right: ExecutionPlan;
  readonly joinType: JoinType;
  readonly leftKeys: readonly PhysicalExpr[];
  readonly rightKeys: readonly PhysicalExpr[];
  /** Per key: true for `<=>` (NULL matches NULL). */
  readonly nullSafe: readonly boolean[];
  /** Residual condition over left ++ right columns. */
  readonly filter: PhysicalExpr | null;
  readonly buildSide: 'left' | 'right';
  readonly nullAware: boolean;
  readonly schema: Schema;
}

interface BuildTable {
  readonly batch: arrow.RecordBatch;
  readonly keys: ColumnView[];
  readonly hashes: Uint32Array;
  readonly heads: Int32Array;
  readonly next: Int32Array;
  readonly mask: number;
  readonly keyNull: Uint8Array | null;
}

export class HashJoinExec implements ExecutionPlan {
  readonly name = 'HashJoinExec';
  readonly options: HashJoinExecOptions;
  private readonly builds = new WeakMap<TaskContext, Promise<BuildTable>>();

  constructor(options: HashJoinExecOptions) {
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
    return JoinEmitter.emitsAtEnd(this.options.joinType, this.buildIsLeft) ? 1 : this.probe.outputPartitions;
  }

  children(): readonly ExecutionPlan[] {
    return [this.options.left, this.options.right];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new HashJoinExec({ ...this.options, left: children[0]!, right: children[1]! });
  }

  private buildTable(ctx: TaskContext): Promise<BuildTable> {
    let p = this.builds.get(ctx);
    if (p === undefined) {
      p = this.makeBuildTable(ctx);
      this.builds.set(ctx, p);
    }
    return p;
  }

  private async makeBuildTable(ctx: TaskContext): Promise<BuildTable> {
    const side = this.buildIsLeft ? this.options.left : this.options.right;
    const keyExprs = this.buildIsLeft ? this.options.leftKeys : this.options.rightKeys;
    const batch = concatBatches(await collectAll(side, ctx), side.schema);
    const n = batch.numRows;
    const keys = keyExprs.map((e) => new ColumnView(evaluateToColumn(e, batch, ctx), e.type));
    const hashes = hashRows(keys, n, new Uint32Array(n));
    const keyNull = rowsWithNullKey(keys, this.options.nullSafe, n);
    let cap = 16;
    while (cap < n * 2) cap *= 2;
    const mask = cap - 1;
    const heads = new Int32Array(cap).fill(-1);
    const next = new Int32Array(n);
    for (let i = n - 1; i >= 0; i--) {
      if (keyNull !== null && keyNull[i] === 1) continue;
      const b = hashes[i]! & mask;
      next[i] = heads[b]!;
      heads[b] = i;
    }
    return { batch, keys, hashes, heads, next, mask, keyNull };
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    const o = this.options;
    const table = await this.buildTable(ctx);
    checkCancelled(ctx);
    const emitter = new JoinEmitter({
      joinType: o.joinType,
      buildIsLeft: this.buildIsLeft,
      condition: o.filter,
      leftSchema: o.left.schema,
      rightSchema: o.right.schema,
      schema: o.schema,
      nullAware: o.nullAware,
      build: table.batch,
      buildKeyNull: table.keyNull,
      ctx,
    });
    const probeKeys = this.buildIsLeft ? o.rightKeys : o.leftKeys;
    const single = this.outputPartitions === 1 && this.probe.outputPartitions !== 1;
    const parts = single ? Array.from({ length: this.probe.outputPartitions }, (_, i) => i) : [partition];
    const chunk = Math.max(1, ctx.batchSize);
    const probeIdx = new Int32Array(chunk);
    const buildIdx = new Int32Array(chunk);
    const { heads, next, mask, hashes: buildHashes, keys: buildKeys } = table;
    let probeHashes = new Uint32Array(0);
    for (const p of parts) {
      for await (const probe of this.probe.execute(p, ctx)) {
        checkCancelled(ctx);
        const n = probe.numRows;
        if (n === 0) continue;
        const views = probeKeys.map((e) => new ColumnView(evaluateToColumn(e, probe, ctx), e.type));
        if (probeHashes.length < n) probeHashes = new Uint32Array(Math.max(n, probeHashes.length * 2));
        const hashes = hashRows(views, n, probeHashes);
        const keyNull = rowsWithNullKey(views, o.nullSafe, n);
        const matched = new Uint8Array(n);
        const unknown = new Uint8Array(n);
        let count = 0;
        for (let i = 0; i < n; i++) {
          if (keyNull !== null && keyNull[i] === 1) continue;
          const h = hashes[i]!;
          for (let j = heads[h & mask]!; j >= 0; j = next[j]!) {
            if (buildHashes[j] !== h || !rowsEqual(views, i, buildKeys, j)) continue;
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
        yield* emitter.finishProbe(probe, matched, unknown, keyNull);
      }
    }
    yield* emitter.finishBuild();
  }

  explain(): string {
    const o = this.options;
    const on = o.leftKeys.map(
      (l, i) => `${l.toString()} ${o.nullSafe[i] === true ? '<=>' : '='} ${o.rightKeys[i]!.toString()}`,
    );
    let s = `HashJoinExec: type=${o.joinType}, on=[${on.join(', ')}]`;
    if (o.filter !== null) s += `, filter=${o.filter.toString()}`;
    s += `, build=${o.buildSide}`;
    if (o.nullAware) s += ', null_aware=true';
    return s;
  }
}
