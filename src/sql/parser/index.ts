/**
 * Parser: SQL text → typed AST (Chevrotain lexer and grammar, CST → AST builder).
 */
export type * from './ast.ts';
