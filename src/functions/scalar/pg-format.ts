/**
 * PostgreSQL's `format(formatstr, args…)`, which clients send to build names and text (Metabase's
 * `FORMAT('%I.%I', schema, table)`, psql's `\dX`): `%s` an argument as text (NULL as nothing),
 * `%I` as an identifier (quoted unless lower case letters, digits, `_` and `$`), `%L` as a literal
 * (quoted, `NULL` for NULL), `%%` a percent sign; `%n$` takes argument n, and a width (`%10s`,
 * `%-10s`, `%*s`) pads. Arguments are written as Kindling casts them to strings.
 */
import { EngineError, SqlState, T, fromArrowType, type DataType, type Value } from '../../common/index.ts';
import type { ColumnarValue, EvalContext, ScalarFunctionDef } from '../registry.ts';
import { valueToString } from '../kernels/cast.ts';
import { checkArity, coerce, evaluateRows } from './define.ts';

function formatError(message: string): EngineError {
  return new EngineError(SqlState.invalidParameterValue, message);
}

/** An identifier as quote_ident writes it. */
export function quoteIdent(name: string): string {
  return /^[a-z_][a-z0-9_$]*$/.test(name) ? name : `"${name.replace(/"/g, '""')}"`;
}

/** A literal as quote_literal writes it: E'' when it holds a backslash. */
export function quoteLiteral(text: string): string {
  const quoted = text.replace(/'/g, "''");
  return text.includes('\\') ? `E'${quoted.replace(/\\/g, '\\\\')}'` : `'${quoted}'`;
}

/** format(fmt, args…) over one row: `args` with their types. */
export function pgFormat(
  fmt: string,
  args: readonly Value[],
  types: readonly DataType[],
  ctx: EvalContext,
): string {
  let out = '';
  let next = 0;
  const text = (i: number): string | null => {
    if (i >= args.length) throw formatError('too few arguments for format()');
    const v = args[i]!;
    return v === null ? null : valueToString(v, types[i]!, ctx);
  };
  let i = 0;
  while (i < fmt.length) {
    const c = fmt[i]!;
    if (c !== '%') {
      out += c;
      i++;
      continue;
    }
    i++;
    if (i >= fmt.length) throw formatError('unterminated format() type specifier');
    if (fmt[i] === '%') {
      out += '%';
      i++;
      continue;
    }
    // %[position$][flags][width]type
    const spec = /^(?:(\d+)\$)?(-)?(\*(?:\d+\$)?|\d+)?([sIL])/.exec(fmt.slice(i));
    if (spec === null) {
      const bad = fmt.slice(i).match(/^[\d$*-]*(.?)/)?.[1] ?? '';
      throw bad === ''
        ? formatError('unterminated format() type specifier')
        : formatError(`unrecognized format() type specifier "${bad}"`);
    }
    i += spec[0].length;
    let width = 0;
    let left = spec[2] === '-';
    if (spec[3] !== undefined) {
      if (spec[3].startsWith('*')) {
        const at = spec[3].length > 1 ? Number(spec[3].slice(1, -1)) - 1 : next++;
        const w = args[at];
        if (at >= args.length) throw formatError('too few arguments for format()');
        width = w === null || w === undefined ? 0 : Number(w);
        if (width < 0) {
          left = true;
          width = -width;
        }
      } else {
        width = Number(spec[3]);
      }
    }
    const position = spec[1] !== undefined ? Number(spec[1]) - 1 : next;
    if (spec[1] !== undefined && position < 0)
      throw formatError('format specifies argument 0, but arguments are numbered from 1');
    next = position + 1;
    const value = text(position);
    let piece: string;
    switch (spec[4]) {
      case 'I':
        if (value === null)
          throw new EngineError(
            SqlState.nullValueNotAllowed,
            'null values cannot be formatted as an SQL identifier',
          );
        piece = quoteIdent(value);
        break;
      case 'L':
        piece = value === null ? 'NULL' : quoteLiteral(value);
        break;
      default:
        piece = value ?? '';
    }
    out += left ? piece.padEnd(width) : piece.padStart(width);
  }
  return out;
}

export const pgFormatFunctions: readonly ScalarFunctionDef[] = [
  {
    kind: 'scalar',
    name: 'format',
    description:
      'format(fmt, args...) - Text from a format with %s, %I (identifier), %L (literal) (PostgreSQL).',
    resolve(argTypes) {
      checkArity('format', argTypes, 1, Infinity);
      return {
        argTypes: [coerce('format', 0, argTypes[0]!, T.string), ...argTypes.slice(1)],
        returnType: T.string,
      };
    },
    evaluate(args: readonly ColumnarValue[], numRows, returnType, ctx) {
      return evaluateRows(
        args,
        typesOf(args),
        numRows,
        returnType,
        ctx,
        (v) => (v[0] === null ? null : pgFormat(v[0] as string, v.slice(1), typesOf(args).slice(1), ctx)),
        false,
      );
    },
  },
];

function typesOf(args: readonly ColumnarValue[]): DataType[] {
  return args.map((a) => (a.kind === 'scalar' ? a.type : fromArrowType(a.data.type)));
}
