/**
 * Spark's JSON functions: from_json, to_json, get_json_object, json_tuple's per-row values
 * (`json_tuple_row`, which the analyzer's json_tuple generator spreads into columns),
 * schema_of_json, json_array_length and json_object_keys. Reading and writing values goes through
 * the JSON ↔ value conversion that `USING json` tables share (src/common/json-values.ts); dates
 * and timestamps use the session's time zone and, where the options set them, `dateFormat` and
 * `timestampFormat`; to_json leaves NULL struct fields out unless `ignoreNullFields` is false. Malformed input gives NULL (from_json: NULL fields, in its default PERMISSIVE
 * mode) unless an option asks for FAILFAST.
 */
import {
  EngineError,
  JsonSyntaxError,
  fromArrowType,
  SqlState,
  T,
  finishJsonType,
  inferJsonType,
  jsonField,
  jsonNodeText,
  jsonRecordRows,
  jsonToValue,
  JsonValueError,
  malformedRecordError,
  parseJson,
  parseJsonMode,
  typeToDdl,
  valueToJson,
  type DataType,
  type Field,
  type JsonValueRules,
  type JsonNode,
  type JsonParseMode,
  type Value,
} from '../../common/index.ts';
import {
  formatWithPattern,
  localToUtcMicros,
  mapRows,
  parseDate,
  parseTimestamp,
  parseWithPattern,
  utcToLocalMicros,
  zoneOffsetMillis,
} from '../kernels/index.ts';
import type { EvalContext, ResolveContext, ResolvedSignature, ScalarFunctionDef } from '../registry.ts';
import { checkArity, coerce, evaluateRows, typeMismatch } from './define.ts';
import { evaluateJsonPath, parseJsonPath, type JsonPathStep } from './json-path.ts';

type Options = ReadonlyMap<Value, Value> | null;

/** An option by case-insensitive name, as Spark's options are. */
function option(options: Options, name: string): string | undefined {
  if (options === null) return undefined;
  const want = name.toLowerCase();
  for (const [k, v] of options) {
    if (typeof k === 'string' && k.toLowerCase() === want && typeof v === 'string') return v;
  }
  return undefined;
}

/** The session's date/time rules for JSON, with the options' formats where they set them. */
function datetimeRules(ctx: EvalContext, options: Options): JsonValueRules {
  const zone = ctx.timeZone;
  const dateFormat = option(options, 'dateFormat');
  const timestampFormat = option(options, 'timestampFormat');
  const ntzFormat = option(options, 'timestampNTZFormat');
  const ignoreNullFields = option(options, 'ignoreNullFields');
  const rules: JsonValueRules = {
    ...(ignoreNullFields?.toLowerCase() === 'false' ? { writeNullFields: true } : {}),
    parseDate(text) {
      if (dateFormat !== undefined) {
        const local = parseWithPattern(text, dateFormat);
        return local === undefined ? null : Number(local / 86_400_000_000n);
      }
      return parseDate(text) ?? null;
    },
    parseTimestamp(text, ntz) {
      const format = ntz ? ntzFormat : timestampFormat;
      if (format !== undefined) {
        const local = parseWithPattern(text, format);
        if (local === undefined) return null;
        return ntz ? local : localToUtcMicros(local, zone);
      }
      return parseTimestamp(text, ntz ? 'UTC' : zone, ntz) ?? null;
    },
    offsetSeconds: (utc) => Math.round(zoneOffsetMillis(zone, Number(utc / 1000n)) / 1000),
  };
  return {
    ...rules,
    ...(dateFormat === undefined
      ? {}
      : { formatDate: (days: number) => formatWithPattern(BigInt(days) * 86_400_000_000n, dateFormat) }),
    ...(timestampFormat === undefined && ntzFormat === undefined
      ? {}
      : {
          formatTimestamp: (micros: bigint, ntz: boolean) => {
            const format = ntz ? ntzFormat : timestampFormat;
            if (format !== undefined) {
              const local = ntz ? micros : utcToLocalMicros(micros, zone);
              return formatWithPattern(local, format, {
                id: ntz ? 'UTC' : zone,
                offsetSeconds: ntz ? 0 : rules.offsetSeconds(micros),
              });
            }
            const text = valueToJson(micros, ntz ? T.timestampNtz : T.timestamp, rules);
            return JSON.parse(text) as string;
          },
        }),
  };
}

/** The options argument: a MAP<STRING, STRING> (42K06 otherwise). */
function optionsArg(name: string, t: DataType | undefined): DataType[] {
  if (t === undefined) return [];
  if (t.kind === 'map' && (t.key.kind === 'string' || t.key.kind === 'null')) {
    return [{ kind: 'map', key: T.string, value: T.string, valueContainsNull: true }];
  }
  throw new EngineError(
    '42K06',
    `[INVALID_OPTIONS.NON_MAP_FUNCTION] Invalid options: Must use the \`map()\` function for options of \`${name}\`.`,
  );
}

