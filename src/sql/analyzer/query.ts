/**
 * Query binding: WITH (each CTE reference re-binds the CTE for fresh attribute ids; WITH RECURSIVE
 * becomes RecursiveCte + WorkTable), query bodies (SELECT, VALUES, TABLE, set operations with
 * per-column type widening), and ORDER BY / LIMIT / OFFSET over the body's output.
 */
import { SqlState, isIntegral, typeToString, typesEqual, type DataType } from '../../common/index.ts';
import { findWiderType } from '../../functions/index.ts';
import {
  outputOf,
  type Attribute,
  type Expr,
  type LogicalPlan,
  type NamedExpr,
  type SortOrder,
} from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { BindState, CteEnv, ExprEnv } from './binder-state.ts';
import { analysisError, tableNotFound } from './errors.ts';
import { exprName } from './expr-name.ts';
import { castTo, foldConstant } from './expr-utils.ts';
import { checkNoMapInSetOperation, checkOrderable } from './map-ordering.ts';
import { bindExpr, nameParts } from './expression.ts';
import { bindValues, exprEnv, renameColumns, type RelationEnv } from './relation.ts';
import { Scope, scopeColumns } from './scope.ts';
import { bindPipe } from './pipe.ts';
import { bindSelect } from './select.ts';
import { exprType } from '../../plan/index.ts';

export function bindQuery(
  state: BindState,
  q: ast.Query,
  outer: Scope | null,
  ctes: CteEnv | null,
): LogicalPlan {
  let env = ctes;
  if (q.with !== null) {
    const seen = new Set<string>();
    for (const cte of q.with.ctes) {
      const name = cte.name.name.toLowerCase();
      if (seen.has(name))
        throw analysisError(
          '42602',
          `[DUPLICATED_CTE_NAMES] CTE definition can't have duplicate names: \`${cte.name.name}\`.`,
          cte.pos,
        );
      seen.add(name);
      env = defineCte(state, cte, q.with.recursive, outer, env);
    }
  }
  let plan: LogicalPlan;
  if (q.body.kind === 'select') {
    plan = bindSelect(state, q.body, q.orderBy, outer, env);
  } else {
    plan = bindBody(state, q.body, outer, env);
    if (q.orderBy.length > 0) plan = sortOnOutput(state, plan, q.orderBy, outer, env);
  }
  return applyLimit(state, plan, q, outer, env);
}

function defineCte(
  state: BindState,
  cte: ast.CommonTableExpression,
  recursive: boolean,
  outer: Scope | null,
  parent: CteEnv | null,
): CteEnv {
  const name = cte.name.name.toLowerCase();
  const columns = cte.columns?.map((c) => c.name) ?? null;
  const isRecursive = recursive && referencesName(cte.query, name);
  const instantiate = (pos: number): LogicalPlan => {
    let plan = isRecursive
      ? bindRecursive(state, cte, name, outer, parent)
      : bindQuery(state, cte.query, outer, parent);
    if (columns !== null && !isRecursive) plan = renameColumns(state, plan, columns, pos);
    return plan;
  };
  return { entry: { name, instantiate }, parent };
}

/** Whether a query mentions a relation `name` anywhere (decides if a WITH RECURSIVE entry recurses). */
function referencesName(node: unknown, name: string): boolean {
  if (node === null || typeof node !== 'object') return false;
  if (Array.isArray(node)) return node.some((n) => referencesName(n, name));
  const o = node as Record<string, unknown>;
  if (o['kind'] === 'table' && typeof o['name'] === 'object') {
    const parts = (o['name'] as ast.QualifiedName).parts;
    if (parts.length === 1 && parts[0]!.name.toLowerCase() === name) return true;
  }
  return Object.values(o).some((v) => referencesName(v, name));
}

