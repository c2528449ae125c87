/**
 * Table-valued functions in FROM: `range(end)`, `range(start, end[, step[, numPartitions]])` —
 * Spark's BIGINT column `id`. Arguments must be constant integers (literals, possibly negated or
 * combined with + - *); `step` may not be 0. Generators (`explode(array(1, 2))`, posexplode …)
 * over one empty row.
 */
import { SqlState, isIntegral } from '../../common/index.ts';
import type { Expr, LogicalPlan } from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { analysisError, notSupported } from './errors.ts';
import { bindExpr } from './expression.ts';
import { bindGenerate, isGeneratorName } from './generator.ts';

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** The value of a constant integer expression, or undefined if it is not one. */
function constantInteger(e: Expr): bigint | null | undefined {
  switch (e.kind) {
    case 'literal':
      if (e.value === null) return null;
      if (!isIntegral(e.type)) return undefined;
      return typeof e.value === 'bigint'
        ? e.value
        : typeof e.value === 'number'
          ? BigInt(e.value)
          : undefined;
    case 'cast':
      return isIntegral(e.type) ? constantInteger(e.input) : undefined;
    case 'unary': {
      if (e.op !== 'negate') return undefined;
      const v = constantInteger(e.input);
      return v === null || v === undefined ? v : -v;
    }
    case 'binary': {
      if (e.op !== '+' && e.op !== '-' && e.op !== '*') return undefined;
      const l = constantInteger(e.left);
      const r = constantInteger(e.right);
      if (l === undefined || r === undefined) return undefined;
      if (l === null || r === null) return null;
      return e.op === '+' ? l + r : e.op === '-' ? l - r : l * r;
    }
    default:
      return undefined;
  }
}

export function bindTableFunction(xenv: ExprEnv, rel: ast.TableFunctionRelation): LogicalPlan {
  const name = rel.name.parts.map((p) => p.name.toLowerCase()).join('.');
  if (isGeneratorName(name)) {
    // `FROM explode(array(1, 2)) AS t(x)`: the generator over one empty row.
    const call: ast.FunctionExpr = {
      kind: 'function',
      name: rel.name,
      args: rel.args,
      distinct: false,
      star: false,
      filter: null,
      ignoreNulls: null,
      over: null,
      orderBy: [],
      pos: rel.pos,
    };
    return bindGenerate(xenv, { kind: 'Values', output: [], rows: [[]] }, call, [], null);
  }
  if (name !== 'range') throw notSupported(`Table-valued function ${name}`, rel.pos);
  const n = rel.args.length;
  if (n < 1 || n > 4) {
    throw analysisError(
      '42605',
      `[WRONG_NUM_ARGS.WITHOUT_SUGGESTION] The \`range\` requires [1, 2, 3, 4] parameters but the actual number is ${n}.`,
      rel.pos,
    );
  }
  const values = rel.args.map((a, i) => {
    const v = constantInteger(bindExpr(xenv, a));
    if (v === undefined || v === null) {
      throw analysisError(
        SqlState.datatypeMismatch,
        `[DATATYPE_MISMATCH.NON_FOLDABLE_INPUT] Argument ${i + 1} of \`range\` must be a constant integer, not NULL or a column.`,
        a.pos,
      );
    }
    if (v < INT64_MIN || v > INT64_MAX) {
      throw analysisError(
        SqlState.numericValueOutOfRange,
        `argument ${i + 1} of \`range\` is out of the BIGINT range`,
        a.pos,
      );
    }
    return v;
  });
  const [start, end] = n === 1 ? [0n, values[0]!] : [values[0]!, values[1]!];
  const step = values[2] ?? 1n;
  if (step === 0n) {
    throw analysisError(SqlState.invalidParameterValue, 'the step of `range` cannot be 0', rel.args[2]!.pos);
  }
  let numPartitions: number | null = null;
  if (values[3] !== undefined) {
    if (values[3] < 1n || values[3] > 100_000n) {
      throw analysisError(
        SqlState.invalidParameterValue,
        `the number of partitions of \`range\` must be between 1 and 100000, got ${values[3]}`,
        rel.args[3]!.pos,
      );
    }
    numPartitions = Number(values[3]);
  }
  return {
    kind: 'Range',
    start,
    end,
    step,
    numPartitions,
    output: [
      { id: xenv.state.ctx.nextId(), name: 'id', type: { kind: 'bigint' }, nullable: false, qualifier: null },
    ],
  };
}
