/**
 * Function calls: scalar and aggregate functions through the registry (argument casts from the
 * resolved signature), `count(*)`, DISTINCT and FILTER, and where aggregates may appear.
 */
import {
  EngineError,
  SqlState,
  T,
  exists,
  typeToString,
  type DataType,
  type Value,
} from '../../common/index.ts';
import type { ColumnarValue, EvalContext, FunctionDef, ResolvedSignature } from '../../functions/index.ts';
import { exprOps, exprType, type AggregateExpr, type Expr } from '../../plan/index.ts';
import { parseDataType } from '../parser/index.ts';
import type * as ast from '../parser/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { toBoolean } from './coercion.ts';
import { analysisError, notSupported, unresolvedRoutine } from './errors.ts';
import type { Scope } from './scope.ts';
import { anyExpr, castTo, exprNullable, foldConstant } from './expr-utils.ts';
import { exprName } from './expr-name.ts';
import { bindExpr, nameParts } from './expression.ts';
import { isSetReturning, nestedGenerator } from './generator.ts';
import { bindWindowFunction } from './window-function.ts';
import { bindHigherOrder, isHigherOrderCall } from './higher-order.ts';
import { aggregateReferences, groupingMarker } from './aggregate-rewrite.ts';

/** The function name without a `pg_catalog` (or `system.builtin`) qualifier, lower-cased. */
export function functionName(q: ast.QualifiedName): { name: string; parts: string[] } {
  const parts = q.parts.map((p) => p.name);
  let rest = parts.map((p) => p.toLowerCase());
  if (rest.length > 1 && rest[0] === 'pg_catalog') rest = rest.slice(1);
  // PostgreSQL's information_schema functions clients call qualified (`_pg_expandarray`).
  if (rest.length > 1 && rest[0] === 'information_schema' && rest[1]!.startsWith('_pg_'))
    rest = rest.slice(1);
  if (rest.length > 2 && rest[0] === 'system' && rest[1] === 'builtin') rest = rest.slice(2);
  if (rest.length > 1 && rest[0] === 'builtin') rest = rest.slice(1);
  if (rest.length !== 1) throw unresolvedRoutine(parts, q.pos);
  return { name: rest[0]!, parts };
}

export function lookupFunction(
  env: ExprEnv,
  name: string,
  parts: readonly string[],
  pos: number,
): FunctionDef {
  const def = env.state.ctx.functions.lookup(name);
  if (def === undefined) throw unresolvedRoutine(parts, pos);
  return def;
}

/**
 * Calls evaluated while a query is analyzed when their arguments are constants, for signatures
 * that need the value (from_json's schema). Only these: any other call runs where the query runs,
 * since the session's thread does no query work (`sequence(1, 1e9)` must not run here).
 */
const FOLDED_FOR_RESOLVE: ReadonlySet<string> = new Set(['schema_of_json']);

/**
 * The value of an argument known while analyzing: a literal, or a call of `FOLDED_FOR_RESOLVE`
 * whose arguments are literals (`from_json(js, schema_of_json('{"a": 1}'))`); undefined for
 * anything else, or when evaluating it fails (the call then fails where it runs).
 */
function constantValue(env: ExprEnv, e: Expr, depth = 0): Value | undefined {
  if (e.kind === 'literal') return e.value;
  // Arithmetic and casts of literals (`current_time(1 + 1)`), no call inside: cheap to fold here.
  if (
    (e.kind === 'binary' || e.kind === 'unary' || e.kind === 'cast') &&
    !anyExpr(e, (x) => x.kind === 'call')
  ) {
    const folded = foldConstant(env.state.ctx, e);
    if (folded.kind === 'literal') return folded.value;
  }
  if (e.kind !== 'call' || !FOLDED_FOR_RESOLVE.has(e.name) || depth > 8) return undefined;
  const def = env.state.ctx.functions.lookup(e.name);
  if (def?.kind !== 'scalar' || def.deterministic === false || def.local === true) return undefined;
  const values: ColumnarValue[] = [];
  for (const a of e.args) {
    const v = constantValue(env, a, depth + 1);
    if (v === undefined) return undefined;
    values.push({ kind: 'scalar', value: v, type: exprType(a) });
  }
  const ctx: EvalContext = {
    ansi: env.state.ctx.ansi,
    timeZone: env.state.ctx.timeZone,
    queryStartMicros: 0n,
    currentDatabase: '',
    currentUser: '',
  };
  try {
    const r = def.evaluate(values, 1, e.type, ctx);
    return r.kind === 'scalar' ? r.value : undefined;
  } catch {
    return undefined;
  }
}

