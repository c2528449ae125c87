/**
 * Memory budgets that every thread of the process sees: a budget is a few 64-bit counters in a
 * SharedArrayBuffer — bytes held, the limit, the peak — changed with atomic compare-and-swap, so
 * tasks on any executor thread reserve against the same numbers without a message to the driver.
 *
 *   process budget (kindling.memory.limit) ◄── every reservation of every query
 *        ▲
 *   query budget (kindling.memory.query_limit) ◄── reservations of that query's tasks
 *
 * A `TaskMemoryPool` is what a task sees (`TaskContext.memory`): each reservation grows the query's
 * budget and the process's together, or neither; over either limit `grow` throws 53200
 * (`UNABLE_TO_ACQUIRE_MEMORY`) naming the operator and the sizes, and `tryGrow` returns false so
 * that an operator able to spill can do so instead — already when the task would hold more than
 * its fair share (what the query's budget leaves to running tasks, over their number), so that one
 * task's sort cannot take the memory the task beside it, or the operator above it, needs. A task's
 * reservations are all released when it ends, whatever way it ends.
 */
import { EngineError, SqlState } from '../../common/index.ts';
import type { MemoryPool, MemoryReservation } from '../../physical/index.ts';

const USED = 0;
const LIMIT = 1;
const PEAK = 2;
/** Tasks running against the budget (for the fair share of a query's tasks). */
const TASKS = 3;
/** Bytes the running tasks' reservations hold (the rest of USED is held for later: map outputs). */
const TASK_HELD = 4;
const SLOTS = 5;

/** No limit. */
export const UNLIMITED = Number.MAX_SAFE_INTEGER;

/** A budget's shared counters; the handle itself is plain data and can be posted to a thread. */
export interface BudgetHandle {
  readonly counters: SharedArrayBuffer;
  /** Shown in errors: `kindling.memory.query_limit`. */
  readonly setting: string;
}

export function createBudget(limit: number, setting: string): BudgetHandle {
  const counters = new SharedArrayBuffer(SLOTS * 8);
  const view = new BigInt64Array(counters);
  view[LIMIT] = BigInt(Math.max(0, Math.min(limit, UNLIMITED)));
  return { counters, setting };
}

/** Reads and changes a budget's counters (one object per thread per budget is fine). */
export class MemoryBudget {
  readonly handle: BudgetHandle;
  private readonly view: BigInt64Array;

  constructor(handle: BudgetHandle) {
    this.handle = handle;
    this.view = new BigInt64Array(handle.counters);
  }

  get used(): number {
    return Number(Atomics.load(this.view, USED));
  }

  get limit(): number {
    return Number(Atomics.load(this.view, LIMIT));
  }

  get peak(): number {
    return Number(Atomics.load(this.view, PEAK));
  }

  /**
   * Adds `bytes` if the total stays within the limit — or within that `share` of it (0..1); false
   * (nothing added) otherwise.
   */
  tryAdd(bytes: number, share = 1): boolean {
    const b = BigInt(bytes);
    const view = this.view;
    const limit = Atomics.load(view, LIMIT);
    const ceiling = share >= 1 ? limit : BigInt(Math.floor(Number(limit) * Math.max(0, share)));
    for (;;) {
      const current = Atomics.load(view, USED);
      const next = current + b;
      if (next > ceiling) return false;
      if (Atomics.compareExchange(view, USED, current, next) === current) {
        let peak = Atomics.load(view, PEAK);
        while (next > peak) {
          const seen = Atomics.compareExchange(view, PEAK, peak, next);
          if (seen === peak) break;
          peak = seen;
        }
        return true;
      }
    }
  }

  release(bytes: number): void {
    if (bytes > 0) Atomics.sub(this.view, USED, BigInt(bytes));
  }

  /** @internal A task starts (+1) or ends (-1) reserving against this budget. */
  countTask(delta: 1 | -1): void {
    Atomics.add(this.view, TASKS, BigInt(delta));
  }

  /** @internal Bytes that running tasks' reservations hold, up or down. */
  countTaskHeld(bytes: number): void {
    if (bytes !== 0) Atomics.add(this.view, TASK_HELD, BigInt(bytes));
  }

  /**
   * The most one running task should hold when it could spill instead: what the budget has for
   * tasks (its limit less what is held for later, such as map outputs) shared by the tasks
   * running now, as Spark gives each of N tasks at most 1/N of the execution memory.
   */
  fairShare(): number {
    const view = this.view;
    const tasks = Math.max(1, Number(Atomics.load(view, TASKS)));
    const heldForLater = Number(Atomics.load(view, USED) - Atomics.load(view, TASK_HELD));
    return Math.max(0, Number(Atomics.load(view, LIMIT)) - heldForLater) / tasks;
  }
}

