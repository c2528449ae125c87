/**
 * `SET …` and `RESET …` (but for `SET VAR`), parsed from the raw statement text rather than by the grammar: keys are
 * dotted names (`spark.sql.ansi.enabled`) and the value is whatever text follows `=` or `TO`, trimmed,
 * with one level of quotes removed.
 */
import type { IToken } from 'chevrotain';
import { tokenMatcher } from 'chevrotain';
import type { ResetStatement, SetStatement } from './ast.ts';
import { decodeString } from './literals.ts';
import { unexpectedToken } from './syntax-error.ts';
import { Eq, IdentLike, kw, LParen } from './tokens.ts';

const SET = kw('SET');
const RESET = kw('RESET');
const TO = kw('TO');
const TIME = kw('TIME');
const ZONE = kw('ZONE');
const SESSION = kw('SESSION');
const LOCAL = kw('LOCAL');
const ALL = kw('ALL');
const VAR = kw('VAR');
const VARIABLE = kw('VARIABLE');

/**
 * `SET VAR x = …`, `SET VARIABLE (a, b) = …`: assignments to session variables, parsed by the
 * grammar (`SET var = 1` sets a setting named `var`).
 */
export function isSetVariable(tokens: readonly IToken[]): boolean {
  const [first, second, third] = tokens;
  return (
    first !== undefined &&
    tokenMatcher(first, SET) &&
    second !== undefined &&
    (tokenMatcher(second, VAR) || tokenMatcher(second, VARIABLE)) &&
    third !== undefined &&
    (tokenMatcher(third, IdentLike) || tokenMatcher(third, LParen))
  );
}

export function isSetOrReset(first: IToken): boolean {
  return tokenMatcher(first, SET) || tokenMatcher(first, RESET);
}

function unquote(text: string): string {
  const t = text.trim();
  if (t.length >= 2) {
    const q = t[0];
    if (q === "'" && t.endsWith("'")) return decodeString(t);
    if ((q === '"' || q === '`') && t.endsWith(q))
      return t
        .slice(1, -1)
        .split(q + q)
        .join(q);
  }
  return t;
}

function textOf(sql: string, tokens: readonly IToken[], from: number, to: number): string {
  const a = tokens[from];
  const b = tokens[to - 1];
  if (a === undefined || b === undefined || to <= from) return '';
  return sql.slice(a.startOffset, b.startOffset + b.image.length);
}

/** Parses one SET/RESET statement given its tokens (without the trailing `;`). */
export function parseSetOrReset(sql: string, tokens: readonly IToken[]): SetStatement | ResetStatement {
  const first = tokens[0]!;
  const pos = first.startOffset + 1;
  if (tokenMatcher(first, RESET)) {
    if (tokens.length === 1 || (tokens.length === 2 && tokenMatcher(tokens[1]!, ALL)))
      return { kind: 'reset', key: null, pos };
    return { kind: 'reset', key: unquote(textOf(sql, tokens, 1, tokens.length)), pos };
  }
  if (tokens.length === 1) return { kind: 'set', key: null, value: null, pos };
  let i = 1;
  if (tokenMatcher(tokens[1]!, TIME) && tokens[2] !== undefined && tokenMatcher(tokens[2], ZONE)) {
    if (tokens.length === 3)
      throw unexpectedToken(sql, tokens[2].startOffset + tokens[2].image.length, null, [
        "a time zone such as 'UTC'",
        'LOCAL',
      ]);
    return {
      kind: 'set',
      key: 'spark.sql.session.timeZone',
      value: unquote(textOf(sql, tokens, 3, tokens.length)),
      pos,
    };
  }
  // SET TRANSACTION …: this transaction's characteristics (Kindling runs statements one by one).
  if (tokens[1]!.image.toLowerCase() === 'transaction') {
    return {
      kind: 'set',
      key: 'transaction_characteristics',
      value: textOf(sql, tokens, 2, tokens.length).trim(),
      pos,
    };
  }
  if (tokenMatcher(tokens[1]!, SESSION) && tokens[2]?.image.toLowerCase() === 'characteristics') {
    return {
      kind: 'set',
      key: 'session_characteristics',
      value: textOf(sql, tokens, 3, tokens.length).trim(),
      pos,
    };
  }
  // PostgreSQL's SET SESSION x / SET LOCAL x: the scope word is dropped.
  if (
    (tokenMatcher(tokens[1]!, SESSION) || tokenMatcher(tokens[1]!, LOCAL)) &&
    tokens.length > 2 &&
    !tokenMatcher(tokens[2]!, Eq)
  )
    i = 2;
  let sep = -1;
  for (let j = i; j < tokens.length; j++) {
    const t = tokens[j]!;
    if (tokenMatcher(t, Eq) || (tokenMatcher(t, TO) && j > i)) {
      sep = j;
      break;
    }
  }
  if (sep === i) throw unexpectedToken(sql, tokens[sep]!.startOffset, tokens[sep]!.image, ['a setting name']);
  if (sep < 0) return { kind: 'set', key: unquote(textOf(sql, tokens, i, tokens.length)), value: null, pos };
  const key = unquote(textOf(sql, tokens, i, sep));
  return { kind: 'set', key, value: unquote(textOf(sql, tokens, sep + 1, tokens.length)), pos };
}
