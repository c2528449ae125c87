/**
 * Bound, typed expressions of the logical plan.
 *
 * Columns are Spark-style attribute references: each output column of a plan node has a unique
 * numeric `id` for the life of a query (the analyzer hands them out), so rewrites can move
 * expressions between nodes without re-resolving names. The physical planner binds ids to input
 * positions (`name@index` in EXPLAIN).
 *
 * Typing contract with the physical layer (the analyzer inserts casts to make it true):
 * - comparison operands (`=`, `<`, `<=>`…) have equal types;
 * - arithmetic operands have equal types, except decimals: both are decimal (precisions and scales
 *   may differ) and `type` is the Spark result type, which the kernel must produce exactly;
 * - `and`/`or`/`not` operands are boolean; `case` branch values and `in` list items have the result
 *   type of the whole;
 * - date/timestamp arithmetic is a `call` (`date_add`, `timestamp_add_interval`…), never a `binary`.
 */
import type { DataType, Value } from '../common/index.ts';
import type { LogicalPlan } from './logical-plan.ts';

/** An output column of a plan node. */
export interface Attribute {
  readonly id: number;
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
  /** The table alias or name the column came from, for resolution and EXPLAIN; not identity. */
  readonly qualifier: string | null;
}

export type Expr =
  | LiteralExpr
  | ColumnRef
  | OuterRef
  | BinaryExpr
  | UnaryExpr
  | CastExpr
  | CaseExpr
  | InListExpr
  | CallExpr
  | AggregateExpr
  | WindowExpr
  | ScalarSubqueryExpr
  | ExistsExpr
  | InSubqueryExpr
  | ParameterExpr
  | HigherOrderExpr
  | LambdaVarExpr;

export interface LiteralExpr {
  readonly kind: 'literal';
  readonly value: Value;
  readonly type: DataType;
}

export interface ColumnRef {
  readonly kind: 'column';
  readonly attr: Attribute;
}

/** A reference from inside a subquery plan to a column of the enclosing query (correlation). */
export interface OuterRef {
  readonly kind: 'outer_ref';
  readonly attr: Attribute;
}

export type ArithmeticOp = '+' | '-' | '*' | '/' | '%' | 'div';
export type ComparisonOp = '=' | '<>' | '<' | '<=' | '>' | '>=' | '<=>';
export type LogicalOp = 'and' | 'or';
export type BinaryOp = ArithmeticOp | ComparisonOp | LogicalOp;

export interface BinaryExpr {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
  readonly type: DataType;
  /** Errors (ANSI) vs NULL (legacy / try_) on overflow and division by zero. */
  readonly failOnError: boolean;
}

export type UnaryOp =
  'not' | 'negate' | 'is_null' | 'is_not_null' | 'is_true' | 'is_false' | 'is_not_true' | 'is_not_false';

export interface UnaryExpr {
  readonly kind: 'unary';
  readonly op: UnaryOp;
  readonly input: Expr;
  readonly type: DataType;
  readonly failOnError: boolean;
}

export interface CastExpr {
  readonly kind: 'cast';
  readonly input: Expr;
  readonly type: DataType;
  /** `ansi`: invalid input is an error; `try`: NULL; `legacy`: Spark's non-ANSI behaviour. */
  readonly mode: 'ansi' | 'try' | 'legacy';
}

export interface CaseExpr {
  readonly kind: 'case';
  readonly branches: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly otherwise: Expr | null;
  readonly type: DataType;
}

export interface InListExpr {
  readonly kind: 'in_list';
  readonly input: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
}

/** A scalar function from the registry in src/functions, by its canonical name. */
export interface CallExpr {
  readonly kind: 'call';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly type: DataType;
  readonly nullable: boolean;
  readonly failOnError: boolean;
}

/** An aggregate function call; appears only in `Aggregate.aggregates` (and inside WindowExpr). */
export interface AggregateExpr {
  readonly kind: 'aggregate';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  readonly filter: Expr | null;
  readonly ignoreNulls: boolean;
  readonly type: DataType;
  readonly failOnError: boolean;
}

export interface SortOrder {
  readonly expr: Expr;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

export type FrameBound =
  | { readonly kind: 'unbounded_preceding' }
  | { readonly kind: 'unbounded_following' }
  | { readonly kind: 'current_row' }
  /** `offset` is a literal, negative to move the other way: a row count for ROWS, a value of the order key's type for RANGE. */
  | { readonly kind: 'preceding'; readonly offset: Expr }
  | { readonly kind: 'following'; readonly offset: Expr };

export interface WindowFrame {
  readonly units: 'rows' | 'range';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

export interface WindowSpec {
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly SortOrder[];
  /** Always filled in by the analyzer with Spark's default when not written. */
  readonly frame: WindowFrame;
}

/** A window function (`row_number`, `lag`, …) or an aggregate evaluated over a window. */
export interface WindowExpr {
  readonly kind: 'window';
  /** An AggregateExpr for aggregates over windows; a CallExpr naming a window function otherwise. */
  readonly function: AggregateExpr | CallExpr;
  readonly spec: WindowSpec;
  readonly type: DataType;
}

export interface ScalarSubqueryExpr {
  readonly kind: 'scalar_subquery';
  readonly plan: LogicalPlan;
  readonly type: DataType;
}

export interface ExistsExpr {
  readonly kind: 'exists';
  readonly plan: LogicalPlan;
}

export interface InSubqueryExpr {
  readonly kind: 'in_subquery';
  readonly values: readonly Expr[];
  readonly plan: LogicalPlan;
  readonly negated: boolean;
}

/** `$n` of a prepared statement; replaced by a literal before optimization. */
export interface ParameterExpr {
  readonly kind: 'parameter';
  readonly index: number;
  readonly type: DataType;
}

/**
 * A parameter of a lambda function. Its `id` is the number of parameters the enclosing lambdas
 * bind before it (the outermost lambda's first parameter is 0), so the same text binds to the
 * same expression; a `lambda_var` refers to the nearest enclosing lambda that binds its id.
 */
export interface LambdaVariable {
  readonly id: number;
  readonly name: string;
  readonly type: DataType;
  readonly nullable: boolean;
}

/** A reference to a lambda parameter inside the lambda's body. */
export interface LambdaVarExpr {
  readonly kind: 'lambda_var';
  readonly variable: LambdaVariable;
}

/** `(x, y) -> body`: an argument of a higher-order function only, never a value of its own. */
export interface LambdaFunction {
  readonly params: readonly LambdaVariable[];
  readonly body: Expr;
}

/**
 * A higher-order function (`transform`, `filter`, `aggregate`, `map_filter`, …) by its canonical
 * name: its value arguments, then its lambdas (every such function takes its lambdas last). The
 * analyzer has checked arity and types; the physical layer evaluates each lambda over all the
 * elements of a batch at once.
 */
export interface HigherOrderExpr {
  readonly kind: 'higher_order';
  readonly name: string;
  readonly args: readonly Expr[];
  readonly lambdas: readonly LambdaFunction[];
  readonly type: DataType;
  readonly nullable: boolean;
  readonly failOnError: boolean;
}

/** An expression together with the output attribute it defines (a select item, a group key…). */
export interface NamedExpr {
  readonly expr: Expr;
  readonly attr: Attribute;
}
