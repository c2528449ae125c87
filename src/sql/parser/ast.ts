/**
 * The typed AST the parser produces and the analyzer consumes.
 *
 * Readonly discriminated unions on `kind`. Every node carries `pos`: the 1-based character offset
 * of its first token in the SQL text (what an error's `position` points at). Names are kept as
 * written, with `quoted` telling whether case must be preserved; keywords are normalized to the
 * lower-case spellings below. Syntactic sugar is left for the analyzer (BETWEEN, IN lists, CASE with
 * an operand), but forms that are only spelling variants are normalized here:
 * `SUBSTRING(a FROM b FOR c)` → function `substring(a, b, c)`, `POSITION(a IN b)` → `position(a, b)`,
 * `TRIM(LEADING x FROM y)` → `ltrim(y, x)` (Spark's argument order), `EXTRACT(f FROM x)` → `extract`,
 * `a::t` → cast, `!=` → `<>`, `==` → `=`, `MINUS` → `except`.
 */
import type { CalendarInterval, CopyOptions, DataType, IntervalValue } from '../../common/index.ts';

export interface Node {
  readonly pos: number;
}

export interface Identifier extends Node {
  readonly name: string;
  readonly quoted: boolean;
}

/** `db.table`, `t.col`, `catalog.db.table`: one to three (or more) identifiers. */
export interface QualifiedName extends Node {
  readonly parts: readonly Identifier[];
}

// ---------------------------------------------------------------------------------------------
// Statements

export type Statement =
  | QueryStatement
  | CreateTableStatement
  | DropTableStatement
  | CreateDatabaseStatement
  | DropDatabaseStatement
  | UseStatement
  | ShowTablesStatement
  | ShowDatabasesStatement
  | ShowColumnsStatement
  | ShowFunctionsStatement
  | DescribeFunctionStatement
  | ShowCreateTableStatement
  | DescribeStatement
  | SetStatement
  | ResetStatement
  | ShowVariableStatement
  | ExplainStatement
  | CreateViewStatement
  | DropViewStatement
  | InsertStatement
  | MultiInsertStatement
  | TruncateTableStatement
  | TransactionStatement
  | AnalyzeTableStatement
  | CacheStatement
  | CopyStatement
  | DeallocateStatement
  | DiscardStatement
  | DeclareCursorStatement
  | FetchStatement
  | CloseCursorStatement
  | DeclareVariableStatement
  | SetVariableStatement
  | DropVariableStatement
  | ExecuteImmediateStatement;

/**
 * `DECLARE [OR REPLACE] [VARIABLE] name [type] [DEFAULT | = expr]`: a session variable. The name
 * may be qualified `session.x` or `system.session.x`.
 */
export interface DeclareVariableStatement extends Node {
  readonly kind: 'declare_variable';
  readonly name: QualifiedName;
  readonly orReplace: boolean;
  readonly type: DataType | null;
  readonly defaultExpr: Expr | null;
}

/** `SET VAR a = expr | DEFAULT, …` or `SET VAR (a, b) = (query)`. */
export interface SetVariableStatement extends Node {
  readonly kind: 'set_variable';
  readonly targets: readonly QualifiedName[];
  /** One expression per target (null for DEFAULT)… */
  readonly values: readonly (Expr | null)[] | null;
  /** …or the query whose one row gives them all. */
  readonly query: Query | null;
}

/** `DROP TEMPORARY VARIABLE [IF EXISTS] name`. */
export interface DropVariableStatement extends Node {
  readonly kind: 'drop_variable';
  readonly name: QualifiedName;
  readonly ifExists: boolean;
}

/** `EXECUTE IMMEDIATE sql [INTO var, …] [USING expr [AS name], …]`. */
export interface ExecuteImmediateStatement extends Node {
  readonly kind: 'execute_immediate';
  readonly sql: Expr;
  readonly into: readonly QualifiedName[];
  readonly args: readonly { readonly expr: Expr; readonly name: Identifier | null }[];
}

/** `COPY t [(cols)] | (query) TO STDOUT | FROM STDIN [WITH] (options)`. */
export interface CopyStatement extends Node {
  readonly kind: 'copy';
  readonly direction: 'to' | 'from';
  /** The table (TO or FROM) and its listed columns (null = all)… */
  readonly table: QualifiedName | null;
  readonly columns: readonly Identifier[] | null;
  /** …or the query whose rows go out (TO only). */
  readonly query: Query | null;
  readonly options: CopyOptions;
}

