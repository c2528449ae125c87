/**
 * Per-operator metrics for EXPLAIN ANALYZE: `instrument` puts a measuring wrapper around every
 * operator of a plan (ids in preorder); each wrapper counts the rows and batches its operator
 * produces, the wall and CPU time spent in its pulls (its children's included — `selfTimes`
 * subtracts them), the peak bytes its memory reservations held, and what it spilled to disk (bytes,
 * files, and the passes it made over what it spilled).
 *
 *   HashAggregateExec  id 0   ─ pull → [ time, cpu ] ─┐ includes
 *     TableScanExec    id 1   ─ pull → [ time, cpu ] ◄┘
 */
import type * as arrow from 'apache-arrow';
import type { ScanRowFilter } from '../catalog/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  MaskedBatch,
  MemoryPool,
  MemoryReservation,
  OperatorSpec,
  Partitioning,
  SpillFile,
  SpillSpace,
  TaskContext,
} from '../physical/index.ts';
import type { Schema } from '../common/index.ts';

/** What one operator did in one task (or, summed, in a stage). */
export interface OperatorMetrics {
  rows: number;
  batches: number;
  /** Wall milliseconds in the operator's pulls, children included. */
  elapsedMs: number;
  /** CPU milliseconds of this thread in the operator's pulls, children included. */
  cpuMs: number;
  /** Most bytes its reservations held at once. */
  peakMemory: number;
  /** Bytes it wrote to spill files (compressed, on disk), and how many files. */
  spilledBytes: number;
  spillFiles: number;
  /**
   * Passes over what it spilled (0 when it did not spill), as the operator reports them
   * (`SpillSpace.recordPasses`):
   * - external sort: merges of sorted runs — 1 when every run is merged at once, plus one for
   *   each merge of the first runs into one that a fan-in limited by memory needed first;
   * - hash aggregate, grace hash join: the deepest level of re-partitioning — 1 when the spill
   *   partitions were all merged (joined) as they were, 2 when one was split again with the
   *   next level's seed, and so on;
   * - window: reads of a spilled window partition's file — 2 when partition-wide values (row
   *   count, whole-partition or to-the-end aggregates, first/last values) need a first pass,
   *   else 1;
   * - a map task's exchange output (`TaskMetrics.exchange`): 1 when it wrote a file.
   * A stage shows the most of any of its tasks, not their sum.
   */
  spillPasses: number;
}

export function emptyMetrics(): OperatorMetrics {
  return {
    rows: 0,
    batches: 0,
    elapsedMs: 0,
    cpuMs: 0,
    peakMemory: 0,
    spilledBytes: 0,
    spillFiles: 0,
    spillPasses: 0,
  };
}

/**
 * Adds a task's metrics into a stage's: times, counts, spilled bytes and files add up; the peak
 * memory and the spill passes are the largest of any task.
 */
export function addMetrics(into: OperatorMetrics, m: OperatorMetrics): void {
  into.rows += m.rows;
  into.batches += m.batches;
  into.elapsedMs += m.elapsedMs;
  into.cpuMs += m.cpuMs;
  into.peakMemory = Math.max(into.peakMemory, m.peakMemory);
  into.spilledBytes += m.spilledBytes;
  into.spillFiles += m.spillFiles;
  into.spillPasses = Math.max(into.spillPasses, m.spillPasses);
}

/** The plan's operators in preorder (the ids `instrument` gives them). */
export function preorder(plan: ExecutionPlan): ExecutionPlan[] {
  const out: ExecutionPlan[] = [];
  const walk = (p: ExecutionPlan): void => {
    out.push(p);
    for (const c of p.children()) walk(c);
  };
  walk(plan);
  return out;
}

/** `plan` with every operator measured into `slots[id]` (filled with empty metrics). */
export function instrument(plan: ExecutionPlan, slots: OperatorMetrics[]): ExecutionPlan {
  const wrap = (p: ExecutionPlan): ExecutionPlan => {
    const id = slots.length;
    slots.push(emptyMetrics());
    const children = p.children().map(wrap);
    const inner = children.length === 0 ? p : p.withChildren(children);
    return new InstrumentedExec(inner, slots[id]!);
  };
  return wrap(plan);
}

/**
 * Self times: each operator's wall and CPU time minus its children's (pulls of several children
 * at once can overlap, so a result never goes below zero).
 */
export function selfTimes(
  plan: ExecutionPlan,
  metrics: readonly OperatorMetrics[],
): { elapsedMs: number; cpuMs: number }[] {
  const nodes = preorder(plan);
  const ids = new Map(nodes.map((n, i) => [n, i]));
  return nodes.map((n, i) => {
    const m = metrics[i] ?? emptyMetrics();
    let elapsed = m.elapsedMs;
    let cpu = m.cpuMs;
    for (const c of n.children()) {
      const cm = metrics[ids.get(c)!] ?? emptyMetrics();
      elapsed -= cm.elapsedMs;
      cpu -= cm.cpuMs;
    }
    return { elapsedMs: Math.max(0, elapsed), cpuMs: Math.max(0, cpu) };
  });
}

