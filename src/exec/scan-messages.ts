/**
 * Messages between the scan worker pool and its threads.
 */
import type { ScanRequest, TableDefinition } from '../catalog/index.ts';
import type { WireBatch } from './arrow-transfer.ts';

export type ToWorker =
  | {
      readonly type: 'scan';
      readonly id: number;
      readonly definition: TableDefinition;
      readonly request: ScanRequest;
      readonly partition: number;
      readonly batchSize: number;
      /** Batches the worker may send before it waits for an `ack`. */
      readonly credits: number;
    }
  | { readonly type: 'ack'; readonly id: number }
  | { readonly type: 'cancel'; readonly id: number };

export type FromWorker =
  | { readonly type: 'batch'; readonly id: number; readonly batch: WireBatch }
  | { readonly type: 'end'; readonly id: number }
  | { readonly type: 'error'; readonly id: number; readonly sqlstate: string; readonly message: string };
