/**
 * Prepared statements for the extended protocol: `$n` parameters are typed (declared by the client,
 * or inferred from context: parameter-types.ts), and bound by substituting typed literals into the
 * statement's AST before it runs like any other statement. Decimals declared without precision
 * and arrays that arrive as text are cast where they stand.
 */
import {
  EngineError,
  SqlState,
  calendarIntervalToString,
  dayTimeFields,
  formatTime,
  typeToString,
  yearMonthFields,
  type CalendarInterval,
  type DataType,
  type IntervalValue,
  type Schema,
  type Value,
} from '../common/index.ts';
import { parseStatements, type Statement } from '../sql/parser/index.ts';
import type * as ast from '../sql/parser/index.ts';
import { columnOrigins } from './column-origins.ts';
import {
  analyzeWithParameters,
  inferParameterTypes,
  mapParameters,
  maxParameterIndex,
} from './parameter-types.ts';
import { schemaOf } from './query.ts';
import type { Session } from './session.ts';
import { executeStatement, statementColumns } from './statements.ts';
import type { ColumnOrigin, PreparedStatement, StatementResult } from './types.ts';

interface PreparedInternal extends PreparedStatement {
  readonly statement: Statement | null;
  /** Parameters bound as `CAST(text AS numeric)` (parameter-types.ts). */
  readonly numericText: ReadonlySet<number>;
}

const STRING: DataType = { kind: 'string' };

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
    const empty: PreparedInternal = {
      sql,
      paramTypes: [],
      describedParamTypes: [],
      numericText: new Set(),
      resultSchema: null,
      statement: null,
    };
    return empty;
  }
  const count = Math.max(maxParameterIndex(first.statement), declaredTypes.length);
  const {
    types: paramTypes,
    described,
    numericText,
  } = inferParameterTypes(session, first.statement, declaredTypes, count);
  let resultSchema: Schema | null;
  let resultOrigins: (ColumnOrigin | null)[] | undefined;
  if (first.statement.kind === 'query_statement') {
    const plan = analyzeWithParameters(session, first.statement.query, described);
    resultSchema = schemaOf(plan);
    resultOrigins = columnOrigins(plan);
  } else {
    resultSchema = statementColumns(session, first.statement);
  }
  const prepared: PreparedInternal = {
    sql,
    paramTypes,
    describedParamTypes: described,
    numericText,
    resultSchema,
    ...(resultOrigins === undefined ? {} : { resultOrigins }),
    statement: first.statement,
  };
  return prepared;
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
    if (internal.numericText.has(p.index) && typeof value === 'string') {
      // PostgreSQL's numeric without precision: the analyzer sizes the decimal to the digits.
      const text: ast.Expr = { kind: 'literal', pos: p.pos, value: { type: 'string', value } };
      return castNode(p.pos, text, internal.describedParamTypes[p.index - 1] ?? STRING, 'numeric');
    }
    // A decimal given as text (declared `numeric`: no precision or scale on the wire) keeps its
    // digits, as `::numeric` does; an array in text comes as PostgreSQL's array constant
    // (`numeric[]` as `::numeric[]` reads it).
    if (typeof value === 'string' && (type.kind === 'decimal' || type.kind === 'array')) {
      const numeric =
        type.kind === 'decimal' ? 'numeric' : type.element.kind === 'decimal' ? 'numeric[]' : null;
      const text: ast.Expr = { kind: 'literal', pos: p.pos, value: { type: 'string', value } };
      return castNode(p.pos, text, type, numeric);
    }
    return valueNode(p.pos, value, type);
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
  operand: ast.Expr,
  type: DataType,
  pgTypeName: string | null = null,
): ast.Expr {
  return { kind: 'cast', pos, operand, type, mode: 'cast', pgTypeName };
}

/**
 * A parameter value as an expression of exactly `type`: a literal cast to it, or for an array
 * `CAST(array(…) AS type)` of its elements (NULL elements and empty arrays included).
 */
export function valueNode(pos: number, value: Value, type: DataType): ast.Expr {
  if (type.kind === 'array' && value !== null) {
    const items = (value as readonly Value[]).map((v) => valueNode(pos, v, type.element));
    return castNode(pos, { kind: 'array', pos, items }, type);
  }
  if (value !== null && (type.kind === 'interval_year_month' || type.kind === 'interval_day_time')) {
    return { kind: 'interval', pos, value: intervalValue(value, type), calendar: null };
  }
  return castNode(pos, { kind: 'literal', pos, value: literalOf(value, type) }, type);
}

/** A year-month (months) or day-time (microseconds) parameter value as the literal of its type. */
function intervalValue(value: Value, type: DataType): IntervalValue {
  if (type.kind === 'interval_year_month') {
    const [startField, endField] = yearMonthFields(type);
    return { type: 'year_month', months: value as number, startField, endField };
  }
  const [startField, endField] = dayTimeFields(type);
  return { type: 'day_time', micros: value as bigint, startField, endField };
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
    case 'time':
      return { type: 'string', value: formatTime(value as bigint) };
    case 'calendar_interval':
      return { type: 'string', value: calendarIntervalToString(value as CalendarInterval) };
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
