/**
 * Types of the `$n` parameters a client left unspecified (OID 0), inferred from where they stand,
 * as PostgreSQL infers them:
 *
 * - a whole value of `INSERT … VALUES` takes its target column's type;
 * - `LIMIT $n` / `OFFSET $n` are bigint;
 * - anywhere else in a query (`WHERE id = $1`, `f($1)`, `CAST($1 AS t)`, `$1 + col`, `x IN ($1, $2)`)
 *   the statement is analyzed with the parameter of unknown type (NULL's, which every coercion
 *   accepts), and the cast the analyzer puts around it is its type;
 * - `ts + $n`, `ts - $n` and `$n + ts` (timestamp or timestamp_ntz) are interval, PostgreSQL's
 *   `timestamp + interval`; `date ± $n` is an int count of days, PostgreSQL's `date + integer`
 *   and Spark's date_add (the analyzer casts it so);
 * - `$n::numeric`, and a parameter declared numeric, is described as numeric but kept as its text,
 *   so that the value keeps the digits it is given (`12.30`, not `12.300000000000000000`), as
 *   PostgreSQL's unconstrained numeric does.
 *
 * A parameter that nothing types is text. Inference never fails a statement: when the analysis
 * with unknown parameters fails, the statement reports its own error when it is described or run.
 */
import { T, type DataType } from '../common/index.ts';
import { exprChildren, planChildren, planExpressions, type Expr, type LogicalPlan } from '../plan/index.ts';
import { analyzeQuery } from '../sql/analyzer/index.ts';
import type { Statement } from '../sql/parser/index.ts';
import type * as ast from '../sql/parser/index.ts';
import { FileSchemaNeeded } from './file-schemas.ts';
import { analyzerContext, idGenerator } from './query.ts';
import type { Session } from './session.ts';

export interface InferredParameters {
  /** The engine type each parameter's value is converted to. */
  readonly types: readonly DataType[];
  /** The type each parameter is described as to the client (ParameterDescription). */
  readonly described: readonly DataType[];
  /**
   * Parameters that are PostgreSQL numerics (declared so, or `$n::numeric`): converted to their
   * text, bound as `CAST(text AS numeric)` so that the value keeps the digits it was given.
   */
  readonly numericText: ReadonlySet<number>;
}

/** The type an unconstrained numeric parameter is analyzed as. */
const NUMERIC = T.decimal(38, 18);

/**
 * A plain-data AST with its `parameter` nodes rewritten by `f`; subtrees without a parameter are
 * shared with the input, not copied (a statement without parameters comes back as itself).
 */
export function mapParameters<T>(node: T, f: (p: ast.ParameterExpr) => ast.Expr): T {
  if (node === null || typeof node !== 'object') return node;
  if (Array.isArray(node)) {
    let out: unknown[] | null = null;
    for (let i = 0; i < node.length; i++) {
      const before: unknown = node[i];
      const after = mapParameters(before, f);
      if (after !== before && out === null) out = node.slice(0, i);
      out?.push(after);
    }
    return (out ?? node) as T;
  }
  const obj = node as Record<string, unknown>;
  if (obj.kind === 'parameter' && typeof obj.index === 'number' && typeof obj.pos === 'number') {
    return f(obj as unknown as ast.ParameterExpr) as T;
  }
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(obj)) {
    const before = obj[key];
    const after = mapParameters(before, f);
    if (after !== before) (out ??= { ...obj })[key] = after;
  }
  return (out ?? node) as T;
}

/** Visits every object node of a plain-data AST. */
function visitAst(node: unknown, f: (n: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) {
    for (const n of node) visitAst(n, f);
    return;
  }
  if (node === null || typeof node !== 'object') return;
  const obj = node as Record<string, unknown>;
  f(obj);
  for (const v of Object.values(obj)) if (typeof v === 'object') visitAst(v, f);
}

function parameterIndex(e: unknown): number | null {
  const o = e as { kind?: unknown; index?: unknown } | null;
  return o !== null && o.kind === 'parameter' && typeof o.index === 'number' ? o.index : null;
}

/**
 * Analyzes `query` with its parameters of the given types (null = unknown: NULL's type, which
 * the coercions around it cast to what they need). A parameter that is a whole LIMIT or OFFSET
 * (which must be a constant) stands as `0`. The plan describes the statement; it is not run.
 */
export function analyzeWithParameters(
  session: Session,
  query: ast.Query,
  types: readonly (DataType | null)[],
): LogicalPlan {
  const counts = mapQueries(query, (q) => ({
    ...q,
    limit: parameterIndex(q.limit) === null ? q.limit : zero(q.limit!.pos),
    offset: parameterIndex(q.offset) === null ? q.offset : zero(q.offset!.pos),
  }));
  return analyzeQuery(counts, { ...analyzerContext(session, idGenerator()), parameterTypes: types });
}

function zero(pos: number): ast.Expr {
  return { kind: 'literal', pos, value: { type: 'integer', text: '0', suffix: null } };
}

/** Every `query` node of a plain-data AST rewritten by `f` (inner ones first). */
function mapQueries<T>(node: T, f: (q: ast.Query) => ast.Query): T {
  if (Array.isArray(node)) return node.map((n: unknown) => mapQueries(n, f)) as T;
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>))
    out[k] = typeof v === 'object' ? mapQueries(v, f) : v;
  return (out.kind === 'query' ? f(out as unknown as ast.Query) : out) as unknown as T;
}

/**
 * The types of parameters 1…`count` of `statement`; `declared[i]` (the client's) wins where given.
 */
