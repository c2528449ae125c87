import { crc32 as zlibCrc32 } from 'node:zlib';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { columnFromValues, valueAt, type DataType } from '../../common/index.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { crc32Of, decodeCharset, encodeCharset, isValidBase64, parseHex } from './binary-format.ts';
import { call, registry, testContext } from './test-helpers.ts';

const S: DataType = { kind: 'string' };
const B: DataType = { kind: 'binary' };

/** Evaluates a one-argument function over a column of binary values. */
function overColumn(name: string, values: (Uint8Array | null)[]): unknown[] {
  const def = registry.lookup(name) as ScalarFunctionDef;
  const sig = def.resolve([B], { ansi: true, literalArgs: [undefined] });
  const r = def.evaluate(
    [{ kind: 'array', data: columnFromValues(B, values) }],
    values.length,
    sig.returnType,
    testContext,
  );
  if (r.kind !== 'array') throw new Error('expected a column');
  return values.map((_, i) => valueAt(r.data, sig.returnType, i));
}

describe('binary format functions', () => {
  it('crc32 agrees with zlib on random bytes, per row of a column', () => {
    fc.assert(
      fc.property(fc.array(fc.option(fc.uint8Array({ maxLength: 40 }))), (rows) => {
        const got = overColumn('crc32', rows);
        expect(got).toEqual(rows.map((r) => (r === null ? null : BigInt(zlibCrc32(r)))));
      }),
    );
    expect(crc32Of(new Uint8Array(0), 0, 0)).toBe(0);
  });

  it('is_valid_utf8 agrees with a strict decoder on random bytes', () => {
    const strict = new TextDecoder('utf-8', { fatal: true });
    const valid = (b: Uint8Array): boolean => {
      try {
        strict.decode(b);
        return true;
      } catch {
        return false;
      }
    };
    fc.assert(
      fc.property(fc.array(fc.option(fc.uint8Array({ maxLength: 12 }))), (rows) => {
        expect(overColumn('is_valid_utf8', rows)).toEqual(rows.map((r) => (r === null ? null : valid(r))));
        const fixed = overColumn('make_valid_utf8', rows);
        fixed.forEach((f, i) => {
          const r = rows[i]!;
          expect(f).toBe(r === null ? null : Buffer.from(r).toString('utf8'));
        });
        const tried = overColumn('try_validate_utf8', rows);
        tried.forEach((t, i) => {
          const r = rows[i]!;
          expect(t).toBe(r === null || !valid(r) ? null : Buffer.from(r).toString('utf8'));
        });
      }),
    );
  });

  it('encode and decode round-trip every charset that can hold the text', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }), (s) => {
        for (const cs of ['UTF-8', 'UTF-16', 'UTF-16BE', 'UTF-16LE', 'UTF-32']) {
          expect(decodeCharset(encodeCharset(s, cs, 'encode'), cs, 'decode')).toBe(s);
        }
      }),
    );
    expect(() => encodeCharset('é', 'US-ASCII', 'encode')).toThrow('MALFORMED_CHARACTER_CODING');
    expect(() => decodeCharset(Uint8Array.of(0, 0, 0), 'UTF-32', 'decode')).toThrow('MALFORMED');
    expect(() => decodeCharset(Uint8Array.of(0xd8, 0), 'UTF-16BE', 'decode')).toThrow('MALFORMED');
  });

  it('hex and base64 text', () => {
    expect(parseHex('0aF')).toEqual(Uint8Array.of(0, 0xaf));
    expect(parseHex('0g')).toBeUndefined();
    expect(isValidBase64('YQ==')).toBe(true);
    expect(isValidBase64('YQ')).toBe(true);
    expect(isValidBase64('Y Q = =')).toBe(true);
    expect(isValidBase64('Y')).toBe(false);
    expect(isValidBase64('YQ=')).toBe(false);
    expect(isValidBase64('YQ==YQ==')).toBe(false);
    expect(isValidBase64('YWJj=')).toBe(false);
    expect(
      call('to_binary', [
        ['YWJj', S],
        ['base64', S],
      ]),
    ).toEqual(Uint8Array.of(97, 98, 99));
    expect(
      call('try_to_binary', [
        ['Y', S],
        ['base64', S],
      ]),
    ).toBeNull();
    expect(() =>
      call('to_binary', [
        ['Y', S],
        ['base64', S],
      ]),
    ).toThrow('CONVERSION_INVALID_INPUT');
  });

  it('Oracle-style decode compares NULL-safely in the common type', () => {
    const I: DataType = { kind: 'int' };
    const D: DataType = { kind: 'double' };
    expect(
      call('decode', [
        [2, I],
        [2.0, D],
        ['two', S],
        ['other', S],
      ]),
    ).toBe('two');
    expect(
      call('decode', [
        [null, I],
        [1, I],
        ['one', S],
        [null, I],
        ['null', S],
      ]),
    ).toBe('null');
    expect(
      call('decode', [
        [3, I],
        [1, I],
        ['one', S],
      ]),
    ).toBeNull();
  });
});
