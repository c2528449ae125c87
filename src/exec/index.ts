/**
 * Exec: runs physical plans. `ExecutionEngine` runs tiny plans in the caller's thread and cuts the
 * others into stages (stages.ts) of serializable tasks (task.ts, plan-codec.ts), which the DAG
 * scheduler of each query (query-run.ts) hands to the engine's task scheduler (task-scheduler.ts)
 * and executors (executor.ts; worker threads in executors/). Memory budgets in memory/, exchange
 * outputs in exchange/.
 */
export {
  ExecutionEngine,
  defaultMemoryLimit,
  type ExecutionEngineOptions,
  type QueryExecution,
  type RunOptions,
  type SharedCacheObjects,
  type StageCompleted,
} from './execution-engine.ts';
export { executeInline } from './executors/inline.ts';
export { placementOf, type Placement } from './placement.ts';
export { cutStages, type Stage, type StagePlan } from './stages.ts';
export { encodePlan, decodePlan } from './plan-codec.ts';
export type { StageRunStats } from './query-run.ts';
export type { TaskMetrics } from './task.ts';
export { addMetrics, emptyMetrics, preorder, selfTimes, type OperatorMetrics } from './metrics.ts';
export { UNLIMITED, formatBytes } from './memory/memory-budget.ts';
export { parseMaster, type Master } from './remote/master.ts';
export { startExecutorProcess, type ExecutorProcessOptions } from './remote/executor-process.ts';
export { connectExecutorPlane } from './remote/nats/nats-control-plane.ts';
export { NATS_TOKEN_ENV } from './remote/control-plane.ts';
export {
  CLUSTER_SETTING_KEYS,
  parseClusterSettings,
  type ClusterSettings,
} from './remote/cluster-settings.ts';
