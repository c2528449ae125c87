/**
 * PIVOT (Spark's): `input PIVOT (agg [AS a], … FOR col IN (v [AS x], …))` groups the input by its
 * columns that neither the aggregates nor the pivot column read, and makes one column per pivot
 * value and aggregate: the aggregate over the group's rows whose pivot column equals the value.
 *
 *   Project [g…, CASE WHEN n_v > 0 THEN agg_v END AS v, …]         (n_v: rows matching v)
 *   └─ Aggregate [g…] [agg(x) FILTER (WHERE col <=> v), count(*) FILTER (WHERE col <=> v), …]
 *      └─ input
 *
 * A value is a foldable expression cast to the pivot column's type (a row constructor for several
 * pivot columns, compared field by field); NULL matches NULL. As in Spark, when every aggregate
 * has a numeric or boolean type a value no row of the group matches gives NULL (Spark's PivotFirst:
 * `count` too); otherwise each aggregate sees the group's other rows as filtered out (`first` and
 * `last` then skip NULLs). Columns are named after the value (its alias, else its text), with
 * `_aggregate` (its alias, else its SQL) appended when there are several aggregates.
 */
import { SqlState, T, typeToString, type DataType, type Value } from '../../common/index.ts';
import {
  exprChildren,
  exprType,
  exprWithChildren,
  type Attribute,
  type Expr,
  type LogicalPlan,
  type NamedExpr,
} from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import { aggregateRewriter } from './aggregate-rewrite.ts';
import { canAnsiCast } from './cast-check.ts';
import { bindComparison } from './coercion.ts';
import { analysisError, unresolvedColumn } from './errors.ts';
import { exprName } from './expr-name.ts';
import { castTo, exprNullable, foldConstant } from './expr-utils.ts';
import { bindExpr } from './expression.ts';
import { exprEnv, type BoundRelation, type RelationEnv } from './relation.ts';
import { Scope, type ScopeColumn } from './scope.ts';

/** Aggregates Spark's PIVOT makes skip NULLs (the rows of other pivot values read as NULL). */
const SKIP_NULLS = new Set(['first', 'first_value', 'last', 'last_value', 'any_value']);

/** Result types Spark's PivotFirst handles: with only these, an unmatched value gives NULL. */
function pivotFirstType(t: DataType): boolean {
  switch (t.kind) {
    case 'boolean':
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
    case 'decimal':
      return true;
    default:
      return false;
  }
}

/** One pivot value: the condition selecting its rows and its name in the output. */
interface PivotValue {
  readonly condition: Expr;
  readonly name: string;
}

/** The rows of `r` pivoted by `p`. */
export function bindPivot(env: RelationEnv, r: BoundRelation, p: ast.PivotClause): BoundRelation {
  const state = env.state;
  const ctx = state.ctx;
  const cols = r.columns.filter((c) => !c.hidden);
  const scope = new Scope(r.columns, env.outer);

  const pivotColumns = p.columns.map((id): Expr => {
    const found = scope.lookup([id.name], id.pos);
    if (found === undefined)
      throw unresolvedColumn(
        [id.name],
        cols.map((c) => c.attr.name),
        id.pos,
      );
    return { kind: 'column', attr: found.attr };
  });

  const aggEnv = { ...exprEnv(env, scope, 'select'), allowAggregates: true };
  const aggregates = p.aggregates.map((item) => {
    // Window functions are refused by the binder here (no windows in this clause).
    const bound = bindExpr(aggEnv, item.expr);
    checkAggregated(bound, item);
    return { bound, name: item.alias?.name ?? exprName(item.expr) };
  });

  const values = p.values.map((v) => pivotValue(env, scope, pivotColumns, v));

  // Grouping columns: every visible input column the aggregates and pivot columns do not read.
  const read = new Set<number>();
  const collect = (e: Expr): void => {
    if (e.kind === 'column') read.add(e.attr.id);
    exprChildren(e).forEach(collect);
  };
  pivotColumns.forEach(collect);
  aggregates.forEach((a) => collect(a.bound));
  const groupCols: ScopeColumn[] = cols.filter((c) => !read.has(c.attr.id));
  const groups: NamedExpr[] = groupCols.map((c) => ({
    expr: { kind: 'column', attr: c.attr },
    attr: c.attr,
  }));

  const inputIds = new Set(r.columns.map((c) => c.attr.id));
  const rewriter = aggregateRewriter(groups, inputIds, () => ctx.nextId(), new WeakMap(), null);
  const firstMode = aggregates.every((a) => pivotFirstType(exprType(a.bound)));
  const outputs: NamedExpr[] = [];
  for (const v of values) {
    const matched: Expr | null = firstMode
      ? rewriter.rewrite({
          kind: 'aggregate',
          name: 'count',
          args: [],
          distinct: false,
          filter: v.condition,
          ignoreNulls: false,
          type: T.bigint,
          failOnError: ctx.ansi,
        })
      : null;
    for (const a of aggregates) {
      let expr = rewriter.rewrite(filtered(a.bound, v.condition, ctx.ansi));
      const type = exprType(expr);
      if (matched !== null) {
        const when: Expr = {
          kind: 'binary',
          op: '>',
          left: matched,
          right: { kind: 'literal', value: 0n, type: T.bigint },
          type: T.boolean,
          failOnError: ctx.ansi,
        };
        expr = { kind: 'case', branches: [{ when, then: expr }], otherwise: null, type };
      }
      const attr: Attribute = {
        id: ctx.nextId(),
        name: aggregates.length === 1 ? v.name : `${v.name}_${a.name}`,
        type,
        nullable: matched !== null || exprNullable(expr),
        qualifier: null,
      };
      outputs.push({ expr, attr });
    }
  }
  const aggregate: LogicalPlan = {
    kind: 'Aggregate',
    input: r.plan,
    groupBy: groups,
    aggregates: rewriter.aggregates,
    groupingSets: null,
    groupingId: null,
  };
  const plan: LogicalPlan = {
    kind: 'Project',
    input: aggregate,
    exprs: [
      ...groups.map((g) => ({ expr: { kind: 'column' as const, attr: g.attr }, attr: g.attr })),
      ...outputs,
    ],
  };
  return {
    plan,
    columns: [
      ...groupCols.map((c): ScopeColumn => ({ attr: c.attr, path: c.path, hidden: false })),
      ...outputs.map((o): ScopeColumn => ({ attr: o.attr, path: [], hidden: false })),
    ],
  };
}

