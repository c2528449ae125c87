/**
 * What the binders carry while walking one statement: the context, the positions of bound column
 * references (for errors found after binding), the CTEs in scope, and the environment of an
 * expression (its scope, which clause it is in, what it may contain).
 */
import type { Expr, LambdaVarExpr, LogicalPlan } from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { AnalyzerContext } from './context.ts';
import type { Scope } from './scope.ts';

export interface BindState {
  readonly ctx: AnalyzerContext;
  /** AST position of each bound column reference, for errors found after binding (MISSING_AGGREGATION). */
  readonly positions: WeakMap<Expr, number>;
  /** Binds a subquery (expression or FROM item) whose outer references resolve in `outer`. */
  bindSubquery(query: ast.Query, outer: Scope | null, ctes: CteEnv | null): LogicalPlan;
  /**
   * While a subquery is bound: the clause of the enclosing query it stands in, by the scope its
   * outer references resolve in. An aggregate in the subquery of only that query's columns is an
   * aggregate of that clause (`SELECT (SELECT max(t.b)) FROM t`, `HAVING EXISTS (… = sum(t.b))`),
   * which the enclosing query computes when the clause may aggregate.
   */
  readonly enclosingClauses: Map<Scope, ExprEnv>;
}

/** A CTE in scope: each reference instantiates a fresh copy (fresh attribute ids). */
export interface CteEntry {
  readonly name: string;
  instantiate(pos: number): LogicalPlan;
}

export interface CteEnv {
  readonly entry: CteEntry;
  readonly parent: CteEnv | null;
}

export function findCte(env: CteEnv | null, name: string): CteEntry | undefined {
  const lower = name.toLowerCase();
  for (let e = env; e !== null; e = e.parent) if (e.entry.name === lower) return e.entry;
  return undefined;
}

/** Which clause an expression is in; decides whether aggregates and window functions may appear. */
export type Clause =
  'select' | 'where' | 'group_by' | 'having' | 'order_by' | 'join' | 'values' | 'qualify' | 'limit' | 'other';

export interface ExprEnv {
  readonly state: BindState;
  readonly scope: Scope;
  readonly ctes: CteEnv | null;
  readonly clause: Clause;
  readonly allowAggregates: boolean;
  /** True while binding the arguments of an aggregate (nested aggregates are an error). */
  readonly insideAggregate: boolean;
  readonly allowWindows: boolean;
  /** Select-list aliases (lower-cased) usable by this clause, and whether they win over input columns. */
  readonly aliases: ReadonlyMap<string, Expr> | null;
  readonly aliasFirst: boolean;
  /** Lateral aliases given more than once before (lower-cased → how many times): naming one is ambiguous. */
  readonly ambiguousAliases?: ReadonlyMap<string, number>;
  readonly namedWindows: ReadonlyMap<string, ast.WindowSpec> | null;
  /** Inside a lambda's body: its parameters and those of enclosing lambdas, by lower-cased name. */
  readonly lambdaVars?: ReadonlyMap<string, LambdaVarExpr>;
  /** How many parameters the enclosing lambdas bind (the next parameter's id). */
  readonly lambdaDepth?: number;
}
