/**
 * Parser entry points: split the input into `;`-separated statements and run the grammar on each.
 *
 * One lexer and one parser instance serve every call (both are reset per input). Statements keep
 * positions relative to the whole input, so error positions point into the text the user sent.
 */
import { EOF, tokenMatcher } from 'chevrotain';
import type { IToken } from 'chevrotain';
import { EngineError, SqlState } from '../../common/index.ts';
import type { DataType } from '../../common/index.ts';
import type { Expr, FetchStatement, Query, Statement } from './ast.ts';
import { takeExpected } from './grammar-base.ts';
import { tokenize } from './lexer.ts';
import { isCopy, parseCopy } from './copy-statement.ts';
import { decodeQuotedIdentifier } from './literals.ts';
import { isSetOrReset, isSetVariable, parseSetOrReset } from './set-statement.ts';
import { StatementGrammar } from './statement-grammar.ts';
import { unexpectedToken } from './syntax-error.ts';
import { QuotedIdentifier, Semicolon, StringLiteral } from './tokens.ts';

const parser = new StatementGrammar();

/** How text is read, from the session's settings. */
export interface ParseOptions {
  /**
   * `spark.sql.ansi.doubleQuotedIdentifiers`: `"…"` quotes an identifier, as in PostgreSQL. When
   * false (Spark's default) it is a string literal, like `'…'`.
   */
  readonly doubleQuotedIdentifiers?: boolean;
}

/** Tokens of `sql`, with `"…"` read as string literals unless the options make them identifiers. */
function lex(sql: string, options: ParseOptions): IToken[] {
  const tokens = tokenize(sql);
  if (options.doubleQuotedIdentifiers === true) return tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (t.tokenType === QuotedIdentifier) {
      tokens[i] = { ...t, tokenType: StringLiteral, tokenTypeIdx: StringLiteral.tokenTypeIdx! };
    }
  }
  return tokens;
}

