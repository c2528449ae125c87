import { describe, expect, it } from 'vitest';
import { T, type DataType, type Value } from '../../common/index.ts';
import { call } from './test-helpers.ts';

const fmt = (f: string | null, ...args: [Value, DataType][]): Value =>
  call('format', [[f, T.string], ...args]);
const fmtColumns = (f: string, ...args: [Value, DataType][]): Value =>
  call('format', [[f, T.string], ...args], undefined, true);

describe('format (PostgreSQL)', () => {
  it('writes %s as text, %I as an identifier, %L as a literal, %% as a percent sign', () => {
    expect(fmt('%s FROM %s', ['a', T.string], ['b', T.string])).toBe('a FROM b');
    expect(fmt('%I.%I', ['public', T.string], ['My "Table"', T.string])).toBe('public."My ""Table"""');
    expect(fmt('%I', ['ünï', T.string])).toBe('"ünï"');
    expect(fmt('%L|%L|%L', ["it's", T.string], [null, T.string], ['a\\b', T.string])).toBe(
      "'it''s'|NULL|E'a\\\\b'",
    );
    expect(fmt('100%% %s', [42, T.int])).toBe('100% 42');
    expect(fmtColumns('%s-%s', [7n, T.bigint], ['x', T.string])).toBe('7-x');
  });

  it('takes positions and widths; NULL as %s is nothing', () => {
    expect(fmt('%2$s %1$s %s', ['x', T.string], ['y', T.string])).toBe('y x y');
    expect(fmt('[%5s|%-5s|%s]', ['ab', T.string], ['c', T.string], [null, T.string])).toBe('[   ab|c    |]');
    expect(fmt('[%*s]', [3, T.int], ['a', T.string])).toBe('[  a]');
    expect(fmt(null, ['a', T.string])).toBeNull();
    expect(fmt('')).toBe('');
  });

  it('refuses missing arguments, NULL identifiers and unknown specifiers', () => {
    expect(() => fmt('%s %s', ['a', T.string])).toThrow(
      expect.objectContaining({ sqlstate: '22023', message: 'too few arguments for format()' }),
    );
    expect(() => fmt('%I', [null, T.string])).toThrow(expect.objectContaining({ sqlstate: '22004' }));
    expect(() => fmt('%x', ['a', T.string])).toThrow(
      expect.objectContaining({ message: 'unrecognized format() type specifier "x"' }),
    );
    expect(() => fmt('abc %')).toThrow(
      expect.objectContaining({ message: 'unterminated format() type specifier' }),
    );
  });
});
