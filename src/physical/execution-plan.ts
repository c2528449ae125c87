/**
 * The physical operator contract: an `ExecutionPlan` produces `outputPartitions` partitions, each a
 * lazy stream of Arrow record batches. Nothing runs before the first pull; cancellation arrives
 * through `ctx.signal`.
 *
 * Every operator also says how its output rows are spread over its partitions (`partitioning`) and
 * what it needs of each child (`requiredInputDistribution`); the planner puts exchanges where a
 * child does not satisfy its parent (checked by `checkDistribution`), and src/exec cuts the plan
 * into stages at those exchanges. `spec()` describes an operator as plain data, so a plan fragment
 * can be sent to another thread or process and rebuilt there (plan-spec.ts).
 */
import type * as arrow from 'apache-arrow';
import type { ScanRowFilter } from '../catalog/index.ts';
import type { DataType, Schema } from '../common/index.ts';
import type { ColumnarValue, EvalContext } from '../functions/index.ts';
import type { Expr } from '../plan/index.ts';
import type { OperatorSpec } from './plan-spec.ts';

/**
 * What a task sees of the engine around it: src/exec provides it (in a worker thread, a remote
 * executor, or the session's own thread for tiny queries); tests build one with `testTaskContext`.
 */
export interface TaskContext {
  readonly eval: EvalContext;
  readonly signal: AbortSignal;
  /** Target rows per batch (8K–64K). */
  readonly batchSize: number;
  /**
   * One object per query and executor: state that every task of the query on this executor may
   * share (a broadcast join's hash table), kept in WeakMaps keyed by it. A new scope means "run
   * again from scratch" (each iteration of a recursive CTE gets one).
   */
  readonly scope: object;
  /** Reads the output of earlier stages (absent when the plan runs whole, exchanges in-process). */
  readonly exchanges?: ExchangeSource | undefined;
  /** Memory reservations against the query's budget. */
  readonly memory: MemoryPool;
  /**
   * Disk for operators that spill when a reservation is refused (`kindling.local.dir`); absent
   * (tests, constant folding) a refused reservation fails the query with 53200.
   */
  readonly spill?: SpillSpace | undefined;
  /**
   * Executor processes: where the partitions of a cache being filled (CACHE TABLE) are shared with
   * every executor — the cluster's object store. Absent on threads, which share the driver's copy.
   */
  readonly cacheObjects?: CacheObjectStore | undefined;
}

/** Puts the partitions of a cache where every executor process gets them. */
export interface CacheObjectStore {
  /** A writer of partition `partition` of cache `cacheId`: its batches in order, then `finish`. */
  open(cacheId: string, partition: number, schema: Schema): CacheObjectWriter;
}

export interface CacheObjectWriter {
  write(batch: arrow.RecordBatch): void;
  /** Bytes written so far (held until `finish`). */
  readonly bytes: number;
  /** Puts the partition in the store; resolves once it is there. */
  finish(): Promise<void>;
}

/**
 * Where an operator writes the rows it cannot keep in memory: each `write` makes one file of
 * batches of `schema`, read back in the order written. A file is removed by `remove`, and in any
 * case when its task ends (success, failure or cancel).
 */
export interface SpillSpace {
  write(
    consumer: string,
    schema: Schema,
    batches: Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>,
  ): Promise<SpillFile>;
  /**
   * The operator `consumer` went over its spilled rows in `passes` passes (what a pass is depends
   * on the operator: see `OperatorMetrics.spillPasses`); reported as it learns it, the largest
   * count kept. For EXPLAIN ANALYZE: a space that does not measure need not implement it.
   */
  recordPasses?(consumer: string, passes: number): void;
}

export interface SpillFile {
  /** Bytes on disk (compressed). */
  readonly bytes: number;
  readonly rows: number;
  /** The largest batch written, in bytes of memory: what reading holds at once. */
  readonly maxBatchBytes: number;
  /** The batches, in the order written. */
  read(): AsyncIterable<arrow.RecordBatch>;
  remove(): void;
}

/**
 * Where an `ExchangeReaderExec` gets its rows: the outputs that the map tasks of stage `stageId`
 * wrote for reduce partition `bucket`, as batches of `schema`, one stream per map task, in
 * map-partition order.
 */
export interface ExchangeSource {
  read(
    stageId: number,
    bucket: number,
    schema: Schema,
    ctx: TaskContext,
  ): readonly AsyncIterable<arrow.RecordBatch>[];
}

/**
 * The memory budget of a query, seen by one task. Operators that hold data (hash tables, sort
 * buffers, aggregate states, exchange buffers) keep a reservation sized to what they hold.
 */
export interface MemoryPool {
  /** A new, empty reservation for `consumer` (an operator name, shown in errors and EXPLAIN ANALYZE). */
  reserve(consumer: string): MemoryReservation;
}

export interface MemoryReservation {
  readonly consumer: string;
  /** Bytes held now. */
  readonly size: number;
  /** Grows by `bytes`, or throws 53200 naming the consumer and the sizes when over budget. */
  grow(bytes: number): void;
  /**
   * Grows by `bytes` when the budget allows and the task stays within its fair share of it; false
   * (and nothing reserved) otherwise — for an operator that can spill instead.
   */
  tryGrow(bytes: number): boolean;
  shrink(bytes: number): void;
  /** Sets the size to `bytes` (grow or shrink), throwing like `grow`. */
  resize(bytes: number): void;
  /** Releases everything; the reservation may be used again. */
  free(): void;
}

