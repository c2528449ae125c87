/**
 * Grammar rules for expressions, data types, function calls, window specs and interval literals.
 *
 * Precedence, lowest first: OR; AND; NOT; comparison and predicates (=, IS, BETWEEN, IN, LIKE, ~);
 * `|`; `^`; `&`; `+ - ||`; `* / % DIV`; unary `- + ~`; postfix `::type`, `[i]`, `.field`; primary.
 * The AST is built by embedded actions (no intermediate CST).
 */
import type { IOrAlt, IToken, ParserMethod } from 'chevrotain';
import type { DataType, Field } from '../../common/index.ts';
import type {
  BinaryOp,
  Expr,
  FrameBound,
  FunctionExpr,
  Identifier,
  LikeExpr,
  Literal,
  OrderItem,
  QualifiedName,
  Query,
  WindowFrame,
  WindowSpec,
} from './ast.ts';
import { namedType } from './data-types.ts';
import type { ResolvedType } from './data-types.ts';
import { buildFunctionCall } from './function-calls.ts';
import type { CallArgs } from './function-calls.ts';
import { GrammarBase } from './grammar-base.ts';
import {
  calendarFromIntervalValue,
  calendarFromUnits,
  intervalPartsFromString,
  unitsMixFamilies,
  intervalFromTo,
  intervalFromUnits,
  intervalType,
  intervalUnit,
} from '../../common/index.ts';
import { decodeString, negateLiteral, numberLiteral } from './literals.ts';
import {
  Amp,
  Arrow,
  Caret,
  Colon,
  Comma,
  Concat,
  Dot,
  DoubleColon,
  DoubleEq,
  Eq,
  EscapeStringLiteral,
  Greater,
  GreaterEq,
  HexLiteral,
  IdentLike,
  Reserved,
  kw,
  LBracket,
  Less,
  LessEq,
  LParen,
  Minus,
  NotEqAngle,
  NotEqBang,
  NotRegex,
  NotRegexI,
  NullSafeEq,
  NumberLiteral,
  Parameter,
  Percent,
  Pipe,
  Plus,
  QuestionMark,
  RBracket,
  RegexI,
  RParen,
  Slash,
  Star,
  StringLiteral,
  Tilde,
  Bang,
} from './tokens.ts';

const K = {
  ALL: kw('ALL'),
  AND: kw('AND'),
  ANY: kw('ANY'),
  ARRAY: kw('ARRAY'),
  AS: kw('AS'),
  ASC: kw('ASC'),
  BETWEEN: kw('BETWEEN'),
  BOTH: kw('BOTH'),
  BY: kw('BY'),
  CASE: kw('CASE'),
  CAST: kw('CAST'),
  COLLATE: kw('COLLATE'),
  COMMENT: kw('COMMENT'),
  CURRENT: kw('CURRENT'),
  CURRENT_DATE: kw('CURRENT_DATE'),
  CURRENT_TIME: kw('CURRENT_TIME'),
  CURRENT_TIMESTAMP: kw('CURRENT_TIMESTAMP'),
  CURRENT_USER: kw('CURRENT_USER'),
  DATE: kw('DATE'),
  DESC: kw('DESC'),
  DISTINCT: kw('DISTINCT'),
  DIV: kw('DIV'),
  ELSE: kw('ELSE'),
  END: kw('END'),
  ESCAPE: kw('ESCAPE'),
  EXISTS: kw('EXISTS'),
  FALSE: kw('FALSE'),
  FILTER: kw('FILTER'),
  FIRST: kw('FIRST'),
  FOLLOWING: kw('FOLLOWING'),
  FOR: kw('FOR'),
  FROM: kw('FROM'),
  GROUP: kw('GROUP'),
  IGNORE: kw('IGNORE'),
  ILIKE: kw('ILIKE'),
  IN: kw('IN'),
  INTERVAL: kw('INTERVAL'),
  IS: kw('IS'),
  LAST: kw('LAST'),
  LEADING: kw('LEADING'),
  LEFT: kw('LEFT'),
  LIKE: kw('LIKE'),
  MAP: kw('MAP'),
  NOT: kw('NOT'),
  NULL: kw('NULL'),
  NULLS: kw('NULLS'),
  OPERATOR: kw('OPERATOR'),
  OR: kw('OR'),
  ORDER: kw('ORDER'),
  OVER: kw('OVER'),
  PARTITION: kw('PARTITION'),
  PLACING: kw('PLACING'),
  PRECEDING: kw('PRECEDING'),
  RANGE: kw('RANGE'),
  REGEXP: kw('REGEXP'),
  RESPECT: kw('RESPECT'),
  RIGHT: kw('RIGHT'),
  RLIKE: kw('RLIKE'),
  ROW: kw('ROW'),
  ROWS: kw('ROWS'),
  SESSION_USER: kw('SESSION_USER'),
  SIMILAR: kw('SIMILAR'),
  SOME: kw('SOME'),
  STRUCT: kw('STRUCT'),
  THEN: kw('THEN'),
  TIME: kw('TIME'),
  TIMESTAMP: kw('TIMESTAMP'),
  TIMESTAMP_LTZ: kw('TIMESTAMP_LTZ'),
  TIMESTAMP_NTZ: kw('TIMESTAMP_NTZ'),
  TO: kw('TO'),
  TRAILING: kw('TRAILING'),
  TRUE: kw('TRUE'),
  TRY_CAST: kw('TRY_CAST'),
  UNBOUNDED: kw('UNBOUNDED'),
  UNKNOWN: kw('UNKNOWN'),
  WHEN: kw('WHEN'),
  WHERE: kw('WHERE'),
  WITH: kw('WITH'),
  WITHIN: kw('WITHIN'),
  WITHOUT: kw('WITHOUT'),
  ZONE: kw('ZONE'),
} as const;

export { K as EXPR_KEYWORDS };

function bin(op: BinaryOp, left: Expr, right: Expr): Expr {
  return { kind: 'binary', op, left, right, pos: left.pos };
}

const PRECEDENCE: Partial<Record<BinaryOp, number>> = {
  or: 1,
  and: 2,
  '|': 3,
  '^': 4,
  '&': 5,
  '+': 6,
  '-': 6,
  '||': 6,
  '*': 7,
  '/': 7,
  '%': 7,
  div: 7,
};

/** Builds left-associative binary trees from `a op b op c …` by operator precedence. */
function foldBinary(operands: readonly Expr[], ops: readonly BinaryOp[]): Expr {
  const out: Expr[] = [operands[0]!];
  const stack: BinaryOp[] = [];
  const reduce = (): void => {
    const op = stack.pop()!;
    const right = out.pop()!;
    const left = out.pop()!;
    out.push(bin(op, left, right));
  };
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    const p = PRECEDENCE[op] ?? 0;
    while (stack.length > 0 && (PRECEDENCE[stack[stack.length - 1]!] ?? 0) >= p) reduce();
    stack.push(op);
    out.push(operands[i + 1]!);
  }
  while (stack.length > 0) reduce();
  return out[0]!;
}

export class ExpressionGrammar extends GrammarBase {
  /** Defined by the query grammar (subqueries inside expressions). */
  declare query: ParserMethod<[], Query>;