/** Resolves a signature and casts the arguments to it; errors get the call's position. */
export function resolveSignature(
  env: ExprEnv,
  def: FunctionDef,
  args: readonly Expr[],
  pos: number,
): { sig: ResolvedSignature; args: Expr[] } {
  const literalArgs: (Value | undefined)[] = args.map((a) => constantValue(env, a));
  let sig: ResolvedSignature;
  try {
    sig = def.resolve(args.map(exprType), {
      ansi: env.state.ctx.ansi,
      literalArgs,
      parseType: parseDataType,
    });
  } catch (err) {
    if (err instanceof EngineError) throw err.withPosition(pos);
    throw err;
  }
  const cast = args.map((a, i) => {
    const t = sig.argTypes[i];
    return t === undefined ? a : castTo(a, t);
  });
  return { sig, args: cast };
}

/** A scalar call by name through the registry (for operators desugared to functions). */
export function callRegistry(env: ExprEnv, name: string, args: readonly Expr[], pos: number): Expr {
  const def = lookupFunction(env, name, [name], pos);
  if (def.kind !== 'scalar') throw unresolvedRoutine([name], pos);
  const r = resolveSignature(env, def, args, pos);
  return {
    kind: 'call',
    name: def.name,
    args: r.args,
    type: r.sig.returnType,
    nullable: r.sig.nullable === true || r.args.some(exprNullable),
    failOnError: env.state.ctx.ansi,
  };
}

/**
 * An aggregate or window function inside a lambda is computed over rows, not elements: it may not
 * read the lambda's parameters.
 */
function notReadingLambdaVariables(env: ExprEnv, call: Expr, name: string, pos: number): Expr {
  if (env.lambdaVars !== undefined && exists(exprOps, call, (x) => x.kind === 'lambda_var')) {
    throw analysisError(
      '42903',
      `[INVALID_AGGREGATE_USAGE] An aggregate or window function may not read a lambda variable: "${name}(…)".`,
      pos,
    );
  }
  return call;
}

/** Why an aggregate may not appear here, as Spark reports it. */
export function aggregateNotAllowed(env: ExprEnv, text: string, pos: number): EngineError {
  if (env.insideAggregate) {
    return analysisError(
      SqlState.nestedAggregate,
      `[NESTED_AGGREGATE_FUNCTION] It is not allowed to use an aggregate function in the argument of another aggregate function. Please use the inner aggregate function in a sub-query.`,
      pos,
    );
  }
  switch (env.clause) {
    case 'where':
      return analysisError(
        '42903',
        `[INVALID_WHERE_CONDITION] The WHERE condition ${text} contains invalid expressions: aggregate or window functions are not allowed in WHERE.`,
        pos,
      );
    case 'group_by':
      return analysisError(
        '42903',
        `[GROUP_BY_AGGREGATE] Aggregate functions are not allowed in GROUP BY, but found ${text}.`,
        pos,
      );
    case 'join':
      return analysisError(
        '42903',
        `[INVALID_JOIN_CONDITION] Aggregate or window functions are not allowed in a join condition: ${text}.`,
        pos,
      );
    case 'having':
    case 'limit':
    case 'order_by':
    case 'other':
    case 'qualify':
    case 'select':
    case 'values':
      return analysisError(
        '42903',
        `[INVALID_AGGREGATE_USAGE] Aggregate functions are not allowed here: ${text}.`,
        pos,
      );
  }
}

