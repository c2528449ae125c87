/**
 * Grammar rules for statements: queries, DDL (tables, views, databases), SHOW / DESCRIBE / EXPLAIN,
 * INSERT, transactions, ANALYZE and caching. `SET` and `RESET` are handled before the grammar
 * (their value is raw text), see `set-statement.ts`.
 */
import type { IToken } from 'chevrotain';
import type {
  ColumnDefinition,
  CreateTableStatement,
  ExplainStatement,
  Expr,
  Identifier,
  InsertStatement,
  PartitionSpec,
  QualifiedName,
  Query,
  Statement,
} from './ast.ts';
import { decodeString } from './literals.ts';
import { EOF, tokenMatcher } from 'chevrotain';
import { EngineError } from '../../common/index.ts';
import { QueryGrammar } from './query-grammar.ts';
import { Comma, Dot, Eq, IdentLike, kw, LParen, NumberLiteral, RParen, StringLiteral } from './tokens.ts';

const K = {
  ABORT: kw('ABORT'),
  ALL: kw('ALL'),
  ANALYZE: kw('ANALYZE'),
  AS: kw('AS'),
  BEGIN: kw('BEGIN'),
  BY: kw('BY'),
  CACHE: kw('CACHE'),
  CASCADE: kw('CASCADE'),
  CLEAR: kw('CLEAR'),
  COLUMNS: kw('COLUMNS'),
  COMMENT: kw('COMMENT'),
  COMMIT: kw('COMMIT'),
  COMPUTE: kw('COMPUTE'),
  COST: kw('COST'),
  CREATE: kw('CREATE'),
  DATABASE: kw('DATABASE'),
  DATABASES: kw('DATABASES'),
  DBPROPERTIES: kw('DBPROPERTIES'),
  DECLARE: kw('DECLARE'),
  DEFAULT: kw('DEFAULT'),
  DELIMITED: kw('DELIMITED'),
  DESC: kw('DESC'),
  DESCRIBE: kw('DESCRIBE'),
  DROP: kw('DROP'),
  END: kw('END'),
  EXECUTE: kw('EXECUTE'),
  EXISTS: kw('EXISTS'),
  EXPLAIN: kw('EXPLAIN'),
  EXTENDED: kw('EXTENDED'),
  EXTERNAL: kw('EXTERNAL'),
  FALSE: kw('FALSE'),
  FIELDS: kw('FIELDS'),
  FOR: kw('FOR'),
  FORMAT: kw('FORMAT'),
  FORMATTED: kw('FORMATTED'),
  FROM: kw('FROM'),
  FUNCTION: kw('FUNCTION'),
  FUNCTIONS: kw('FUNCTIONS'),
  GLOBAL: kw('GLOBAL'),
  IF: kw('IF'),
  IMMEDIATE: kw('IMMEDIATE'),
  IN: kw('IN'),
  INSERT: kw('INSERT'),
  INTO: kw('INTO'),
  ISOLATION: kw('ISOLATION'),
  LAZY: kw('LAZY'),
  LEVEL: kw('LEVEL'),
  LIKE: kw('LIKE'),
  LINES: kw('LINES'),
  LOCATION: kw('LOCATION'),
  NOSCAN: kw('NOSCAN'),
  NOT: kw('NOT'),
  NULL: kw('NULL'),
  OPTIONS: kw('OPTIONS'),
  OR: kw('OR'),
  OVERWRITE: kw('OVERWRITE'),
  PARTITION: kw('PARTITION'),
  PARTITIONED: kw('PARTITIONED'),
  PURGE: kw('PURGE'),
  QUERY: kw('QUERY'),
  RELEASE: kw('RELEASE'),
  REPLACE: kw('REPLACE'),
  RESTRICT: kw('RESTRICT'),
  ROLLBACK: kw('ROLLBACK'),
  ROW: kw('ROW'),
  SAVEPOINT: kw('SAVEPOINT'),
  SET: kw('SET'),
  SCHEMA: kw('SCHEMA'),
  SCHEMAS: kw('SCHEMAS'),
  SHOW: kw('SHOW'),
  SYSTEM: kw('SYSTEM'),
  START: kw('START'),
  STATISTICS: kw('STATISTICS'),
  STORED: kw('STORED'),
  TABLE: kw('TABLE'),
  TABLES: kw('TABLES'),
  TBLPROPERTIES: kw('TBLPROPERTIES'),
  TEMP: kw('TEMP'),
  TEMPORARY: kw('TEMPORARY'),
  TERMINATED: kw('TERMINATED'),
  TO: kw('TO'),
  TRANSACTION: kw('TRANSACTION'),
  TRUE: kw('TRUE'),
  TRUNCATE: kw('TRUNCATE'),
  UNCACHE: kw('UNCACHE'),
  USE: kw('USE'),
  USER: kw('USER'),
  USING: kw('USING'),
  VAR: kw('VAR'),
  VARIABLE: kw('VARIABLE'),
  VALUES: kw('VALUES'),
  VERBOSE: kw('VERBOSE'),
  VIEW: kw('VIEW'),
  WITH: kw('WITH'),
  WORK: kw('WORK'),
} as const;

type Props = (readonly [string, string])[];

/** Table clauses collected in any order. */
interface TableClauses {
  using: string | null;
  options: Props;
  partitionedBy: Identifier[];
  location: string | null;
  comment: string | null;
  tblProperties: Props;
  storedAs: string | null;
  fieldDelimiter: string | null;
  lineDelimiter: string | null;
}

