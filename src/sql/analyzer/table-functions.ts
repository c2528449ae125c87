/**
 * Table-valued functions in FROM: `range(end)`, `range(start, end[, step[, numPartitions]])` —
 * Spark's BIGINT column `id`. Arguments must be constant integers (literals, possibly negated or
 * combined with + - *); `step` may not be 0. Generators (`explode(array(1, 2))`, posexplode …)
 * and PostgreSQL's set-returning functions (`unnest`, `generate_series`, the session's catalog
 * ones) bind as a Generate (bindSetFunction).
 */
import { SqlState, T, isIntegral } from '../../common/index.ts';
import { outputOf, type Attribute, type Expr, type LogicalPlan } from '../../plan/index.ts';
import type * as ast from '../parser/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { analysisError, notSupported } from './errors.ts';
import { bindExpr, bindFieldAccess } from './expression.ts';
import { bindGenerate, isGeneratorName, isSetReturning } from './generator.ts';
import { functionName } from './function-call.ts';

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
  const { name } = functionName(rel.name);
  if (rel.ordinality) throw notSupported(`WITH ORDINALITY on ${name}`, rel.pos);
  if (name !== 'range') throw notSupported(`Table-valued function ${name}`, rel.pos);
  const n = rel.args.length;
  if (n < 1 || n > 4) {
    throw analysisError(
      SqlState.wrongNumArgs,
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

/**
 * A generator or set-returning function in FROM over the rows of `input` (one empty row when it is
 * the first FROM item; the items to its left otherwise, which its arguments may read, as PostgreSQL
 * lets a function in FROM do): `explode(array(1, 2)) AS t(x)`, `unnest(a) x` (a one-column function
 * takes a bare alias as its column's name, as in PostgreSQL), `pg_partition_ancestors(r) WITH
 * ORDINALITY AS a(relid, depth)` (the row number from 1, a BIGINT, as the last column). Returns the
 * plan (input columns, then the generated ones) and the generated columns.
 */
export function bindSetFunction(
  xenv: ExprEnv,
  input: LogicalPlan,
  rel: ast.TableFunctionRelation,
): { plan: LogicalPlan; generated: Attribute[] } {
  const { name } = functionName(rel.name);
  const call = callOf(rel);
  if (rel.ordinality && name.startsWith('posexplode'))
    throw notSupported(`WITH ORDINALITY on ${name}`, rel.pos);
  const spark = isGeneratorName(name);
  if (!spark && !rel.ordinality) {
    const record = bindRecordSetFunction(xenv, input, rel, call);
    if (record !== null) return record;
  }
  const width = name.startsWith('posexplode') || rel.ordinality ? 2 : 1;
  let names: string[] | null = null;
  if (rel.alias?.columns != null) {
    names = rel.alias.columns.map((c) => c.name);
    // A Spark generator's column count depends on its argument (a map's key and value, inline's
    // fields): bindGenerate checks the aliases then.
    if ((!spark || rel.ordinality) && names.length !== width) {
      throw analysisError(
        '42802',
        `[UDTF_ALIAS_NUMBER_MISMATCH] The number of aliases supplied in the AS clause does not match the number of columns output by the UDTF. Expected ${width} aliases, but got ${names.join(', ')}.`,
        rel.alias.pos,
      );
    }
  } else if (!spark && rel.alias !== null) {
    names = rel.ordinality ? [rel.alias.name.name, 'ordinality'] : [rel.alias.name.name];
  }
  // The generator names its columns in its own order (posexplode: position first).
  const generatorNames = names === null ? [] : rel.ordinality ? [names[1]!, names[0]!] : names;
  const gen = bindGenerate(xenv, input, call, generatorNames, null, false, rel.ordinality);
  if (!rel.ordinality) return { plan: gen, generated: [...gen.generatorOutput] };
  const [pos, value] = gen.generatorOutput as [Attribute, Attribute];
  const ordinality: Attribute = {
    id: xenv.state.ctx.nextId(),
    name: names?.[1] ?? 'ordinality',
    type: T.bigint,
    nullable: false,
    qualifier: null,
  };
  const number: Expr = {
    kind: 'binary',
    op: '+',
    left: { kind: 'cast', input: { kind: 'column', attr: pos }, type: T.bigint, mode: 'ansi' },
    right: { kind: 'literal', value: 1n, type: T.bigint },
    type: T.bigint,
    failOnError: xenv.state.ctx.ansi,
  };
  const plan: LogicalPlan = {
    kind: 'Project',
    input: gen,
    exprs: [
      ...outputOf(input).map((a) => ({ expr: { kind: 'column' as const, attr: a }, attr: a })),
      { expr: { kind: 'column', attr: value }, attr: value },
      { expr: number, attr: ordinality },
    ],
  };
  return { plan, generated: [value, ordinality] };
}

/**
 * A PostgreSQL set-returning function whose rows are records (`pg_get_keywords()`): one column
 * per field, named by the field or the alias's column list. Null when its rows are not records.
 */
function bindRecordSetFunction(
  xenv: ExprEnv,
  input: LogicalPlan,
  rel: ast.TableFunctionRelation,
  call: ast.FunctionExpr,
): { plan: LogicalPlan; generated: Attribute[] } | null {
  const gen = bindGenerate(xenv, input, call, [], null);
  const row = gen.generatorOutput[0]!;
  if (gen.generatorOutput.length !== 1 || row.type.kind !== 'struct') return null;
  const fields = row.type.fields;
  const names = rel.alias?.columns?.map((c) => c.name) ?? fields.map((f) => f.name);
  if (names.length !== fields.length) {
    throw analysisError(
      '42802',
      `[UDTF_ALIAS_NUMBER_MISMATCH] The number of aliases supplied in the AS clause does not match the number of columns output by the UDTF. Expected ${fields.length} aliases, but got ${names.join(', ')}.`,
      rel.alias?.pos ?? rel.pos,
    );
  }
  const generated: Attribute[] = fields.map((f, k) => ({
    id: xenv.state.ctx.nextId(),
    name: names[k]!,
    type: f.type,
    nullable: true,
    qualifier: null,
  }));
  const plan: LogicalPlan = {
    kind: 'Project',
    input: gen,
    exprs: [
      ...outputOf(input).map((a) => ({ expr: { kind: 'column' as const, attr: a }, attr: a })),
      ...generated.map((attr, k) => ({
        expr: bindFieldAccess(xenv, { kind: 'column', attr: row }, fields[k]!.name, rel.pos),
        attr,
      })),
    ],
  };
  return { plan, generated };
}

/** Whether a FROM item is a generator or set-returning function (which may read the items before it). */
export function isSetFunctionRelation(xenv: ExprEnv, rel: ast.TableFunctionRelation): boolean {
  return isSetReturning(xenv, functionName(rel.name).name, callOf(rel));
}

function callOf(rel: ast.TableFunctionRelation): ast.FunctionExpr {
  return {
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
}