export function bindFunction(env: ExprEnv, e: ast.FunctionExpr): Expr {
  const { name, parts } = functionName(e.name);
  if (isSetReturning(env, name, e)) throw nestedGenerator(e, exprName(e));
  if (e.over === null && !e.distinct && e.filter === null && !e.star) {
    // `pg_catalog.version()` is PostgreSQL's (clients parse it); plain `version()` stays Spark's.
    const pg = parts.length > 1 && parts[0]!.toLowerCase() === 'pg_catalog' && name === 'version';
    const expanded = env.state.ctx.expandFunction?.(pg ? 'pg_catalog.version' : name, e.args, e.pos);
    if (expanded !== undefined) return bindExpr(env, expanded);
  }
  if (e.over !== null)
    return notReadingLambdaVariables(env, bindWindowFunction(env, e, name, parts), name, e.pos);
  const replaced = replaceableCall(env, e, name);
  if (replaced !== undefined) return bindExpr(env, replaced);
  const castType = Object.hasOwn(CAST_ALIASES, name) ? CAST_ALIASES[name] : undefined;
  if (castType !== undefined && env.state.ctx.functions.lookup(name) === undefined) {
    return bindCastAlias(env, e, name, castType);
  }
  if ((name === 'grouping' || name === 'grouping_id') && env.state.ctx.functions.lookup(name) === undefined) {
    if (!env.allowAggregates || env.insideAggregate) throw aggregateNotAllowed(env, `"${name}(…)"`, e.pos);
    if (name === 'grouping' && e.args.length !== 1) {
      throw analysisError(
        SqlState.wrongNumArgs,
        `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`grouping\` requires 1 parameters but the actual number is ${e.args.length}.`,
        e.pos,
      );
    }
    const call: Expr = {
      kind: 'call',
      name,
      args: e.args.map((a) => bindExpr(env, a)),
      type: name === 'grouping' ? T.tinyint : T.bigint,
      nullable: false,
      failOnError: env.state.ctx.ansi,
    };
    groupingMarker.add(call);
    env.state.positions.set(call, e.pos);
    return call;
  }
  if (name === 'struct' && parts.length === 1 && env.state.ctx.functions.lookup(name) === undefined) {
    return bindStruct(env, e);
  }
  if (parts.length === 1 && isHigherOrderCall(name, e.args)) return bindHigherOrder(env, e, name);
  const def = lookupFunction(env, name, parts, e.pos);
  if (def.kind === 'aggregate')
    return notReadingLambdaVariables(env, bindAggregateCall(env, e, def, name), name, e.pos);
  if (e.distinct || e.filter !== null || e.star) {
    throw analysisError(
      SqlState.wrongObjectType,
      `[INVALID_FUNCTION_CALL] DISTINCT, FILTER and * may only be used with aggregate functions, not ${name}.`,
      e.pos,
    );
  }
  const args = bindArgs(env, e.args);
  const r = resolveSignature(env, def, args, e.pos);
  // typeof gets the argument's type name as a hidden second argument: a column at run time has
  // lost the fields of an interval type (INTERVAL DAY travels as a plain Arrow duration)
  const typeName: Expr | undefined =
    def.name === 'typeof' && r.args.length === 1
      ? { kind: 'literal', value: typeToString(exprType(r.args[0]!)), type: T.string }
      : undefined;
  return {
    kind: 'call',
    name: def.name,
    args: typeName === undefined ? r.args : [...r.args, typeName],
    type: r.sig.returnType,
    nullable: r.sig.nullable === true || r.args.some(exprNullable),
    failOnError: env.state.ctx.ansi,
  };
}

/**
 * Spark's functions named after a type — `int(x)`, `string(x)`, `decimal(x)`… — are `CAST(x AS type)`
 * (ANSI rules included) under the function's name; `decimal` is DECIMAL(10,0) as in CAST.
 */
