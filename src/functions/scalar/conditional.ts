/**
 * Conditional functions: coalesce, nullif, nvl, nvl2, ifnull, if/iff, isnull, isnotnull, isnan, nanvl,
 * assert_true, raise_error. The physical layer evaluates if/coalesce/nvl/nvl2/ifnull/nanvl lazily (as a CASE) when an
 * argument could raise an error; these implementations are the eager form.
 */
import { EngineError, SqlState, T, type DataType } from '../../common/index.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { compareValues } from '../kernels/compare.ts';
import { valueText } from '../kernels/common.ts';
import { checkArity, coerce, commonTypeKeepingNull, evaluateRows } from './define.ts';

/** Spark's USER_RAISED_EXCEPTION (PostgreSQL's raise_exception). */
const USER_RAISED = 'P0001';

/** The SQLSTATE of each error class `raise_error(errorClass, message)` may raise. */
const RAISED_ERROR_STATES: Readonly<Record<string, string>> = {
  USER_RAISED_EXCEPTION: USER_RAISED,
  SCALAR_SUBQUERY_TOO_MANY_ROWS: SqlState.cardinalityViolation,
};

function variadicCommon(
  name: string,
  min: number,
  max: number,
  pick: (v: readonly unknown[]) => unknown,
  description: string,
  aliases?: readonly string[],
): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    ...(aliases === undefined ? {} : { aliases }),
    description,
    resolve(argTypes) {
      checkArity(name, argTypes, min, max);
      const t = commonTypeKeepingNull(name, argTypes);
      return { argTypes: argTypes.map(() => t), returnType: t, nullable: true };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        args.map(() => returnType),
        numRows,
        returnType,
        ctx,
        (v) => pick(v) as never,
        false,
      );
    },
  };
}

const firstNonNull = (v: readonly unknown[]): unknown => v.find((x) => x !== null) ?? null;

