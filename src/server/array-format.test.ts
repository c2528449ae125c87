/**
 * Arrays in PostgreSQL's formats: binary result cells (array_send), and parameters in text
 * (array_in) and binary (array_recv) form, including NULL elements, empty and nested arrays.
 */
import { describe, expect, it } from 'vitest';
import { T, columnFromValues, dataTypeOfOid, pgTypeOf, type DataType, type Value } from '../common/index.ts';
import { formatBinaryColumn, supportsBinary } from './binary-format.ts';
import { decodeParam, parseArrayText, parseTextParam } from './param-decode.ts';
import { ZoneOffsets } from './time-zone.ts';

const utc = new ZoneOffsets('UTC');

/** The binary cells of a column, as hex (null for NULL). */
function binaryCells(type: DataType, values: Value[]): (string | null)[] {
  const cells = formatBinaryColumn(columnFromValues(type, values), type);
  return values.map((_, i) =>
    cells.valid !== null && cells.valid[i] === 0
      ? null
      : Buffer.from(cells.bytes.subarray(cells.offsets[i], cells.offsets[i + 1])).toString('hex'),
  );
}

const i32 = (v: number): string => (v >>> 0).toString(16).padStart(8, '0');

/** array_send of a one-dimensional array whose elements are already encoded (hex, null = NULL). */
function arraySend(elementOid: number, elements: (string | null)[]): string {
  if (elements.length === 0) return i32(0) + i32(0) + i32(elementOid);
  const hasNull = elements.some((e) => e === null) ? 1 : 0;
  let out = i32(1) + i32(hasNull) + i32(elementOid) + i32(elements.length) + i32(1);
  for (const e of elements) out += e === null ? i32(-1) : i32(e.length / 2) + e;
  return out;
}

describe('binary array results', () => {
  it('int4[] with NULL elements, an empty array and a NULL array', () => {
    expect(binaryCells(T.array(T.int), [[1, null, -2], [], null])).toEqual([
      arraySend(23, [i32(1), null, i32(-2)]),
      arraySend(23, []),
      null,
    ]);
  });

  it('text[], int8[], float8[], bool[], date[] and numeric[] elements use their own binary forms', () => {
    expect(binaryCells(T.array(T.string), [['a', '', 'héllo']])).toEqual([
      arraySend(25, ['61', '', Buffer.from('héllo').toString('hex')]),
    ]);
    expect(binaryCells(T.array(T.bigint), [[1n, -1n]])).toEqual([
      arraySend(20, ['0000000000000001', 'ffffffffffffffff']),
    ]);
    expect(binaryCells(T.array(T.double), [[1.5]])).toEqual([arraySend(701, ['3ff8000000000000'])]);
    expect(binaryCells(T.array(T.boolean), [[true, false]])).toEqual([arraySend(16, ['01', '00'])]);
    // 2000-01-02 is day 1 of PostgreSQL's epoch.
    expect(binaryCells(T.array(T.date), [[10_958]])).toEqual([arraySend(1082, [i32(1)])]);
    // 12.50 at scale 2: one base-10000 digit (12) with weight 0, then 5000.
    expect(binaryCells(T.array(T.decimal(5, 2)), [[1250n]])).toEqual([
      arraySend(1700, ['0002' + '0000' + '0000' + '0002' + '000c' + '1388']),
    ]);
    expect(binaryCells(T.array(T.smallint), [[7]])).toEqual([arraySend(21, ['0007'])]);
  });

  it('rows of one batch slice their own elements', () => {
    const col = columnFromValues(T.array(T.int), [[1], [2, 3], [4]]).slice(1, 2);
    const cells = formatBinaryColumn(col, T.array(T.int));
    const hex = (i: number): string =>
      Buffer.from(cells.bytes.subarray(cells.offsets[i], cells.offsets[i + 1])).toString('hex');
    expect([hex(0), hex(1)]).toEqual([arraySend(23, [i32(2), i32(3)]), arraySend(23, [i32(4)])]);
  });

  it('arrays of arrays, maps and structs stay text', () => {
    expect(supportsBinary(T.array(T.int))).toBe(true);
    expect(supportsBinary(T.array(T.array(T.int)))).toBe(false);
  });
});

