/**
 * Where a task would rather run (Spark's reduce-task locality): on the executor holding the
 * largest share of the bytes it reads from earlier stages' map outputs, when that share is at
 * least `PREFERRED_SHARE`. There its input is read from the executor's own store instead of over
 * the network (Arrow Flight between executor processes). A preference only orders the choice: a
 * free slot is never left idle for it (the scheduler has no locality wait).
 *
 * Bytes are the map tasks' own figures per bucket (`TaskMetrics.exchange.bucketBytes`); a
 * broadcast is read whole by every task of the stage, so it favours no task and does not count.
 */
import type { ExecutorId } from './task.ts';

/** The least share of a task's input bytes that makes its holder the task's preference. */
export const PREFERRED_SHARE = 0.2;

/** One earlier stage's outputs as a task reads them. */
export interface MapOutputsRead {
  /** `locations[m]`: the executor holding map task m's output (null: not computed, or lost). */
  readonly locations: readonly (ExecutorId | null)[];
  /** `bucketBytes[m][b]`: bytes of bucket b of map task m's output (null: not known). */
  readonly bucketBytes: readonly (readonly number[] | null)[];
}

/** The executor a task reading `bucket` of `inputs` would rather run on; null when none stands out. */
export function preferredExecutor(inputs: readonly MapOutputsRead[], bucket: number): ExecutorId | null {
  const held = new Map<ExecutorId, number>();
  let total = 0;
  for (const input of inputs) {
    for (let m = 0; m < input.locations.length; m++) {
      const bytes = input.bucketBytes[m]?.[bucket] ?? 0;
      const at = input.locations[m];
      if (bytes <= 0 || at === null || at === undefined) continue;
      held.set(at, (held.get(at) ?? 0) + bytes);
      total += bytes;
    }
  }
  let best: ExecutorId | null = null;
  let most = 0;
  for (const [executor, bytes] of held) {
    if (bytes > most) {
      best = executor;
      most = bytes;
    }
  }
  return best !== null && most >= PREFERRED_SHARE * total ? best : null;
}
