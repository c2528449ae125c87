/**
 * Generators: `explode`, `posexplode`, `inline` and their `_outer` forms, and `json_tuple`, in the
 * SELECT list (`SELECT k, explode(a) AS x FROM t`) or as `LATERAL VIEW [OUTER] explode(a) t AS x`
 * in FROM. Both bind to a Generate node over the FROM rows; the generated columns are new
 * attributes (`col`, or `pos` and `col`, unless aliased; `key` and `value` for a map's entries; the
 * struct's field names for inline of an array of structs). `json_tuple(json, 'a', 'b')` is an
 * inline of the one-element array of `json_tuple_row`'s struct of fields `c0`, `c1`, …: one row
 * per input row.
 *
 *   SELECT k, explode(a) AS x FROM t        Project [k, x]
 *                                     ==>     Generate explode(a) → [x]
 *                                               Scan t
 *
 * PostgreSQL's set-returning functions bind the same way, as an explode of the array of their
 * rows: `unnest(a)`, `generate_series(start, stop[, step])`, `generate_subscripts(a, dim)`,
 * `information_schema._pg_expandarray(a)` (a struct `(x, n)` per element), and those the session
 * answers from its catalog (`pg_partition_ancestors(rel)`, AnalyzerContext.expandSetFunction).
 * Their column is named after the function, as PostgreSQL names it. Several of them in one SELECT
 * list run in step (bindSetReturningInStep).
 */
import { SqlState, T, typeToString, type DataType, type EngineError } from '../../common/index.ts';
import {
  exprType,
  type Attribute,
  type Expr,
  type GenerateNode,
  type LogicalPlan,
} from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { bindComparison, toBoolean } from './coercion.ts';
import { analysisError } from './errors.ts';
import { exprName } from './expr-name.ts';
import { bindExpr } from './expression.ts';
import { callRegistry, functionName } from './function-call.ts';
import { lit } from './literal.ts';

interface GeneratorKind {
  readonly generator: GenerateNode['generator'];
  readonly outer: boolean;
}

const GENERATORS: ReadonlyMap<string, GeneratorKind> = new Map([
  ['explode', { generator: 'explode', outer: false }],
  ['explode_outer', { generator: 'explode', outer: true }],
  ['posexplode', { generator: 'posexplode', outer: false }],
  ['posexplode_outer', { generator: 'posexplode', outer: true }],
  ['inline', { generator: 'inline', outer: false }],
  ['inline_outer', { generator: 'inline', outer: true }],
  ['json_tuple', { generator: 'inline', outer: false }],
]);

/** PostgreSQL's set-returning functions that need no catalog. */
const PG_SET_FUNCTIONS: ReadonlySet<string> = new Set([
  'unnest',
  'generate_series',
  'generate_subscripts',
  '_pg_expandarray',
]);

/** The generator functions' names. */
export const GENERATOR_NAMES: readonly string[] = [...GENERATORS.keys()];

/** Whether `name` (lower case) is a generator function. */
export function isGeneratorName(name: string): boolean {
  return GENERATORS.has(name);
}

/** Whether `name` (lower case, unqualified) is a generator or a set-returning function here. */
export function isSetReturning(env: ExprEnv, name: string, call: ast.FunctionExpr): boolean {
  return (
    GENERATORS.has(name) ||
    PG_SET_FUNCTIONS.has(name) ||
    env.state.ctx.expandSetFunction?.(name, call.args, call.pos) !== undefined
  );
}

/** The generator call an expression is, or null. */
export function asGeneratorCall(e: ast.Expr): ast.FunctionExpr | null {
  if (e.kind !== 'function' || e.over !== null) return null;
  return isGeneratorName(functionName(e.name).name) ? e : null;
}

/** The generator or set-returning call an expression is, or null. */
export function asSetReturningCall(env: ExprEnv, e: ast.Expr): ast.FunctionExpr | null {
  if (e.kind !== 'function' || e.over !== null || e.filter !== null) return null;
  return isSetReturning(env, functionName(e.name).name, e) ? e : null;
}

/** `[UNSUPPORTED_GENERATOR.NESTED_IN_EXPRESSIONS]` for a generator inside another expression. */
export function nestedGenerator(e: ast.FunctionExpr, outerText: string): EngineError {
  return analysisError(
    SqlState.invalidExpressionContext,
    `[UNSUPPORTED_GENERATOR.NESTED_IN_EXPRESSIONS] The generator is not supported: nested in expressions "${outerText}".`,
    e.pos,
  );
}