function bindRecursive(
  state: BindState,
  cte: ast.CommonTableExpression,
  name: string,
  outer: Scope | null,
  parent: CteEnv | null,
): LogicalPlan {
  const body = cte.query.body;
  if (
    body.kind !== 'set_operation' ||
    body.op !== 'union' ||
    cte.query.orderBy.length > 0 ||
    cte.query.limit !== null
  ) {
    throw analysisError(
      SqlState.invalidRecursiveCte,
      `[INVALID_RECURSIVE_CTE] Recursive query ${name} must be of the form 'anchor UNION [ALL] recursive part'.`,
      cte.pos,
    );
  }
  let anchor = bindBody(state, body.left, outer, parent);
  if (cte.columns !== null)
    anchor = renameColumns(
      state,
      anchor,
      cte.columns.map((c) => c.name),
      cte.pos,
    );
  const anchorOut = outputOf(anchor);
  const cteId = state.ctx.nextId();
  const workEnv: CteEnv = {
    entry: {
      name,
      instantiate: () => ({
        kind: 'WorkTable',
        cteId,
        output: anchorOut.map((a) => ({ ...a, id: state.ctx.nextId(), nullable: true, qualifier: null })),
      }),
    },
    parent,
  };
  let recursivePart = bindBody(state, body.right, outer, workEnv);
  const recOut = outputOf(recursivePart);
  if (recOut.length !== anchorOut.length) arityError('UNION', anchorOut.length, recOut.length, body.pos);
  recursivePart = castProject(
    state,
    recursivePart,
    anchorOut.map((a) => a.type),
  );
  const output: Attribute[] = anchorOut.map((a) => ({
    ...a,
    id: state.ctx.nextId(),
    nullable: true,
    qualifier: null,
  }));
  return { kind: 'RecursiveCte', cteId, anchor, recursive: recursivePart, distinct: !body.all, output };
}

function arityError(op: string, left: number, right: number, pos: number): never {
  throw analysisError(
    '42826',
    `[NUM_COLUMNS_MISMATCH] ${op.toUpperCase()} can only be performed on inputs with the same number of columns, but the first input has ${left} columns and the second input has ${right} columns.`,
    pos,
  );
}

/** Casts a plan's outputs to `types` with a Project (fresh ids where a cast is added). */
function castProject(state: BindState, plan: LogicalPlan, types: readonly DataType[]): LogicalPlan {
  const out = outputOf(plan);
  if (out.every((a, i) => typesEqual(a.type, types[i]!))) return plan;
  const exprs: NamedExpr[] = out.map((a, i) => {
    const t = types[i]!;
    const col: Expr = { kind: 'column', attr: a };
    if (typesEqual(a.type, t)) return { expr: col, attr: a };
    return { expr: castTo(col, t), attr: { ...a, id: state.ctx.nextId(), type: t } };
  });
  return { kind: 'Project', input: plan, exprs };
}

export function bindBody(
  state: BindState,
  body: ast.QueryBody,
  outer: Scope | null,
  ctes: CteEnv | null,
): LogicalPlan {
  switch (body.kind) {
    case 'select':
      return bindSelect(state, body, [], outer, ctes);
    case 'query':
      return bindQuery(state, body, outer, ctes);
    case 'values':
      return bindValues({ state, ctes, outer }, body.rows, body.pos);
    case 'table_body': {
      const parts = nameParts(body.name);
      const found = state.ctx.catalog.lookupRelation(parts);
      const fake: ast.Select = {
        kind: 'select',
        pos: body.pos,
        distinct: false,
        items: [{ kind: 'wildcard', pos: body.pos, qualifier: null, except: [] }],
        from: [{ kind: 'table', pos: body.pos, name: body.name, alias: null }],
        where: null,
        groupBy: null,
        having: null,
        windows: [],
        qualify: null,
      };
      if (found === undefined && parts.length !== 1)
        throw tableNotFound(parts, state.ctx.catalog.relationNames(), body.name.pos);
      return bindSelect(state, fake, [], outer, ctes);
    }
    case 'set_operation':
      return bindSetOp(state, body, outer, ctes);
    case 'pipe':
      return bindPipe(state, body, outer, ctes);
  }
}

function bindSetOp(
  state: BindState,
  s: ast.SetOperation,
  outer: Scope | null,
  ctes: CteEnv | null,
): LogicalPlan {
  const left = bindBody(state, s.left, outer, ctes);
  const right = bindBody(state, s.right, outer, ctes);
  return setOperationPlan(state, s, left, right);
}