export const CAST_ALIASES: Readonly<Record<string, DataType>> = {
  boolean: T.boolean,
  tinyint: T.tinyint,
  smallint: T.smallint,
  int: T.int,
  bigint: T.bigint,
  float: T.float,
  double: T.double,
  decimal: T.decimal(10, 0),
  date: T.date,
  timestamp: T.timestamp,
  binary: T.binary,
  string: T.string,
};

/** The functions `replaceableCall` rewrites, with their number of arguments. */
export const REPLACEABLE_ARITY: Readonly<Record<string, number>> = {
  equal_null: 2,
  nullifzero: 1,
  zeroifnull: 1,
};

/**
 * Spark's functions that stand for another expression (its RuntimeReplaceable ones):
 * `equal_null(a, b)` is `a <=> b`, `nullifzero(x)` is `nullif(x, 0)`, `zeroifnull(x)` is
 * `coalesce(x, 0)`. The call keeps its own name as the column's.
 */
function replaceableCall(env: ExprEnv, e: ast.FunctionExpr, name: string): ast.Expr | undefined {
  const arity = Object.hasOwn(REPLACEABLE_ARITY, name) ? REPLACEABLE_ARITY[name]! : 0;
  if (arity === 0 || env.state.ctx.functions.lookup(name) !== undefined) return undefined;
  if (e.distinct || e.filter !== null || e.star || e.orderBy.length > 0) return undefined;
  if (e.args.length !== arity) {
    throw analysisError(
      SqlState.wrongNumArgs,
      `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires ${arity} parameters but the actual number is ${e.args.length}.`,
      e.pos,
    );
  }
  const [a, b] = e.args as [ast.Expr, ast.Expr];
  if (name === 'equal_null') return { kind: 'binary', op: '<=>', left: a, right: b, pos: e.pos };
  const zero: ast.Expr = { kind: 'literal', value: { type: 'integer', text: '0', suffix: null }, pos: e.pos };
  const callee = name === 'nullifzero' ? 'nullif' : 'coalesce';
  return {
    ...e,
    name: { parts: [{ name: callee, quoted: false, pos: e.pos }], pos: e.pos },
    args: [a, zero],
  };
}

/** Spark's `struct(a, b, …)` (see `bindStructOf`). */
function bindStruct(env: ExprEnv, e: ast.FunctionExpr): Expr {
  if (e.distinct || e.filter !== null || e.star || e.orderBy.length > 0) {
    throw analysisError(
      SqlState.wrongObjectType,
      '[INVALID_FUNCTION_CALL] DISTINCT, FILTER and * may only be used with aggregate functions, not struct.',
      e.pos,
    );
  }
  return bindStructOf(env, e.args, e.pos);
}

/**
 * `struct(a, b)` and the row constructor `(a, b)` outside IN: a struct whose fields are named after
 * the columns (or lambda parameters) they read, `col<n>` otherwise (Spark's CreateStruct).
 */
export function bindStructOf(env: ExprEnv, items: readonly ast.Expr[], pos: number): Expr {
  const args: Expr[] = [];
  bindArgs(env, items).forEach((bound, i) => {
    const fieldName =
      bound.kind === 'column'
        ? bound.attr.name
        : bound.kind === 'lambda_var'
          ? bound.variable.name
          : `col${i + 1}`;
    args.push({ kind: 'literal', value: fieldName, type: T.string }, bound);
  });
  if (args.length === 0) {
    return { kind: 'literal', value: [], type: { kind: 'struct', fields: [] } };
  }
  return callRegistry(env, 'named_struct', args, pos);
}

function bindCastAlias(env: ExprEnv, e: ast.FunctionExpr, name: string, type: DataType): Expr {
  if (e.distinct || e.filter !== null || e.star || e.orderBy.length > 0) {
    throw analysisError(
      SqlState.wrongObjectType,
      `[INVALID_FUNCTION_CALL] DISTINCT, FILTER and * may only be used with aggregate functions, not ${name}.`,
      e.pos,
    );
  }
  if (e.args.length !== 1) {
    throw analysisError(
      SqlState.wrongNumArgs,
      `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`${name}\` requires 1 parameters but the actual number is ${e.args.length}.`,
      e.pos,
    );
  }
  const cast: ast.CastExpr = {
    kind: 'cast',
    operand: e.args[0]!,
    type,
    mode: 'cast',
    pgTypeName: null,
    pos: e.pos,
  };
  return bindExpr(env, cast);
}

