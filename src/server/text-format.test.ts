import { describe, expect, it } from 'vitest';
import { T, columnFromValues, dataTypeOfOid, pgTypeOf, type DataType, type Value } from '../common/index.ts';
import { formatBinaryColumn, supportsBinary } from './binary-format.ts';
import type { ColumnCells } from './cells.ts';
import { ByteSink } from './cells.ts';
import { daysFromCivil } from '../common/index.ts';
import { formatFloat4, formatFloat8 } from './float-text.ts';
import { parseDecimal, parseTextParam, decodeNumericParam, decodeParam } from './param-decode.ts';
import { formatTextColumn } from './text-format.ts';
import { ZoneOffsets } from './time-zone.ts';
import { writeNumericBinary } from './binary-format.ts';

const utc = { zone: new ZoneOffsets('UTC') };

function cellsToText(cells: ColumnCells, n: number): (string | null)[] {
  const out: (string | null)[] = [];
  for (let i = 0; i < n; i++) {
    if (cells.valid !== null && cells.valid[i] === 0) out.push(null);
    else out.push(Buffer.from(cells.bytes.subarray(cells.offsets[i], cells.offsets[i + 1])).toString('utf8'));
  }
  return out;
}

function text(type: DataType, values: Value[], zone = utc): (string | null)[] {
  return cellsToText(formatTextColumn(columnFromValues(type, values), type, zone), values.length);
}

const micros = (y: number, mo: number, d: number, h = 0, mi = 0, s = 0, us = 0): bigint =>
  BigInt(daysFromCivil(y, mo, d)) * 86_400_000_000n + BigInt(((h * 60 + mi) * 60 + s) * 1_000_000 + us);

