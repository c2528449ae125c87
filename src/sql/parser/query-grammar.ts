/**
 * Grammar rules for queries: WITH, set operations (INTERSECT binds tighter than UNION/EXCEPT),
 * SELECT with its clauses, FROM items and joins, PIVOT / UNPIVOT / TABLESAMPLE, GROUP BY forms,
 * named windows.
 */
import type { IToken } from 'chevrotain';
import type {
  CommonTableExpression,
  Expr,
  ExprSelectItem,
  GroupBy,
  GroupingItem,
  GroupingSetElement,
  Identifier,
  JoinRelation,
  JoinTail,
  JoinType,
  NamedWindow,
  OrderItem,
  PipeOperator,
  PivotClause,
  QualifiedName,
  SampleClause,
  UnpivotClause,
  WindowSpec,
  Query,
  QueryBody,
  Relation,
  Select,
  SelectItem,
  TableAlias,
  With,
} from './ast.ts';
import { EngineError, SqlState } from '../../common/index.ts';
import { ExpressionGrammar } from './expression-grammar.ts';
import { invalidSyntax } from './syntax-error.ts';
import {
  Comma,
  Dot,
  Eq,
  IdentLike,
  Identifier as IdentifierToken,
  kw,
  LParen,
  Minus,
  NumberLiteral,
  PipeGt,
  RParen,
  Star,
} from './tokens.ts';

const K = {
  AGGREGATE: kw('AGGREGATE'),
  BUCKET: kw('BUCKET'),
  EXCLUDE: kw('EXCLUDE'),
  FOR: kw('FOR'),
  IN: kw('IN'),
  INCLUDE: kw('INCLUDE'),
  NULLS: kw('NULLS'),
  OF: kw('OF'),
  OUT: kw('OUT'),
  PERCENT: kw('PERCENT'),
  PIVOT: kw('PIVOT'),
  REPEATABLE: kw('REPEATABLE'),
  TABLESAMPLE: kw('TABLESAMPLE'),
  UNPIVOT: kw('UNPIVOT'),
  ALL: kw('ALL'),
  ANTI: kw('ANTI'),
  AS: kw('AS'),
  BY: kw('BY'),
  CROSS: kw('CROSS'),
  CUBE: kw('CUBE'),
  DISTINCT: kw('DISTINCT'),
  EXCEPT: kw('EXCEPT'),
  FROM: kw('FROM'),
  FULL: kw('FULL'),
  GROUP: kw('GROUP'),
  GROUPING: kw('GROUPING'),
  HAVING: kw('HAVING'),
  INNER: kw('INNER'),
  INTERSECT: kw('INTERSECT'),
  JOIN: kw('JOIN'),
  LATERAL: kw('LATERAL'),
  LEFT: kw('LEFT'),
  LIMIT: kw('LIMIT'),
  MINUS: kw('MINUS'),
  NAME: kw('NAME'),
  NATURAL: kw('NATURAL'),
  OFFSET: kw('OFFSET'),
  ON: kw('ON'),
  ORDER: kw('ORDER'),
  SORT: kw('SORT'),
  CLUSTER: kw('CLUSTER'),
  DISTRIBUTE: kw('DISTRIBUTE'),
  DROP: kw('DROP'),
  EXTEND: kw('EXTEND'),
  ORDINALITY: kw('ORDINALITY'),
  OUTER: kw('OUTER'),
  QUALIFY: kw('QUALIFY'),
  RECURSIVE: kw('RECURSIVE'),
  RIGHT: kw('RIGHT'),
  ROLLUP: kw('ROLLUP'),
  ROW: kw('ROW'),
  ROWS: kw('ROWS'),
  SELECT: kw('SELECT'),
  SEMI: kw('SEMI'),
  SET: kw('SET'),
  SETS: kw('SETS'),
  TABLE: kw('TABLE'),
  UNION: kw('UNION'),
  USING: kw('USING'),
  VALUES: kw('VALUES'),
  VIEW: kw('VIEW'),
  WHERE: kw('WHERE'),
  WINDOW: kw('WINDOW'),
  WITH: kw('WITH'),
} as const;

/** A query's ORDER BY / LIMIT / OFFSET as written (`written` names the clauses present). */
interface ResultClauses {
  readonly orderBy: readonly OrderItem[];
  readonly limit: Expr | null;
  readonly offset: Expr | null;
  readonly written: readonly string[];
}

/** A pipe result-clause operator with nothing in it yet. */
const NO_ORGANIZE = { kind: 'organize', orderBy: [], limit: null, offset: null } as const;

/** Words that start a join after `|>`. */
const JOIN_START = [K.CROSS, K.NATURAL, K.INNER, K.LEFT, K.RIGHT, K.FULL, K.SEMI, K.ANTI, K.JOIN];

/** Words that start a result clause after `|>`. */
const RESULT_START = [K.ORDER, K.SORT, K.CLUSTER, K.DISTRIBUTE, K.LIMIT, K.OFFSET];

/** Spark's pipe AGGREGATE groups by plain expressions only. */
function unsupportedPipeGrouping(what: string, pos: number): never {
  throw new EngineError(
    SqlState.featureNotSupported,
    `[PIPE_OPERATOR_AGGREGATE_UNSUPPORTED_CASE] The SQL pipe operator |> AGGREGATE does not support ${what}; group by plain expressions instead.`,
    { position: pos },
  );
}

/** Wraps a body into a Query, or returns a nested Query unchanged when nothing is added to it. */
function makeQuery(
  pos: number,
  withClause: With | null,
  body: QueryBody,
  orderBy: readonly OrderItem[],
  limit: Expr | null,
  offset: Expr | null,
): Query {
  if (
    body.kind === 'query' &&
    withClause === null &&
    orderBy.length === 0 &&
    limit === null &&
    offset === null
  )
    return body;
  return { kind: 'query', with: withClause, body, orderBy, limit, offset, pos };
}

/** Spark's tolerance when checking a sampling fraction against [0, 1]. */
const SAMPLE_EPSILON = 1e-6;

/** A TABLESAMPLE fraction outside [0, 1] is Spark's INVALID_TABLESAMPLE_FRACTION. */
function checkSampleFraction(fraction: number, pos: number): number {
  if (fraction >= -SAMPLE_EPSILON && fraction <= 1 + SAMPLE_EPSILON)
    return Math.min(1, Math.max(0, fraction));
  throw new EngineError(
    SqlState.invalidParameterValue,
    `[INVALID_TABLESAMPLE_FRACTION] Sampling fraction (${fraction}) must be on interval [0, 1].`,
    { position: pos },
  );
}

/**
 * `TABLESAMPLE (expr)` without ROWS: Spark's grammar reads it as a length in bytes (`100M`, `1k`),
 * which Spark does not support, and anything else there as a malformed byte length; both errors
 * point at the TABLESAMPLE clause (`pos`), as Spark's do.
 */
function sampleByBytes(sql: string, pos: number, start: IToken, close: IToken): never {
  const text = sql.slice(start.startOffset, close.startOffset).trim();
  if (/^\d+[bBkKmMgG]$/.test(text)) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `[UNSUPPORTED_FEATURE] TABLESAMPLE(byteLengthLiteral) is not supported: ${text}. Sample by PERCENT, ROWS or BUCKET x OUT OF y.`,
      { position: pos },
    );
  }
  throw invalidSyntax(
    sql,
    pos,
    `${text} is not a valid byte length literal, expected syntax: DIGIT+ ('B' | 'K' | 'M' | 'G')`,
  );
}

