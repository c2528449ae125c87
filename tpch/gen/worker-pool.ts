/**
 * A fixed set of generator worker threads. `run` queues a job; each idle thread takes the oldest
 * queued job, so threads stay busy whatever each job costs. Results come back by job id.
 */

import { Worker } from 'node:worker_threads';
import type { ChunkJob, ChunkOutput, ChunkReply } from './chunk.ts';

interface Pending {
  readonly job: ChunkJob;
  resolve(outputs: readonly ChunkOutput[]): void;
  reject(error: Error): void;
}

export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly queue: { id: number; pending: Pending }[] = [];
  private readonly running = new Map<number, Pending>();
  private readonly busy = new Map<Worker, number>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./worker.ts', import.meta.url));
      worker.on('message', (reply: ChunkReply) => this.settle(worker, reply));
      worker.on('error', (error: unknown) =>
        this.fail(error instanceof Error ? error : new Error(String(error))),
      );
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`generator worker exited with code ${code}`));
      });
      this.idle.push(worker);
    }
  }

  /** Runs a job on the next free thread. */
  run(job: ChunkJob): Promise<readonly ChunkOutput[]> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, pending: { job, resolve, reject } });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.idle, ...this.busy.keys()].map((w) => w.terminate()));
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const { id, pending } = this.queue.shift()!;
      this.running.set(id, pending);
      this.busy.set(worker, id);
      worker.postMessage({ ...pending.job, id });
    }
  }

  private settle(worker: Worker, reply: ChunkReply): void {
    this.busy.delete(worker);
    this.idle.push(worker);
    const pending = this.running.get(reply.id);
    this.running.delete(reply.id);
    if (pending !== undefined) {
      if (reply.outputs !== undefined) pending.resolve(reply.outputs);
      else pending.reject(new Error(reply.error ?? 'generator worker failed'));
    }
    this.dispatch();
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.running.values()) p.reject(error);
    for (const { pending } of this.queue) pending.reject(error);
    this.running.clear();
    this.queue.length = 0;
  }
}
