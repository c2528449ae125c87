/**
 * The task scheduler: one per engine, shared by every query. It knows the executors and their
 * free slots, queues the tasks that queries submit, and launches them as slots free up — taking
 * queries in turn (fair share), so a query with many tasks does not hold back another's few.
 * Within the query whose turn it is, a free slot takes a task that would rather run on its
 * executor (locality.ts: where most of the task's input is) before the query's first task; a slot
 * never waits for such a task.
 */
import type { Schema } from '../common/index.ts';
import type { Executor, ExecutorPool, RunningTask, TaskEvents } from './executor.ts';
import type { ExecutorId, TaskDescription } from './task.ts';

/** A task waiting for a slot. `describe` is called at launch, so input locations are current. */
export interface PendingTask {
  readonly queryId: string;
  describe(): TaskDescription;
  readonly schema: Schema;
  readonly events: TaskEvents;
  /** Set when launched: lets the owner cancel it. */
  running?: RunningTask;
  executorId?: ExecutorId;
  cancelled?: boolean;
  /** The executor holding most of the task's input, if one stands out (locality.ts). */
  readonly preferred?: ExecutorId | null;
}

/** Waiting tasks of a query looked through for one preferring the free executor. */
const LOCALITY_LOOKAHEAD = 64;

export class TaskScheduler {
  private readonly pool: ExecutorPool;
  private readonly busy = new Map<ExecutorId, number>();
  /** Pending tasks per query, in submission order; queries served in turn. */
  private readonly queues = new Map<string, PendingTask[]>();
  private turn: string[] = [];
  private readonly lostListeners: ((id: ExecutorId) => void)[] = [];

  constructor(pool: ExecutorPool) {
    this.pool = pool;
    pool.onExecutorLost((id) => {
      this.busy.delete(id);
      for (const l of this.lostListeners) l(id);
      this.pump();
    });
    pool.onExecutorAdded(() => this.pump());
  }

  /** Total slots of the live executors. */
  get slots(): number {
    return this.pool.executors().reduce((s, e) => s + e.slots, 0);
  }

  executors(): readonly Executor[] {
    return this.pool.executors();
  }

  /** Calls `listener` whenever an executor is lost; returns the function that stops it. */
  onExecutorLost(listener: (id: ExecutorId) => void): () => void {
    this.lostListeners.push(listener);
    return () => {
      const i = this.lostListeners.indexOf(listener);
      if (i >= 0) this.lostListeners.splice(i, 1);
    };
  }

  submit(task: PendingTask): void {
    let q = this.queues.get(task.queryId);
    if (q === undefined) {
      q = [];
      this.queues.set(task.queryId, q);
      this.turn.push(task.queryId);
    }
    q.push(task);
    this.pump();
  }

  /** Forgets a query's waiting tasks (running ones are cancelled by their owner). */
  dropQuery(queryId: string): void {
    this.queues.delete(queryId);
    this.turn = this.turn.filter((q) => q !== queryId);
  }

  private freeExecutor(): Executor | undefined {
    let best: Executor | undefined;
    let bestFree = 0;
    for (const e of this.pool.executors()) {
      const free = e.slots - (this.busy.get(e.id) ?? 0);
      if (free > bestFree) {
        best = e;
        bestFree = free;
      }
    }
    return best;
  }

  /** The next task for a slot of `executor`: of the query whose turn it is, one preferring it first. */
  private next(executor: ExecutorId): PendingTask | undefined {
    while (this.turn.length > 0) {
      const queryId = this.turn.shift()!;
      const q = this.queues.get(queryId);
      if (q === undefined) continue;
      let at = 0;
      const look = Math.min(q.length, LOCALITY_LOOKAHEAD);
      for (let i = 0; i < look; i++) {
        const t = q[i]!;
        if (t.preferred === executor && t.cancelled !== true) {
          at = i;
          break;
        }
      }
      const task = q.splice(at, 1)[0];
      if (q.length === 0) this.queues.delete(queryId);
      else this.turn.push(queryId);
      if (task !== undefined && task.cancelled !== true) return task;
    }
    return undefined;
  }

  private pump(): void {
    for (;;) {
      const executor = this.freeExecutor();
      if (executor === undefined) return;
      const task = this.next(executor.id);
      if (task === undefined) return;
      this.launch(executor, task);
    }
  }

  private launch(executor: Executor, task: PendingTask): void {
    this.busy.set(executor.id, (this.busy.get(executor.id) ?? 0) + 1);
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      const n = (this.busy.get(executor.id) ?? 1) - 1;
      if (n <= 0) this.busy.delete(executor.id);
      else this.busy.set(executor.id, n);
      // Let the task's owner react first (it may submit follow-up tasks), then fill the slot.
      queueMicrotask(() => this.pump());
    };
    const events = task.events;
    task.executorId = executor.id;
    let description: TaskDescription;
    try {
      description = task.describe();
    } catch (err) {
      release();
      events.failed({
        kind: 'error',
        error: {
          sqlstate: 'XX000',
          message: `internal error: ${err instanceof Error ? err.message : String(err)}`,
        },
      });
      return;
    }
    let parked = false;
    task.running = executor.launch(description, task.schema, {
      batch: (b, ack) => events.batch(b, ack),
      // A task waiting for its consumer lends its slot; it takes one again when it goes on.
      parked: (p) => {
        if (p === parked || released) return;
        parked = p;
        const n = this.busy.get(executor.id) ?? 0;
        this.busy.set(executor.id, p ? Math.max(0, n - 1) : n + 1);
        if (p) queueMicrotask(() => this.pump());
        events.parked(p);
      },
      finished: (m) => {
        release();
        events.finished(m);
      },
      failed: (f) => {
        release();
        events.failed(f);
      },
    });
  }
}
