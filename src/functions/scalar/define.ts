/**
 * Helpers for declaring scalar functions compactly: arity and type checks with Spark's error
 * texts (42605 WRONG_NUM_ARGS, 42K09 DATATYPE_MISMATCH), implicit casts chosen with
 * `canImplicitCast`, and row-at-a-time evaluation for functions whose cost is in the work per value.
 */
import { fromArrowType } from '../../common/index.ts';
import type * as arrow from 'apache-arrow';
import { EngineError, SqlState, T, typeToString, type DataType, type Value } from '../../common/index.ts';
import type {
  ColumnarValue,
  EvalContext,
  ResolveContext,
  ResolvedSignature,
  ScalarFunctionDef,
} from '../registry.ts';
import { canImplicitCast, findWiderTypeOfAll } from '../type-coercion.ts';
import { mapRows } from '../kernels/common.ts';

export function arityError(name: string, expected: string, actual: number): EngineError {
  return new EngineError(
    SqlState.wrongNumArgs,
    `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires ${expected} parameters but the actual number is ${actual}.`,
  );
}

const ORDINALS = [
  'first',
  'second',
  'third',
  'fourth',
  'fifth',
  'sixth',
  'seventh',
  'eighth',
  'ninth',
  'tenth',
];

export function typeMismatch(name: string, index: number, expected: string, actual: DataType): EngineError {
  return new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${name}" due to data type mismatch: the ${ORDINALS[index] ?? `${index + 1}th`} parameter requires the ${expected} type, however it has the type "${typeToString(actual).toUpperCase()}".`,
  );
}

export function checkArity(name: string, argTypes: readonly DataType[], min: number, max: number): void {
  const n = argTypes.length;
  if (n >= min && n <= max) return;
  const expected =
    min === max
      ? `${min}`
      : max === Infinity
        ? `at least ${min}`
        : `[${Array.from({ length: max - min + 1 }, (_, i) => min + i).join(', ')}]`;
  throw arityError(name, expected, n);
}

function holdsCalendarInterval(t: DataType): boolean {
  if (t.kind === 'calendar_interval') return true;
  if (t.kind === 'array') return holdsCalendarInterval(t.element);
  if (t.kind === 'map') return holdsCalendarInterval(t.key) || holdsCalendarInterval(t.value);
  if (t.kind === 'struct') return t.fields.some((f) => holdsCalendarInterval(f.type));
  return false;
}

/**
 * 42K09 DATATYPE_MISMATCH.INVALID_ORDERING_TYPE when `name` would have to order values of `t`
 * that have no order: calendar intervals, at any depth.
 */
export function requireOrderable(name: string, t: DataType): void {
  if (!holdsCalendarInterval(t)) return;
  throw new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.INVALID_ORDERING_TYPE] Cannot resolve "${name}" due to data type mismatch: The \`${name}\` does not support ordering on type "${typeToString(t).toUpperCase()}".`,
  );
}

/** `actual` if it may be cast to `target` implicitly, else a 42K09 DATATYPE_MISMATCH error. */
export function coerce(name: string, index: number, actual: DataType, target: DataType): DataType {
  if (canImplicitCast(actual, target)) return target;
  throw typeMismatch(name, index, `"${typeToString(target).toUpperCase()}"`, actual);
}

export function isNumericType(t: DataType): boolean {
  return ['tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'decimal', 'null'].includes(t.kind);
}

export function requireNumeric(name: string, index: number, t: DataType): DataType {
  if (isNumericType(t)) return t.kind === 'null' ? T.double : t;
  if (t.kind === 'string') return T.double;
  throw typeMismatch(name, index, '"NUMERIC"', t);
}

/** The common type of arguments that combine into one value; all-NULL arguments give NULL's type (void). */
export function commonTypeKeepingNull(name: string, types: readonly DataType[]): DataType {
  const t = findWiderTypeOfAll(types);
  if (t === undefined) {
    throw new EngineError(
      SqlState.datatypeMismatch,
      `[DATATYPE_MISMATCH.DATA_DIFF_TYPES] Cannot resolve "${name}" due to data type mismatch: Input to \`${name}\` should all be the same type, but it's [${types.map((x) => typeToString(x).toUpperCase()).join(', ')}].`,
    );
  }
  return t;
}

/** The common type of arguments a function computes with; all-NULL arguments are read as strings. */
export function commonType(name: string, types: readonly DataType[]): DataType {
  const t = commonTypeKeepingNull(name, types);
  return t.kind === 'null' ? T.string : t;
}

export type RowFn = (values: Value[], ctx: EvalContext, returnType: DataType) => Value;

export interface SimpleSpec {
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  /** Each accepted argument count maps to the argument types the analyzer casts to. */
  readonly args: readonly (readonly DataType[])[];
  readonly returns: DataType | ((argTypes: readonly DataType[], ctx: ResolveContext) => DataType);
  readonly row: RowFn;
  readonly nullable?: boolean;
  /** Whether NULL arguments give NULL without calling `row` (default true). */
  readonly nullIntolerant?: boolean;
  readonly deterministic?: boolean;
  readonly local?: boolean;
}

/** A function with fixed signatures (one per arity), evaluated row at a time. */
export function simple(spec: SimpleSpec): ScalarFunctionDef {
  const arities = spec.args.map((a) => a.length);
  const min = Math.min(...arities);
  const max = Math.max(...arities);
  return {
    kind: 'scalar',
    name: spec.name,
    ...(spec.aliases === undefined ? {} : { aliases: spec.aliases }),
    description: spec.description,
    ...(spec.deterministic === undefined ? {} : { deterministic: spec.deterministic }),
    ...(spec.local === undefined ? {} : { local: spec.local }),
    resolve(argTypes: readonly DataType[], ctx: ResolveContext): ResolvedSignature {
      checkArity(spec.name, argTypes, min, max);
      const sig = spec.args.find((a) => a.length === argTypes.length);
      if (sig === undefined) throw arityError(spec.name, `[${arities.join(', ')}]`, argTypes.length);
      const types = sig.map((t, i) => coerce(spec.name, i, argTypes[i]!, t));
      const returnType = typeof spec.returns === 'function' ? spec.returns(types, ctx) : spec.returns;
      return spec.nullable === undefined
        ? { argTypes: types, returnType }
        : { argTypes: types, returnType, nullable: spec.nullable };
    },
    evaluate(
      args: readonly ColumnarValue[],
      numRows: number,
      returnType: DataType,
      ctx: EvalContext,
    ): ColumnarValue {
      const types = args.map((a) => (a.kind === 'scalar' ? a.type : T.string));
      return evaluateRows(args, types, numRows, returnType, ctx, spec.row, spec.nullIntolerant ?? true);
    },
  };
}

/** Row-at-a-time evaluation with types taken from the arrays' Arrow types where needed. */
export function evaluateRows(
  args: readonly ColumnarValue[],
  hintTypes: readonly DataType[],
  numRows: number,
  returnType: DataType,
  ctx: EvalContext,
  row: RowFn,
  nullIntolerant: boolean,
): ColumnarValue {
  const types = args.map((a, i) => (a.kind === 'scalar' ? a.type : arrowToSpark(a.data, hintTypes[i]!)));
  return mapRows(args, types, numRows, returnType, (vals) => row(vals, ctx, returnType), nullIntolerant);
}

function arrowToSpark(data: arrow.Data, hint: DataType): DataType {
  try {
    return fromArrowType(data.type);
  } catch {
    return hint;
  }
}

/** A user-facing invalid argument error (22023). */
export function invalidArgument(message: string): EngineError {
  return new EngineError(SqlState.invalidParameterValue, message);
}
