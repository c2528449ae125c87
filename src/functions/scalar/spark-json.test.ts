import { describe, expect, it } from 'vitest';
import { EngineError, T, columnFromValues, valueAt, type DataType, type Value } from '../../common/index.ts';
import type { ColumnarValue, ScalarFunctionDef } from '../registry.ts';
import { evaluateJsonPath, parseJsonPath } from './json-path.ts';
import { call, registry, testContext } from './test-helpers.ts';
import { parseJson } from '../../common/index.ts';

const s = (v: string | null): [Value, DataType] => [v, T.string];

/** The schemas these tests use, as the analyzer's type parser would read them. */
const SCHEMAS: Readonly<Record<string, DataType>> = {
  'struct<a INT, b DOUBLE>': {
    kind: 'struct',
    fields: [
      { name: 'a', type: T.int, nullable: true },
      { name: 'b', type: T.double, nullable: true },
    ],
  },
  'struct<a INT, _corrupt_record STRING>': {
    kind: 'struct',
    fields: [
      { name: 'a', type: T.int, nullable: true },
      { name: '_corrupt_record', type: T.string, nullable: true },
    ],
  },
  'array<int>': T.array(T.int),
  'map<string,int>': { kind: 'map', key: T.string, value: T.int, valueContainsNull: true },
  'map<int,int>': { kind: 'map', key: T.int, value: T.int, valueContainsNull: true },
  int: T.int,
};

function parseType(text: string): DataType {
  const t = SCHEMAS[text];
  if (t === undefined) throw new EngineError('42601', `syntax error at ${text}`);
  return t;
}

/** from_json over rows given as a column (the options, when given, a scalar map). */
function fromJson(texts: readonly (string | null)[], schema: string, options?: Map<Value, Value>): Value[] {
  const def = registry.lookup('from_json') as ScalarFunctionDef;
  const mapType: DataType = { kind: 'map', key: T.string, value: T.string, valueContainsNull: true };
  const sig = def.resolve(options === undefined ? [T.string, T.string] : [T.string, T.string, mapType], {
    ansi: true,
    literalArgs: [undefined, schema, options],
    parseType,
  });
  const args: ColumnarValue[] = [
    { kind: 'array', data: columnFromValues(T.string, texts) },
    { kind: 'scalar', value: schema, type: T.string },
    ...(options === undefined ? [] : [{ kind: 'scalar', value: options, type: mapType } as const]),
  ];
  const r = def.evaluate(args, texts.length, sig.returnType, testContext);
  return texts.map((_, i) => (r.kind === 'scalar' ? r.value : valueAt(r.data, sig.returnType, i)));
}

describe('from_json', () => {
  it('reads a field list or a type; NULL and blank text are NULL; malformed text gives NULL fields', () => {
    expect(
      fromJson(['{"a":1, "b":0.8}', null, '', '{"a" 1}', '{"a": "x", "b": 2}'], 'a INT, b DOUBLE'),
    ).toEqual([[1, 0.8], null, null, [null, null], [null, 2]]);
    expect(fromJson(['[1, null, 3]', '{"a": 1}', '[1, "x"]'], 'array<int>')).toEqual([
      [1, null, 3],
      null,
      null,
    ]);
    const maps = fromJson(['{"k": 1}'], 'map<string,int>');
    expect([...(maps[0] as Map<Value, Value>)]).toEqual([['k', 1]]);
  });

  it('fills _corrupt_record in PERMISSIVE mode and fails in FAILFAST mode with 22023', () => {
    expect(fromJson(['{"a": 1', '{"a": 2}'], 'a INT, _corrupt_record STRING')).toEqual([
      [null, '{"a": 1'],
      [2, null],
    ]);
    const failfast = new Map<Value, Value>([['MODE', 'failfast']]);
    expect(() => fromJson(['{"a": 1'], 'a INT, b DOUBLE', failfast)).toThrow(/MALFORMED_RECORD_IN_PARSING/);
    expect(fromJson(['{"a": 1}'], 'a INT, b DOUBLE', failfast)).toEqual([[1, null]]);
  });

  it('rejects schemas that are not literals, not strings keys, or not struct/array/map', () => {
    const def = registry.lookup('from_json') as ScalarFunctionDef;
    const resolve = (schema: Value | undefined): unknown =>
      def.resolve([T.string, T.string], { ansi: true, literalArgs: [undefined, schema], parseType });
    expect(() => resolve(undefined)).toThrow(/INVALID_SCHEMA.NON_STRING_LITERAL/);
    expect(() => resolve('nonsense')).toThrow(/INVALID_SCHEMA.PARSE_ERROR/);
    expect(() => resolve('int')).toThrow(/INVALID_JSON_SCHEMA/);
    expect(() => resolve('map<int,int>')).toThrow(/INVALID_JSON_MAP_KEY_TYPE/);
  });
});

