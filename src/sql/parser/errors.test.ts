import { describe, expect, it } from 'vitest';
import { parseExpression, parseStatement, parseStatements } from './index.ts';

function errorOf(fn: () => unknown): { sqlstate: string; message: string; position: number | undefined } {
  try {
    fn();
  } catch (e) {
    return e as { sqlstate: string; message: string; position: number | undefined };
  }
  throw new Error('expected an error');
}

describe('syntax errors', () => {
  it('a misspelled keyword points at the token after it, with line and column', () => {
    const err = errorOf(() => parseStatement('SELECT a\nFROMM t'));
    expect(err.sqlstate).toBe('42601');
    expect(err.message).toBe('syntax error at or near "t" (line 2, column 7)');
    expect(err.position).toBe(16);
  });
  it('a missing FROM item lists what was expected', () => {
    const err = errorOf(() => parseStatement('SELECT * FROM WHERE x = 1'));
    expect(err.position).toBe(15);
    expect(err.message).toMatch(/^syntax error at or near "WHERE" \(line 1, column 15\), expecting one of: /);
    expect(err.message).toContain('identifier');
    expect(err.message).toContain("'('");
  });
  it('end of input', () => {
    const err = errorOf(() => parseStatement('SELECT a FROM'));
    expect(err.message).toMatch(/^syntax error at end of input \(line 1, column 14\)/);
    expect(err.position).toBe(14);
  });
  it('a bad token', () => {
    const err = errorOf(() => parseStatement('SELECT 1 @ 2'));
    expect(err).toMatchObject({
      sqlstate: '42601',
      position: 10,
      message: 'syntax error at or near "@" (line 1, column 10)',
    });
  });
  it('trailing garbage', () => {
    const err = errorOf(() => parseStatement('SELECT 1 FROM t WHERE x = 1 1'));
    expect(err).toMatchObject({ sqlstate: '42601', position: 29 });
    expect(err.message).toMatch(/at or near "1"/);
  });
  it('unterminated string, identifier and comment', () => {
    expect(errorOf(() => parseStatement("SELECT 'abc"))).toMatchObject({
      sqlstate: '42601',
      position: 8,
      message: `unterminated quoted string at or near "'abc" (line 1, column 8)`,
    });
    expect(errorOf(() => parseStatement('SELECT "abc'))).toMatchObject({ sqlstate: '42601', position: 8 });
    expect(errorOf(() => parseStatement('SELECT 1 /* x /* y */'))).toMatchObject({
      sqlstate: '42601',
      position: 10,
    });
  });
  it('positions are relative to the whole input in multi-statement text', () => {
    const err = errorOf(() => parseStatements('SELECT 1;\nSELECT FROM'));
    expect(err.position).toBe(18);
    expect(err.message).toMatch(/line 2, column 8/);
  });
  it('keyword misuse in a call', () => {
    expect(errorOf(() => parseExpression('substring(a FOR)'))).toMatchObject({ sqlstate: '42601' });
    expect(errorOf(() => parseExpression('f(LEADING x)'))).toMatchObject({ sqlstate: '42601', position: 3 });
  });
});