/** UNION / INTERSECT / EXCEPT of two bound inputs: columns by position (or name), types widened. */
export function setOperationPlan(
  state: BindState,
  s: Pick<ast.SetOperation, 'op' | 'all' | 'byName' | 'pos'>,
  leftInput: LogicalPlan,
  rightInput: LogicalPlan,
): LogicalPlan {
  let left = leftInput;
  let right = rightInput;
  const lo = outputOf(left);
  let ro = outputOf(right);
  if (s.byName) {
    const byName = new Map(ro.map((a) => [a.name.toLowerCase(), a] as const));
    const reordered = lo.map((a) => {
      const r = byName.get(a.name.toLowerCase());
      if (r === undefined)
        throw analysisError(
          SqlState.undefinedColumn,
          `[UNRESOLVED_COLUMN] UNION BY NAME: column \`${a.name}\` is missing on the right side.`,
          s.pos,
        );
      return r;
    });
    if (ro.length !== lo.length) return arityError(s.op, lo.length, ro.length, s.pos);
    right = {
      kind: 'Project',
      input: right,
      exprs: reordered.map((a) => ({ expr: { kind: 'column', attr: a }, attr: a })),
    };
    ro = reordered;
  }
  if (lo.length !== ro.length) arityError(s.op, lo.length, ro.length, s.pos);
  const types = lo.map((a, i) => {
    const r = ro[i]!;
    const w = findWiderType(a.type, r.type);
    if (w === undefined) {
      throw analysisError(
        SqlState.incompatibleColumnType,
        `[INCOMPATIBLE_COLUMN_TYPE] ${s.op.toUpperCase()} can only be performed on tables with compatible column types. The ${ordinal(i + 1)} column of the second table is "${typeToString(r.type).toUpperCase()}" type which is not compatible with "${typeToString(a.type).toUpperCase()}" at the same column of the first table.`,
        s.pos,
      );
    }
    return w;
  });
  if (s.op !== 'union' || !s.all) checkNoMapInSetOperation(lo, s.pos);
  left = castProject(state, left, types);
  right = castProject(state, right, types);
  const output: Attribute[] = lo.map((a, i) => ({
    id: state.ctx.nextId(),
    name: a.name,
    type: types[i]!,
    nullable:
      s.op === 'union'
        ? a.nullable || ro[i]!.nullable
        : s.op === 'intersect'
          ? a.nullable && ro[i]!.nullable
          : a.nullable,
    qualifier: null,
  }));
  return { kind: 'SetOp', op: s.op, all: s.all, left, right, output };
}

/** ORDER BY over a non-SELECT body: output columns by name or position. */
function sortOnOutput(
  state: BindState,
  plan: LogicalPlan,
  orderBy: readonly ast.OrderItem[],
  outer: Scope | null,
  ctes: CteEnv | null,
): LogicalPlan {
  const out = outputOf(plan);
  const scope = new Scope(scopeColumns(out, []), outer);
  const env: ExprEnv = exprEnv({ state, ctes, outer }, scope, 'order_by');
  const orders: SortOrder[] = orderBy.map((o) => {
    const ascending = o.ascending ?? true;
    const nullsFirst = o.nullsFirst ?? ascending;
    if (
      state.ctx.orderByOrdinal !== false &&
      o.expr.kind === 'literal' &&
      o.expr.value.type === 'integer' &&
      o.expr.value.suffix === null
    ) {
      const n = Number(o.expr.value.text);
      const a = out[n - 1];
      if (a === undefined)
        throw analysisError(
          '42805',
          `[ORDER_BY_POS_OUT_OF_RANGE] ORDER BY position ${n} is not in select list (valid range is [1, ${out.length}]).`,
          o.expr.pos,
        );
      return { expr: { kind: 'column', attr: a }, ascending, nullsFirst };
    }
    const e = bindExpr(env, o.expr);
    const sortOrder = `${exprName(o.expr)} ${ascending ? 'ASC' : 'DESC'} NULLS ${nullsFirst ? 'FIRST' : 'LAST'}`;
    checkOrderable(exprType(e), sortOrder, 'sortorder', o.expr.pos);
    return { expr: e, ascending, nullsFirst };
  });
  return { kind: 'Sort', input: plan, orders };
}

