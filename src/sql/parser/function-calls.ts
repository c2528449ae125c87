/**
 * Turns the pieces of a parsed call `name(…)` into a FunctionExpr, normalizing SQL's keyword-argument
 * forms: `SUBSTRING(a FROM b FOR c)` → `substring(a, b, c)`, `POSITION(a IN b)` → `position(a, b)`,
 * `TRIM(LEADING x FROM y)` → `ltrim(y, x)`, `OVERLAY(a PLACING b FROM c FOR d)` → `overlay(a, b, c, d)`,
 * `EXTRACT(f FROM x)` and `date_part('f', x)` → an ExtractExpr, and the unit keyword of
 * `TIMESTAMPADD(HOUR, n, ts)` (also DATEADD, DATE_ADD) and `TIMESTAMPDIFF(DAY, a, b)` (also
 * DATEDIFF, DATE_DIFF, TIMEDIFF) → `timestampadd('HOUR', n, ts)` / `timestampdiff('DAY', a, b)`.
 * As in Spark, a quoted unit there is an error (22023 INVALID_PARAMETER_VALUE.DATETIME_UNIT).
 */
import type { IToken } from 'chevrotain';
import type { Expr, FunctionExpr, OrderItem, QualifiedName, WindowSpec } from './ast.ts';
import { EngineError, SqlState } from '../../common/index.ts';
import { invalidSyntax } from './syntax-error.ts';

/** Spark's `datetimeUnit` keywords, in its grammar's order. */
const DATETIME_UNITS = [
  'YEAR',
  'QUARTER',
  'MONTH',
  'WEEK',
  'DAY',
  'DAYOFYEAR',
  'HOUR',
  'MINUTE',
  'SECOND',
  'MILLISECOND',
  'MICROSECOND',
];

const UNIT_ADD_NAMES = new Set(['timestampadd', 'dateadd', 'date_add']);
const UNIT_DIFF_NAMES = new Set(['timestampdiff', 'datediff', 'date_diff', 'timediff']);

/** What the grammar collected between the parentheses. */
export interface CallArgs {
  quantifier: IToken | null;
  args: Expr[];
  /** The token before each argument after the first: `,` or FROM / FOR / IN / PLACING. */
  separators: IToken[];
  /** `f(*)`. */
  star: boolean;
  orderBy: readonly OrderItem[];
  ignoreNulls: boolean | null;
  /** `TRIM(BOTH FROM x)`: a FROM before the first argument. */
  leadingFrom: IToken | null;
}

export interface CallSuffix {
  readonly withinGroup: readonly OrderItem[];
  readonly filter: Expr | null;
  readonly nullsAfter: boolean | null;
  readonly over: WindowSpec | null;
}

function sepWords(call: CallArgs): string {
  return call.separators.map((s) => s.image.toLowerCase()).join(' ');
}