describe('array parameters', () => {
  it('parses PostgreSQL array text: quoting, escapes, NULL, nesting and dimension prefixes', () => {
    expect(parseArrayText('{1, 2 ,NULL}')).toEqual(['1', '2', null]);
    expect(parseArrayText('{"a b","q\\"","","NULL",null}')).toEqual(['a b', 'q"', '', 'NULL', null]);
    expect(parseArrayText('{}')).toEqual([]);
    expect(parseArrayText('{{1,2},{3,4}}')).toEqual([
      ['1', '2'],
      ['3', '4'],
    ]);
    expect(parseArrayText('[1:2]={5,6}')).toEqual(['5', '6']);
    for (const bad of ['1,2', '{1,2', '{1,,2}', '{1}x', '{"a}'])
      expect(() => parseArrayText(bad), bad).toThrow(expect.objectContaining({ sqlstate: '22P02' }));
  });

  it('text parameters become engine arrays of the element type', () => {
    expect(parseTextParam('{1,NULL,3}', T.array(T.int), utc)).toEqual([1, null, 3]);
    // numeric[] stays text: the statement's cast keeps each element's digits.
    expect(parseTextParam('{1.5,2}', T.array(T.decimal(10, 2)), utc)).toBe('{1.5,2}');
    expect(parseTextParam('{t,f}', T.array(T.boolean), utc)).toEqual([true, false]);
    expect(parseTextParam('{2024-02-29}', T.array(T.date), utc)).toEqual([19_782]);
    expect(parseTextParam('{{1},{2}}', T.array(T.array(T.bigint)), utc)).toEqual([[1n], [2n]]);
    expect(() => parseTextParam('{x}', T.array(T.int), utc)).toThrow(
      expect.objectContaining({ sqlstate: '22P02' }),
    );
    expect(() => parseTextParam('{{1}}', T.array(T.int), utc)).toThrow(
      expect.objectContaining({ sqlstate: '0A000' }),
    );
  });

  it('binary parameters are read by the element OID the client wrote', () => {
    const bin = (hex: string): Uint8Array => new Uint8Array(Buffer.from(hex, 'hex'));
    expect(decodeParam(bin(arraySend(23, [i32(1), null, i32(3)])), 1, 1007, T.array(T.int), utc)).toEqual([
      1,
      null,
      3,
    ]);
    expect(decodeParam(bin(arraySend(23, [])), 1, 1007, T.array(T.int), utc)).toEqual([]);
    // int4 elements sent for a bigint[] parameter, text elements for varchar[].
    expect(decodeParam(bin(arraySend(23, [i32(9)])), 1, 1016, T.array(T.bigint), utc)).toEqual([9n]);
    expect(decodeParam(bin(arraySend(25, ['6162'])), 1, 1009, T.array(T.string), utc)).toEqual(['ab']);
    // Truncated data is refused.
    expect(() =>
      decodeParam(bin(arraySend(23, [i32(1)]).slice(0, -2)), 1, 1007, T.array(T.int), utc),
    ).toThrow(expect.objectContaining({ sqlstate: '22023' }));
  });
});

describe('array type OIDs', () => {
  it('declared array OIDs are arrays of their element types, and map back to the same OIDs', () => {
    const oids = {
      1000: T.boolean,
      1005: T.smallint,
      1007: T.int,
      1016: T.bigint,
      1009: T.string,
      1021: T.float,
      1022: T.double,
      1182: T.date,
    };
    for (const [oid, element] of Object.entries(oids)) {
      expect(dataTypeOfOid(Number(oid))).toEqual(T.array(element));
      expect(pgTypeOf(T.array(element)).oid).toBe(Number(oid));
    }
    expect(dataTypeOfOid(1015)).toEqual(T.array(T.string));
    expect(dataTypeOfOid(1231)).toEqual(T.array(T.decimal(38, 18)));
    expect(pgTypeOf(T.array(T.decimal(10, 2))).oid).toBe(1231);
  });
});