  // -------------------------------------------------------------------------------------------
  // Names

  identifier = this.RULE('identifier', (): Identifier => {
    const t = this.CONSUME(IdentLike);
    return this.ACTION(() => this.identOf(t));
  });

  /** A column label after `AS`: any identifier or keyword, reserved ones too (PostgreSQL's ColLabel). */
  columnLabel = this.RULE('columnLabel', (): Identifier => {
    const t = this.OR([{ ALT: () => this.CONSUME(IdentLike) }, { ALT: () => this.CONSUME(Reserved) }]);
    return this.ACTION(() => this.identOf(t));
  });

  qualifiedName = this.RULE('qualifiedName', (): QualifiedName => {
    const parts: Identifier[] = [this.SUBRULE(this.identifier)];
    this.MANY(() => {
      this.CONSUME(Dot);
      parts.push(this.SUBRULE2(this.identifier));
    });
    return this.ACTION(() => ({ parts, pos: parts[0]!.pos }));
  });

  identifierList = this.RULE('identifierList', (): Identifier[] => {
    const ids: Identifier[] = [];
    this.CONSUME(LParen);
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => ids.push(this.SUBRULE(this.identifier)) });
    this.CONSUME(RParen);
    return ids;
  });

  // -------------------------------------------------------------------------------------------
  // Boolean and comparison levels

  /** OR and AND chains (AND binds tighter), folded by precedence in one rule. */
  expr = this.RULE('expr', (): Expr => {
    const operands: Expr[] = [this.SUBRULE(this.notExpr)];
    const ops: BinaryOp[] = [];
    this.MANY(() => {
      ops.push(
        this.OR([
          { ALT: (): BinaryOp => (this.CONSUME(K.AND), 'and') },
          { ALT: (): BinaryOp => (this.CONSUME(K.OR), 'or') },
        ]),
      );
      operands.push(this.SUBRULE2(this.notExpr));
    });
    return this.ACTION(() => (ops.length === 0 ? operands[0]! : foldBinary(operands, ops)));
  });

  notExpr = this.RULE('notExpr', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.OR2([{ ALT: () => this.CONSUME(K.NOT) }, { ALT: () => this.CONSUME(Bang) }]);
          const operand = this.SUBRULE(this.notExpr);
          return this.ACTION((): Expr => ({ kind: 'unary', op: 'not', operand, pos: this.pos(t) }));
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]),
  );

  comparison = this.RULE('comparison', (): Expr => {
    let left = this.SUBRULE(this.valueExpr);
    this.MANY({
      // `POSITION(a IN b)`: an IN not followed by `(` ends the operand.
      GATE: () => !(this.isAt(1, K.IN) && !this.isAt(2, LParen)),
      DEF: () => {
        left = this.SUBRULE(this.predicate, { ARGS: [left] });
      },
    });
    return left;
  });

  predicate = this.RULE('predicate', (left: Expr): Expr =>
    this.OR([
      { ALT: () => this.SUBRULE(this.comparisonRest, { ARGS: [left] }) },
      { ALT: () => this.SUBRULE(this.isRest, { ARGS: [left] }) },
      {
        ALT: () => {
          const op = this.OR2([
            { ALT: () => this.CONSUME(Tilde) },
            { ALT: () => this.CONSUME(RegexI) },
            { ALT: () => this.CONSUME(NotRegex) },
            { ALT: () => this.CONSUME(NotRegexI) },
          ]);
          const right = this.SUBRULE(this.valueExpr);
          return this.ACTION(() => bin(op.image as BinaryOp, left, right));
        },
      },
      {
        ALT: () => {
          const op = this.SUBRULE(this.operatorSyntax);
          const right = this.SUBRULE2(this.valueExpr);
          return this.ACTION(() => bin(op, left, right));
        },
      },
      { ALT: () => this.SUBRULE(this.negatablePredicate, { ARGS: [left] }) },
    ]),
  );

  /** PostgreSQL's `OPERATOR(pg_catalog.~)`. */
  operatorSyntax = this.RULE('operatorSyntax', (): BinaryOp => {
    const start = this.CONSUME(K.OPERATOR);
    this.CONSUME(LParen);
    this.MANY(() => {
      this.CONSUME(IdentLike);
      this.CONSUME(Dot);
    });
    const op = this.OR([
      { ALT: () => this.CONSUME(Tilde) },
      { ALT: () => this.CONSUME(RegexI) },
      { ALT: () => this.CONSUME(NotRegex) },
      { ALT: () => this.CONSUME(NotRegexI) },
      { ALT: () => this.SUBRULE(this.compOp) },
      { ALT: () => this.CONSUME(Plus) },
      { ALT: () => this.CONSUME(Minus) },
      { ALT: () => this.CONSUME(Star) },
      { ALT: () => this.CONSUME(Slash) },
      { ALT: () => this.CONSUME(Concat) },
    ]);
    this.CONSUME(RParen);
    return this.ACTION((): BinaryOp => {
      if (typeof op === 'string') return op;
      void start;
      return op.image as BinaryOp;
    });
  });

  compOp = this.RULE('compOp', (): BinaryOp =>
    this.OR([
      { ALT: (): BinaryOp => (this.CONSUME(Eq), '=') },
      { ALT: (): BinaryOp => (this.CONSUME(DoubleEq), '=') },
      { ALT: (): BinaryOp => (this.CONSUME(NotEqAngle), '<>') },
      { ALT: (): BinaryOp => (this.CONSUME(NotEqBang), '<>') },
      { ALT: (): BinaryOp => (this.CONSUME(Less), '<') },
      { ALT: (): BinaryOp => (this.CONSUME(LessEq), '<=') },
      { ALT: (): BinaryOp => (this.CONSUME(Greater), '>') },
      { ALT: (): BinaryOp => (this.CONSUME(GreaterEq), '>=') },
      { ALT: (): BinaryOp => (this.CONSUME(NullSafeEq), '<=>') },
    ]),
  );

  comparisonRest = this.RULE('comparisonRest', (left: Expr): Expr => {
    const opTok = this.LA(1);
    const op = this.SUBRULE(this.compOp);
    return this.OR([
      {
        ALT: () => {
          const q = this.OR2([
            { ALT: () => this.CONSUME(K.ANY) },
            { ALT: () => this.CONSUME(K.SOME) },
            { ALT: () => this.CONSUME(K.ALL) },
          ]);
          return this.OR3([
            {
              GATE: () => this.queryInParens(1),
              ALT: () => {
                this.CONSUME(LParen);
                const query = this.SUBRULE(this.query);
                this.CONSUME(RParen);
                return this.ACTION((): Expr => {
                  const all = q.tokenType === K.ALL;
                  if (op === '=' && !all)
                    return { kind: 'in_subquery', operand: left, query, negated: false, pos: left.pos };
                  if (op === '<>' && all)
                    return { kind: 'in_subquery', operand: left, query, negated: true, pos: left.pos };
                  return this.fail(
                    this.pos(opTok),
                    `${op} ${q.image.toUpperCase()} (subquery) is not supported; use = ANY or <> ALL`,
                  );
                });
              },
            },
            {
              ALT: () => {
                this.CONSUME2(LParen);
                const arr = this.SUBRULE(this.expr);
                this.CONSUME2(RParen);
                return this.ACTION((): Expr => {
                  const all = q.tokenType === K.ALL;
                  const contains: Expr = this.plainCall('array_contains', [arr, left], left.pos);
                  if (op === '=' && !all) return contains;
                  if (op === '<>' && all)
                    return { kind: 'unary', op: 'not', operand: contains, pos: left.pos };
                  return this.fail(
                    this.pos(opTok),
                    `${op} ${q.image.toUpperCase()} (array) is not supported; use = ANY or <> ALL`,
                  );
                });
              },
            },
          ]);
        },
      },
      {
        ALT: () => {
          const right = this.SUBRULE(this.valueExpr);
          return this.ACTION(() => bin(op, left, right));
        },
      },
    ]);
  });

  isRest = this.RULE('isRest', (left: Expr): Expr => {
    this.CONSUME(K.IS);
    const negated = this.OPTION(() => this.CONSUME(K.NOT)) !== undefined;
    return this.OR([
      { ALT: () => (this.CONSUME(K.NULL), this.isExpr(left, 'null', negated, null)) },
      { ALT: () => (this.CONSUME(K.TRUE), this.isExpr(left, 'true', negated, null)) },
      { ALT: () => (this.CONSUME(K.FALSE), this.isExpr(left, 'false', negated, null)) },
      { ALT: () => (this.CONSUME(K.UNKNOWN), this.isExpr(left, 'unknown', negated, null)) },
      {
        ALT: () => {
          this.CONSUME(K.DISTINCT);
          this.CONSUME(K.FROM);
          const other = this.SUBRULE(this.valueExpr);
          return this.isExpr(left, 'distinct_from', negated, other);
        },
      },
    ]);
  });

  private isExpr(
    operand: Expr,
    test: 'null' | 'true' | 'false' | 'unknown' | 'distinct_from',
    negated: boolean,
    other: Expr | null,
  ): Expr {
    return { kind: 'is', operand, test, negated, other, pos: operand?.pos };
  }

  negatablePredicate = this.RULE('negatablePredicate', (left: Expr): Expr => {
    const negated = this.OPTION(() => this.CONSUME(K.NOT)) !== undefined;
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(K.BETWEEN);
          const low = this.SUBRULE(this.valueExpr);
          this.CONSUME(K.AND);
          const high = this.SUBRULE2(this.valueExpr);
          return this.ACTION((): Expr => ({
            kind: 'between',
            operand: left,
            low,
            high,
            negated,
            pos: left.pos,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.IN);
          return this.OR2([
            {
              GATE: () => this.queryInParens(1),
              ALT: () => {
                this.CONSUME(LParen);
                const query = this.SUBRULE(this.query);
                this.CONSUME(RParen);
                return this.ACTION((): Expr => ({
                  kind: 'in_subquery',
                  operand: left,
                  query,
                  negated,
                  pos: left.pos,
                }));
              },
            },
            {
              ALT: () => {
                const list = this.SUBRULE(this.parenExprList);
                return this.ACTION((): Expr => ({
                  kind: 'in_list',
                  operand: left,
                  list,
                  negated,
                  pos: left.pos,
                }));
              },
            },
          ]);
        },
      },
      { ALT: () => this.SUBRULE(this.likeRest, { ARGS: [left, negated] }) },
    ]);
  });

  likeRest = this.RULE('likeRest', (left: Expr, negated: boolean): Expr => {
    const modeTok = this.OR([
      { ALT: () => this.CONSUME(K.LIKE) },
      { ALT: () => this.CONSUME(K.ILIKE) },
      { ALT: () => this.CONSUME(K.RLIKE) },
      { ALT: () => this.CONSUME(K.REGEXP) },
      {
        ALT: () => {
          const s = this.CONSUME(K.SIMILAR);
          this.CONSUME(K.TO);
          return s;
        },
      },
    ]);
    const mode = this.ACTION((): LikeExpr['mode'] => {
      switch (modeTok.image.toLowerCase()) {
        case 'ilike':
          return 'ilike';
        case 'rlike':
        case 'regexp':
          return 'rlike';
        case 'similar':
          return 'similar';
        default:
          return 'like';
      }
    });
    return this.OR2([
      {
        ALT: () => {
          const q = this.OR3([
            { ALT: () => this.CONSUME(K.ANY) },
            { ALT: () => this.CONSUME(K.SOME) },
            { ALT: () => this.CONSUME2(K.ALL) },
          ]);
          const patterns = this.SUBRULE(this.parenExprList);
          return this.ACTION((): Expr => {
            if (mode === 'rlike' || mode === 'similar')
              this.fail(this.pos(q), `${modeTok.image.toUpperCase()} does not take ANY/ALL`);
            if (patterns.length === 0) this.fail(this.pos(q), 'LIKE ANY/ALL needs at least one pattern');
            return {
              kind: 'like',
              mode,
              operand: left,
              pattern: patterns[0]!,
              escape: null,
              negated,
              quantifier: q.tokenType === K.ALL ? 'all' : 'any',
              patterns,
              pos: left.pos,
            };
          });
        },
      },
      {
        ALT: () => {
          const pattern = this.SUBRULE(this.valueExpr);
          const escape = this.OPTION(() => {
            this.CONSUME(K.ESCAPE);
            return this.CONSUME(StringLiteral);
          });
          return this.ACTION((): Expr => {
            const esc = escape === undefined ? null : decodeString(escape.image);
            if (esc !== null && esc.length !== 1)
              this.fail(this.pos(escape!), 'the escape string must be a single character');
            return {
              kind: 'like',
              mode,
              operand: left,
              pattern,
              escape: esc,
              negated,
              quantifier: null,
              patterns: [],
              pos: left.pos,
            };
          });
        },
      },
    ]);
  });

  parenExprList = this.RULE('parenExprList', (): Expr[] => {
    const items: Expr[] = [];
    this.CONSUME(LParen);
    this.MANY_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.expr)) });
    this.CONSUME(RParen);
    return items;
  });

  // -------------------------------------------------------------------------------------------
  // Arithmetic levels

  /** Arithmetic and bitwise operators (`| ^ & + - || * / % DIV`), folded by precedence in one rule. */
  valueExpr = this.RULE('valueExpr', (): Expr => {
    const operands: Expr[] = [this.SUBRULE(this.unaryExpr)];
    const ops: BinaryOp[] = [];
    this.MANY(() => {
      ops.push(this.SUBRULE(this.arithmeticOp));
      operands.push(this.SUBRULE2(this.unaryExpr));
    });
    return this.ACTION(() => (ops.length === 0 ? operands[0]! : foldBinary(operands, ops)));
  });

  arithmeticOp = this.RULE('arithmeticOp', (): BinaryOp =>
    this.OR([
      { ALT: (): BinaryOp => (this.CONSUME(Plus), '+') },
      { ALT: (): BinaryOp => (this.CONSUME(Minus), '-') },
      { ALT: (): BinaryOp => (this.CONSUME(Star), '*') },
      { ALT: (): BinaryOp => (this.CONSUME(Slash), '/') },
      { ALT: (): BinaryOp => (this.CONSUME(Concat), '||') },
      { ALT: (): BinaryOp => (this.CONSUME(Percent), '%') },
      { ALT: (): BinaryOp => (this.CONSUME(K.DIV), 'div') },
      { ALT: (): BinaryOp => (this.CONSUME(Amp), '&') },
      { ALT: (): BinaryOp => (this.CONSUME(Pipe), '|') },
      { ALT: (): BinaryOp => (this.CONSUME(Caret), '^') },
    ]),
  );

  unaryExpr = this.RULE('unaryExpr', (): Expr =>
    this.OR([
      {
        ALT: () => {
          const t = this.OR2([
            { ALT: () => this.CONSUME(Minus) },
            { ALT: () => this.CONSUME(Plus) },
            { ALT: () => this.CONSUME(Tilde) },
          ]);
          const operand = this.SUBRULE(this.unaryExpr);
          return this.ACTION((): Expr => {
            const op = t.image as '-' | '+' | '~';
            if (op === '-' && operand.kind === 'literal' && operand.pos === t.startOffset + 2) {
              return { kind: 'literal', value: negateLiteral(operand.value), pos: this.pos(t) };
            }
            return { kind: 'unary', op, operand, pos: this.pos(t) };
          });
        },
      },
      { ALT: () => this.SUBRULE(this.postfixExpr) },
    ]),
  );

  postfixExpr = this.RULE('postfixExpr', (): Expr => {
    let base = this.SUBRULE(this.primary);
    this.MANY(() => {
      this.OR([
        {
          ALT: () => {
            this.CONSUME(DoubleColon);
            const t = this.SUBRULE(this.dataType);
            base = this.ACTION((): Expr => ({
              kind: 'cast',
              operand: base,
              type: t.type,
              mode: 'cast',
              pgTypeName: t.pgTypeName,
              pos: base.pos,
            }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(LBracket);
            const index = this.SUBRULE(this.expr);
            this.CONSUME(RBracket);
            base = this.ACTION((): Expr => ({ kind: 'subscript', base, index, pos: base.pos }));
          },
        },
        {
          ALT: () => {
            this.CONSUME(Dot);
            const field = this.SUBRULE(this.identifier);
            base = this.ACTION((): Expr => ({ kind: 'field_access', base, field, pos: base.pos }));
          },
        },
        {
          ALT: () => {
            // A collation is accepted and ignored (strings compare by code point): `"C"`,
            // PostgreSQL's `pg_catalog.default`.
            this.CONSUME(K.COLLATE);
            this.SUBRULE2(this.identifier);
            this.MANY2(() => {
              this.CONSUME2(Dot);
              this.SUBRULE3(this.identifier);
            });
          },
        },
      ]);
    });
    return base;
  });

  // -------------------------------------------------------------------------------------------
  // Primaries

  /** Alternatives are told apart by their first token (no gates), so Chevrotain dispatches through a map. */
  private primaryAlts: IOrAlt<Expr>[] | undefined;

  primary = this.RULE('primary', (): Expr =>
    this.OR(
      (this.primaryAlts ??= [
        { ALT: () => this.SUBRULE(this.identifierLed) },
        {
          ALT: () => {
            const t = this.CONSUME(NumberLiteral);
            return this.ACTION((): Expr => {
              const value = numberLiteral(t.image);
              if (value === null) this.fail(this.pos(t), `invalid numeric literal: ${t.image}`);
              return { kind: 'literal', value, pos: this.pos(t) };
            });
          },
        },
        { ALT: () => this.SUBRULE(this.stringLiteral) },
        { ALT: () => this.SUBRULE(this.parenLed) },
        { ALT: () => this.literalToken(this.CONSUME(K.TRUE), { type: 'boolean', value: true }) },
        { ALT: () => this.literalToken(this.CONSUME(K.FALSE), { type: 'boolean', value: false }) },
        { ALT: () => this.literalToken(this.CONSUME(K.NULL), { type: 'null' }) },
        {
          ALT: () => {
            const t = this.CONSUME(HexLiteral);
            return this.ACTION((): Expr => {
              const hex = t.image.slice(2, -1);
              if (!/^[0-9a-fA-F]*$/.test(hex))
                this.fail(this.pos(t), `invalid hexadecimal literal: ${t.image}`);
              return {
                kind: 'literal',
                value: { type: 'typed', typeName: 'binary', value: hex },
                pos: this.pos(t),
              };
            });
          },
        },
        { ALT: () => this.SUBRULE(this.intervalLiteral) },
        { ALT: () => this.SUBRULE(this.caseExpr) },
        {
          // Spark's exists(array, x -> …): a call when no query follows the parenthesis
          GATE: () => this.isAt(2, LParen) && !this.queryStartAt(3),
          ALT: () => {
            const t = this.CONSUME2(K.EXISTS);
            const name = this.ACTION((): QualifiedName => ({ parts: [this.identOf(t)], pos: this.pos(t) }));
            return this.SUBRULE2(this.functionCall, { ARGS: [name] });
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(K.EXISTS);
            this.CONSUME(LParen);
            const query = this.SUBRULE(this.query);
            this.CONSUME(RParen);
            return this.ACTION((): Expr => ({ kind: 'exists', query, pos: this.pos(t) }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(Parameter);
            return this.ACTION((): Expr => ({
              kind: 'parameter',
              index: Number(t.image.slice(1)),
              pos: this.pos(t),
            }));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(QuestionMark);
            return this.ACTION((): Expr => ({
              kind: 'parameter',
              index: ++this.parameterCount,
              pos: this.pos(t),
            }));
          },
        },
        {
          // Spark's named parameter marker `:name`.
          ALT: () => {
            const t = this.CONSUME(Colon);
            const name = this.SUBRULE3(this.identifier);
            return this.ACTION((): Expr => ({
              kind: 'parameter',
              index: 0,
              name: name.name,
              pos: this.pos(t),
            }));
          },
        },
        { ALT: () => this.SUBRULE(this.niladicFunction) },
        {
          // LEFT(s, n), RIGHT(s, n), ANY(b) and SOME(b) (aliases of bool_or) are functions although
          // the words are reserved. After a comparison operator `= ANY (…)` stays a quantified
          // comparison: comparisonRest consumes ANY/SOME before an operand is parsed.
          GATE: () => this.isAt(2, LParen) || this.keywordLambdaParamAt(1),
          ALT: () => {
            const t = this.OR2([
              { ALT: () => this.CONSUME(K.LEFT) },
              { ALT: () => this.CONSUME(K.RIGHT) },
              { ALT: () => this.CONSUME(K.ANY) },
              { ALT: () => this.CONSUME(K.SOME) },
            ]);
            const name = this.ACTION((): QualifiedName => ({ parts: [this.identOf(t)], pos: this.pos(t) }));
            return this.OR3([
              {
                GATE: () => this.isAt(1, LParen),
                ALT: () => this.SUBRULE(this.functionCall, { ARGS: [name] }),
              },
              { ALT: () => this.ACTION((): Expr => ({ kind: 'column', name, pos: name.pos })) },
            ]);
          },
        },
      ]),
    ),
  );

  /** Constructs starting with a name-like token: typed literals, TRY_CAST, ARRAY[…], names and calls. */
  identifierLed = this.RULE('identifierLed', (): Expr =>
    this.OR([
      { GATE: () => this.isAt(2, StringLiteral), ALT: () => this.SUBRULE(this.typedLiteral) },
      {
        GATE: () => (this.isAt(1, K.TRY_CAST) || this.isAt(1, K.CAST)) && this.isAt(2, LParen),
        ALT: () => this.SUBRULE(this.castExpr),
      },
      {
        GATE: () => this.isAt(1, K.ARRAY) && this.isAt(2, LBracket),
        ALT: () => {
          const t = this.CONSUME(K.ARRAY);
          this.CONSUME(LBracket);
          const items: Expr[] = [];
          this.MANY_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.expr)) });
          this.CONSUME(RBracket);
          return this.ACTION((): Expr => ({ kind: 'array', items, pos: this.pos(t) }));
        },
      },
      {
        // PostgreSQL's `ARRAY(SELECT …)`; `array((SELECT …))` stays Spark's array of one value.
        GATE: () =>
          this.isAt(1, K.ARRAY) && this.isAt(2, LParen) && !this.isAt(3, LParen) && this.queryStartAt(3),
        ALT: () => {
          const t = this.CONSUME2(K.ARRAY);
          this.CONSUME(LParen);
          const query = this.SUBRULE(this.query);
          this.CONSUME(RParen);
          return this.ACTION((): Expr => ({ kind: 'array_subquery', query, pos: this.pos(t) }));
        },
      },
      { ALT: () => this.SUBRULE(this.nameOrCall) },
    ]),
  );

  /** `(query)`, `(expr)` or a row `(a, b)`. */
  parenLed = this.RULE('parenLed', (): Expr =>
    this.OR([
      {
        GATE: () => this.queryInParens(1),
        ALT: () => {
          const t = this.CONSUME(LParen);
          const query = this.SUBRULE(this.query);
          this.CONSUME(RParen);
          return this.ACTION((): Expr => ({ kind: 'scalar_subquery', query, pos: this.pos(t) }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME2(LParen);
          const items: Expr[] = [];
          this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.expr)) });
          this.CONSUME2(RParen);
          return this.ACTION((): Expr =>
            items.length === 1 ? items[0]! : { kind: 'row', items, pos: this.pos(t) },
          );
        },
      },
    ]),
  );

  private literalToken(t: IToken, value: Literal): Expr {
    return { kind: 'literal', value, pos: t.startOffset + 1 };
  }

  stringLiteral = this.RULE('stringLiteral', (): Expr => {
    let first: IToken | undefined;
    let value = '';
    this.AT_LEAST_ONE(() => {
      const t = this.OR([
        { ALT: () => this.CONSUME(StringLiteral) },
        { ALT: () => this.CONSUME(EscapeStringLiteral) },
      ]);
      this.ACTION(() => {
        first ??= t;
        value += decodeString(t.image);
      });
    });
    return this.ACTION((): Expr => ({
      kind: 'literal',
      value: { type: 'string', value },
      pos: this.pos(first!),
    }));
  });

  typedLiteral = this.RULE('typedLiteral', (): Expr => {
    const t = this.OR([
      { ALT: () => this.CONSUME(K.DATE) },
      { ALT: () => this.CONSUME(K.TIME) },
      { ALT: () => this.CONSUME(K.TIMESTAMP) },
      { ALT: () => this.CONSUME(K.TIMESTAMP_NTZ) },
      { ALT: () => this.CONSUME(K.TIMESTAMP_LTZ) },
    ]);
    const s = this.CONSUME(StringLiteral);
    return this.ACTION((): Expr => {
      const typeName = t.image.toLowerCase() as
        'date' | 'time' | 'timestamp' | 'timestamp_ntz' | 'timestamp_ltz';
      return {
        kind: 'literal',
        value: { type: 'typed', typeName, value: decodeString(s.image) },
        pos: this.pos(t),
      };
    });
  });

  /**
   * CURRENT_DATE, CURRENT_TIMESTAMP, CURRENT_USER, SESSION_USER (parentheses optional), and
   * CURRENT_TIME, which may also take a precision: `current_time(3)`.
   */
  niladicFunction = this.RULE('niladicFunction', (): Expr => {
    const t = this.OR([
      { ALT: () => this.CONSUME(K.CURRENT_DATE) },
      { ALT: () => this.CONSUME(K.CURRENT_TIMESTAMP) },
      { ALT: () => this.CONSUME(K.CURRENT_TIME) },
      { ALT: () => this.CONSUME(K.CURRENT_USER) },
      { ALT: () => this.CONSUME(K.SESSION_USER) },
    ]);
    const args: Expr[] = [];
    this.OPTION(() => {
      this.CONSUME(LParen);
      this.OPTION2({
        GATE: () => t.tokenType === K.CURRENT_TIME && !this.isAt(1, RParen),
        DEF: () => args.push(this.SUBRULE(this.expr)),
      });
      this.CONSUME(RParen);
    });
    return this.ACTION(() => this.plainCall(t.image.toLowerCase(), args, this.pos(t)));
  });

  protected plainCall(name: string, args: Expr[], pos: number): FunctionExpr {
    return {
      kind: 'function',
      name: { parts: [{ name, quoted: false, pos }], pos },
      args,
      distinct: false,
      star: false,
      filter: null,
      ignoreNulls: null,
      over: null,
      orderBy: [],
      pos,
    };
  }

  caseExpr = this.RULE('caseExpr', (): Expr => {
    const t = this.CONSUME(K.CASE);
    const operand = this.OPTION(() => this.SUBRULE(this.expr));
    const whens: { when: Expr; then: Expr }[] = [];
    this.AT_LEAST_ONE(() => {
      this.CONSUME(K.WHEN);
      const when = this.SUBRULE2(this.expr);
      this.CONSUME(K.THEN);
      const then = this.SUBRULE3(this.expr);
      whens.push({ when, then });
    });
    const otherwise = this.OPTION2(() => {
      this.CONSUME(K.ELSE);
      return this.SUBRULE4(this.expr);
    });
    this.CONSUME(K.END);
    return this.ACTION((): Expr => ({
      kind: 'case',
      operand: operand ?? null,
      whens,
      else: otherwise ?? null,
      pos: this.pos(t),
    }));
  });

  castExpr = this.RULE('castExpr', (): Expr => {
    const t = this.OR([{ ALT: () => this.CONSUME(K.CAST) }, { ALT: () => this.CONSUME(K.TRY_CAST) }]);
    this.CONSUME(LParen);
    const operand = this.SUBRULE(this.expr);
    this.CONSUME(K.AS);
    const type = this.SUBRULE(this.dataType);
    this.CONSUME(RParen);
    return this.ACTION((): Expr => ({
      kind: 'cast',
      operand,
      type: type.type,
      mode: t.tokenType === K.CAST ? 'cast' : 'try_cast',
      // CAST(x AS DECIMAL) is Spark's DECIMAL(10,0); only `::numeric` is PostgreSQL's.
      pgTypeName: type.pgTypeName === 'numeric' ? null : type.pgTypeName,
      pos: this.pos(t),
    }));
  });

  /** `a`, `t.a`, `f(x)`, `pg_catalog.f(x)`, and bare `user` / `current_schema`. */
  nameOrCall = this.RULE('nameOrCall', (): Expr => {
    const name = this.SUBRULE(this.qualifiedName);
    const call = this.OPTION(() => this.SUBRULE(this.functionCall, { ARGS: [name] }));
    return this.ACTION((): Expr => {
      if (call !== undefined) return call;
      const only = name.parts.length === 1 ? name.parts[0]! : null;
      if (only !== null && !only.quoted) {
        const lower = only.name.toLowerCase();
        if (lower === 'user' || lower === 'current_schema' || lower === 'current_catalog') {
          return this.plainCall(lower === 'user' ? 'current_user' : lower, [], name.pos);
        }
      }
      return { kind: 'column', name, pos: name.pos };
    });
  });

  functionCall = this.RULE('functionCall', (name: QualifiedName): Expr => {
    this.CONSUME(LParen);
    const call: CallArgs = {
      quantifier: null,
      args: [],
      separators: [],
      star: false,
      orderBy: [],
      ignoreNulls: null,
      leadingFrom: null,
    };
    this.OPTION(() => {
      const q = this.OR([
        { ALT: () => this.CONSUME(K.DISTINCT) },
        { ALT: () => this.CONSUME(K.ALL) },
        { ALT: () => this.CONSUME(K.BOTH) },
        { ALT: () => this.CONSUME(K.LEADING) },
        { ALT: () => this.CONSUME(K.TRAILING) },
      ]);
      call.quantifier = q;
    });
    this.OR2([
      {
        GATE: () => this.isAt(2, RParen),
        ALT: () => {
          this.CONSUME(Star);
          call.star = true;
        },
      },
      {
        ALT: () => {
          this.OPTION2(() => {
            call.leadingFrom = this.CONSUME(K.FROM);
          });
          call.args.push(this.SUBRULE(this.functionArg));
          this.MANY(() => {
            const sep = this.OR3([
              { ALT: () => this.CONSUME(Comma) },
              { ALT: () => this.CONSUME2(K.FROM) },
              { ALT: () => this.CONSUME(K.FOR) },
              { ALT: () => this.CONSUME(K.IN) },
              { ALT: () => this.CONSUME(K.PLACING) },
            ]);
            call.separators.push(sep);
            call.args.push(this.SUBRULE2(this.functionArg));
          });
        },
      },
      { ALT: () => undefined },
    ]);
    this.OPTION3(() => {
      this.CONSUME(K.ORDER);
      this.CONSUME(K.BY);
      call.orderBy = this.SUBRULE(this.orderItems);
    });
    this.OPTION4(() => {
      call.ignoreNulls = this.SUBRULE(this.nullTreatment);
    });
    this.CONSUME(RParen);
    let withinGroup: OrderItem[] = [];
    this.OPTION5(() => {
      this.CONSUME(K.WITHIN);
      this.CONSUME(K.GROUP);
      this.CONSUME2(LParen);
      this.CONSUME2(K.ORDER);
      this.CONSUME2(K.BY);
      withinGroup = this.SUBRULE2(this.orderItems);
      this.CONSUME2(RParen);
    });
    const filter = this.OPTION6(() => {
      this.CONSUME(K.FILTER);
      this.CONSUME3(LParen);
      this.CONSUME(K.WHERE);
      const e = this.SUBRULE(this.expr);
      this.CONSUME3(RParen);
      return e;
    });
    const nullsAfter = this.OPTION7(() => this.SUBRULE2(this.nullTreatment));
    const over = this.OPTION8(() => {
      this.CONSUME(K.OVER);
      return this.SUBRULE(this.overClause);
    });
    return this.ACTION(() =>
      buildFunctionCall(this.sql, name, call, {
        withinGroup,
        filter: filter ?? null,
        nullsAfter: nullsAfter ?? null,
        over: over ?? null,
      }),
    );
  });

  nullTreatment = this.RULE('nullTreatment', (): boolean => {
    const t = this.OR([{ ALT: () => this.CONSUME(K.IGNORE) }, { ALT: () => this.CONSUME(K.RESPECT) }]);
    this.CONSUME(K.NULLS);
    return t.tokenType === K.IGNORE;
  });

  functionArg = this.RULE('functionArg', (): Expr =>
    this.OR([
      { GATE: () => this.lambdaAhead(), ALT: () => this.SUBRULE(this.lambda) },
      {
        GATE: () => this.qualifiedStarAhead(),
        ALT: () => {
          const qualifier = this.SUBRULE(this.starQualifier);
          this.CONSUME(Star);
          return this.ACTION((): Expr => ({ kind: 'star', qualifier, pos: qualifier.pos }));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME2(Star);
          return this.ACTION((): Expr => ({ kind: 'star', qualifier: null, pos: this.pos(t) }));
        },
      },
      { ALT: () => this.SUBRULE(this.expr) },
    ]),
  );

  /** `a.b.` before a `*`. */
  starQualifier = this.RULE('starQualifier', (): QualifiedName => {
    const parts: Identifier[] = [];
    this.AT_LEAST_ONE(() => {
      parts.push(this.SUBRULE(this.identifier));
      this.CONSUME(Dot);
    });
    return this.ACTION(() => ({ parts, pos: parts[0]!.pos }));
  });

  lambda = this.RULE('lambda', (): Expr => {
    const first = this.LA(1);
    const params: Identifier[] = [];
    this.OR([
      { ALT: () => params.push(this.SUBRULE(this.lambdaParam)) },
      {
        ALT: () => {
          this.CONSUME(LParen);
          this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => params.push(this.SUBRULE2(this.lambdaParam)) });
          this.CONSUME(RParen);
        },
      },
    ]);
    this.CONSUME(Arrow);
    // LEFT and RIGHT are column references inside the body of a lambda that names them
    const keywords = this.ACTION(() =>
      params.map((p) => p.name.toLowerCase()).filter((n) => n === 'left' || n === 'right'),
    );
    this.ACTION(() => this.keywordLambdaParams.push(...keywords));
    const body = this.SUBRULE(this.expr);
    this.ACTION(() => this.keywordLambdaParams.splice(this.keywordLambdaParams.length - keywords.length));
    return this.ACTION((): Expr => ({ kind: 'lambda', params, body, pos: this.pos(first) }));
  });

  lambdaParam = this.RULE('lambdaParam', (): Identifier => {
    const t = this.OR([
      { ALT: () => this.CONSUME(IdentLike) },
      { ALT: () => this.CONSUME(K.LEFT) },
      { ALT: () => this.CONSUME(K.RIGHT) },
    ]);
    return this.ACTION(() => this.identOf(t));
  });

  // -------------------------------------------------------------------------------------------
  // Windows

  overClause = this.RULE('overClause', (): WindowSpec =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(LParen);
          const spec = this.SUBRULE(this.windowSpec);
          this.CONSUME(RParen);
          return spec;
        },
      },
      {
        ALT: () => {
          const baseName = this.SUBRULE(this.identifier);
          return this.ACTION((): WindowSpec => ({
            baseName,
            partitionBy: [],
            orderBy: [],
            frame: null,
            pos: baseName.pos,
          }));
        },
      },
    ]),
  );

  /** The inside of `OVER (…)` / `WINDOW w AS (…)`. */
  windowSpec = this.RULE('windowSpec', (): WindowSpec => {
    const start = this.LA(1);
    const baseName = this.OPTION({
      GATE: () => !this.isAt(1, K.PARTITION) && !this.isAt(1, K.ROWS) && !this.isAt(1, K.RANGE),
      DEF: () => this.SUBRULE(this.identifier),
    });
    const partitionBy: Expr[] = [];
    this.OPTION2(() => {
      this.CONSUME(K.PARTITION);
      this.CONSUME(K.BY);
      this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => partitionBy.push(this.SUBRULE(this.expr)) });
    });
    const orderBy = this.OPTION3(() => {
      this.CONSUME(K.ORDER);
      this.CONSUME2(K.BY);
      return this.SUBRULE(this.orderItems);
    });
    const frame = this.OPTION4(() => this.SUBRULE(this.windowFrame));
    return this.ACTION((): WindowSpec => ({
      baseName: baseName ?? null,
      partitionBy,
      orderBy: orderBy ?? [],
      frame: frame ?? null,
      pos: this.pos(start),
    }));
  });

  windowFrame = this.RULE('windowFrame', (): WindowFrame => {
    const units = this.OR([{ ALT: () => this.CONSUME(K.ROWS) }, { ALT: () => this.CONSUME(K.RANGE) }]);
    let start: FrameBound | undefined;
    let end: FrameBound = { kind: 'current_row' };
    this.OR2([
      {
        ALT: () => {
          this.CONSUME(K.BETWEEN);
          start = this.SUBRULE(this.frameBound);
          this.CONSUME(K.AND);
          end = this.SUBRULE2(this.frameBound);
        },
      },
      { ALT: () => (start = this.SUBRULE3(this.frameBound)) },
    ]);
    return this.ACTION((): WindowFrame => ({
      units: units.tokenType === K.ROWS ? 'rows' : 'range',
      start: start!,
      end,
      pos: this.pos(units),
    }));
  });

  frameBound = this.RULE('frameBound', (): FrameBound =>
    this.OR([
      {
        ALT: () => {
          this.CONSUME(K.UNBOUNDED);
          return this.OR2([
            { ALT: (): FrameBound => (this.CONSUME(K.PRECEDING), { kind: 'unbounded_preceding' }) },
            { ALT: (): FrameBound => (this.CONSUME(K.FOLLOWING), { kind: 'unbounded_following' }) },
          ]);
        },
      },
      {
        ALT: (): FrameBound => {
          this.CONSUME(K.CURRENT);
          this.CONSUME(K.ROW);
          return { kind: 'current_row' };
        },
      },
      {
        ALT: () => {
          const offset = this.SUBRULE(this.valueExpr);
          return this.OR3([
            { ALT: (): FrameBound => (this.CONSUME2(K.PRECEDING), { kind: 'preceding', offset }) },
            { ALT: (): FrameBound => (this.CONSUME2(K.FOLLOWING), { kind: 'following', offset }) },
          ]);
        },
      },
    ]),
  );

  orderItems = this.RULE('orderItems', (): OrderItem[] => {
    const items: OrderItem[] = [];
    this.AT_LEAST_ONE_SEP({ SEP: Comma, DEF: () => items.push(this.SUBRULE(this.orderItem)) });
    return items;
  });

  orderItem = this.RULE('orderItem', (): OrderItem => {
    const expr = this.SUBRULE(this.expr);
    const dir = this.OPTION(() =>
      this.OR([{ ALT: () => this.CONSUME(K.ASC) }, { ALT: () => this.CONSUME(K.DESC) }]),
    );
    const nulls = this.OPTION2(() => {
      this.CONSUME(K.NULLS);
      return this.OR2([{ ALT: () => this.CONSUME(K.FIRST) }, { ALT: () => this.CONSUME(K.LAST) }]);
    });
    return this.ACTION((): OrderItem => ({
      expr,
      ascending: dir === undefined ? null : dir.tokenType === K.ASC,
      nullsFirst: nulls === undefined ? null : nulls.tokenType === K.FIRST,
      pos: expr.pos,
    }));
  });

  // -------------------------------------------------------------------------------------------
  // Intervals

  intervalLiteral = this.RULE('intervalLiteral', (): Expr => {
    const start = this.CONSUME(K.INTERVAL);
    const parts: { neg: boolean; value: IToken; unit: IToken | undefined; to: IToken | undefined }[] = [];
    this.AT_LEAST_ONE({
      GATE: () => {
        if (parts.length === 0) return true;
        const last = parts[parts.length - 1]!;
        if (last.unit === undefined || last.to !== undefined) return false;
        if (this.isAt(1, Minus)) return this.isAt(2, NumberLiteral) && this.unitAhead(3);
        return (this.isAt(1, NumberLiteral) || this.isAt(1, StringLiteral)) && this.unitAhead(2);
      },
      DEF: () => {
        const neg = this.OPTION(() => this.CONSUME(Minus)) !== undefined;
        const value = this.OR([
          { ALT: () => this.CONSUME(NumberLiteral) },
          { ALT: () => this.CONSUME(StringLiteral) },
        ]);
        const unit = this.OPTION2({ GATE: () => this.unitAhead(1), DEF: () => this.CONSUME(IdentLike) });
        const to = this.OPTION3({
          GATE: () => unit !== undefined && this.isAt(1, K.TO) && this.unitAhead(2),
          DEF: () => {
            this.CONSUME(K.TO);
            return this.CONSUME2(IdentLike);
          },
        });
        parts.push({ neg, value, unit, to });
      },
    });
    return this.ACTION((): Expr => {
      const pos = this.pos(start);
      const fail = (message: string): never => this.fail(pos, message);
      const valueText = (p: (typeof parts)[number]): string => {
        const raw = p.value.tokenType === StringLiteral ? decodeString(p.value.image).trim() : p.value.image;
        return p.neg ? (raw.startsWith('-') ? raw.slice(1) : '-' + raw) : raw;
      };
      const first = parts[0]!;
      const source = `${start.image} ${parts
        .map((p) => `${p.neg ? '-' : ''}${p.value.image}${p.unit === undefined ? '' : ` ${p.unit.image}`}`)
        .join(' ')}`;
      // A list of units: an ANSI interval of one family, or (mixing families) an error the analyzer
      // raises unless legacy intervals are on; either way its calendar reading goes along.
      const fromUnits = (units: { value: string; unit: string }[]): Expr => {
        const calendar = calendarFromUnits(units) ?? null;
        if (unitsMixFamilies(units)) {
          if (calendar === null) fail(`Cannot mix year-month and day-time fields: ${source}`);
          const message = `Cannot mix year-month and day-time fields: ${source}`;
          return { kind: 'interval', value: { type: 'mixed', message }, calendar, pos };
        }
        const value = intervalFromUnits(units, fail);
        return { kind: 'interval', value, calendar: calendar ?? calendarFromIntervalValue(value), pos };
      };
      if (parts.length === 1 && first.unit === undefined) {
        if (first.value.tokenType !== StringLiteral)
          fail('an interval literal needs a unit, e.g. INTERVAL 3 DAYS');
        return fromUnits(intervalPartsFromString(valueText(first), fail));
      }
      if (parts.length === 1 && first.to !== undefined) {
        const from = intervalUnit(first.unit!.image)!;
        const to = intervalUnit(first.to.image)!;
        const value = intervalFromTo(valueText(first), from, to, fail);
        return { kind: 'interval', value, calendar: calendarFromIntervalValue(value), pos };
      }
      const units = parts.map((p) => {
        const unit = p.unit;
        if (unit === undefined || p.to !== undefined) return fail('invalid interval literal');
        return { value: valueText(p), unit: intervalUnit(unit.image)! };
      });
      return fromUnits(units);
    });
  });

  private unitAhead(k: number): boolean {
    const t = this.LA(k);
    return (
      this.isAt(k, IdentLike) &&
      intervalUnit(t.image) !== undefined &&
      t.tokenType.name !== 'QuotedIdentifier'
    );
  }

  // -------------------------------------------------------------------------------------------
  // Data types

  dataType = this.RULE('dataType', (): ResolvedType => {
    let resolved = this.OR([
      {
        ALT: () => {
          this.CONSUME(K.ARRAY);
          this.CONSUME(Less);
          const element = this.SUBRULE(this.dataType);
          this.CONSUME(Greater);
          return this.ACTION((): ResolvedType => ({
            type: { kind: 'array', element: element.type, containsNull: true },
            pgTypeName: null,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.MAP);
          this.CONSUME2(Less);
          const key = this.SUBRULE2(this.dataType);
          this.CONSUME(Comma);
          const value = this.SUBRULE3(this.dataType);
          this.CONSUME2(Greater);
          return this.ACTION((): ResolvedType => ({
            type: { kind: 'map', key: key.type, value: value.type, valueContainsNull: true },
            pgTypeName: null,
          }));
        },
      },
      {
        ALT: () => {
          this.CONSUME(K.STRUCT);
          this.CONSUME3(Less);
          const fields: Field[] = [];
          this.MANY_SEP({ SEP: Comma, DEF: () => fields.push(this.SUBRULE(this.structField)) });
          this.CONSUME3(Greater);
          return this.ACTION((): ResolvedType => ({ type: { kind: 'struct', fields }, pgTypeName: null }));
        },
      },
      {
        ALT: () => {
          const start = this.CONSUME(K.INTERVAL);
          const from = this.OPTION({ GATE: () => this.unitAhead(1), DEF: () => this.CONSUME(IdentLike) });
          const to = this.OPTION2({
            GATE: () => from !== undefined && this.isAt(1, K.TO),
            DEF: () => {
              this.CONSUME(K.TO);
              return this.CONSUME2(IdentLike);
            },
          });
          return this.ACTION((): ResolvedType => {
            if (from === undefined) return { type: { kind: 'calendar_interval' }, pgTypeName: 'interval' };
            const type = intervalType(from.image, to?.image);
            if (type === undefined) {
              const text = `INTERVAL ${from.image}${to === undefined ? '' : ` TO ${to.image}`}`;
              return this.fail(this.pos(start), `invalid interval type: ${text}`);
            }
            return { type, pgTypeName: null };
          });
        },
      },
      { ALT: () => this.SUBRULE(this.namedDataType) },
    ]);
    this.MANY({
      GATE: () => this.isAt(2, RBracket),
      DEF: () => {
        this.CONSUME(LBracket);
        this.CONSUME(RBracket);
        resolved = this.ACTION((): ResolvedType => ({
          type: { kind: 'array', element: resolved.type, containsNull: true },
          pgTypeName: (resolved.pgTypeName ?? resolved.written ?? this.typeLabel(resolved.type)) + '[]',
        }));
      },
    });
    return resolved;
  });

  private typeLabel(t: DataType): string {
    return t.kind;
  }

  namedDataType = this.RULE('namedDataType', (): ResolvedType => {
    let first = this.CONSUME(IdentLike);
    // PostgreSQL's qualified names of built-in types: `pg_catalog.regclass`, `pg_catalog.text`.
    this.OPTION4({
      GATE: () => first.image.toLowerCase() === 'pg_catalog' && this.isAt(1, Dot),
      DEF: () => {
        this.CONSUME(Dot);
        first = this.CONSUME3(IdentLike);
      },
    });
    const words: IToken[] = [first];
    this.OPTION({
      GATE: () => {
        const a = first.image.toLowerCase();
        const b = this.LA(1).image.toLowerCase();
        return (a === 'double' && b === 'precision') || (a === 'character' && b === 'varying');
      },
      DEF: () => words.push(this.CONSUME2(IdentLike)),
    });
    this.OPTION2({
      GATE: () => (this.isAt(1, K.WITH) || this.isAt(1, K.WITHOUT)) && this.isAt(2, K.TIME),
      DEF: () => {
        words.push(this.OR([{ ALT: () => this.CONSUME(K.WITH) }, { ALT: () => this.CONSUME(K.WITHOUT) }]));
        words.push(this.CONSUME(K.TIME));
        words.push(this.CONSUME(K.ZONE));
      },
    });
    const args: number[] = [];
    this.OPTION3(() => {
      this.CONSUME(LParen);
      this.AT_LEAST_ONE_SEP({
        SEP: Comma,
        DEF: () => {
          const n = this.CONSUME(NumberLiteral);
          this.ACTION(() => {
            if (!/^\d+$/.test(n.image)) this.fail(this.pos(n), `invalid type argument: ${n.image}`);
            args.push(Number(n.image));
          });
        },
      });
      this.CONSUME(RParen);
    });
    // `TIME(3) WITHOUT TIME ZONE`, `TIMESTAMP(6) WITH TIME ZONE`: the zone words after the precision.
    this.OPTION5({
      GATE: () =>
        words.length === 1 && (this.isAt(1, K.WITH) || this.isAt(1, K.WITHOUT)) && this.isAt(2, K.TIME),
      DEF: () => {
        words.push(this.OR2([{ ALT: () => this.CONSUME2(K.WITH) }, { ALT: () => this.CONSUME2(K.WITHOUT) }]));
        words.push(this.CONSUME2(K.TIME));
        words.push(this.CONSUME2(K.ZONE));
      },
    });
    return this.ACTION((): ResolvedType => {
      const name = words.map((w) => (w === first ? this.identOf(w).name : w.image).toLowerCase()).join(' ');
      return { ...namedType(name, args, (message) => this.fail(this.pos(first), message)), written: name };
    });
  });

  structField = this.RULE('structField', (): Field => {
    const name = this.SUBRULE(this.identifier);
    this.OPTION(() => this.CONSUME(Colon));
    const type = this.SUBRULE(this.dataType);
    const notNull = this.OPTION2(() => {
      this.CONSUME(K.NOT);
      this.CONSUME(K.NULL);
      return true;
    });
    this.OPTION3(() => {
      this.CONSUME(K.COMMENT);
      this.CONSUME(StringLiteral);
    });
    return this.ACTION((): Field => ({ name: name.name, type: type.type, nullable: notNull === undefined }));
  });
}