/** `12.3 MiB`; sizes under a KiB in `smallUnit` (`512 bytes`, `512 B`). */
export function formatBytes(n: number, smallUnit = 'bytes'): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(1)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(1)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(1)} KiB`;
  return `${n} ${smallUnit}`;
}

/**
 * The memory of one task: reservations against its query's budget and the process's. `releaseAll`
 * runs when the task ends.
 */
export class TaskMemoryPool implements MemoryPool {
  private readonly query: MemoryBudget;
  private readonly process: MemoryBudget;
  private readonly reservations = new Set<Reservation>();
  /** The most this task held at once, for EXPLAIN ANALYZE. */
  peak = 0;
  private held = 0;

  private ended = false;

  constructor(query: MemoryBudget, process: MemoryBudget) {
    this.query = query;
    this.process = process;
    query.countTask(1);
  }

  reserve(consumer: string): MemoryReservation {
    const r = new Reservation(this, consumer);
    this.reservations.add(r);
    return r;
  }

  /**
   * @internal Grows the two budgets by `bytes`, or neither; with `queryShare` < 1, only while the
   * query's stays within that share of its limit.
   */
  tryAcquire(bytes: number, queryShare = 1): boolean {
    if (bytes <= 0) return true;
    if (!this.query.tryAdd(bytes, queryShare)) return false;
    if (!this.process.tryAdd(bytes)) {
      this.query.release(bytes);
      return false;
    }
    this.held += bytes;
    this.query.countTaskHeld(bytes);
    if (this.held > this.peak) this.peak = this.held;
    return true;
  }

  /**
   * @internal Like `tryAcquire`, for a reservation that can spill when refused: also refused once
   * the task would hold more than its fair share of the query's budget, so that a spilling
   * operator of one task leaves room for the others running beside it (and for the operators
   * above it in its own task, which may not be able to spill).
   */
  tryAcquireSpillable(bytes: number): boolean {
    if (bytes > 0 && this.held + bytes > this.query.fairShare()) return false;
    return this.tryAcquire(bytes);
  }

  /** @internal */
  release(bytes: number): void {
    if (bytes <= 0) return;
    this.query.release(bytes);
    this.process.release(bytes);
    this.held -= bytes;
    this.query.countTaskHeld(-bytes);
  }

  /** @internal The error of a refused reservation. */
  refused(consumer: string, bytes: number, holding: number): EngineError {
    const q = this.query;
    const overQuery = q.used + bytes > q.limit;
    const budget = overQuery ? q : this.process;
    return new EngineError(
      SqlState.outOfMemory,
      `[UNABLE_TO_ACQUIRE_MEMORY] Unable to acquire ${formatBytes(bytes)} of memory for ${consumer}, which holds ${formatBytes(holding)}: ` +
        `${overQuery ? 'the query' : 'the server'} holds ${formatBytes(budget.used)} of its ${formatBytes(budget.limit)} limit (${budget.handle.setting}).`,
      {
        hint: overQuery
          ? `raise ${budget.handle.setting} (SET ${budget.handle.setting} = '2GB'), or make the query need less (filter earlier, fewer columns, a smaller join side)`
          : 'other queries are using the server memory; try again later or raise kindling.memory.limit when starting the server',
      },
    );
  }

  /**
   * Stops counting `bytes` as this task's without giving them back: their new holder (the
   * executor's shuffle store) releases them from the budgets later.
   */
  disown(bytes: number): void {
    this.held -= bytes;
    this.query.countTaskHeld(-bytes);
  }

  /** The budgets this pool charges (query, process). */
  get budgets(): readonly MemoryBudget[] {
    return [this.query, this.process];
  }

  /** Releases every reservation (the task ended). */
  releaseAll(): void {
    for (const r of this.reservations) r.free();
    this.reservations.clear();
    if (!this.ended) {
      this.ended = true;
      this.query.countTask(-1);
    }
  }
}

class Reservation implements MemoryReservation {
  readonly consumer: string;
  private readonly pool: TaskMemoryPool;
  size = 0;

  constructor(pool: TaskMemoryPool, consumer: string) {
    this.pool = pool;
    this.consumer = consumer;
  }

  grow(bytes: number): void {
    const b = Math.ceil(bytes);
    if (b <= 0) return;
    if (!this.pool.tryAcquire(b)) throw this.pool.refused(this.consumer, bytes, this.size);
    this.size += b;
  }

  /** Refused at the task's fair share too: the caller can spill. */
  tryGrow(bytes: number): boolean {
    const b = Math.ceil(bytes);
    if (b <= 0) return true;
    if (!this.pool.tryAcquireSpillable(b)) return false;
    this.size += b;
    return true;
  }

  shrink(bytes: number): void {
    const b = Math.min(this.size, Math.ceil(bytes));
    if (b <= 0) return;
    this.pool.release(b);
    this.size -= b;
  }

  resize(bytes: number): void {
    const target = Math.max(0, Math.ceil(bytes));
    if (target > this.size) this.grow(target - this.size);
    else this.shrink(this.size - target);
  }

  free(): void {
    this.shrink(this.size);
  }
}
