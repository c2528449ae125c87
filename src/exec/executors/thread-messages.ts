/**
 * Messages between the driver and an executor thread, and between two executor threads.
 */
import type { MessagePort } from 'node:worker_threads';
import type { Schema } from '../../common/index.ts';
import type { WireBatch } from '../arrow-transfer.ts';
import type { MapOutput, MapOutputBucket } from '../exchange/shuffle-store.ts';
import type { TaskFailure } from '../task-failure.ts';
import type { ExecutorId, TaskDescription, TaskMetrics } from '../task.ts';

export interface ThreadWorkerData {
  readonly executorId: ExecutorId;
  /** Result batches a task may send before the driver's `credit`. */
  readonly credits: number;
}

export type ToExecutor =
  | { readonly type: 'launch'; readonly taskId: number; readonly task: TaskDescription }
  | { readonly type: 'cancel'; readonly taskId: number }
  | { readonly type: 'credit'; readonly taskId: number }
  | { readonly type: 'release'; readonly queryId: string }
  | { readonly type: 'release-stage'; readonly queryId: string; readonly stageId: number }
  /** A port to another executor thread (transferred), replacing any earlier one for it. */
  | { readonly type: 'peer'; readonly executorId: ExecutorId; readonly port: MessagePort }
  | { readonly type: 'peer-gone'; readonly executorId: ExecutorId }
  /** A cached table's batches over shared memory (read in place), and their removal. */
  | {
      readonly type: 'cache-put';
      readonly cacheId: string;
      readonly schema: Schema;
      readonly partitions: readonly (readonly WireBatch[])[];
    }
  | { readonly type: 'cache-drop'; readonly cacheId: string };

export type FromExecutor =
  | { readonly type: 'batch'; readonly taskId: number; readonly batch: WireBatch }
  | { readonly type: 'finished'; readonly taskId: number; readonly metrics: TaskMetrics }
  | { readonly type: 'failed'; readonly taskId: number; readonly failure: TaskFailure };

/**
 * Between executor threads: fetching a map output's bucket, and a finished map output published
 * to the others (its shared-memory batches, not copies, and its file's path and index). A bucket
 * fetched is answered the same way: the reader reads the batches in place and the file itself.
 */
export type PeerMessage =
  | {
      readonly type: 'outputs';
      readonly queryId: string;
      readonly stageId: number;
      readonly map: number;
      readonly output: MapOutput;
    }
  | {
      readonly type: 'fetch';
      readonly requestId: number;
      readonly queryId: string;
      readonly stageId: number;
      readonly map: number;
      readonly bucket: number;
    }
  | { readonly type: 'blocks'; readonly requestId: number; readonly bucket: MapOutputBucket | null };
