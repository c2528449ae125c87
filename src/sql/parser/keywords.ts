/**
 * SQL keywords: which words the lexer turns into keyword tokens, and which of them stay usable as
 * identifiers (Spark's non-reserved keywords).
 *
 * Reserved words follow Spark's ANSI list roughly; every other keyword is non-reserved and may name a
 * table, column or alias. A few non-reserved words cannot be an alias written without `AS`, because
 * a clause could start there (`FROM t LIMIT 1`).
 */

/** Words that can never be an unquoted identifier. */
export const RESERVED_KEYWORDS = [
  'ALL', 'AND', 'ANTI', 'ANY', 'AS', 'BETWEEN', 'BOTH', 'BY', 'CASE', 'CAST', 'COLLATE', 'CREATE',
  'CROSS', 'CURRENT_DATE', 'CURRENT_TIME', 'CURRENT_TIMESTAMP', 'CURRENT_USER', 'DISTINCT', 'ELSE',
  'END', 'ESCAPE', 'EXCEPT', 'EXISTS', 'FALSE', 'FETCH', 'FOR', 'FROM', 'FULL', 'GROUP', 'HAVING',
  'ILIKE', 'IN', 'INNER', 'INTERSECT', 'INTERVAL', 'INTO', 'IS', 'JOIN', 'LATERAL', 'LEADING', 'LEFT',
  'LIKE', 'MINUS', 'NATURAL', 'NOT', 'NULL', 'ON', 'OR', 'ORDER', 'OUTER', 'REGEXP', 'RIGHT', 'RLIKE',
  'SELECT', 'SEMI', 'SESSION_USER', 'SIMILAR', 'SOME', 'TABLE', 'THEN', 'TRAILING', 'TRUE', 'UNION',
  'USING', 'VALUES', 'WHEN', 'WHERE', 'WITH',
] as const;

/** Keywords the grammar uses that remain valid identifiers. */
export const NON_RESERVED_KEYWORDS = [
  'ANALYZE', 'ARRAY', 'TABLES', 'DBPROPERTIES', 'ASC', 'BEGIN', 'CACHE', 'CASCADE', 'CHARACTERISTICS', 'CLEAR', 'COLUMNS',
  'COMMENT', 'COMMIT', 'COMPUTE', 'COST', 'CUBE', 'CURRENT', 'DATABASE', 'DATABASES', 'DATE',
  'DELIMITED', 'DESC', 'DESCRIBE', 'DIV', 'DROP', 'EXPLAIN', 'EXTENDED', 'EXTERNAL', 'FIELDS', 'FILTER',
  'FIRST', 'FOLLOWING', 'FORMAT', 'FORMATTED', 'FUNCTIONS', 'GLOBAL', 'GROUPING', 'IF', 'IGNORE',
  'INSERT', 'ISOLATION', 'LAST', 'LAZY', 'LEVEL', 'LIMIT', 'LINES', 'LOCAL', 'LOCATION', 'MAP', 'NAME',
  'NOSCAN', 'NULLS', 'OFFSET', 'ONLY', 'OPERATOR', 'OPTIONS', 'OVER', 'OVERWRITE', 'PARTITION',
  'PARTITIONED', 'PRECEDING', 'PURGE', 'QUALIFY', 'QUERY', 'RANGE', 'READ', 'RECURSIVE', 'RELEASE',
  'REPLACE', 'RESET', 'RESPECT', 'RESTRICT', 'ROLLBACK', 'ROLLUP', 'ROW', 'ROWS', 'SAVEPOINT', 'SCHEMA',
  'SCHEMAS', 'SESSION', 'SET', 'SETS', 'SHOW', 'START', 'STATISTICS', 'STORED', 'STRUCT',
  'TBLPROPERTIES', 'TEMP', 'TEMPORARY', 'TERMINATED', 'TIME', 'TIMESTAMP', 'TIMESTAMP_LTZ',
  'TIMESTAMP_NTZ', 'TO', 'TRANSACTION', 'TRY_CAST', 'UNBOUNDED', 'UNCACHE', 'USE', 'VERBOSE', 'VIEW',
  'WINDOW', 'WITHIN', 'WITHOUT', 'WORK', 'WRITE', 'ZONE', 'ABORT', 'UNKNOWN', 'COLUMN', 'PLACING',
  'USER', 'CURRENT_SCHEMA', 'AUTHORIZATION',
] as const;

/** Non-reserved words that cannot follow an item as an alias written without `AS`. */
export const NO_IMPLICIT_ALIAS = new Set<string>([
  'LIMIT', 'OFFSET', 'WINDOW', 'QUALIFY', 'OVER', 'FILTER', 'WITHIN', 'IGNORE', 'RESPECT', 'NULLS',
  'ASC', 'DESC', 'FOLLOWING', 'PRECEDING', 'ROWS', 'RANGE', 'PARTITION', 'DIV', 'SETS', 'OPERATOR',
  'USING', 'STORED', 'OPTIONS', 'LOCATION', 'COMMENT', 'TBLPROPERTIES', 'PARTITIONED',
]);
