/**
 * Expression binder: AST expressions → typed plan expressions over the attributes of a scope.
 * Names resolve in the current scope, then select aliases (where the clause allows), then outer
 * scopes (as `outer_ref`); operators get Spark's coercions; sugar (BETWEEN, simple CASE, IS
 * DISTINCT FROM, `||`, LIKE) is desugared here.
 */
import {
  EngineError,
  MAX_DECIMAL_PRECISION,
  SqlState,
  T,
  dayTimeIntervalType,
  typeToString,
  typesEqual,
  yearMonthIntervalType,
  type DataType,
} from '../../common/index.ts';
import { exprType, outputOf, type Expr, type LogicalPlan, type NamedExpr } from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { bindArithmetic, bindComparison, coerceComparison, commonType, toBoolean } from './coercion.ts';
import { bindArraySubquery } from './array-subquery.ts';
import { analysisError, notSupported, unresolvedColumn } from './errors.ts';
import { exprName } from './expr-name.ts';
import { castTo } from './expr-utils.ts';
import { checkAnsiCast } from './cast-check.ts';
import { bindFunction, bindStructOf, callRegistry } from './function-call.ts';
import { lambdaOutsideHigherOrder, lambdaVariableOf } from './higher-order.ts';
import { bindLiteral, lit } from './literal.ts';
import { specialDatetime } from './special-datetime.ts';

export function nameParts(q: ast.QualifiedName): string[] {
  return q.parts.map((p) => p.name);
}

/** Resolves a column name: current scope, select aliases, then outer scopes. */
export function resolveColumn(env: ExprEnv, e: ast.ColumnExpr): Expr {
  const parts = nameParts(e.name);
  const lambdaVar = lambdaVariableOf(env, parts[0]!);
  if (lambdaVar !== undefined) {
    let out: Expr = lambdaVar;
    for (const field of parts.slice(1)) out = bindFieldAccess(env, out, field, e.pos);
    return out;
  }
  const single = parts.length === 1 ? parts[0]!.toLowerCase() : null;
  if (single !== null && env.aliases !== null && env.aliasFirst) {
    const a = env.aliases.get(single);
    if (a !== undefined) return a;
  }
  const local = env.scope.lookup(parts, e.pos);
  if (local !== undefined) {
    const ref: Expr = { kind: 'column', attr: local.attr };
    env.state.positions.set(ref, e.pos);
    return ref;
  }
  if (single !== null && env.aliases !== null) {
    const a = env.aliases.get(single);
    if (a !== undefined) return a;
  }
  const matches = single === null ? undefined : env.ambiguousAliases?.get(single);
  if (matches !== undefined) {
    throw analysisError(
      '42702',
      `[AMBIGUOUS_LATERAL_COLUMN_ALIAS] Lateral column alias \`${parts[0]!}\` is ambiguous and has ${matches} matches.`,
      e.pos,
    );
  }
  for (let s = env.scope.outer; s !== null; s = s.outer) {
    const found = s.lookup(parts, e.pos);
    if (found !== undefined) return { kind: 'outer_ref', attr: found.attr };
  }
  // `s.f`, `t.s.f`: a struct column followed by field names (the longest column prefix wins).
  for (let k = parts.length - 1; k >= 1; k--) {
    const prefix = parts.slice(0, k);
    let out: Expr | null = null;
    const found = env.scope.lookup(prefix, e.pos);
    if (found !== undefined) out = { kind: 'column', attr: found.attr };
    for (let s = env.scope.outer; out === null && s !== null; s = s.outer) {
      const outer = s.lookup(prefix, e.pos);
      if (outer !== undefined) out = { kind: 'outer_ref', attr: outer.attr };
    }
    if (out === null || exprType(out).kind !== 'struct') continue;
    for (const field of parts.slice(k)) out = bindFieldAccess(env, out, field, e.pos);
    return out;
  }
  // A session variable, possibly followed by struct field names.
  const lookupVariable = env.state.ctx.lookupVariable;
  if (lookupVariable !== undefined) {
    for (let k = Math.min(parts.length, 3); k >= 1; k--) {
      const variable = lookupVariable(parts.slice(0, k));
      if (variable === undefined) continue;
      let out: Expr = { kind: 'literal', value: variable.value, type: variable.type };
      for (const field of parts.slice(k)) out = bindFieldAccess(env, out, field, e.pos);
      return out;
    }
  }
  // Hive's virtual column `grouping__id`, which Spark still reads as grouping_id().
  if (single === 'grouping__id' && !e.name.parts[0]!.quoted) {
    const name: ast.QualifiedName = {
      parts: [{ name: 'grouping_id', quoted: false, pos: e.pos }],
      pos: e.pos,
    };
    const call: ast.FunctionExpr = {
      kind: 'function',
      name,
      args: [],
      distinct: false,
      star: false,
      filter: null,
      ignoreNulls: null,
      over: null,
      orderBy: [],
      pos: e.pos,
    };
    return bindExpr(env, call);
  }
  const candidates = env.scope.candidateNames();
  if (env.aliases !== null) candidates.push(...env.aliases.keys());
  throw unresolvedColumn(parts, candidates, e.pos);
}

