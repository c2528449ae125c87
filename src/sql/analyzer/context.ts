/**
 * What the analyzer needs from the rest of the engine: a catalog to resolve relation names, the
 * function registry, session flags and an id source for attributes. The session implements these.
 */
import type { DataType, Field, Value } from '../../common/index.ts';
import type { FunctionRegistry } from '../../functions/index.ts';
import type { Expr as PlanExpr, TableSource } from '../../plan/index.ts';
import type { Expr, Query } from '../parser/index.ts';

export type RelationLookup =
  | { readonly kind: 'table'; readonly source: TableSource }
  /** A relation the session computes while it analyzes the query (`pg_catalog.pg_class`…). */
  | {
      readonly kind: 'rows';
      readonly name: readonly string[];
      readonly columns: readonly Field[];
      readonly rows: readonly (readonly Value[])[];
      /** PostgreSQL's `tableoid` system column: the relation's OID, named only (in no `*`). */
      readonly tableOid?: number;
    }
  | {
      readonly kind: 'view';
      readonly name: readonly string[];
      readonly query: Query;
      readonly columns: readonly string[] | null;
    };

export interface AnalyzerCatalog {
  /** Resolve a relation name (1–3 parts; a 1-part name checks temp views first, then the current database). */
  lookupRelation(parts: readonly string[]): RelationLookup | undefined;
  /** All relation names visible, for "did you mean" hints. */
  relationNames(): readonly string[];
}

export interface AnalyzerContext {
  readonly catalog: AnalyzerCatalog;
  readonly functions: FunctionRegistry;
  /** `spark.sql.ansi.enabled`. */
  readonly ansi: boolean;
  /** `spark.sql.caseSensitive` (only `false` is supported: names match case-insensitively). */
  readonly caseSensitive: boolean;
  /** `spark.sql.session.timeZone`: zone-less TIMESTAMP literals are wall-clock time here. */
  readonly timeZone: string;
  /**
   * `spark.sql.groupByOrdinal`, `spark.sql.groupByAliases`, `spark.sql.orderByOrdinal` (true when
   * absent): whether `GROUP BY 1` / `ORDER BY 1` name a select item (else they are the constant 1),
   * and whether GROUP BY sees the select list's aliases.
   */
  readonly groupByOrdinal?: boolean;
  /**
   * `spark.sql.legacy.interval.enabled` (false when absent): every interval literal is a calendar
   * interval (`interval`), units of both families allowed, instead of an ANSI interval.
   */
  readonly legacyInterval?: boolean;
  readonly groupByAliases?: boolean;
  readonly orderByOrdinal?: boolean;
  /** A fresh attribute id, unique for the life of the query. */
  nextId(): number;
  /**
   * Functions the session answers from what it knows (the catalog, the user): a call of one comes
   * back as the expression to analyze instead (`pg_table_is_visible(c.oid)` → `c.oid IN (…)`);
   * undefined for any other name. Casts to PostgreSQL-only types come as `::regclass` and the like.
   */
  readonly expandFunction?: (name: string, args: readonly Expr[], pos: number) => Expr | undefined;
  /**
   * Set-returning functions the session answers (`pg_partition_ancestors(rel)`): a call of one
   * comes back as an array expression whose elements are its rows, and binds as an explode of it;
   * undefined for any other name.
   */
  readonly expandSetFunction?: (name: string, args: readonly Expr[], pos: number) => Expr | undefined;
  /**
   * Table functions the session answers with rows (`FROM pg_get_keywords()`): a call in FROM of
   * one comes back as its columns and rows; undefined for any other name.
   */
  readonly expandTableFunction?: (
    name: string,
    args: readonly Expr[],
    pos: number,
  ) => Extract<RelationLookup, { kind: 'rows' }> | undefined;
  /**
   * Session variables (`DECLARE`): the value and type of the variable a name denotes (`x`,
   * `session.x`, `system.session.x`), or undefined. A name is read as a variable only where no
   * column, alias or outer column answers to it; the value enters the plan as a constant.
   */
  readonly lookupVariable?: (
    parts: readonly string[],
  ) => { readonly value: Value; readonly type: DataType } | undefined;
  /** Declared types of `$1`, `$2`…; null or missing = not declared. */
  readonly parameterTypes?: readonly (DataType | null)[];
  /**
   * Evaluates a column-free expression, for clauses that need a constant written as an expression
   * (`LIMIT 1 + 1`, frame offsets, a function's literal argument); absent in tests, where only
   * literals count as constants.
   */
  readonly evaluateConstant?: (e: PlanExpr) => Value;
}
