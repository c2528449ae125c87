/**
 * `EXECUTE IMMEDIATE sql [INTO var, …] [USING expr [AS name], …]`, Spark's way.
 *
 * The SQL text (any STRING expression: a literal, a variable) is parsed as one statement; its
 * parameter markers — positional `?` or named `:name`, not both — take the values of the USING
 * expressions (by position, or by the argument's alias or variable name), substituted as typed
 * constants before the statement runs like any other. With INTO, the statement must be a query of
 * at most one row, whose columns are assigned to the variables (NULLs when it has no row).
 */
import {
  EngineError,
  SqlState,
  typeToString,
  type DataType,
  type Schema,
  type Value,
} from '../common/index.ts';
import { outputOf } from '../plan/index.ts';
import { parseStatements } from '../sql/parser/index.ts';
import type * as ast from '../sql/parser/index.ts';
import { analyzeWithParameters, mapParameters } from './parameter-types.ts';
import { FileSchemaNeeded } from './file-schemas.ts';
import { valueNode } from './prepared.ts';
import { analyzeForSession } from './query.ts';
import { commandResult } from './results.ts';
import type { Session } from './session.ts';
import { checkArity, queryRow, selectOf, targetVariable, variableDisplay } from './session-variables.ts';
import { executeStatement, statementColumns } from './statements.ts';
import type { StatementResult } from './types.ts';

export async function executeImmediate(
  session: Session,
  stmt: ast.ExecuteImmediateStatement,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const text = await sqlText(session, stmt, signal);
  try {
    return await executeText(session, stmt, text, signal);
  } catch (err) {
    throw pointAt(err, stmt.sql.pos);
  }
}

async function executeText(
  session: Session,
  stmt: ast.ExecuteImmediateStatement,
  text: string,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const parsed = parseStatements(text, session.settings.parseOptions);
  const only = parsed[0];
  if (only === undefined || parsed.length > 1) {
    throw new EngineError(
      SqlState.syntaxError,
      `[PARSE_SYNTAX_ERROR] EXECUTE IMMEDIATE runs exactly one statement, but the text holds ${parsed.length}.`,
      { position: stmt.sql.pos },
    );
  }
  if (only.statement.kind === 'execute_immediate') {
    throw new EngineError(
      '07501',
      `[NESTED_EXECUTE_IMMEDIATE] Nested EXECUTE IMMEDIATE commands are not allowed. Please ensure that the SQL query provided (${text}) does not contain another EXECUTE IMMEDIATE command.`,
      { position: stmt.sql.pos },
    );
  }
  const statement = await bindArguments(session, stmt, only.statement, signal);
  if (stmt.into.length === 0) return executeStatement(session, statement, signal);
  if (statement.kind !== 'query_statement') {
    throw new EngineError(
      '07501',
      `[INVALID_STATEMENT_FOR_EXECUTE_INTO] The INTO clause of EXECUTE IMMEDIATE is only valid for queries but the given statement is not a query: ${text}.`,
      { position: stmt.pos },
    );
  }
  await assignInto(session, stmt, statement.query, signal);
  return commandResult('EXECUTE IMMEDIATE');
}

/**
 * The columns an EXECUTE IMMEDIATE without INTO returns, for a client that describes it before
 * running it: those of the statement its text holds when the text is a literal or a variable
 * (parameters typed as their arguments); null when that cannot be told without running it.
 */
export function executeImmediateColumns(
  session: Session,
  stmt: ast.ExecuteImmediateStatement,
): Schema | null {
  if (stmt.into.length > 0) return null;
  const text =
    stmt.sql.kind === 'literal' && stmt.sql.value.type === 'string'
      ? stmt.sql.value.value
      : stmt.sql.kind === 'column'
        ? session.variables.resolve(stmt.sql.name.parts.map((p) => p.name))?.value
        : undefined;
  if (typeof text !== 'string') return null;
  try {
    const parsed = parseStatements(text, session.settings.parseOptions);
    const inner = parsed[0]?.statement;
    if (parsed.length !== 1 || inner === undefined || inner.kind === 'execute_immediate') return null;
    if (inner.kind !== 'query_statement') return statementColumns(session, inner);
    // Arguments may hold the client's own parameters (`USING $1`): of unknown type while describing.
    const types =
      stmt.args.length === 0
        ? []
        : outputOf(
            analyzeWithParameters(
              session,
              selectOf(
                stmt.args.map((a) => a.expr),
                stmt.pos,
              ),
              [],
            ),
          ).map((a) => a.type);
    const byName = new Map(stmt.args.map((a, i) => [argumentName(a)?.toLowerCase(), types[i]] as const));
    const query = mapParameters(inner.query, (p): ast.Expr => {
      const type = p.name === undefined ? types[p.index - 1] : byName.get(p.name.toLowerCase());
      if (type === undefined) throw unbound(p.name ?? `_${p.pos - 1}`, p.pos);
      return argumentNode(p.pos, null, type);
    });
    return analyzeForSession(session, query).schema;
  } catch (err) {
    // Files to infer a schema from come first; a statement that does not analyze describes none.
    if (err instanceof FileSchemaNeeded) throw err;
    return null;
  }
}