function not(e: Expr, ansi: boolean): Expr {
  return { kind: 'unary', op: 'not', input: e, type: T.boolean, failOnError: ansi };
}

function and(l: Expr, r: Expr, ansi: boolean): Expr {
  return { kind: 'binary', op: 'and', left: l, right: r, type: T.boolean, failOnError: ansi };
}

function or(l: Expr, r: Expr, ansi: boolean): Expr {
  return { kind: 'binary', op: 'or', left: l, right: r, type: T.boolean, failOnError: ansi };
}

/**
 * Binds a subquery with the current scope as its outer scope, recording the clause it stands in
 * (an aggregate in it of only this query's columns is this clause's).
 */
export function bindSubqueryPlan(env: ExprEnv, q: ast.Query): LogicalPlan {
  const clauses = env.state.enclosingClauses;
  const previous = clauses.get(env.scope);
  clauses.set(env.scope, env);
  try {
    return env.state.bindSubquery(q, env.scope, env.ctes);
  } finally {
    if (previous === undefined) clauses.delete(env.scope);
    else clauses.set(env.scope, previous);
  }
}

/** A plan whose single-column outputs are cast to `types` (adds a Project when any differs). */
export function castPlanOutput(env: ExprEnv, plan: LogicalPlan, types: readonly DataType[]): LogicalPlan {
  const out = outputOf(plan);
  if (out.every((a, i) => typesEqual(a.type, types[i]!))) return plan;
  const exprs: NamedExpr[] = out.map((a, i) => {
    const t = types[i]!;
    if (typesEqual(a.type, t)) return { expr: { kind: 'column', attr: a }, attr: a };
    return {
      expr: castTo({ kind: 'column', attr: a }, t),
      attr: { ...a, id: env.state.ctx.nextId(), type: t },
    };
  });
  return { kind: 'Project', input: plan, exprs };
}

