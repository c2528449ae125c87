/**
 * The functions a query can call, as SHOW FUNCTIONS lists them and DESCRIBE FUNCTION describes
 * them: every name and alias of the registry, and the forms the analyzer binds itself (window
 * functions, generators, higher-order functions, functions named after a type, `grouping`, the calls Spark rewrites into
 * other expressions, and the operators). A registry entry wins over a special form of the same name, as in
 * binding.
 */
import type { FunctionRegistry } from '../../functions/index.ts';
import type * as ast from '../parser/index.ts';
import { unresolvedRoutine } from './errors.ts';
import { CAST_ALIASES, REPLACEABLE_ARITY, functionName } from './function-call.ts';
import { GENERATOR_NAMES } from './generator.ts';
import { HIGHER_ORDER_FUNCTIONS } from './higher-order.ts';
import { WINDOW_FUNCTION_NAMES } from './window-function.ts';

export interface FunctionInfo {
  /** The name as called (an alias keeps its own). */
  readonly name: string;
  /** What implements it: `kindling.<kind>.<canonical name>` (Spark prints a class there). */
  readonly className: string;
  /** `name(args) - what it returns`. */
  readonly usage: string;
  /** One sentence on the kind of function (DESCRIBE FUNCTION EXTENDED). */
  readonly kindText: string;
}

const WINDOW_USAGE: Readonly<Record<string, string>> = {
  row_number: 'row_number() - The sequential number of the row within its window partition, from 1.',
  rank: 'rank() - The rank of the row within its window partition, with gaps after ties.',
  dense_rank: 'dense_rank() - The rank of the row within its window partition, without gaps after ties.',
  percent_rank: 'percent_rank() - The relative rank of the row: (rank - 1) / (rows in the partition - 1).',
  cume_dist: "cume_dist() - The fraction of the partition's rows ordered before or tied with the row.",
  ntile:
    'ntile(n) - Splits the ordered rows of the partition into n buckets and returns the bucket of the row, from 1.',
  lag: 'lag(input[, offset[, default]]) - The value of input offset rows before the row in the window partition (default when there is none).',
  lead: 'lead(input[, offset[, default]]) - The value of input offset rows after the row in the window partition (default when there is none).',
  first_value: 'first_value(expr[, isIgnoreNull]) - The value of expr at the first row of the window frame.',
  last_value: 'last_value(expr[, isIgnoreNull]) - The value of expr at the last row of the window frame.',
  nth_value:
    'nth_value(input, offset) - The value of input at the offset-th row of the window frame, from 1.',
};

const GENERATOR_USAGE: Readonly<Record<string, string>> = {
  explode:
    'explode(expr) - One row per element of the array expr, or per entry (key, value) of the map expr (none for an empty or NULL one).',
  explode_outer: 'explode_outer(expr) - As explode; one row of NULLs for an empty or NULL array or map.',
  posexplode:
    'posexplode(expr) - One row per element of the array expr, or entry of the map expr, with its position, from 0.',
  posexplode_outer:
    'posexplode_outer(expr) - As posexplode, with one row of NULLs for an empty or NULL array or map.',
  inline:
    'inline(expr) - One row per struct of the array expr, one column per field (none for an empty or NULL array).',
  inline_outer: 'inline_outer(expr) - As inline, with one row of NULLs for an empty or NULL array.',
  json_tuple:
    'json_tuple(jsonStr, p1, p2, ..., pn) - One row of the top-level fields p1…pn of jsonStr (STRING columns c0…), like get_json_object.',
};

const OTHER_USAGE: Readonly<Record<string, string>> = {
  grouping: "grouping(col) - 1 when col is aggregated away in the row's grouping set, else 0.",
  grouping_id:
    'grouping_id([col1[, col2 ..]]) - The bits of grouping() of each column (all grouping columns when none are given).',
  equal_null: 'equal_null(expr1, expr2) - expr1 <=> expr2: true when both are equal or both are NULL.',
  nullifzero: 'nullifzero(expr) - NULL when expr is 0, else expr.',
  zeroifnull: 'zeroifnull(expr) - 0 when expr is NULL, else expr.',
};

const HIGHER_ORDER_USAGE: Readonly<Record<string, string>> = {
  transform:
    'transform(expr, func) - The array of func(x) (or func(x, i) with the index i) for each element x of expr.',
  filter: 'filter(expr, func) - The elements x of expr (at index i) for which func(x[, i]) is true.',
  exists:
    'exists(expr, pred) - Whether pred holds for an element of expr (NULL when no element is true and one is NULL).',
  forall:
    'forall(expr, pred) - Whether pred holds for every element of expr (NULL when none is false and one is NULL).',
  aggregate:
    'aggregate(expr, start, merge[, finish]) - Folds the elements of expr into a state from start with merge(acc, x), then applies finish(acc).',
  reduce:
    'reduce(expr, start, merge[, finish]) - Folds the elements of expr into a state from start with merge(acc, x), then applies finish(acc).',
  zip_with:
    'zip_with(left, right, func) - Merges two arrays element by element with func(x, y); the shorter is padded with NULLs.',
  map_filter: 'map_filter(expr, func) - The entries (k, v) of the map expr for which func(k, v) is true.',
  transform_keys: 'transform_keys(expr, func) - The map expr with each key k replaced by func(k, v).',
  transform_values: 'transform_values(expr, func) - The map expr with each value v replaced by func(k, v).',
  map_zip_with:
    'map_zip_with(map1, map2, func) - Merges two maps by key with func(k, v1, v2); a value missing from a map is NULL.',
};