describe('text format', () => {
  it('booleans and integers', () => {
    expect(text(T.boolean, [true, false, null])).toEqual(['t', 'f', null]);
    expect(text(T.tinyint, [-128, 0, 127])).toEqual(['-128', '0', '127']);
    expect(text(T.int, [-2147483648, 2147483647, null])).toEqual(['-2147483648', '2147483647', null]);
    expect(text(T.bigint, [-9223372036854775808n, 9223372036854775807n, 0n, -1n])).toEqual([
      '-9223372036854775808',
      '9223372036854775807',
      '0',
      '-1',
    ]);
  });

  it('decimals exactly, with `scale` fraction digits', () => {
    expect(text(T.decimal(15, 2), [-50n, 1200n, 0n, 5n, -123456789012345n, null])).toEqual([
      '-0.50',
      '12.00',
      '0.00',
      '0.05',
      '-1234567890123.45',
      null,
    ]);
    expect(text(T.decimal(10, 0), [42n, -7n])).toEqual(['42', '-7']);
    expect(text(T.decimal(18, 18), [999999999999999999n, -1n])).toEqual([
      '0.999999999999999999',
      '-0.000000000000000001',
    ]);
    expect(text(T.decimal(38, 10), [-(10n ** 37n) + 1n, 12345678901234567890123n])).toEqual([
      '-999999999999999999999999999.9999999999',
      '1234567890123.4567890123',
    ]);
  });

  it('floats in PostgreSQL shortest form', () => {
    expect(
      text(T.double, [
        1.5,
        1e20,
        Infinity,
        -Infinity,
        NaN,
        -0,
        0.1,
        1e-5,
        0.0001,
        123456789012345,
        1e15,
        null,
      ]),
    ).toEqual([
      '1.5',
      '1e+20',
      'Infinity',
      '-Infinity',
      'NaN',
      '-0',
      '0.1',
      '1e-05',
      '0.0001',
      '123456789012345',
      '1e+15',
      null,
    ]);
    expect(formatFloat8(-1.2345e-300)).toBe('-1.2345e-300');
    expect(formatFloat8(1.7976931348623157e308)).toBe('1.7976931348623157e+308');
    expect(formatFloat4(Math.fround(0.1))).toBe('0.1');
    expect(formatFloat4(Math.fround(1000000))).toBe('1e+06');
    expect(formatFloat4(Math.fround(123456))).toBe('123456');
    expect(formatFloat4(Math.fround(3.4028235e38))).toBe('3.4028235e+38');
    expect(text(T.float, [1.5, NaN])).toEqual(['1.5', 'NaN']);
  });

  it('dates, including BC and years past 9999', () => {
    expect(
      text(T.date, [
        0,
        daysFromCivil(2024, 2, 29),
        daysFromCivil(1, 1, 1),
        daysFromCivil(0, 1, 1),
        daysFromCivil(-43, 3, 15),
        daysFromCivil(12345, 6, 7),
        null,
      ]),
    ).toEqual([
      '1970-01-01',
      '2024-02-29',
      '0001-01-01',
      '0001-01-01 BC',
      '0044-03-15 BC',
      '12345-06-07',
      null,
    ]);
  });

  it('timestamps without time zone drop trailing fraction zeros', () => {
    expect(
      text(T.timestampNtz, [
        micros(2020, 1, 2, 3, 4, 5, 123456),
        micros(2020, 1, 2, 3, 4, 5, 500000),
        micros(1969, 12, 31, 23, 59, 59),
        micros(0, 12, 31, 1, 2, 3),
      ]),
    ).toEqual([
      '2020-01-02 03:04:05.123456',
      '2020-01-02 03:04:05.5',
      '1969-12-31 23:59:59',
      '0001-12-31 01:02:03 BC',
    ]);
  });

  it('timestamps with time zone in the session zone', () => {
    const v = [micros(2020, 1, 2, 3, 4, 5), micros(2020, 7, 1, 12, 0, 0, 250000)];
    expect(text(T.timestamp, v)).toEqual(['2020-01-02 03:04:05+00', '2020-07-01 12:00:00.25+00']);
    expect(text(T.timestamp, v, { zone: new ZoneOffsets('Asia/Kolkata') })).toEqual([
      '2020-01-02 08:34:05+05:30',
      '2020-07-01 17:30:00.25+05:30',
    ]);
    expect(text(T.timestamp, v, { zone: new ZoneOffsets('America/New_York') })).toEqual([
      '2020-01-01 22:04:05-05',
      '2020-07-01 08:00:00.25-04',
    ]);
  });

  it('intervals in the postgres style', () => {
    expect(text(T.intervalYearMonth, [14, 1, 12, -14, 0, 24])).toEqual([
      '1 year 2 mons',
      '1 mon',
      '1 year',
      '-1 years -2 mons',
      '00:00:00',
      '2 years',
    ]);
    const day = 86_400_000_000n;
    const hms = (h: number, m: number, s: number): bigint => BigInt((h * 3600 + m * 60 + s) * 1_000_000);
    expect(
      text(T.intervalDayTime, [
        3n * day + hms(4, 5, 6),
        day,
        hms(0, 0, 1) + 500000n,
        -(3n * day + hms(4, 5, 6)),
        0n,
        2n * day,
      ]),
    ).toEqual(['3 days 04:05:06', '1 day', '00:00:01.5', '-3 days -04:05:06', '00:00:00', '2 days']);
  });

  it('calendar intervals keep months, days and time apart, each with its sign', () => {
    const h = 3_600_000_000n;
    expect(
      text(T.calendarInterval, [
        [14, 3, 4n * h + 5n * 60_000_000n + 6_500_000n],
        [0, 0, 0n],
        [1, 1, 0n],
        [0, -1, -2n * h],
        [-14, 0, 0n],
        [0, 0, 123456789012123456n],
        null,
        [0, 0, -(2n ** 63n)],
      ]),
    ).toEqual([
      '1 year 2 mons 3 days 04:05:06.5',
      '00:00:00',
      '1 mon 1 day',
      '-1 days -02:00:00',
      '-1 years -2 mons',
      '34293552:30:12.123456',
      null,
      '-2562047788:00:54.775808',
    ]);
    expect(pgTypeOf(T.calendarInterval).oid).toBe(1186);
  });

  it('times as HH:MM:SS with the fraction of the second, trailing zeros dropped', () => {
    const t = (h: number, mi: number, s: number, us = 0): bigint =>
      BigInt(((h * 60 + mi) * 60 + s) * 1_000_000 + us);
    expect(
      text(T.time, [t(0, 0, 0), t(12, 34, 56, 789000), t(23, 59, 59, 999999), null, t(1, 2, 3, 10)]),
    ).toEqual(['00:00:00', '12:34:56.789', '23:59:59.999999', null, '01:02:03.00001']);
    expect(text(T.array({ kind: 'time', precision: 3 }), [[t(10, 0, 0), null]])).toEqual(['{10:00:00,NULL}']);
  });

  it('bytea as hex and strings as their bytes', () => {
    expect(text(T.binary, [new Uint8Array([0x0a, 0x1b, 0xff]), new Uint8Array(0), null])).toEqual([
      '\\x0a1bff',
      '\\x',
      null,
    ]);
    expect(text(T.string, ['héllo', '', null, '日本'])).toEqual(['héllo', '', null, '日本']);
  });

  it('writes structs and maps, nested and sliced, as PostgreSQL-style text', () => {
    const inner: DataType = { kind: 'map', key: T.string, value: T.array(T.string), valueContainsNull: true };
    const type: DataType = {
      kind: 'struct',
      fields: [
        { name: 'x', type: T.int, nullable: true },
        { name: 'm', type: inner, nullable: true },
      ],
    };
    const values: Value[] = [
      [
        1,
        new Map<Value, Value>([
          ['a', ['p', null]],
          ['b', null],
        ]),
      ],
      null,
      [null, new Map()],
      [2, null],
    ];
    expect(text(type, values)).toEqual(['(1,"{a=>{p,NULL},b=>NULL}")', null, '(,"{}")', '(2,)']);
    const sliced = columnFromValues(type, values).slice(1, 3);
    expect(cellsToText(formatTextColumn(sliced, type, utc), 3)).toEqual([null, '(,"{}")', '(2,)']);
    expect(text(T.array(type), [[values[0]!, null], []])).toEqual([
      '{"(1,\\"{a=>{p,NULL},b=>NULL}\\")",NULL}',
      '{}',
    ]);
  });

  it('honours a column offset (sliced Arrow data)', () => {
    const data = columnFromValues(T.string, ['a', 'bb', 'ccc', null]).slice(1, 3);
    expect(cellsToText(formatTextColumn(data, T.string, utc), 3 - 1)).toEqual(['bb', 'ccc']);
    const ints = columnFromValues(T.int, [1, 2, 3]).slice(1, 2);
    expect(cellsToText(formatTextColumn(ints, T.int, utc), 2)).toEqual(['2', '3']);
  });
});

