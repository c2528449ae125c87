/**
 * The body of a scan worker thread (see scan-worker-pool.ts): plans the scan it is sent with the
 * table's own provider, streams the partition's batches back as transferable typed arrays, and
 * sends at most a few batches ahead of the main thread's acknowledgements.
 */
import { parentPort } from 'node:worker_threads';
import { createTableProvider } from '../catalog/index.ts';
import { toEngineError } from '../common/index.ts';
import { toWireBatch } from './arrow-transfer.ts';
import type { ToWorker } from './scan-messages.ts';

const port = parentPort;
if (port === null) throw new Error('scan-worker.ts must run in a worker thread');

interface Job {
  credits: number;
  wake: (() => void) | null;
  readonly abort: AbortController;
}

const jobs = new Map<number, Job>();

async function runScan(message: Extract<ToWorker, { type: 'scan' }>, job: Job): Promise<void> {
  const provider = createTableProvider(message.definition);
  const scan = provider.scan(message.request);
  if (message.partition < scan.partitions) {
    const ctx = { signal: job.abort.signal, batchSize: message.batchSize };
    for await (const batch of scan.open(message.partition, ctx)) {
      if (job.abort.signal.aborted) return;
      if (batch.numRows === 0) continue;
      while (job.credits === 0) {
        await new Promise<void>((resolve) => (job.wake = resolve));
        if (job.abort.signal.aborted) return;
      }
      job.credits--;
      const { batch: wire, transfer } = toWireBatch(batch);
      port!.postMessage({ type: 'batch', id: message.id, batch: wire }, transfer);
    }
  }
  port!.postMessage({ type: 'end', id: message.id });
}

port.on('message', (message: ToWorker) => {
  switch (message.type) {
    case 'scan': {
      const job: Job = { credits: message.credits, wake: null, abort: new AbortController() };
      jobs.set(message.id, job);
      runScan(message, job)
        .catch((err: unknown) => {
          const e = toEngineError(err);
          port.postMessage({ type: 'error', id: message.id, sqlstate: e.sqlstate, message: e.message });
        })
        .finally(() => jobs.delete(message.id));
      return;
    }
    case 'ack': {
      const job = jobs.get(message.id);
      if (job === undefined) return;
      job.credits++;
      const wake = job.wake;
      job.wake = null;
      wake?.();
      return;
    }
    case 'cancel': {
      const job = jobs.get(message.id);
      if (job === undefined) return;
      job.abort.abort();
      const wake = job.wake;
      job.wake = null;
      wake?.();
      return;
    }
  }
});