export class QueryGrammar extends ExpressionGrammar {
  /** A TABLESAMPLE integer (bucket numbers, REPEATABLE's seed): digits only. */
  protected sampleInteger(t: IToken): number {
    if (!/^\d+$/.test(t.image)) this.fail(this.pos(t), 'TABLESAMPLE needs an integer here');
    return Number(t.image);
  }

  /**
   * `[WITH …] body [ORDER BY …] [LIMIT …] [OFFSET …]`, then any number of pipe operators
   * (`|> WHERE …`), after which a last ORDER BY / LIMIT / OFFSET applies to the piped result.
   */
  override query = this.RULE('query', (): Query => {
    const start = this.LA(1);
    const withClause = this.OPTION(() => this.SUBRULE(this.withClause));
    let body = this.SUBRULE(this.unionTerm);
    const first = this.SUBRULE(this.resultClauses);
    let piped = false;
    this.MANY(() => {
      const t = this.CONSUME(PipeGt);
      const operator = this.SUBRULE(this.pipeOperator);
      this.ACTION(() => {
        const input: QueryBody = piped
          ? body
          : first.orderBy.length === 0 && first.limit === null && first.offset === null
            ? body
            : makeQuery(body.pos, null, body, first.orderBy, first.limit, first.offset);
        body = { kind: 'pipe', input, operator, pos: this.pos(t) };
        piped = true;
      });
    });
    const last = this.OPTION2({ GATE: () => piped, DEF: () => this.SUBRULE2(this.resultClauses) });
    return this.ACTION(() => {
      if (!piped)
        return makeQuery(this.pos(start), withClause ?? null, body, first.orderBy, first.limit, first.offset);
      // After pipe operators the last clauses order and cut the piped rows, as `|> ORDER BY …`
      // and `|> LIMIT …` would (their names keep their table aliases).
      const pos = this.pos(start);
      if (last !== undefined && last.orderBy.length > 0)
        body = { kind: 'pipe', input: body, operator: { ...NO_ORGANIZE, orderBy: last.orderBy, pos }, pos };
      if (last !== undefined && (last.limit !== null || last.offset !== null)) {
        const operator: PipeOperator = { ...NO_ORGANIZE, limit: last.limit, offset: last.offset, pos };
        body = { kind: 'pipe', input: body, operator, pos };
      }
      return makeQuery(pos, withClause ?? null, body, [], null, null);
    });
  });

