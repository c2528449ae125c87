/**
 * Generators: `explode`, `posexplode` and their `_outer` forms, in the SELECT list
 * (`SELECT k, explode(a) AS x FROM t`) or as `LATERAL VIEW [OUTER] explode(a) t AS x` in FROM.
 * Both bind to a Generate node over the FROM rows; the generated columns are new attributes
 * (`col`, or `pos` and `col`, unless aliased).
 *
 *   SELECT k, explode(a) AS x FROM t        Project [k, x]
 *                                     ==>     Generate explode(a) → [x]
 *                                               Scan t
 *
 * PostgreSQL's set-returning functions bind the same way, as an explode of the array of their
 * rows: `unnest(a)`, `generate_series(start, stop[, step])`, `information_schema._pg_expandarray(a)`
 * (a struct `(x, n)` per element), and those the session answers from
 * its catalog (`pg_partition_ancestors(rel)`, AnalyzerContext.expandSetFunction). Their column is
 * named after the function, as PostgreSQL names it.
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
import { bindComparison } from './coercion.ts';
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
]);

/** PostgreSQL's set-returning functions that need no catalog. */
const PG_SET_FUNCTIONS: ReadonlySet<string> = new Set(['unnest', 'generate_series', '_pg_expandarray']);

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
    '42K0E',
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
  let arg: Expr;
  if (!pg || name === 'unnest') {
    if (call.args.length !== 1) {
      throw analysisError(
        SqlState.undefinedFunction,
        `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires 1 parameters but the actual number is ${call.args.length}.`,
        call.pos,
      );
    }
    arg = bindExpr(argEnv, call.args[0]!);
  } else if (name === 'generate_series') {
    arg = generateSeries(argEnv, call);
  } else if (name === '_pg_expandarray') {
    // information_schema._pg_expandarray(a): one (x, n) row per element, n counting from 1.
    if (call.args.length !== 1) {
      throw analysisError(
        SqlState.undefinedFunction,
        `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires 1 parameters but the actual number is ${call.args.length}.`,
        call.pos,
      );
    }
    arg = callRegistry(argEnv, 'pg_expandarray_rows', [bindExpr(argEnv, call.args[0]!)], call.pos);
  } else {
    const expanded = env.state.ctx.expandSetFunction?.(name, call.args, call.pos);
    if (expanded === undefined)
      throw analysisError(SqlState.undefinedFunction, `unknown function ${name}`, call.pos);
    arg = bindExpr(argEnv, expanded);
  }
  const type = exprType(arg);
  if (type.kind !== 'array') {
    throw analysisError(
      '42K09',
      `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${exprName(call)}" due to data type mismatch: the first parameter requires the ("ARRAY" or "MAP") type, however "${call.args[0] === undefined ? '' : exprName(call.args[0])}" has the type "${typeToString(type).toUpperCase()}".`,
      call.pos,
    );
  }
  const outer = kind.outer || forceOuter;
  const generator = ordinality ? 'posexplode' : kind.generator;
  const defaults = [
    ...(generator === 'posexplode' ? ['pos'] : []),
    kind.generator === 'posexplode' ? 'col' : pg ? name : 'col',
  ];
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
  const generatorOutput =
    generator === 'posexplode'
      ? [attr(0, T.int, outer), attr(1, type.element, type.containsNull || outer)]
      : [attr(0, type.element, type.containsNull || outer)];
  return { kind: 'Generate', input, generator, arg, outer, generatorOutput };
}

/**
 * `generate_series(start, stop[, step])` as the array of its values: Spark's `sequence`, empty
 * where PostgreSQL gives no rows (a step that moves away from `stop`); integers only.
 */
function generateSeries(env: ExprEnv, call: ast.FunctionExpr): Expr {
  const n = call.args.length;
  if (n < 2 || n > 3) {
    throw analysisError(
      SqlState.undefinedFunction,
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
