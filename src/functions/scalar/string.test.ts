import { describe, expect, it } from 'vitest';
import { EngineError, type DataType } from '../../common/index.ts';
import { call } from './test-helpers.ts';

const S: DataType = { kind: 'string' };
const I: DataType = { kind: 'int' };
const s = (v: string | null): [string | null, DataType] => [v, S];
const i = (v: number): [number, DataType] => [v, I];

describe('string functions', () => {
  it('substring counts characters, supports negative and zero positions', () => {
    expect(call('substring', [s('Spark SQL'), i(5)])).toBe('k SQL');
    expect(call('substr', [s('Spark SQL'), i(-3)])).toBe('SQL');
    expect(call('substring', [s('Spark SQL'), i(5), i(1)])).toBe('k');
    expect(call('substring', [s('Spark'), i(0), i(2)])).toBe('Sp');
    expect(call('substring', [s('Spark'), i(-10), i(7)])).toBe('Sp');
    expect(call('substring', [s('Spark'), i(2), i(-1)])).toBe('');
    expect(call('substring', [s('héllo wörld😀'), i(2), i(4)])).toBe('éllo');
    expect(call('substring', [s('héllo wörld😀'), i(-2)], undefined, true)).toBe('d😀');
    expect(call('substring', [s(null), i(1)])).toBeNull();
  });

  it('length counts characters, octet_length bytes', () => {
    expect(call('length', [s('héllo😀')])).toBe(6);
    expect(call('char_length', [s('')])).toBe(0);
    expect(call('octet_length', [s('héllo😀')])).toBe(10);
  });

  it('concat / concat_ws / upper / lower / reverse / initcap', () => {
    expect(call('concat', [s('a'), s('é'), s('c')])).toBe('aéc');
    expect(call('concat', [s('a'), s(null)])).toBeNull();
    expect(call('concat_ws', [s('-'), s('a'), s(null), s('b')])).toBe('a-b');
    expect(call('upper', [s('straße é')])).toBe('STRASSE É');
    expect(call('lower', [s('ÀB')])).toBe('àb');
    expect(call('reverse', [s('ab😀c')])).toBe('c😀ba');
    expect(call('initcap', [s('hello wORLD')])).toBe('Hello World');
  });

  it('trim family trims spaces, or the given characters', () => {
    expect(call('trim', [s('  a b  ')])).toBe('a b');
    expect(call('ltrim', [s('  a ')])).toBe('a ');
    expect(call('rtrim', [s('  a ')])).toBe('  a');
    expect(call('btrim', [s('xxaxx'), s('x')])).toBe('a');
    expect(call('trim', [s('\ta\t')])).toBe('\ta\t');
  });

  it('search functions are 1-based in characters', () => {
    expect(call('instr', [s('héllo'), s('l')])).toBe(3);
    expect(call('instr', [s('héllo'), s('z')])).toBe(0);
    expect(call('locate', [s('l'), s('héllo'), i(4)])).toBe(4);
    expect(call('position', [s('o'), s('héllo')])).toBe(5);
    expect(call('starts_with', [s('héllo'), s('hé')])).toBe(true);
    expect(call('endswith', [s('héllo'), s('x')])).toBe(false);
    expect(call('contains', [s('héllo'), s('ll')])).toBe(true);
  });

  it('padding, repeat, left/right, replace, translate, split_part', () => {
    expect(call('lpad', [s('hi'), i(5), s('ab')])).toBe('abahi');
    expect(call('rpad', [s('hé'), i(4)])).toBe('hé  ');
    expect(call('lpad', [s('hello'), i(2)])).toBe('he');
    expect(call('repeat', [s('ab'), i(3)])).toBe('ababab');
    expect(call('left', [s('héllo'), i(2)])).toBe('hé');
    expect(call('right', [s('héllo'), i(2)])).toBe('lo');
    expect(call('replace', [s('aXbXc'), s('X'), s('--')])).toBe('a--b--c');
    expect(call('translate', [s('AaBbCc'), s('abc'), s('12')])).toBe('A1B2C');
    expect(call('split_part', [s('a,b,c'), s(','), i(-1)])).toBe('c');
    expect(call('split_part', [s('a,b,c'), s(','), i(5)])).toBe('');
    expect(() => call('split_part', [s('a,b'), s(','), i(0)])).toThrow(
      expect.objectContaining({ sqlstate: '22003' }),
    );
  });

  it('like / ilike with fast paths and escapes', () => {
    expect(call('like', [s('PROMO BRUSHED'), s('PROMO%')], undefined, true)).toBe(true);
    expect(call('like', [s('special requests'), s('%special%requests%')], undefined, true)).toBe(true);
    expect(call('like', [s('forest green'), s('%green')], undefined, true)).toBe(true);
    expect(call('like', [s('héllo'), s('h_llo')], undefined, true)).toBe(true);
    expect(call('like', [s('a%b'), s('a\\%b')], undefined, true)).toBe(true);
    expect(call('like', [s('axb'), s('a\\%b')], undefined, true)).toBe(false);
    expect(call('ilike', [s('HeLLo'), s('hel%')])).toBe(true);
    expect(call('like', [s('abc'), s('abc')], undefined, true)).toBe(true);
    expect(call('like', [s('abcd'), s('abc')], undefined, true)).toBe(false);
  });

  it('regular expressions', () => {
    expect(call('regexp_replace', [s('100-200'), s('(\\d+)'), s('num')])).toBe('num-num');
    expect(call('regexp_extract', [s('100-200'), s('(\\d+)-(\\d+)'), i(2)])).toBe('200');
    expect(call('rlike', [s('abc'), s('^a.c$')])).toBe(true);
    expect(() => call('regexp_extract', [s('a'), s('(a)'), i(3)])).toThrow(EngineError);
  });

  it('encodings and digests', () => {
    expect(call('md5', [s('Spark')])).toBe('8cde774d6f7333752ed72cacddb05126');
    expect(call('sha2', [s('Spark'), i(256)])).toBe(
      '529bc3b07127ecb7e53a4dcf1991d9152c24537d919178022b2c42657f79a26b',
    );
    expect(call('base64', [s('Spark SQL')])).toBe('U3BhcmsgU1FM');
    expect(call('hex', [s('Spark')])).toBe('537061726B');
    expect(call('hex', [[17n, { kind: 'bigint' }]])).toBe('11');
    expect(call('ascii', [s('é')])).toBe(233);
    expect(call('chr', [[65n, { kind: 'bigint' }]])).toBe('A');
  });

  it('format_number / format_string', () => {
    expect(call('format_number', [[12332.123456, { kind: 'double' }], i(4)])).toBe('12,332.1235');
    expect(
      call('format_string', [s('Hello %s, %d items, %.2f'), s('é'), i(3), [1.5, { kind: 'double' }]]),
    ).toBe('Hello é, 3 items, 1.50');
  });

  it('wrong arity is 42605 naming the function; wrong types are 42K09 DATATYPE_MISMATCH', () => {
    try {
      call('substring', [s('a')]);
      expect.unreachable();
    } catch (e) {
      expect((e as EngineError).sqlstate).toBe('42605');
      expect((e as EngineError).message).toContain('`substring` requires [2, 3] parameters');
    }
    try {
      call('upper', [[new Uint8Array(1), { kind: 'binary' }]]);
      expect.unreachable();
    } catch (e) {
      expect((e as EngineError).sqlstate).toBe('42K09');
      expect((e as EngineError).message).toMatch(/^\[DATATYPE_MISMATCH\.UNEXPECTED_INPUT_TYPE\]/);
    }
  });

  it('numbers, booleans and dates cast implicitly to string arguments (Spark store-assignment)', () => {
    expect(call('concat', [s('v'), i(1)])).toBe('v1');
    expect(call('upper', [[true, { kind: 'boolean' }]])).toBe('TRUE');
  });
});

describe('substring on columns', () => {
  it('the ASCII byte path and the character path agree with Spark semantics', () => {
    for (const [pos, len] of [
      [1, 2],
      [0, 3],
      [-3, 2],
      [-10, 4],
      [4, 100],
      [2, -1],
    ] as const) {
      for (const text of ['13-555', 'ab', '', 'hello world']) {
        expect(call('substring', [s(text), i(pos), i(len)], undefined, true)).toBe(
          call('substring', [s(text), i(pos), i(len)]),
        );
      }
    }
    expect(call('substring', [s('13-555'), i(1), i(2)], undefined, true)).toBe('13');
  });
});