export function constantCount(
  state: BindState,
  e: ast.Expr,
  what: 'LIMIT' | 'OFFSET',
  outer: Scope | null,
  ctes: CteEnv | null,
): number {
  const env = exprEnv({ state, ctes, outer } satisfies RelationEnv, new Scope([], null), 'limit');
  let x: Expr;
  try {
    x = bindExpr(env, e);
  } catch {
    throw analysisError(
      SqlState.invalidLimitLikeExpression,
      `[INVALID_LIMIT_LIKE_EXPRESSION.IS_UNFOLDABLE] The ${what.toLowerCase()} like expression "${what}" is invalid. The ${what.toLowerCase()} expression must evaluate to a constant value.`,
      e.pos,
    );
  }
  if (!isIntegral(exprType(x))) {
    throw analysisError(
      SqlState.invalidLimitLikeExpression,
      `[INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE] The ${what.toLowerCase()} like expression is invalid. The ${what.toLowerCase()} expression must be integer type, but got "${exprType(x).kind.toUpperCase()}".`,
      e.pos,
    );
  }
  x = foldIntegralCast(foldConstant(state.ctx, x));
  if (x.kind !== 'literal') {
    throw analysisError(
      SqlState.invalidLimitLikeExpression,
      `[INVALID_LIMIT_LIKE_EXPRESSION.IS_UNFOLDABLE] The ${what.toLowerCase()} like expression "${what}" is invalid. The ${what.toLowerCase()} expression must evaluate to a constant value.`,
      e.pos,
    );
  }
  if (!isIntegral(exprType(x))) {
    throw analysisError(
      SqlState.invalidLimitLikeExpression,
      `[INVALID_LIMIT_LIKE_EXPRESSION.DATA_TYPE] The ${what.toLowerCase()} like expression is invalid. The ${what.toLowerCase()} expression must be integer type, but got "${exprType(x).kind.toUpperCase()}".`,
      e.pos,
    );
  }
  if (x.value === null) {
    throw analysisError(
      SqlState.invalidLimitLikeExpression,
      `[INVALID_LIMIT_LIKE_EXPRESSION.IS_NULL] The ${what.toLowerCase()} like expression is invalid. The evaluated ${what.toLowerCase()} expression must not be null.`,
      e.pos,
    );
  }
  const n = Number(x.value);
  if (n < 0) {
    throw analysisError(
      SqlState.invalidLimitLikeExpression,
      `[INVALID_LIMIT_LIKE_EXPRESSION.IS_NEGATIVE] The ${what.toLowerCase()} like expression is invalid. The ${what.toLowerCase()} expression must be equal to or greater than 0, but got ${n}.`,
      e.pos,
    );
  }
  return n;
}

/**
 * A cast of a constant to an integral type, folded as Spark folds a foldable count
 * (`LIMIT CAST('5' AS INT)`, which is how a bound `LIMIT $1` arrives); anything else as it is.
 */
function foldIntegralCast(x: Expr): Expr {
  if (x.kind !== 'cast' || x.input.kind !== 'literal' || !isIntegral(x.type)) return x;
  const value = x.input.value;
  const from = x.input.type;
  let v: bigint;
  if (value === null) return { kind: 'literal', value: null, type: x.type };
  if (isIntegral(from)) v = BigInt(value as number | bigint);
  else if (from.kind === 'string' && /^\s*[+-]?\d+\s*$/.test(value as string))
    v = BigInt((value as string).trim());
  else return x;
  const bits =
    x.type.kind === 'bigint' ? 64 : x.type.kind === 'int' ? 32 : x.type.kind === 'smallint' ? 16 : 8;
  if (BigInt.asIntN(bits, v) !== v) return x; // the cast's own overflow error is the one to report
  return { kind: 'literal', value: x.type.kind === 'bigint' ? v : Number(v), type: x.type };
}

function applyLimit(
  state: BindState,
  plan: LogicalPlan,
  q: ast.Query,
  outer: Scope | null,
  ctes: CteEnv | null,
): LogicalPlan {
  if (q.limit === null && q.offset === null) return plan;
  const limit = q.limit === null ? null : constantCount(state, q.limit, 'LIMIT', outer, ctes);
  const offset = q.offset === null ? 0 : constantCount(state, q.offset, 'OFFSET', outer, ctes);
  return { kind: 'Limit', input: plan, limit, offset };
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

/** Spark's ordinal words in error messages: `first`, `second`, … then `11th`, `12th`, `21st`… */
function ordinal(n: number): string {
  const word = ORDINALS[n - 1];
  if (word !== undefined) return word;
  const tens = n % 100;
  const suffix =
    tens >= 11 && tens <= 13 ? 'th' : n % 10 === 1 ? 'st' : n % 10 === 2 ? 'nd' : n % 10 === 3 ? 'rd' : 'th';
  return `${n}${suffix}`;
}
