/**
 * Bitwise functions behind the `&`, `|`, `^` and `~` operators (the analyzer desugars them to
 * calls): integral operands of a common type, result of that type.
 */
import { T, isIntegral, type DataType, type Value } from '../../common/index.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { checkArity, commonType, evaluateRows, typeMismatch } from './define.ts';

function integralCommon(name: string, argTypes: readonly DataType[]): DataType {
  argTypes.forEach((t, i) => {
    if (!isIntegral(t) && t.kind !== 'null') throw typeMismatch(name, i, '"INTEGRAL"', t);
  });
  const t = commonType(name, argTypes);
  return t.kind === 'string' ? T.int : t;
}

function binaryBitwise(name: string, symbol: string, f: (a: bigint, b: bigint) => bigint): ScalarFunctionDef {
  return {
    kind: 'scalar',
    name,
    description: `${name}(a, b) - a ${symbol} b on the two's complement bits.`,
    resolve(argTypes) {
      checkArity(name, argTypes, 2, 2);
      const t = integralCommon(name, argTypes);
      return { argTypes: [t, t], returnType: t };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [returnType, returnType],
        numRows,
        returnType,
        ctx,
        (v) => fromBig(f(toBig(v[0]!), toBig(v[1]!)), returnType),
        true,
      );
    },
  };
}

function toBig(v: Value): bigint {
  return typeof v === 'bigint' ? v : BigInt(v as number);
}

function fromBig(v: bigint, t: DataType): Value {
  switch (t.kind) {
    case 'bigint':
      return BigInt.asIntN(64, v);
    case 'tinyint':
      return Number(BigInt.asIntN(8, v));
    case 'smallint':
      return Number(BigInt.asIntN(16, v));
    case 'array':
    case 'binary':
    case 'boolean':
    case 'date':
    case 'decimal':
    case 'double':
    case 'float':
    case 'int':
    case 'interval_day_time':
    case 'interval_year_month':
    case 'calendar_interval':
    case 'map':
    case 'null':
    case 'string':
    case 'struct':
    case 'timestamp_ntz':
    case 'timestamp':
    case 'time':
      return Number(BigInt.asIntN(32, v));
  }
}

export const bitwiseFunctions: readonly ScalarFunctionDef[] = [
  binaryBitwise('bitwise_and', '&', (a, b) => a & b),
  binaryBitwise('bitwise_or', '|', (a, b) => a | b),
  binaryBitwise('bitwise_xor', '^', (a, b) => a ^ b),
  {
    kind: 'scalar',
    name: 'bitwise_not',
    description: "bitwise_not(a) - ~a on the two's complement bits.",
    resolve(argTypes) {
      checkArity('bitwise_not', argTypes, 1, 1);
      const t = integralCommon('bitwise_not', argTypes);
      return { argTypes: [t], returnType: t };
    },
    evaluate(args, numRows, returnType, ctx) {
      return evaluateRows(
        args,
        [returnType],
        numRows,
        returnType,
        ctx,
        (v) => fromBig(~toBig(v[0]!), returnType),
        true,
      );
    },
  },
];
