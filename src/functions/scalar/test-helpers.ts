/**
 * Test helpers for scalar functions: resolve a call through the registry and evaluate it on
 * literal arguments (scalars) or on columns.
 */
import { columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import { createFunctionRegistry } from '../create-registry.ts';
import type { ColumnarValue, EvalContext, ScalarFunctionDef } from '../registry.ts';
import { castColumnar } from '../kernels/cast.ts';

export const registry = createFunctionRegistry();
export const testContext: EvalContext = {
  ansi: true,
  timeZone: 'UTC',
  queryStartMicros: 1705314600000000n,
  currentDatabase: 'default',
  currentUser: 'tester',
};

/** Evaluates `name(args…)` as the analyzer would: resolve, cast the arguments, evaluate. */
export function call(
  name: string,
  args: readonly [Value, DataType][],
  ctx: EvalContext = testContext,
  asColumns = false,
): Value {
  const def = registry.lookup(name) as ScalarFunctionDef;
  const sig = def.resolve(
    args.map((a) => a[1]),
    { ansi: ctx.ansi, literalArgs: args.map((a) => a[0]) },
  );
  const values: ColumnarValue[] = args.map(([v, t], i) => {
    const target = sig.argTypes[i]!;
    const scalar: ColumnarValue = { kind: 'scalar', value: v, type: t };
    const cast = castColumnar(scalar, t, target, 'ansi', 1, ctx);
    if (!asColumns) return cast;
    return { kind: 'array', data: columnFromValues(target, [cast.kind === 'scalar' ? cast.value : null]) };
  });
  const r = def.evaluate(values, 1, sig.returnType, ctx);
  return r.kind === 'scalar' ? r.value : valueAt(r.data, sig.returnType, 0);
}

export function returnTypeOf(
  name: string,
  types: readonly DataType[],
  literalArgs: readonly (Value | undefined)[] = [],
): DataType {
  const def = registry.lookup(name)!;
  return def.resolve(types, { ansi: true, literalArgs }).returnType;
}
