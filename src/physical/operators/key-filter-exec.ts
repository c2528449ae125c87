/**
 * KeyFilterExec: the probe side of a partitioned hash join, read only where its join keys are
 * among the build side's — a runtime filter (a semi-join reduction). Its second child is the build
 * side's exchange, read whole once per query scope before the first row; its keys become a filter
 * step that the scan below applies as it decodes (late materialization), so that lineitem rows of
 * orders the build side does not hold are neither decoded past their key nor shuffled:
 *
 *   HashJoinExec: partitioned, left_semi, build=left           Q4: 58k orders build, 3.8M probe
 *     ShuffleExchangeExec: hash([o_orderkey])  ─────────────┐
 *     ShuffleExchangeExec: hash([l_orderkey])               │ the same exchange: one stage
 *       KeyFilterExec: [l_orderkey@0]                       │
 *         FilterExec / TableScanExec: lineitem              │
 *         ShuffleExchangeExec: hash([o_orderkey])  ◄────────┘
 *
 * The filter is only ever an optimization: a scan may skip the step (one that keeps most rows is
 * not worth it), and the rows it lets through are still right, as the join compares every key.
 * So when the memory budget refuses room for the build keys, the filter steps aside (every row
 * passes) rather than fail the query: the join itself can spill.
 * The planner places it (`runtimeKeyFilter`) where a probe row without a matching key can make no
 * output row and the build side is much smaller than the probe side.
 */
import type * as arrow from 'apache-arrow';
import type { ScanFilterStep } from '../../catalog/index.ts';
import type { Schema } from '../../common/index.ts';
import { ColumnView } from '../batch/column-view.ts';
import { GroupHashTable } from '../batch/group-hash-table.ts';
import { rowsWithNullKey } from '../batch/key-equality.ts';
import { takeRows } from '../batch/take.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { columnPosition } from '../expressions/index.ts';
import { exprSpec, type OperatorSpec } from '../plan-spec.ts';
import { checkCancelled, checkPartition, evaluateToColumn } from './exec-support.ts';

/**
 * A filter step keeping the rows whose `keys` (plain columns of the rows read) are in `table` and
 * not NULL (unless null-safe): how a hash join's build keys filter its probe side as it is read.
 * Null when a key is not a plain column.
 */
export function keyMembershipStep(
  table: GroupHashTable,
  keys: readonly PhysicalExpr[],
  nullSafe: readonly boolean[],
): ScanFilterStep | null {
  const columns = keys.map((k) => columnPosition(k));
  if (columns.some((c) => c === null)) return null;
  const types = keys.map((k) => k.type);
  let ids = new Int32Array(0);
  return {
    columns: columns as number[],
    keep: (cols, n) => {
      if (ids.length < n) ids = new Int32Array(n);
      table.find(cols, n, ids);
      const views = cols.map((c, i) => new ColumnView(c, types[i]!));
      const keyNull = rowsWithNullKey(views, nullSafe, n);
      const kept = new Int32Array(n);
      let k = 0;
      for (let i = 0; i < n; i++) {
        kept[k] = i;
        k += ids[i]! >= 0 && (keyNull === null || keyNull[i] === 0) ? 1 : 0;
      }
      return kept.subarray(0, k);
    },
  };
}

export interface KeyFilterExecOptions {
  readonly input: ExecutionPlan;
  /** The join keys over `input`'s columns (plain columns). */
  readonly keys: readonly PhysicalExpr[];
  /** The build side's exchange, read whole. */
  readonly source: ExecutionPlan;
  /** The join keys over `source`'s columns. */
  readonly sourceKeys: readonly PhysicalExpr[];
  readonly nullSafe: readonly boolean[];
}

export class KeyFilterExec implements ExecutionPlan {
  readonly name = 'KeyFilterExec';
  readonly input: ExecutionPlan;
  readonly keys: readonly PhysicalExpr[];
  readonly source: ExecutionPlan;
  readonly sourceKeys: readonly PhysicalExpr[];
  readonly nullSafe: readonly boolean[];
  readonly requiredInputDistribution: readonly Distribution[] = [{ kind: 'any' }, { kind: 'any' }];
  /** The build keys, per query scope (every task of the query on this thread shares them). */
  private readonly tables = new WeakMap<object, Promise<GroupHashTable | null>>();

  constructor(options: KeyFilterExecOptions) {
    this.input = options.input;
    this.keys = options.keys;
    this.source = options.source;
    this.sourceKeys = options.sourceKeys;
    this.nullSafe = options.nullSafe;
  }

  get schema(): Schema {
    return this.input.schema;
  }

  get outputPartitions(): number {
    return this.input.outputPartitions;
  }

  get partitioning(): Partitioning {
    return this.input.partitioning;
  }

  children(): readonly ExecutionPlan[] {
    return [this.input, this.source];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new KeyFilterExec({ ...this, input: children[0]!, source: children[1]! });
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    const input = this.input;
    if (input.executeFiltered === undefined) {
      yield* input.execute(partition, ctx);
      return;
    }
    let table = this.tables.get(ctx.scope);
    if (table === undefined) {
      table = this.keyTable(ctx);
      this.tables.set(ctx.scope, table);
    }
    const keys = await table;
    const step = keys === null ? null : keyMembershipStep(keys, this.keys, this.nullSafe);
    yield* step === null
      ? input.execute(partition, ctx)
      : input.executeFiltered(partition, ctx, { steps: [step], take: takeRows });
  }

  /**
   * The source's distinct keys (rows with a NULL key, which match nothing, left out); null when
   * the memory budget refuses them.
   */
  private async keyTable(ctx: TaskContext): Promise<GroupHashTable | null> {
    const table = new GroupHashTable(this.sourceKeys.map((k) => k.type));
    // Held until the task ends, with the table.
    const reservation = ctx.memory.reserve(this.name);
    let ids = new Int32Array(0);
    for (let p = 0; p < this.source.outputPartitions; p++) {
      for await (const batch of this.source.execute(p, ctx)) {
        checkCancelled(ctx);
        const n = batch.numRows;
        if (n === 0) continue;
        const cols = this.sourceKeys.map((k) => evaluateToColumn(k, batch, ctx));
        const views = cols.map((c, i) => new ColumnView(c, this.sourceKeys[i]!.type));
        const keyNull = rowsWithNullKey(views, this.nullSafe, n);
        let mask: Uint8Array | null = null;
        if (keyNull !== null) {
          mask = new Uint8Array(n);
          for (let i = 0; i < n; i++) mask[i] = keyNull[i]! ^ 1;
        }
        if (ids.length < n) ids = new Int32Array(n);
        table.findOrInsert(cols, n, ids, mask);
        const more = table.size() - reservation.size;
        if (more > 0 && !reservation.tryGrow(more)) {
          reservation.free();
          return null;
        }
      }
    }
    return table;
  }

  explain(): string {
    return `KeyFilterExec: [${this.keys.map(String).join(', ')}] in [${this.sourceKeys.map(String).join(', ')}]`;
  }

  spec(): OperatorSpec {
    return {
      kind: 'KeyFilter',
      keys: this.keys.map(exprSpec),
      sourceKeys: this.sourceKeys.map(exprSpec),
      nullSafe: this.nullSafe,
    };
  }
}
