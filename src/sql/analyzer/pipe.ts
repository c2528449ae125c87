/**
 * SQL pipe syntax (`input |> operator |> …`), Spark's way: each operator takes the rows of what
 * precedes it, whatever produced them, and its columns with their table aliases.
 *
 *   FROM t / TABLE t / any query ─► relation (plan + columns with their qualifiers)
 *     |> WHERE p            Filter                      (aggregates and windows refused as in WHERE)
 *     |> SELECT …           a SELECT over the relation  (no aggregate functions: AGGREGATE does that)
 *     |> EXTEND e AS x      the input's columns, then x (no aggregates)
 *     |> SET c = e          c replaced in place, assignments one after the other
 *     |> DROP c             c no longer visible
 *     |> AS a               every column answers to `a`
 *     |> AGGREGATE … GROUP BY …   grouping columns, then aggregates (ordinals name input columns)
 *     |> JOIN …             a join with the relation on the left
 *     |> UNION/INTERSECT/EXCEPT …  a set operation with another query
 *     |> PIVOT (…) / UNPIVOT (…) / TABLESAMPLE (…)   as after a FROM item (pivot.ts, unpivot.ts,
 *                           table-sample.ts)
 *     |> ORDER BY / LIMIT / OFFSET
 *
 * The query's result is the relation's visible columns.
 */
import { SqlState } from '../../common/index.ts';
import {
  exprChildren,
  outputOf,
  type Expr,
  type LogicalPlan,
  type NamedExpr,
  type SortOrder,
} from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import { containsAggregate, containsWindow, planExprName } from './aggregate-rewrite.ts';
import type { BindState, CteEnv } from './binder-state.ts';
import { toBoolean } from './coercion.ts';
import { analysisError, unresolvedColumn } from './errors.ts';
import { exprName } from './expr-name.ts';
import { exprKey } from './expr-utils.ts';
import { bindExpr } from './expression.ts';
import { bindBody, constantCount, setOperationPlan } from './query.ts';
import { bindFrom, bindJoinTail, exprEnv, type BoundRelation, type RelationEnv } from './relation.ts';
import { Scope, type ScopeColumn } from './scope.ts';
import { bindSelectOver } from './select.ts';
import { bindPivot } from './pivot.ts';
import { bindSample } from './table-sample.ts';
import { bindUnpivot } from './unpivot.ts';

/** A pipe chain as a plan whose output is the piped relation's visible columns. */
export function bindPipe(
  state: BindState,
  body: ast.PipeBody,
  outer: Scope | null,
  ctes: CteEnv | null,
): LogicalPlan {
  return visiblePlan(pipeRelation({ state, ctes, outer }, body));
}

function pipeRelation(env: RelationEnv, body: ast.QueryBody): BoundRelation {
  if (body.kind === 'pipe') return applyOperator(env, pipeRelation(env, body.input), body.operator);
  // `FROM t` and `TABLE t` keep their relations' names (`FROM t AS x |> WHERE x.a = 1`).
  if (body.kind === 'table_body')
    return bindFrom(env, [{ kind: 'table', name: body.name, alias: null, pos: body.pos }]);
  if (body.kind === 'select' && isPlainFrom(body)) return bindFrom(env, body.from);
  return relationOf(bindBody(env.state, body, env.outer, env.ctes));
}

/** `FROM …` alone, i.e. `SELECT * FROM …` with nothing else. */
function isPlainFrom(s: ast.Select): boolean {
  const only = s.items[0];
  return (
    s.items.length === 1 &&
    only?.kind === 'wildcard' &&
    only.qualifier === null &&
    only.except.length === 0 &&
    s.from.length > 0 &&
    !s.distinct &&
    s.where === null &&
    s.groupBy === null &&
    s.having === null &&
    s.windows.length === 0 &&
    s.qualify === null
  );
}

/** A plan's output as a relation: each column answers to the qualifier its attribute carries. */
function relationOf(plan: LogicalPlan): BoundRelation {
  return {
    plan,
    columns: outputOf(plan).map((a) => ({
      attr: a,
      path: a.qualifier === null ? [] : [a.qualifier.toLowerCase()],
      hidden: false,
    })),
  };
}

function visible(r: BoundRelation): ScopeColumn[] {
  return r.columns.filter((c) => !c.hidden);
}

function pass(c: ScopeColumn): NamedExpr {
  return { expr: { kind: 'column', attr: c.attr }, attr: c.attr };
}

/** The relation's plan with exactly its visible columns as output. */
function visiblePlan(r: BoundRelation): LogicalPlan {
  const cols = visible(r);
  const out = outputOf(r.plan);
  if (out.length === cols.length && out.every((a, i) => a.id === cols[i]!.attr.id)) return r.plan;
  return { kind: 'Project', input: r.plan, exprs: cols.map(pass) };
}

