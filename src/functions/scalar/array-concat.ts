/**
 * `concat` over arrays (Spark's Concat with ArrayType children): the arguments widen to one array
 * type (array<int> with array<bigint> gives array<bigint>); NULL if any argument is NULL. The
 * string `concat` in string.ts hands over to these when an argument is an array.
 */
import { T, type DataType, type Value } from '../../common/index.ts';
import type { ResolvedSignature } from '../registry.ts';
import { commonTypeKeepingNull, typeMismatch } from './define.ts';

export function resolveArrayConcat(argTypes: readonly DataType[]): ResolvedSignature {
  argTypes.forEach((t, i) => {
    if (t.kind !== 'array' && t.kind !== 'null') throw typeMismatch('concat', i, '"ARRAY"', t);
  });
  const common = commonTypeKeepingNull('concat', argTypes);
  const type = common.kind === 'array' ? common : T.array(T.null);
  return { argTypes: argTypes.map(() => type), returnType: type };
}

/** The concatenation of non-NULL array values. */
export function concatArrays(values: readonly Value[]): Value[] {
  const out: Value[] = [];
  for (const v of values) for (const x of v as readonly Value[]) out.push(x);
  return out;
}