/**
 * A call's arguments, `*` and `t.*` standing for the columns they name (Spark expands them in any
 * call: `struct(*)`, `count(t.*)`, `hash(*)`).
 */
function bindArgs(env: ExprEnv, args: readonly ast.Expr[]): Expr[] {
  return args.flatMap((a): Expr[] =>
    a.kind === 'star'
      ? env.scope
          .starColumns(a.qualifier === null ? null : nameParts(a.qualifier), a.pos)
          .map((c): Expr => ({ kind: 'column', attr: c.attr }))
      : [bindExpr(env, a)],
  );
}

/**
 * Whether `agg`, bound in a subquery, is an aggregate of an enclosing query, as Spark and the SQL
 * standard place it: an aggregate whose arguments read only an enclosing query's columns belongs
 * to that query (`SELECT a, (SELECT max(t.b)) FROM t GROUP BY a` is the maximum of each group's b;
 * without GROUP BY the enclosing query becomes a global aggregate), however many subqueries out
 * it is (`SELECT (SELECT (SELECT max(t.b))) FROM t`). It stays in the subquery with its outer
 * references, and that query's aggregate rewriting computes it and replaces it with a reference
 * to the result. Throws when it reads the columns of more than one query, its own included: the
 * nearest of them would own it with references to the others (Spark's
 * AGGREGATE_FUNCTION_MIXED_OUTER_LOCAL_REFERENCES); or when the owner's clause cannot aggregate.
 */
function ofEnclosingQuery(env: ExprEnv, agg: AggregateExpr, e: ast.FunctionExpr): boolean {
  const refs = aggregateReferences(agg);
  if (refs.outer.length === 0 || env.scope.outer === null) return false;
  /** The enclosing scope each outer reference resolves in. */
  const levels = new Set<Scope | null>();
  for (const a of refs.outer) {
    let s: Scope | null = env.scope.outer;
    while (s !== null && !s.columns.some((c) => c.attr.id === a.id)) s = s.outer;
    levels.add(s);
  }
  const [owner] = levels;
  if (refs.local || levels.size !== 1 || owner === undefined || owner === null) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `[UNSUPPORTED_SUBQUERY_EXPRESSION_CATEGORY.AGGREGATE_FUNCTION_MIXED_OUTER_LOCAL_REFERENCES] Unsupported subquery expression: Found an aggregate function in a correlated predicate that has both outer and local references, which is not supported: ${exprName(e)}.`,
      { position: e.pos },
    );
  }
  // A subquery bound outside any clause of the owner (a LATERAL one in FROM) has no clause there
  // to aggregate in.
  const host = env.state.enclosingClauses.get(owner) ?? { ...env, clause: 'other', allowAggregates: false };
  if (!host.allowAggregates || host.insideAggregate)
    throw aggregateNotAllowed(host, `"${exprName(e)}"`, e.pos);
  return true;
}

/** Inverse distribution aggregates: WITHIN GROUP's ordering column and direction are arguments. */
const WITHIN_GROUP_ARGUMENTS: ReadonlySet<string> = new Set(['percentile_cont', 'percentile_disc', 'mode']);

/** Aggregates whose optional second argument says whether to skip NULLs. */
const IGNORE_NULLS_ARGUMENT: ReadonlySet<string> = new Set(['first', 'last', 'any_value']);

/**
 * Binds an aggregate call where the clause may aggregate, or where it is an aggregate of the
 * enclosing query (`ofEnclosingQuery`); over a window, always.
 */