/** The statement text: a non-NULL STRING. */
async function sqlText(
  session: Session,
  stmt: ast.ExecuteImmediateStatement,
  signal: AbortSignal | undefined,
): Promise<string> {
  const row = await queryRow(session, selectOf([stmt.sql], stmt.sql.pos), () => null, signal);
  const type = row.types[0]!;
  if (type.kind !== 'string' && type.kind !== 'null') {
    throw new EngineError(
      '42K09',
      `[INVALID_EXPR_TYPE_FOR_QUERY_EXECUTE_IMMEDIATE] Expression type must be string type but got "${typeToString(type).toUpperCase()}".`,
      { position: stmt.sql.pos },
    );
  }
  const value = row.values?.[0] ?? null;
  if (value === null) {
    const shown =
      stmt.sql.kind === 'column' ? stmt.sql.name.parts.map((p) => p.name).join('.') : 'sql_string';
    throw new EngineError(
      '22004',
      `[NULL_QUERY_STRING_EXECUTE_IMMEDIATE] Execute immediate requires a non-null variable as the query string, but the provided variable ${shown} is null.`,
      { position: stmt.sql.pos },
    );
  }
  return value as string;
}

/** The parameter markers of a statement, positional and named. */
function markers(statement: ast.Statement): { positional: ast.ParameterExpr[]; named: ast.ParameterExpr[] } {
  const positional: ast.ParameterExpr[] = [];
  const named: ast.ParameterExpr[] = [];
  mapParameters(statement, (p) => {
    (p.name === undefined ? positional : named).push(p);
    return p;
  });
  return { positional, named };
}

/** The name an argument binds to a named marker by: its alias, else the variable it reads. */
function argumentName(arg: ast.ExecuteImmediateStatement['args'][number]): string | null {
  if (arg.name !== null) return arg.name.name;
  return arg.expr.kind === 'column' ? arg.expr.name.parts[arg.expr.name.parts.length - 1]!.name : null;
}

function unbound(name: string, pos: number): EngineError {
  return new EngineError(
    '42P02',
    `[UNBOUND_SQL_PARAMETER] Found the unbound parameter: ${name}. Please, fix \`args\` and provide a mapping of the parameter to either a SQL literal or collection constructor functions such as \`map()\`, \`array()\`, \`struct()\`.`,
    { position: pos },
  );
}

/** The statement with every marker replaced by the value of its USING argument. */
async function bindArguments(
  session: Session,
  stmt: ast.ExecuteImmediateStatement,
  statement: ast.Statement,
  signal: AbortSignal | undefined,
): Promise<ast.Statement> {
  const { positional, named } = markers(statement);
  if (positional.length > 0 && named.length > 0) {
    throw new EngineError(
      '42613',
      '[INVALID_QUERY_MIXED_QUERY_PARAMETERS] Parameterized query must either use positional, or named parameters, but not both.',
      { position: stmt.sql.pos },
    );
  }
  if (named.length > 0) {
    const missing = stmt.args.filter((a) => argumentName(a) === null);
    if (missing.length > 0) {
      throw new EngineError(
        '07001',
        `[ALL_PARAMETERS_MUST_BE_NAMED] Using name parameterized queries requires all parameters to be named. Parameters missing names: ${missing.map((a) => exprText(a.expr)).join(', ')}.`,
        { position: missing[0]!.expr.pos },
      );
    }
  }
  if (positional.length === 0 && named.length === 0) return statement;
  const values: { value: Value; type: DataType }[] = [];
  if (stmt.args.length > 0) {
    const row = await queryRow(
      session,
      selectOf(
        stmt.args.map((a) => a.expr),
        stmt.pos,
      ),
      () => null,
      signal,
    );
    row.types.forEach((type, i) => values.push({ value: row.values?.[i] ?? null, type }));
  }
  const byName = new Map<string, { value: Value; type: DataType }>();
  stmt.args.forEach((a, i) => {
    const name = argumentName(a)?.toLowerCase();
    if (name !== undefined && !byName.has(name)) byName.set(name, values[i]!);
  });
  return mapParameters(statement, (p) => {
    const found = p.name === undefined ? values[p.index - 1] : byName.get(p.name.toLowerCase());
    if (found === undefined) throw unbound(p.name ?? `_${p.pos - 1}`, stmt.sql.pos);
    return argumentNode(p.pos, found.value, found.type);
  });
}

