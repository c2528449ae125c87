/**
 * Struct functions: Spark's `named_struct(name, value, …)`, `get_struct_field(s, ordinal)` — what
 * the analyzer binds a field access `s.field` / `(expr).field` to — and the rows of PostgreSQL's
 * `information_schema._pg_expandarray(a)` as an array of `(x, n)` structs (each element with its
 * 1-based position), which the analyzer explodes. A struct value is the array of its field values.
 * They run row at a time: catalog queries and small values, not hot loops.
 */
import {
  EngineError,
  SqlState,
  T,
  typeToString,
  type DataType,
  type Field,
  type Value,
} from '../../common/index.ts';
import type { ResolveContext, ResolvedSignature, ScalarFunctionDef } from '../registry.ts';
import { checkArity, evaluateRows, typeMismatch } from './define.ts';

type Row = (v: Value[]) => Value;

function rowFunction(
  name: string,
  description: string,
  resolve: (argTypes: readonly DataType[], ctx: ResolveContext) => ResolvedSignature,
  row: Row,
  nullIntolerant: boolean,
): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description,
    resolve,
    evaluate: (args, numRows, returnType, ctx) =>
      evaluateRows(
        args,
        args.map(() => T.null),
        numRows,
        returnType,
        ctx,
        (v) => row(v),
        nullIntolerant,
      ),
  };
}

const namedStruct = rowFunction(
  'named_struct',
  'named_struct(name1, val1, name2, val2, …) - A struct with the given field names and values.',
  (argTypes, ctx) => {
    if (argTypes.length === 0 || argTypes.length % 2 !== 0) {
      throw new EngineError(
        SqlState.wrongNumArgs,
        `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`named_struct\` requires 2n (n > 0) parameters but the actual number is ${argTypes.length}.`,
      );
    }
    const fields: Field[] = [];
    for (let i = 0; i < argTypes.length; i += 2) {
      const name = ctx.literalArgs[i];
      if (typeof name !== 'string') {
        throw new EngineError(
          SqlState.datatypeMismatch,
          `[DATATYPE_MISMATCH.CREATE_NAMED_STRUCT_WITHOUT_FOLDABLE_STRING] Cannot resolve "named_struct" due to data type mismatch: Only foldable \`STRING\` expressions are allowed to appear at odd position, but they are [${i + 1}].`,
        );
      }
      fields.push({ name, type: argTypes[i + 1]!, nullable: true });
    }
    return { argTypes, returnType: { kind: 'struct', fields }, nullable: false };
  },
  (v) => v.filter((_, i) => i % 2 === 1),
  false,
);

const getStructField = rowFunction(
  'get_struct_field',
  'get_struct_field(struct, ordinal) - The field at a 0-based ordinal; what `s.field` binds to.',
  (argTypes, ctx) => {
    checkArity('get_struct_field', argTypes, 2, 2);
    const s = argTypes[0]!;
    if (s.kind !== 'struct') throw typeMismatch('get_struct_field', 0, '"STRUCT"', s);
    const ordinal = ctx.literalArgs[1];
    const field = typeof ordinal === 'number' ? s.fields[ordinal] : undefined;
    if (field === undefined) {
      throw new EngineError(
        SqlState.datatypeMismatch,
        `get_struct_field takes a constant ordinal of a field of ${typeToString(s)}`,
      );
    }
    return { argTypes: [s, T.int], returnType: field.type, nullable: true };
  },
  (v) => (v[0] as readonly Value[])[v[1] as number] ?? null,
  true,
);

/** The struct type of one `_pg_expandarray` row for elements of `element`. */
export function pgExpandArrayRowType(element: DataType): DataType {
  return {
    kind: 'struct',
    fields: [
      { name: 'x', type: element, nullable: true },
      { name: 'n', type: T.int, nullable: false },
    ],
  };
}

const pgExpandArrayRows = rowFunction(
  'pg_expandarray_rows',
  "pg_expandarray_rows(array) - The rows of PostgreSQL's information_schema._pg_expandarray: (x, n) per element, n from 1.",
  (argTypes) => {
    checkArity('pg_expandarray_rows', argTypes, 1, 1);
    const a = argTypes[0]!;
    if (a.kind !== 'array' && a.kind !== 'null') throw typeMismatch('pg_expandarray_rows', 0, '"ARRAY"', a);
    const element = a.kind === 'array' ? a.element : T.null;
    return {
      argTypes: [a.kind === 'array' ? a : T.array(T.null)],
      returnType: T.array(pgExpandArrayRowType(element), false),
    };
  },
  (v) => (v[0] as readonly Value[]).map((x, i) => [x, i + 1]),
  true,
);

export const structFunctions: readonly ScalarFunctionDef[] = [namedStruct, getStructField, pgExpandArrayRows];