/** `DEALLOCATE [PREPARE] name | ALL`: drops prepared statements of the connection. */
export interface DeallocateStatement extends Node {
  readonly kind: 'deallocate';
  /** Null for ALL. */
  readonly name: string | null;
}

/** `DISCARD ALL | PLANS | SEQUENCES | TEMP`: resets session state (PostgreSQL's connection poolers send it). */
export interface DiscardStatement extends Node {
  readonly kind: 'discard';
  readonly what: 'all' | 'plans' | 'sequences' | 'temp';
}

/** `DECLARE name [BINARY] [NO SCROLL] CURSOR [WITH[OUT] HOLD] FOR query`. */
export interface DeclareCursorStatement extends Node {
  readonly kind: 'declare_cursor';
  readonly name: string;
  readonly binary: boolean;
  readonly hold: boolean;
  readonly query: Query;
}

/** `FETCH|MOVE [direction] [FROM|IN] name`: a forward count (or ALL), or one row further on. */
export interface FetchStatement extends Node {
  readonly kind: 'fetch';
  readonly move: boolean;
  readonly name: string;
  readonly step:
    | { readonly kind: 'forward'; readonly count: number | 'all' }
    | { readonly kind: 'absolute'; readonly row: number }
    /** The row `offset` past the current one (n > 0). */
    | { readonly kind: 'relative'; readonly offset: number };
}

/** `CLOSE name | ALL`. */
export interface CloseCursorStatement extends Node {
  readonly kind: 'close_cursor';
  /** Null for ALL. */
  readonly name: string | null;
}

export interface QueryStatement extends Node {
  readonly kind: 'query_statement';
  readonly query: Query;
}

export interface ColumnDefinition extends Node {
  readonly name: Identifier;
  readonly type: DataType;
  readonly nullable: boolean;
  readonly comment: string | null;
}

export interface CreateTableStatement extends Node {
  readonly kind: 'create_table';
  readonly name: QualifiedName;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  readonly external: boolean;
  /** Null when the columns come from `AS query` or from the files. */
  readonly columns: readonly ColumnDefinition[] | null;
  /** `USING csv|parquet|json|…`, lower-cased; null when absent (STORED AS is mapped here too). */
  readonly using: string | null;
  readonly options: readonly (readonly [string, string])[];
  readonly partitionedBy: readonly Identifier[];
  readonly location: string | null;
  readonly comment: string | null;
  readonly tblProperties: readonly (readonly [string, string])[];
  readonly asQuery: Query | null;
}

export interface DropTableStatement extends Node {
  readonly kind: 'drop_table';
  readonly name: QualifiedName;
  readonly ifExists: boolean;
  readonly purge: boolean;
}

export interface CreateDatabaseStatement extends Node {
  readonly kind: 'create_database';
  readonly name: Identifier;
  readonly ifNotExists: boolean;
  readonly location: string | null;
  readonly comment: string | null;
}

export interface DropDatabaseStatement extends Node {
  readonly kind: 'drop_database';
  readonly name: Identifier;
  readonly ifExists: boolean;
  readonly cascade: boolean;
}

export interface UseStatement extends Node {
  readonly kind: 'use';
  readonly name: Identifier;
}

export interface ShowTablesStatement extends Node {
  readonly kind: 'show_tables';
  readonly database: Identifier | null;
  /** `LIKE 'pattern'` with Spark's `*` and `|` wildcards. */
  readonly pattern: string | null;
}

export interface ShowDatabasesStatement extends Node {
  readonly kind: 'show_databases';
  readonly pattern: string | null;
}

export interface ShowColumnsStatement extends Node {
  readonly kind: 'show_columns';
  readonly table: QualifiedName;
}

/** `SHOW [USER | SYSTEM | ALL] FUNCTIONS [[LIKE] 'pattern']`; no scope lists all. */
export interface ShowFunctionsStatement extends Node {
  readonly kind: 'show_functions';
  readonly scope: 'user' | 'system' | 'all';
  readonly pattern: string | null;
}

/** `DESCRIBE FUNCTION [EXTENDED] name` (the name may also be a string literal). */
export interface DescribeFunctionStatement extends Node {
  readonly kind: 'describe_function';
  readonly name: QualifiedName;
  readonly extended: boolean;
}

export interface ShowCreateTableStatement extends Node {
  readonly kind: 'show_create_table';
  readonly table: QualifiedName;
}

export interface DescribeStatement extends Node {
  readonly kind: 'describe';
  /** `DESCRIBE [TABLE] [EXTENDED] t [column]` or `DESCRIBE QUERY SELECT …`. */
  readonly target:
    | { readonly kind: 'table'; readonly name: QualifiedName; readonly column: QualifiedName | null }
    | { readonly kind: 'query'; readonly query: Query };
  readonly extended: boolean;
}