export const conditionalFunctions: readonly ScalarFunctionDef[] = [
  variadicCommon('coalesce', 1, Infinity, firstNonNull, 'coalesce(expr, ...) - The first non-NULL argument.'),
  variadicCommon('nvl', 2, 2, firstNonNull, 'nvl(expr1, expr2) - expr2 when expr1 is NULL, else expr1.', [
    'ifnull',
  ]),
  {
    kind: 'scalar',
    name: 'nullif',
    description: 'nullif(expr1, expr2) - NULL when expr1 = expr2, else expr1.',
    resolve(argTypes) {
      checkArity('nullif', argTypes, 2, 2);
      const t = commonTypeKeepingNull('nullif', argTypes);
      return { argTypes: [t, t], returnType: t, nullable: true };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [returnType, returnType],
        numRows,
        returnType,
        ctx,
        (v) =>
          v[0] !== null && v[1] !== null && compareValues(v[0]!, v[1]!, returnType) === 0
            ? null
            : (v[0] ?? null),
        false,
      );
    },
  },
  {
    kind: 'scalar',
    name: 'nvl2',
    description: 'nvl2(expr1, expr2, expr3) - expr2 when expr1 is not NULL, else expr3.',
    resolve(argTypes) {
      checkArity('nvl2', argTypes, 3, 3);
      const t = commonTypeKeepingNull('nvl2', argTypes.slice(1));
      return { argTypes: [argTypes[0]!, t, t], returnType: t, nullable: true };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [returnType, returnType, returnType],
        numRows,
        returnType,
        ctx,
        (v) => (v[0] !== null ? v[1]! : v[2]!),
        false,
      );
    },
  },
  {
    kind: 'scalar',
    name: 'if',
    aliases: ['iff'],
    description: 'if(cond, expr1, expr2) - expr1 when cond is true, else expr2.',
    resolve(argTypes) {
      checkArity('if', argTypes, 3, 3);
      const c = coerce('if', 0, argTypes[0]!, T.boolean);
      const t = commonTypeKeepingNull('if', argTypes.slice(1));
      return { argTypes: [c, t, t], returnType: t, nullable: true };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [T.boolean, returnType, returnType],
        numRows,
        returnType,
        ctx,
        (v) => (v[0] === true ? v[1]! : v[2]!),
        false,
      );
    },
  },
  {
    kind: 'scalar',
    name: 'isnull',
    description: 'isnull(expr) - True if expr is NULL.',
    resolve(argTypes) {
      checkArity('isnull', argTypes, 1, 1);
      return { argTypes, returnType: T.boolean, nullable: false };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(args, [T.string], numRows, returnType, ctx, (v) => v[0] === null, false);
    },
  },
  {
    kind: 'scalar',
    name: 'isnotnull',
    description: 'isnotnull(expr) - True if expr is not NULL.',
    resolve(argTypes) {
      checkArity('isnotnull', argTypes, 1, 1);
      return { argTypes, returnType: T.boolean, nullable: false };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(args, [T.string], numRows, returnType, ctx, (v) => v[0] !== null, false);
    },
  },
  {
    kind: 'scalar',
    name: 'isnan',
    description: 'isnan(expr) - True if expr is NaN (false for NULL).',
    resolve(argTypes) {
      checkArity('isnan', argTypes, 1, 1);
      const t = argTypes[0]!.kind === 'float' ? T.float : T.double;
      return { argTypes: [coerce('isnan', 0, argTypes[0]!, t)], returnType: T.boolean, nullable: false };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [T.double],
        numRows,
        returnType,
        ctx,
        (v) => typeof v[0] === 'number' && Number.isNaN(v[0]),
        false,
      );
    },
  },
  {
    kind: 'scalar',
    name: 'nanvl',
    description: 'nanvl(expr1, expr2) - expr2 when expr1 is NaN, else expr1.',
    resolve(argTypes) {
      checkArity('nanvl', argTypes, 2, 2);
      const t: DataType = argTypes.some(
        (x) => x.kind === 'double' || x.kind === 'decimal' || x.kind === 'bigint' || x.kind === 'int',
      )
        ? T.double
        : T.double;
      return {
        argTypes: [coerce('nanvl', 0, argTypes[0]!, t), coerce('nanvl', 1, argTypes[1]!, t)],
        returnType: t,
      };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [T.double, T.double],
        numRows,
        returnType,
        ctx,
        (v) => (typeof v[0] === 'number' && Number.isNaN(v[0]) ? v[1]! : v[0]!),
        false,
      );
    },
  },
  {
    kind: 'scalar',
    name: 'assert_true',
    description: 'assert_true(cond[, message]) - NULL when cond is true, an error otherwise.',
    resolve(argTypes) {
      checkArity('assert_true', argTypes, 1, 2);
      const types = [
        coerce('assert_true', 0, argTypes[0]!, T.boolean),
        ...(argTypes.length === 2 ? [coerce('assert_true', 1, argTypes[1]!, T.string)] : []),
      ];
      return { argTypes: types, returnType: T.null, nullable: true };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [T.boolean, T.string],
        numRows,
        returnType,
        ctx,
        (v) => {
          if (v[0] !== true)
            throw new EngineError(
              SqlState.dataException,
              (v[1] as string | undefined) ?? `'${valueText(v[0] ?? null)}' is not true!`,
            );
          return null;
        },
        false,
      );
    },
  },
  {
    kind: 'scalar',
    name: 'raise_error',
    description:
      'raise_error(message) - Raises USER_RAISED_EXCEPTION (P0001) with the message. ' +
      'raise_error(errorClass, message) raises one of the engine’s own error classes with its SQLSTATE.',
    // Never folded: the error belongs to the rows that reach it.
    deterministic: false,
    resolve(argTypes) {
      checkArity('raise_error', argTypes, 1, 2);
      return {
        argTypes: argTypes.map((t, i) => coerce('raise_error', i, t, T.string)),
        returnType: T.null,
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
          // The arguments arrive as strings (or NULL).
          const [errorClass, message] =
            v.length === 2
              ? [(v[0] as string | null) ?? '', v[1] as string | null]
              : ['USER_RAISED_EXCEPTION', v[0] as string | null];
          const text = `[${errorClass}] ${message ?? 'null'}`;
          const state = Object.hasOwn(RAISED_ERROR_STATES, errorClass)
            ? RAISED_ERROR_STATES[errorClass]!
            : USER_RAISED;
          throw new EngineError(state, text);
        },
        false,
      );
    },
  },
];
