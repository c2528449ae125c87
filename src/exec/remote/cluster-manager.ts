/**
 * Cluster managers: what starts and stops executor processes, behind one interface as Spark's
 * are — `process[N]` (process-cluster.ts: child processes on this host) and `k8s://…` (pods).
 * The executors they start register themselves on the control plane (control-plane.ts); a manager
 * only says when one it started is gone, sooner than missed heartbeats would, and replaces it.
 */
import type { ExecutorId } from '../task.ts';

export interface ClusterManager {
  /** Starts the executors. */
  start(): void;
  /** Kills an executor (SIGKILL): it is lost as if it had crashed. */
  kill(id: ExecutorId): boolean;
  /** Called when an executor the manager started has exited. */
  onExecutorExit(listener: (id: ExecutorId, reason: string) => void): void;
  close(): Promise<void>;
}