/**
 * `SET` (list all), `SET key` (show one), `SET key = value` / `SET key TO value`,
 * `SET TIME ZONE 'x'` (key `spark.sql.session.timeZone`), `SET SESSION CHARACTERISTICS …` (ignored).
 * The value is the raw text after `=`, trimmed, with one level of quotes removed.
 */
export interface SetStatement extends Node {
  readonly kind: 'set';
  readonly key: string | null;
  readonly value: string | null;
}

export interface ResetStatement extends Node {
  readonly kind: 'reset';
  readonly key: string | null;
}

/** PostgreSQL's `SHOW name` / `SHOW ALL` (clients send it). */
export interface ShowVariableStatement extends Node {
  readonly kind: 'show_variable';
  readonly name: string;
}

export interface ExplainStatement extends Node {
  readonly kind: 'explain';
  readonly mode: 'simple' | 'extended' | 'verbose' | 'formatted' | 'cost' | 'analyze';
  readonly statement: Statement;
}

export interface CreateViewStatement extends Node {
  readonly kind: 'create_view';
  readonly name: QualifiedName;
  readonly orReplace: boolean;
  readonly ifNotExists: boolean;
  /** TEMPORARY / TEMP (session-scoped) vs a persistent view. GLOBAL TEMPORARY sets `global`. */
  readonly temporary: boolean;
  readonly global: boolean;
  readonly columns: readonly Identifier[] | null;
  readonly query: Query;
  /** The query's SQL text as written (for persistent views and SHOW CREATE). */
  readonly queryText: string;
}

export interface DropViewStatement extends Node {
  readonly kind: 'drop_view';
  readonly name: QualifiedName;
  readonly ifExists: boolean;
}

export interface InsertStatement extends Node {
  readonly kind: 'insert';
  readonly table: QualifiedName;
  readonly overwrite: boolean;
  readonly columns: readonly Identifier[] | null;
  readonly partition: PartitionSpec | null;
  readonly query: Query;
}

/**
 * Hive's multi-insert, `FROM src INSERT INTO t1 SELECT … INSERT OVERWRITE t2 SELECT …`: INSERTs
 * whose queries share one FROM, run one after another in the order written.
 */
export interface MultiInsertStatement extends Node {
  readonly kind: 'multi_insert';
  readonly inserts: readonly InsertStatement[];
}

/** `TRUNCATE TABLE t [PARTITION (p = v, …)]`: removes the rows of the table or of some partitions. */
export interface TruncateTableStatement extends Node {
  readonly kind: 'truncate_table';
  readonly table: QualifiedName;
  readonly partition: PartitionSpec | null;
}

/** `PARTITION (p = v, q)`: a column with a value (static) or without (dynamic). */
export type PartitionSpec = readonly (readonly [Identifier, Expr | null])[];

/** BEGIN / START TRANSACTION / COMMIT / END / ROLLBACK / SAVEPOINT … (PostgreSQL clients send them). */
export interface TransactionStatement extends Node {
  readonly kind: 'transaction';
  readonly action: 'begin' | 'commit' | 'rollback' | 'savepoint' | 'release' | 'rollback_to';
  readonly savepoint: string | null;
}

export interface AnalyzeTableStatement extends Node {
  readonly kind: 'analyze_table';
  readonly table: QualifiedName;
  readonly forColumns: readonly Identifier[] | 'all' | null;
  readonly noScan: boolean;
}

export interface CacheStatement extends Node {
  readonly kind: 'cache';
  readonly action: 'cache' | 'uncache' | 'clear';
  readonly table: QualifiedName | null;
  readonly lazy: boolean;
  readonly ifExists: boolean;
  /** `OPTIONS ('storageLevel' 'MEMORY_ONLY')`: keys as written. */
  readonly options: readonly (readonly [string, string])[];
  /** `CACHE TABLE name [AS] query`: the query cached under a temporary view `name`. */
  readonly query: Query | null;
  /** The query's text as written ('' without one). */
  readonly queryText: string;
}

// ---------------------------------------------------------------------------------------------
// Queries

export interface Query extends Node {
  readonly kind: 'query';
  readonly with: With | null;
  readonly body: QueryBody;
  readonly orderBy: readonly OrderItem[];
  /** Null when absent or `LIMIT ALL`. */
  readonly limit: Expr | null;
  readonly offset: Expr | null;
}

export interface With extends Node {
  readonly recursive: boolean;
  readonly ctes: readonly CommonTableExpression[];
}

