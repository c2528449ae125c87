/**
 * Session: the one entry that runs SQL end to end (`Session.execute`/`Session.sql`), its settings,
 * and the `Engine` that sessions of one process share.
 */
export * from './types.ts';
export { Engine, DEFAULT_WAREHOUSE, type EngineOptions } from './engine.ts';
export { Session, type SessionOptions, type QueryRows, type TemporaryView } from './session.ts';
export {
  Settings,
  parseByteSize,
  splitProcessSettings,
  validateSettingDefaults,
  type ProcessSettings,
  type ServerProcessSettings,
} from './settings.ts';
export { statementCanceled } from './statement-run.ts';
export type { BackendActivity, BackendIdentity, ServerBackends } from './backends.ts';
/** Spark's rendering of a value as text (its cast to string), for clients that print results. */
export { valueToString } from '../functions/index.ts';
/** What `kindling executor` runs: an executor process of a driver elsewhere. */
export {
  NATS_TOKEN_ENV,
  connectExecutorPlane,
  defaultMemoryLimit,
  parseMaster,
  startExecutorProcess,
  type ExecutorProcessOptions,
} from '../exec/index.ts';
