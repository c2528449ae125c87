/**
 * Prepared statements for the extended protocol: `$n` parameters are typed (declared by the client,
 * or text when not), and bound by substituting typed literals into the statement's AST before it
 * runs like any other statement. Decimals declared without precision and arrays arrive as text and
 * are cast where they stand.
 */
import {
  EngineError,
  SqlState,
  typeToString,
  type DataType,
  type Schema,
  type Value,
} from '../common/index.ts';
import { parseStatements, type Statement } from '../sql/parser/index.ts';
import type * as ast from '../sql/parser/index.ts';
import { analyzeForSession } from './query.ts';
import type { Session } from './session.ts';
import { executeStatement, statementColumns } from './statements.ts';
import type { PreparedStatement, StatementResult } from './types.ts';

interface PreparedInternal extends PreparedStatement {
  readonly statement: Statement | null;
}

const STRING: DataType = { kind: 'string' };

function isParameter(node: Record<string, unknown>): boolean {
  return node.kind === 'parameter' && typeof node.index === 'number' && typeof node.pos === 'number';
}

/**
 * The tree with its `parameter` nodes rewritten by `f`; subtrees without a parameter are shared
 * with the input, not copied (a statement without parameters comes back as itself).
 */
function mapParameters<T>(node: T, f: (p: ast.ParameterExpr) => ast.Expr): T {
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
  if (isParameter(obj)) return f(obj as unknown as ast.ParameterExpr) as T;
  let out: Record<string, unknown> | null = null;
  for (const key of Object.keys(obj)) {
    const before = obj[key];
    const after = mapParameters(before, f);
    if (after !== before) (out ??= { ...obj })[key] = after;
  }
  return (out ?? node) as T;
}

/** The highest `$n` in a tree (0 for none), without copying it. */
function maxParameterIndex(node: unknown): number {
  if (node === null || typeof node !== 'object') return 0;
  if (Array.isArray(node))
    return node.reduce((max: number, n: unknown) => Math.max(max, maxParameterIndex(n)), 0);
  const obj = node as Record<string, unknown>;
  if (isParameter(obj)) return obj.index as number;
  let max = 0;
  for (const key of Object.keys(obj)) max = Math.max(max, maxParameterIndex(obj[key]));
  return max;
}

export function prepareStatement(
  session: Session,
  sql: string,
  declaredTypes: readonly (DataType | null)[],
): PreparedStatement {
  const parsed = parseStatements(sql, session.settings.parseOptions);
  if (parsed.length > 1) {
    throw new EngineError(SqlState.syntaxError, 'cannot insert multiple commands into a prepared statement');
  }
  const first = parsed[0];
  if (first === undefined) {
    const empty: PreparedInternal = { sql, paramTypes: [], resultSchema: null, statement: null };
    return empty;
  }
  const count = Math.max(maxParameterIndex(first.statement), declaredTypes.length);
  const inferred = inferFromContext(session, first.statement);
  const paramTypes = Array.from(
    { length: count },
    (_, i) => declaredTypes[i] ?? inferred.get(i + 1) ?? STRING,
  );
  let resultSchema: Schema | null;
  if (first.statement.kind === 'query_statement') {
    const described = mapParameters(first.statement.query, (p) =>
      castNode(p.pos, { type: 'null' }, paramTypes[p.index - 1] ?? STRING),
    );
    resultSchema = analyzeForSession(session, described).schema;
  } else {
    resultSchema = statementColumns(session, first.statement);
  }
  const prepared: PreparedInternal = {
    sql,
    paramTypes,
    resultSchema,
    statement: first.statement,
  };
  return prepared;
}

/**
 * Types for parameters the client left unspecified (OID 0), from where they stand: a parameter
 * that is a whole value of `INSERT … VALUES` takes the type of its target column (PostgreSQL
 * types it so too; as text it could not be stored in a numeric column). Others stay text, which
 * comparisons and function calls coerce.
 */
function inferFromContext(session: Session, statement: Statement): Map<number, DataType> {
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

export async function executePreparedStatement(
  session: Session,
  statement: PreparedStatement,
  params: readonly Value[],
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const internal = statement as PreparedInternal;
  if (internal.statement === null) return { kind: 'command', tag: '' };
  if (params.length < internal.paramTypes.length) {
    throw new EngineError(
      SqlState.protocolViolation,
      `bind message supplies ${params.length} parameters, but prepared statement requires ${internal.paramTypes.length}`,
    );
  }
  const bound = mapParameters(internal.statement, (p) => {
    const type = internal.paramTypes[p.index - 1] ?? STRING;
    const value = params[p.index - 1] ?? null;
    // A decimal given as text (declared `numeric`: no precision or scale on the wire) keeps its
    // digits, as `::numeric` does; an array comes as PostgreSQL's array constant (`numeric[]` as
    // `::numeric[]` reads it).
    if (typeof value === 'string' && (type.kind === 'decimal' || type.kind === 'array')) {
      const numeric =
        type.kind === 'decimal' ? 'numeric' : type.element.kind === 'decimal' ? 'numeric[]' : null;
      return castNode(p.pos, { type: 'string', value }, type, numeric);
    }
    return castNode(p.pos, literalOf(value, type), type);
  });
  return executeStatement(session, bound, signal);
}

function literalText(value: Value): string {
  return typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'bigint' ||
    typeof value === 'boolean'
    ? String(value)
    : JSON.stringify(value);
}

function castNode(
  pos: number,
  value: ast.Literal,
  type: DataType,
  pgTypeName: string | null = null,
): ast.Expr {
  return {
    kind: 'cast',
    pos,
    operand: { kind: 'literal', pos, value },
    type,
    mode: 'cast',
    pgTypeName,
  };
}

/** A parameter value as an AST literal whose text casts exactly to `type`. */
function literalOf(value: Value, type: DataType): ast.Literal {
  if (value === null) return { type: 'null' };
  switch (type.kind) {
    case 'boolean':
      return { type: 'boolean', value: value === true };
    case 'string':
      return { type: 'string', value: literalText(value) };
    case 'decimal': {
      const v = value as bigint;
      const neg = v < 0n;
      const digits = (neg ? -v : v).toString().padStart(type.scale + 1, '0');
      const text = type.scale === 0 ? digits : `${digits.slice(0, -type.scale)}.${digits.slice(-type.scale)}`;
      return { type: 'string', value: (neg ? '-' : '') + text };
    }
    case 'date':
      return { type: 'string', value: new Date((value as number) * 86_400_000).toISOString().slice(0, 10) };
    case 'timestamp':
    case 'timestamp_ntz': {
      const micros = value as bigint;
      const ms = Number(micros / 1000n);
      const frac = ((micros % 1_000_000n) + 1_000_000n) % 1_000_000n;
      const base = new Date(ms).toISOString().slice(0, 19).replace('T', ' ');
      return {
        type: 'string',
        value: `${base}.${frac.toString().padStart(6, '0')}${type.kind === 'timestamp' ? 'Z' : ''}`,
      };
    }
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
    case 'float':
    case 'double':
      return { type: 'string', value: literalText(value) };
    default:
      throw new EngineError(
        SqlState.featureNotSupported,
        `parameters of type ${typeToString(type)} are not supported`,
      );
  }
}