export interface CommonTableExpression extends Node {
  readonly name: Identifier;
  readonly columns: readonly Identifier[] | null;
  readonly query: Query;
}

/** A parenthesized query with its own ORDER BY/LIMIT appears as a nested `Query`. */
export type QueryBody = Select | SetOperation | ValuesBody | Query | TableBody | PipeBody;

export interface Select extends Node {
  readonly kind: 'select';
  readonly distinct: boolean;
  readonly items: readonly SelectItem[];
  /** Comma-separated FROM items; empty for `SELECT 1`. */
  readonly from: readonly Relation[];
  readonly where: Expr | null;
  readonly groupBy: GroupBy | null;
  readonly having: Expr | null;
  readonly windows: readonly NamedWindow[];
  readonly qualify: Expr | null;
}

export interface SetOperation extends Node {
  readonly kind: 'set_operation';
  readonly op: 'union' | 'intersect' | 'except';
  /** `ALL` vs `DISTINCT` (the default). */
  readonly all: boolean;
  /** `UNION BY NAME` (Spark/DuckDB). */
  readonly byName: boolean;
  readonly left: QueryBody;
  readonly right: QueryBody;
}

/** `VALUES (1, 'a'), (2, 'b')` used as a query. */
export interface ValuesBody extends Node {
  readonly kind: 'values';
  readonly rows: readonly (readonly Expr[])[];
}

/** `TABLE t` used as a query. */
export interface TableBody extends Node {
  readonly kind: 'table_body';
  readonly name: QualifiedName;
}

/**
 * `input |> operator` (Spark's SQL pipe syntax): the operator applies to the rows of what precedes
 * it; a chain nests to the left (`a |> op1 |> op2` is `pipe(pipe(a, op1), op2)`). `FROM t` alone is
 * a `Select` of `*`.
 */
export interface PipeBody extends Node {
  readonly kind: 'pipe';
  readonly input: QueryBody;
  readonly operator: PipeOperator;
}

export type PipeOperator =
  | {
      readonly kind: 'select';
      readonly distinct: boolean;
      readonly items: readonly SelectItem[];
      readonly windows: readonly NamedWindow[];
      readonly pos: number;
    }
  /** `EXTEND expr [AS alias], …`: the input's columns and then these. */
  | { readonly kind: 'extend'; readonly items: readonly ExprSelectItem[]; readonly pos: number }
  /** `SET col = expr, …`: each column replaced in place, one assignment after the other. */
  | {
      readonly kind: 'set';
      readonly assignments: readonly { readonly column: Identifier; readonly expr: Expr }[];
      readonly pos: number;
    }
  | { readonly kind: 'drop'; readonly columns: readonly Identifier[]; readonly pos: number }
  | { readonly kind: 'as'; readonly alias: Identifier; readonly pos: number }
  | { readonly kind: 'where'; readonly condition: Expr; readonly pos: number }
  /** `AGGREGATE [aggs] [GROUP BY expr [AS alias], …]`: grouping columns, then the aggregates. */
  | {
      readonly kind: 'aggregate';
      readonly items: readonly ExprSelectItem[];
      readonly groupBy: readonly ExprSelectItem[] | null;
      readonly pos: number;
    }
  | { readonly kind: 'join'; readonly join: JoinTail; readonly pos: number }
  | {
      readonly kind: 'set_operation';
      readonly op: 'union' | 'intersect' | 'except';
      readonly all: boolean;
      readonly right: QueryBody;
      readonly pos: number;
    }
  /** `PIVOT (…)` over the piped rows. */
  | { readonly kind: 'pivot'; readonly pivot: PivotClause; readonly pos: number }
  /** `UNPIVOT (…)` over the piped rows. */
  | { readonly kind: 'unpivot'; readonly unpivot: UnpivotClause; readonly pos: number }
  /** `TABLESAMPLE (…)` of the piped rows. */
  | { readonly kind: 'sample'; readonly sample: SampleClause; readonly pos: number }
  /** `ORDER BY …` (or SORT/CLUSTER/DISTRIBUTE BY), `LIMIT n`, `OFFSET m`. */
  | {
      readonly kind: 'organize';
      readonly orderBy: readonly OrderItem[];
      readonly limit: Expr | null;
      readonly offset: Expr | null;
      readonly pos: number;
    };

export type SelectItem = ExprSelectItem | WildcardSelectItem;

