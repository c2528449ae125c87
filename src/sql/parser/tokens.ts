/**
 * Token types: punctuation and operators, literals, identifiers, and one token type per keyword.
 *
 * Keywords are not matched by the lexer's regular expressions: every word lexes as `Identifier`, and
 * `tokenize` then swaps in the keyword token type found in a case-insensitive table (one map lookup
 * per word instead of trying a few hundred keyword patterns). Identifier-like tokens share the
 * `IdentLike` category so the grammar's `identifier` rule accepts quoted names and non-reserved keywords.
 */
import { createToken, Lexer } from 'chevrotain';
import type { TokenType } from 'chevrotain';
import { NON_RESERVED_KEYWORDS, RESERVED_KEYWORDS } from './keywords.ts';

/** Every token that can stand for a name: identifiers, quoted identifiers, non-reserved keywords. */
export const IdentLike = createToken({ name: 'IdentLike', pattern: Lexer.NA, label: 'identifier' });

export const WhiteSpace = createToken({
  name: 'WhiteSpace',
  pattern: /\s+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});
export const LineComment = createToken({ name: 'LineComment', pattern: /--[^\n\r]*/, group: Lexer.SKIPPED });

/** Matches a (nested, per Spark) block comment; an unterminated one runs to the end of the input. */
function matchBlockComment(text: string, offset: number): RegExpExecArray | null {
  if (text.charCodeAt(offset) !== 47 /* / */ || text.charCodeAt(offset + 1) !== 42 /* * */) return null;
  let depth = 1;
  let i = offset + 2;
  while (i < text.length) {
    const c = text.charCodeAt(i);
    if (c === 42 && text.charCodeAt(i + 1) === 47) {
      depth--;
      i += 2;
      if (depth === 0) break;
    } else if (c === 47 && text.charCodeAt(i + 1) === 42) {
      depth++;
      i += 2;
    } else {
      i++;
    }
  }
  const match = [text.slice(offset, i)] as unknown as RegExpExecArray;
  return match;
}

export const BlockComment = createToken({
  name: 'BlockComment',
  pattern: { exec: matchBlockComment },
  start_chars_hint: ['/'],
  line_breaks: true,
  group: 'comments',
});

/** Whether a block comment token closes all of its nesting levels. */
export function isClosedBlockComment(image: string): boolean {
  let depth = 0;
  let i = 0;
  while (i < image.length) {
    const c = image.charCodeAt(i);
    if (c === 47 && image.charCodeAt(i + 1) === 42) {
      depth++;
      i += 2;
    } else if (c === 42 && image.charCodeAt(i + 1) === 47) {
      depth--;
      i += 2;
      if (depth === 0) return i === image.length;
    } else {
      i++;
    }
  }
  return false;
}

export const StringLiteral = createToken({
  name: 'StringLiteral',
  pattern: /'(?:[^'\\]|\\[\s\S]|'')*'/,
  line_breaks: true,
  label: 'string literal',
});
export const EscapeStringLiteral = createToken({
  name: 'EscapeStringLiteral',
  pattern: /[eE]'(?:[^'\\]|\\[\s\S]|'')*'/,
  line_breaks: true,
  label: 'string literal',
});
export const HexLiteral = createToken({ name: 'HexLiteral', pattern: /[xX]'[^']*'/, label: "X'…'" });
/** A string with no closing quote: reported as an error by `tokenize`. */
export const UnterminatedString = createToken({
  name: 'UnterminatedString',
  pattern: /[eE]?'(?:[^'\\]|\\[\s\S]|'')*(?:\\)?$/,
  line_breaks: true,
});
export const NumberLiteral = createToken({
  name: 'NumberLiteral',
  pattern: /(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?(?:[bB][dD]|[lLsSyYdDfF])?/,
  label: 'number',
});
export const QuotedIdentifier = createToken({
  name: 'QuotedIdentifier',
  pattern: /"(?:[^"]|"")*"/,
  line_breaks: true,
  categories: [IdentLike],
  label: 'quoted identifier',
});
export const BacktickIdentifier = createToken({
  name: 'BacktickIdentifier',
  pattern: /`(?:[^`]|``)*`/,
  line_breaks: true,
  categories: [IdentLike],
  label: 'quoted identifier',
});
export const UnterminatedIdentifier = createToken({
  name: 'UnterminatedIdentifier',
  pattern: /["`][\s\S]*/,
  line_breaks: true,
});
export const Identifier = createToken({
  name: 'Identifier',
  pattern: /[a-zA-Z_\u00c0-\uffff][a-zA-Z0-9_$\u00c0-\uffff]*/,
  categories: [IdentLike],
  label: 'identifier',
});
export const Parameter = createToken({ name: 'Parameter', pattern: /\$\d+/, label: 'parameter' });

