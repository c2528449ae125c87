/**
 * Logical plan nodes: readonly data, one `kind` each. Only `planChildren`/`planWithChildren` in
 * `tree.ts` know where children live; everything else goes through the shared rewrite API.
 *
 * `output` of every node is computed by `outputOf` (see tree.ts) except where a node must carry
 * its own (scans, values, set operations), because its attribute ids are minted there.
 */
import type { Schema, Value } from '../common/index.ts';
import type { Attribute, Expr, NamedExpr, SortOrder } from './expr.ts';

/**
 * What a Scan reads. The catalog's table providers implement it; the plan layer only needs a name
 * and a schema, the physical planner asks the catalog layer for the rest.
 */
export interface TableSource {
  /** `['tpch', 'lineitem']`. */
  readonly qualifiedName: readonly string[];
  readonly schema: Schema;
}

export interface ScanNode {
  readonly kind: 'Scan';
  readonly table: TableSource;
  /** One attribute per table column, in table order (ids minted by the analyzer). */
  readonly tableOutput: readonly Attribute[];
  /** Indexes into `tableOutput` that the scan produces; null = all columns. */
  readonly projection: readonly number[] | null;
  /** Conjuncts pushed into the scan; the scan may use them to skip data but the plan keeps them above. */
  readonly filters: readonly Expr[];
  readonly limit: number | null;
  /** The alias the query gave the table, for EXPLAIN. */
  readonly alias: string | null;
}

/** Literal rows. `SELECT 1` without FROM is Values with one row of zero columns. */
export interface ValuesNode {
  readonly kind: 'Values';
  readonly output: readonly Attribute[];
  readonly rows: readonly (readonly Value[])[];
}

/**
 * `range(start, end, step)`: the BIGINT column `id` from `start` (inclusive) to `end` (exclusive)
 * by `step` (never 0), produced lazily in `numPartitions` slices (null = the engine's default).
 */
export interface RangeNode {
  readonly kind: 'Range';
  readonly start: bigint;
  readonly end: bigint;
  readonly step: bigint;
  readonly numPartitions: number | null;
  readonly output: readonly Attribute[];
}

export interface FilterNode {
  readonly kind: 'Filter';
  readonly input: LogicalPlan;
  readonly predicate: Expr;
}

export interface ProjectNode {
  readonly kind: 'Project';
  readonly input: LogicalPlan;
  readonly exprs: readonly NamedExpr[];
  /**
   * Set on the Project that gives a view's columns (the view's qualified name): where-from metadata
   * (PostgreSQL's RowDescription names the view, not its tables). Plans treat it as any Project.
   */
  readonly view?: readonly string[];
}

/**
 * Groups by `groupBy` and computes `aggregates` (each an AggregateExpr); output is the group
 * attributes followed by the aggregate attributes. Any expression over them (`sum(a) / count(*)`,
 * HAVING) is a Project/Filter above.
 *
 * Grouping sets: `groupingSets` lists, per set, the indexes into `groupBy` that are grouped; the other
 * group columns are NULL in that set's rows, and `groupingId` (if set) receives Spark's grouping id
 * (bit i set when groupBy[i] is NOT grouped, most significant bit first).
 */
export interface AggregateNode {
  readonly kind: 'Aggregate';
  readonly input: LogicalPlan;
  readonly groupBy: readonly NamedExpr[];
  readonly aggregates: readonly NamedExpr[];
  readonly groupingSets: readonly (readonly number[])[] | null;
  readonly groupingId: Attribute | null;
}

/** Adds one column per window expression to the input's columns. All share one partition/order spec. */
export interface WindowNode {
  readonly kind: 'Window';
  readonly input: LogicalPlan;
  readonly windows: readonly NamedExpr[];
}

/**
 * - inner/left/right/full: output = left ++ right (nullable on the outer side).
 * - cross: inner without a condition.
 * - left_semi/left_anti: output = left.
 * - left_mark: output = left ++ [mark], where mark is TRUE if a match exists, FALSE if none, and
 *   NULL if none but the condition was unknown for some row (SQL IN semantics). Used for IN/EXISTS
 *   subqueries under OR or in projections.
 * `nullAware` (left_anti only): NOT IN semantics — a NULL on either side of the equality makes the
 * row not qualify.
 */
export type JoinType =
  'inner' | 'left' | 'right' | 'full' | 'cross' | 'left_semi' | 'left_anti' | 'left_mark';

export interface JoinNode {
  readonly kind: 'Join';
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly joinType: JoinType;
  readonly condition: Expr | null;
  readonly mark: Attribute | null;
  readonly nullAware: boolean;
}

export interface SortNode {
  readonly kind: 'Sort';
  readonly input: LogicalPlan;
  readonly orders: readonly SortOrder[];
}

export interface LimitNode {
  readonly kind: 'Limit';
  readonly input: LogicalPlan;
  /** Null = no limit (OFFSET only). */
  readonly limit: number | null;
  readonly offset: number;
}

/** UNION / INTERSECT / EXCEPT; both inputs already have the output's types (the analyzer casts). */
export interface SetOpNode {
  readonly kind: 'SetOp';
  readonly op: 'union' | 'intersect' | 'except';
  readonly all: boolean;
  readonly left: LogicalPlan;
  readonly right: LogicalPlan;
  readonly output: readonly Attribute[];
}

/**
 * `WITH RECURSIVE name AS (anchor UNION [ALL] recursive)`: `recursive` reads the previous
 * iteration's rows through a WorkTable node with the same `cteId`.
 */
export interface RecursiveCteNode {
  readonly kind: 'RecursiveCte';
  readonly cteId: number;
  readonly anchor: LogicalPlan;
  readonly recursive: LogicalPlan;
  readonly distinct: boolean;
  readonly output: readonly Attribute[];
}

export interface WorkTableNode {
  readonly kind: 'WorkTable';
  readonly cteId: number;
  readonly output: readonly Attribute[];
}

/** Assigns new attribute ids to its input's columns (a CTE referenced twice, a self-join). */
export interface RenameNode {
  readonly kind: 'Rename';
  readonly input: LogicalPlan;
  readonly output: readonly Attribute[];
}

/**
 * A generator (Spark's Generate): each input row is repeated once per element of the array `arg`,
 * with the element (and for posexplode its 0-based position first) appended as `generatorOutput`;
 * `inline` explodes an array of structs into one column per field (a NULL struct: NULL columns).
 * Output = input columns ++ generatorOutput. A NULL or empty array yields no row, unless `outer`,
 * which yields one row with NULL generator columns (`explode_outer`, `LATERAL VIEW OUTER`).
 */
export interface GenerateNode {
  readonly kind: 'Generate';
  readonly input: LogicalPlan;
  readonly generator: 'explode' | 'posexplode' | 'inline';
  /**
   * The array (or, for explode and posexplode, map) expression, over the input's columns. A map's
   * entries explode to two columns, key and value; inline's array of structs to one column per
   * field (a NULL struct: NULL fields).
   */
  readonly arg: Expr;
  readonly outer: boolean;
  /**
   * `[col]` for explode, `[pos, col]` for posexplode (`key, value` for `col` of a map), the
   * struct's fields for inline.
   */
  readonly generatorOutput: readonly Attribute[];
}

export type LogicalPlan =
  | GenerateNode
  | ScanNode
  | ValuesNode
  | RangeNode
  | FilterNode
  | ProjectNode
  | AggregateNode
  | WindowNode
  | JoinNode
  | SortNode
  | LimitNode
  | SetOpNode
  | RecursiveCteNode
  | WorkTableNode
  | RenameNode;

export type PlanKind = LogicalPlan['kind'];
