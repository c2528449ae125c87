/**
 * Map functions with Spark 4 semantics: the `map(k1, v1, …)` constructor, map_from_arrays,
 * map_from_entries, str_to_map, map_keys, map_values, map_entries, map_contains_key, and the map
 * forms of element_at / try_element_at / `m[key]` (NULL for a missing key) and size/cardinality.
 *
 * A map value is a JS `Map` whose keys keep their insertion order. Keys are never NULL (2200E
 * NULL_MAP_KEY, whatever ANSI says) and never repeat (23505 DUPLICATED_MAP_KEY: Spark's default
 * `spark.sql.mapKeyDedupPolicy=EXCEPTION`). Keys compare as Spark compares them (`valueKey`), so
 * binary, array and struct keys work too. They run row at a time: maps are small values.
 */
import * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  T,
  fromArrowType,
  typeToString,
  typesEqual,
  type DataType,
  type Field,
  type Value,
} from '../../common/index.ts';
import type { ResolveContext, ResolvedSignature, ScalarFunctionDef } from '../registry.ts';
import { valueText } from '../kernels/common.ts';
import { castValue } from '../kernels/cast.ts';
import { findWiderType } from '../type-coercion.ts';
import { valueKey } from './array-values.ts';
import { compileRegex } from './string.ts';
import { checkArity, coerce, commonTypeKeepingNull, evaluateRows, typeMismatch } from './define.ts';

type MapType = DataType & { kind: 'map' };
type MapValue = ReadonlyMap<Value, Value>;

function mapType(key: DataType, value: DataType): MapType {
  return { kind: 'map', key, value, valueContainsNull: true };
}

export function nullMapKey(): EngineError {
  return new EngineError('2200E', '[NULL_MAP_KEY] Cannot use null as map key.');
}

export function duplicatedMapKey(key: Value): EngineError {
  return new EngineError(
    '23505',
    `[DUPLICATED_MAP_KEY] Duplicate map key ${valueText(key)} was found, please check the input data. If you want to remove the duplicated keys, you can set "spark.sql.mapKeyDedupPolicy" to "LAST_WIN" so that the key inserted at last takes precedence.`,
  );
}

/** A map of `entries` in order; NULL or repeated keys are errors. */
export function buildMap(entries: Iterable<readonly [Value, Value]>): Map<Value, Value> {
  const out = new Map<Value, Value>();
  const seen = new Set<string>();
  for (const [k, v] of entries) {
    if (k === null) throw nullMapKey();
    const id = valueKey(k);
    if (seen.has(id)) throw duplicatedMapKey(k);
    seen.add(id);
    out.set(k, v);
  }
  return out;
}

function isPrimitiveKey(k: Value): boolean {
  const t = typeof k;
  return t === 'number' || t === 'bigint' || t === 'string' || t === 'boolean';
}

/** The value under `key`, or undefined when the map has no such key. */
export function mapLookup(m: MapValue, key: Value): Value | undefined {
  if (isPrimitiveKey(key)) return m.has(key) ? m.get(key) : undefined;
  const id = valueKey(key);
  for (const [k, v] of m) if (valueKey(k) === id) return v;
  return undefined;
}

function rowFunction(
  name: string,
  description: string,
  resolve: (argTypes: readonly DataType[], ctx: ResolveContext) => ResolvedSignature,
  row: (v: readonly Value[], returnType: DataType) => Value,
  nullIntolerant = true,
  aliases?: readonly string[],
): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    ...(aliases === undefined ? {} : { aliases }),
    description,
    resolve,
    evaluate: (args, numRows, returnType, ctx) =>
      evaluateRows(
        args,
        args.map(() => T.null),
        numRows,
        returnType,
        ctx,
        (v) => row(v, returnType),
        nullIntolerant,
      ),
  };
}

function mapArg(name: string, index: number, t: DataType): MapType {
  if (t.kind === 'map') return t;
  throw typeMismatch(name, index, '"MAP"', t);
}

function arrayArg(name: string, index: number, t: DataType): DataType & { kind: 'array' } {
  if (t.kind === 'array') return t;
  if (t.kind === 'null') return { kind: 'array', element: T.null, containsNull: true };
  throw typeMismatch(name, index, '"ARRAY"', t);
}

const mapFn = rowFunction(
  'map',
  'map(key0, value0, key1, value1, …) - A map of the given key/value pairs.',
  (argTypes) => {
    if (argTypes.length % 2 !== 0) {
      throw new EngineError(
        SqlState.undefinedFunction,
        `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`map\` requires 2n (n > 0) parameters but the actual number is ${argTypes.length}.`,
      );
    }
    const keys = argTypes.filter((_, i) => i % 2 === 0);
    const values = argTypes.filter((_, i) => i % 2 === 1);
    const k = keys.length === 0 ? T.null : commonTypeKeepingNull('map', keys);
    const v = values.length === 0 ? T.null : commonTypeKeepingNull('map', values);
    if (k.kind === 'map') throw typeMismatch('map', 0, 'non-MAP key', k);
    return {
      argTypes: argTypes.map((_, i) => (i % 2 === 0 ? k : v)),
      returnType: mapType(k, v),
      nullable: false,
    };
  },
  (v) => {
    const entries: [Value, Value][] = [];
    for (let i = 0; i < v.length; i += 2) entries.push([v[i]!, v[i + 1]!]);
    return buildMap(entries);
  },
  false,
);