/**
 * Binds a generator call over `input` (whose columns `env.scope` sees). `aliases` name the
 * generated columns (none = the defaults); `qualifier` is a LATERAL VIEW's table alias.
 * `ordinality` (PostgreSQL's WITH ORDINALITY, only for single-column ones) numbers the rows:
 * the generator then becomes a posexplode whose position, from 0, is returned for the caller to
 * turn into the last column.
 */
export function bindGenerate(
  env: ExprEnv,
  input: LogicalPlan,
  call: ast.FunctionExpr,
  aliases: readonly string[],
  qualifier: string | null,
  forceOuter = false,
  ordinality = false,
): GenerateNode {
  const name = functionName(call.name).name;
  const argEnv: ExprEnv = { ...env, allowAggregates: false, allowWindows: false };
  const known = GENERATORS.get(name);
  const pg = known === undefined;
  const kind: GeneratorKind = known ?? { generator: 'explode', outer: false };
  if (call.distinct || call.star) {
    throw analysisError(
      SqlState.wrongObjectType,
      `[INVALID_FUNCTION_CALL] DISTINCT and * may not be used with the set-returning function ${name}.`,
      call.pos,
    );
  }
  const arg = generatorArray(argEnv, call, name);
  const argType = exprType(arg) as Extract<DataType, { kind: 'array' | 'map' }>;
  const outer = kind.outer || forceOuter;
  // The generated values: one column (an array's element) or several (a map's key and value,
  // inline's struct fields), each with its type and whether it may be NULL.
  const values: { name: string; type: DataType; nullable: boolean }[] =
    argType.kind === 'map'
      ? [
          { name: 'key', type: argType.key, nullable: outer },
          { name: 'value', type: argType.value, nullable: argType.valueContainsNull || outer },
        ]
      : kind.generator === 'inline' && argType.element.kind === 'struct'
        ? argType.element.fields.map((f) => ({
            name: f.name,
            type: f.type,
            nullable: f.nullable || argType.containsNull || outer,
          }))
        : [
            {
              name: kind.generator === 'posexplode' ? 'col' : pg ? name : 'col',
              type: argType.element,
              nullable: argType.containsNull || outer,
            },
          ];
  if (ordinality && (values.length !== 1 || kind.generator === 'inline')) {
    throw analysisError(
      SqlState.featureNotSupported,
      `WITH ORDINALITY on ${name} of ${typeToString(argType)} is not supported`,
      call.pos,
    );
  }
  const generator = ordinality ? 'posexplode' : kind.generator;
  const defaults = [...(generator === 'posexplode' ? ['pos'] : []), ...values.map((v) => v.name)];
  if (aliases.length > 0 && aliases.length !== defaults.length) {
    throw analysisError(
      '42802',
      `[UDTF_ALIAS_NUMBER_MISMATCH] The number of aliases supplied in the AS clause does not match the number of columns output by the UDTF. Expected ${defaults.length} aliases, but got ${aliases.join(', ')}.`,
      call.pos,
    );
  }
  const names = aliases.length > 0 ? aliases : defaults;
  const attr = (i: number, t: DataType, nullable: boolean): Attribute => ({
    id: env.state.ctx.nextId(),
    name: names[i]!,
    type: t,
    nullable,
    qualifier,
  });
  const first = generator === 'posexplode' ? 1 : 0;
  const generatorOutput = [
    ...(first === 1 ? [attr(0, T.int, outer)] : []),
    ...values.map((v, k) => attr(first + k, v.type, v.nullable)),
  ];
  return { kind: 'Generate', input, generator, arg, outer, generatorOutput };
}

