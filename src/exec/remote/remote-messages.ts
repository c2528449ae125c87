/**
 * What a driver and its executor processes say to each other over the control plane, and the
 * bytes of it (V8's serializer: bigints, typed arrays and nested plain data arrive exactly).
 *
 *   driver → executor (task queue)   RemoteTask: a TaskDescription whose memory budgets are plain
 *                                    limits (a process cannot share another's counters), the
 *                                    Flight address of every executor its inputs name, and the
 *                                    objects of the broadcast outputs it reads or writes
 *   driver → executor (control)      cancel a task, release a query or one stage of it, drop a
 *                                    cached table
 *   executor → driver (status)       a task finished (metrics) or failed (TaskFailure, by kind)
 *
 * A task is named by `taskKey`, unique per driver, so a status that arrives for a task the driver
 * has forgotten (cancelled, its executor declared lost) is dropped.
 */
import { deserialize, serialize } from 'node:v8';
import { EngineError, SqlState } from '../../common/index.ts';
import type { TaskFailure } from '../task-failure.ts';
import type { ExecutorId, TaskDescription, TaskMetrics } from '../task.ts';
import type { BroadcastRef, CacheRef } from './cached-objects.ts';

/** A query's memory budget as a limit: each executor keeps its own counters for it. */
export interface BudgetLimit {
  readonly limit: number;
  readonly setting: string;
}

export interface RemoteTask {
  readonly taskKey: string;
  readonly task: Omit<TaskDescription, 'queryBudget' | 'processBudget'>;
  readonly queryBudget: BudgetLimit;
  /** Flight addresses (`host:port`) of the executors holding the task's inputs. */
  readonly addresses: Readonly<Record<ExecutorId, string>>;
  /** The cached tables the driver holds: the executor gets those it lacks before the task runs. */
  readonly caches: readonly CacheRef[];
  /** A broadcast's map task: the object to put its output in before it reports success. */
  readonly broadcastObject: string | null;
  /**
   * The broadcast map outputs the task reads that are in the object store: the executor reads
   * them from there (getting each once per query) instead of from the executor holding them.
   */
  readonly broadcasts: readonly BroadcastRef[];
}

export type ControlMessage =
  | { readonly type: 'cancel'; readonly taskKey: string }
  | { readonly type: 'release'; readonly queryId: string }
  | { readonly type: 'release-stage'; readonly queryId: string; readonly stageId: number }
  | { readonly type: 'cache-drop'; readonly cacheId: string };

export type StatusMessage =
  | {
      readonly type: 'finished';
      readonly executorId: ExecutorId;
      readonly taskKey: string;
      readonly metrics: TaskMetrics;
    }
  | {
      readonly type: 'failed';
      readonly executorId: ExecutorId;
      readonly taskKey: string;
      readonly failure: TaskFailure;
    };

export function encodeMessage(message: RemoteTask | ControlMessage | StatusMessage): Uint8Array {
  return serialize(message);
}

function decode(bytes: Uint8Array, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = deserialize(bytes);
  } catch (err) {
    throw new EngineError(
      SqlState.internalError,
      `internal error: a ${what} does not decode: ${String(err)}`,
    );
  }
  if (typeof value !== 'object' || value === null) {
    throw new EngineError(SqlState.internalError, `internal error: a ${what} is not an object`);
  }
  return value as Record<string, unknown>;
}

export function decodeRemoteTask(bytes: Uint8Array): RemoteTask {
  const m = decode(bytes, 'task');
  if (
    typeof m.taskKey !== 'string' ||
    typeof m.task !== 'object' ||
    typeof m.addresses !== 'object' ||
    !Array.isArray(m.caches) ||
    (typeof m.broadcastObject !== 'string' && m.broadcastObject !== null) ||
    !Array.isArray(m.broadcasts)
  ) {
    throw new EngineError(SqlState.internalError, 'internal error: a task message lacks its fields');
  }
  return m as unknown as RemoteTask;
}

export function decodeControl(bytes: Uint8Array): ControlMessage {
  const m = decode(bytes, 'control message');
  if (m.type !== 'cancel' && m.type !== 'release' && m.type !== 'release-stage' && m.type !== 'cache-drop') {
    throw new EngineError(
      SqlState.internalError,
      `internal error: unknown control message ${String(m.type)}`,
    );
  }
  return m as unknown as ControlMessage;
}

export function decodeStatus(bytes: Uint8Array): StatusMessage {
  const m = decode(bytes, 'status message');
  if ((m.type !== 'finished' && m.type !== 'failed') || typeof m.taskKey !== 'string') {
    throw new EngineError(SqlState.internalError, `internal error: unknown status message ${String(m.type)}`);
  }
  return m as unknown as StatusMessage;
}