export class StatementGrammar extends QueryGrammar {
  statement = this.RULE('statement', (): Statement =>
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        // `WITH … INSERT …`: the CTEs belong to the INSERT's query. A WITH followed by a query is
        // the next alternative's.
        {
          GATE: () => this.isAt(1, K.WITH) && this.BACKTRACK(this.withInsert).call(this),
          ALT: () => this.SUBRULE(this.withInsert),
        },
        // `FROM t INSERT …`: Hive's multi-insert; a FROM followed by SELECT is a query.
        {
          GATE: () => this.isAt(1, K.FROM) && this.BACKTRACK(this.multiInsert).call(this),
          ALT: () => this.SUBRULE(this.multiInsert),
        },
        {
          ALT: () => {
            const query = this.SUBRULE(this.query);
            return this.ACTION((): Statement => ({ kind: 'query_statement', query, pos: query.pos }));
          },
        },
        { ALT: () => this.SUBRULE(this.createStatement) },
        { ALT: () => this.SUBRULE(this.dropStatement) },
        {
          ALT: () => {
            const t = this.CONSUME(K.USE);
            this.OPTION(() =>
              this.OR2([{ ALT: () => this.CONSUME(K.DATABASE) }, { ALT: () => this.CONSUME(K.SCHEMA) }]),
            );
            const name = this.SUBRULE(this.identifier);
            return this.ACTION((): Statement => ({ kind: 'use', name, pos: this.pos(t) }));
          },
        },
        { ALT: () => this.SUBRULE(this.showStatement) },
        { ALT: () => this.SUBRULE(this.describeStatement) },
        { ALT: () => this.SUBRULE(this.explainStatement) },
        { ALT: () => this.SUBRULE(this.insertStatement) },
        { ALT: () => this.SUBRULE(this.transactionStatement) },
        { ALT: () => this.SUBRULE(this.analyzeStatement) },
        { ALT: () => this.SUBRULE(this.cacheStatement) },
        { ALT: () => this.SUBRULE(this.truncateStatement) },
        { ALT: () => this.SUBRULE(this.declareVariable) },
        { ALT: () => this.SUBRULE(this.executeImmediate) },
      ],
    }),
  );

  // -------------------------------------------------------------------------------------------
  // Session variables

  /** `DECLARE [OR REPLACE] [VARIABLE] name [type] [DEFAULT | = expr]`. */
  declareVariable = this.RULE('declareVariable', (): Statement => {
    const start = this.CONSUME(K.DECLARE);
    const orReplace =
      this.OPTION(() => {
        this.CONSUME(K.OR);
        this.CONSUME(K.REPLACE);
        return true;
      }) === true;
    this.OPTION2({
      GATE: () => this.isAt(2, IdentLike),
      DEF: () => this.OR([{ ALT: () => this.CONSUME(K.VARIABLE) }, { ALT: () => this.CONSUME(K.VAR) }]),
    });
    const name = this.SUBRULE(this.qualifiedName);
    const type = this.OPTION3({
      GATE: () => !this.isAt(1, K.DEFAULT) && !this.isAt(1, Eq),
      DEF: () => this.SUBRULE(this.dataType),
    });
    const defaultExpr = this.OPTION4(() => {
      this.OR2([{ ALT: () => this.CONSUME2(K.DEFAULT) }, { ALT: () => this.CONSUME(Eq) }]);
      return this.SUBRULE(this.expr);
    });
    return this.ACTION((): Statement => {
      if (type === undefined && defaultExpr === undefined) {
        throw new EngineError(
          '42000',
          "[INVALID_SQL_SYNTAX.VARIABLE_TYPE_OR_DEFAULT_REQUIRED] Invalid SQL syntax: The definition of a SQL variable requires either a datatype or a DEFAULT clause. For example, use `DECLARE name STRING` or `DECLARE name = 'SQL'` instead of `DECLARE name`.",
          { position: this.pos(start) },
        );
      }
      return {
        kind: 'declare_variable',
        name,
        orReplace,
        type: type?.type ?? null,
        defaultExpr: defaultExpr ?? null,
        pos: this.pos(start),
      };
    });
  });

  /** `SET VAR[IABLE] a = expr | DEFAULT, …` or `SET VAR[IABLE] (a, b) = (query)`. */
  setVariableStatement = this.RULE('setVariableStatement', (): Statement => {
    const start = this.CONSUME(K.SET);
    this.OR([{ ALT: () => this.CONSUME(K.VARIABLE) }, { ALT: () => this.CONSUME(K.VAR) }]);
    return this.OR2([
      {
        ALT: () => {
          this.CONSUME(LParen);
          const targets: QualifiedName[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => targets.push(this.SUBRULE(this.qualifiedName)) });
          this.CONSUME(RParen);
          this.CONSUME(Eq);
          const query = this.SUBRULE(this.parenthesizedQuery);
          return this.ACTION((): Statement => ({
            kind: 'set_variable',
            targets,
            values: null,
            query,
            pos: this.pos(start),
          }));
        },
      },
      {
        ALT: () => {
          const targets: QualifiedName[] = [];
          const values: (Expr | null)[] = [];
          this.AT_LEAST_ONE_SEP2({
            SEP: Comma,
            DEF: () => {
              targets.push(this.SUBRULE2(this.qualifiedName));
              this.CONSUME2(Eq);
              values.push(
                this.OR3([
                  {
                    GATE: () => this.isAt(2, Comma) || this.isAt(2, EOF),
                    ALT: () => (this.CONSUME(K.DEFAULT), null),
                  },
                  { ALT: () => this.SUBRULE(this.expr) },
                ]),
              );
            },
          });
          return this.ACTION((): Statement => ({
            kind: 'set_variable',
            targets,
            values,
            query: null,
            pos: this.pos(start),
          }));
        },
      },
    ]);
  });

  /** `EXECUTE IMMEDIATE sql [INTO var, …] [USING [(] expr [AS name], … [)]]`. */
  executeImmediate = this.RULE('executeImmediate', (): Statement => {
    const start = this.CONSUME(K.EXECUTE);
    this.CONSUME(K.IMMEDIATE);
    const sql = this.SUBRULE(this.expr);
    const into: QualifiedName[] = [];
    this.OPTION(() => {
      this.CONSUME(K.INTO);
      const parens = this.OPTION2(() => this.CONSUME(LParen)) !== undefined;
      this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => into.push(this.SUBRULE(this.qualifiedName)) });
      this.OPTION3({ GATE: () => parens, DEF: () => this.CONSUME(RParen) });
    });
    const args: { expr: Expr; name: Identifier | null }[] = [];
    this.OPTION4(() => {
      this.CONSUME(K.USING);
      const parens = this.OPTION5({
        GATE: () => this.isAt(1, LParen) && !this.firstUsingArgParenthesized(),
        DEF: () => this.CONSUME2(LParen),
      });
      this.AT_LEAST_ONE_SEP2({
        SEP: Comma,
        DEF: () => {
          const expr = this.SUBRULE2(this.expr);
          const name = this.SUBRULE(this.columnAlias);
          this.ACTION(() => args.push({ expr, name }));
        },
      });
      this.OPTION6({ GATE: () => parens !== undefined, DEF: () => this.CONSUME2(RParen) });
    });
    return this.ACTION((): Statement => ({
      kind: 'execute_immediate',
      sql,
      into,
      args,
      pos: this.pos(start),
    }));
  });

  /** `WITH ctes INSERT …`: the INSERT whose query gets the CTEs in front of its own. */
  withInsert = this.RULE('withInsert', (): Statement => {
    const withClause = this.SUBRULE(this.withClause);
    const insert = this.SUBRULE(this.insertStatement);
    return this.ACTION((): Statement => {
      if (insert.kind !== 'insert') return insert;
      const q = insert.query;
      const query: Query =
        q.with === null
          ? { ...q, with: withClause, pos: withClause.pos }
          : {
              kind: 'query',
              with: withClause,
              body: q,
              orderBy: [],
              limit: null,
              offset: null,
              pos: withClause.pos,
            };
      return { ...insert, query };
    });
  });

  stringValue = this.RULE('stringValue', (): string => {
    const t = this.CONSUME(StringLiteral);
    return this.ACTION(() => decodeString(t.image));
  });

  ifNotExists = this.RULE('ifNotExists', (): boolean => {
    let present = false;
    this.OPTION({
      GATE: () => this.isAt(2, K.NOT),
      DEF: () => {
        this.CONSUME(K.IF);
        this.CONSUME(K.NOT);
        this.CONSUME(K.EXISTS);
        present = true;
      },
    });
    return present;
  });

  ifExists = this.RULE('ifExists', (): boolean => {
    let present = false;
    this.OPTION({
      GATE: () => this.isAt(2, K.EXISTS),
      DEF: () => {
        this.CONSUME(K.IF);
        this.CONSUME(K.EXISTS);
        present = true;
      },
    });
    return present;
  });

  // -------------------------------------------------------------------------------------------
  // CREATE

  createStatement = this.RULE('createStatement', (): Statement => {
    const start = this.CONSUME(K.CREATE);
    const orReplace =
      this.OPTION(() => {
        this.CONSUME(K.OR);
        this.CONSUME(K.REPLACE);
        return true;
      }) !== undefined;
    return this.OR([
      { ALT: () => this.SUBRULE(this.createTableRest, { ARGS: [start, orReplace] }) },
      { ALT: () => this.SUBRULE(this.createViewRest, { ARGS: [start, orReplace] }) },
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(K.DATABASE) }, { ALT: () => this.CONSUME(K.SCHEMA) }]);
          const ifNotExists = this.SUBRULE(this.ifNotExists);
          const name = this.SUBRULE(this.identifier);
          let comment: string | null = null;
          let location: string | null = null;
          this.MANY(() =>
            this.OR3([
              {
                ALT: () => {
                  this.CONSUME(K.COMMENT);
                  comment = this.SUBRULE(this.stringValue);
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.LOCATION);
                  location = this.SUBRULE2(this.stringValue);
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.WITH);
                  this.CONSUME(K.DBPROPERTIES);
                  this.SUBRULE(this.propertyList);
                },
              },
            ]),
          );
          return this.ACTION((): Statement => ({
            kind: 'create_database',
            name,
            ifNotExists,
            location,
            comment,
            pos: this.pos(start),
          }));
        },
      },
    ]);
  });

  createTableRest = this.RULE('createTableRest', (start: IToken, orReplace: boolean): Statement => {
    const external = this.OPTION(() => this.CONSUME(K.EXTERNAL)) !== undefined;
    this.CONSUME(K.TABLE);
    const ifNotExists = this.SUBRULE(this.ifNotExists);
    const name = this.SUBRULE(this.qualifiedName);
    const columns = this.OPTION2({
      GATE: () => !this.queryInParens(1),
      DEF: () => {
        const cols: ColumnDefinition[] = [];
        this.CONSUME(LParen);
        this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => cols.push(this.SUBRULE(this.columnDefinition)) });
        this.CONSUME(RParen);
        return cols;
      },
    });
    const c: TableClauses = {
      using: null,
      options: [],
      partitionedBy: [],
      location: null,
      comment: null,
      tblProperties: [],
      storedAs: null,
      fieldDelimiter: null,
      lineDelimiter: null,
    };
    this.MANY(() => this.SUBRULE(this.tableClause, { ARGS: [c] }));
    const asQuery = this.OPTION3(() => {
      this.CONSUME(K.AS);
      return this.SUBRULE(this.query);
    });
    return this.ACTION((): CreateTableStatement => {
      let using = c.using;
      const options = [...c.options];
      if (using === null && c.storedAs !== null) {
        const stored = c.storedAs.toLowerCase();
        if (stored === 'textfile') {
          using = c.fieldDelimiter !== null ? 'csv' : 'text';
        } else if (stored === 'jsonfile') {
          using = 'json';
        } else {
          using = stored;
        }
      }
      if (c.fieldDelimiter !== null) options.push(['sep', c.fieldDelimiter]);
      if (c.lineDelimiter !== null) options.push(['lineSep', c.lineDelimiter]);
      return {
        kind: 'create_table',
        name,
        orReplace,
        ifNotExists,
        external,
        columns: columns ?? null,
        using,
        options,
        partitionedBy: c.partitionedBy,
        location: c.location,
        comment: c.comment,
        tblProperties: c.tblProperties,
        asQuery: asQuery ?? null,
        pos: this.pos(start),
      };
    });
  });

  tableClause = this.RULE('tableClause', (c: TableClauses): void => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.USING);
          const f = this.SUBRULE(this.identifier);
          this.ACTION(() => (c.using = f.name.toLowerCase()));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.OPTIONS);
          const props = this.SUBRULE(this.propertyList);
          this.ACTION(() => c.options.push(...props));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.PARTITIONED);
          this.CONSUME(K.BY);
          this.CONSUME(LParen);
          this.AT_LEAST_ONE_SEP({
            SEP: Comma,
            DEF: () => {
              const id = this.SUBRULE2(this.identifier);
              this.OPTION(() => this.SUBRULE(this.dataType));
              this.ACTION(() => c.partitionedBy.push(id));
            },
          });
          this.CONSUME(RParen);
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.LOCATION);
          const s = this.SUBRULE(this.stringValue);
          this.ACTION(() => (c.location = s));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.COMMENT);
          const s = this.SUBRULE2(this.stringValue);
          this.ACTION(() => (c.comment = s));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TBLPROPERTIES);
          const props = this.SUBRULE2(this.propertyList);
          this.ACTION(() => c.tblProperties.push(...props));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.STORED);
          this.CONSUME(K.AS);
          const f = this.SUBRULE3(this.identifier);
          this.ACTION(() => (c.storedAs = f.name));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.ROW);
          this.CONSUME(K.FORMAT);
          this.CONSUME(K.DELIMITED);
          this.MANY(() =>
            this.OR2([
              {
                ALT: () => {
                  this.CONSUME(K.FIELDS);
                  this.CONSUME(K.TERMINATED);
                  this.CONSUME2(K.BY);
                  const s = this.SUBRULE3(this.stringValue);
                  this.ACTION(() => (c.fieldDelimiter = s));
                },
              },
              {
                ALT: () => {
                  this.CONSUME(K.LINES);
                  this.CONSUME2(K.TERMINATED);
                  this.CONSUME3(K.BY);
                  const s = this.SUBRULE4(this.stringValue);
                  this.ACTION(() => (c.lineDelimiter = s));
                },
              },
            ]),
          );
        },
      },
    ]);
  });

  columnDefinition = this.RULE('columnDefinition', (): ColumnDefinition => {
    const name = this.SUBRULE(this.identifier);
    const type = this.SUBRULE(this.dataType);
    let nullable = true;
    let comment: string | null = null;
    this.MANY(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.NOT);
            this.CONSUME(K.NULL);
            nullable = false;
          },
        },
        { ALT: () => this.CONSUME2(K.NULL) },
        {
          ALT: () => {
            this.CONSUME(K.COMMENT);
            comment = this.SUBRULE(this.stringValue);
          },
        },
      ]),
    );
    return this.ACTION((): ColumnDefinition => ({ name, type: type.type, nullable, comment, pos: name.pos }));
  });

  /** `(k 'v', 'k' = 'v', k.sub 'v', k = true)`. */
  propertyList = this.RULE('propertyList', (): Props => {
    const props: Props = [];
    this.CONSUME(LParen);
    this.MANY_SEP({
      SEP: Comma,
      DEF: () => {
        const key = this.OR([
          { ALT: () => this.SUBRULE(this.stringValue) },
          { ALT: () => this.SUBRULE(this.dottedKey) },
        ]);
        this.OPTION(() => this.CONSUME(Eq));
        const value = this.OR2([
          { ALT: () => this.SUBRULE2(this.stringValue) },
          { ALT: () => this.CONSUME(NumberLiteral).image },
          { ALT: () => (this.CONSUME(K.TRUE), 'true') },
          { ALT: () => (this.CONSUME(K.FALSE), 'false') },
          { ALT: () => this.CONSUME(IdentLike).image },
        ]);
        props.push([key, value]);
      },
    });
    this.CONSUME(RParen);
    return props;
  });

  createViewRest = this.RULE('createViewRest', (start: IToken, orReplace: boolean): Statement => {
    const global = this.OPTION(() => this.CONSUME(K.GLOBAL)) !== undefined;
    const temporary =
      this.OPTION2(() =>
        this.OR([{ ALT: () => this.CONSUME(K.TEMP) }, { ALT: () => this.CONSUME(K.TEMPORARY) }]),
      ) !== undefined;
    this.CONSUME(K.VIEW);
    const ifNotExists = this.SUBRULE(this.ifNotExists);
    const name = this.SUBRULE(this.qualifiedName);
    const columns = this.OPTION3(() => {
      const ids: Identifier[] = [];
      this.CONSUME(LParen);
      this.AT_LEAST_ONE_SEP({
        SEP: Comma,
        DEF: () => {
          ids.push(this.SUBRULE(this.identifier));
          this.OPTION4(() => {
            this.CONSUME(K.COMMENT);
            this.CONSUME(StringLiteral);
          });
        },
      });
      this.CONSUME(RParen);
      return ids;
    });
    this.MANY(() =>
      this.OR2([
        {
          ALT: () => {
            this.CONSUME2(K.COMMENT);
            this.CONSUME2(StringLiteral);
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.TBLPROPERTIES);
            this.SUBRULE(this.propertyList);
          },
        },
      ]),
    );
    this.CONSUME(K.AS);
    const first = this.LA(1);
    const query = this.SUBRULE(this.query);
    const last = this.LA(0);
    return this.ACTION((): Statement => ({
      kind: 'create_view',
      name,
      orReplace,
      ifNotExists,
      temporary: temporary || global,
      global,
      columns: columns ?? null,
      query,
      queryText: this.sql.slice(first.startOffset, last.startOffset + last.image.length),
      pos: this.pos(start),
    }));
  });

  // -------------------------------------------------------------------------------------------
  // DROP, SHOW, DESCRIBE, EXPLAIN

  dropStatement = this.RULE('dropStatement', (): Statement => {
    const start = this.CONSUME(K.DROP);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.TABLE);
          const ifExists = this.SUBRULE(this.ifExists);
          const name = this.SUBRULE(this.qualifiedName);
          const purge = this.OPTION(() => this.CONSUME(K.PURGE)) !== undefined;
          return this.ACTION((): Statement => ({
            kind: 'drop_table',
            name,
            ifExists,
            purge,
            pos: this.pos(start),
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TEMPORARY);
          this.OR4([{ ALT: () => this.CONSUME(K.VARIABLE) }, { ALT: () => this.CONSUME(K.VAR) }]);
          const ifExists = this.SUBRULE4(this.ifExists);
          const name = this.SUBRULE3(this.qualifiedName);
          return this.ACTION((): Statement => ({
            kind: 'drop_variable',
            name,
            ifExists,
            pos: this.pos(start),
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.VIEW);
          const ifExists = this.SUBRULE2(this.ifExists);
          const name = this.SUBRULE2(this.qualifiedName);
          return this.ACTION((): Statement => ({ kind: 'drop_view', name, ifExists, pos: this.pos(start) }));
        },
      },
      {
        ALT: () => {
          this.OR2([{ ALT: () => this.CONSUME(K.DATABASE) }, { ALT: () => this.CONSUME(K.SCHEMA) }]);
          const ifExists = this.SUBRULE3(this.ifExists);
          const name = this.SUBRULE(this.identifier);
          const mode = this.OPTION2(() =>
            this.OR3([{ ALT: () => this.CONSUME(K.RESTRICT) }, { ALT: () => this.CONSUME(K.CASCADE) }]),
          );
          return this.ACTION((): Statement => ({
            kind: 'drop_database',
            name,
            ifExists,
            cascade: mode?.tokenType === K.CASCADE,
            pos: this.pos(start),
          }));
        },
      },
    ]);
  });

  likePattern = this.RULE('likePattern', (): string | null => {
    let pattern: string | null = null;
    this.OPTION(() => {
      this.OPTION2(() => this.CONSUME(K.LIKE));
      pattern = this.SUBRULE(this.stringValue);
    });
    return pattern;
  });

  showStatement = this.RULE('showStatement', (): Statement => {
    const start = this.CONSUME(K.SHOW);
    const pos = this.pos(start);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.TABLES);
          const database = this.OPTION(() => {
            this.OR2([{ ALT: () => this.CONSUME(K.FROM) }, { ALT: () => this.CONSUME(K.IN) }]);
            return this.SUBRULE(this.identifier);
          });
          const pattern = this.SUBRULE(this.likePattern);
          return this.ACTION((): Statement => ({
            kind: 'show_tables',
            database: database ?? null,
            pattern,
            pos,
          }));
        },
      },
      {
        ALT: () => {
          this.OR3([{ ALT: () => this.CONSUME(K.DATABASES) }, { ALT: () => this.CONSUME(K.SCHEMAS) }]);
          const pattern = this.SUBRULE2(this.likePattern);
          return this.ACTION((): Statement => ({ kind: 'show_databases', pattern, pos }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.COLUMNS);
          this.OR4([{ ALT: () => this.CONSUME2(K.FROM) }, { ALT: () => this.CONSUME2(K.IN) }]);
          const table = this.SUBRULE(this.qualifiedName);
          const db = this.OPTION2(() => {
            this.OR5([{ ALT: () => this.CONSUME3(K.FROM) }, { ALT: () => this.CONSUME3(K.IN) }]);
            return this.SUBRULE2(this.identifier);
          });
          return this.ACTION((): Statement => {
            const name = db === undefined ? table : { parts: [db, ...table.parts], pos: db.pos };
            return { kind: 'show_columns', table: name, pos };
          });
        },
      },
      {
        GATE: () => this.isAt(1, K.FUNCTIONS) || this.isAt(2, K.FUNCTIONS),
        ALT: () => {
          const scope =
            this.OPTION3(() =>
              this.OR6([
                { ALT: () => (this.CONSUME(K.USER), 'user' as const) },
                { ALT: () => (this.CONSUME(K.SYSTEM), 'system' as const) },
                { ALT: () => (this.CONSUME2(K.ALL), 'all' as const) },
              ]),
            ) ?? 'all';
          this.CONSUME(K.FUNCTIONS);
          const pattern = this.SUBRULE3(this.likePattern);
          return this.ACTION((): Statement => ({ kind: 'show_functions', scope, pattern, pos }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.CREATE);
          this.CONSUME(K.TABLE);
          const table = this.SUBRULE2(this.qualifiedName);
          return this.ACTION((): Statement => ({ kind: 'show_create_table', table, pos }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.ALL);
          return this.ACTION((): Statement => ({ kind: 'show_variable', name: 'all', pos }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.TRANSACTION);
          this.CONSUME(K.ISOLATION);
          this.CONSUME(K.LEVEL);
          return this.ACTION((): Statement => ({
            kind: 'show_variable',
            name: 'transaction_isolation',
            pos,
          }));
        },
      },
      {
        ALT: () => {
          const key = this.SUBRULE(this.dottedKey);
          return this.ACTION((): Statement => ({ kind: 'show_variable', name: key.toLowerCase(), pos }));
        },
      },
    ]);
  });

  describeStatement = this.RULE('describeStatement', (): Statement => {
    const start = this.OR([{ ALT: () => this.CONSUME(K.DESCRIBE) }, { ALT: () => this.CONSUME(K.DESC) }]);
    const pos = this.pos(start);
    return this.OR2([
      {
        GATE: () => this.isAt(1, K.FUNCTION) && !this.isAt(2, Dot),
        ALT: () => {
          this.CONSUME(K.FUNCTION);
          const extended =
            this.OPTION4({ GATE: () => !this.isAt(2, Dot), DEF: () => this.CONSUME2(K.EXTENDED) }) !==
            undefined;
          const name = this.OR4([
            { ALT: () => this.SUBRULE3(this.qualifiedName) },
            {
              ALT: () => {
                const t = this.CONSUME(StringLiteral);
                return this.ACTION(() => ({
                  parts: [{ name: decodeString(t.image), quoted: true, pos: this.pos(t) }],
                  pos: this.pos(t),
                }));
              },
            },
          ]);
          return this.ACTION((): Statement => ({ kind: 'describe_function', name, extended, pos }));
        },
      },
      {
        GATE: () => this.queryStartAt(2),
        ALT: () => {
          this.CONSUME(K.QUERY);
          const query = this.SUBRULE(this.query);
          return this.ACTION((): Statement => ({
            kind: 'describe',
            target: { kind: 'query', query },
            extended: false,
            pos,
          }));
        },
      },
      {
        GATE: () => this.queryStartAt(1) && !this.isAt(1, K.TABLE),
        ALT: () => {
          const query = this.SUBRULE2(this.query);
          return this.ACTION((): Statement => ({
            kind: 'describe',
            target: { kind: 'query', query },
            extended: false,
            pos,
          }));
        },
      },
      {
        ALT: () => {
          this.OPTION(() => this.CONSUME(K.TABLE));
          const mode = this.OPTION2({
            GATE: () => this.isAt(2, IdentLike),
            DEF: () =>
              this.OR3([{ ALT: () => this.CONSUME(K.EXTENDED) }, { ALT: () => this.CONSUME(K.FORMATTED) }]),
          });
          const name = this.SUBRULE(this.qualifiedName);
          const column = this.OPTION3(() => this.SUBRULE2(this.qualifiedName)) ?? null;
          return this.ACTION((): Statement => ({
            kind: 'describe',
            target: { kind: 'table', name, column },
            extended: mode !== undefined,
            pos,
          }));
        },
      },
    ]);
  });

  explainStatement = this.RULE('explainStatement', (): Statement => {
    const start = this.CONSUME(K.EXPLAIN);
    let mode: ExplainStatement['mode'] = 'simple';
    this.OPTION({
      GATE: () => !this.isAt(2, kw('TABLE')),
      DEF: () =>
        this.OR([
          { ALT: () => (this.CONSUME(K.EXTENDED), (mode = 'extended')) },
          { ALT: () => (this.CONSUME(K.VERBOSE), (mode = 'verbose')) },
          { ALT: () => (this.CONSUME(K.FORMATTED), (mode = 'formatted')) },
          { ALT: () => (this.CONSUME(K.COST), (mode = 'cost')) },
          { ALT: () => (this.CONSUME(K.ANALYZE), (mode = 'analyze')) },
        ]),
    });
    const statement = this.SUBRULE(this.statement);
    return this.ACTION((): Statement => ({ kind: 'explain', mode, statement, pos: this.pos(start) }));
  });

  // -------------------------------------------------------------------------------------------
  // INSERT, transactions, ANALYZE, CACHE

  insertStatement = this.RULE('insertStatement', (): Statement => {
    const target = this.SUBRULE(this.insertTarget);
    const query = this.SUBRULE(this.query);
    return this.ACTION((): Statement => ({ ...target, query }));
  });

  /** `INSERT INTO|OVERWRITE [TABLE] t [PARTITION (…)] [(columns)]`: an INSERT without its query. */
  insertTarget = this.RULE('insertTarget', (): Omit<InsertStatement, 'query'> => {
    const start = this.CONSUME(K.INSERT);
    const overwrite = this.OR([
      { ALT: () => (this.CONSUME(K.INTO), false) },
      { ALT: () => (this.CONSUME(K.OVERWRITE), true) },
    ]);
    this.OPTION(() => this.CONSUME(K.TABLE));
    const table = this.SUBRULE(this.qualifiedName);
    const partition = this.OPTION2(() => this.SUBRULE(this.partitionSpec));
    const columns = this.OPTION4({
      GATE: () => !this.queryInParens(1),
      DEF: () => this.SUBRULE(this.identifierList),
    });
    return this.ACTION(() => ({
      kind: 'insert' as const,
      table,
      overwrite,
      columns: columns ?? null,
      partition: partition ?? null,
      pos: this.pos(start),
    }));
  });

  /**
   * Hive's multi-insert, `FROM src INSERT INTO t1 SELECT … [WHERE …] INSERT OVERWRITE t2 SELECT …`:
   * each INSERT's query is a SELECT over the shared FROM.
   */
  multiInsert = this.RULE('multiInsert', (): Statement => {
    const start = this.CONSUME(K.FROM);
    const from = this.SUBRULE(this.fromItems);
    const inserts: InsertStatement[] = [];
    this.AT_LEAST_ONE(() => {
      const target = this.SUBRULE(this.insertTarget);
      const body = this.SUBRULE(this.fromFirstSelect, { ARGS: [from] });
      this.ACTION(() => {
        const query: Query =
          body.kind === 'query'
            ? body
            : { kind: 'query', with: null, body, orderBy: [], limit: null, offset: null, pos: body.pos };
        inserts.push({ ...target, query });
      });
    });
    return this.ACTION((): Statement => ({ kind: 'multi_insert', inserts, pos: this.pos(start) }));
  });

  /** `PARTITION (p = v, q)`. */
  partitionSpec = this.RULE('partitionSpec', (): PartitionSpec => {
    const spec: (readonly [Identifier, Expr | null])[] = [];
    this.CONSUME(K.PARTITION);
    this.CONSUME(LParen);
    this.AT_LEAST_ONE_SEP({
      SEP: Comma,
      DEF: () => {
        const id = this.SUBRULE(this.identifier);
        const value = this.OPTION(() => {
          this.CONSUME(Eq);
          return this.SUBRULE(this.expr);
        });
        spec.push([id, value ?? null]);
      },
    });
    this.CONSUME(RParen);
    return spec;
  });

  truncateStatement = this.RULE('truncateStatement', (): Statement => {
    const start = this.CONSUME(K.TRUNCATE);
    this.CONSUME(K.TABLE);
    const table = this.SUBRULE(this.qualifiedName);
    const partition = this.OPTION(() => this.SUBRULE(this.partitionSpec));
    return this.ACTION((): Statement => ({
      kind: 'truncate_table',
      table,
      partition: partition ?? null,
      pos: this.pos(start),
    }));
  });

  /** Transaction modes after BEGIN / START TRANSACTION (ISOLATION LEVEL …, READ ONLY…): accepted, ignored. */
  transactionModes = this.RULE('transactionModes', (): void => {
    this.MANY(() =>
      this.OR([
        { ALT: () => this.CONSUME(IdentLike) },
        { ALT: () => this.CONSUME(Comma) },
        { ALT: () => this.CONSUME(K.NOT) },
      ]),
    );
  });

  transactionStatement = this.RULE('transactionStatement', (): Statement => {
    const start = this.LA(1);
    const pos = this.pos(start);
    return this.OR([
      {
        ALT: () => {
          this.OR2([
            { ALT: () => this.CONSUME(K.BEGIN) },
            {
              ALT: () => {
                this.CONSUME(K.START);
                this.CONSUME(K.TRANSACTION);
              },
            },
          ]);
          this.SUBRULE(this.transactionModes);
          return this.ACTION((): Statement => ({
            kind: 'transaction',
            action: 'begin',
            savepoint: null,
            pos,
          }));
        },
      },
      {
        ALT: () => {
          this.OR3([{ ALT: () => this.CONSUME(K.COMMIT) }, { ALT: () => this.CONSUME(K.END) }]);
          this.OPTION(() =>
            this.OR4([{ ALT: () => this.CONSUME(K.WORK) }, { ALT: () => this.CONSUME2(K.TRANSACTION) }]),
          );
          return this.ACTION((): Statement => ({
            kind: 'transaction',
            action: 'commit',
            savepoint: null,
            pos,
          }));
        },
      },
      {
        ALT: () => {
          this.OR5([{ ALT: () => this.CONSUME(K.ROLLBACK) }, { ALT: () => this.CONSUME(K.ABORT) }]);
          this.OPTION2(() =>
            this.OR6([{ ALT: () => this.CONSUME2(K.WORK) }, { ALT: () => this.CONSUME3(K.TRANSACTION) }]),
          );
          const target = this.OPTION3(() => {
            this.CONSUME(K.TO);
            this.OPTION4(() => this.CONSUME(K.SAVEPOINT));
            return this.SUBRULE(this.identifier);
          });
          return this.ACTION((): Statement =>
            target === undefined
              ? { kind: 'transaction', action: 'rollback', savepoint: null, pos }
              : { kind: 'transaction', action: 'rollback_to', savepoint: target.name, pos },
          );
        },
      },
      {
        ALT: () => {
          this.CONSUME2(K.SAVEPOINT);
          const name = this.SUBRULE2(this.identifier);
          return this.ACTION((): Statement => ({
            kind: 'transaction',
            action: 'savepoint',
            savepoint: name.name,
            pos,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.RELEASE);
          this.OPTION5({ GATE: () => this.isAt(2, IdentLike), DEF: () => this.CONSUME3(K.SAVEPOINT) });
          const name = this.SUBRULE3(this.identifier);
          return this.ACTION((): Statement => ({
            kind: 'transaction',
            action: 'release',
            savepoint: name.name,
            pos,
          }));
        },
      },
    ]);
  });

  analyzeStatement = this.RULE('analyzeStatement', (): Statement => {
    const start = this.CONSUME(K.ANALYZE);
    this.CONSUME(K.TABLE);
    const table = this.SUBRULE(this.qualifiedName);
    this.CONSUME(K.COMPUTE);
    this.CONSUME(K.STATISTICS);
    let forColumns: Identifier[] | 'all' | null = null;
    let noScan = false;
    this.OPTION(() =>
      this.OR([
        { ALT: () => (this.CONSUME(K.NOSCAN), (noScan = true)) },
        {
          ALT: () => {
            this.CONSUME(K.FOR);
            this.OR2([
              {
                ALT: () => {
                  this.CONSUME(K.ALL);
                  this.CONSUME(K.COLUMNS);
                  forColumns = 'all';
                },
              },
              {
                ALT: () => {
                  this.CONSUME2(K.COLUMNS);
                  const ids: Identifier[] = [];
                  this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => ids.push(this.SUBRULE(this.identifier)) });
                  forColumns = ids;
                },
              },
            ]);
          },
        },
      ]),
    );
    return this.ACTION((): Statement => ({
      kind: 'analyze_table',
      table,
      forColumns,
      noScan,
      pos: this.pos(start),
    }));
  });

  cacheStatement = this.RULE('cacheStatement', (): Statement => {
    const start = this.LA(1);
    const pos = this.pos(start);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.CACHE);
          const lazy = this.OPTION(() => this.CONSUME(K.LAZY)) !== undefined;
          this.CONSUME(K.TABLE);
          const table = this.SUBRULE(this.qualifiedName);
          const options =
            this.OPTION2(() => {
              this.CONSUME(K.OPTIONS);
              return this.SUBRULE(this.propertyList);
            }) ?? [];
          this.OPTION3(() => this.CONSUME(K.AS));
          const first = this.LA(1);
          const query = this.OPTION4(() => this.SUBRULE(this.query)) ?? null;
          const last = this.LA(0);
          return this.ACTION((): Statement => ({
            kind: 'cache',
            action: 'cache',
            table,
            lazy,
            ifExists: false,
            options,
            query,
            queryText:
              query === null ? '' : this.sql.slice(first.startOffset, last.startOffset + last.image.length),
            pos,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.UNCACHE);
          this.CONSUME2(K.TABLE);
          const ifExists = this.SUBRULE(this.ifExists);
          const table = this.SUBRULE2(this.qualifiedName);
          return this.ACTION((): Statement => ({
            kind: 'cache',
            action: 'uncache',
            table,
            lazy: false,
            ifExists,
            options: [],
            query: null,
            queryText: '',
            pos,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.CLEAR);
          this.CONSUME2(K.CACHE);
          return this.ACTION((): Statement => ({
            kind: 'cache',
            action: 'clear',
            table: null,
            lazy: false,
            ifExists: false,
            options: [],
            query: null,
            queryText: '',
            pos,
          }));
        },
      },
    ]);
  });

  /**
   * After `USING`: whether the `(` ahead is only the first argument's (it closes before the end of
   * the statement) rather than the parentheses around the whole list.
   */
  protected firstUsingArgParenthesized(): boolean {
    let depth = 0;
    for (let k = 1; ; k++) {
      const t = this.LA(k);
      if (tokenMatcher(t, EOF)) return false;
      if (tokenMatcher(t, LParen)) depth++;
      else if (tokenMatcher(t, RParen) && --depth === 0) return !tokenMatcher(this.LA(k + 1), EOF);
    }
  }

  /** Entry points for `parseExpression`, `parseDataType` and `parseQuery`. */
  standaloneQuery = this.RULE('standaloneQuery', (): Query => this.SUBRULE(this.query));

  constructor() {
    super();
    this.performSelfAnalysis();
  }
}