/** The operators a query writes between or before its operands, as Spark lists them. */
const OPERATOR_USAGE: Readonly<Record<string, string>> = {
  '!': '! expr - Logical not.',
  '!=': 'expr1 != expr2 - True when expr1 is not equal to expr2.',
  '<>': 'expr1 <> expr2 - True when expr1 is not equal to expr2.',
  '%': 'expr1 % expr2 - The remainder after expr1/expr2.',
  '&': 'expr1 & expr2 - The bitwise AND of expr1 and expr2.',
  '*': 'expr1 * expr2 - expr1 times expr2.',
  '+': 'expr1 + expr2 - expr1 plus expr2.',
  '-': 'expr1 - expr2 - expr1 minus expr2.',
  '/': 'expr1 / expr2 - expr1 divided by expr2, always a fractional result.',
  '<': 'expr1 < expr2 - True when expr1 is less than expr2.',
  '<=': 'expr1 <= expr2 - True when expr1 is less than or equal to expr2.',
  '<=>': 'expr1 <=> expr2 - Equality that treats two NULLs as equal and never returns NULL.',
  '=': 'expr1 = expr2 - True when expr1 equals expr2.',
  '==': 'expr1 == expr2 - True when expr1 equals expr2.',
  '>': 'expr1 > expr2 - True when expr1 is greater than expr2.',
  '>=': 'expr1 >= expr2 - True when expr1 is greater than or equal to expr2.',
  '^': 'expr1 ^ expr2 - The bitwise exclusive OR of expr1 and expr2.',
  '|': 'expr1 | expr2 - The bitwise OR of expr1 and expr2.',
  '||': 'expr1 || expr2 - The concatenation of expr1 and expr2.',
  '~': '~ expr - The bitwise NOT of expr.',
  and: 'expr1 and expr2 - Logical AND.',
  or: 'expr1 or expr2 - Logical OR.',
  not: 'not expr - Logical not.',
  between: 'expr1 [NOT] BETWEEN expr2 AND expr3 - Whether expr1 lies between expr2 and expr3, inclusive.',
  case: 'CASE [expr] WHEN cond THEN value [...] [ELSE value] END - The value of the first matching WHEN.',
  div: 'expr1 div expr2 - expr1 divided by expr2, rounded toward zero to an integer.',
  in: 'expr1 in(expr2, ...) - True when expr1 equals any of the others.',
};

function special(name: string, kind: string, usage: string, kindText: string): FunctionInfo {
  return { name, className: `kindling.${kind}.${name}`, usage, kindText };
}

/** The forms the analyzer binds itself, by name. */
function specialForms(): FunctionInfo[] {
  const out: FunctionInfo[] = [];
  for (const name of WINDOW_FUNCTION_NAMES)
    out.push(
      special(
        name,
        'window',
        WINDOW_USAGE[name] ?? `${name}(...) - A window function.`,
        'A window function: it is called with an OVER clause.',
      ),
    );
  for (const name of GENERATOR_NAMES)
    out.push(
      special(
        name,
        'generator',
        GENERATOR_USAGE[name] ?? `${name}(expr) - A generator.`,
        'A generator: it returns rows, in the SELECT list or in LATERAL VIEW.',
      ),
    );
  for (const name of Object.keys(CAST_ALIASES))
    out.push(
      special(
        name,
        'cast',
        `${name}(expr) - Casts expr to ${name.toUpperCase()}, as CAST(expr AS ${name.toUpperCase()}).`,
        'A cast under the name of its target type.',
      ),
    );
  for (const name of HIGHER_ORDER_FUNCTIONS)
    out.push(
      special(
        name,
        'higher_order',
        HIGHER_ORDER_USAGE[name] ?? `${name}(expr, func) - A higher-order function.`,
        'A higher-order function: it takes lambda functions as arguments.',
      ),
    );
  for (const [name, usage] of Object.entries(OPERATOR_USAGE))
    out.push(special(name, 'operator', usage, 'An operator of SQL expressions.'));
  for (const name of [...Object.keys(REPLACEABLE_ARITY), 'grouping', 'grouping_id'])
    out.push(
      special(
        name,
        'analyzer',
        OTHER_USAGE[name] ?? `${name}(...)`,
        'Rewritten by the analyzer into another expression.',
      ),
    );
  return out;
}

const cache = new WeakMap<FunctionRegistry, readonly FunctionInfo[]>();

/** Every function a query can call, sorted by name. */
export function listFunctions(functions: FunctionRegistry): readonly FunctionInfo[] {
  const cached = cache.get(functions);
  if (cached !== undefined) return cached;
  const byName = new Map<string, FunctionInfo>();
  for (const canonical of functions.names()) {
    const def = functions.lookup(canonical);
    if (def === undefined) continue;
    const kindText =
      def.kind === 'aggregate'
        ? 'An aggregate function: it may also be called over a window.'
        : 'A scalar function.';
    for (const name of [def.name, ...(def.aliases ?? [])]) {
      const lower = name.toLowerCase();
      if (byName.has(lower)) continue;
      byName.set(lower, {
        name: lower,
        className: `kindling.${def.kind}.${def.name.toLowerCase()}`,
        usage: def.description,
        kindText,
      });
    }
  }
  for (const f of specialForms()) if (!byName.has(f.name)) byName.set(f.name, f);
  const out = [...byName.values()].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  cache.set(functions, out);
  return out;
}

/** The function `name` calls (qualified as a call may be), or Spark's UNRESOLVED_ROUTINE. */
export function describeFunctionName(functions: FunctionRegistry, name: ast.QualifiedName): FunctionInfo {
  const { name: lower, parts } = functionName(name);
  const found = listFunctions(functions).find((f) => f.name === lower);
  if (found === undefined) throw unresolvedRoutine(parts, name.pos);
  return found;
}