const mapFromArrays = rowFunction(
  'map_from_arrays',
  'map_from_arrays(keys, values) - A map pairing the elements of two arrays of the same length.',
  (argTypes) => {
    checkArity('map_from_arrays', argTypes, 2, 2);
    const k = arrayArg('map_from_arrays', 0, argTypes[0]!);
    const v = arrayArg('map_from_arrays', 1, argTypes[1]!);
    return { argTypes: [k, v], returnType: mapType(k.element, v.element) };
  },
  (v) => {
    const keys = v[0] as readonly Value[];
    const values = v[1] as readonly Value[];
    if (keys.length !== values.length) {
      throw new EngineError(
        SqlState.invalidParameterValue,
        'The key array and value array of map_from_arrays must have the same length.',
      );
    }
    return buildMap(keys.map((k, i) => [k, values[i]!] as const));
  },
);

const mapFromEntries = rowFunction(
  'map_from_entries',
  'map_from_entries(array of (key, value) structs) - A map of the entries; NULL when an entry is NULL.',
  (argTypes) => {
    checkArity('map_from_entries', argTypes, 1, 1);
    const a = arrayArg('map_from_entries', 0, argTypes[0]!);
    const e = a.element;
    if (e.kind !== 'struct' || e.fields.length !== 2) {
      throw typeMismatch('map_from_entries', 0, '"ARRAY" of pair "STRUCT"', a);
    }
    return { argTypes: [a], returnType: mapType(e.fields[0]!.type, e.fields[1]!.type) };
  },
  (v) => {
    const entries = v[0] as readonly (readonly Value[] | null)[];
    if (entries.some((e) => e === null)) return null;
    return buildMap(entries.map((e) => [e![0]!, e![1]!] as const));
  },
);

/** Java's `split(regex, -1)`: every piece, trailing empty ones kept, capture groups not. */
function splitAll(text: string, re: RegExp): string[] {
  const global = new RegExp(re.source, `${re.flags}g`);
  const out: string[] = [];
  let start = 0;
  for (let m = global.exec(text); m !== null; m = global.exec(text)) {
    if (m[0] === '') {
      global.lastIndex++;
      if (m.index === 0) continue;
    }
    out.push(text.slice(start, m.index));
    start = m.index + m[0].length;
  }
  out.push(text.slice(start));
  return out;
}

/** Java's `split(regex, 2)`: the text before the first match and the rest, or the whole text. */
function splitOnce(text: string, re: RegExp): [string, string | null] {
  re.lastIndex = 0;
  const m = re.exec(text);
  if (m === null || (m[0] === '' && m.index === 0)) return [text, null];
  return [text.slice(0, m.index), text.slice(m.index + m[0].length)];
}

const strToMap = rowFunction(
  'str_to_map',
  "str_to_map(text[, pairDelim[, keyValueDelim]]) - A map from text split into pairs by pairDelim (',') and each pair into key and value by keyValueDelim (':'); both are regular expressions.",
  (argTypes) => {
    checkArity('str_to_map', argTypes, 1, 3);
    return {
      argTypes: argTypes.map((t, i) => coerce('str_to_map', i, t, T.string)),
      returnType: mapType(T.string, T.string),
    };
  },
  (v) => {
    const text = v[0] as string;
    const pairDelim = compileRegex((v[1] as string | undefined) ?? ',');
    const kvDelim = compileRegex((v[2] as string | undefined) ?? ':');
    return buildMap(splitAll(text, pairDelim).map((pair) => splitOnce(pair, kvDelim)));
  },
);

const mapKeys = rowFunction(
  'map_keys',
  'map_keys(map) - The keys of the map, as an array in its order.',
  (argTypes) => {
    checkArity('map_keys', argTypes, 1, 1);
    const m = mapArg('map_keys', 0, argTypes[0]!);
    return { argTypes: [m], returnType: T.array(m.key, false) };
  },
  (v) => [...(v[0] as MapValue).keys()],
);

const mapValues = rowFunction(
  'map_values',
  'map_values(map) - The values of the map, as an array in its order.',
  (argTypes) => {
    checkArity('map_values', argTypes, 1, 1);
    const m = mapArg('map_values', 0, argTypes[0]!);
    return { argTypes: [m], returnType: T.array(m.value, m.valueContainsNull) };
  },
  (v) => [...(v[0] as MapValue).values()],
);

const mapEntries = rowFunction(
  'map_entries',
  'map_entries(map) - The entries of the map, as an array of (key, value) structs.',
  (argTypes) => {
    checkArity('map_entries', argTypes, 1, 1);
    const m = mapArg('map_entries', 0, argTypes[0]!);
    const fields: Field[] = [
      { name: 'key', type: m.key, nullable: false },
      { name: 'value', type: m.value, nullable: m.valueContainsNull },
    ];
    return { argTypes: [m], returnType: T.array({ kind: 'struct', fields }, false) };
  },
  (v) => [...(v[0] as MapValue)].map(([k, x]) => [k, x]),
);

