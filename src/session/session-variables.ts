/**
 * Session variables, Spark's way: `DECLARE [OR REPLACE] [VARIABLE] x [type] [DEFAULT expr]`,
 * `SET VAR x = expr | DEFAULT, …`, `SET VAR (a, b) = (query)`, `DROP TEMPORARY VARIABLE x`.
 *
 * Each session keeps its own variables (name → type, value, default expression). Values are
 * computed by running a one-row query when a statement sets them; queries then read them as
 * constants (the analyzer turns a name that no column answers to into the variable's value), so
 * executors never see a variable, only its value in the plan. Names are case-insensitive and may
 * be qualified `session.x` or `system.session.x`.
 */
import {
  EngineError,
  SqlState,
  batchRows,
  typeToString,
  typesEqual,
  type DataType,
  type Value,
} from '../common/index.ts';
import { outputOf, type Expr, type LogicalPlan, type NamedExpr } from '../plan/index.ts';
import type * as ast from '../sql/parser/index.ts';
import { analyzeForSession, executeAnalyzed, idGenerator } from './query.ts';
import { commandResult } from './results.ts';
import type { Session } from './session.ts';
import { canStoreAssign } from './table-writes.ts';
import type { StatementResult } from './types.ts';

export interface SessionVariable {
  /** As declared (without qualifier). */
  readonly name: string;
  readonly type: DataType;
  readonly value: Value;
  /** Evaluated again by `SET VAR x = DEFAULT`; null means NULL. */
  readonly defaultExpr: ast.Expr | null;
}

/** The variables of one session, by lower-cased name. */
export class SessionVariables {
  private readonly byName = new Map<string, SessionVariable>();

  get(name: string): SessionVariable | undefined {
    return this.byName.get(name.toLowerCase());
  }

  put(variable: SessionVariable): void {
    this.byName.set(variable.name.toLowerCase(), variable);
  }

  delete(name: string): boolean {
    return this.byName.delete(name.toLowerCase());
  }

  clear(): void {
    this.byName.clear();
  }

  /** The variable `parts` names (`x`, `session.x`, `system.session.x`), if declared. */
  resolve(parts: readonly string[]): SessionVariable | undefined {
    const name = variableName(parts);
    return name === null ? undefined : this.get(name);
  }
}

/** The variable a written name stands for, or null when its qualifier is not `[system.]session`. */
export function variableName(parts: readonly string[]): string | null {
  const lower = parts.map((p) => p.toLowerCase());
  const name = parts[parts.length - 1]!;
  if (parts.length === 1) return name;
  if (parts.length === 2 && lower[0] === 'session') return name;
  if (parts.length === 3 && lower[0] === 'system' && lower[1] === 'session') return name;
  return null;
}

/** How Spark shows a variable in messages: `system`.`session`.`x`. */
export function variableDisplay(name: string): string {
  return `\`system\`.\`session\`.\`${name}\``;
}

function partsOf(name: ast.QualifiedName): string[] {
  return name.parts.map((p) => p.name);
}

function unresolvedVariable(parts: readonly string[], pos: number): EngineError {
  return new EngineError(
    '42883',
    `[UNRESOLVED_VARIABLE] Cannot resolve variable ${parts.map((p) => `\`${p}\``).join('.')} on search path \`system\`.\`session\`.`,
    { position: pos },
  );
}

/** The declared variable a target names; UNRESOLVED_VARIABLE when there is none. */
export function targetVariable(session: Session, target: ast.QualifiedName): SessionVariable {
  const found = session.variables.resolve(partsOf(target));
  if (found === undefined) throw unresolvedVariable(partsOf(target), target.pos);
  return found;
}

/** `SELECT e1, e2, …` without FROM. */
export function selectOf(exprs: readonly ast.Expr[], pos: number): ast.Query {
  return {
    kind: 'query',
    with: null,
    body: {
      kind: 'select',
      distinct: false,
      items: exprs.map((expr) => ({ kind: 'expr_item', expr, alias: null, pos: expr.pos })),
      from: [],
      where: null,
      groupBy: null,
      having: null,
      windows: [],
      qualify: null,
      pos,
    },
    orderBy: [],
    limit: null,
    offset: null,
    pos,
  };
}

/** How a value is converted to its variable's type: an explicit CAST, or ANSI store assignment. */
export type Conversion = { readonly type: DataType; readonly mode: 'cast' | 'assign' } | null;

/**
 * Runs `query` and returns its row (null when it has none): at most one row, else 21000
 * ROW_SUBQUERY_TOO_MANY_ROWS. Column i is converted as `convert(i, type)` says (null: as is).
 */