export function bindExpr(env: ExprEnv, e: ast.Expr): Expr {
  const ansi = env.state.ctx.ansi;
  switch (e.kind) {
    case 'literal': {
      if (e.value.type === 'typed' && e.value.typeName !== 'binary') {
        const type =
          e.value.typeName === 'date'
            ? T.date
            : e.value.typeName === 'timestamp_ntz'
              ? T.timestampNtz
              : T.timestamp;
        const special = specialDatetime(env, e.value.value, type, e.pos);
        if (special !== undefined) return special;
      }
      return bindLiteral(e.value, e.pos, env.state.ctx.timeZone);
    }
    case 'column':
      return resolveColumn(env, e);
    case 'parameter': {
      // Prepared statements substitute their values before binding; a `$n` left is one without. With
      // `parameterTypes` given (preparing), an undeclared parameter is of unknown type (NULL's),
      // which the coercions around it cast to what its context needs: the casts are its inferred type.
      if (e.name !== undefined)
        throw analysisError(
          '42P02',
          `[UNBOUND_SQL_PARAMETER] Found the unbound parameter: ${e.name}. Please, fix \`args\` and provide a mapping of the parameter to either a SQL literal or collection constructor functions such as \`map()\`, \`array()\`, \`struct()\`.`,
          e.pos,
        );
      const types = env.state.ctx.parameterTypes;
      if (types === undefined) {
        throw analysisError(SqlState.undefinedParameter, `there is no parameter $${e.index}`, e.pos);
      }
      return { kind: 'parameter', index: e.index, type: types[e.index - 1] ?? T.null };
    }
    case 'unary': {
      const x = bindExpr(env, e.operand);
      switch (e.op) {
        case '+':
          return x;
        case '-': {
          let t = exprType(x);
          let input = x;
          if (t.kind === 'calendar_interval')
            return callRegistry(env, 'calendar_interval_negate', [x], e.pos);
          if (t.kind === 'string' || t.kind === 'null') {
            t = t.kind === 'null' ? T.int : T.double;
            input = castTo(x, t);
          }
          if (!(
            t.kind.startsWith('interval') ||
            ['tinyint', 'smallint', 'int', 'bigint', 'float', 'double', 'decimal'].includes(t.kind)
          )) {
            throw analysisError(
              SqlState.datatypeMismatch,
              `[DATATYPE_MISMATCH.UNEXPECTED_INPUT_TYPE] Cannot resolve "${exprName(e)}" due to data type mismatch: the operand must be numeric or an interval.`,
              e.pos,
            );
          }
          if (input.kind === 'literal' && input.value !== null) {
            const v = input.value;
            if (typeof v === 'bigint') {
              const neg = -v;
              if (t.kind === 'bigint' && neg === -2147483648n) return lit(-2147483648, T.int);
              return lit(neg, t);
            }
            if (typeof v === 'number' && !(t.kind === 'int' && v === -2147483648))
              return lit(v === 0 ? 0 : -v, t);
          }
          return { kind: 'unary', op: 'negate', input, type: t, failOnError: ansi };
        }
        case 'not':
          return not(toBoolean(x, 'NOT', e.pos), ansi);
        case '~':
          return callRegistry(env, 'bitwise_not', [x], e.pos);
      }
      break;
    }
    case 'binary':
      return bindBinary(env, e);
    case 'is': {
      const x = bindExpr(env, e.operand);
      const unary = (
        op: 'is_null' | 'is_not_null' | 'is_true' | 'is_false' | 'is_not_true' | 'is_not_false',
        input: Expr,
      ): Expr => ({
        kind: 'unary',
        op,
        input,
        type: T.boolean,
        failOnError: ansi,
      });
      switch (e.test) {
        case 'null':
          return unary(e.negated ? 'is_not_null' : 'is_null', x);
        case 'unknown':
          return unary(e.negated ? 'is_not_null' : 'is_null', toBoolean(x, 'IS UNKNOWN', e.pos));
        case 'true':
          return unary(e.negated ? 'is_not_true' : 'is_true', toBoolean(x, 'IS TRUE', e.pos));
        case 'false':
          return unary(e.negated ? 'is_not_false' : 'is_false', toBoolean(x, 'IS FALSE', e.pos));
        case 'distinct_from': {
          const y = bindExpr(env, e.other!);
          const eq = bindComparison('<=>', x, y, exprName(e), e.pos, ansi);
          return e.negated ? eq : not(eq, ansi);
        }
      }
      break;
    }
    case 'between': {
      const x = bindExpr(env, e.operand);
      const lo = bindExpr(env, e.low);
      const hi = bindExpr(env, e.high);
      const name = exprName(e);
      const both = and(
        bindComparison('>=', x, lo, name, e.pos, ansi),
        bindComparison('<=', x, hi, name, e.pos, ansi),
        ansi,
      );
      return e.negated ? not(both, ansi) : both;
    }
    case 'in_list': {
      if (e.list.length === 0)
        throw analysisError(
          SqlState.syntaxError,
          '[EMPTY_IN_PREDICATE] The IN predicate needs at least one value: `IN ()` is empty.',
          e.pos,
        );
      const x = bindExpr(env, e.operand);
      const xt = exprType(x);
      // IN compares structs by position (`(a, b) IN ((1, 2))`): the items take the value's names.
      const list = e.list.map((i) => {
        const item = bindExpr(env, i);
        const it = exprType(item);
        if (xt.kind !== 'struct' || it.kind !== 'struct' || it.fields.length !== xt.fields.length)
          return item;
        return castTo(item, {
          kind: 'struct',
          fields: it.fields.map((f, k) => ({ ...f, name: xt.fields[k]!.name })),
        });
      });
      const t = commonType([x, ...list], 'in', e.pos);
      return {
        kind: 'in_list',
        input: castTo(x, t),
        list: list.map((i) => castTo(i, t)),
        negated: e.negated,
      };
    }
    case 'in_subquery': {
      const values =
        e.operand.kind === 'row' ? e.operand.items.map((i) => bindExpr(env, i)) : [bindExpr(env, e.operand)];
      let plan = bindSubqueryPlan(env, e.query);
      const out = outputOf(plan);
      if (out.length !== values.length) {
        throw analysisError(
          SqlState.datatypeMismatch,
          `[DATATYPE_MISMATCH.IN_SUBQUERY_LENGTH_MISMATCH] The number of columns in the left hand side of an IN subquery does not match the number of columns in the output of subquery. Left hand side columns(length: ${values.length}), right hand side columns(length: ${out.length}).`,
          e.pos,
        );
      }
      const types = values.map((v, i) => {
        const [l] = coerceComparison(v, { kind: 'column', attr: out[i]! }, exprName(e), e.pos);
        return exprType(l);
      });
      plan = castPlanOutput(env, plan, types);
      return {
        kind: 'in_subquery',
        values: values.map((v, i) => castTo(v, types[i]!)),
        plan,
        negated: e.negated,
      };
    }
    case 'exists':
      return { kind: 'exists', plan: bindSubqueryPlan(env, e.query) };
    case 'scalar_subquery': {
      const plan = bindSubqueryPlan(env, e.query);
      const out = outputOf(plan);
      if (out.length !== 1) {
        throw analysisError(
          '42823',
          `[INVALID_SUBQUERY_EXPRESSION.SCALAR_SUBQUERY_RETURN_MORE_THAN_ONE_OUTPUT_COLUMN] Invalid subquery: Scalar subquery must return only one column, but got ${out.length}.`,
          e.pos,
        );
      }
      return { kind: 'scalar_subquery', plan, type: out[0]!.type };
    }
    case 'array_subquery':
      return bindArraySubquery(env, e);
    case 'like':
      return bindLike(env, e);
    case 'case':
      return bindCase(env, e);
    case 'cast': {
      // `'pg_class'::regclass` and friends are answered from the session's catalog.
      if (e.pgTypeName !== null && e.mode === 'cast') {
        const expanded = env.state.ctx.expandFunction?.(`::${e.pgTypeName}`, [e.operand], e.pos);
        if (expanded !== undefined) return bindExpr(env, expanded);
      }
      // PostgreSQL's array constants: `'{a,b}'::text[]`, and `$1::int[]` bound to such text.
      const constant = e.type.kind === 'array' ? stringConstant(e.operand) : undefined;
      if (constant === null) return lit(null, e.type);
      if (constant !== undefined) {
        const items = pgArrayItems(constant);
        if (items !== null) {
          const array = callRegistry(
            env,
            'array',
            items.map((v) => lit(v, T.string)),
            e.pos,
          );
          // `numeric[]` keeps the digits of its elements, at the scale of the finest.
          const type = e.pgTypeName === 'numeric[]' ? T.array(numericOfDigits(items)) : e.type;
          return { kind: 'cast', input: array, type, mode: ansi ? 'ansi' : 'legacy' };
        }
      }
      const text = stringConstant(e.operand);
      const special = typeof text === 'string' ? specialDatetime(env, text, e.type, e.pos) : undefined;
      if (special !== undefined) return special;
      const x = bindExpr(env, e.operand);
      const mode = e.mode === 'try_cast' ? 'try' : ansi ? 'ansi' : 'legacy';
      const type = e.pgTypeName === 'numeric' ? unconstrainedNumeric(e.operand, exprType(x)) : e.type;
      if (mode !== 'legacy') checkAnsiCast(exprType(x), type, exprName(e), e.pos);
      return { kind: 'cast', input: x, type, mode };
    }
    case 'function':
      return bindFunction(env, e);
    case 'extract': {
      const src = bindExpr(env, e.source);
      return callRegistry(env, 'extract', [lit(e.field, T.string), src], e.pos);
    }
    case 'interval':
      if (env.state.ctx.legacyInterval === true) {
        if (e.calendar === null) {
          throw analysisError(SqlState.syntaxError, `invalid interval literal: ${exprName(e)}`, e.pos);
        }
        return lit(e.calendar, T.calendarInterval);
      }
      if (e.value.type === 'mixed') throw analysisError(SqlState.syntaxError, e.value.message, e.pos);
      return e.value.type === 'year_month'
        ? lit(e.value.months, yearMonthIntervalType(e.value.startField, e.value.endField))
        : lit(e.value.micros, dayTimeIntervalType(e.value.startField, e.value.endField));
    case 'subscript': {
      // The session answers subscripts of arrays PostgreSQL numbers from 1 (`current_schemas(…)[1]`).
      const pgSubscript = env.state.ctx.expandFunction?.('[]', [e.base, e.index], e.pos);
      if (pgSubscript !== undefined) return bindExpr(env, pgSubscript);
      const base = bindExpr(env, e.base);
      const index = bindExpr(env, e.index);
      return callRegistry(
        env,
        exprType(base).kind === 'map' ? 'element_at' : 'array_subscript',
        [base, index],
        e.pos,
      );
    }
    case 'field_access':
      return bindFieldAccess(env, bindExpr(env, e.base), e.field.name, e.pos);
    case 'row':
      return bindStructOf(env, e.items, e.pos);
    case 'array':
      return callRegistry(
        env,
        'array',
        e.items.map((i) => bindExpr(env, i)),
        e.pos,
      );
    case 'lambda':
      throw lambdaOutsideHigherOrder(e.pos);
    case 'star':
      throw analysisError(
        SqlState.syntaxErrorOrAccessRuleViolation,
        `[INVALID_USAGE_OF_STAR_OR_REGEX] Invalid usage of '*' in expression.`,
        e.pos,
      );
  }
  throw new EngineError(SqlState.internalError, `internal error: unknown expression`);
}

