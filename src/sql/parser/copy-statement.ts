/**
 * PostgreSQL's `COPY`, parsed from the statement's tokens rather than by the grammar (its options
 * are a small language of their own):
 *
 * ```
 * COPY table [(col, …)] TO STDOUT   [[WITH] (option [value], …) | legacy options]
 * COPY (query)           TO STDOUT   …
 * COPY table [(col, …)] FROM STDIN  …
 * ```
 *
 * Options: FORMAT text|csv, HEADER [bool], DELIMITER 'c', NULL 'text', QUOTE 'c', ESCAPE 'c',
 * ENCODING 'UTF8'; and the legacy spellings `CSV`, `HEADER`, `DELIMITER [AS] 'c'`, `NULL [AS] 't'`.
 */
import type { IToken } from 'chevrotain';
import { tokenMatcher } from 'chevrotain';
import { EngineError, SqlState } from '../../common/index.ts';
import type { CopyOptions } from '../../common/index.ts';
import type { CopyStatement, Identifier, Query } from './ast.ts';
import { decodeQuotedIdentifier, decodeString } from './literals.ts';
import {
  BacktickIdentifier,
  Comma,
  Dot,
  EscapeStringLiteral,
  LParen,
  QuotedIdentifier,
  RParen,
  StringLiteral,
} from './tokens.ts';

/** COPY is not a keyword of Spark's grammar: the statement is told by its first word. */
export function isCopy(first: IToken): boolean {
  return first.image.toLowerCase() === 'copy';
}

class Cursor {
  i = 0;
  readonly tokens: readonly IToken[];

  constructor(tokens: readonly IToken[]) {
    this.tokens = tokens;
  }

  peek(k = 0): IToken | undefined {
    return this.tokens[this.i + k];
  }

  word(k = 0): string {
    return this.peek(k)?.image.toLowerCase() ?? '';
  }

  next(): IToken {
    const t = this.tokens[this.i];
    if (t === undefined) throw this.error('unexpected end of COPY statement', this.endPos());
    this.i++;
    return t;
  }

  expectWord(w: string): void {
    const t = this.peek();
    if (t === undefined || t.image.toLowerCase() !== w) {
      throw this.error(
        `syntax error at or near "${t?.image ?? 'end of input'}": expected ${w.toUpperCase()}`,
        t === undefined ? this.endPos() : t.startOffset + 1,
      );
    }
    this.i++;
  }

  endPos(): number {
    const last = this.tokens[this.tokens.length - 1];
    return last === undefined ? 1 : last.startOffset + last.image.length + 1;
  }

  error(message: string, position: number): EngineError {
    return new EngineError(SqlState.syntaxError, message, { position });
  }

  identifier(): Identifier {
    const t = this.next();
    const quoted = tokenMatcher(t, QuotedIdentifier) || tokenMatcher(t, BacktickIdentifier);
    if (!quoted && !/^[a-zA-Z_\u00c0-\uffff][a-zA-Z0-9_$\u00c0-\uffff]*$/.test(t.image)) {
      throw this.error(`syntax error at or near "${t.image}": expected a name`, t.startOffset + 1);
    }
    return { name: quoted ? decodeQuotedIdentifier(t.image) : t.image, quoted, pos: t.startOffset + 1 };
  }

  string(what: string): string {
    const t = this.next();
    if (!tokenMatcher(t, StringLiteral) && !tokenMatcher(t, EscapeStringLiteral)) {
      throw this.error(`COPY ${what} must be a quoted string, not "${t.image}"`, t.startOffset + 1);
    }
    return decodeString(t.image);
  }
}

