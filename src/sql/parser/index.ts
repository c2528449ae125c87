/**
 * Parser: SQL text → typed AST (Chevrotain lexer and grammar with embedded AST-building actions).
 */
export type * from './ast.ts';
export { parseDataType, parseExpression, parseQuery, parseStatement, parseStatements } from './parse.ts';
export type { ParsedStatement } from './parse.ts';
export { RESERVED_KEYWORDS, NON_RESERVED_KEYWORDS } from './keywords.ts';