export interface ParsedStatement {
  readonly statement: Statement;
  /** 0-based offsets of the statement's text, without the separating `;`. */
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/** Runs one grammar rule over `tokens`, which must be consumed entirely. */
function run<T>(sql: string, tokens: IToken[], rule: () => T): T {
  parser.sql = sql;
  parser.parameterCount = 0;
  parser.input = tokens;
  takeExpected();
  const result = rule.call(parser);
  const error = parser.errors[0];
  if (error !== undefined) {
    const expected = takeExpected();
    const tok = error.token;
    if (tok.tokenType === EOF || Number.isNaN(tok.startOffset)) {
      throw unexpectedToken(sql, endOf(tokens), null, expected);
    }
    throw unexpectedToken(sql, tok.startOffset, tok.image, expected);
  }
  return result;
}

/** Offset just past the last token (0 when there is none). */
function endOf(tokens: readonly IToken[]): number {
  const last = tokens[tokens.length - 1];
  return last === undefined ? 0 : last.startOffset + last.image.length;
}

function endOfInput(sql: string, tokens: readonly IToken[]): EngineError {
  return unexpectedToken(sql, endOf(tokens), null);
}

function splitStatements(tokens: IToken[]): IToken[][] {
  const out: IToken[][] = [];
  let start = 0;
  for (let i = 0; i <= tokens.length; i++) {
    if (i === tokens.length || tokenMatcher(tokens[i]!, Semicolon)) {
      if (i > start) out.push(tokens.slice(start, i));
      start = i + 1;
    }
  }
  return out;
}

function parseSegment(sql: string, tokens: IToken[]): Statement {
  if (isSetVariable(tokens)) return run(sql, tokens, parser.setVariableStatement);
  if (isSetOrReset(tokens[0]!)) return parseSetOrReset(sql, tokens);
  if (isCopy(tokens[0]!)) return parseCopy(tokens, (inner) => run(sql, inner, parser.standaloneQuery));
  const session = parseSessionStatement(tokens, (inner) => run(sql, inner, parser.standaloneQuery));
  if (session !== null) return session;
  refuseUnsupported(tokens);
  return run(sql, tokens, parser.statement);
}

/** PostgreSQL's `DEALLOCATE` and `DISCARD`, told by their first word; null for other statements. */
function parseSessionStatement(
  tokens: readonly IToken[],
  parseQuery: (tokens: IToken[]) => Query,
): Statement | null {
  const first = tokens[0]!;
  const pos = first.startOffset + 1;
  const words = tokens.map((t) => t.image.toLowerCase());
  const fail = (at: number): never => {
    const t = tokens[at];
    throw new EngineError(SqlState.syntaxError, `syntax error at or near "${t?.image ?? 'end of input'}"`, {
      position: t === undefined ? pos : t.startOffset + 1,
    });
  };
  if (words[0] === 'deallocate') {
    const at = words[1] === 'prepare' ? 2 : 1;
    if (tokens.length !== at + 1) fail(at + 1);
    const t = tokens[at]!;
    const name =
      words[at] === 'all' ? null : t.image.startsWith('"') ? decodeQuotedIdentifier(t.image) : words[at]!;
    return { kind: 'deallocate', name, pos };
  }
  const nameAt = (at: number): string => {
    const t = tokens[at];
    if (t === undefined) fail(at);
    return t!.image.startsWith('"') ? decodeQuotedIdentifier(t!.image) : t!.image.toLowerCase();
  };
  if (words[0] === 'declare' && isCursorDeclaration(words)) {
    const name = nameAt(1);
    let i = 2;
    let binary = false;
    let hold = false;
    for (; i < tokens.length && words[i] !== 'cursor'; i++) {
      const w = words[i];
      if (w === 'binary') binary = true;
      else if (w === 'no' && words[i + 1] === 'scroll') i++;
      else if (w === 'scroll') {
        throw new EngineError(
          SqlState.featureNotSupported,
          'SCROLL cursors are not supported: cursors scan forward only (NO SCROLL)',
          { position: tokens[i]!.startOffset + 1 },
        );
      } else if (w !== 'asensitive' && w !== 'insensitive') fail(i);
    }
    if (words[i] !== 'cursor') fail(i);
    i++;
    if ((words[i] === 'with' || words[i] === 'without') && words[i + 1] === 'hold') {
      hold = words[i] === 'with';
      i += 2;
    }
    if (words[i] !== 'for') fail(i);
    const query = tokens.slice(i + 1);
    if (query.length === 0) fail(i + 1);
    return { kind: 'declare_cursor', name, binary, hold, query: parseQuery(query), pos };
  }
  if (words[0] === 'fetch' || words[0] === 'move') {
    let i = 1;
    let step: FetchStatement['step'] = { kind: 'forward', count: 1 };
    const int = (at: number): number | null =>
      /^[+-]?\d+$/.test(words[at] ?? '') ? Number(words[at]) : null;
    const backward = (): never => {
      throw new EngineError('55000', 'cursor can only scan forward', {
        position: tokens[i]!.startOffset + 1,
      });
    };
    const w = words[i];
    if (w === 'next') i++;
    else if (w === 'all') {
      step = { kind: 'forward', count: 'all' };
      i++;
    } else if (w === 'forward') {
      i++;
      if (words[i] === 'all') {
        step = { kind: 'forward', count: 'all' };
        i++;
      } else if (int(i) !== null) step = { kind: 'forward', count: int(i++)! };
    } else if (w === 'absolute') {
      const n = int(i + 1);
      if (n === null) fail(i + 1);
      step = { kind: 'absolute', row: n! };
      i += 2;
    } else if (w === 'relative') {
      const n = int(i + 1);
      if (n === null) fail(i + 1);
      if (n! <= 0) backward();
      step = { kind: 'relative', offset: n! };
      i += 2;
    } else if (w === 'prior' || w === 'first' || w === 'last' || w === 'backward') backward();
    else if (int(i) !== null) step = { kind: 'forward', count: int(i++)! };
    if (words[i] === 'from' || words[i] === 'in') i++;
    const name = nameAt(i);
    if (tokens.length !== i + 1) fail(i + 1);
    return { kind: 'fetch', move: words[0] === 'move', name, step, pos };
  }
  if (words[0] === 'close') {
    if (tokens.length !== 2) fail(tokens.length < 2 ? 1 : 2);
    return { kind: 'close_cursor', name: words[1] === 'all' ? null : nameAt(1), pos };
  }
  if (words[0] === 'discard') {
    const w = words[1];
    if (tokens.length !== 2) fail(tokens.length < 2 ? 1 : 2);
    if (w === 'all' || w === 'plans' || w === 'sequences') return { kind: 'discard', what: w, pos };
    if (w === 'temp' || w === 'temporary') return { kind: 'discard', what: 'temp', pos };
    fail(1);
  }
  return null;
}

/** PostgreSQL's `DECLARE name [options] CURSOR …` (else DECLARE declares a session variable). */
function isCursorDeclaration(words: readonly string[]): boolean {
  for (let i = 2; i < words.length; i++) {
    const w = words[i];
    if (w === 'cursor') return true;
    if (w !== 'binary' && w !== 'no' && w !== 'scroll' && w !== 'asensitive' && w !== 'insensitive')
      return false;
  }
  return false;
}

/** Row-level changes Kindling's file tables cannot make, and what to write instead. */
const ROW_CHANGES: Readonly<Record<string, string>> = {
  update: 'UPDATE',
  delete: 'DELETE',
  merge: 'MERGE',
};

/**
 * 0A000 with a sentence for statements and clauses Kindling does not support, rather than a syntax
 * error: UPDATE, DELETE and MERGE, key constraints in CREATE TABLE, and PostgreSQL's SQL-level
 * PREPARE / EXECUTE (Kindling prepares over the protocol).
 */
function refuseUnsupported(tokens: readonly IToken[]): void {
  const first = tokens[0]!;
  const firstWord = first.image.toLowerCase();
  if (
    firstWord === 'prepare' ||
    (firstWord === 'execute' && tokens[1]?.image.toLowerCase() !== 'immediate')
  ) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `[UNSUPPORTED_FEATURE] ${firstWord.toUpperCase()} as an SQL statement is not supported: ` +
        'prepare statements through the extended query protocol (what drivers do for prepared statements and parameters).',
      { position: first.startOffset + 1 },
    );
  }
  const verb = ROW_CHANGES[firstWord];
  if (verb !== undefined) {
    throw new EngineError(
      SqlState.featureNotSupported,
      `[UNSUPPORTED_FEATURE.TABLE_OPERATION] ${verb} is not supported: Kindling's tables are files, written whole. ` +
        'Use INSERT INTO to add rows, INSERT OVERWRITE (of the table or of some partitions) or CREATE OR REPLACE TABLE … AS SELECT to rewrite them.',
      { position: first.startOffset + 1 },
    );
  }
  if (first.image.toLowerCase() !== 'create') return;
  for (let i = 1; i < tokens.length; i++) {
    const word = tokens[i]!.image.toLowerCase();
    if (word === 'as' || word === 'select') return; // the query of CREATE … AS SELECT
    const next = tokens[i + 1]?.image.toLowerCase();
    const constraint =
      (word === 'primary' || word === 'foreign') && next === 'key'
        ? `${word.toUpperCase()} KEY`
        : word === 'references' || word === 'unique'
          ? word.toUpperCase()
          : null;
    if (constraint !== null) {
      throw new EngineError(
        SqlState.featureNotSupported,
        `[UNSUPPORTED_FEATURE] ${constraint} constraints are not supported: Kindling does not enforce keys. ` +
          'Declare the columns without it (NOT NULL is checked on write).',
        { position: tokens[i]!.startOffset + 1 },
      );
    }
  }
}