/**
 * The text of a string literal, through casts to string (a bound text parameter is one); null for
 * a NULL literal; undefined for anything else.
 */
function stringConstant(e: ast.Expr): string | null | undefined {
  let node = e;
  while (node.kind === 'cast' && node.type.kind === 'string') node = node.operand;
  if (node.kind !== 'literal') return undefined;
  if (node.value.type === 'null') return null;
  return node.value.type === 'string' ? node.value.value : undefined;
}

/**
 * A string constant compared with an array, read as PostgreSQL reads it there: an array constant
 * of the array's type (`polroles = '{0}'`); undefined for anything else.
 */
function arrayConstantFor(env: ExprEnv, constant: ast.Expr, type: DataType): Expr | undefined {
  if (type.kind !== 'array' || constant.kind !== 'literal' || constant.value.type !== 'string')
    return undefined;
  const items = pgArrayItems(constant.value.value);
  if (items === null) return undefined;
  const array = callRegistry(
    env,
    'array',
    items.map((v) => lit(v, T.string)),
    constant.pos,
  );
  return { kind: 'cast', input: array, type, mode: env.state.ctx.ansi ? 'ansi' : 'legacy' };
}

function bindBinary(env: ExprEnv, e: ast.BinaryExpr): Expr {
  const ansi = env.state.ctx.ansi;
  let l = bindExpr(env, e.left);
  let r = bindExpr(env, e.right);
  if (['=', '<>', '<', '<=', '>', '>=', '<=>'].includes(e.op)) {
    r = arrayConstantFor(env, e.right, exprType(l)) ?? r;
    l = arrayConstantFor(env, e.left, exprType(r)) ?? l;
  }
  const name = exprName(e);
  switch (e.op) {
    case '+':
    case '-':
    case '*':
    case '/':
    case '%':
    case 'div':
      return bindArithmetic(e.op, l, r, name, e.pos, ansi);
    case '=':
    case '<>':
    case '<':
    case '<=':
    case '>':
    case '>=':
    case '<=>':
      return bindComparison(e.op, l, r, name, e.pos, ansi);
    case 'and':
      return and(toBoolean(l, 'AND', e.left.pos), toBoolean(r, 'AND', e.right.pos), ansi);
    case 'or':
      return or(toBoolean(l, 'OR', e.left.pos), toBoolean(r, 'OR', e.right.pos), ansi);
    case '||':
      return callRegistry(env, 'concat', [l, r], e.pos);
    case '&':
      return callRegistry(env, 'bitwise_and', [l, r], e.pos);
    case '|':
      return callRegistry(env, 'bitwise_or', [l, r], e.pos);
    case '^':
      return callRegistry(env, 'bitwise_xor', [l, r], e.pos);
    case '~':
      return callRegistry(env, 'rlike', [l, r], e.pos);
    case '!~':
      return not(callRegistry(env, 'rlike', [l, r], e.pos), ansi);
    case '~*':
    case '!~*': {
      const m = callRegistry(
        env,
        'rlike',
        [l, callRegistry(env, 'concat', [lit('(?i)', T.string), r], e.pos)],
        e.pos,
      );
      return e.op === '~*' ? m : not(m, ansi);
    }
  }
}

