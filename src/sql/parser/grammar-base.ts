/**
 * Shared machinery of the SQL grammar: the Chevrotain parser base with token helpers, lookahead
 * predicates used as gates, and the error-message provider that records what was expected.
 */
import { EmbeddedActionsParser, EOF, tokenMatcher } from 'chevrotain';
import type { IParserErrorMessageProvider, IToken, TokenType } from 'chevrotain';
import type { Identifier } from './ast.ts';
import { decodeQuotedIdentifier } from './literals.ts';
import { NO_IMPLICIT_ALIAS, RELATION_OPERATORS } from './keywords.ts';
import { invalidSyntax } from './syntax-error.ts';
import {
  ALL_TOKENS,
  Arrow,
  BacktickIdentifier,
  Comma,
  Dot,
  IdentLike,
  kw,
  LParen,
  QuotedIdentifier,
  RParen,
  Star,
} from './tokens.ts';

/** Labels of the tokens a failed decision expected, de-duplicated (read by the error builder). */
let lastExpected: string[] = [];

export function takeExpected(): string[] {
  const e = lastExpected;
  lastExpected = [];
  return e;
}

function labelOf(t: TokenType): string {
  return t === EOF ? 'end of input' : (t.LABEL ?? t.name);
}

function recordFirsts(paths: readonly (readonly TokenType[])[]): string {
  const seen = new Set<string>();
  for (const p of paths) {
    const first = p[0];
    if (first !== undefined) seen.add(labelOf(first));
  }
  lastExpected = [...seen];
  return '';
}

const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage({ expected }) {
    lastExpected = [labelOf(expected)];
    return '';
  },
  buildNotAllInputParsedMessage() {
    lastExpected = [];
    return '';
  },
  buildNoViableAltMessage({ expectedPathsPerAlt }) {
    return recordFirsts(expectedPathsPerAlt.flat());
  },
  buildEarlyExitMessage({ expectedIterationPaths }) {
    return recordFirsts(expectedIterationPaths);
  },
};

/** Reserved words Spark accepts as lambda parameter names. */
const LAMBDA_KEYWORDS = [kw('LEFT'), kw('RIGHT')];

const QUERY_START = [kw('SELECT'), kw('WITH'), kw('VALUES'), kw('TABLE'), kw('FROM')];
const NO_ALIAS_IDX = new Set<number>([...NO_IMPLICIT_ALIAS].map((w) => kw(w).tokenTypeIdx!));
const RELATION_OPERATOR_IDX = new Set<number>([...RELATION_OPERATORS].map((w) => kw(w).tokenTypeIdx!));

export class GrammarBase extends EmbeddedActionsParser {
  /** The whole SQL text (for error messages and view query text). */
  sql = '';
  /** `?` parameters seen so far in the statement. */
  parameterCount = 0;

  constructor() {
    super(ALL_TOKENS, {
      recoveryEnabled: false,
      maxLookahead: 1,
      skipValidations: true,
      errorMessageProvider: errorMessages,
    });
  }

  protected pos(t: IToken): number {
    return t.startOffset + 1;
  }

  protected fail(pos: number, message: string): never {
    throw invalidSyntax(this.sql, pos, message);
  }

  protected identOf(t: IToken): Identifier {
    const quoted = t.tokenType === QuotedIdentifier || t.tokenType === BacktickIdentifier;
    return { name: quoted ? decodeQuotedIdentifier(t.image) : t.image, quoted, pos: t.startOffset + 1 };
  }

  protected la(k: number): IToken {
    return this.LA(k);
  }

  protected isAt(k: number, type: TokenType): boolean {
    return tokenMatcher(this.LA(k), type);
  }

  /** The next token can be an alias written without AS. */
  protected implicitAliasAhead(): boolean {
    const t = this.LA(1);
    if (!tokenMatcher(t, IdentLike) || NO_ALIAS_IDX.has(t.tokenTypeIdx)) return false;
    if (!RELATION_OPERATOR_IDX.has(t.tokenTypeIdx)) return true;
    const next = this.LA(2);
    return !(
      tokenMatcher(next, LParen) ||
      tokenMatcher(next, kw('INCLUDE')) ||
      tokenMatcher(next, kw('EXCLUDE'))
    );
  }

  /** `(` at LA(k) (possibly several) opens a query. */
  protected queryInParens(k: number): boolean {
    let i = k;
    while (tokenMatcher(this.LA(i), LParen)) i++;
    if (i === k) return false;
    const t = this.LA(i);
    return QUERY_START.some((q) => tokenMatcher(t, q));
  }

  /** LA(k) starts a query (SELECT, WITH, VALUES, TABLE, FROM or a parenthesized query). */
  protected queryStartAt(k: number): boolean {
    const t = this.LA(k);
    return QUERY_START.some((q) => tokenMatcher(t, q)) || this.queryInParens(k);
  }

  /** `name.name.*` ahead. */
  protected qualifiedStarAhead(): boolean {
    let i = 1;
    for (;;) {
      if (!tokenMatcher(this.LA(i), IdentLike) || !tokenMatcher(this.LA(i + 1), Dot)) return false;
      if (tokenMatcher(this.LA(i + 2), Star)) return true;
      i += 2;
    }
  }

  /** `x ->` or `(x, y) ->` ahead (LEFT and RIGHT name parameters too, as in Spark). */
  protected lambdaAhead(): boolean {
    if (this.lambdaParamAt(1)) return tokenMatcher(this.LA(2), Arrow);
    if (!tokenMatcher(this.LA(1), LParen)) return false;
    let i = 2;
    for (;;) {
      if (!this.lambdaParamAt(i)) return false;
      i++;
      if (tokenMatcher(this.LA(i), RParen)) return tokenMatcher(this.LA(i + 1), Arrow);
      if (!tokenMatcher(this.LA(i), Comma)) return false;
      i++;
    }
  }

  /** LA(i) may name a lambda parameter: an identifier, or LEFT/RIGHT (Spark's strict non-reserved words). */
  protected lambdaParamAt(i: number): boolean {
    const t = this.LA(i);
    return tokenMatcher(t, IdentLike) || LAMBDA_KEYWORDS.some((k) => tokenMatcher(t, k));
  }

  /** LA(i) is LEFT or RIGHT naming a parameter of an enclosing lambda (a column reference there). */
  protected keywordLambdaParamAt(i: number): boolean {
    const t = this.LA(i);
    if (!LAMBDA_KEYWORDS.some((k) => tokenMatcher(t, k))) return false;
    return this.keywordLambdaParams.includes(t.image.toLowerCase());
  }

  /** Names of the lambda parameters being parsed that are LEFT or RIGHT (lower-cased), innermost last. */
  protected keywordLambdaParams: string[] = [];
}