function invalidSchema(message: string): EngineError {
  return new EngineError('42K07', message);
}

/** A DDL schema text: a type (`array<int>`, `struct<…>`) or a field list (`a INT, b STRING`). */
function parseSchema(text: string, ctx: ResolveContext): DataType {
  const parse = ctx.parseType;
  if (parse === undefined) throw new EngineError(SqlState.internalError, 'internal error: no type parser');
  try {
    return parse(text);
  } catch (first) {
    try {
      return parse(`struct<${text}>`);
    } catch {
      const why = first instanceof Error ? first.message : String(first);
      throw invalidSchema(
        `[INVALID_SCHEMA.PARSE_ERROR] The input schema "${text}" is not a valid schema string. ${why}`,
      );
    }
  }
}

/** Every level nullable, as from_json returns its schema. */
function asNullable(t: DataType): DataType {
  switch (t.kind) {
    case 'struct':
      return {
        kind: 'struct',
        fields: t.fields.map((f) => ({ ...f, type: asNullable(f.type), nullable: true })),
      };
    case 'array':
      return { kind: 'array', element: asNullable(t.element), containsNull: true };
    case 'map':
      return { kind: 'map', key: t.key, value: asNullable(t.value), valueContainsNull: true };
    default:
      return t;
  }
}

/** Map keys that JSON cannot hold (anything but STRING) anywhere in the schema. */
function checkMapKeys(t: DataType): void {
  switch (t.kind) {
    case 'map':
      if (t.key.kind !== 'string') {
        throw new EngineError(
          SqlState.datatypeMismatch,
          `[DATATYPE_MISMATCH.INVALID_JSON_MAP_KEY_TYPE] Cannot resolve "from_json" due to data type mismatch: Input schema "${typeToDdl(t)}" can only contain STRING as a key type for a MAP.`,
        );
      }
      checkMapKeys(t.value);
      return;
    case 'array':
      checkMapKeys(t.element);
      return;
    case 'struct':
      t.fields.forEach((f) => checkMapKeys(f.type));
      return;
    default:
      return;
  }
}

function fromJsonMode(options: Options): JsonParseMode {
  const mode = parseJsonMode(option(options, 'mode'));
  if (mode === 'DROPMALFORMED') {
    throw new EngineError(
      SqlState.syntaxError,
      "[PARSE_MODE_UNSUPPORTED] The function `from_json` doesn't support the DROPMALFORMED mode. Acceptable modes are PERMISSIVE and FAILFAST.",
    );
  }
  return mode;
}

/** from_json of one text to a struct: its fields, partial fields or NULL fields when malformed. */
function structFromJson(
  text: string,
  fields: readonly Field[],
  options: Options,
  rules: JsonValueRules,
): Value {
  const corruptName = option(options, 'columnNameOfCorruptRecord') ?? '_corrupt_record';
  const corruptField = fields.findIndex((f) => f.name === corruptName && f.type.kind === 'string');
  const rows = jsonRecordRows(
    text,
    fields,
    { mode: fromJsonMode(options), corruptField, arrayOfRows: false },
    rules,
  );
  return rows[0] ?? null;
}

/** from_json of one text to an array or a map: NULL when malformed (unless FAILFAST). */
function collectionFromJson(text: string, type: DataType, options: Options, rules: JsonValueRules): Value {
  const mode = fromJsonMode(options);
  let node: JsonNode | null;
  try {
    node = parseJson(text);
    if (node === null) return null;
    // An object read as an array of structs is an array of that one struct.
    if (type.kind === 'array' && type.element.kind === 'struct' && node.kind === 'object') {
      return [jsonToValue(node, type.element, rules)];
    }
    if ((type.kind === 'array' && node.kind !== 'array') || (type.kind === 'map' && node.kind !== 'object')) {
      throw new JsonValueError('unexpected root');
    }
    return jsonToValue(node, type, rules);
  } catch (err) {
    if (!(err instanceof JsonSyntaxError) && !(err instanceof JsonValueError)) throw err;
    if (mode === 'FAILFAST') throw malformedRecordError(text);
    return null;
  }
}

