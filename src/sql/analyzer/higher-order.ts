/**
 * Higher-order functions and their lambdas, as Spark 4 binds them: `transform`, `filter`,
 * `exists`, `forall`, `aggregate` (alias `reduce`), `zip_with`, `array_sort` with a comparator,
 * `map_filter`, `transform_keys`, `transform_values` and `map_zip_with`.
 *
 * The value arguments are bound first; their types give each lambda parameter its type, and the
 * body is bound with the parameters in scope, where they shadow columns of the same name (an
 * unqualified or qualified name whose first part is a parameter is the parameter). A body may
 * read the row's columns and the parameters of enclosing lambdas. An argument in a lambda's place
 * that is not a lambda is a lambda whose parameters have hidden names (`transform(a, 0)`).
 * Lambdas with the wrong number of parameters are INVALID_LAMBDA_FUNCTION_CALL (42K0D).
 */
import { EngineError, SqlState, T, typeToString, typesEqual, type DataType } from '../../common/index.ts';
import { findWiderType } from '../../functions/index.ts';
import {
  exprType,
  type Expr,
  type HigherOrderExpr,
  type LambdaFunction,
  type LambdaVarExpr,
  type LambdaVariable,
} from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { analysisError } from './errors.ts';
import { castTo, exprNullable } from './expr-utils.ts';
import { bindExpr } from './expression.ts';
import { callRegistry } from './function-call.ts';

/** Every higher-order function name (aliases included); `array_sort` only with a comparator. */
export const HIGHER_ORDER_FUNCTIONS: ReadonlySet<string> = new Set([
  'transform',
  'filter',
  'exists',
  'forall',
  'aggregate',
  'reduce',
  'zip_with',
  'array_sort',
  'map_filter',
  'transform_keys',
  'transform_values',
  'map_zip_with',
]);

/** Whether `name(args)` is a higher-order call (`array_sort(a)` without a comparator is not). */
export function isHigherOrderCall(name: string, args: readonly ast.Expr[]): boolean {
  if (!HIGHER_ORDER_FUNCTIONS.has(name)) return false;
  return name !== 'array_sort' || args.length >= 2;
}

const ORDINALS = ['first', 'second', 'third', 'fourth'];

function unexpectedType(
  name: string,
  index: number,
  required: string,
  actual: DataType,
  pos: number,
): EngineError {
  return analysisError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${name}" due to data type mismatch: the ${ORDINALS[index] ?? `${index + 1}th`} parameter requires the ${required} type, however it has the type "${typeToString(actual).toUpperCase()}".`,
    pos,
  );
}

function wrongArity(name: string, expected: string, actual: number, pos: number): EngineError {
  return analysisError(
    SqlState.wrongNumArgs,
    `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires ${expected} parameters but the actual number is ${actual}.`,
    pos,
  );
}

/** A lambda passed to a function that is not higher-order. */
export function lambdaOutsideHigherOrder(pos: number): EngineError {
  return analysisError(
    '42K0D',
    '[INVALID_LAMBDA_FUNCTION_CALL.NON_HIGHER_ORDER_FUNCTION] Invalid lambda function call. A lambda function should only be used in a higher order function.',
    pos,
  );
}

/** The lambda parameter a (possibly qualified) name starts with, if any is in scope. */
export function lambdaVariableOf(env: ExprEnv, first: string): LambdaVarExpr | undefined {
  return env.lambdaVars?.get(first.toLowerCase());
}

interface ParamInfo {
  readonly type: DataType;
  readonly nullable: boolean;
}