/** The array a generator or set-returning call `name` explodes; 42K09 when it is not one. */
function generatorArray(argEnv: ExprEnv, call: ast.FunctionExpr, name: string): Expr {
  let arg: Expr;
  if (name === 'json_tuple') {
    const row = callRegistry(
      argEnv,
      'json_tuple_row',
      call.args.map((a) => bindExpr(argEnv, a)),
      call.pos,
    );
    arg = callRegistry(argEnv, 'array', [row], call.pos);
  } else if (GENERATORS.has(name) || name === 'unnest') {
    if (call.args.length !== 1) {
      throw analysisError(
        SqlState.wrongNumArgs,
        `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires 1 parameters but the actual number is ${call.args.length}.`,
        call.pos,
      );
    }
    arg = bindExpr(argEnv, call.args[0]!);
  } else if (name === 'generate_series') {
    arg = generateSeries(argEnv, call);
  } else if (name === 'generate_subscripts') {
    arg = generateSubscripts(argEnv, call);
  } else if (name === '_pg_expandarray') {
    // information_schema._pg_expandarray(a): one (x, n) row per element, n counting from 1.
    if (call.args.length !== 1) {
      throw analysisError(
        SqlState.wrongNumArgs,
        `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires 1 parameters but the actual number is ${call.args.length}.`,
        call.pos,
      );
    }
    arg = callRegistry(argEnv, 'pg_expandarray_rows', [bindExpr(argEnv, call.args[0]!)], call.pos);
  } else {
    const expanded = argEnv.state.ctx.expandSetFunction?.(name, call.args, call.pos);
    if (expanded === undefined)
      throw analysisError(SqlState.undefinedFunction, `unknown function ${name}`, call.pos);
    arg = bindExpr(argEnv, expanded);
  }
  const type = exprType(arg);
  const generator = GENERATORS.get(name)?.generator;
  if (generator === 'inline') {
    if (type.kind !== 'array' || type.element.kind !== 'struct') {
      throw analysisError(
        '42K09',
        `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${exprName(call)}" due to data type mismatch: the first parameter requires the "ARRAY<STRUCT<>>" type, however "${exprName(call.args[0]!)}" has the type "${typeToString(type).toUpperCase()}".`,
        call.pos,
      );
    }
    return arg;
  }
  if (type.kind !== 'array' && !(type.kind === 'map' && generator !== undefined)) {
    throw analysisError(
      '42K09',
      `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${exprName(call)}" due to data type mismatch: the first parameter requires the ("ARRAY" or "MAP") type, however "${call.args[0] === undefined ? '' : exprName(call.args[0])}" has the type "${typeToString(type).toUpperCase()}".`,
      call.pos,
    );
  }
  return arg;
}

/**
 * Several of PostgreSQL's set-returning functions in one SELECT list run in step, as PostgreSQL
 * runs them: row i holds the i-th row of each, NULL where one has fewer rows than the longest.
 * One Generate explodes the row numbers 1..max(size(a_k)); each call's column reads its array at
 * that row.
 *
 *   SELECT unnest(a) x, generate_subscripts(a, 1) y FROM t
 *     ==>  Project [try_element_at(a, i) AS x, try_element_at(sequence(1, size(a)), i) AS y]
 *            Generate explode(CASE WHEN greatest(size(a), …) >= 1 THEN sequence(1, …) ELSE [] END) → [i]
 *              Scan t
 */
export function bindSetReturningInStep(
  env: ExprEnv,
  input: LogicalPlan,
  calls: readonly { readonly call: ast.FunctionExpr; readonly alias: string | null }[],
): { plan: GenerateNode; columns: { expr: Expr; name: string }[] } {
  const argEnv: ExprEnv = { ...env, allowAggregates: false, allowWindows: false };
  const arrays = calls.map(({ call }) => {
    const name = functionName(call.name).name;
    if (GENERATORS.has(name)) {
      throw analysisError(
        SqlState.invalidExpressionContext,
        `[UNSUPPORTED_GENERATOR.MULTI_GENERATOR] The generator is not supported: only one generator allowed per SELECT clause but found ${calls.length}.`,
        call.pos,
      );
    }
    if (call.distinct || call.star) {
      throw analysisError(
        SqlState.wrongObjectType,
        `[INVALID_FUNCTION_CALL] DISTINCT and * may not be used with the set-returning function ${name}.`,
        call.pos,
      );
    }
    return generatorArray(argEnv, call, name);
  });
  const sizes = arrays.map((a) => callRegistry(argEnv, 'size', [a], calls[0]!.call.pos));
  const rows = callRegistry(argEnv, 'greatest', sizes, calls[0]!.call.pos);
  const one = lit(1, T.int);
  const numbers = callRegistry(argEnv, 'sequence', [one, rows], calls[0]!.call.pos);
  const numbersType = exprType(numbers);
  const arg: Expr = {
    kind: 'case',
    branches: [
      {
        when: bindComparison('>=', rows, one, 'greatest', calls[0]!.call.pos, argEnv.state.ctx.ansi),
        then: numbers,
      },
    ],
    otherwise: lit([], numbersType),
    type: numbersType,
  };
  const row: Attribute = {
    id: env.state.ctx.nextId(),
    name: 'ordinality',
    type: T.int,
    nullable: false,
    qualifier: null,
  };
  const plan: GenerateNode = {
    kind: 'Generate',
    input,
    generator: 'explode',
    arg,
    outer: false,
    generatorOutput: [row],
  };
  const columns = calls.map(({ call, alias }, k) => ({
    expr: callRegistry(argEnv, 'try_element_at', [arrays[k]!, { kind: 'column', attr: row }], call.pos),
    name: alias ?? functionName(call.name).name,
  }));
  return { plan, columns };
}