describe('to_json', () => {
  it('writes structs, arrays and maps; NULL is NULL', () => {
    const struct: DataType = {
      kind: 'struct',
      fields: [
        { name: 'a', type: T.int, nullable: true },
        { name: 'b', type: T.string, nullable: true },
      ],
    };
    expect(call('to_json', [[[1, null], struct]])).toBe('{"a":1}');
    expect(call('to_json', [[[1, 'x'], struct]], testContext, true)).toBe('{"a":1,"b":"x"}');
    expect(call('to_json', [[[[1, 'é']], T.array(struct)]])).toBe('[{"a":1,"b":"é"}]');
    expect(call('to_json', [[null, struct]])).toBeNull();
    expect(() => registry.lookup('to_json')!.resolve([T.int], { ansi: true, literalArgs: [] })).toThrow(
      /DATATYPE_MISMATCH/,
    );
  });
});

describe('get_json_object and its paths', () => {
  it('parses Spark paths and refuses others', () => {
    expect(parseJsonPath("$.a[0]['b c'][*]")).toEqual([
      { kind: 'key', name: 'a' },
      { kind: 'index', index: 0 },
      { kind: 'key', name: 'b c' },
      { kind: 'wildcard' },
    ]);
    for (const bad of ['a', '$.', '$[', '$[x]', '$..a', '$.*']) expect(parseJsonPath(bad), bad).toBeNull();
  });

  it('returns raw strings, compact JSON, unwrapped single wildcard matches and NULL for none', () => {
    const doc = parseJson('{"a": [{"b": "x"}, {"b": 2}, {"c": 3}], "s": "t", "o": {"k": [1, 2]}}')!;
    const at = (p: string): string | null => evaluateJsonPath(doc, parseJsonPath(p)!);
    expect(at('$.s')).toBe('t');
    expect(at('$.o')).toBe('{"k":[1,2]}');
    expect(at('$.a[*].b')).toBe('["x",2]');
    expect(at('$.a[*].c')).toBe('3');
    expect(at('$.a[5]')).toBeNull();
    expect(at('$.missing')).toBeNull();
    expect(call('get_json_object', [s('{"a":"b"}'), s('$.a')])).toBe('b');
    expect(call('get_json_object', [s('{"a":'), s('$.a')])).toBeNull();
    expect(call('get_json_object', [s('{"a":"b"}'), s('a')])).toBeNull();
    expect(call('get_json_object', [s(null), s('$.a')])).toBeNull();
  });
});

describe('json_array_length, json_object_keys, schema_of_json, json_tuple_row', () => {
  it('answer for the outermost value, NULL where it is not of the kind or not JSON', () => {
    expect(call('json_array_length', [s('[1,2,3,{"f1":1,"f2":[5,6]},4]')])).toBe(5);
    expect(call('json_array_length', [s('[]')])).toBe(0);
    expect(call('json_array_length', [s('{"a":1}')])).toBeNull();
    expect(call('json_array_length', [s('[1,2')])).toBeNull();
    expect(call('json_object_keys', [s('{"f1":"abc","f2":{"f3":"a", "f4":"b"}}')])).toEqual(['f1', 'f2']);
    expect(call('json_object_keys', [s('{}')])).toEqual([]);
    expect(call('json_object_keys', [s('[1]')])).toBeNull();
    expect(call('schema_of_json', [s('[{"col":0}]')])).toBe('ARRAY<STRUCT<col: BIGINT>>');
    expect(call('schema_of_json', [s('{"b": 1.5, "a": [null]}')])).toBe(
      'STRUCT<a: ARRAY<STRING>, b: DOUBLE>',
    );
    expect(call('json_tuple_row', [s('{"a":1, "b":{"c":"d"}}'), s('b'), s('a'), s('z')])).toEqual([
      '{"c":"d"}',
      '1',
      null,
    ]);
    expect(call('json_tuple_row', [s('oops'), s('a')])).toEqual([null]);
  });
});