function applyOperator(env: RelationEnv, r: BoundRelation, op: ast.PipeOperator): BoundRelation {
  const state = env.state;
  switch (op.kind) {
    case 'where': {
      const scope = new Scope(r.columns, env.outer);
      const predicate = toBoolean(
        bindExpr(exprEnv(env, scope, 'where'), op.condition),
        'WHERE',
        op.condition.pos,
      );
      return { plan: { kind: 'Filter', input: r.plan, predicate }, columns: r.columns };
    }
    case 'select': {
      const sel = selectOf(op.items, op.windows, op.distinct, op.pos);
      return relationOf(
        bindSelectOver(state, sel, [], r, env.outer, env.ctes, (exprs) =>
          refuseAggregates(exprs, 'SELECT', op.pos),
        ),
      );
    }
    case 'extend': {
      const added = projectOver(env, r, op.items, 'EXTEND', op.pos);
      return {
        plan: { kind: 'Project', input: added.input, exprs: [...r.columns.map(pass), ...added.exprs] },
        columns: [
          ...r.columns,
          ...added.exprs.map((e): ScopeColumn => ({ attr: e.attr, path: [], hidden: false })),
        ],
      };
    }
    case 'set': {
      let acc = r;
      for (const a of op.assignments) {
        const target = new Scope(visible(acc), null).lookup([a.column.name], a.column.pos);
        if (target === undefined)
          throw unresolvedColumn(
            [a.column.name],
            visible(acc).map((c) => c.attr.name),
            a.column.pos,
          );
        const item: ast.ExprSelectItem = {
          kind: 'expr_item',
          expr: a.expr,
          alias: a.column,
          pos: a.expr.pos,
        };
        const added = projectOver(env, acc, [item], 'SET', op.pos);
        const value = added.exprs[0]!;
        const replaced: NamedExpr = { expr: value.expr, attr: { ...value.attr, name: target.attr.name } };
        acc = {
          plan: {
            kind: 'Project',
            input: added.input,
            exprs: acc.columns.map((c) => (c.attr.id === target.attr.id ? replaced : pass(c))),
          },
          columns: acc.columns.map((c) =>
            c.attr.id === target.attr.id ? { attr: replaced.attr, path: [], hidden: c.hidden } : c,
          ),
        };
      }
      return acc;
    }
    case 'drop': {
      const dropped = new Set<number>();
      const scope = new Scope(visible(r), null);
      for (const c of op.columns) {
        const found = scope.lookup([c.name], c.pos);
        if (found === undefined)
          throw unresolvedColumn(
            [c.name],
            visible(r).map((v) => v.attr.name),
            c.pos,
          );
        dropped.add(found.attr.id);
      }
      return { plan: r.plan, columns: r.columns.filter((c) => !dropped.has(c.attr.id)) };
    }
    case 'as': {
      const qualifier = op.alias.name;
      return {
        plan: visiblePlan(r),
        columns: visible(r).map((c) => ({
          attr: { ...c.attr, qualifier },
          path: [qualifier.toLowerCase()],
          hidden: false,
        })),
      };
    }
    case 'aggregate':
      return relationOf(bindAggregate(env, r, op));
    case 'join':
      return bindJoinTail(env, r, op.join);
    case 'set_operation': {
      const right = bindBody(state, op.right, env.outer, env.ctes);
      return relationOf(setOperationPlan(state, { ...op, byName: false }, visiblePlan(r), right));
    }
    case 'pivot':
      return bindPivot(env, r, op.pivot);
    case 'unpivot':
      return bindUnpivot(env, r, op.unpivot);
    case 'sample':
      return bindSample(env, r, op.sample);
    case 'organize': {
      let plan = r.plan;
      if (op.orderBy.length > 0) {
        const scope = new Scope(r.columns, env.outer);
        const xenv = exprEnv(env, scope, 'order_by');
        const cols = visible(r);
        const orders = op.orderBy.map((o): SortOrder => {
          const ascending = o.ascending ?? true;
          const nullsFirst = o.nullsFirst ?? ascending;
          const n = ordinalOf(o.expr);
          if (n !== null && state.ctx.orderByOrdinal !== false) {
            const c = cols[n - 1];
            if (c === undefined)
              throw analysisError(
                '42805',
                `[ORDER_BY_POS_OUT_OF_RANGE] ORDER BY position ${n} is not in select list (valid range is [1, ${cols.length}]).`,
                o.expr.pos,
              );
            return { expr: { kind: 'column', attr: c.attr }, ascending, nullsFirst };
          }
          return { expr: bindExpr(xenv, o.expr), ascending, nullsFirst };
        });
        plan = { kind: 'Sort', input: plan, orders };
      }
      if (op.limit !== null || op.offset !== null) {
        const limit = op.limit === null ? null : constantCount(state, op.limit, 'LIMIT', env.outer, env.ctes);
        const offset =
          op.offset === null ? 0 : constantCount(state, op.offset, 'OFFSET', env.outer, env.ctes);
        plan = { kind: 'Limit', input: plan, limit, offset };
      }
      return { plan, columns: r.columns };
    }
  }
}