class InstrumentedExec implements ExecutionPlan {
  readonly inner: ExecutionPlan;
  private readonly metrics: OperatorMetrics;

  constructor(inner: ExecutionPlan, metrics: OperatorMetrics) {
    this.inner = inner;
    this.metrics = metrics;
    const masked = inner.executeMasked?.bind(inner);
    if (masked !== undefined) {
      this.executeMasked = (partition, ctx) =>
        this.measure(
          ctx,
          (c) => masked(partition, c),
          (b) => b.rows,
        );
    }
    const filtered = inner.executeFiltered?.bind(inner);
    if (filtered !== undefined) {
      this.executeFiltered = (partition, ctx, rowFilter) =>
        this.measure(
          ctx,
          (c) => filtered(partition, c, rowFilter),
          (b) => b.numRows,
        );
    }
  }

  get name(): string {
    return this.inner.name;
  }
  get schema(): ExecutionPlan['schema'] {
    return this.inner.schema;
  }
  get outputPartitions(): number {
    return this.inner.outputPartitions;
  }
  get partitioning(): Partitioning {
    return this.inner.partitioning;
  }
  get requiredInputDistribution(): readonly Distribution[] {
    return this.inner.requiredInputDistribution;
  }
  children(): readonly ExecutionPlan[] {
    return this.inner.children();
  }
  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new InstrumentedExec(this.inner.withChildren(children), this.metrics);
  }
  explain(): string {
    return this.inner.explain();
  }
  spec(): OperatorSpec {
    return this.inner.spec();
  }

  execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    return this.measure(
      ctx,
      (c) => this.inner.execute(partition, c),
      (b) => b.numRows,
    );
  }

  readonly executeMasked?: (partition: number, ctx: TaskContext) => AsyncIterable<MaskedBatch>;
  readonly executeFiltered?: (
    partition: number,
    ctx: TaskContext,
    rowFilter: ScanRowFilter,
  ) => AsyncIterable<arrow.RecordBatch>;

  private async *measure<T>(
    ctx: TaskContext,
    run: (ctx: TaskContext) => AsyncIterable<T>,
    rowsOf: (item: T) => number,
  ): AsyncGenerator<T> {
    const m = this.metrics;
    const memory = new TrackingPool(ctx.memory, m);
    const spill = ctx.spill === undefined ? undefined : new TrackingSpill(ctx.spill, m);
    const it = run({ ...ctx, memory, spill })[Symbol.asyncIterator]();
    try {
      for (;;) {
        const t0 = performance.now();
        const c0 = process.threadCpuUsage();
        let r: IteratorResult<T>;
        try {
          r = await it.next();
        } finally {
          const c = process.threadCpuUsage(c0);
          m.elapsedMs += performance.now() - t0;
          m.cpuMs += (c.user + c.system) / 1000;
        }
        if (r.done === true) return;
        m.rows += rowsOf(r.value);
        m.batches++;
        yield r.value;
      }
    } finally {
      await it.return?.();
    }
  }
}

/** Counts an operator's reservations (its own, not its children's) into its metrics' peak. */
class TrackingPool implements MemoryPool {
  private readonly base: MemoryPool;
  private readonly metrics: OperatorMetrics;
  private held = 0;

  constructor(pool: MemoryPool, metrics: OperatorMetrics) {
    this.base = pool instanceof TrackingPool ? pool.base : pool;
    this.metrics = metrics;
  }

  reserve(consumer: string): MemoryReservation {
    const r = this.base.reserve(consumer);
    const change = (before: number): void => {
      this.held += r.size - before;
      if (this.held > this.metrics.peakMemory) this.metrics.peakMemory = this.held;
    };
    const tracked = (f: () => void): void => {
      const before = r.size;
      try {
        f();
      } finally {
        change(before);
      }
    };
    return {
      consumer,
      get size() {
        return r.size;
      },
      grow: (b) => tracked(() => r.grow(b)),
      tryGrow: (b) => {
        const before = r.size;
        const ok = r.tryGrow(b);
        change(before);
        return ok;
      },
      shrink: (b) => tracked(() => r.shrink(b)),
      resize: (b) => tracked(() => r.resize(b)),
      free: () => tracked(() => r.free()),
    };
  }
}

/**
 * Counts the files an operator spills (its own, not its children's) into its metrics, and keeps
 * the most passes it reports.
 */
class TrackingSpill implements SpillSpace {
  private readonly base: SpillSpace;
  private readonly metrics: OperatorMetrics;

  constructor(space: SpillSpace, metrics: OperatorMetrics) {
    this.base = space instanceof TrackingSpill ? space.base : space;
    this.metrics = metrics;
  }

  async write(
    consumer: string,
    schema: Schema,
    batches: Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>,
  ): Promise<SpillFile> {
    const file = await this.base.write(consumer, schema, batches);
    this.metrics.spilledBytes += file.bytes;
    this.metrics.spillFiles++;
    return file;
  }

  recordPasses(consumer: string, passes: number): void {
    if (passes > this.metrics.spillPasses) this.metrics.spillPasses = passes;
    this.base.recordPasses?.(consumer, passes);
  }
}