export async function queryRow(
  session: Session,
  query: ast.Query,
  convert: (index: number, type: DataType) => Conversion,
  signal: AbortSignal | undefined,
  targetName: (index: number) => string = () => '',
  checkColumns?: (count: number) => void,
): Promise<{ readonly values: readonly Value[] | null; readonly types: readonly DataType[] }> {
  const nextId = idGenerator();
  const analyzed = analyzeForSession(session, query, nextId);
  const out = outputOf(analyzed.plan);
  checkColumns?.(out.length);
  const exprs: NamedExpr[] = out.map((a, i) => {
    const column: Expr = { kind: 'column', attr: a };
    const c = convert(i, a.type);
    if (c === null || typesEqual(c.type, a.type)) return { expr: column, attr: a };
    if (c.mode === 'assign' && !canStoreAssign(a.type, c.type)) {
      throw new EngineError(
        'KD000',
        `[INCOMPATIBLE_DATA_FOR_TABLE.CANNOT_SAFELY_CAST] Cannot write incompatible data for the table ${variableDisplay(targetName(i))}: ` +
          `Cannot safely cast \`${targetName(i)}\` "${typeToString(a.type).toUpperCase()}" to "${typeToString(c.type).toUpperCase()}".`,
        { position: query.pos },
      );
    }
    return {
      expr: { kind: 'cast', input: column, type: c.type, mode: 'ansi' },
      attr: { ...a, id: nextId(), type: c.type },
    };
  });
  const plan: LogicalPlan = { kind: 'Project', input: analyzed.plan, exprs };
  const types = exprs.map((e) => e.attr.type);
  const rows: Value[][] = [];
  for await (const batch of await executeAnalyzed(session, plan, nextId, signal)) {
    rows.push(...batchRows(batch, types));
    if (rows.length > 1) break;
  }
  if (rows.length > 1) {
    throw new EngineError(
      SqlState.cardinalityViolation,
      '[ROW_SUBQUERY_TOO_MANY_ROWS] More than one row returned by a subquery used as a row.',
      { position: query.pos },
    );
  }
  return { values: rows[0] ?? null, types };
}

export async function declareVariable(
  session: Session,
  stmt: ast.DeclareVariableStatement,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const parts = partsOf(stmt.name);
  const name = variableName(parts);
  if (name === null) throw unresolvedVariable(parts, stmt.name.pos);
  if (!stmt.orReplace && session.variables.get(name) !== undefined) {
    throw new EngineError(
      '42723',
      `[VARIABLE_ALREADY_EXISTS] Cannot create the variable ${variableDisplay(name)} because it already exists. Choose a different name, or drop or replace the existing variable.`,
      { position: stmt.name.pos },
    );
  }
  let type = stmt.type;
  let value: Value = null;
  if (stmt.defaultExpr !== null) {
    const declared = type;
    const row = await queryRow(
      session,
      selectOf([stmt.defaultExpr], stmt.defaultExpr.pos),
      () => (declared === null ? null : { type: declared, mode: 'cast' }),
      signal,
    );
    type ??= row.types[0]!;
    value = row.values?.[0] ?? null;
  }
  session.variables.put({ name, type: type!, value, defaultExpr: stmt.defaultExpr });
  return commandResult('DECLARE VARIABLE');
}

export async function setVariables(
  session: Session,
  stmt: ast.SetVariableStatement,
  signal: AbortSignal | undefined,
): Promise<StatementResult> {
  const targets = stmt.targets.map((t) => targetVariable(session, t));
  const seen = new Set<string>();
  const repeated = new Set<string>();
  for (const v of targets) {
    const key = v.name.toLowerCase();
    if (seen.has(key)) repeated.add(v.name);
    seen.add(key);
  }
  if (repeated.size > 0) {
    throw new EngineError(
      '42701',
      `[DUPLICATE_ASSIGNMENTS] The columns or variables ${[...repeated].map(variableDisplay).join(', ')} appear more than once as assignment targets.`,
      { position: stmt.pos },
    );
  }
  let query: ast.Query;
  let defaults = new Set<number>();
  if (stmt.query !== null) {
    query = stmt.query;
  } else {
    const values = stmt.values ?? [];
    defaults = new Set(values.flatMap((v, i) => (v === null ? [i] : [])));
    const exprs = values.map(
      (v, i): ast.Expr =>
        v ?? targets[i]!.defaultExpr ?? { kind: 'literal', value: { type: 'null' }, pos: stmt.pos },
    );
    query = selectOf(exprs, stmt.pos);
  }
  const row = await queryRow(
    session,
    query,
    (i, type) => {
      const target = targets[i];
      if (target === undefined) return null;
      return {
        type: target.type,
        mode: defaults.has(i) && !typesEqual(type, target.type) ? 'cast' : 'assign',
      };
    },
    signal,
    (i) => targets[i]?.name ?? '',
    (count) => checkArity(targets.length, count, stmt.pos),
  );
  targets.forEach((v, i) => session.variables.put({ ...v, value: row.values?.[i] ?? null }));
  return commandResult('SET VARIABLE');
}

/** ASSIGNMENT_ARITY_MISMATCH unless a query gives one column per variable assigned. */
export function checkArity(targets: number, columns: number, pos: number): void {
  if (targets === columns) return;
  throw new EngineError(
    SqlState.assignmentArityMismatch,
    `[ASSIGNMENT_ARITY_MISMATCH] The number of columns or variables assigned or aliased: ${targets} does not match the number of source expressions: ${columns}.`,
    { position: pos },
  );
}

export function dropVariable(session: Session, stmt: ast.DropVariableStatement): StatementResult {
  const parts = partsOf(stmt.name);
  const name = variableName(parts);
  if (name === null || !session.variables.delete(name)) {
    if (!stmt.ifExists) {
      throw new EngineError(
        '42883',
        `[VARIABLE_NOT_FOUND] The variable ${name === null ? parts.map((p) => `\`${p}\``).join('.') : variableDisplay(name)} cannot be found. Verify the spelling and correctness of the schema and catalog. If you did not qualify the name with a schema and catalog, verify the current_schema() output, or qualify the name with the correct schema and catalog. To tolerate the error on drop use DROP VARIABLE IF EXISTS.`,
        { position: stmt.name.pos },
      );
    }
  }
  return commandResult('DROP VARIABLE');
}