/**
 * `generate_subscripts(array, dim[, reverse])`: the subscripts of dimension `dim` of a
 * one-dimensional array, 1..size(array) for dimension 1 (size(array)..1 when `reverse`) and none
 * for others (or for NULL).
 */
function generateSubscripts(env: ExprEnv, call: ast.FunctionExpr): Expr {
  if (call.args.length !== 2 && call.args.length !== 3) {
    throw analysisError(
      SqlState.wrongNumArgs,
      `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`generate_subscripts\` requires [2, 3] parameters but the actual number is ${call.args.length}.`,
      call.pos,
    );
  }
  const array = bindExpr(env, call.args[0]!);
  const dim = bindExpr(env, call.args[1]!);
  if (exprType(array).kind !== 'array') {
    throw analysisError(
      SqlState.datatypeMismatch,
      `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${exprName(call)}" due to data type mismatch: generate_subscripts takes an array, not "${typeToString(exprType(array)).toUpperCase()}".`,
      call.args[0]!.pos,
    );
  }
  const one = lit(1, T.int);
  const size = callRegistry(env, 'size', [array], call.pos);
  const sequence = callRegistry(env, 'sequence', [one, size], call.pos);
  const type = exprType(sequence);
  const cmp = (op: '=' | '>=', l: Expr, r: Expr): Expr =>
    bindComparison(op, l, r, 'generate_subscripts', call.pos, env.state.ctx.ansi);
  const when: Expr = {
    kind: 'binary',
    op: 'and',
    left: cmp('=', dim, one),
    right: cmp('>=', size, one),
    type: T.boolean,
    failOnError: false,
  };
  let then = sequence;
  if (call.args.length === 3) {
    const reverse = toBoolean(bindExpr(env, call.args[2]!), 'generate_subscripts', call.args[2]!.pos);
    const backwards = callRegistry(env, 'sequence', [size, one], call.pos);
    const isReverse = callRegistry(env, 'coalesce', [reverse, lit(false, T.boolean)], call.pos);
    then = { kind: 'case', branches: [{ when: isReverse, then: backwards }], otherwise: sequence, type };
  }
  return { kind: 'case', branches: [{ when, then }], otherwise: lit([], type), type };
}

/**
 * `generate_series(start, stop[, step])` as the array of its values: Spark's `sequence`, empty
 * where PostgreSQL gives no rows (a step that moves away from `stop`); integers only.
 */
function generateSeries(env: ExprEnv, call: ast.FunctionExpr): Expr {
  const n = call.args.length;
  if (n < 2 || n > 3) {
    throw analysisError(
      SqlState.wrongNumArgs,
      `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`generate_series\` requires [2, 3] parameters but the actual number is ${n}.`,
      call.pos,
    );
  }
  const args = call.args.map((a) => bindExpr(env, a));
  for (const [i, a] of args.entries()) {
    const t = exprType(a);
    if (!['tinyint', 'smallint', 'int', 'bigint', 'null'].includes(t.kind)) {
      throw analysisError(
        SqlState.datatypeMismatch,
        `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${exprName(call)}" due to data type mismatch: generate_series takes integers, but argument ${i + 1} has the type "${typeToString(t).toUpperCase()}".`,
        call.args[i]!.pos,
      );
    }
  }
  const [start, stop] = [args[0]!, args[1]!];
  const step = args[2] ?? lit(1, T.int);
  const sequence = callRegistry(env, 'sequence', [start, stop, step], call.pos);
  const cmp = (op: '<' | '>', l: Expr, r: Expr): Expr =>
    bindComparison(op, l, r, 'generate_series', call.pos, env.state.ctx.ansi);
  const and = (l: Expr, r: Expr): Expr => ({
    kind: 'binary',
    op: 'and',
    left: l,
    right: r,
    type: T.boolean,
    failOnError: false,
  });
  const zero = lit(0, T.int);
  const away: Expr = {
    kind: 'binary',
    op: 'or',
    left: and(cmp('>', step, zero), cmp('>', start, stop)),
    right: and(cmp('<', step, zero), cmp('<', start, stop)),
    type: T.boolean,
    failOnError: false,
  };
  const type = exprType(sequence);
  return { kind: 'case', branches: [{ when: away, then: lit([], type) }], otherwise: sequence, type };
}
