import { describe, expect, it } from 'vitest';
import type { Statement } from './ast.ts';
import { parseExpression, parseStatement } from './index.ts';
import { col, int, str, strip } from './test-helpers.ts';

const st = (sql: string): Statement => parseStatement(sql);
const name = (...parts: string[]): unknown => ({ parts: parts.map((p) => ({ name: p, quoted: false })) });

describe('DECLARE VARIABLE', () => {
  it('reads the optional words, a type and a default in either spelling', () => {
    expect(strip(st('DECLARE five = 5'))).toEqual({
      kind: 'declare_variable',
      name: name('five'),
      orReplace: false,
      type: null,
      defaultExpr: int('5'),
    });
    expect(strip(st('DECLARE OR REPLACE VARIABLE system.session.v STRING DEFAULT upper(x)'))).toMatchObject({
      kind: 'declare_variable',
      name: name('system', 'session', 'v'),
      orReplace: true,
      type: { kind: 'string' },
      defaultExpr: { kind: 'function' },
    });
    expect(st('DECLARE VAR d DECIMAL(10, 2)')).toMatchObject({
      type: { kind: 'decimal', precision: 10, scale: 2 },
      defaultExpr: null,
    });
  });

  it('needs a type or a default', () => {
    expect(() => st('DECLARE x')).toThrow(expect.objectContaining({ sqlstate: '42000' }));
  });

  it('leaves PostgreSQL cursors to DECLARE … CURSOR', () => {
    expect(st('DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT 1')).toMatchObject({
      kind: 'declare_cursor',
      name: 'c',
      hold: true,
    });
    expect(st('DECLARE cursor_count INT')).toMatchObject({ kind: 'declare_variable' });
  });
});

describe('SET VAR and DROP TEMPORARY VARIABLE', () => {
  it('assignments, DEFAULT, and a query for several variables', () => {
    expect(strip(st('SET VAR a = 1, session.b = DEFAULT'))).toEqual({
      kind: 'set_variable',
      targets: [name('a'), name('session', 'b')],
      values: [int('1'), null],
      query: null,
    });
    expect(st('SET VARIABLE (a, b) = (SELECT 1, 2)')).toMatchObject({
      kind: 'set_variable',
      targets: [{ parts: [{ name: 'a' }] }, { parts: [{ name: 'b' }] }],
      values: null,
      query: { kind: 'query' },
    });
    // DEFAULT alone is the keyword; inside an expression it is a name.
    expect(strip(st('SET VAR a = default + 1'))).toMatchObject({
      values: [{ kind: 'binary', left: col('default') }],
    });
  });

  it('keeps SET of a setting named var a setting', () => {
    expect(st('SET var = 1')).toMatchObject({ kind: 'set', key: 'var', value: '1' });
    expect(st('SET spark.sql.ansi.enabled = true')).toMatchObject({ kind: 'set' });
  });

  it('DROP TEMPORARY VARIABLE [IF EXISTS]', () => {
    expect(strip(st('DROP TEMPORARY VARIABLE IF EXISTS system.session.v'))).toEqual({
      kind: 'drop_variable',
      name: name('system', 'session', 'v'),
      ifExists: true,
    });
    expect(st('DROP TEMPORARY VAR v')).toMatchObject({ kind: 'drop_variable', ifExists: false });
  });
});

describe('EXECUTE IMMEDIATE and parameter markers', () => {
  it('INTO and USING, with or without parentheses', () => {
    expect(strip(st("EXECUTE IMMEDIATE 'SELECT ?' INTO (a, b) USING (1, x AS y)"))).toEqual({
      kind: 'execute_immediate',
      sql: str('SELECT ?'),
      into: [name('a'), name('b')],
      args: [
        { expr: int('1'), name: null },
        { expr: col('x'), name: { name: 'y', quoted: false } },
      ],
    });
    expect(strip(st('EXECUTE IMMEDIATE s INTO a USING 1, 2'))).toMatchObject({
      into: [name('a')],
      args: [{ expr: int('1') }, { expr: int('2') }],
    });
    // A first argument in parentheses is not the list's parentheses.
    expect(strip(st('EXECUTE IMMEDIATE s USING (1 + 2) * 3, 4'))).toMatchObject({
      args: [{ expr: { kind: 'binary', op: '*' } }, { expr: int('4') }],
    });
  });

  it('reads named markers; `?` are numbered in order', () => {
    expect(strip(parseExpression(':first + :second'))).toEqual({
      kind: 'binary',
      op: '+',
      left: { kind: 'parameter', index: 0, name: 'first' },
      right: { kind: 'parameter', index: 0, name: 'second' },
    });
    expect(strip(parseExpression('? * ?'))).toEqual({
      kind: 'binary',
      op: '*',
      left: { kind: 'parameter', index: 1 },
      right: { kind: 'parameter', index: 2 },
    });
  });

  it('keeps `::` a cast next to named markers', () => {
    expect(parseExpression('a::int')).toMatchObject({ kind: 'cast', operand: { kind: 'column' } });
    expect(parseExpression(':a::int')).toMatchObject({
      kind: 'cast',
      operand: { kind: 'parameter', name: 'a' },
    });
  });

  it('keeps other EXECUTE forms refused', () => {
    expect(() => st('EXECUTE p(1)')).toThrow(expect.objectContaining({ sqlstate: '0A000' }));
  });
});