describe('binary format', () => {
  const hex = (type: DataType, values: Value[]): (string | null)[] => {
    const cells = formatBinaryColumn(columnFromValues(type, values), type);
    return values.map((_, i) =>
      cells.valid !== null && cells.valid[i] === 0
        ? null
        : Buffer.from(cells.bytes.subarray(cells.offsets[i], cells.offsets[i + 1])).toString('hex'),
    );
  };

  it('integers, floats, booleans, dates and timestamps', () => {
    expect(hex(T.int, [1, -1, null])).toEqual(['00000001', 'ffffffff', null]);
    expect(hex(T.smallint, [258])).toEqual(['0102']);
    expect(hex(T.bigint, [-2n, 1n << 40n])).toEqual(['fffffffffffffffe', '0000010000000000']);
    expect(hex(T.double, [1.5])).toEqual(['3ff8000000000000']);
    expect(hex(T.float, [1.5])).toEqual(['3fc00000']);
    expect(hex(T.boolean, [true, false])).toEqual(['01', '00']);
    expect(hex(T.date, [daysFromCivil(2000, 1, 2)])).toEqual(['00000001']);
    expect(hex(T.timestampNtz, [micros(2000, 1, 1, 0, 0, 1)])).toEqual(['00000000000f4240']);
    // time: int64 microseconds since midnight
    expect(hex(T.time, [1_000_000n, 86_399_999_999n, null])).toEqual([
      '00000000000f4240',
      '000000141dd75fff',
      null,
    ]);
  });

  it('calendar intervals as interval_send writes them: microseconds, days, months', () => {
    expect(hex(T.calendarInterval, [[14, 3, 1_000_000n], [-1, -2, -1n], null])).toEqual([
      '00000000000f4240' + '00000003' + '0000000e',
      'ffffffffffffffff' + 'fffffffe' + 'ffffffff',
      null,
    ]);
  });

  it('one-dimensional arrays as array_send writes them', () => {
    const type = T.array(T.int);
    expect(supportsBinary(type)).toBe(true);
    expect(supportsBinary(T.array(T.array(T.int)))).toBe(false);
    expect(hex(type, [[1, null], [], null, [7]])).toEqual([
      // dims 1, has NULLs, int4, length 2, lower bound 1; 1; NULL
      '00000001' + '00000001' + '00000017' + '00000002' + '00000001' + '0000000400000001' + 'ffffffff',
      // an empty array has no dimensions
      '00000000' + '00000000' + '00000017',
      null,
      '00000001' + '00000000' + '00000017' + '00000001' + '00000001' + '0000000400000007',
    ]);
    // Sliced data: the rows' elements only.
    const sliced = columnFromValues(T.array(T.string), [['a'], ['bc', 'd']]).slice(1, 1);
    const cells = formatBinaryColumn(sliced, T.array(T.string));
    expect(Buffer.from(cells.bytes.subarray(cells.offsets[0], cells.offsets[1])).toString('hex')).toBe(
      '00000001' + '00000000' + '00000019' + '00000002' + '00000001' + '000000026263' + '0000000164',
    );
  });

  it('numeric in base-10000 digits', () => {
    const numeric = (v: bigint, scale: number): string => {
      const sink = new ByteSink();
      writeNumericBinary(sink, v, scale);
      return Buffer.from(sink.buf.subarray(0, sink.pos)).toString('hex');
    };
    // 12345.678 → digits [1, 2345, 6780], weight 1, dscale 3
    expect(numeric(12345678n, 3)).toBe('0003' + '0001' + '0000' + '0003' + '0001' + '0929' + '1a7c');
    expect(numeric(-50n, 2)).toBe('0001' + 'ffff' + '4000' + '0002' + '1388');
    expect(numeric(0n, 2)).toBe('0000000000000002');
    expect(numeric(100000000n, 0)).toBe('0001' + '0002' + '0000' + '0000' + '0001');
  });
});