function bindLike(env: ExprEnv, e: ast.LikeExpr): Expr {
  const ansi = env.state.ctx.ansi;
  if (e.mode === 'similar') throw notSupported('SIMILAR TO', e.pos);
  const x = bindExpr(env, e.operand);
  const one = (p: ast.Expr): Expr => {
    const args = [x, bindExpr(env, p)];
    if (e.escape !== null) args.push(lit(e.escape, T.string));
    return callRegistry(env, e.mode, args, e.pos);
  };
  let result: Expr;
  if (e.quantifier === null) {
    result = one(e.pattern);
  } else {
    const parts = e.patterns.map(one);
    result = parts.reduce((acc, p) => (e.quantifier === 'any' ? or(acc, p, ansi) : and(acc, p, ansi)));
  }
  return e.negated ? not(result, ansi) : result;
}

function bindCase(env: ExprEnv, e: ast.CaseExpr): Expr {
  const ansi = env.state.ctx.ansi;
  const name = exprName(e);
  const operand = e.operand === null ? null : bindExpr(env, e.operand);
  const whens = e.whens.map((w) => {
    const c = bindExpr(env, w.when);
    const cond =
      operand === null
        ? toBoolean(c, 'CASE WHEN', w.when.pos)
        : bindComparison('=', operand, c, name, w.when.pos, ansi);
    return { when: cond, then: bindExpr(env, w.then) };
  });
  const otherwise = e.else === null ? null : bindExpr(env, e.else);
  const values = whens.map((w) => w.then);
  if (otherwise !== null) values.push(otherwise);
  const t = commonType(values, 'CASE', e.pos);
  return {
    kind: 'case',
    branches: whens.map((w) => ({ when: w.when, then: castTo(w.then, t) })),
    otherwise: otherwise === null ? null : castTo(otherwise, t),
    type: t,
  };
}