/** Binds `arg` as a lambda taking parameters of `params`' types. */
function bindLambda(env: ExprEnv, arg: ast.Expr, params: readonly ParamInfo[]): LambdaFunction {
  const base = env.lambdaDepth ?? 0;
  if (arg.kind !== 'lambda') {
    // Not a lambda: a body that reads none of the (hidden) parameters.
    const hidden = params.map((p, i) => ({ id: base + i, name: `col${i}`, ...p }));
    return { params: hidden, body: bindExpr(env, arg) };
  }
  if (arg.params.length !== params.length) {
    throw analysisError(
      '42K0D',
      `[INVALID_LAMBDA_FUNCTION_CALL.NUM_ARGS_MISMATCH] Invalid lambda function call. A higher order function expects ${params.length} arguments, but got ${arg.params.length}.`,
      arg.pos,
    );
  }
  const names = arg.params.map((p) => p.name.toLowerCase());
  if (new Set(names).size < names.length) {
    throw analysisError(
      '42K0D',
      `[INVALID_LAMBDA_FUNCTION_CALL.DUPLICATE_ARG_NAMES] Invalid lambda function call. The lambda function has duplicate arguments ${arg.params.map((p) => `\`${p.name}\``).join(', ')}. Please, consider to rename the argument names or set "spark.sql.caseSensitive" to "true".`,
      arg.pos,
    );
  }
  const vars = new Map(env.lambdaVars ?? []);
  const bound: LambdaVariable[] = params.map((p, i) => {
    const v: LambdaVariable = { id: base + i, name: arg.params[i]!.name, ...p };
    vars.set(names[i]!, { kind: 'lambda_var', variable: v });
    return v;
  });
  const inner: ExprEnv = { ...env, lambdaVars: vars, lambdaDepth: base + params.length };
  return { params: bound, body: bindExpr(inner, arg.body) };
}

/** The argument as an array (a NULL literal becomes a NULL array), else a 42K09 error. */
function arrayArg(name: string, index: number, e: Expr, pos: number): Expr {
  const t = exprType(e);
  if (t.kind === 'array') return e;
  if (t.kind === 'null') return castTo(e, T.array(T.null));
  throw unexpectedType(name, index, '"ARRAY"', t, pos);
}

function mapArg(name: string, index: number, e: Expr, pos: number): Expr {
  const t = exprType(e);
  if (t.kind === 'map') return e;
  if (t.kind === 'null')
    return castTo(e, { kind: 'map', key: T.null, value: T.null, valueContainsNull: true });
  throw unexpectedType(name, index, '"MAP"', t, pos);
}

function elementOf(e: Expr): ParamInfo {
  const t = exprType(e);
  return t.kind === 'array'
    ? { type: t.element, nullable: t.containsNull }
    : { type: T.null, nullable: true };
}

function mapTypeOf(e: Expr): DataType & { kind: 'map' } {
  const t = exprType(e);
  if (t.kind !== 'map') throw new EngineError(SqlState.internalError, 'internal error: not a map');
  return t;
}

/** The map with its keys cast to `key` (maps have no cast of their own: rebuilt from keys and values). */
function withKeyType(env: ExprEnv, m: Expr, key: DataType, pos: number): Expr {
  const t = mapTypeOf(m);
  if (typesEqual(t.key, key)) return m;
  const keys = castTo(callRegistry(env, 'map_keys', [m], pos), T.array(key, false));
  return callRegistry(env, 'map_from_arrays', [keys, callRegistry(env, 'map_values', [m], pos)], pos);
}

/** A boolean body, else a 42K09 error (Spark casts no body, not even a bare NULL). */
function booleanBody(name: string, l: LambdaFunction, pos: number): LambdaFunction {
  const t = exprType(l.body);
  if (t.kind === 'boolean') return l;
  throw unexpectedType(name, 1, '"BOOLEAN"', t, pos);
}

function call(
  env: ExprEnv,
  name: string,
  args: readonly Expr[],
  lambdas: readonly LambdaFunction[],
  type: DataType,
  nullable: boolean,
): HigherOrderExpr {
  return { kind: 'higher_order', name, args, lambdas, type, nullable, failOnError: env.state.ctx.ansi };
}

/** Binds a higher-order call (`isHigherOrderCall` said it is one). */
export function bindHigherOrder(env: ExprEnv, e: ast.FunctionExpr, name: string): Expr {
  if (e.distinct || e.filter !== null || e.star || e.orderBy.length > 0) {
    throw analysisError(
      SqlState.wrongObjectType,
      `[INVALID_FUNCTION_CALL] DISTINCT, FILTER and * may only be used with aggregate functions, not ${name}.`,
      e.pos,
    );
  }
  const a = e.args;
  const pos = e.pos;
  const arity = (min: number, max: number): void => {
    if (a.length >= min && a.length <= max) return;
    throw wrongArity(name, min === max ? `${min}` : `[${min}, ${max}]`, a.length, pos);
  };
  const value = (i: number): Expr => bindExpr(env, a[i]!);
  switch (name) {
    case 'transform':
    case 'filter': {
      arity(2, 2);
      const arr = arrayArg(name, 0, value(0), pos);
      const elem = elementOf(arr);
      const withIndex = a[1]!.kind === 'lambda' && a[1].params.length === 2;
      const params: ParamInfo[] = withIndex ? [elem, { type: T.int, nullable: false }] : [elem];
      let l = bindLambda(env, a[1]!, params);
      if (name === 'filter') {
        l = booleanBody(name, l, pos);
        return call(env, name, [arr], [l], exprType(arr), exprNullable(arr));
      }
      const type: DataType = T.array(exprType(l.body), exprNullable(l.body));
      return call(env, name, [arr], [l], type, exprNullable(arr));
    }
    case 'exists':
    case 'forall': {
      arity(2, 2);
      const arr = arrayArg(name, 0, value(0), pos);
      const l = booleanBody(name, bindLambda(env, a[1]!, [elementOf(arr)]), pos);
      return call(env, name, [arr], [l], T.boolean, true);
    }
    case 'aggregate':
    case 'reduce': {
      arity(3, 4);
      const arr = arrayArg(name, 0, value(0), pos);
      const zero = value(1);
      const accType = exprType(zero);
      const acc: ParamInfo = { type: accType, nullable: true };
      const merge = bindLambda(env, a[2]!, [acc, elementOf(arr)]);
      const mergeType = exprType(merge.body);
      if (!typesEqual(mergeType, accType)) {
        throw unexpectedType(name, 2, `"${typeToString(accType).toUpperCase()}"`, mergeType, pos);
      }
      // the accumulator keeps the start value's type exactly (nullability of nested types included)
      const mergeCast: LambdaFunction = { ...merge, body: castTo(merge.body, accType) };
      const finish = a[3] === undefined ? null : bindLambda(env, a[3], [acc]);
      const lambdas = finish === null ? [mergeCast] : [mergeCast, finish];
      const type = finish === null ? accType : exprType(finish.body);
      return call(env, 'aggregate', [arr, zero], lambdas, type, true);
    }
    case 'zip_with': {
      arity(3, 3);
      const left = arrayArg(name, 0, value(0), pos);
      const right = arrayArg(name, 1, value(1), pos);
      const x = { type: elementOf(left).type, nullable: true };
      const y = { type: elementOf(right).type, nullable: true };
      const l = bindLambda(env, a[2]!, [x, y]);
      const type = T.array(exprType(l.body), exprNullable(l.body));
      return call(env, name, [left, right], [l], type, exprNullable(left) || exprNullable(right));
    }
    case 'array_sort': {
      arity(2, 2);
      const arr = arrayArg(name, 0, value(0), pos);
      const elem = elementOf(arr);
      const l = bindLambda(env, a[1]!, [elem, elem]);
      const t = exprType(l.body);
      if (t.kind !== 'int') {
        throw analysisError(
          SqlState.datatypeMismatch,
          `[DATATYPE_MISMATCH.UNEXPECTED_RETURN_TYPE] Cannot resolve "array_sort" due to data type mismatch: the comparator of array_sort must return "INT", but it returns "${typeToString(t).toUpperCase()}".`,
          pos,
        );
      }
      return call(env, name, [arr], [l], exprType(arr), exprNullable(arr));
    }
    case 'map_filter':
    case 'transform_keys':
    case 'transform_values': {
      arity(2, 2);
      const m = mapArg(name, 0, value(0), pos);
      const mt = mapTypeOf(m);
      const params: ParamInfo[] = [
        { type: mt.key, nullable: false },
        { type: mt.value, nullable: mt.valueContainsNull },
      ];
      let l = bindLambda(env, a[1]!, params);
      if (name === 'map_filter') {
        l = booleanBody(name, l, pos);
        return call(env, name, [m], [l], mt, exprNullable(m));
      }
      const bodyType = exprType(l.body);
      if (name === 'transform_values') {
        const type: DataType = { ...mt, value: bodyType, valueContainsNull: exprNullable(l.body) };
        return call(env, name, [m], [l], type, exprNullable(m));
      }
      if (bodyType.kind === 'map') {
        throw analysisError(
          SqlState.datatypeMismatch,
          `[DATATYPE_MISMATCH.INVALID_MAP_KEY_TYPE] Cannot resolve "transform_keys" due to data type mismatch: the key of map cannot be/contain "${typeToString(bodyType).toUpperCase()}".`,
          pos,
        );
      }
      return call(env, name, [m], [l], { ...mt, key: bodyType }, exprNullable(m));
    }
    case 'map_zip_with': {
      arity(3, 3);
      let left = mapArg(name, 0, value(0), pos);
      let right = mapArg(name, 1, value(1), pos);
      let lt = mapTypeOf(left);
      let rt = mapTypeOf(right);
      if (!typesEqual(lt.key, rt.key)) {
        const key = findWiderType(lt.key, rt.key);
        if (key === undefined) {
          throw analysisError(
            SqlState.datatypeMismatch,
            `[DATATYPE_MISMATCH.MAP_ZIP_WITH_DIFF_TYPES] Cannot resolve "map_zip_with" due to data type mismatch: Input to the map_zip_with should have been two maps with compatible key types, but it's ["${typeToString(lt.key).toUpperCase()}", "${typeToString(rt.key).toUpperCase()}"].`,
            pos,
          );
        }
        left = withKeyType(env, left, key, pos);
        right = withKeyType(env, right, key, pos);
        lt = mapTypeOf(left);
        rt = mapTypeOf(right);
      }
      const l = bindLambda(env, a[2]!, [
        { type: lt.key, nullable: false },
        { type: lt.value, nullable: true },
        { type: rt.value, nullable: true },
      ]);
      const type: DataType = {
        kind: 'map',
        key: lt.key,
        value: exprType(l.body),
        valueContainsNull: exprNullable(l.body),
      };
      return call(env, name, [left, right], [l], type, exprNullable(left) || exprNullable(right));
    }
    default:
      throw new EngineError(SqlState.internalError, `internal error: ${name} is not a higher-order function`);
  }
}