const INTEGER_SUFFIX = { tinyint: 'Y', smallint: 'S', int: null, bigint: 'L' } as const;

/**
 * An argument's value as the literal Spark would bind (named as that literal: `5`, `'x'`,
 * `DATE '2020-01-01'`), or as a literal cast to its type where no literal has it.
 */
function argumentNode(pos: number, value: Value, type: DataType): ast.Expr {
  const literal = (v: ast.Literal): ast.Expr => ({ kind: 'literal', value: v, pos });
  if (value === null) return type.kind === 'null' ? literal({ type: 'null' }) : valueNode(pos, value, type);
  switch (type.kind) {
    case 'string':
      return literal({ type: 'string', value: value as string });
    case 'boolean':
      return literal({ type: 'boolean', value: value as boolean });
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return literal({
        type: 'integer',
        text: (value as number | bigint).toString(),
        suffix: INTEGER_SUFFIX[type.kind],
      });
    case 'date':
      return literal({
        type: 'typed',
        typeName: 'date',
        value: new Date((value as number) * 86_400_000).toISOString().slice(0, 10),
      });
    case 'array':
      return castNode(
        pos,
        {
          kind: 'array',
          items: (value as readonly Value[]).map((v) => argumentNode(pos, v, type.element)),
          pos,
        },
        type,
      );
    case 'struct':
      return castNode(
        pos,
        callNode(
          pos,
          'named_struct',
          type.fields.flatMap((f, i) => [
            literal({ type: 'string', value: f.name }),
            argumentNode(pos, (value as readonly Value[])[i] ?? null, f.type),
          ]),
        ),
        type,
      );
    case 'map':
      return castNode(
        pos,
        callNode(
          pos,
          'map',
          [...(value as ReadonlyMap<Value, Value>)].flatMap(([k, v]) => [
            argumentNode(pos, k, type.key),
            argumentNode(pos, v, type.value),
          ]),
        ),
        type,
      );
    default:
      return valueNode(pos, value, type);
  }
}

function castNode(pos: number, operand: ast.Expr, type: DataType): ast.Expr {
  return { kind: 'cast', operand, type, mode: 'cast', pgTypeName: null, pos };
}

function callNode(pos: number, name: string, args: readonly ast.Expr[]): ast.Expr {
  return {
    kind: 'function',
    name: { parts: [{ name, quoted: false, pos }], pos },
    args,
    distinct: false,
    star: false,
    filter: null,
    ignoreNulls: null,
    over: null,
    orderBy: [],
    pos,
  };
}

/** Runs the query and stores its row's columns in the INTO variables. */
async function assignInto(
  session: Session,
  stmt: ast.ExecuteImmediateStatement,
  query: ast.Query,
  signal: AbortSignal | undefined,
): Promise<void> {
  const targets = stmt.into.map((t) => targetVariable(session, t));
  const names = targets.map((v) => v.name.toLowerCase());
  const repeated = targets.filter((v, i) => names.indexOf(v.name.toLowerCase()) !== i);
  if (repeated.length > 0) {
    throw new EngineError(
      '42701',
      `[DUPLICATE_ASSIGNMENTS] The columns or variables ${repeated.map((v) => variableDisplay(v.name)).join(', ')} appear more than once as assignment targets.`,
      { position: stmt.pos },
    );
  }
  const row = await queryRow(
    session,
    query,
    (i) => {
      const target = targets[i];
      return target === undefined ? null : { type: target.type, mode: 'assign' };
    },
    signal,
    (i) => targets[i]?.name ?? '',
    (count) => checkArity(targets.length, count, stmt.pos),
  );
  targets.forEach((v, i) => session.variables.put({ ...v, value: row.values?.[i] ?? null }));
}

/** An argument as written, for messages. */
function exprText(e: ast.Expr): string {
  if (e.kind === 'column') return e.name.parts.map((p) => p.name).join('.');
  if (e.kind === 'literal' && e.value.type === 'string') return `'${e.value.value}'`;
  if (e.kind === 'literal' && (e.value.type === 'integer' || e.value.type === 'decimal')) return e.value.text;
  return e.kind;
}

/**
 * An error of the executed text points into that text; it is reported at the EXECUTE IMMEDIATE's
 * SQL expression instead.
 */
function pointAt(err: unknown, pos: number): unknown {
  if (!(err instanceof EngineError) || err.constructor !== EngineError || err.position === undefined)
    return err;
  return new EngineError(err.sqlstate, err.message, {
    position: pos,
    hint: err.hint,
    detail: err.detail,
    cause: err,
  });
}