/**
 * The items of a one-dimensional PostgreSQL array constant (`{a,"b c",NULL}`): double quotes and
 * backslashes escape, an unquoted NULL is NULL. Null when the text is not one.
 */
export function pgArrayItems(text: string): (string | null)[] | null {
  const t = text.trim();
  if (!t.startsWith('{') || !t.endsWith('}')) return null;
  const body = t.slice(1, -1);
  const items: (string | null)[] = [];
  if (body.trim() === '') return items;
  let i = 0;
  for (;;) {
    while (body[i] === ' ') i++;
    let value = '';
    let quoted = false;
    if (body[i] === '"') {
      quoted = true;
      i++;
      while (i < body.length && body[i] !== '"') {
        if (body[i] === '\\') i++;
        value += body[i] ?? '';
        i++;
      }
      if (body[i] !== '"') return null;
      i++;
    } else {
      while (i < body.length && body[i] !== ',') {
        const c = body[i]!;
        if (c === '{' || c === '}' || c === '"') return null; // nested or malformed
        if (c === '\\') i++;
        value += body[i] ?? '';
        i++;
      }
      value = value.trim();
    }
    items.push(!quoted && value.toUpperCase() === 'NULL' ? null : value);
    while (body[i] === ' ') i++;
    if (i >= body.length) return items;
    if (body[i] !== ',') return null;
    i++;
  }
}