describe('parameters', () => {
  const zone = new ZoneOffsets('UTC');
  it('parses text parameters per type', () => {
    expect(parseTextParam('42', T.int, zone)).toBe(42);
    expect(parseTextParam('-9223372036854775808', T.bigint, zone)).toBe(-9223372036854775808n);
    expect(() => parseTextParam('2147483648', T.int, zone)).toThrow(/out of range for type integer/);
    expect(() => parseTextParam('abc', T.int, zone)).toThrow(/invalid input syntax for type integer/);
    expect(parseTextParam('true', T.boolean, zone)).toBe(true);
    expect(parseTextParam('1.5', T.double, zone)).toBe(1.5);
    expect(parseDecimal('12.345', 10, 2)).toBe(1235n);
    expect(parseDecimal('-0.5', 10, 2)).toBe(-50n);
    expect(parseDecimal('1e3', 10, 0)).toBe(1000n);
    expect(() => parseDecimal('123456', 5, 2)).toThrow(/numeric field overflow/);
    expect(parseTextParam('2020-01-01', T.date, zone)).toBe(daysFromCivil(2020, 1, 1));
    expect(parseTextParam('1950-01-01 +00', T.date, zone)).toBe(daysFromCivil(1950, 1, 1));
    expect(parseTextParam('2020-01-02 03:04:05.5', T.timestampNtz, zone)).toBe(
      micros(2020, 1, 2, 3, 4, 5, 500000),
    );
    expect(parseTextParam('2020-01-02 03:04:05+05:30', T.timestamp, zone)).toBe(
      micros(2020, 1, 1, 21, 34, 5),
    );
    expect(parseTextParam('2020-07-01 12:00:00', T.timestamp, new ZoneOffsets('America/New_York'))).toBe(
      micros(2020, 7, 1, 16),
    );
    expect(parseTextParam('\\x0aff', T.binary, zone)).toEqual(new Uint8Array([10, 255]));
    expect(() => parseTextParam('2020-02-30', T.date, zone)).toThrow(/out of range/);
    expect(parseTextParam('13:14:15.1234567', T.time, zone)).toBe(47_655_123_456n);
    expect(parseTextParam('13:14:15.123456', { kind: 'time', precision: 2 }, zone)).toBe(47_655_120_000n);
    expect(() => parseTextParam('25:00:00', T.time, zone)).toThrow(/invalid input syntax for type time/);
    // a zone offset, as the JDBC driver's setTime writes it, is ignored as PostgreSQL's time input does
    expect(parseTextParam('00:30:05+00', T.time, zone)).toBe(1_805_000_000n);
    expect(parseTextParam('00:30:05.5-05:30', T.time, zone)).toBe(1_805_500_000n);
  });

  it('decodes binary parameters', () => {
    const be32 = Buffer.alloc(4);
    be32.writeInt32BE(-7);
    expect(decodeParam(be32, 1, 23, T.int, zone)).toBe(-7);
    expect(decodeParam(be32, 1, 23, T.bigint, zone)).toBe(-7n);
    // numeric 12345.678 → decimal(10,3)
    const num = Buffer.from('000300010000000300010929' + '1a7c', 'hex');
    expect(decodeParam(num, 1, 1700, T.decimal(10, 3), zone)).toBe(12345678n);
    // 12.30 as the JDBC driver sends it: digits 12|3000, dscale 2; a text parameter keeps "12.30".
    const dscale2 = Buffer.from('0002' + '0000' + '0000' + '0002' + '000c' + '0bb8', 'hex');
    expect(decodeParam(dscale2, 1, 1700, T.string, zone)).toBe('12.30');
    // 0.5 with dscale 3: padded to 0.500.
    expect(decodeParam(Buffer.from('0001ffff00000003' + '1388', 'hex'), 1, 1700, T.string, zone)).toBe(
      '0.500',
    );
    expect(decodeParam(null, 1, 23, T.int, zone)).toBeNull();
    // time (1083): int64 microseconds since midnight; read as text where the parameter is no time
    const time = Buffer.from('000000141dd75fff', 'hex');
    expect(decodeParam(time, 1, 1083, T.time, zone)).toBe(86_399_999_999n);
    expect(decodeParam(time, 1, 1083, { kind: 'time', precision: 0 }, zone)).toBe(86_399_000_000n);
    expect(decodeParam(time, 1, 1083, T.string, zone)).toBe('23:59:59.999999');
    expect(() => decodeParam(Buffer.from('000000141dd76000', 'hex'), 1, 1083, T.time, zone)).toThrow(
      /out of range for type time/,
    );
  });

  it('keeps the digits of parameters declared numeric', () => {
    expect(decodeNumericParam(Buffer.from(' 12.340 '), 0)).toBe('12.340');
    expect(decodeNumericParam(Buffer.from('-1.5e3'), 0)).toBe('-1500');
    expect(decodeNumericParam(Buffer.from('25e-4'), 0)).toBe('0.0025');
    expect(decodeNumericParam(Buffer.from('123456789012345678901234.5'), 0)).toBe(
      '123456789012345678901234.5',
    );
    const num = Buffer.from('000300010000000300010929' + '1a7c', 'hex');
    expect(decodeNumericParam(num, 1)).toBe('12345.678');
    expect(decodeNumericParam(null, 0)).toBeNull();
    expect(() => decodeNumericParam(Buffer.from('1.2.3'), 0)).toThrow(
      /invalid input syntax for type numeric/,
    );
    expect(() => decodeNumericParam(Buffer.from('NaN'), 0)).toThrow(/no NaN/);
    expect(() => decodeNumericParam(Buffer.from('1e999999999'), 0)).toThrow(/out of range/);
  });

  it('reads array parameters, text and binary, as arrays of their elements', () => {
    expect(dataTypeOfOid(1005)).toEqual(T.array(T.smallint));
    expect(dataTypeOfOid(1009)).toEqual(T.array(T.string));
    expect(dataTypeOfOid(1187)).toEqual(T.array(T.calendarInterval)); // interval[]
    expect(parseTextParam('{1,2,NULL}', T.array(T.int), zone)).toEqual([1, 2, null]);
    // int2[] {1, NULL, 3}
    const ints = Buffer.from(
      '00000001' +
        '00000001' +
        '00000015' +
        '00000003' +
        '00000001' +
        '000000020001' +
        'ffffffff' +
        '000000020003',
      'hex',
    );
    expect(decodeParam(ints, 1, 1005, T.array(T.smallint), zone)).toEqual([1, null, 3]);
    // text[] {a"b, c\d}
    const texts = Buffer.from(
      '00000001' + '00000000' + '00000019' + '00000002' + '00000001' + '00000003612262' + '00000003635c64',
      'hex',
    );
    expect(decodeParam(texts, 1, 1009, T.array(T.string), zone)).toEqual(['a"b', 'c\\d']);
    // timestamp[] {2000-01-01 00:00:01}, and an empty array
    const stamps = Buffer.from(
      '00000001' + '00000000' + '0000045a' + '00000001' + '00000001' + '00000008' + '00000000000f4240',
      'hex',
    );
    expect(decodeParam(stamps, 1, 1115, T.array(T.timestampNtz), zone)).toEqual([946_684_801_000_000n]);
    expect(
      decodeParam(Buffer.from('000000000000000000000017', 'hex'), 1, 1007, T.array(T.int), zone),
    ).toEqual([]);
    // Elements are read by the element OID the client wrote: int4 elements into a bigint[].
    const narrower = Buffer.from(
      '00000001' + '00000000' + '00000017' + '00000001' + '00000001' + '0000000400000001',
      'hex',
    );
    expect(decodeParam(narrower, 1, 1016, T.array(T.bigint), zone)).toEqual([1n]);
  });
});