const fromJson: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'from_json',
  description:
    'from_json(jsonStr, schema[, options]) - A struct (or array, or map) value parsed from jsonStr with the given schema.',
  resolve(argTypes, ctx): ResolvedSignature {
    checkArity('from_json', argTypes, 2, 3);
    const schemaText = ctx.literalArgs[1];
    if (typeof schemaText !== 'string') {
      throw invalidSchema(
        `[INVALID_SCHEMA.NON_STRING_LITERAL] The input schema "${schemaText === null ? 'NULL' : 'the argument'}" is not a valid schema string. The input expression must be string literal and not null.`,
      );
    }
    const schema = asNullable(parseSchema(schemaText, ctx));
    if (schema.kind !== 'struct' && schema.kind !== 'array' && schema.kind !== 'map') {
      throw new EngineError(
        SqlState.datatypeMismatch,
        `[DATATYPE_MISMATCH.INVALID_JSON_SCHEMA] Cannot resolve "from_json" due to data type mismatch: Input schema "${typeToDdl(schema)}" must be a struct, an array, a map or a variant.`,
      );
    }
    checkMapKeys(schema);
    return {
      argTypes: [
        coerce('from_json', 0, argTypes[0]!, T.string),
        T.string,
        ...optionsArg('from_json', argTypes[2]),
      ],
      returnType: schema,
      nullable: true,
    };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      args.map(() => T.string),
      numRows,
      returnType,
      ctx,
      (v) => {
        const text = v[0];
        if (text === null || text === undefined) return null;
        const options = (v[2] ?? null) as Options;
        const rules = datetimeRules(ctx, options);
        return returnType.kind === 'struct'
          ? structFromJson(text as string, returnType.fields, options, rules)
          : collectionFromJson(text as string, returnType, options, rules);
      },
      false,
    );
  },
};

const toJson: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'to_json',
  description: 'to_json(expr[, options]) - The JSON text of a struct, array or map value.',
  resolve(argTypes): ResolvedSignature {
    checkArity('to_json', argTypes, 1, 2);
    const t = argTypes[0]!;
    if (t.kind !== 'struct' && t.kind !== 'array' && t.kind !== 'map' && t.kind !== 'null') {
      throw typeMismatch('to_json', 0, '("STRUCT" or "ARRAY" or "MAP")', t);
    }
    return { argTypes: [t, ...optionsArg('to_json', argTypes[1])], returnType: T.string };
  },
  evaluate(args, numRows, returnType, ctx) {
    const types = args.map((a) => (a.kind === 'scalar' ? a.type : fromArrowType(a.data.type)));
    return mapRows(
      args,
      types,
      numRows,
      returnType,
      (v) => {
        const value = v[0] ?? null;
        if (value === null) return null;
        return valueToJson(value, types[0]!, datetimeRules(ctx, (v[1] ?? null) as Options));
      },
      false,
    );
  },
};

/** A path argument parsed once per distinct text. */
function pathCache(): (path: string) => JsonPathStep[] | null {
  const cache = new Map<string, JsonPathStep[] | null>();
  return (path) => {
    let steps = cache.get(path);
    if (steps === undefined) {
      steps = parseJsonPath(path);
      if (cache.size < 1000) cache.set(path, steps);
    }
    return steps;
  };
}

/** The first JSON value of `text`, or null when it is empty or not JSON. */
function tryParse(text: string): JsonNode | null {
  try {
    return parseJson(text);
  } catch (err) {
    if (err instanceof JsonSyntaxError) return null;
    throw err;
  }
}

const getJsonObject: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'get_json_object',
  description:
    'get_json_object(json_txt, path) - The part of json_txt that the JSONPath path names, or NULL.',
  resolve(argTypes): ResolvedSignature {
    checkArity('get_json_object', argTypes, 2, 2);
    return {
      argTypes: [
        coerce('get_json_object', 0, argTypes[0]!, T.string),
        coerce('get_json_object', 1, argTypes[1]!, T.string),
      ],
      returnType: T.string,
      nullable: true,
    };
  },
  evaluate(args, numRows, returnType, ctx) {
    const steps = pathCache();
    return evaluateRows(
      args,
      [T.string, T.string],
      numRows,
      returnType,
      ctx,
      (v) => {
        const path = steps(v[1] as string);
        if (path === null) return null;
        const root = tryParse(v[0] as string);
        return root === null ? null : evaluateJsonPath(root, path);
      },
      true,
    );
  },
};

/**
 * json_tuple's values for one row: a struct of one STRING per field name (`c0`, `c1`, …), each the
 * top-level field's value as get_json_object gives it; all NULL for NULL or malformed JSON. The
 * analyzer's json_tuple generator spreads the struct into columns.
 */