/**
 * The decimal type `x::numeric` (PostgreSQL's numeric without a precision, which keeps every
 * digit) takes here: a decimal keeps its own; a number written as text (a literal, or a bound
 * parameter) gets the precision and scale of its digits; integers their Spark widening; anything
 * else DECIMAL(38,18).
 */
function unconstrainedNumeric(operand: ast.Expr, from: DataType): DataType {
  if (from.kind === 'decimal') return from;
  if (from.kind === 'tinyint' || from.kind === 'smallint' || from.kind === 'int') return decimalType(10, 0);
  if (from.kind === 'bigint') return decimalType(20, 0);
  let text: string | null = null;
  let node = operand;
  while (node.kind === 'cast' && node.type.kind === 'string') node = node.operand;
  if (node.kind === 'literal' && node.value.type === 'string') text = node.value.value;
  return numericOfDigits(text === null ? [''] : [text]);
}

/**
 * The decimal type that holds every one of numbers written as text (NULLs aside) with all their
 * digits: the most integer digits and the largest scale among them; DECIMAL(38,18) when that
 * needs more than 38 digits or a text is not a plain number.
 */
function numericOfDigits(texts: readonly (string | null)[]): DataType {
  let whole = 0;
  let scale = 0;
  for (const text of texts) {
    if (text === null) continue;
    const m = /^[+-]?(\d*)(?:\.(\d*))?$/.exec(text.trim());
    if (m === null || (m[1] === '' && (m[2] ?? '') === '')) return decimalType(MAX_DECIMAL_PRECISION, 18);
    whole = Math.max(whole, m[1]!.replace(/^0+/, '').length);
    scale = Math.max(scale, (m[2] ?? '').length);
  }
  const precision = Math.max(whole + scale, 1);
  return precision <= MAX_DECIMAL_PRECISION
    ? decimalType(precision, scale)
    : decimalType(MAX_DECIMAL_PRECISION, 18);
}

function decimalType(precision: number, scale: number): DataType {
  return { kind: 'decimal', precision, scale };
}

/** `s.field` / `(expr).field` on a struct: its field by name (case-insensitive), 42703 when none. */
export function bindFieldAccess(env: ExprEnv, base: Expr, field: string, pos: number): Expr {
  const type = exprType(base);
  if (type.kind !== 'struct') {
    throw analysisError(
      SqlState.syntaxErrorOrAccessRuleViolation,
      `[INVALID_EXTRACT_BASE_FIELD_TYPE] Can't extract a value from "${typeToString(type).toUpperCase()}". Need a complex type [STRUCT, ARRAY, MAP] but got "${typeToString(type).toUpperCase()}".`,
      pos,
    );
  }
  const lower = field.toLowerCase();
  const ordinal = type.fields.findIndex((f) => f.name.toLowerCase() === lower);
  if (ordinal < 0) {
    throw analysisError(
      SqlState.undefinedObject,
      `[FIELD_NOT_FOUND] No such struct field \`${field}\` in ${type.fields.map((f) => `\`${f.name}\``).join(', ')}.`,
      pos,
    );
  }
  return callRegistry(env, 'get_struct_field', [base, lit(ordinal, T.int)], pos);
}