/** map_contains_key: the key and the map's keys compare in their wider type (Spark's coercion). */
const mapContainsKey: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'map_contains_key',
  description: 'map_contains_key(map, key) - Whether the map has the key.',
  resolve(argTypes) {
    checkArity('map_contains_key', argTypes, 2, 2);
    const m = mapArg('map_contains_key', 0, argTypes[0]!);
    const k = argTypes[1]!;
    const oneString = (k.kind === 'string') !== (m.key.kind === 'string') && k.kind !== 'null';
    const wider = oneString ? undefined : findWiderType(m.key, k);
    if (wider === undefined) {
      throw new EngineError(
        SqlState.datatypeMismatch,
        `[DATATYPE_MISMATCH.MAP_FUNCTION_DIFF_TYPES] Cannot resolve "map_contains_key" due to data type mismatch: Input to \`map_contains_key\` should have been "MAP" followed by a value with same key type, but it's ["${typeToString(m).toUpperCase()}", "${typeToString(k).toUpperCase()}"].`,
      );
    }
    return { argTypes: [m, wider], returnType: T.boolean };
  },
  evaluate(args, numRows, returnType, ctx) {
    const keyArg = args[1]!;
    const keyType = keyArg.kind === 'scalar' ? keyArg.type : fromArrowType(keyArg.data.type);
    const first = args[0]!;
    const m = (first.kind === 'scalar' ? first.type : fromArrowType(first.data.type)) as MapType;
    return evaluateRows(
      args,
      [T.null, T.null],
      numRows,
      returnType,
      ctx,
      (v) => {
        const map = v[0] as MapValue;
        if (typesEqual(m.key, keyType)) return mapLookup(map, v[1]!) !== undefined;
        const id = valueKey(v[1]!);
        for (const k of map.keys())
          if (valueKey(castValue(k, m.key, keyType, 'legacy', ctx)) === id) return true;
        return false;
      },
      true,
    );
  },
};

/** element_at / try_element_at: on a map, the value under a key (NULL when missing); else as before. */
function mapAwareElementAt(base: ScalarFunctionDef): ScalarFunctionDef {
  return {
    ...base,
    description: `${base.description} On a map, the value under the key (NULL when the key is missing).`,
    resolve(argTypes, ctx) {
      if (argTypes.length !== 2 || argTypes[0]!.kind !== 'map') return base.resolve(argTypes, ctx);
      const m = argTypes[0];
      return {
        argTypes: [m, coerce(base.name, 1, argTypes[1]!, m.key)],
        returnType: m.value,
        nullable: true,
      };
    },
    evaluate(args, numRows, returnType, ctx) {
      const first = args[0]!;
      const isMap =
        first.kind === 'scalar' ? first.type.kind === 'map' : first.data.type.typeId === arrow.Type.Map;
      if (!isMap) return base.evaluate(args, numRows, returnType, ctx);
      return evaluateRows(
        args,
        [T.null, T.null],
        numRows,
        returnType,
        ctx,
        (v) => mapLookup(v[0] as MapValue, v[1]!) ?? null,
        true,
      );
    },
  };
}

/** size / cardinality: on a map, its number of entries (NULL map: NULL under ANSI, else -1). */
function mapAwareSize(base: ScalarFunctionDef): ScalarFunctionDef {
  return {
    ...base,
    description: `${base.description} On a map, its number of entries.`,
    resolve(argTypes, ctx) {
      if (argTypes.length !== 1 || argTypes[0]!.kind !== 'map') return base.resolve(argTypes, ctx);
      return ctx.ansi
        ? { argTypes: [argTypes[0]], returnType: T.int }
        : { argTypes: [argTypes[0]], returnType: T.int, nullable: false };
    },
    evaluate(args, numRows, returnType, ctx) {
      const first = args[0]!;
      const isMap =
        first.kind === 'scalar' ? first.type.kind === 'map' : first.data.type.typeId === arrow.Type.Map;
      if (!isMap) return base.evaluate(args, numRows, returnType, ctx);
      return evaluateRows(
        args,
        [T.null],
        numRows,
        returnType,
        ctx,
        (v) => (v[0] === null ? (ctx.ansi ? null : -1) : (v[0] as MapValue).size),
        false,
      );
    },
  };
}

/** The array functions that also take maps, wrapped to do so. */
export function withMapForms(f: ScalarFunctionDef): ScalarFunctionDef {
  if (f.name === 'element_at' || f.name === 'try_element_at') return mapAwareElementAt(f);
  if (f.name === 'size') return mapAwareSize(f);
  return f;
}

export const mapFunctions: readonly ScalarFunctionDef[] = [
  mapFn,
  mapFromArrays,
  mapFromEntries,
  strToMap,
  mapKeys,
  mapValues,
  mapEntries,
  mapContainsKey,
];