function ordinalOf(e: ast.Expr): number | null {
  return e.kind === 'literal' && e.value.type === 'integer' && e.value.suffix === null
    ? Number(e.value.text)
    : null;
}

function selectOf(
  items: readonly ast.SelectItem[],
  windows: readonly ast.NamedWindow[],
  distinct: boolean,
  pos: number,
  groupBy: ast.GroupBy | null = null,
): ast.Select {
  return {
    kind: 'select',
    distinct,
    items,
    from: [],
    where: null,
    groupBy,
    having: null,
    windows,
    qualify: null,
    pos,
  };
}

/**
 * New columns computed over the relation (window functions allowed, aggregates not): the
 * Project's input (the relation's rows, with any window columns) and the new columns.
 */
function projectOver(
  env: RelationEnv,
  r: BoundRelation,
  items: readonly ast.ExprSelectItem[],
  clause: string,
  pos: number,
): { input: LogicalPlan; exprs: readonly NamedExpr[] } {
  const plan = bindSelectOver(
    env.state,
    selectOf(items, [], false, pos),
    [],
    r,
    env.outer,
    env.ctes,
    (exprs) => refuseAggregates(exprs, clause, pos),
  );
  if (plan.kind !== 'Project')
    throw analysisError(SqlState.internalError, `internal error: ${clause} bound to ${plan.kind}`, pos);
  return { input: plan.input, exprs: plan.exprs };
}

/** The first aggregate call in `e` (which contains one). */
function firstAggregate(e: Expr): Expr {
  if (e.kind === 'aggregate') return e;
  for (const c of exprChildren(e)) if (containsAggregate(c)) return firstAggregate(c);
  return e;
}

function refuseAggregates(exprs: readonly Expr[], clause: string, pos: number): void {
  const found = exprs.find((e) => containsAggregate(e));
  if (found === undefined) return;
  throw analysisError(
    SqlState.featureNotSupported,
    `[PIPE_OPERATOR_CONTAINS_AGGREGATE_FUNCTION] Aggregate function ${planExprName(firstAggregate(found))} is not allowed when using the pipe operator |> ${clause} clause; please use the pipe operator |> AGGREGATE clause instead.`,
    pos,
  );
}

/**
 * `|> AGGREGATE aggs GROUP BY groups`: a SELECT of the grouping expressions then the aggregates,
 * grouped by the grouping expressions. A GROUP BY ordinal names a column of the input.
 */
function bindAggregate(
  env: RelationEnv,
  r: BoundRelation,
  op: ast.PipeOperator & { kind: 'aggregate' },
): LogicalPlan {
  const cols = visible(r);
  const groups = (op.groupBy ?? []).map((g): ast.ExprSelectItem => {
    const n = env.state.ctx.groupByOrdinal === false ? null : ordinalOf(g.expr);
    if (n === null) return g;
    const c = cols[n - 1];
    if (c === undefined)
      throw analysisError(
        '42805',
        `[GROUP_BY_POS_OUT_OF_RANGE] GROUP BY position ${n} is not in select list (valid range is [1, ${cols.length}]).`,
        g.expr.pos,
      );
    const parts = [...c.path.slice(-1), c.attr.name].map((name) => ({ name, quoted: true, pos: g.expr.pos }));
    return { ...g, expr: { kind: 'column', name: { parts, pos: g.expr.pos }, pos: g.expr.pos } };
  });
  const groupBy: ast.GroupBy | null =
    op.groupBy === null
      ? null
      : {
          all: false,
          items: groups.map((g) => ({ kind: 'group_expr', expr: g.expr, pos: g.pos })),
          pos: op.pos,
        };
  const sel = selectOf([...groups, ...op.items], [], false, op.pos, groupBy);
  return bindSelectOver(env.state, sel, [], r, env.outer, env.ctes, (exprs) => {
    const groupKeys = new Set(exprs.slice(0, groups.length).map(exprKey));
    exprs.forEach((e, i) => {
      const item = i < groups.length ? groups[i]! : op.items[i - groups.length]!;
      if (containsWindow(e))
        throw analysisError(
          SqlState.featureNotSupported,
          `[PIPE_OPERATOR_AGGREGATE_UNSUPPORTED_CASE] The SQL pipe operator |> AGGREGATE does not support window functions: ${exprName(item.expr)}.`,
          item.pos,
        );
      if (i >= groups.length && !containsAggregate(e) && !groupKeys.has(exprKey(e)))
        throw analysisError(
          SqlState.featureNotSupported,
          `[PIPE_OPERATOR_AGGREGATE_EXPRESSION_CONTAINS_NO_AGGREGATE_FUNCTION] Non-grouping expression ${exprName(item.expr)} is provided as an argument to the |> AGGREGATE pipe operator but does not contain any aggregate function; please update it to include an aggregate function and then retry the query again.`,
          item.pos,
        );
    });
  });
}