describe('pgTypeOf', () => {
  it('maps engine types to PostgreSQL OIDs and typmods', () => {
    expect(pgTypeOf(T.decimal(15, 2))).toMatchObject({ oid: 1700, typmod: 983046 });
    expect(pgTypeOf({ kind: 'string', maxLength: 152 })).toMatchObject({ oid: 1043, typmod: 156 });
    expect(pgTypeOf({ kind: 'string', maxLength: 1, fixed: true })).toMatchObject({ oid: 1042, typmod: 5 });
    expect(pgTypeOf(T.timestamp).oid).toBe(1184);
    expect(pgTypeOf(T.timestampNtz).oid).toBe(1114);
    expect(pgTypeOf(T.tinyint).oid).toBe(21);
    expect(pgTypeOf(T.array(T.int)).oid).toBe(1007);
    expect(pgTypeOf(T.null).oid).toBe(25);
    expect(pgTypeOf(T.time)).toMatchObject({ oid: 1083, typmod: 6, typlen: 8, name: 'time' });
    expect(pgTypeOf({ kind: 'time', precision: 0 }).typmod).toBe(0);
    expect(pgTypeOf(T.array(T.time)).oid).toBe(1183);
    expect(dataTypeOfOid(1083)).toEqual(T.time);
  });
});