/** Parses one COPY statement given its tokens; `parseQuery` parses the tokens of `(query)`. */
export function parseCopy(tokens: readonly IToken[], parseQuery: (tokens: IToken[]) => Query): CopyStatement {
  const c = new Cursor(tokens);
  const first = c.next();
  const pos = first.startOffset + 1;
  let table: CopyStatement['table'] = null;
  let columns: Identifier[] | null = null;
  let query: Query | null = null;
  if (tokenMatcher(c.peek() ?? first, LParen) && c.peek() !== undefined) {
    // `(query)`: up to the matching parenthesis.
    const open = c.i;
    let depth = 0;
    for (;;) {
      const t = c.next();
      if (tokenMatcher(t, LParen)) depth++;
      else if (tokenMatcher(t, RParen) && --depth === 0) break;
    }
    query = parseQuery(tokens.slice(open + 1, c.i - 1));
  } else {
    const parts = [c.identifier()];
    while (c.peek() !== undefined && tokenMatcher(c.peek()!, Dot)) {
      c.next();
      parts.push(c.identifier());
    }
    table = { parts, pos: parts[0]!.pos };
    if (c.peek() !== undefined && tokenMatcher(c.peek()!, LParen)) {
      c.next();
      columns = [c.identifier()];
      while (tokenMatcher(c.peek() ?? first, Comma)) {
        c.next();
        columns.push(c.identifier());
      }
      const close = c.next();
      if (!tokenMatcher(close, RParen)) {
        throw c.error(`syntax error at or near "${close.image}": expected )`, close.startOffset + 1);
      }
    }
  }
  let direction: CopyStatement['direction'];
  const dirToken = c.peek();
  if (c.word() === 'to') {
    c.next();
    direction = 'to';
    if (c.word() !== 'stdout') {
      throw new EngineError(
        SqlState.featureNotSupported,
        "COPY TO a file is not supported: use COPY … TO STDOUT (psql: \\copy … to 'file')",
        { position: (c.peek() ?? dirToken)?.startOffset === undefined ? pos : c.peek()!.startOffset + 1 },
      );
    }
    c.next();
  } else if (c.word() === 'from') {
    c.next();
    direction = 'from';
    if (c.word() !== 'stdin') {
      throw new EngineError(
        SqlState.featureNotSupported,
        "COPY FROM a file is not supported: use COPY … FROM STDIN (psql: \\copy … from 'file')",
        { position: c.peek() === undefined ? c.endPos() : c.peek()!.startOffset + 1 },
      );
    }
    c.next();
    if (query !== null) throw c.error('COPY FROM takes a table, not a query', pos);
  } else {
    throw c.error(
      `syntax error at or near "${dirToken?.image ?? 'end of input'}": expected TO or FROM`,
      dirToken === undefined ? c.endPos() : dirToken.startOffset + 1,
    );
  }
  const options = parseOptions(c);
  if (c.peek() !== undefined) {
    throw c.error(`syntax error at or near "${c.peek()!.image}"`, c.peek()!.startOffset + 1);
  }
  return { kind: 'copy', direction, table, columns, query, options, pos };
}

function parseOptions(c: Cursor): CopyOptions {
  const o: {
    format: CopyOptions['format'];
    header: boolean;
    delimiter: string | null;
    nullText: string | null;
    quote: string;
    escape: string | null;
  } = { format: 'text', header: false, delimiter: null, nullText: null, quote: '"', escape: null };
  if (c.word() === 'with') c.next();
  const one = (what: string, v: string): string => {
    if ([...v].length !== 1) throw c.error(`COPY ${what} must be a single one-byte character`, c.endPos());
    return v;
  };
  const option = (name: string, at: IToken): void => {
    switch (name) {
      case 'format': {
        const v = c.next().image.toLowerCase().replace(/^'|'$/g, '');
        if (v === 'binary') {
          throw new EngineError(
            SqlState.featureNotSupported,
            'COPY FORMAT binary is not supported: use text or csv',
            {
              position: at.startOffset + 1,
            },
          );
        }
        if (v !== 'text' && v !== 'csv')
          throw c.error(`COPY format "${v}" not recognized`, at.startOffset + 1);
        o.format = v;
        return;
      }
      case 'csv':
        o.format = 'csv';
        return;
      case 'binary':
        throw new EngineError(SqlState.featureNotSupported, 'COPY BINARY is not supported: use text or csv', {
          position: at.startOffset + 1,
        });
      case 'header': {
        const w = c.word();
        if (['true', 'on', '1', 'false', 'off', '0'].includes(w)) {
          c.next();
          o.header = w === 'true' || w === 'on' || w === '1';
        } else o.header = true;
        return;
      }
      case 'delimiter':
        if (c.word() === 'as') c.next();
        o.delimiter = one('delimiter', c.string('delimiter'));
        return;
      case 'null':
        if (c.word() === 'as') c.next();
        o.nullText = c.string('null');
        return;
      case 'quote':
        if (c.word() === 'as') c.next();
        o.quote = one('quote', c.string('quote'));
        return;
      case 'escape':
        if (c.word() === 'as') c.next();
        o.escape = one('escape', c.string('escape'));
        return;
      case 'encoding': {
        const v = c.string('encoding').toUpperCase().replace(/[-_]/g, '');
        if (v !== 'UTF8') {
          throw new EngineError(
            SqlState.featureNotSupported,
            `COPY ENCODING ${v} is not supported: only UTF8`,
            {
              position: at.startOffset + 1,
            },
          );
        }
        return;
      }
      default:
        throw c.error(`option "${at.image}" not recognized`, at.startOffset + 1);
    }
  };
  if (c.peek() !== undefined && tokenMatcher(c.peek()!, LParen)) {
    c.next();
    for (;;) {
      const at = c.next();
      option(at.image.toLowerCase(), at);
      const t = c.next();
      if (tokenMatcher(t, RParen)) break;
      if (!tokenMatcher(t, Comma)) throw c.error(`syntax error at or near "${t.image}"`, t.startOffset + 1);
    }
  } else {
    while (c.peek() !== undefined) {
      const at = c.next();
      option(at.image.toLowerCase(), at);
    }
  }
  const csv = o.format === 'csv';
  const delim = o.delimiter ?? (csv ? ',' : '\t');
  if (delim === '\n' || delim === '\r' || delim === '\\') {
    throw c.error('COPY delimiter cannot be newline, carriage return or backslash', c.endPos());
  }
  return {
    format: o.format,
    header: o.header,
    delimiter: delim,
    null: o.nullText ?? (csv ? '' : '\\N'),
    quote: o.quote,
    escape: o.escape ?? o.quote,
  };
}
