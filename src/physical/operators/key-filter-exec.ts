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
import type { DataType, Schema } from '../../common/index.ts';
import { ColumnView, layoutOf } from '../batch/column-view.ts';
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
  // One integral key over a narrow range: a bitmap of the keys, made at the first batch.
  let bitmap: KeyBitmap | null | undefined = types.length === 1 && !nullSafe[0] ? undefined : null;
  return {
    columns: columns as number[],
    keep: (cols, n) => {
      if (bitmap === undefined) bitmap = KeyBitmap.of(table, types[0]!);
      if (bitmap !== null) return bitmap.keep(new ColumnView(cols[0]!, types[0]!), n);
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

/** The most bits a key bitmap takes (16 MiB)… */
const BITMAP_MAX_BITS = 1 << 27;
/** …and at most this many bits a key beyond the first 2^20: sparse keys stay in the hash table. */
const BITMAP_BITS_PER_KEY = 64;

/**
 * The keys of a one-column table of integral keys (int, date, bigint within 32 bits, …) as a bit
 * per value of their range: membership is then one bit test a row instead of a hash probe, and
 * the bitmap stays in cache where the table would not (6M l_orderkeys against the 227k orders of
 * a year: one bit each of a 750 KB bitmap). NULL keys match nothing here (null-safe joins keep
 * the hash table).
 */
class KeyBitmap {
  private readonly base: number;
  private readonly size: number;
  private readonly bits: Uint32Array;

  private constructor(base: number, size: number, bits: Uint32Array) {
    this.base = base;
    this.size = size;
    this.bits = bits;
  }

  /** The bitmap of `table`'s keys; null when the key is not integral or its range too wide. */
  static of(table: GroupHashTable, type: DataType): KeyBitmap | null {
    const { layout, stride } = layoutOf(type);
    if (layout !== 'int' && !(layout === 'words' && stride === 2)) return null;
    if (type.kind === 'decimal' && type.scale !== 0) return null;
    const column = table.keyColumns()[0];
    if (column === undefined) return null;
    const view = new ColumnView(column, type);
    const count = view.length;
    const values = new Int32Array(count);
    let valid = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < count; i++) {
      if (view.isNull(i)) continue;
      const v = layout === 'int' ? view.ints[i]! : view.words[2 * i]!;
      // A 64-bit key beyond 32 bits: the range is too wide anyway.
      if (layout === 'words' && view.words[2 * i + 1] !== v >> 31) return null;
      values[valid++] = v;
      if (v < min) min = v;
      if (v > max) max = v;
    }
    if (valid === 0) return new KeyBitmap(0, 0, new Uint32Array(0));
    const size = max - min + 1;
    if (size > BITMAP_MAX_BITS || size > (1 << 20) + BITMAP_BITS_PER_KEY * valid) return null;
    const bits = new Uint32Array((size + 31) >>> 5);
    for (let i = 0; i < valid; i++) {
      const off = values[i]! - min;
      bits[off >>> 5]! |= 1 << (off & 31);
    }
    return new KeyBitmap(min, size, bits);
  }

  /** The rows of `view` (n rows) whose key is in the bitmap. */
  keep(view: ColumnView, n: number): Int32Array {
    const kept = new Int32Array(n);
    const { base, size, bits } = this;
    let k = 0;
    if (view.allNull) return kept.subarray(0, 0);
    const words = view.layout === 'words';
    const ints = view.ints;
    const w = view.words;
    for (let i = 0; i < n; i++) {
      let off: number;
      if (words) {
        const lo = w[2 * i]!;
        off = w[2 * i + 1] === lo >> 31 ? lo - base : -1;
      } else off = ints[i]! - base;
      kept[k] = i;
      k += off >= 0 && off < size ? (bits[off >>> 5]! >>> (off & 31)) & 1 : 0;
    }
    if (view.validity === null) return kept.subarray(0, k);
    // Drop NULL keys (their slots hold any value).
    let j = 0;
    for (let x = 0; x < k; x++) {
      const i = kept[x]!;
      kept[j] = i;
      j += view.isNull(i) ? 0 : 1;
    }
    return kept.subarray(0, j);
  }
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
