import { describe, expect, it } from 'vitest';
import { EngineError } from './errors.ts';
import { finishJsonType, inferJsonType, typeToDdl, widenJsonTypes } from './json-schema.ts';
import { JsonSyntaxError, jsonNodeText, parseJson, type JsonNode } from './json-text.ts';
import {
  JsonValueError,
  decimalUnscaled,
  jsonRecordRows,
  jsonToValue,
  structToJson,
  valueToJson,
  type JsonValueRules,
} from './json-values.ts';
import { T, field, type DataType, type Field } from './types.ts';

const utc: JsonValueRules = {
  parseDate: (s) => (s === '2024-01-02' ? 19724 : null),
  parseTimestamp: (s) => (s === '2024-01-02T00:00:00Z' ? 1704153600000000n : null),
  offsetSeconds: () => 0,
};

function node(text: string): JsonNode {
  const n = parseJson(text);
  if (n === null) throw new Error('empty');
  return n;
}

const struct = (...fields: Field[]): DataType => ({ kind: 'struct', fields });

describe('parseJson', () => {
  it('reads JSON with single quotes and non-numeric numbers, ignoring what follows the value', () => {
    expect(
      jsonNodeText(node(` { 'a' : [1, -2.50, 1e2, "x\\n\\u00e9"], "b": {"c": null, "d": true} } trailing`)),
    ).toBe('{"a":[1,-2.5,100.0,"x\\né"],"b":{"c":null,"d":true}}');
    expect(node('NaN')).toEqual({ kind: 'number', text: 'NaN', integral: false });
    expect(parseJson('   ')).toBeNull();
  });

  it('rejects what Spark rejects: leading zeros, bare words, unterminated text, raw control characters', () => {
    for (const bad of ['01', '{a: 1}', '{"a": 1', '[1,]', '"a\tb"', 'tru', '{"a" 1}', '-', '1.']) {
      expect(() => parseJson(bad), bad).toThrow(JsonSyntaxError);
    }
  });
});

describe('jsonToValue', () => {
  it('reads each type by Spark rules', () => {
    expect(jsonToValue(node('127'), T.tinyint, utc)).toBe(127);
    expect(() => jsonToValue(node('128'), T.tinyint, utc)).toThrow(JsonValueError);
    expect(() => jsonToValue(node('1.5'), T.int, utc)).toThrow(JsonValueError);
    expect(() => jsonToValue(node('"1"'), T.int, utc)).toThrow(JsonValueError);
    expect(jsonToValue(node('9223372036854775807'), T.bigint, utc)).toBe(9223372036854775807n);
    expect(jsonToValue(node('"NaN"'), T.double, utc)).toBeNaN();
    expect(jsonToValue(node('-Infinity'), T.double, utc)).toBe(-Infinity);
    expect(jsonToValue(node('1.005'), T.decimal(5, 2), utc)).toBe(101n);
    expect(jsonToValue(node('"-2.5"'), T.decimal(3, 0), utc)).toBe(-3n);
    expect(() => jsonToValue(node('1000'), T.decimal(3, 0), utc)).toThrow(JsonValueError);
    expect(jsonToValue(node('{"x": [1, 2.0]}'), T.string, utc)).toBe('{"x":[1,2.0]}');
    expect(jsonToValue(node('"2024-01-02"'), T.date, utc)).toBe(19724);
    expect(jsonToValue(node('10'), T.timestamp, utc)).toBe(10_000_000n);
    expect(jsonToValue(node('"AQI="'), T.binary, utc)).toEqual(new Uint8Array([1, 2]));
    expect(jsonToValue(node('null'), T.int, utc)).toBeNull();
    const m = jsonToValue(
      node('{"k": 1, "j": null}'),
      { kind: 'map', key: T.string, value: T.int, valueContainsNull: true },
      utc,
    );
    expect([...(m as Map<unknown, unknown>)]).toEqual([
      ['k', 1],
      ['j', null],
    ]);
  });

  it('matches struct fields by exact name, and keeps the fields that convert when one does not', () => {
    const t = struct(field('a', T.int), field('b', T.string), field('A', T.int));
    expect(jsonToValue(node('{"b": "x", "a": 1, "z": 0}'), t, utc)).toEqual([1, 'x', null]);
    let partial: unknown = undefined;
    try {
      jsonToValue(node('{"a": "no", "b": "x"}'), t, utc);
    } catch (err) {
      partial = (err as JsonValueError).partial;
    }
    expect(partial).toEqual([null, 'x', null]);
  });
});

