/**
 * Exec: runs physical plans — today inline in the calling thread; the scheduler, worker pool,
 * remote executors, shuffle and spill belong here.
 */
export * from './local-executor.ts';
export { ScanWorkerPool } from './scan-worker-pool.ts';
