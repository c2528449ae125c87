/** A fixed set of generator worker threads; `request` sends a chunk to one and awaits its bytes. */

import { Worker } from 'node:worker_threads';
import type { ChunkReply, ChunkRequest } from './chunk.ts';

interface Pending {
  resolve(bytes: Uint8Array): void;
  reject(error: Error): void;
}

export class WorkerPool {
  private readonly workers: Worker[] = [];
  private readonly pending = new Map<number, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  constructor(size: number) {
    for (let i = 0; i < size; i++) {
      const worker = new Worker(new URL('./worker.ts', import.meta.url));
      worker.on('message', (reply: ChunkReply) => this.settle(reply));
      worker.on('error', (error: unknown) =>
        this.fail(error instanceof Error ? error : new Error(String(error))),
      );
      worker.on('exit', (code) => {
        if (code !== 0) this.fail(new Error(`generator worker exited with code ${code}`));
      });
      this.workers.push(worker);
    }
  }

  /** Generates units [start, end) of a table on worker `slot` (modulo the pool size). */
  request(slot: number, request: Omit<ChunkRequest, 'id'>): Promise<Uint8Array> {
    if (this.failure !== undefined) return Promise.reject(this.failure);
    const id = this.nextId++;
    return new Promise<Uint8Array>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.workers[slot % this.workers.length]!.postMessage({ ...request, id });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private settle(reply: ChunkReply): void {
    const pending = this.pending.get(reply.id);
    if (pending === undefined) return;
    this.pending.delete(reply.id);
    if (reply.bytes !== undefined) pending.resolve(reply.bytes);
    else pending.reject(new Error(reply.error ?? 'generator worker failed'));
  }

  private fail(error: Error): void {
    this.failure ??= error;
    for (const p of this.pending.values()) p.reject(error);
    this.pending.clear();
  }
}