export function inferParameterTypes(
  session: Session,
  statement: Statement,
  declared: readonly (DataType | null)[],
  count: number,
): InferredParameters {
  /** What each parameter is known to be, as the statement is analyzed. */
  const known = new Map<number, DataType>();
  /** LIMIT/OFFSET parameters: counted with an INT, described as bigint. */
  const counts = new Set<number>();
  const numericText = new Set<number>();
  const numericArrays = new Set<number>();
  declared.forEach((t, i) => {
    if (t === null) return;
    known.set(i + 1, t);
    // A client declares numeric without a precision or scale (dataTypeOfOid maps it to a decimal).
    if (t.kind === 'decimal') numericText.add(i + 1);
  });
  const setIfUnknown = (index: number, type: DataType): void => {
    if (!known.has(index)) known.set(index, type);
  };
  for (const [index, type] of insertValueTypes(session, statement)) setIfUnknown(index, type);
  visitAst(statement, (n) => {
    if (n.kind === 'query') {
      for (const e of [n.limit, n.offset]) {
        // Spark counts rows with an INT; PostgreSQL describes the parameter as bigint.
        const index = parameterIndex(e);
        if (index !== null && !known.has(index)) {
          known.set(index, T.int);
          counts.add(index);
        }
      }
    } else if (n.kind === 'cast' && n.pgTypeName === 'numeric' && n.mode === 'cast') {
      const index = parameterIndex(n.operand);
      if (index !== null && !known.has(index)) {
        known.set(index, NUMERIC);
        numericText.add(index);
      }
    } else if (n.kind === 'cast' && n.pgTypeName === 'numeric[]' && n.mode === 'cast') {
      // `$n::numeric[]`: the text stays text for the cast to read, keeping its elements' digits.
      const index = parameterIndex(n.operand);
      if (index !== null && !known.has(index)) {
        known.set(index, T.string);
        numericArrays.add(index);
      }
    }
  });
  const query = queryOf(statement);
  if (query !== null) {
    for (const [index, type] of typesFromAnalysis(session, query, known)) setIfUnknown(index, type);
  }
  const types: DataType[] = [];
  const described: DataType[] = [];
  for (let i = 1; i <= count; i++) {
    const type = known.get(i) ?? T.string;
    types.push(numericText.has(i) ? T.string : type);
    described.push(counts.has(i) ? T.bigint : numericArrays.has(i) ? T.array(NUMERIC) : type);
  }
  return { types, described, numericText };
}

/** The query whose expressions type the parameters: of a query, or the rows an INSERT stores. */
function queryOf(statement: Statement): ast.Query | null {
  if (statement.kind === 'query_statement') return statement.query;
  if (statement.kind === 'insert' && statement.query.body.kind !== 'values') return statement.query;
  return null;
}

/**
 * Analyzes `query` with the parameters of `known` types and the others unknown, and reads the
 * casts the analyzer put directly around the unknown ones.
 */
function typesFromAnalysis(
  session: Session,
  query: ast.Query,
  known: ReadonlyMap<number, DataType>,
): Map<number, DataType> {
  const out = new Map<number, DataType>();
  const max = Math.max(0, ...known.keys(), maxParameterIndex(query));
  const types = Array.from({ length: max }, (_, i) => known.get(i + 1) ?? null);
  let plan: LogicalPlan;
  try {
    plan = analyzeWithParameters(session, query, types);
  } catch (err) {
    // Files to infer a schema from come first; the statement reports its own errors itself.
    if (err instanceof FileSchemaNeeded) throw err;
    return out;
  }
  const visitExpr = (e: Expr): void => {
    if (e.kind === 'cast' && e.input.kind === 'parameter' && !out.has(e.input.index)) {
      out.set(e.input.index, e.type);
    }
    if (e.kind === 'scalar_subquery' || e.kind === 'exists' || e.kind === 'in_subquery') visitPlan(e.plan);
    for (const c of exprChildren(e)) visitExpr(c);
  };
  const visitPlan = (p: LogicalPlan): void => {
    for (const e of planExpressions(p)) visitExpr(e);
    for (const c of planChildren(p)) visitPlan(c);
  };
  visitPlan(plan);
  return out;
}

/**
 * A parameter that is a whole value of `INSERT … VALUES` takes the type of its target column
 * (as text it could not be stored in a numeric column).
 */
function insertValueTypes(session: Session, statement: Statement): Map<number, DataType> {
  const out = new Map<number, DataType>();
  if (statement.kind !== 'insert' || statement.query.body.kind !== 'values') return out;
  const parts = statement.table.parts.map((p) => p.name.toLowerCase());
  const database = parts.length > 1 ? parts[parts.length - 2]! : session.currentDatabase;
  let def;
  try {
    def = session.engine.metastore.getTable(database, parts[parts.length - 1]!);
  } catch {
    return out; // the statement reports it when it runs
  }
  if (def === undefined) return out;
  const statics = new Set(
    (statement.partition ?? []).filter(([, v]) => v !== null).map(([c]) => c.name.toLowerCase()),
  );
  const targets =
    statement.columns !== null
      ? statement.columns.map((c) => def.columns.find((f) => f.name.toLowerCase() === c.name.toLowerCase()))
      : def.columns.filter((f) => !statics.has(f.name.toLowerCase()));
  for (const row of statement.query.body.rows) {
    row.forEach((e, i) => {
      const column = targets[i];
      if (e.kind === 'parameter' && column !== undefined && !out.has(e.index)) out.set(e.index, column.type);
    });
  }
  return out;
}

/** The highest `$n` of a statement or query (0 when it has none). */
export function maxParameterIndex(node: unknown): number {
  let max = 0;
  visitAst(node, (n) => {
    const index = parameterIndex(n);
    if (index !== null) max = Math.max(max, index);
  });
  return max;
}