/** Every statement in `sql` (empty ones skipped), with its source range. */
export function parseStatements(sql: string, options: ParseOptions = {}): ParsedStatement[] {
  const tokens = lex(sql, options);
  return splitStatements(tokens).map((segment) => {
    const statement = parseSegment(sql, segment);
    const start = segment[0]!.startOffset;
    const end = endOf(segment);
    return { statement, start, end, text: sql.slice(start, end) };
  });
}

/** Exactly one statement (a trailing `;` is allowed). */
export function parseStatement(sql: string, options: ParseOptions = {}): Statement {
  const tokens = lex(sql, options);
  const segments = splitStatements(tokens);
  const first = segments[0];
  if (first === undefined) throw endOfInput(sql, tokens);
  const second = segments[1];
  if (second !== undefined) {
    const t = second[0]!;
    throw new EngineError(
      SqlState.syntaxError,
      `expected a single statement, found another at or near "${t.image}"`,
      {
        position: t.startOffset + 1,
      },
    );
  }
  return parseSegment(sql, first);
}

function single(sql: string, options: ParseOptions): IToken[] {
  const tokens = lex(sql, options);
  const semi = tokens.findIndex((t) => tokenMatcher(t, Semicolon));
  if (semi >= 0 && semi < tokens.length - 1) {
    const t = tokens[semi]!;
    throw unexpectedToken(sql, t.startOffset, t.image);
  }
  const body = semi >= 0 ? tokens.slice(0, semi) : tokens;
  if (body.length === 0) throw endOfInput(sql, tokens);
  return body;
}

/** A query (SELECT, VALUES, WITH …, set operations). */
export function parseQuery(sql: string, options: ParseOptions = {}): Query {
  return run(sql, single(sql, options), parser.standaloneQuery);
}

/** One expression, e.g. a CHECK or default value, or a test input. */
export function parseExpression(sql: string, options: ParseOptions = {}): Expr {
  return run(sql, single(sql, options), parser.expr);
}

/** A data type as written in DDL or CAST: `decimal(10, 2)`, `array<struct<a: int>>`, `varchar(20)`. */
export function parseDataType(sql: string): DataType {
  return run(sql, single(sql, {}), parser.dataType).type;
}