/**
 * How an operator's output rows are spread over its partitions.
 * - `unknown`: `count` partitions, no promise about which row is where;
 * - `single`: one partition holding every row;
 * - `hash`: rows with equal `keys` (NULLs equal) are in the same one of `count` partitions,
 *   placed by `hashPartitions` (batch/partition.ts), so two inputs hashed the same way
 *   with the same count are co-partitioned;
 * - `broadcast`: one partition holding every row, which every task of the consuming stage reads.
 */
export type Partitioning =
  | { readonly kind: 'unknown'; readonly count: number }
  | { readonly kind: 'single' }
  | { readonly kind: 'hash'; readonly keys: readonly PhysicalExpr[]; readonly count: number }
  | { readonly kind: 'broadcast' };

/** What an operator requires of one child's partitioning. */
export type Distribution =
  | { readonly kind: 'any' }
  /** Every row in one partition. */
  | { readonly kind: 'single' }
  /** Rows with equal keys in the same partition (a single partition satisfies it too). */
  | { readonly kind: 'hash'; readonly keys: readonly PhysicalExpr[] }
  /** Every row readable from partition 0 by every task: a broadcast exchange or a single partition. */
  | { readonly kind: 'broadcast' };

export interface ExecutionPlan {
  /** `FilterExec`, `HashAggregateExec`, … */
  readonly name: string;
  readonly schema: Schema;
  readonly outputPartitions: number;
  readonly partitioning: Partitioning;
  /** One entry per child, in `children()` order. */
  readonly requiredInputDistribution: readonly Distribution[];
  children(): readonly ExecutionPlan[];
  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan;
  execute(partition: number, ctx: TaskContext): AsyncIterable<arrow.RecordBatch>;
  /**
   * Like `execute`, for a consumer that can skip rows itself: a batch may come with the rows it
   * does not hold masked out instead of copied away (FilterExec, when most rows pass). Optional;
   * without it consumers call `execute`.
   */
  executeMasked?(partition: number, ctx: TaskContext): AsyncIterable<MaskedBatch>;
  /**
   * Like `execute`, for the filter right above: the operator may drop rows `rowFilter` rejects
   * (a table scan applying it as it decodes). Optional; the filter still applies its predicate.
   */
  executeFiltered?(
    partition: number,
    ctx: TaskContext,
    rowFilter: ScanRowFilter,
  ): AsyncIterable<arrow.RecordBatch>;
  /** One deterministic line: `HashJoinExec: type=inner, on=[o_orderkey@0 = l_orderkey@0]`. */
  explain(): string;
  /** This operator (not its children) as plain data; see plan-spec.ts. */
  spec(): OperatorSpec;
}

/**
 * A batch whose rows where `mask` is 0 are not part of the stream (one byte a row; 1 = a row);
 * `mask` null = every row. `rows` is the number of rows the mask keeps.
 */
export interface MaskedBatch {
  readonly batch: arrow.RecordBatch;
  readonly mask: Uint8Array | null;
  readonly rows: number;
}

/**
 * A physical expression as plain data: the logical expression with every column's id replaced
 * by its position in the input batch, and the input's column types. `compileExprSpec` rebuilds
 * the evaluator from it in any thread.
 */
export interface ExprSpec {
  readonly expr: Expr;
  readonly inputTypes: readonly DataType[];
}

/** An expression bound to the positions of its input batch's columns. */
export interface PhysicalExpr {
  readonly type: DataType;
  readonly nullable: boolean;
  evaluate(batch: arrow.RecordBatch, ctx: EvalContext): ColumnarValue;
  /** `l_extendedprice@5 * (Decimal(1, 0, 10) - l_discount@6)`. */
  toString(): string;
  /** Absent for expressions built by hand in tests or calling a `local` function: a plan holding one cannot leave its thread. */
  readonly spec?: ExprSpec | undefined;
  /**
   * True when evaluating it over more rows cannot change its values on the others (no rand(),
   * uuid(), row positions), so a consumer of a `MaskedBatch` may evaluate it on the whole batch
   * — it may still raise on a masked row, which the consumer must then redo without it.
   * Absent = false.
   */
  readonly deterministic?: boolean;
}

/** The number of partitions of a partitioning. */
export function partitionCount(p: Partitioning): number {
  return p.kind === 'single' || p.kind === 'broadcast' ? 1 : p.count;
}

/** Memory without a budget: reservations only count (tests, constant folding, EXPLAIN). */
export function unboundedMemory(): MemoryPool {
  return {
    reserve(consumer: string): MemoryReservation {
      let size = 0;
      return {
        consumer,
        get size() {
          return size;
        },
        grow: (bytes) => void (size += Math.max(0, bytes)),
        tryGrow: (bytes) => ((size += Math.max(0, bytes)), true),
        shrink: (bytes) => void (size = Math.max(0, size - bytes)),
        resize: (bytes) => void (size = Math.max(0, bytes)),
        free: () => void (size = 0),
      };
    },
  };
}
