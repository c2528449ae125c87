/**
 * Builds the 42601 syntax errors the lexer and parser raise, PostgreSQL style:
 * `syntax error at or near "FROMM" (line 2, column 8)`, with `position` = 1-based offset in the input.
 */
import { EngineError, SqlState } from '../../common/index.ts';

/** 1-based line and column of a 0-based offset. */
export function lineColumn(sql: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  const end = Math.min(offset, sql.length);
  for (let i = 0; i < end; i++) {
    if (sql.charCodeAt(i) === 10) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

/** A syntax error pointing at `offset` (0-based; `sql.length` means end of input). */
export function syntaxErrorAt(sql: string, offset: number, message: string): EngineError {
  const { line, column } = lineColumn(sql, offset);
  return new EngineError(SqlState.syntaxError, `${message} (line ${line}, column ${column})`, {
    position: Math.min(offset, sql.length) + 1,
  });
}

/**
 * `syntax error at or near "tok"` (or `at end of input` when `image` is null, with `offset` just past
 * the last token), plus what was expected when that list is short.
 */
export function unexpectedToken(
  sql: string,
  offset: number,
  image: string | null,
  expected: readonly string[] = [],
): EngineError {
  const where = image === null ? 'at end of input' : `at or near "${image}"`;
  const { line, column } = lineColumn(sql, offset);
  let message = `syntax error ${where} (line ${line}, column ${column})`;
  if (expected.length > 0 && expected.length <= 8) {
    message +=
      expected.length === 1 ? `, expecting ${expected[0]}` : `, expecting one of: ${expected.join(', ')}`;
  }
  return new EngineError(SqlState.syntaxError, message, { position: offset + 1 });
}

/** An error for a construct that parsed but is invalid (bad interval, decimal precision…). */
export function invalidSyntax(sql: string | null, pos: number, message: string): EngineError {
  if (sql === null) return new EngineError(SqlState.syntaxError, message, { position: pos });
  return syntaxErrorAt(sql, pos - 1, message);
}
