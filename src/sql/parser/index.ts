/**
 * Parser: SQL text → typed AST (Chevrotain lexer and grammar with embedded AST-building actions).
 */
export type * from './ast.ts';
export { parseDataType, parseExpression, parseQuery, parseStatement, parseStatements } from './parse.ts';
export type { ParsedStatement, ParseOptions } from './parse.ts';
export { NON_RESERVED_KEYWORDS, NO_IMPLICIT_ALIAS, RESERVED_KEYWORDS } from './keywords.ts';