export function bindAggregateCall(
  env: ExprEnv,
  e: ast.FunctionExpr,
  def: FunctionDef,
  name: string,
  overWindow = false,
): AggregateExpr {
  if (overWindow) return bindAggregate(env, e, def, name, true);
  if (env.insideAggregate) throw aggregateNotAllowed(env, `"${name}(…)"`, e.pos);
  const agg = bindAggregate(env, e, def, name, false);
  if (ofEnclosingQuery(env, agg, e)) return agg;
  if (!env.allowAggregates) throw aggregateNotAllowed(env, `"${name}(…)"`, e.pos);
  return agg;
}

/** An aggregate call's arguments and filter, bound in the aggregate's own environment. */
function bindAggregate(
  env: ExprEnv,
  e: ast.FunctionExpr,
  def: FunctionDef,
  name: string,
  overWindow: boolean,
): AggregateExpr {
  const withinGroup = WITHIN_GROUP_ARGUMENTS.has(def.name);
  if (e.orderBy.length > 0 && !withinGroup) {
    // Aggregates here keep no order of their input, so an ordering would be silently lost.
    throw notSupported(`ORDER BY or WITHIN GROUP in the aggregate ${name}`, e.pos);
  }
  if (withinGroup && def.name !== 'mode' && e.orderBy.length === 0) {
    throw analysisError(
      SqlState.syntaxError,
      `[INVALID_INVERSE_DISTRIBUTION_FUNCTION.WITHIN_GROUP_MISSING] WITHIN GROUP is required for the inverse distribution function ${name}.`,
      e.pos,
    );
  }
  if (withinGroup && e.orderBy.length > 1) {
    throw analysisError(
      SqlState.syntaxError,
      `[INVALID_INVERSE_DISTRIBUTION_FUNCTION.WRONG_NUM_ORDERINGS] The function ${name} requires 1 orderings in WITHIN GROUP but got ${e.orderBy.length}.`,
      e.pos,
    );
  }
  const inner: ExprEnv = overWindow
    ? { ...env, allowWindows: false }
    : { ...env, insideAggregate: true, allowWindows: false };
  const only = e.args.length === 1 ? e.args[0]! : null;
  if (def.name === 'count' && only?.kind === 'star' && only.qualifier !== null) {
    // Spark blocks it: count(*) counts rows, count(t.*) would count rows without a NULL column.
    const target = nameParts(only.qualifier).join('.');
    throw analysisError(
      SqlState.syntaxErrorOrAccessRuleViolation,
      `count(${target}.*) is not allowed. Please use count(*) or expand the columns manually, e.g. count(col1, col2).`,
      only.pos,
    );
  }
  const args = e.star ? [] : bindArgs(inner, e.args);
  // WITHIN GROUP (ORDER BY col [DESC]) of percentile_cont/percentile_disc: arguments (col, p, desc);
  // of mode(): (col, deterministic = true, desc).
  const order = e.orderBy[0];
  if (withinGroup && order !== undefined) {
    if (def.name === 'mode') {
      if (args.length > 0) {
        throw analysisError(
          SqlState.undefinedFunction,
          `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`mode\` requires 0 parameters with WITHIN GROUP but the actual number is ${args.length}.`,
          e.pos,
        );
      }
      args.push({ kind: 'literal', value: true, type: T.boolean });
    }
    args.unshift(bindExpr(inner, order.expr));
    args.push({ kind: 'literal', value: order.ascending === false, type: T.boolean });
  }
  // IGNORE NULLS on first/last/any_value is their second argument (Spark's isIgnoreNull).
  if (e.ignoreNulls === true && args.length === 1 && IGNORE_NULLS_ARGUMENT.has(def.name))
    args.push({ kind: 'literal', value: true, type: T.boolean });
  const filter = e.filter === null ? null : toBoolean(bindExpr(inner, e.filter), 'FILTER', e.filter.pos);
  const r = resolveSignature(env, def, args, e.pos);
  return {
    kind: 'aggregate',
    name: def.name,
    args: r.args,
    distinct: e.distinct,
    filter,
    ignoreNulls: e.ignoreNulls === true,
    type: r.sig.returnType,
    failOnError: env.state.ctx.ansi,
  };
}
