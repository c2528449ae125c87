/**
 * Result tasks' batches on an executor process, on their way to the driver: one bounded queue per
 * task attempt between the task (`push`, which waits while the queue is full) and the Flight
 * stream the driver opened for it (`consume`). Either side may come first: the driver asks for
 * the stream as it queues the task. A consumer that goes away (the driver settled the task)
 * leaves the channel dropping what comes; `releaseQuery` drops a query's channels and lets their
 * producers go on.
 */
import type * as arrow from 'apache-arrow';

interface Channel {
  readonly queue: arrow.RecordBatch[];
  ended: boolean;
  failure: string | null;
  abandoned: boolean;
  /** Wakes the consumer (a batch came, or the end). */
  wakeConsumer: (() => void) | null;
  /** Wakes the producer (room freed, or the channel is gone). */
  wakeProducer: (() => void) | null;
}

export class ResultChannels {
  private readonly capacity: number;
  private readonly channels = new Map<string, Channel>();

  constructor(capacity: number) {
    this.capacity = capacity;
  }

  private channel(key: string): Channel {
    let c = this.channels.get(key);
    if (c === undefined) {
      c = {
        queue: [],
        ended: false,
        failure: null,
        abandoned: false,
        wakeConsumer: null,
        wakeProducer: null,
      };
      this.channels.set(key, c);
    }
    return c;
  }

  /** Adds a batch once the queue holds fewer than `capacity` (at once if the channel is gone). */
  async push(key: string, batch: arrow.RecordBatch, signal: AbortSignal): Promise<void> {
    const c = this.channel(key);
    if (c.queue.length >= this.capacity && !c.abandoned) {
      const onAbort = (): void => wake(c, 'producer');
      signal.addEventListener('abort', onAbort, { once: true });
      try {
        while (c.queue.length >= this.capacity && !c.abandoned && !signal.aborted) {
          await new Promise<void>((resolve) => (c.wakeProducer = resolve));
        }
      } finally {
        signal.removeEventListener('abort', onAbort);
      }
    }
    if (c.abandoned || signal.aborted) return;
    c.queue.push(batch);
    wake(c, 'consumer');
  }

  end(key: string): void {
    const c = this.channel(key);
    c.ended = true;
    wake(c, 'consumer');
    if (c.abandoned) this.channels.delete(key);
  }

  fail(key: string, message: string): void {
    const c = this.channel(key);
    c.failure = message;
    c.ended = true;
    wake(c, 'consumer');
    if (c.abandoned) this.channels.delete(key);
  }

  /** The task's batches as they come; ends with the task, throws if it failed. */
  async *consume(key: string, signal: AbortSignal): AsyncGenerator<arrow.RecordBatch> {
    const c = this.channel(key);
    const onAbort = (): void => wake(c, 'consumer');
    signal.addEventListener('abort', onAbort, { once: true });
    try {
      for (;;) {
        const batch = c.queue.shift();
        if (batch !== undefined) {
          wake(c, 'producer');
          yield batch;
          continue;
        }
        if (c.failure !== null) throw new Error(c.failure);
        if (c.ended || signal.aborted || c.abandoned) return;
        await new Promise<void>((resolve) => (c.wakeConsumer = resolve));
      }
    } finally {
      signal.removeEventListener('abort', onAbort);
      c.abandoned = true;
      c.queue.length = 0;
      wake(c, 'producer');
      if (c.ended) this.channels.delete(key);
    }
  }

  /** Drops every channel of a query (`<queryId>/…`). */
  releaseQuery(queryId: string): void {
    const prefix = `${queryId}/`;
    for (const [key, c] of this.channels) {
      if (!key.startsWith(prefix)) continue;
      c.abandoned = true;
      c.queue.length = 0;
      wake(c, 'producer');
      wake(c, 'consumer');
      this.channels.delete(key);
    }
  }

  get size(): number {
    return this.channels.size;
  }
}

function wake(c: Channel, who: 'consumer' | 'producer'): void {
  if (who === 'consumer') {
    const w = c.wakeConsumer;
    c.wakeConsumer = null;
    w?.();
  } else {
    const w = c.wakeProducer;
    c.wakeProducer = null;
    w?.();
  }
}
