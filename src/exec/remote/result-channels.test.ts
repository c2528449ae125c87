import * as arrow from 'apache-arrow';
import { describe, expect, it } from 'vitest';
import { ResultChannels } from './result-channels.ts';

function batch(n: number): arrow.RecordBatch {
  return new arrow.RecordBatch({ x: arrow.makeData({ type: new arrow.Int32(), data: new Int32Array([n]) }) });
}

async function collect(it: AsyncIterable<arrow.RecordBatch>): Promise<number[]> {
  const out: number[] = [];
  for await (const b of it) out.push(b.getChildAt(0)!.get(0) as number);
  return out;
}

describe('result channels', () => {
  it('pass batches in order whichever side comes first, holding the producer at capacity', async () => {
    const channels = new ResultChannels(2);
    const signal = new AbortController().signal;
    let pushed = 0;
    const producer = (async () => {
      for (let i = 0; i < 6; i++) {
        await channels.push('q1/1/0/0', batch(i), signal);
        pushed++;
      }
      channels.end('q1/1/0/0');
    })();
    await new Promise((r) => setTimeout(r, 10));
    // Two queued and nobody reading: the third push waits.
    expect(pushed).toBe(2);
    expect(await collect(channels.consume('q1/1/0/0', signal))).toEqual([0, 1, 2, 3, 4, 5]);
    await producer;
    expect(channels.size).toBe(0);
  });

  it("carry a task's failure to the consumer", async () => {
    const channels = new ResultChannels(4);
    const signal = new AbortController().signal;
    await channels.push('q1/1/0/0', batch(1), signal);
    channels.fail('q1/1/0/0', 'division by zero');
    const consumer = collect(channels.consume('q1/1/0/0', signal));
    await expect(consumer).rejects.toThrow('division by zero');
  });

  it('let the producer go when the consumer stops or the query is released', async () => {
    const channels = new ResultChannels(1);
    const signal = new AbortController().signal;
    await channels.push('q1/1/0/0', batch(1), signal);
    let released = false;
    const blocked = channels.push('q1/1/0/0', batch(2), signal).then(() => (released = true));
    const stop = new AbortController();
    const reader = channels.consume('q1/1/0/0', stop.signal);
    expect((await reader.next()).done).toBe(false);
    await reader.return(undefined);
    await blocked;
    expect(released).toBe(true);
    // Pushes after the consumer left are dropped at once.
    await channels.push('q1/1/0/0', batch(3), signal);

    await channels.push('q2/1/0/0', batch(1), signal);
    const held = channels.push('q2/1/0/0', batch(2), signal);
    channels.releaseQuery('q2');
    await held;
    expect(channels.size).toBe(1);
  });

  it('stop a producer whose task is cancelled', async () => {
    const channels = new ResultChannels(1);
    const abort = new AbortController();
    await channels.push('q1/1/0/0', batch(1), abort.signal);
    const held = channels.push('q1/1/0/0', batch(2), abort.signal);
    abort.abort();
    await held;
  });
});