export interface ExprSelectItem extends Node {
  readonly kind: 'expr_item';
  readonly expr: Expr;
  readonly alias: Identifier | null;
  /** Spark's `AS (k, v)`: one name per column of a generator (`explode(m) AS (k, v)`). */
  readonly aliases?: readonly Identifier[];
}

/** `*`, `t.*`, and `* EXCEPT (a, b)` (Spark's `* except` / DuckDB's `* EXCLUDE`). */
export interface WildcardSelectItem extends Node {
  readonly kind: 'wildcard';
  readonly qualifier: QualifiedName | null;
  readonly except: readonly Identifier[];
}

export interface GroupBy extends Node {
  /** `GROUP BY ALL` groups by every select item without an aggregate. */
  readonly all: boolean;
  readonly items: readonly GroupingItem[];
}

export type GroupingItem =
  | { readonly kind: 'group_expr'; readonly expr: Expr; readonly pos: number }
  /**
   * `GROUPING SETS ((a), (a, b), ROLLUP(c))`: each element one set or a nested ROLLUP/CUBE/GROUPING
   * SETS standing for its sets. `columns` is the Hive form's list (`GROUP BY a, b GROUPING SETS
   * (…)`), which fixes the grouping columns and their order; null otherwise.
   */
  | {
      readonly kind: 'grouping_sets';
      readonly sets: readonly GroupingSetElement[];
      readonly columns: readonly Expr[] | null;
      readonly pos: number;
    }
  /** `ROLLUP(a, (b, c))`: each element is one grouping column or a parenthesized composite. */
  | { readonly kind: 'rollup'; readonly elements: readonly (readonly Expr[])[]; readonly pos: number }
  | { readonly kind: 'cube'; readonly elements: readonly (readonly Expr[])[]; readonly pos: number };

/** An element of GROUPING SETS: one set of expressions, or a nested grouping construct. */
export type GroupingSetElement =
  | { readonly kind: 'set'; readonly exprs: readonly Expr[] }
  | Exclude<GroupingItem, { readonly kind: 'group_expr' }>;

export interface NamedWindow extends Node {
  readonly name: Identifier;
  readonly spec: WindowSpec;
}

export interface OrderItem extends Node {
  readonly expr: Expr;
  /** Null when not written (ascending). */
  readonly ascending: boolean | null;
  /** Null when not written (Spark: NULLS FIRST for ASC, NULLS LAST for DESC). */
  readonly nullsFirst: boolean | null;
}

// ---------------------------------------------------------------------------------------------
// FROM

export type Relation =
  | TableRelation
  | SubqueryRelation
  | ValuesRelation
  | JoinRelation
  | TableFunctionRelation
  | LateralViewRelation
  | PivotRelation
  | UnpivotRelation
  | SampleRelation;

export interface TableAlias extends Node {
  readonly name: Identifier;
  readonly columns: readonly Identifier[] | null;
}

export interface TableRelation extends Node {
  readonly kind: 'table';
  readonly name: QualifiedName;
  readonly alias: TableAlias | null;
}

export interface SubqueryRelation extends Node {
  readonly kind: 'subquery';
  readonly query: Query;
  readonly alias: TableAlias | null;
  readonly lateral: boolean;
}

/** `(VALUES (1, 2), (3, 4)) AS t(a, b)` or `FROM VALUES (1, 2) AS t(a, b)`. */
export interface ValuesRelation extends Node {
  readonly kind: 'values_relation';
  readonly rows: readonly (readonly Expr[])[];
  readonly alias: TableAlias | null;
}

export type JoinType = 'inner' | 'left' | 'right' | 'full' | 'cross' | 'left_semi' | 'left_anti';

/** What a join adds to the relation on its left (a pipe's `|> JOIN …` has only this). */
export interface JoinTail extends Node {
  readonly joinType: JoinType;
  readonly natural: boolean;
  readonly right: Relation;
  readonly condition:
    | { readonly kind: 'on'; readonly expr: Expr }
    | { readonly kind: 'using'; readonly columns: readonly Identifier[] }
    | null;
}

export interface JoinRelation extends JoinTail {
  readonly kind: 'join';
  readonly left: Relation;
}

/** `range(10)`, `explode(...)`, … in FROM. */
export interface TableFunctionRelation extends Node {
  readonly kind: 'table_function';
  readonly name: QualifiedName;
  readonly args: readonly Expr[];
  /** `WITH ORDINALITY` (PostgreSQL): a last column numbering the rows from 1. */
  readonly ordinality: boolean;
  readonly alias: TableAlias | null;
}

/**
 * `LATERAL VIEW [OUTER] explode(a) t AS x, y` (Hive syntax). Only after the comma-separated FROM
 * items, never first: it applies the generator to the rows of every FROM item before it.
 */
