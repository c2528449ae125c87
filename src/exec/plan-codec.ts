/**
 * Plan fragments ↔ bytes: a `PlanSpec` (plain data, physical/plan-spec.ts) through V8's
 * serializer, which keeps bigints, typed arrays and Maps exactly. Decoding checks the shape of the
 * top level and reports anything unexpected as an internal error naming the fragment.
 */
import { deserialize, serialize } from 'node:v8';
import { EngineError, SqlState } from '../common/index.ts';
import {
  planFromSpec,
  planToSpec,
  type ExecutionPlan,
  type PlanDecodeEnv,
  type PlanSpec,
} from '../physical/index.ts';

export function encodePlan(plan: ExecutionPlan): Uint8Array {
  return serialize(planToSpec(plan));
}

export function decodePlan(bytes: Uint8Array, env: PlanDecodeEnv): ExecutionPlan {
  let spec: unknown;
  try {
    spec = deserialize(bytes);
  } catch (err) {
    throw new EngineError(
      SqlState.internalError,
      `internal error: a plan fragment does not decode: ${String(err)}`,
    );
  }
  if (typeof spec !== 'object' || spec === null || !('op' in spec) || !('children' in spec)) {
    throw new EngineError(SqlState.internalError, 'internal error: a plan fragment is not a plan');
  }
  return planFromSpec(spec as PlanSpec, env);
}
