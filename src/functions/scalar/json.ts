/**
 * PostgreSQL's `json_build_object(k1, v1, k2, v2, …)`, which clients put in their catalog queries
 * (SQLAlchemy reads a column's identity options with it): the JSON text of an object, written as
 * PostgreSQL writes it (`{"a" : 1, "b" : "x"}`). Keys are text and must not be NULL; booleans and
 * numbers are JSON literals, NULL is `null`, and any other value is its text as a JSON string.
 */
import { EngineError, T, fromArrowType, type DataType, type Value } from '../../common/index.ts';
import { mapRows } from '../kernels/common.ts';
import type { ColumnarValue, ResolvedSignature, ScalarFunctionDef } from '../registry.ts';
import { arityError, coerce } from './define.ts';

const LITERAL_KINDS: ReadonlySet<DataType['kind']> = new Set([
  'null',
  'boolean',
  'tinyint',
  'smallint',
  'int',
  'bigint',
  'float',
  'double',
  'decimal',
  'string',
]);

/** A decimal's unscaled value at `scale` as its digits. */
function decimalText(unscaled: bigint, scale: number): string {
  const negative = unscaled < 0n;
  let digits = (negative ? -unscaled : unscaled).toString();
  if (scale > 0) {
    digits = digits.padStart(scale + 1, '0');
    digits = `${digits.slice(0, -scale)}.${digits.slice(-scale)}`;
  }
  return negative ? `-${digits}` : digits;
}

/** One value as JSON, given its type. */
function jsonValue(v: Value, type: DataType): string {
  if (v === null) return 'null';
  switch (type.kind) {
    case 'boolean':
      return v === true ? 'true' : 'false';
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return (v as number | bigint).toString();
    case 'float':
    case 'double': {
      const x = v as number;
      return Number.isFinite(x) ? String(x) : JSON.stringify(String(x));
    }
    case 'decimal':
      return decimalText(v as bigint, type.scale);
    default:
      return JSON.stringify(v);
  }
}

export const jsonBuildObject: ScalarFunctionDef = {
  kind: 'scalar',
  name: 'json_build_object',
  description:
    'json_build_object(key1, value1, ...) - The JSON text of an object of the keys and values (PostgreSQL).',
  resolve(argTypes: readonly DataType[]): ResolvedSignature {
    if (argTypes.length % 2 !== 0)
      throw arityError('json_build_object', 'an even number of', argTypes.length);
    const types = argTypes.map((t, i) =>
      i % 2 === 0 ? coerce('json_build_object', i, t, T.string) : LITERAL_KINDS.has(t.kind) ? t : T.string,
    );
    return { argTypes: types, returnType: T.string, nullable: false };
  },
  evaluate(args: readonly ColumnarValue[], numRows: number, returnType: DataType): ColumnarValue {
    const types = args.map((a) => (a.kind === 'scalar' ? a.type : fromArrowType(a.data.type)));
    return mapRows(
      args,
      types,
      numRows,
      returnType,
      (values) => {
        const parts: string[] = [];
        for (let i = 0; i < values.length; i += 2) {
          const key = values[i]!;
          if (key === null) throw new EngineError('22004', 'null value not allowed for object key');
          parts.push(`${JSON.stringify(key)} : ${jsonValue(values[i + 1]!, types[i + 1]!)}`);
        }
        return `{${parts.join(', ')}}`;
      },
      false,
    );
  },
};