export interface LateralViewRelation extends Node {
  readonly kind: 'lateral_view';
  readonly outer: boolean;
  readonly generator: FunctionExpr;
  readonly tableAlias: Identifier | null;
  readonly columnAliases: readonly Identifier[];
}

/**
 * `input PIVOT (…)`: the rows of `input` pivoted (a FROM item's extension, as a join is). With no
 * input it ends a FROM list after its LATERAL VIEWs and pivots the rows of every item before it.
 */
export interface PivotRelation extends Node {
  readonly kind: 'pivot';
  readonly input: Relation | null;
  readonly pivot: PivotClause;
}

/** `input UNPIVOT … (…) [[AS] alias]`; no input: as for PIVOT, the rows of the FROM list. */
export interface UnpivotRelation extends Node {
  readonly kind: 'unpivot';
  readonly input: Relation | null;
  readonly unpivot: UnpivotClause;
}

/** `t TABLESAMPLE (…) [alias]`: the sample is taken before the alias names the rows. */
export interface SampleRelation extends Node {
  readonly kind: 'sample';
  readonly input: Relation;
  readonly sample: SampleClause;
  readonly alias: TableAlias | null;
}

/**
 * `PIVOT (agg [AS a], … FOR col IN (v [AS x], …))` or `FOR (c1, c2) IN ((v1, v2) [AS x], …)`:
 * `columns` lists the pivot columns, each value is one expression (a row constructor for
 * several columns).
 */
export interface PivotClause extends Node {
  readonly aggregates: readonly ExprSelectItem[];
  readonly columns: readonly Identifier[];
  readonly values: readonly {
    readonly expr: Expr;
    readonly alias: Identifier | null;
    readonly pos: number;
  }[];
}

/**
 * `UNPIVOT [INCLUDE | EXCLUDE NULLS] (v FOR name IN (c [AS a], …)) [[AS] alias]`, or the
 * multi-value form `((v1, v2) FOR name IN ((c1, c2) [AS a], …))`: one set of columns per row
 * the UNPIVOT makes of each input row. `includeNulls` is false by default (EXCLUDE NULLS).
 */
export interface UnpivotClause extends Node {
  readonly includeNulls: boolean;
  readonly valueColumns: readonly Identifier[];
  readonly nameColumn: Identifier;
  readonly columnSets: readonly {
    readonly columns: readonly QualifiedName[];
    readonly alias: Identifier | null;
    readonly pos: number;
  }[];
  readonly alias: Identifier | null;
}

/**
 * `TABLESAMPLE (x PERCENT | n ROWS | BUCKET x OUT OF y) [REPEATABLE (seed)]`. A percentage or a
 * bucket is a fraction of the rows in [0, 1] (checked by the parser); `n ROWS` keeps the first n.
 */
export interface SampleClause extends Node {
  readonly method:
    | { readonly kind: 'fraction'; readonly fraction: number }
    | { readonly kind: 'rows'; readonly count: Expr };
  /** The REPEATABLE seed; null when absent (each query then draws its own). */
  readonly seed: bigint | null;
}

// ---------------------------------------------------------------------------------------------
// Expressions

export type Expr =
  | LiteralExpr
  | ColumnExpr
  | ParameterExpr
  | UnaryExpr
  | BinaryExpr
  | IsExpr
  | BetweenExpr
  | InListExpr
  | InSubqueryExpr
  | ExistsExpr
  | ScalarSubqueryExpr
  | ArraySubqueryExpr
  | LikeExpr
  | CaseExpr
  | CastExpr
  | FunctionExpr
  | ExtractExpr
  | IntervalExpr
  | SubscriptExpr
  | FieldAccessExpr
  | RowExpr
  | ArrayExpr
  | LambdaExpr
  | StarExpr;

export type Literal =
  /** An integer literal as written; `L`, `S`, `Y` suffixes set `suffix`. */
  | { readonly type: 'integer'; readonly text: string; readonly suffix: 'L' | 'S' | 'Y' | null }
  /** `1.5`, `.5`, `1.` → decimal; `1.5BD` too. */
  | { readonly type: 'decimal'; readonly text: string }
  /** `1e10`, `1.5D`, `1.5F` (`float` when F). */
  | { readonly type: 'double'; readonly text: string; readonly float: boolean }
  | { readonly type: 'string'; readonly value: string }
  | { readonly type: 'boolean'; readonly value: boolean }
  | { readonly type: 'null' }
  /** `DATE '…'`, `TIME '…'`, `TIMESTAMP '…'`, `TIMESTAMP_NTZ '…'`, `TIMESTAMP_LTZ '…'`, `X'ab'`; `INTERVAL '…'` handled separately. */
  | {
      readonly type: 'typed';
      readonly typeName: 'date' | 'time' | 'timestamp' | 'timestamp_ntz' | 'timestamp_ltz' | 'binary';
      readonly value: string;
    };