export function buildFunctionCall(
  sql: string,
  name: QualifiedName,
  call: CallArgs,
  suffix: CallSuffix,
): Expr {
  const fail = (t: IToken, message?: string): never => {
    throw invalidSyntax(sql, t.startOffset + 1, message ?? `syntax error at or near "${t.image}"`);
  };
  const single = name.parts.length === 1 && !name.parts[0]!.quoted ? name.parts[0]!.name.toLowerCase() : null;
  const normalized: QualifiedName = {
    parts: name.parts.map((p) => (p.quoted ? p : { ...p, name: p.name.toLowerCase() })),
    pos: name.pos,
  };
  const quantifier = call.quantifier?.image.toLowerCase() ?? null;
  const nonComma = call.separators.find((s) => s.image !== ',');
  const seps = sepWords(call);
  const make = (fname: string | null, args: readonly Expr[]): FunctionExpr => ({
    kind: 'function',
    name:
      fname === null ? normalized : { parts: [{ name: fname, quoted: false, pos: name.pos }], pos: name.pos },
    args,
    distinct: quantifier === 'distinct',
    star: false,
    filter: suffix.filter,
    ignoreNulls: call.ignoreNulls ?? suffix.nullsAfter,
    over: suffix.over,
    orderBy: suffix.withinGroup.length > 0 ? suffix.withinGroup : call.orderBy,
    pos: name.pos,
  });
  const a = call.args;

  if (single !== null && seps === ', ,' && (UNIT_ADD_NAMES.has(single) || UNIT_DIFF_NAMES.has(single))) {
    const unit = datetimeUnit(single, a[0]!);
    if (unit !== null) {
      const target = UNIT_ADD_NAMES.has(single) ? 'timestampadd' : 'timestampdiff';
      const literal: Expr = { kind: 'literal', value: { type: 'string', value: unit }, pos: a[0]!.pos };
      return make(target, [literal, a[1]!, a[2]!]);
    }
  }

  switch (single ?? '') {
    case 'extract':
      if (seps === 'from' && a.length === 2)
        return extract(a[0]!, a[1]!, name.pos, fail, call.separators[0]!);
      break;
    case 'date_part':
      if (seps === ',' && a.length === 2 && a[0]!.kind === 'literal' && a[0].value.type === 'string') {
        return { kind: 'extract', field: a[0].value.value.toLowerCase(), source: a[1]!, pos: name.pos };
      }
      break;
    case 'substring':
    case 'substr':
      if (seps === 'from' || seps === 'from for') return make('substring', a);
      if (seps === 'for') {
        const one: Expr = {
          kind: 'literal',
          value: { type: 'integer', text: '1', suffix: null },
          pos: a[1]!.pos,
        };
        return make('substring', [a[0]!, one, a[1]!]);
      }
      break;
    case 'position':
      if (seps === 'in') return make('position', a);
      break;
    case 'overlay':
      if (seps === 'placing from' || seps === 'placing from for') return make('overlay', a);
      break;
    case 'trim': {
      if (quantifier === 'distinct' || quantifier === 'all') break;
      const fname = quantifier === 'leading' ? 'ltrim' : quantifier === 'trailing' ? 'rtrim' : 'trim';
      if (call.leadingFrom !== null && a.length === 1 && seps === '') return make(fname, a);
      if (call.leadingFrom === null && seps === 'from' && a.length === 2) return make(fname, [a[1]!, a[0]!]);
      if (call.leadingFrom === null && quantifier === null && nonComma === undefined) return make(fname, a);
      if (call.leadingFrom === null && quantifier !== null && seps === '' && a.length === 1)
        return make(fname, a);
      break;
    }
    default:
      break;
  }
  if (call.leadingFrom !== null) fail(call.leadingFrom);
  if (nonComma !== undefined) fail(nonComma);
  if (quantifier !== null && quantifier !== 'distinct' && quantifier !== 'all') fail(call.quantifier!);
  if (call.star) {
    if (single === 'count') return { ...make(null, []), star: true };
    return make(null, [{ kind: 'star', qualifier: null, pos: name.pos }]);
  }
  return make(null, a);
}

function extract(
  fieldExpr: Expr,
  source: Expr,
  pos: number,
  fail: (t: IToken, m?: string) => never,
  at: IToken,
): Expr {
  let field: string | null = null;
  if (fieldExpr.kind === 'column' && fieldExpr.name.parts.length === 1) field = fieldExpr.name.parts[0]!.name;
  else if (fieldExpr.kind === 'literal' && fieldExpr.value.type === 'string') field = fieldExpr.value.value;
  else if (
    fieldExpr.kind === 'function' &&
    fieldExpr.args.length === 0 &&
    fieldExpr.name.parts.length === 1
  ) {
    field = fieldExpr.name.parts[0]!.name; // EXTRACT(CURRENT_DATE FROM …) is not meaningful; keep the word
  }
  if (field === null) return fail(at, 'EXTRACT expects a field name such as YEAR before FROM');
  return { kind: 'extract', field: field.toLowerCase(), source, pos };
}

/**
 * The unit of `TIMESTAMPADD(unit, …)`/`TIMESTAMPDIFF(unit, …)` when `arg` is a unit keyword; null
 * when it is another expression (the call is then an ordinary one). A string literal is an error.
 */
function datetimeUnit(fname: string, arg: Expr): string | null {
  if (arg.kind === 'column' && arg.name.parts.length === 1 && !arg.name.parts[0]!.quoted) {
    const word = arg.name.parts[0]!.name.toUpperCase();
    return DATETIME_UNITS.includes(word) ? word : null;
  }
  if (arg.kind === 'literal' && arg.value.type === 'string') {
    throw new EngineError(
      SqlState.invalidParameterValue,
      `[INVALID_PARAMETER_VALUE.DATETIME_UNIT] The value of parameter(s) \`unit\` in \`${fname}\` is invalid: expects one of the units without quotes ${DATETIME_UNITS.join(', ')}, but got the string literal '${arg.value.value}'.`,
      { position: arg.pos },
    );
  }
  return null;
}
