/**
 * Test fakes for operators that spill: a memory pool with a byte limit (`LimitedPool`: a refused
 * reservation throws 53200 from `grow`, returns false from `tryGrow`) and spill "files" kept in
 * memory (`MemorySpill`: counts the files written and those not removed yet, and keeps the most
 * passes reported). Not exported from
 * the layer.
 */
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import type { MemoryPool, MemoryReservation, SpillFile, SpillSpace } from '../execution-plan.ts';

export class LimitedPool implements MemoryPool {
  /** Bytes reserved now, and the most ever reserved at once. */
  readonly counts = { used: 0, peak: 0 };
  readonly limit: number;
  constructor(limit: number) {
    this.limit = limit;
  }
  get used(): number {
    return this.counts.used;
  }
  get peak(): number {
    return this.counts.peak;
  }
  reserve(consumer: string): MemoryReservation {
    const pool = this.counts;
    const limit = this.limit;
    let size = 0;
    const tryGrow = (bytes: number): boolean => {
      const b = Math.max(0, Math.ceil(bytes));
      if (pool.used + b > limit) return false;
      pool.used += b;
      size += b;
      pool.peak = Math.max(pool.peak, pool.used);
      return true;
    };
    const shrink = (bytes: number): void => {
      const b = Math.min(size, Math.max(0, Math.ceil(bytes)));
      pool.used -= b;
      size -= b;
    };
    const grow = (bytes: number): void => {
      if (!tryGrow(bytes)) throw new EngineError(SqlState.outOfMemory, `${consumer} refused ${bytes} bytes`);
    };
    return {
      consumer,
      get size() {
        return size;
      },
      grow,
      tryGrow,
      shrink,
      resize: (bytes) => (bytes > size ? grow(bytes - size) : shrink(size - bytes)),
      free: () => shrink(size),
    };
  }
}

export class MemorySpill implements SpillSpace {
  /** Writes begun (a write whose rows fail leaves no file). */
  started = 0;
  written = 0;
  /** Files written from a merge of earlier files (an async stream) rather than rows in memory. */
  merged = 0;
  /** Rows written, over every file. */
  rows = 0;
  readonly live = new Set<number>();
  /** The most passes an operator reported (`recordPasses`), 0 before any. */
  passes = 0;
  recordPasses(_consumer: string, passes: number): void {
    this.passes = Math.max(this.passes, passes);
  }
  async write(
    _consumer: string,
    _schema: Schema,
    batches: Iterable<arrow.RecordBatch> | AsyncIterable<arrow.RecordBatch>,
  ): Promise<SpillFile> {
    this.started++;
    if (!(Symbol.iterator in batches)) this.merged++;
    const kept: arrow.RecordBatch[] = [];
    for await (const b of batches) if (b.numRows > 0) kept.push(b);
    const id = this.written++;
    this.live.add(id);
    const live = this.live;
    let max = 0;
    for (const b of kept)
      max = Math.max(
        max,
        b.data.children.reduce((n, c) => n + c.byteLength, 0),
      );
    const rows = kept.reduce((n, b) => n + b.numRows, 0);
    this.rows += rows;
    return {
      bytes: max,
      rows,
      maxBatchBytes: max,
      read: async function* () {
        if (!live.has(id)) throw new Error(`spill file ${id} read after its removal`);
        for (const b of kept) {
          await Promise.resolve();
          yield b;
        }
      },
      remove: () => live.delete(id),
    };
  }
}