export interface LiteralExpr extends Node {
  readonly kind: 'literal';
  readonly value: Literal;
}

/** `a`, `t.a`, `db.t.a` — resolution (table vs struct field) is the analyzer's. */
export interface ColumnExpr extends Node {
  readonly kind: 'column';
  readonly name: QualifiedName;
}

/**
 * `$1` (PostgreSQL) or `?` (JDBC-style, numbered in order of appearance from 1), or Spark's named
 * marker `:name` (then `name` is set and `index` is 0).
 */
export interface ParameterExpr extends Node {
  readonly kind: 'parameter';
  readonly index: number;
  readonly name?: string;
}

export interface UnaryExpr extends Node {
  readonly kind: 'unary';
  readonly op: '-' | '+' | 'not' | '~';
  readonly operand: Expr;
}

export type BinaryOp =
  | '+'
  | '-'
  | '*'
  | '/'
  | '%'
  | 'div'
  | '='
  | '<>'
  | '<'
  | '<='
  | '>'
  | '>='
  | '<=>'
  | 'and'
  | 'or'
  | '||'
  | '&'
  | '|'
  | '^'
  /** PostgreSQL regex match operators `~`, `~*`, `!~`, `!~*` (clients' catalog queries use them). */
  | '~'
  | '~*'
  | '!~'
  | '!~*';