const jsonTupleRow: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'json_tuple_row',
  description: 'json_tuple_row(json, name1, name2, …) - The struct of the fields json_tuple returns.',
  resolve(argTypes): ResolvedSignature {
    if (argTypes.length < 2) {
      throw new EngineError(
        SqlState.wrongNumArgs,
        `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`json_tuple\` requires > 1 parameters but the actual number is ${argTypes.length}.`,
      );
    }
    const types = argTypes.map((t, i) => {
      if (t.kind !== 'string' && t.kind !== 'null') throw typeMismatch('json_tuple', i, '"STRING"', t);
      return T.string;
    });
    const fields: Field[] = argTypes
      .slice(1)
      .map((_, i) => ({ name: `c${i}`, type: T.string, nullable: true }));
    return { argTypes: types, returnType: { kind: 'struct', fields }, nullable: false };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      args.map(() => T.string),
      numRows,
      returnType,
      ctx,
      (v) => {
        const out: Value[] = new Array<Value>(v.length - 1).fill(null);
        const root = typeof v[0] === 'string' ? tryParse(v[0]) : null;
        if (root === null || root.kind !== 'object') return out;
        for (let i = 1; i < v.length; i++) {
          const name = v[i];
          if (typeof name !== 'string') continue;
          const node = jsonField(root, name);
          if (node !== undefined && node.kind !== 'null')
            out[i - 1] = node.kind === 'string' ? node.value : jsonNodeText(node);
        }
        return out;
      },
      false,
    );
  },
};

/** The DDL of the type schema_of_json infers for one JSON value. */
function inferredDdl(node: JsonNode): string {
  const t = inferJsonType(node);
  if (t.kind === 'struct') return typeToDdl(finishJsonType(t) ?? { kind: 'struct', fields: [] });
  if (t.kind === 'array' && t.element.kind === 'struct') {
    return typeToDdl(T.array(finishJsonType(t.element) ?? { kind: 'struct', fields: [] }));
  }
  return typeToDdl(finishJsonType(t) ?? T.string);
}

const schemaOfJson: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'schema_of_json',
  description: 'schema_of_json(json[, options]) - The schema of a JSON text, as a DDL string.',
  resolve(argTypes, ctx): ResolvedSignature {
    checkArity('schema_of_json', argTypes, 1, 2);
    const json = ctx.literalArgs[0];
    if (typeof json !== 'string') {
      throw new EngineError(
        SqlState.datatypeMismatch,
        `[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Cannot resolve "schema_of_json" due to data type mismatch: the input json should be a foldable "STRING" expression; however, got ${json === null ? 'NULL' : 'a column'}.`,
      );
    }
    return {
      argTypes: [T.string, ...optionsArg('schema_of_json', argTypes[1])],
      returnType: T.string,
      nullable: false,
    };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      args.map(() => T.string),
      numRows,
      returnType,
      ctx,
      (v) => {
        const text = v[0] as string;
        let node: JsonNode | null;
        try {
          node = parseJson(text);
        } catch (err) {
          if (err instanceof JsonSyntaxError) throw malformedRecordError(text);
          throw err;
        }
        return node === null ? 'STRING' : inferredDdl(node);
      },
      true,
    );
  },
};

const jsonArrayLength: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'json_array_length',
  description: 'json_array_length(jsonArray) - The number of elements of the outermost JSON array, or NULL.',
  resolve(argTypes): ResolvedSignature {
    checkArity('json_array_length', argTypes, 1, 1);
    return {
      argTypes: [coerce('json_array_length', 0, argTypes[0]!, T.string)],
      returnType: T.int,
      nullable: true,
    };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [T.string],
      numRows,
      returnType,
      ctx,
      (v) => {
        const node = tryParse(v[0] as string);
        return node !== null && node.kind === 'array' ? node.items.length : null;
      },
      true,
    );
  },
};

const jsonObjectKeys: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'json_object_keys',
  description: 'json_object_keys(json_object) - The keys of the outermost JSON object as an array, or NULL.',
  resolve(argTypes): ResolvedSignature {
    checkArity('json_object_keys', argTypes, 1, 1);
    return {
      argTypes: [coerce('json_object_keys', 0, argTypes[0]!, T.string)],
      returnType: T.array(T.string),
      nullable: true,
    };
  },
  evaluate(args, numRows, returnType, ctx) {
    return evaluateRows(
      args,
      [T.string],
      numRows,
      returnType,
      ctx,
      (v) => {
        const node = tryParse(v[0] as string);
        return node !== null && node.kind === 'object' ? node.entries.map(([k]) => k) : null;
      },
      true,
    );
  },
};

export const sparkJsonFunctions: readonly ScalarFunctionDef[] = [
  fromJson,
  toJson,
  getJsonObject,
  jsonTupleRow,
  schemaOfJson,
  jsonArrayLength,
  jsonObjectKeys,
];