  /**
   * A query's result clauses, each optional: ORDER BY (Spark's SORT BY orders rows within each
   * partition, CLUSTER BY is DISTRIBUTE BY and SORT BY of the same columns, and DISTRIBUTE BY only
   * places rows: a total order, or none, honours them), then LIMIT, then OFFSET. `written` names
   * the clauses present, for the pipe operator's error.
   */
  resultClauses = this.RULE('resultClauses', (): ResultClauses => {
    const written: string[] = [];
    const orderBy = this.OPTION(() =>
      this.OR([
        {
          ALT: () => {
            this.CONSUME(K.ORDER);
            this.CONSUME(K.BY);
            written.push('ORDER BY');
            return this.SUBRULE(this.orderItems);
          },
        },
        {
          ALT: () => {
            this.CONSUME(K.CLUSTER);
            this.CONSUME2(K.BY);
            written.push('CLUSTER BY');
            const exprs: Expr[] = [];
            this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => exprs.push(this.SUBRULE(this.expr)) });
            return exprs.map((expr): OrderItem => ({
              expr,
              ascending: null,
              nullsFirst: null,
              pos: expr.pos,
            }));
          },
        },
        {
          ALT: () => {
            this.OPTION2(() => {
              this.CONSUME(K.DISTRIBUTE);
              this.CONSUME3(K.BY);
              written.push('DISTRIBUTE BY');
              this.AT_LEAST_ONE_SEP2({ SEP: Comma, DEF: () => this.SUBRULE3(this.expr) });
            });
            return (
              this.OPTION3(() => {
                this.CONSUME(K.SORT);
                this.CONSUME4(K.BY);
                written.push('SORT BY');
                return this.SUBRULE2(this.orderItems);
              }) ?? []
            );
          },
        },
      ]),
    );
    let limit: Expr | null = null;
    this.OPTION4(() => {
      this.CONSUME(K.LIMIT);
      written.push('LIMIT');
      this.OR2([{ ALT: () => this.CONSUME(K.ALL) }, { ALT: () => (limit = this.SUBRULE(this.expr)) }]);
    });
    const offset = this.OPTION5(() => {
      this.CONSUME(K.OFFSET);
      written.push('OFFSET');
      const e = this.SUBRULE2(this.expr);
      this.OPTION6(() => this.OR3([{ ALT: () => this.CONSUME(K.ROW) }, { ALT: () => this.CONSUME(K.ROWS) }]));
      return e;
    });
    return { orderBy: orderBy ?? [], limit, offset: offset ?? null, written };
  });

  /**
   * A pipe step is one operator: `|> PIVOT (…) UNPIVOT (…)` (or the other way round) is Spark's
   * NOT_ALLOWED_IN_FROM.UNPIVOT_WITH_PIVOT, reported at the second clause (`pos`).
   */
  private pivotWithUnpivot(pos: number): never {
    this.fail(
      pos,
      '[NOT_ALLOWED_IN_FROM.UNPIVOT_WITH_PIVOT] Not allowed in the FROM clause: UNPIVOT together with PIVOT. A pipe step takes one PIVOT or UNPIVOT: give each its own |> step',
    );
  }

  /** One pipe operator, after `|>`. */
  pipeOperator = this.RULE('pipeOperator', (): PipeOperator => {
    const t = this.LA(1);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.SELECT);
          const distinct = this.OPTION(() =>
            this.OR2([
              { ALT: () => (this.CONSUME(K.ALL), false) },
              { ALT: () => (this.CONSUME(K.DISTINCT), true) },
            ]),
          );
          const items: SelectItem[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.selectItem)) });
          const windows: NamedWindow[] = [];
          this.OPTION2(() => {
            this.CONSUME(K.WINDOW);
            this.AT_LEAST_ONE_SEP2({ SEP: Comma, DEF: () => windows.push(this.SUBRULE(this.namedWindow)) });
          });
          return this.ACTION((): PipeOperator => ({
            kind: 'select',
            distinct: distinct ?? false,
            items,
            windows,
            pos: this.pos(t),
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.EXTEND);
          const items = this.SUBRULE(this.namedExprList);
          return this.ACTION((): PipeOperator => ({ kind: 'extend', items, pos: this.pos(t) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.SET);
          const assignments: { column: Identifier; expr: Expr }[] = [];
          this.AT_LEAST_ONE_SEP3({
            SEP: Comma,
            DEF: () => {
              const column = this.SUBRULE(this.identifier);
              this.CONSUME(Eq);
              const expr = this.SUBRULE(this.expr);
              this.ACTION(() => assignments.push({ column, expr }));
            },
          });
          return this.ACTION((): PipeOperator => ({ kind: 'set', assignments, pos: this.pos(t) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.DROP);
          const columns: Identifier[] = [];
          this.AT_LEAST_ONE_SEP4({ SEP: Comma, DEF: () => columns.push(this.SUBRULE2(this.identifier)) });
          return this.ACTION((): PipeOperator => ({ kind: 'drop', columns, pos: this.pos(t) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.AS);
          const alias = this.SUBRULE3(this.identifier);
          return this.ACTION((): PipeOperator => ({ kind: 'as', alias, pos: this.pos(t) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.WHERE);
          const condition = this.SUBRULE2(this.expr);
          return this.ACTION((): PipeOperator => ({ kind: 'where', condition, pos: this.pos(t) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.AGGREGATE);
          const items = this.OPTION3({
            GATE: () => !this.isAt(1, K.GROUP),
            DEF: () => this.SUBRULE2(this.namedExprList),
          });
          const groupBy = this.OPTION4(() => this.SUBRULE(this.pipeGroupBy));
          return this.ACTION((): PipeOperator => {
            if (items === undefined && groupBy === undefined)
              this.fail(this.pos(t), 'AGGREGATE needs aggregate expressions, a GROUP BY clause, or both');
            return { kind: 'aggregate', items: items ?? [], groupBy: groupBy ?? null, pos: this.pos(t) };
          });
        },
      },
      {
        ALT: () => {
          const pivot = this.SUBRULE(this.pivotClause);
          const unpivot = this.OPTION5(() => this.SUBRULE2(this.unpivotClause));
          return this.ACTION((): PipeOperator => {
            if (unpivot !== undefined) this.pivotWithUnpivot(unpivot.pos);
            return { kind: 'pivot', pivot, pos: this.pos(t) };
          });
        },
      },
      {
        ALT: () => {
          const unpivot = this.SUBRULE(this.unpivotClause);
          const pivot = this.OPTION6(() => this.SUBRULE2(this.pivotClause));
          return this.ACTION((): PipeOperator => {
            if (pivot !== undefined) this.pivotWithUnpivot(pivot.pos);
            return { kind: 'unpivot', unpivot, pos: this.pos(t) };
          });
        },
      },
      {
        ALT: () => {
          const sample = this.SUBRULE(this.sampleClause);
          return this.ACTION((): PipeOperator => ({ kind: 'sample', sample, pos: this.pos(t) }));
        },
      },
      {
        GATE: () => JOIN_START.some((k) => this.isAt(1, k)),
        ALT: () => {
          const join = this.SUBRULE(this.joinTail);
          return this.ACTION((): PipeOperator => ({ kind: 'join', join, pos: this.pos(t) }));
        },
      },
      {
        ALT: () => {
          const opTok = this.OR3([
            { ALT: () => this.CONSUME(K.UNION) },
            { ALT: () => this.CONSUME(K.EXCEPT) },
            { ALT: () => this.CONSUME(K.MINUS) },
            { ALT: () => this.CONSUME(K.INTERSECT) },
          ]);
          const all = this.SUBRULE(this.setQuantifier);
          const right = this.SUBRULE(this.queryPrimary);
          return this.ACTION((): PipeOperator => ({
            kind: 'set_operation',
            op:
              opTok.tokenType === K.UNION
                ? 'union'
                : opTok.tokenType === K.INTERSECT
                  ? 'intersect'
                  : 'except',
            all,
            right,
            pos: this.pos(t),
          }));
        },
      },
      {
        GATE: () => RESULT_START.some((k) => this.isAt(1, k)),
        ALT: () => {
          const clauses = this.SUBRULE(this.resultClauses);
          return this.ACTION((): PipeOperator => {
            const ordering = clauses.written.filter((w) => w !== 'LIMIT' && w !== 'OFFSET');
            const counting = clauses.written.filter((w) => w === 'LIMIT' || w === 'OFFSET');
            if (ordering.length > 0 && counting.length > 0) {
              throw new EngineError(
                '42000',
                `[MULTIPLE_QUERY_RESULT_CLAUSES_WITH_PIPE_OPERATORS] ${ordering[0]} and ${counting[0]} cannot coexist in the same SQL pipe operator using '|>'. Please separate the multiple result clauses into separate pipe operators and then retry the query again.`,
                { position: this.pos(t) },
              );
            }
            return {
              kind: 'organize',
              orderBy: clauses.orderBy,
              limit: clauses.limit,
              offset: clauses.offset,
              pos: this.pos(t),
            };
          });
        },
      },
    ]);
  });

  /** `expr [AS] alias, …` (no `*`): EXTEND's and AGGREGATE's lists. */
  namedExprList = this.RULE('namedExprList', (): ExprSelectItem[] => {
    const items: ExprSelectItem[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: Comma,
      DEF: () => {
        const expr = this.SUBRULE(this.expr);
        const alias = this.SUBRULE(this.columnAlias);
        this.ACTION(() => items.push({ kind: 'expr_item', expr, alias, pos: expr.pos }));
      },
    });
    return items;
  });

  /**
   * The pipe AGGREGATE's `GROUP BY expr [AS alias], …`. Spark's pipe syntax has no grouping sets
   * here: ALL, ROLLUP, CUBE and GROUPING SETS are 0A000.
   */
  pipeGroupBy = this.RULE('pipeGroupBy', (): ExprSelectItem[] => {
    const start = this.CONSUME(K.GROUP);
    this.CONSUME(K.BY);
    const items: ExprSelectItem[] = [];
    this.OR([
      {
        ALT: () => {
          const all = this.CONSUME(K.ALL);
          this.ACTION(() => unsupportedPipeGrouping('GROUP BY ALL', this.pos(all)));
        },
      },
      {
        ALT: () =>
          this.AT_LEAST_ONE_SEP({
            SEP: Comma,
            DEF: () => {
              const item = this.SUBRULE(this.groupingItem);
              const alias = this.SUBRULE(this.columnAlias);
              this.ACTION(() => {
                if (item.kind !== 'group_expr')
                  unsupportedPipeGrouping(
                    item.kind === 'grouping_sets' ? 'GROUPING SETS' : item.kind.toUpperCase(),
                    item.pos,
                  );
                items.push({ kind: 'expr_item', expr: item.expr, alias, pos: item.pos });
              });
            },
          }),
      },
    ]);
    return this.ACTION(() => {
      if (items.length === 0) this.fail(this.pos(start), 'GROUP BY needs grouping expressions');
      return items;
    });
  });

  withClause = this.RULE('withClause', (): With => {
    const start = this.CONSUME(K.WITH);
    const recursive = this.OPTION(() => this.CONSUME(K.RECURSIVE)) !== undefined;
    const ctes: CommonTableExpression[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => ctes.push(this.SUBRULE(this.cte)) });
    return this.ACTION((): With => ({ recursive, ctes, pos: this.pos(start) }));
  });

  cte = this.RULE('cte', (): CommonTableExpression => {
    const name = this.SUBRULE(this.identifier);
    const columns = this.OPTION(() => this.SUBRULE(this.identifierList));
    this.CONSUME(K.AS);
    this.CONSUME(LParen);
    const query = this.SUBRULE(this.query);
    this.CONSUME(RParen);
    return this.ACTION((): CommonTableExpression => ({
      name,
      columns: columns ?? null,
      query,
      pos: name.pos,
    }));
  });

  unionTerm = this.RULE('unionTerm', (): QueryBody => {
    let left = this.SUBRULE(this.intersectTerm);
    this.MANY(() => {
      const opTok = this.OR([
        { ALT: () => this.CONSUME(K.UNION) },
        { ALT: () => this.CONSUME(K.EXCEPT) },
        { ALT: () => this.CONSUME(K.MINUS) },
      ]);
      const all = this.SUBRULE(this.setQuantifier);
      const byName = this.OPTION(() => {
        this.CONSUME(K.BY);
        this.CONSUME(K.NAME);
        return true;
      });
      const right = this.SUBRULE2(this.intersectTerm);
      left = this.ACTION((): QueryBody => ({
        kind: 'set_operation',
        op: opTok.tokenType === K.UNION ? 'union' : 'except',
        all,
        byName: byName !== undefined,
        left,
        right,
        pos: left.pos,
      }));
    });
    return left;
  });

  intersectTerm = this.RULE('intersectTerm', (): QueryBody => {
    let left = this.SUBRULE(this.queryPrimary);
    this.MANY(() => {
      this.CONSUME(K.INTERSECT);
      const all = this.SUBRULE(this.setQuantifier);
      const right = this.SUBRULE2(this.queryPrimary);
      left = this.ACTION((): QueryBody => ({
        kind: 'set_operation',
        op: 'intersect',
        all,
        byName: false,
        left,
        right,
        pos: left.pos,
      }));
    });
    return left;
  });

  /** `ALL` → true, `DISTINCT` or nothing → false. */
  setQuantifier = this.RULE('setQuantifier', (): boolean => {
    let all = false;
    this.OPTION(() =>
      this.OR([{ ALT: () => (this.CONSUME(K.ALL), (all = true)) }, { ALT: () => this.CONSUME(K.DISTINCT) }]),
    );
    return all;
  });

  queryPrimary = this.RULE('queryPrimary', (): QueryBody =>
    this.OR([
      { ALT: () => this.SUBRULE(this.select) },
      { ALT: () => this.SUBRULE(this.fromFirst) },
      {
        ALT: () => {
          const t = this.CONSUME(K.VALUES);
          const rows = this.SUBRULE(this.valuesRows);
          // `VALUES … AS t(a, b)` as a query is `SELECT * FROM VALUES … AS t(a, b)`.
          const alias = this.SUBRULE(this.tableAlias);
          return this.ACTION((): QueryBody => {
            const pos = this.pos(t);
            if (alias === null) return { kind: 'values', rows, pos };
            return {
              kind: 'select',
              distinct: false,
              items: [{ kind: 'wildcard', qualifier: null, except: [], pos }],
              from: [{ kind: 'values_relation', rows, alias, pos }],
              where: null,
              groupBy: null,
              having: null,
              windows: [],
              qualify: null,
              pos,
            };
          });
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(K.TABLE);
          const name = this.SUBRULE(this.qualifiedName);
          return this.ACTION((): QueryBody => ({ kind: 'table_body', name, pos: this.pos(t) }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(LParen);
          const q = this.SUBRULE(this.query);
          this.CONSUME(RParen);
          return this.ACTION((): QueryBody =>
            q.with === null && q.orderBy.length === 0 && q.limit === null && q.offset === null ? q.body : q,
          );
        },
      },
    ]),
  );

  /** `(1, 2), (3, 4)` or `1, 2` (one-column rows without parentheses). */
  valuesRows = this.RULE('valuesRows', (): Expr[][] => {
    const rows: Expr[][] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: Comma,
      DEF: () => {
        const e = this.SUBRULE(this.expr);
        this.ACTION(() => rows.push(e.kind === 'row' ? [...e.items] : [e]));
      },
    });
    return rows;
  });

  select = this.RULE('select', (): Select => {
    const start = this.CONSUME(K.SELECT);
    const distinct = this.OPTION(() =>
      this.OR([{ ALT: () => (this.CONSUME(K.ALL), false) }, { ALT: () => (this.CONSUME(K.DISTINCT), true) }]),
    );
    const items: SelectItem[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.selectItem)) });
    const from = this.OPTION2(() => {
      this.CONSUME(K.FROM);
      return this.SUBRULE(this.fromItems);
    });
    return this.SUBRULE(this.selectClauses, {
      ARGS: [this.pos(start), distinct ?? false, items, from ?? [], []],
    });
  });

  /** FROM's comma-separated items, then any LATERAL VIEWs. */
  fromItems = this.RULE('fromItems', (): Relation[] => {
    const from: Relation[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => from.push(this.SUBRULE(this.relation)) });
    this.MANY(() => from.push(this.SUBRULE(this.lateralView)));
    // Spark's FROM clause ends with an optional PIVOT then UNPIVOT of all its rows (one right
    // after a FROM item is that item's, taken by `relation`): here after LATERAL VIEWs.
    this.OPTION(() => {
      const pivot = this.SUBRULE(this.pivotClause);
      this.ACTION(() => from.push({ kind: 'pivot', input: null, pivot, pos: pivot.pos }));
    });
    this.OPTION2(() => {
      const unpivot = this.SUBRULE(this.unpivotClause);
      this.ACTION(() => from.push({ kind: 'unpivot', input: null, unpivot, pos: unpivot.pos }));
    });
    return from;
  });

  /**
   * A SELECT's clauses after FROM: WHERE, GROUP BY, HAVING, WINDOW, QUALIFY. The FROM items are
   * `from` and then `views` (the LATERAL VIEWs a FROM-first SELECT lists after its items).
   */
  selectClauses = this.RULE(
    'selectClauses',
    (pos: number, distinct: boolean, items: SelectItem[], from: Relation[], views: Relation[]): Select => {
      const where = this.OPTION3(() => {
        this.CONSUME(K.WHERE);
        return this.SUBRULE(this.expr);
      });
      const groupBy = this.OPTION4(() => this.SUBRULE(this.groupByClause));
      const having = this.OPTION5(() => {
        this.CONSUME(K.HAVING);
        return this.SUBRULE2(this.expr);
      });
      const windows: NamedWindow[] = [];
      this.OPTION6(() => {
        this.CONSUME(K.WINDOW);
        this.AT_LEAST_ONE_SEP3({ SEP: Comma, DEF: () => windows.push(this.SUBRULE(this.namedWindow)) });
      });
      const qualify = this.OPTION7(() => {
        this.CONSUME(K.QUALIFY);
        return this.SUBRULE3(this.expr);
      });
      return this.ACTION((): Select => ({
        kind: 'select',
        distinct,
        items,
        from: views.length === 0 ? from : [...from, ...views],
        where: where ?? null,
        groupBy: groupBy ?? null,
        having: having ?? null,
        windows,
        qualify: qualify ?? null,
        pos,
      }));
    },
  );

  /**
   * Hive's FROM-first form, `FROM t SELECT … [LATERAL VIEW …] [WHERE …] … [ORDER BY …] [LIMIT …]`;
   * several SELECTs over the same FROM are their UNION ALL, as in Spark. Without SELECT it selects
   * every column (Spark 4: `FROM t` is `TABLE t`, the usual start of a pipe).
   */
  fromFirst = this.RULE('fromFirst', (): QueryBody => {
    const start = this.CONSUME(K.FROM);
    const from = this.SUBRULE(this.fromItems);
    const bodies: QueryBody[] = [];
    this.MANY(() => {
      const body = this.SUBRULE(this.fromFirstSelect, { ARGS: [from] });
      this.ACTION(() => bodies.push(body));
    });
    return this.ACTION((): QueryBody => {
      const pos = this.pos(start);
      const first = bodies[0];
      if (first === undefined) {
        return {
          kind: 'select',
          distinct: false,
          items: [{ kind: 'wildcard', qualifier: null, except: [], pos }],
          from,
          where: null,
          groupBy: null,
          having: null,
          windows: [],
          qualify: null,
          pos,
        };
      }
      return bodies.slice(1).reduce<QueryBody>(
        (left, right) => ({
          kind: 'set_operation',
          op: 'union',
          all: true,
          byName: false,
          left,
          right,
          pos,
        }),
        first,
      );
    });
  });

  /**
   * One `SELECT … [LATERAL VIEW …] [WHERE …] … [ORDER BY …] [LIMIT …]` of a FROM-first form over
   * its shared `from` (a FROM-first query, or an INSERT of Hive's multi-insert).
   */
  fromFirstSelect = this.RULE('fromFirstSelect', (from: Relation[]): QueryBody => {
    const t = this.CONSUME(K.SELECT);
    const distinct = this.OPTION(() =>
      this.OR([{ ALT: () => (this.CONSUME(K.ALL), false) }, { ALT: () => (this.CONSUME(K.DISTINCT), true) }]),
    );
    const items: SelectItem[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.selectItem)) });
    const views: Relation[] = [];
    this.MANY(() => views.push(this.SUBRULE(this.lateralView)));
    const select = this.SUBRULE(this.selectClauses, {
      ARGS: [this.pos(t), distinct ?? false, items, from, views],
    });
    const clauses = this.SUBRULE(this.resultClauses);
    return this.ACTION(() =>
      clauses.written.length === 0
        ? select
        : makeQuery(this.pos(t), null, select, clauses.orderBy, clauses.limit, clauses.offset),
    );
  });

  selectItem = this.RULE('selectItem', (): SelectItem =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(Star);
          const except = this.SUBRULE(this.starExcept);
          return this.ACTION((): SelectItem => ({
            kind: 'wildcard',
            qualifier: null,
            except,
            pos: this.pos(t),
          }));
        },
      },
      {
        GATE: () => this.qualifiedStarAhead(),
        ALT: () => {
          const qualifier = this.SUBRULE(this.starQualifier);
          this.CONSUME2(Star);
          const except = this.SUBRULE2(this.starExcept);
          return this.ACTION((): SelectItem => ({ kind: 'wildcard', qualifier, except, pos: qualifier.pos }));
        },
      },
      {
        ALT: () => {
          const expr = this.SUBRULE(this.expr);
          let aliases: Identifier[] | undefined;
          // `AS (k, v)`: the names of a generator's columns.
          this.OPTION({
            GATE: () => this.isAt(1, K.AS) && this.isAt(2, LParen),
            DEF: () => {
              this.CONSUME(K.AS);
              aliases = this.SUBRULE(this.identifierList);
            },
          });
          const alias = aliases === undefined ? this.SUBRULE(this.columnAlias) : null;
          return this.ACTION((): SelectItem => ({
            kind: 'expr_item',
            expr,
            alias,
            ...(aliases === undefined ? {} : { aliases }),
            pos: expr.pos,
          }));
        },
      },
    ]),
  );

  /** `EXCEPT (a, b)` after a `*` (not a set operation: the parenthesis holds no query). */
  starExcept = this.RULE('starExcept', (): Identifier[] => {
    let except: Identifier[] = [];
    this.OPTION({
      GATE: () => this.isAt(2, LParen) && !this.queryInParens(2),
      DEF: () => {
        this.CONSUME(K.EXCEPT);
        except = this.SUBRULE(this.identifierList);
      },
    });
    return except;
  });

  /** `[AS] alias`; without AS only a word that cannot start a clause. */
  optionalAlias = this.RULE('optionalAlias', (): Identifier | null =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.AS);
          return this.SUBRULE(this.identifier);
        },
      },
      { GATE: () => this.implicitAliasAhead(), ALT: () => this.SUBRULE2(this.identifier) },
      { ALT: () => null },
    ]),
  );

  /** A select item's `[AS] alias`: after AS any word labels the column (`count(*) AS table`). */
  columnAlias = this.RULE('columnAlias', (): Identifier | null =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.AS);
          return this.SUBRULE(this.columnLabel);
        },
      },
      { GATE: () => this.implicitAliasAhead(), ALT: () => this.SUBRULE2(this.identifier) },
      { ALT: () => null },
    ]),
  );

  tableAlias = this.RULE('tableAlias', (): TableAlias | null => {
    const name = this.SUBRULE(this.optionalAlias);
    const columns = this.OPTION({ GATE: () => name !== null, DEF: () => this.SUBRULE(this.identifierList) });
    return this.ACTION(() => (name === null ? null : { name, columns: columns ?? null, pos: name.pos }));
  });

  // -------------------------------------------------------------------------------------------
  // FROM

  /** `LATERAL VIEW [OUTER] gen(args) [tableAlias] [AS col, …]`. */
  lateralView = this.RULE('lateralView', (): Relation => {
    const t = this.CONSUME(K.LATERAL);
    this.CONSUME(K.VIEW);
    const outer = this.OPTION(() => this.CONSUME(K.OUTER));
    const name = this.SUBRULE(this.qualifiedName);
    const args = this.SUBRULE(this.parenExprList);
    const tableAlias = this.OPTION2({
      GATE: () => !this.isAt(1, K.AS),
      DEF: () => this.SUBRULE(this.identifier),
    });
    const columns: Identifier[] = [];
    this.OPTION3(() => {
      this.CONSUME(K.AS);
      this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => columns.push(this.SUBRULE2(this.identifier)) });
    });
    return this.ACTION((): Relation => ({
      kind: 'lateral_view',
      outer: outer !== undefined,
      generator: {
        kind: 'function',
        name,
        args,
        distinct: false,
        star: false,
        filter: null,
        ignoreNulls: null,
        over: null,
        orderBy: [],
        pos: name.pos,
      },
      tableAlias: tableAlias ?? null,
      columnAliases: columns,
      pos: this.pos(t),
    }));
  });

  /** A FROM item: a primary relation, then joins, PIVOTs and UNPIVOTs applying to what precedes. */
  relation = this.RULE('relation', (): Relation => {
    let left = this.SUBRULE(this.primaryRelation);
    this.MANY(() =>
      this.OR([
        {
          ALT: () => {
            const pivot = this.SUBRULE(this.pivotClause);
            left = this.ACTION((): Relation => ({ kind: 'pivot', input: left, pivot, pos: left.pos }));
          },
        },
        {
          ALT: () => {
            const unpivot = this.SUBRULE(this.unpivotClause);
            left = this.ACTION((): Relation => ({ kind: 'unpivot', input: left, unpivot, pos: left.pos }));
          },
        },
        { ALT: () => (left = this.SUBRULE(this.joinPart, { ARGS: [left] })) },
      ]),
    );
    return left;
  });

  /**
   * `PIVOT (agg [AS a], … FOR col IN (v [AS x], …))`; `FOR (c1, c2) IN ((v1, v2) [AS x], …)`
   * pivots on several columns, each value then a row constructor.
   */
  pivotClause = this.RULE('pivotClause', (): PivotClause => {
    const t = this.CONSUME(K.PIVOT);
    this.CONSUME(LParen);
    const aggregates = this.SUBRULE(this.namedExprList);
    this.CONSUME(K.FOR);
    const columns = this.OR([
      { ALT: () => this.SUBRULE(this.identifierList) },
      { ALT: () => [this.SUBRULE(this.identifier)] },
    ]);
    this.CONSUME(K.IN);
    this.CONSUME2(LParen);
    const values: PivotClause['values'][number][] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: Comma,
      DEF: () => {
        const expr = this.SUBRULE(this.expr);
        const alias = this.SUBRULE(this.optionalAlias);
        this.ACTION(() => values.push({ expr, alias, pos: expr.pos }));
      },
    });
    this.CONSUME(RParen);
    this.CONSUME2(RParen);
    return this.ACTION((): PivotClause => ({ aggregates, columns, values, pos: this.pos(t) }));
  });

  /**
   * `UNPIVOT [INCLUDE NULLS | EXCLUDE NULLS] (v FOR name IN (c [AS a], …)) [[AS] alias]`, or with
   * several value columns `((v1, v2) FOR name IN ((c1, c2) [AS a], …))`.
   */
  unpivotClause = this.RULE('unpivotClause', (): UnpivotClause => {
    const t = this.CONSUME(K.UNPIVOT);
    const includeNulls = this.OPTION(() => {
      const include = this.OR([
        { ALT: () => (this.CONSUME(K.INCLUDE), true) },
        { ALT: () => (this.CONSUME(K.EXCLUDE), false) },
      ]);
      this.CONSUME(K.NULLS);
      return include;
    });
    this.CONSUME(LParen);
    const columnSets: UnpivotClause['columnSets'][number][] = [];
    const valueColumns = this.OR2([
      {
        ALT: () => {
          const values = this.SUBRULE(this.identifierList);
          this.CONSUME(K.FOR);
          const name = this.SUBRULE(this.identifier);
          this.CONSUME(K.IN);
          this.CONSUME2(LParen);
          this.AT_LEAST_ONE_SEP({
            SEP: Comma,
            DEF: () => {
              const open = this.CONSUME3(LParen);
              const columns: QualifiedName[] = [];
              this.AT_LEAST_ONE_SEP2({
                SEP: Comma,
                DEF: () => columns.push(this.SUBRULE(this.qualifiedName)),
              });
              this.CONSUME(RParen);
              const alias = this.SUBRULE(this.optionalAlias);
              this.ACTION(() => columnSets.push({ columns, alias, pos: this.pos(open) }));
            },
          });
          this.CONSUME2(RParen);
          return { values, name };
        },
      },
      {
        ALT: () => {
          const value = this.SUBRULE2(this.identifier);
          this.CONSUME2(K.FOR);
          const name = this.SUBRULE3(this.identifier);
          this.CONSUME2(K.IN);
          this.CONSUME4(LParen);
          this.AT_LEAST_ONE_SEP3({
            SEP: Comma,
            DEF: () => {
              const column = this.SUBRULE2(this.qualifiedName);
              const alias = this.SUBRULE2(this.optionalAlias);
              this.ACTION(() => columnSets.push({ columns: [column], alias, pos: column.pos }));
            },
          });
          this.CONSUME3(RParen);
          return { values: [value], name };
        },
      },
    ]);
    this.CONSUME4(RParen);
    const alias = this.SUBRULE3(this.optionalAlias);
    return this.ACTION((): UnpivotClause => ({
      includeNulls: includeNulls ?? false,
      valueColumns: valueColumns.values,
      nameColumn: valueColumns.name,
      columnSets,
      alias,
      pos: this.pos(t),
    }));
  });

  /**
   * `TABLESAMPLE ([-]x PERCENT | n ROWS | BUCKET x OUT OF y) [REPEATABLE (seed)]`. Percentages and
   * buckets become a fraction checked against [0, 1] here, as Spark's parser does; `BUCKET … ON …`
   * and a length in bytes (`TABLESAMPLE (100M)`) are not supported (Spark neither).
   */
  sampleClause = this.RULE('sampleClause', (): SampleClause => {
    const t = this.CONSUME(K.TABLESAMPLE);
    const open = this.CONSUME(LParen);
    const method = this.OR([
      {
        ALT: () => {
          const b = this.CONSUME(K.BUCKET);
          const numerator = this.CONSUME(NumberLiteral);
          this.CONSUME(K.OUT);
          this.CONSUME(K.OF);
          const denominator = this.CONSUME2(NumberLiteral);
          const on = this.OPTION(() => {
            const o = this.CONSUME(K.ON);
            this.SUBRULE(this.qualifiedName);
            this.OPTION2(() => {
              this.CONSUME2(LParen);
              this.CONSUME(RParen);
            });
            return o;
          });
          return this.ACTION((): SampleClause['method'] => {
            if (on !== undefined)
              throw new EngineError(
                SqlState.featureNotSupported,
                '[UNSUPPORTED_FEATURE] TABLESAMPLE (BUCKET x OUT OF y ON …) is not supported.',
                { position: this.pos(on) },
              );
            const n = this.sampleInteger(numerator);
            const d = this.sampleInteger(denominator);
            return { kind: 'fraction', fraction: checkSampleFraction(n / d, this.pos(b)) };
          });
        },
      },
      {
        GATE: () =>
          this.isAt(1, Minus)
            ? this.isAt(3, K.PERCENT)
            : this.isAt(1, NumberLiteral) && this.isAt(2, K.PERCENT),
        ALT: () => {
          const minus = this.OPTION3(() => this.CONSUME(Minus));
          const number = this.CONSUME3(NumberLiteral);
          this.CONSUME(K.PERCENT);
          return this.ACTION((): SampleClause['method'] => {
            if (!/^(?:\d+(?:\.\d*)?|\.\d+)$/.test(number.image))
              this.fail(this.pos(number), 'TABLESAMPLE needs an integer or decimal percentage');
            const percent = Number(number.image) * (minus === undefined ? 1 : -1);
            return { kind: 'fraction', fraction: checkSampleFraction(percent / 100, this.pos(open)) };
          });
        },
      },
      {
        ALT: () => {
          const start = this.LA(1);
          const count = this.SUBRULE(this.expr);
          const unit = this.OPTION5(() => this.CONSUME(IdentifierToken));
          const rows = this.OPTION6(() => this.CONSUME(K.ROWS));
          return this.ACTION((): SampleClause['method'] | { kind: 'bytes'; start: IToken } => {
            if (rows === undefined) return { kind: 'bytes', start };
            if (unit !== undefined) this.fail(this.pos(unit), 'TABLESAMPLE (n ROWS) takes no unit after n');
            return { kind: 'rows', count };
          });
        },
      },
    ]);
    const close = this.CONSUME2(RParen);
    const seed = this.OPTION4(() => {
      this.CONSUME(K.REPEATABLE);
      this.CONSUME3(LParen);
      const n = this.CONSUME4(NumberLiteral);
      this.CONSUME3(RParen);
      return n;
    });
    return this.ACTION((): SampleClause => {
      if (method.kind === 'bytes') sampleByBytes(this.sql, this.pos(t), method.start, close);
      return {
        method,
        seed: seed === undefined ? null : (this.sampleInteger(seed), BigInt(seed.image)),
        pos: this.pos(t),
      };
    });
  });

  joinPart = this.RULE('joinPart', (left: Relation): Relation => {
    const tail = this.SUBRULE(this.joinTail);
    return this.ACTION((): Relation => ({ kind: 'join', left, ...tail, pos: left.pos }));
  });

  /** A join without its left side: `[NATURAL] [type] JOIN right [ON … | USING (…)]`, `CROSS JOIN right`. */
  joinTail = this.RULE('joinTail', (): JoinTail => {
    const start = this.LA(1);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.CROSS);
          this.CONSUME(K.JOIN);
          const right = this.SUBRULE(this.primaryRelation);
          // Spark lets a CROSS JOIN carry a condition: it is then an inner join.
          const condition = this.OPTION4(() => this.SUBRULE2(this.joinCondition));
          return this.ACTION((): JoinTail => ({
            joinType: condition === undefined ? 'cross' : 'inner',
            natural: false,
            right,
            condition: condition ?? null,
            pos: this.pos(start),
          }));
        },
      },
      {
        ALT: () => {
          const natural = this.OPTION(() => this.CONSUME(K.NATURAL)) !== undefined;
          const joinType = this.OPTION2(() => this.SUBRULE(this.joinType)) ?? 'inner';
          this.CONSUME2(K.JOIN);
          const right = this.SUBRULE2(this.primaryRelation);
          const condition = this.OPTION3(() => this.SUBRULE(this.joinCondition));
          return this.ACTION((): JoinTail => ({
            joinType,
            natural,
            right,
            condition: condition ?? null,
            pos: this.pos(start),
          }));
        },
      },
    ]);
  });

  joinType = this.RULE('joinType', (): JoinType =>
    this.OR([
      { ALT: (): JoinType => (this.CONSUME(K.INNER), 'inner') },
      {
        ALT: (): JoinType => {
          this.CONSUME(K.LEFT);
          const sub = this.OPTION(() =>
            this.OR2([
              { ALT: (): JoinType => (this.CONSUME(K.OUTER), 'left') },
              { ALT: (): JoinType => (this.CONSUME(K.SEMI), 'left_semi') },
              { ALT: (): JoinType => (this.CONSUME(K.ANTI), 'left_anti') },
            ]),
          );
          return sub ?? 'left';
        },
      },
      {
        ALT: (): JoinType => {
          this.CONSUME(K.RIGHT);
          this.OPTION2(() => this.CONSUME2(K.OUTER));
          return 'right';
        },
      },
      {
        ALT: (): JoinType => {
          this.CONSUME(K.FULL);
          this.OPTION3(() => this.CONSUME3(K.OUTER));
          return 'full';
        },
      },
      { ALT: (): JoinType => (this.CONSUME2(K.SEMI), 'left_semi') },
      { ALT: (): JoinType => (this.CONSUME2(K.ANTI), 'left_anti') },
    ]),
  );

  joinCondition = this.RULE('joinCondition', (): JoinRelation['condition'] =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.ON);
          const expr = this.SUBRULE(this.expr);
          return this.ACTION((): JoinRelation['condition'] => ({ kind: 'on', expr }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.USING);
          const columns = this.SUBRULE(this.identifierList);
          return this.ACTION((): JoinRelation['condition'] => ({ kind: 'using', columns }));
        },
      },
    ]),
  );

  primaryRelation = this.RULE('primaryRelation', (): Relation =>
    this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(K.LATERAL);
          this.CONSUME(LParen);
          const query = this.SUBRULE(this.query);
          this.CONSUME(RParen);
          const alias = this.SUBRULE(this.tableAlias);
          return this.ACTION((): Relation => ({
            kind: 'subquery',
            query,
            alias,
            lateral: true,
            pos: this.pos(t),
          }));
        },
      },
      {
        GATE: () =>
          this.queryInParens(1) &&
          (!this.isAt(2, LParen) || this.BACKTRACK(this.parenthesizedQuery).call(this)),
        ALT: () => {
          const t = this.LA(1);
          const query = this.SUBRULE(this.parenthesizedQuery);
          const sample = this.OPTION6(() => this.SUBRULE(this.sampleClause));
          const alias = this.SUBRULE2(this.tableAlias);
          return this.ACTION((): Relation => {
            if (sample !== undefined) {
              const input: Relation = {
                kind: 'subquery',
                query,
                alias: null,
                lateral: false,
                pos: this.pos(t),
              };
              return { kind: 'sample', input, sample, alias, pos: this.pos(t) };
            }
            if (
              query.body.kind === 'values' &&
              query.with === null &&
              query.orderBy.length === 0 &&
              query.limit === null &&
              query.offset === null
            ) {
              return { kind: 'values_relation', rows: query.body.rows, alias, pos: this.pos(t) };
            }
            return { kind: 'subquery', query, alias, lateral: false, pos: this.pos(t) };
          });
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME2(LParen);
          const inner = this.SUBRULE(this.relation);
          this.CONSUME2(RParen);
          const sample = this.OPTION4(() => this.SUBRULE3(this.sampleClause));
          const alias = this.OPTION5({
            GATE: () => sample !== undefined,
            DEF: () => this.SUBRULE5(this.tableAlias),
          });
          return this.ACTION((): Relation =>
            sample === undefined
              ? inner
              : { kind: 'sample', input: inner, sample, alias: alias ?? null, pos: this.pos(t) },
          );
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(K.VALUES);
          const rows = this.SUBRULE(this.valuesRows);
          const alias = this.SUBRULE3(this.tableAlias);
          return this.ACTION((): Relation => ({ kind: 'values_relation', rows, alias, pos: this.pos(t) }));
        },
      },
      {
        ALT: () => {
          const name = this.SUBRULE(this.qualifiedName);
          const args = this.OPTION(() => this.SUBRULE(this.parenExprList));
          const ordinality = this.OPTION2({
            GATE: () => args !== undefined,
            DEF: () => {
              this.CONSUME(K.WITH);
              this.CONSUME(K.ORDINALITY);
              return true;
            },
          });
          const sample = this.OPTION3({
            GATE: () => args === undefined,
            DEF: () => this.SUBRULE2(this.sampleClause),
          });
          const alias = this.SUBRULE4(this.tableAlias);
          return this.ACTION((): Relation => {
            if (sample !== undefined) {
              const table: Relation = { kind: 'table', name, alias: null, pos: name.pos };
              return { kind: 'sample', input: table, sample, alias, pos: name.pos };
            }
            return args === undefined
              ? { kind: 'table', name, alias, pos: name.pos }
              : { kind: 'table_function', name, args, ordinality: ordinality === true, alias, pos: name.pos };
          });
        },
      },
    ]),
  );

  parenthesizedQuery = this.RULE('parenthesizedQuery', (): Query => {
    const t = this.CONSUME(LParen);
    const q = this.SUBRULE(this.query);
    this.CONSUME(RParen);
    return this.ACTION((): Query =>
      q.kind === 'query' ? q : makeQuery(this.pos(t), null, q, [], null, null),
    );
  });

  // -------------------------------------------------------------------------------------------
  // GROUP BY, WINDOW

  groupByClause = this.RULE('groupByClause', (): GroupBy => {
    const start = this.CONSUME(K.GROUP);
    this.CONSUME(K.BY);
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.ALL);
          return this.ACTION((): GroupBy => ({ all: true, items: [], pos: this.pos(start) }));
        },
      },
      {
        ALT: () => {
          const items: GroupingItem[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.groupingItem)) });
          const withTok = this.OPTION(() => {
            this.CONSUME(K.WITH);
            return this.OR2([{ ALT: () => this.CONSUME(K.ROLLUP) }, { ALT: () => this.CONSUME(K.CUBE) }]);
          });
          // Hive's `GROUP BY a, b GROUPING SETS ((a), (a, b))`: the list names the grouping columns.
          const hiveSets = this.OPTION2(() => {
            const t = this.CONSUME(K.GROUPING);
            this.CONSUME(K.SETS);
            return { t, sets: this.SUBRULE(this.groupingSetsBody) };
          });
          return this.ACTION((): GroupBy => {
            if (hiveSets !== undefined) {
              const columns = items.map((item): Expr => {
                if (item.kind !== 'group_expr' || withTok !== undefined)
                  this.fail(
                    this.pos(hiveSets.t),
                    'GROUPING SETS after GROUP BY needs plain grouping expressions',
                  );
                return item.expr;
              });
              const sets = {
                kind: 'grouping_sets' as const,
                sets: hiveSets.sets,
                columns,
                pos: this.pos(hiveSets.t),
              };
              return { all: false, items: [sets], pos: this.pos(start) };
            }
            if (withTok === undefined) return { all: false, items, pos: this.pos(start) };
            const elements = items.map((item): Expr[] => {
              if (item.kind !== 'group_expr')
                this.fail(
                  this.pos(withTok),
                  `WITH ${withTok.image.toUpperCase()} needs plain grouping expressions`,
                );
              return [item.expr];
            });
            const kind = withTok.tokenType === K.ROLLUP ? 'rollup' : 'cube';
            return { all: false, items: [{ kind, elements, pos: this.pos(withTok) }], pos: this.pos(start) };
          });
        },
      },
    ]);
  });

  groupingItem = this.RULE('groupingItem', (): GroupingItem =>
    this.OR([
      {
        GATE: () => this.isAt(2, K.SETS),
        ALT: () => {
          const t = this.CONSUME(K.GROUPING);
          this.CONSUME(K.SETS);
          const sets = this.SUBRULE(this.groupingSetsBody);
          return this.ACTION((): GroupingItem => ({
            kind: 'grouping_sets',
            sets,
            columns: null,
            pos: this.pos(t),
          }));
        },
      },
      {
        GATE: () => this.isAt(2, LParen),
        ALT: () => {
          const t = this.OR2([{ ALT: () => this.CONSUME(K.ROLLUP) }, { ALT: () => this.CONSUME(K.CUBE) }]);
          const elements = this.SUBRULE2(this.groupingSetList);
          return this.ACTION((): GroupingItem => ({
            kind: t.tokenType === K.ROLLUP ? 'rollup' : 'cube',
            elements,
            pos: this.pos(t),
          }));
        },
      },
      {
        ALT: () => {
          const expr = this.SUBRULE(this.expr);
          return this.ACTION((): GroupingItem => ({ kind: 'group_expr', expr, pos: expr.pos }));
        },
      },
    ]),
  );

  /** GROUPING SETS' `((a, b), a, (), ROLLUP(c), GROUPING SETS (…))`: sets and nested constructs. */
  groupingSetsBody = this.RULE('groupingSetsBody', (): GroupingSetElement[] => {
    const elements: GroupingSetElement[] = [];
    this.CONSUME(LParen);
    this.AT_LEAST_ONE_SEP({
      SEP: Comma,
      DEF: () => {
        const element = this.OR([
          {
            GATE: () =>
              (this.isAt(1, K.GROUPING) && this.isAt(2, K.SETS)) ||
              ((this.isAt(1, K.ROLLUP) || this.isAt(1, K.CUBE)) && this.isAt(2, LParen)),
            ALT: () => this.SUBRULE(this.groupingItem),
          },
          { ALT: () => ({ kind: 'set' as const, exprs: this.SUBRULE(this.groupingSet) }) },
        ]);
        this.ACTION(() => {
          if (element.kind === 'group_expr') throw new Error('unreachable: gated to grouping constructs');
          elements.push(element);
        });
      },
    });
    this.CONSUME(RParen);
    return elements;
  });

  /** `((a, b), (a), ())` or `(a, b)` in ROLLUP/CUBE: each element a parenthesized list or one expression. */
  groupingSetList = this.RULE('groupingSetList', (): Expr[][] => {
    const sets: Expr[][] = [];
    this.CONSUME(LParen);
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => sets.push(this.SUBRULE(this.groupingSet)) });
    this.CONSUME(RParen);
    return sets;
  });

  groupingSet = this.RULE('groupingSet', (): Expr[] =>
    this.OR([
      {
        GATE: () => this.isAt(1, LParen) && !this.queryInParens(1),
        ALT: () => this.SUBRULE(this.parenExprList),
      },
      { ALT: () => [this.SUBRULE(this.expr)] },
    ]),
  );

  namedWindow = this.RULE('namedWindow', (): NamedWindow => {
    const name = this.SUBRULE(this.identifier);
    this.CONSUME(K.AS);
    // `WINDOW w2 AS w1`: another name for a window defined in the same clause.
    const spec = this.OR([
      {
        ALT: () => {
          this.CONSUME(LParen);
          const body = this.SUBRULE(this.windowSpec);
          this.CONSUME(RParen);
          return body;
        },
      },
      {
        ALT: () => {
          const base = this.SUBRULE2(this.identifier);
          return this.ACTION((): WindowSpec => ({
            baseName: base,
            partitionBy: [],
            orderBy: [],
            frame: null,
            pos: base.pos,
          }));
        },
      },
    ]);
    return this.ACTION((): NamedWindow => ({ name, spec, pos: name.pos }));
  });

  /** Statement helpers shared by DDL rules: `a.b.c` joined with dots (option keys). */
  dottedKey = this.RULE('dottedKey', (): string => {
    const parts: IToken[] = [this.CONSUME(IdentLike)];
    this.MANY(() => {
      this.CONSUME(Dot);
      parts.push(this.CONSUME2(IdentLike));
    });
    return this.ACTION(() => parts.map((p) => this.identOf(p).name).join('.'));
  });
}