export interface BinaryExpr extends Node {
  readonly kind: 'binary';
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** `x IS [NOT] NULL|TRUE|FALSE|UNKNOWN`, `x IS [NOT] DISTINCT FROM y`. */
export interface IsExpr extends Node {
  readonly kind: 'is';
  readonly operand: Expr;
  readonly test: 'null' | 'true' | 'false' | 'unknown' | 'distinct_from';
  readonly negated: boolean;
  /** Only for `distinct_from`. */
  readonly other: Expr | null;
}

export interface BetweenExpr extends Node {
  readonly kind: 'between';
  readonly operand: Expr;
  readonly low: Expr;
  readonly high: Expr;
  readonly negated: boolean;
}

export interface InListExpr extends Node {
  readonly kind: 'in_list';
  readonly operand: Expr;
  readonly list: readonly Expr[];
  readonly negated: boolean;
}

/** `x IN (SELECT …)`, `(a, b) IN (SELECT …)` (operand is a RowExpr), `x = ANY (SELECT …)`. */
export interface InSubqueryExpr extends Node {
  readonly kind: 'in_subquery';
  readonly operand: Expr;
  readonly query: Query;
  readonly negated: boolean;
}

export interface ExistsExpr extends Node {
  readonly kind: 'exists';
  readonly query: Query;
}

export interface ScalarSubqueryExpr extends Node {
  readonly kind: 'scalar_subquery';
  readonly query: Query;
}

/** PostgreSQL's `ARRAY(SELECT …)`: the subquery's one column, its rows in order, as an array. */
export interface ArraySubqueryExpr extends Node {
  readonly kind: 'array_subquery';
  readonly query: Query;
}

export interface LikeExpr extends Node {
  readonly kind: 'like';
  readonly mode: 'like' | 'ilike' | 'rlike' | 'similar';
  readonly operand: Expr;
  readonly pattern: Expr;
  readonly escape: string | null;
  readonly negated: boolean;
  /** `LIKE ANY ('a%', 'b%')` / `LIKE ALL (…)`: `patterns` holds the list and `pattern` its first item. */
  readonly quantifier: 'any' | 'all' | null;
  readonly patterns: readonly Expr[];
}

export interface CaseExpr extends Node {
  readonly kind: 'case';
  /** `CASE x WHEN 1 THEN …` has an operand; searched CASE has null. */
  readonly operand: Expr | null;
  readonly whens: readonly { readonly when: Expr; readonly then: Expr }[];
  readonly else: Expr | null;
}

export interface CastExpr extends Node {
  readonly kind: 'cast';
  readonly operand: Expr;
  readonly type: DataType;
  /** `CAST`/`::` fail on bad input under ANSI; `TRY_CAST` gives NULL. */
  readonly mode: 'cast' | 'try_cast';
  /**
   * For `::` onto names that are PostgreSQL types without a Spark type (`regclass`, `regtype`, `oid`,
   * `text[]`…): the type name as written, lower-cased; `type` is then the closest Spark type.
   */
  readonly pgTypeName: string | null;
}

export interface WindowSpec extends Node {
  /** `OVER w` or `OVER (w ORDER BY …)`: a named window this spec extends. */
  readonly baseName: Identifier | null;
  readonly partitionBy: readonly Expr[];
  readonly orderBy: readonly OrderItem[];
  readonly frame: WindowFrame | null;
}

export interface WindowFrame extends Node {
  readonly units: 'rows' | 'range';
  readonly start: FrameBound;
  readonly end: FrameBound;
}

export type FrameBound =
  | { readonly kind: 'unbounded_preceding' }
  | { readonly kind: 'unbounded_following' }
  | { readonly kind: 'current_row' }
  | { readonly kind: 'preceding'; readonly offset: Expr }
  | { readonly kind: 'following'; readonly offset: Expr };

export interface FunctionExpr extends Node {
  readonly kind: 'function';
  /** Lower-cased when unquoted: `count`, `pg_catalog.format_type`. */
  readonly name: QualifiedName;
  readonly args: readonly Expr[];
  readonly distinct: boolean;
  /** `count(*)`. */
  readonly star: boolean;
  readonly filter: Expr | null;
  /** `IGNORE NULLS` / `RESPECT NULLS` (inside the parentheses or after them); null when not written. */
  readonly ignoreNulls: boolean | null;
  readonly over: WindowSpec | null;
  /** `WITHIN GROUP (ORDER BY …)` for percentile_cont and friends; `ORDER BY` inside the call for string_agg. */
  readonly orderBy: readonly OrderItem[];
}

/** `EXTRACT(field FROM source)` and `date_part('field', source)` both arrive here as extract. */
export interface ExtractExpr extends Node {
  readonly kind: 'extract';
  /** Lower-cased: year, quarter, month, week, day, dayofweek, dow, doy, hour, minute, second, … */
  readonly field: string;
  readonly source: Expr;
}

/**
 * `INTERVAL '90' DAY`, `INTERVAL 3 MONTHS`, `INTERVAL '1-2' YEAR TO MONTH`,
 * `INTERVAL '1 day 2 hours'`, `INTERVAL 1 YEAR 2 MONTHS`. The parser computes the value; units that
 * mix months with days are an error (42601) the analyzer raises, as in Spark's ANSI intervals,
 * unless `spark.sql.legacy.interval.enabled` makes every interval literal a calendar interval.
 *
 * `startField`/`endField` are the literal's type, as Spark types it: the `FROM TO` qualifier when
 * given, else the most and least significant units written (`INTERVAL 3 HOURS 2 MINUTES` is an
 * INTERVAL HOUR TO MINUTE; weeks count as days, milli- and microseconds as seconds).
 */
export interface IntervalExpr extends Node {
  readonly kind: 'interval';
  /** The ANSI interval, or the error to raise when its units mix year-month and day-time fields. */
  readonly value: IntervalValue | { readonly type: 'mixed'; readonly message: string };
  /**
   * The literal as a calendar interval (Spark's reading under `spark.sql.legacy.interval.enabled`),
   * or null when its units do not make one.
   */
  readonly calendar: CalendarInterval | null;
}

/** `a[1]`, `m['key']`. */
export interface SubscriptExpr extends Node {
  readonly kind: 'subscript';
  readonly base: Expr;
  readonly index: Expr;
}

/** `(expr).field` when the base is not a plain name. */
export interface FieldAccessExpr extends Node {
  readonly kind: 'field_access';
  readonly base: Expr;
  readonly field: Identifier;
}

/** `(a, b)` — a row constructor, for `(a, b) IN (…)` and `struct` sugar. */
export interface RowExpr extends Node {
  readonly kind: 'row';
  readonly items: readonly Expr[];
}

/** `ARRAY[1, 2]` (PostgreSQL) / `array(1, 2)` arrives as a function. */
export interface ArrayExpr extends Node {
  readonly kind: 'array';
  readonly items: readonly Expr[];
}

/** `x -> x + 1`, `(acc, x) -> acc + x`. */
export interface LambdaExpr extends Node {
  readonly kind: 'lambda';
  readonly params: readonly Identifier[];
  readonly body: Expr;
}

/** A bare `*` or `t.*` as a function argument other than count(*) (e.g. `struct(*)`). */
export interface StarExpr extends Node {
  readonly kind: 'star';
  readonly qualifier: QualifiedName | null;
}