/** Spark's rule: a PIVOT aggregate reads input columns only inside aggregate functions. */
function checkAggregated(e: Expr, item: ast.ExprSelectItem): void {
  if (e.kind === 'aggregate') return;
  if (e.kind === 'column')
    throw analysisError(
      SqlState.groupingError,
      `[COLUMN_NOT_IN_GROUP_BY_CLAUSE] The expression "${e.attr.name}" is neither present in the group by, nor is it an aggregate function. Add to group by or wrap in \`first()\` (or \`first_value\`) if you don't care which value you get.`,
      item.pos,
    );
  exprChildren(e).forEach((c) => checkAggregated(c, item));
}

/** `e` with each aggregate call restricted to the rows `condition` selects. */
function filtered(e: Expr, condition: Expr, ansi: boolean): Expr {
  if (e.kind === 'aggregate') {
    const filter: Expr =
      e.filter === null
        ? condition
        : { kind: 'binary', op: 'and', left: e.filter, right: condition, type: T.boolean, failOnError: ansi };
    return { ...e, filter, ignoreNulls: e.ignoreNulls || SKIP_NULLS.has(e.name) };
  }
  const kids = exprChildren(e);
  return kids.length === 0
    ? e
    : exprWithChildren(
        e,
        kids.map((k) => filtered(k, condition, ansi)),
      );
}

/**
 * A pivot value: foldable (NON_LITERAL_PIVOT_VALUES), castable to the pivot column's type
 * (PIVOT_VALUE_DATA_TYPE_MISMATCH), cast and evaluated now; several pivot columns take a struct
 * whose fields are compared one by one.
 */
function pivotValue(
  env: RelationEnv,
  scope: Scope,
  pivotColumns: readonly Expr[],
  v: ast.PivotClause['values'][number],
): PivotValue {
  const ctx = env.state.ctx;
  const bound = foldConstant(ctx, bindExpr(exprEnv(env, scope, 'values'), v.expr));
  if (bound.kind !== 'literal' || ctx.evaluateConstant === undefined)
    throw analysisError(
      '42K08',
      `[NON_LITERAL_PIVOT_VALUES] Literal expressions required for pivot values, found "${exprName(v.expr)}".`,
      v.pos,
    );
  const pivotType: DataType =
    pivotColumns.length === 1
      ? exprType(pivotColumns[0]!)
      : {
          kind: 'struct',
          fields: pivotColumns.map((c, i) => ({
            name: c.kind === 'column' ? c.attr.name : `col${i + 1}`,
            type: exprType(c),
            nullable: true,
          })),
        };
  const valueType = exprType(bound);
  const fits =
    pivotColumns.length === 1 || valueType.kind === 'null'
      ? canAnsiCast(valueType, pivotType)
      : valueType.kind === 'struct' &&
        pivotType.kind === 'struct' &&
        valueType.fields.length === pivotType.fields.length &&
        valueType.fields.every((f, i) => canAnsiCast(f.type, pivotType.fields[i]!.type));
  if (!fits)
    throw analysisError(
      SqlState.datatypeMismatch,
      `[PIVOT_VALUE_DATA_TYPE_MISMATCH] Invalid pivot value '${exprName(v.expr)}': value data type ${typeText(valueType)} does not match pivot column data type ${typeText(pivotType)}.`,
      v.pos,
    );
  const cast: Value = ctx.evaluateConstant(castTo(bound, pivotType));
  const text = ctx.evaluateConstant(castTo(bound, T.string));
  const name = v.alias?.name ?? (typeof text === 'string' ? text : 'null');
  // Several pivot columns compare as a struct, which is never NULL: a NULL value matches no row.
  if (pivotColumns.length > 1 && cast === null)
    return { condition: { kind: 'literal', value: false, type: T.boolean }, name };
  const fieldValues: readonly Value[] = pivotColumns.length === 1 ? [cast] : (cast as readonly Value[]);
  let condition: Expr | null = null;
  pivotColumns.forEach((c, i) => {
    const literal: Expr = { kind: 'literal', value: fieldValues[i]!, type: exprType(c) };
    const eq = bindComparison('<=>', c, literal, `(${exprName(v.expr)})`, v.pos, ctx.ansi);
    condition =
      condition === null
        ? eq
        : { kind: 'binary', op: 'and', left: condition, right: eq, type: T.boolean, failOnError: ctx.ansi };
  });
  return { condition: condition!, name };
}

/** A type as Spark's messages print it (`"INT"`). */
function typeText(t: DataType): string {
  return `"${typeToString(t).toUpperCase()}"`;
}
