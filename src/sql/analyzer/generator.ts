/**
 * Generators: `explode`, `posexplode` and their `_outer` forms, in the SELECT list
 * (`SELECT k, explode(a) AS x FROM t`) or as `LATERAL VIEW [OUTER] explode(a) t AS x` in FROM.
 * Both bind to a Generate node over the FROM rows; the generated columns are new attributes
 * (`col`, or `pos` and `col`, unless aliased).
 *
 *   SELECT k, explode(a) AS x FROM t        Project [k, x]
 *                                     ==>     Generate explode(a) → [x]
 *                                               Scan t
 */
import { SqlState, T, typeToString, type DataType, type EngineError } from '../../common/index.ts';
import { exprType, type Attribute, type GenerateNode, type LogicalPlan } from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { analysisError } from './errors.ts';
import { exprName } from './expr-name.ts';
import { bindExpr } from './expression.ts';
import { functionName } from './function-call.ts';

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

/** Whether `name` (lower case) is a generator function. */
export function isGeneratorName(name: string): boolean {
  return GENERATORS.has(name);
}

/** The generator call an expression is, or null. */
export function asGeneratorCall(e: ast.Expr): ast.FunctionExpr | null {
  if (e.kind !== 'function' || e.over !== null) return null;
  return isGeneratorName(functionName(e.name).name) ? e : null;
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
 * generated columns (none = Spark's defaults); `qualifier` is a LATERAL VIEW's table alias.
 */
export function bindGenerate(
  env: ExprEnv,
  input: LogicalPlan,
  call: ast.FunctionExpr,
  aliases: readonly string[],
  qualifier: string | null,
  forceOuter = false,
): GenerateNode {
  const name = functionName(call.name).name;
  const kind = GENERATORS.get(name)!;
  if (call.args.length !== 1 || call.distinct || call.star) {
    throw analysisError(
      SqlState.undefinedFunction,
      `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires 1 parameters but the actual number is ${call.args.length}.`,
      call.pos,
    );
  }
  const arg = bindExpr({ ...env, allowAggregates: false, allowWindows: false }, call.args[0]!);
  const type = exprType(arg);
  if (type.kind !== 'array') {
    throw analysisError(
      '42K09',
      `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${exprName(call)}" due to data type mismatch: the first parameter requires the ("ARRAY" or "MAP") type, however "${exprName(call.args[0]!)}" has the type "${typeToString(type).toUpperCase()}".`,
      call.pos,
    );
  }
  const outer = kind.outer || forceOuter;
  const defaults = kind.generator === 'posexplode' ? ['pos', 'col'] : ['col'];
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
    kind.generator === 'posexplode'
      ? [attr(0, T.int, outer), attr(1, type.element, type.containsNull || outer)]
      : [attr(0, type.element, type.containsNull || outer)];
  return { kind: 'Generate', input, generator: kind.generator, arg, outer, generatorOutput };
}
