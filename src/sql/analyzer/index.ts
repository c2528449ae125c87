/**
 * Analyzer: binds the parser's AST to the typed logical plan of src/plan — names (Spark's
 * case-insensitive resolution with outer scopes), types (Spark 4 ANSI coercions), functions
 * (through the registry), aggregates, windows, subqueries, CTEs and set operations.
 *
 *   analyzeQuery(ast.Query, ctx) ─► LogicalPlan whose output attributes carry the column names
 */
import type { Attribute, Expr, LogicalPlan } from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { BindState, CteEnv } from './binder-state.ts';
import type { AnalyzerContext } from './context.ts';
import { bindExpr } from './expression.ts';
import { bindQuery } from './query.ts';
import { exprEnv } from './relation.ts';
import { Scope, scopeColumns } from './scope.ts';

export type { AnalyzerCatalog, AnalyzerContext, RelationLookup } from './context.ts';
export { WINDOW_FUNCTION_NAMES } from './window-function.ts';
export { HIGHER_ORDER_FUNCTIONS } from './higher-order.ts';
export { describeFunctionName, listFunctions, type FunctionInfo } from './function-catalog.ts';
export { parseDate, parseTimestamp } from './literal.ts';

function newState(ctx: AnalyzerContext): BindState {
  const state: BindState = {
    ctx,
    positions: new WeakMap(),
    enclosingClauses: new Map(),
    bindSubquery: (query: ast.Query, outer: Scope | null, ctes: CteEnv | null) =>
      bindQuery(state, query, outer, ctes),
  };
  return state;
}

/** Binds a query; the plan's output attributes carry the user-visible column names. */
export function analyzeQuery(query: ast.Query, ctx: AnalyzerContext): LogicalPlan {
  return bindQuery(newState(ctx), query, null, null);
}

/** Binds a standalone expression over `input` columns (DEFAULT values, CHECKs, tests). */
export function analyzeExpression(expr: ast.Expr, input: readonly Attribute[], ctx: AnalyzerContext): Expr {
  const state = newState(ctx);
  const scope = new Scope(
    input.map((a) => scopeColumns([a], a.qualifier === null ? [] : [a.qualifier])[0]!),
    null,
  );
  return bindExpr({ ...exprEnv({ state, ctes: null, outer: null }, scope, 'other') }, expr);
}
