/**
 * The SQL lexer: one Chevrotain lexer built at module load, plus a post-pass that turns words into
 * keyword tokens and reports unterminated strings, identifiers and comments as 42601 errors.
 */
import { Lexer } from 'chevrotain';
import type { IToken } from 'chevrotain';
import {
  isClosedBlockComment,
  Identifier,
  KEYWORD_BY_LOWER,
  LEXER_TOKENS,
  UnterminatedIdentifier,
  UnterminatedString,
} from './tokens.ts';
import { syntaxErrorAt } from './syntax-error.ts';

const lexer = new Lexer(LEXER_TOKENS, {
  ensureOptimizations: true,
  positionTracking: 'onlyOffset',
  skipValidations: true,
});

const identifierIdx = Identifier.tokenTypeIdx;
const unterminatedStringIdx = UnterminatedString.tokenTypeIdx;
const unterminatedIdentIdx = UnterminatedIdentifier.tokenTypeIdx;

/** Tokens of `sql` (comments and whitespace dropped); throws 42601 on anything that does not lex. */
export function tokenize(sql: string): IToken[] {
  const result = lexer.tokenize(sql);
  const firstError = result.errors[0];
  if (firstError !== undefined) {
    const ch = sql.charAt(firstError.offset);
    throw syntaxErrorAt(sql, firstError.offset, `syntax error at or near "${ch}"`);
  }
  const comments = result.groups['comments'];
  if (comments !== undefined) {
    for (const c of comments) {
      if (!isClosedBlockComment(c.image)) {
        throw syntaxErrorAt(sql, c.startOffset, 'unterminated /* comment at or near "/*"');
      }
    }
  }
  const tokens = result.tokens;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    const idx = t.tokenTypeIdx;
    if (idx === identifierIdx) {
      const keyword = KEYWORD_BY_LOWER.get(t.image.toLowerCase());
      if (keyword !== undefined) {
        t.tokenType = keyword;
        t.tokenTypeIdx = keyword.tokenTypeIdx!;
      }
    } else if (idx === unterminatedStringIdx) {
      throw syntaxErrorAt(sql, t.startOffset, `unterminated quoted string at or near "${t.image}"`);
    } else if (idx === unterminatedIdentIdx) {
      throw syntaxErrorAt(sql, t.startOffset, `unterminated quoted identifier at or near "${t.image}"`);
    }
  }
  return tokens;
}