describe('jsonRecordRows', () => {
  const fields = [field('a', T.int), field('_corrupt_record', T.string)];
  const read = (text: string, mode: 'PERMISSIVE' | 'FAILFAST' | 'DROPMALFORMED', corruptField = 1) =>
    jsonRecordRows(text, fields, { mode, corruptField, arrayOfRows: true }, utc);

  it('gives a row per object, rows of an array, none for a blank line', () => {
    expect(read('{"a": 1}', 'PERMISSIVE')).toEqual([[1, null]]);
    expect(read('[{"a": 1}, {"a": 2}]', 'PERMISSIVE')).toEqual([
      [1, null],
      [2, null],
    ]);
    expect(read('  ', 'FAILFAST')).toEqual([]);
  });

  it('handles malformed records by mode', () => {
    expect(read('{"a": 1', 'PERMISSIVE')).toEqual([[null, '{"a": 1']]);
    expect(read('{"a": "x"}', 'PERMISSIVE')).toEqual([[null, '{"a": "x"}']]);
    expect(read('{"a": "x"}', 'PERMISSIVE', -1)).toEqual([[null, null]]);
    expect(read('5', 'PERMISSIVE')).toEqual([[null, '5']]);
    expect(read('{"a": 1', 'DROPMALFORMED')).toEqual([]);
    expect(() => read('{"a": 1', 'FAILFAST')).toThrow(EngineError);
    try {
      read('{"a": 1', 'FAILFAST');
    } catch (err) {
      expect((err as EngineError).sqlstate).toBe('22023');
      expect((err as EngineError).message).toContain('MALFORMED_RECORD_IN_PARSING');
    }
  });
});

describe('valueToJson', () => {
  it('writes values as Spark writes them, leaving NULL struct fields out', () => {
    const fields = [
      field('i', T.int),
      field('n', T.string),
      field('d', T.decimal(5, 2)),
      field('x', T.double),
      field('day', T.date),
      field('ts', T.timestamp),
      field('arr', T.array(T.int)),
    ];
    expect(structToJson([1, null, -5n, 1e10, 19724, 1704153600123456n, [1, null]], fields, utc)).toBe(
      '{"i":1,"d":-0.05,"x":1.0E10,"day":"2024-01-02","ts":"2024-01-02T00:00:00.123Z","arr":[1,null]}',
    );
    const paris: JsonValueRules = { ...utc, offsetSeconds: () => 3600 };
    expect(valueToJson(0n, T.timestamp, paris)).toBe('"1970-01-01T01:00:00.000+01:00"');
    expect(valueToJson(-1n, T.timestampNtz, utc)).toBe('"1969-12-31T23:59:59.999"');
    expect(valueToJson(NaN, T.double, utc)).toBe('"NaN"');
    expect(valueToJson('a"\u0001', T.string, utc)).toBe('"a\\"\\u0001"');
  });
});

describe('schema inference', () => {
  const ddl = (text: string): string => typeToDdl(finishJsonType(inferJsonType(node(text)))!);

  it('sorts fields, reads integers as BIGINT and fractions as DOUBLE, nulls as STRING', () => {
    expect(ddl('{"b": "x", "a": 1, "c": 1.5, "d": null, "e": [true], "f": {}}')).toBe(
      'STRUCT<a: BIGINT, b: STRING, c: DOUBLE, d: STRING, e: ARRAY<BOOLEAN>>',
    );
    expect(ddl('{"big": 12345678901234567890, "huge": 1234567890123456789012345678901234567890}')).toBe(
      'STRUCT<big: DECIMAL(20,0), huge: DOUBLE>',
    );
    expect(ddl('{"a b": []}')).toBe('STRUCT<`a b`: ARRAY<STRING>>');
  });

  it('widens within numbers, field by field, and to STRING otherwise', () => {
    expect(typeToDdl(widenJsonTypes(T.bigint, T.double))).toBe('DOUBLE');
    expect(typeToDdl(widenJsonTypes(T.bigint, T.decimal(25, 0)))).toBe('DECIMAL(25,0)');
    expect(typeToDdl(widenJsonTypes(T.boolean, T.bigint))).toBe('STRING');
    const a = inferJsonType(node('{"x": 1, "y": [1]}'));
    const b = inferJsonType(node('{"x": "s", "z": true, "y": [2.5]}'));
    expect(typeToDdl(widenJsonTypes(a, b))).toBe('STRUCT<x: STRING, y: ARRAY<DOUBLE>, z: BOOLEAN>');
  });
});

describe('decimalUnscaled', () => {
  it('rounds half up at the scale, with exponents', () => {
    expect(decimalUnscaled('1.25e1', 1)).toBe(125n);
    expect(decimalUnscaled('-0.005', 2)).toBe(-1n);
    expect(decimalUnscaled('12', 2)).toBe(1200n);
    expect(decimalUnscaled('abc', 2)).toBeNull();
  });
});