function punct(name: string, pattern: string, label = `'${pattern}'`): TokenType {
  return createToken({ name, pattern, label });
}

export const NullSafeEq = punct('NullSafeEq', '<=>');
export const LessEq = punct('LessEq', '<=');
export const GreaterEq = punct('GreaterEq', '>=');
export const NotEqAngle = punct('NotEqAngle', '<>');
export const NotEqBang = punct('NotEqBang', '!=');
export const NotRegexI = punct('NotRegexI', '!~*');
export const NotRegex = punct('NotRegex', '!~');
export const DoubleEq = punct('DoubleEq', '==');
export const FatArrow = punct('FatArrow', '=>');
export const Eq = punct('Eq', '=');
export const Less = punct('Less', '<');
export const Greater = punct('Greater', '>');
export const DoubleColon = punct('DoubleColon', '::');
export const Colon = punct('Colon', ':');
export const Arrow = punct('Arrow', '->');
export const Concat = punct('Concat', '||');
/** The SQL pipe operator `|>`. */
export const PipeGt = punct('PipeGt', '|>');
export const Pipe = punct('Pipe', '|');
export const Amp = punct('Amp', '&');
export const Caret = punct('Caret', '^');
export const RegexI = punct('RegexI', '~*');
export const Tilde = punct('Tilde', '~');
export const Bang = punct('Bang', '!');
export const Plus = punct('Plus', '+');
export const Minus = punct('Minus', '-');
export const Star = punct('Star', '*');
export const Slash = punct('Slash', '/');
export const Percent = punct('Percent', '%');
export const LParen = punct('LParen', '(');
export const RParen = punct('RParen', ')');
export const LBracket = punct('LBracket', '[');
export const RBracket = punct('RBracket', ']');
export const Comma = punct('Comma', ',');
export const Dot = punct('Dot', '.');
export const Semicolon = punct('Semicolon', ';');
export const QuestionMark = punct('QuestionMark', '?');

/** Lexer token order: the first pattern that matches wins. */
export const LEXER_TOKENS: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  EscapeStringLiteral,
  HexLiteral,
  StringLiteral,
  UnterminatedString,
  QuotedIdentifier,
  BacktickIdentifier,
  UnterminatedIdentifier,
  Identifier,
  NumberLiteral,
  Parameter,
  NullSafeEq,
  LessEq,
  GreaterEq,
  NotEqAngle,
  NotEqBang,
  NotRegexI,
  NotRegex,
  DoubleEq,
  FatArrow,
  Eq,
  Less,
  Greater,
  DoubleColon,
  Colon,
  Arrow,
  Concat,
  PipeGt,
  Pipe,
  Amp,
  Caret,
  RegexI,
  Tilde,
  Bang,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  LParen,
  RParen,
  LBracket,
  RBracket,
  Comma,
  Dot,
  Semicolon,
  QuestionMark,
];

/** Keyword category for non-reserved keywords (also in `IdentLike`). */
export const NonReserved = createToken({ name: 'NonReserved', pattern: Lexer.NA, categories: [IdentLike] });

/** Keyword category for reserved keywords: they still label a column after `AS` (`SELECT 1 AS table`). */
export const Reserved = createToken({ name: 'Reserved', pattern: Lexer.NA });

function keywordToken(word: string, reserved: boolean): TokenType {
  return createToken({
    name: word,
    pattern: Lexer.NA,
    label: word,
    categories: reserved ? [Reserved] : [NonReserved, IdentLike],
  });
}

/** Keyword token types by upper-case word. */
export const KW: Readonly<Record<string, TokenType>> = Object.fromEntries([
  ...RESERVED_KEYWORDS.map((w) => [w, keywordToken(w, true)] as const),
  ...NON_RESERVED_KEYWORDS.map((w) => [w, keywordToken(w, false)] as const),
]);

/** Keyword token types by lower-case word, for the lexer's post-pass. */
export const KEYWORD_BY_LOWER: ReadonlyMap<string, TokenType> = new Map(
  Object.entries(KW).map(([w, t]) => [w.toLowerCase(), t]),
);

/** Every token type the parser knows. */
export const ALL_TOKENS: TokenType[] = [
  IdentLike,
  NonReserved,
  Reserved,
  ...LEXER_TOKENS,
  ...Object.values(KW),
];

export function kw(word: string): TokenType {
  const t = KW[word];
  if (t === undefined) throw new Error(`unknown keyword ${word}`);
  return t;
}
