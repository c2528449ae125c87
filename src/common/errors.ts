/**
 * The one error type for every failure a user can cause.
 *
 * Thrown once at the source, mapped once to the wire (ErrorResponse) or the CLI (stderr + exit code).
 * `position` is a 1-based character offset into the SQL text, as PostgreSQL reports it.
 */

/** SQLSTATE codes used by the engine (the ones Spark and PostgreSQL share where they overlap). */
export const SqlState = {
  syntaxError: '42601',
  undefinedTable: '42P01',
  /** A `$n` with no value: outside a prepared statement, or past its parameters. */
  undefinedParameter: '42P02',
  undefinedColumn: '42703',
  undefinedFunction: '42883',
  undefinedObject: '42704',
  undefinedSchema: '3F000',
  ambiguousColumn: '42702',
  duplicateTable: '42P07',
  duplicateSchema: '42P06',
  duplicateColumn: '42701',
  duplicateObject: '42710',
  groupingError: '42803',
  /** Spark's DATATYPE_MISMATCH class (every `[DATATYPE_MISMATCH.<SUBCLASS>]` error). */
  datatypeMismatch: '42K09',
  /** PostgreSQL's datatype_mismatch, for wire-protocol failures Spark has no class for (bind parameters). */
  pgDatatypeMismatch: '42804',
  /** Spark's INCOMPATIBLE_COLUMN_TYPE (set operations over columns without a common type). */
  incompatibleColumnType: '42825',
  windowingError: '42P20',
  invalidParameterValue: '22023',
  invalidColumnReference: '42P10',
  wrongObjectType: '42809',
  invalidSchemaDefinition: '42P15',
  featureNotSupported: '0A000',
  /** Spark's UNSUPPORTED_TIME_PRECISION (TIME(p) with p outside 0..6). */
  unsupportedTimePrecision: '0A001',
  /** Spark's INVALID_LATERAL_JOIN_TYPE (a RIGHT/FULL OUTER join with a LATERAL subquery). */
  invalidLateralJoinType: '42613',
  divisionByZero: '22012',
  numericValueOutOfRange: '22003',
  invalidTextRepresentation: '22P02',
  invalidCharacterValueForCast: '22018',
  invalidDatetimeFormat: '22007',
  datetimeFieldOverflow: '22008',
  /** PostgreSQL's interval_field_overflow (an interval parameter's field out of range). */
  intervalFieldOverflow: '22015',
  stringDataRightTruncation: '22001',
  cardinalityViolation: '21000',
  invalidEscapeSequence: '22025',
  invalidRegularExpression: '2201B',
  nullValueNotAllowed: '22004',
  dataException: '22000',
  invalidArgumentForLog: '2201E',
  invalidArgumentForPower: '2201F',
  invalidRowCountInLimit: '2201W',
  /** Spark's INVALID_LIMIT_LIKE_EXPRESSION (LIMIT/OFFSET not a non-negative constant integer). */
  invalidLimitLikeExpression: '42K0E',
  invalidRowCountInOffset: '2201X',
  protocolViolation: '08P01',
  invalidAuthorization: '28000',
  invalidPassword: '28P01',
  invalidCatalogName: '3D000',
  invalidTransactionState: '25000',
  inFailedTransaction: '25P02',
  queryCanceled: '57014',
  ioError: '58030',
  systemError: '58000',
  outOfMemory: '53200',
  configurationLimitExceeded: '53400',
  programLimitExceeded: '54000',
  insufficientPrivilege: '42501',
  invalidName: '42602',
  dataCorrupted: 'XX001',
  // Spark's SQLSTATEs for its error classes, where PostgreSQL has none of its own for them.
  /** Spark's WRONG_NUM_ARGS: a function called with a number of arguments it does not take. */
  wrongNumArgs: '42605',
  /** Spark's INVALID_TYPED_LITERAL (`DATE 'x'`). */
  invalidTypedLiteral: '42604',
  /** Spark's ASSIGNMENT_ARITY_MISMATCH (column aliases that do not match the columns). */
  assignmentArityMismatch: '42802',
  /** Spark's COLUMN_ALREADY_EXISTS. */
  columnAlreadyExists: '42711',
  /** Spark's NESTED_AGGREGATE_FUNCTION. */
  nestedAggregate: '42607',
  /** Spark's PARTITIONS_NOT_FOUND. */
  partitionsNotFound: '428FT',
  /** Spark's PATH_NOT_FOUND. */
  pathNotFound: '42K03',
  /** Spark's UNABLE_TO_INFER_SCHEMA. */
  unableToInferSchema: '42KD9',
  /** Spark's INVALID_RECURSIVE_CTE. */
  invalidRecursiveCte: '42836',
  /** Spark's 42K0E: an expression not valid where it is used (UNSUPPORTED_GENERATOR, UNSUPPORTED_GROUPING_EXPRESSION). */
  invalidExpressionContext: '42K0E',
  /** Spark's 42000 (INVALID_INLINE_TABLE, INVALID_USAGE_OF_STAR_OR_REGEX, INVALID_EXTRACT_BASE_FIELD_TYPE). */
  syntaxErrorOrAccessRuleViolation: '42000',
  /** Spark's CANNOT_MODIFY_CONFIG / CANNOT_MODIFY_STATIC_CONFIG (SET of a configuration fixed at start). */
  cannotModifyConfig: '46110',
  /** Spark's SQL_CONF_NOT_FOUND. */
  sqlConfNotFound: '42K0I',
  /** Spark's ILLEGAL_DAY_OF_WEEK. */
  invalidDayOfWeek: '22009',
  internalError: 'XX000',
} as const;

export type SqlStateCode = (typeof SqlState)[keyof typeof SqlState];

export interface EngineErrorOptions {
  /** 1-based character offset in the SQL text. */
  readonly position?: number | undefined;
  readonly hint?: string | undefined;
  readonly detail?: string | undefined;
  readonly cause?: unknown;
  /**
   * PostgreSQL's text for the same error (`relation "t" does not exist`), which clients of the
   * wire protocol match on: the server sends it as the message, and this message as the detail.
   */
  readonly pgMessage?: string | undefined;
}

export class EngineError extends Error {
  readonly sqlstate: string;
  readonly position: number | undefined;
  readonly hint: string | undefined;
  readonly detail: string | undefined;
  readonly pgMessage: string | undefined;

  constructor(sqlstate: string, message: string, options: EngineErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'EngineError';
    this.sqlstate = sqlstate;
    this.position = options.position;
    this.hint = options.hint;
    this.detail = options.detail;
    this.pgMessage = options.pgMessage;
  }

  /** A copy of this error that points at `position`, unless it already has one. */
  withPosition(position: number | undefined): EngineError {
    if (this.position !== undefined || position === undefined) return this;
    return new EngineError(this.sqlstate, this.message, {
      position,
      hint: this.hint,
      detail: this.detail,
      cause: this.cause,
      pgMessage: this.pgMessage,
    });
  }
}

/** Wraps anything thrown into an EngineError; unknown failures become internal errors (XX000). */
export function toEngineError(err: unknown): EngineError {
  if (err instanceof EngineError) return err;
  if (err instanceof RangeError && /Invalid array length|allocation failed/i.test(err.message)) {
    return new EngineError(SqlState.outOfMemory, `out of memory: ${err.message}`, { cause: err });
  }
  const message = err instanceof Error ? err.message : String(err);
  return new EngineError(SqlState.internalError, `internal error: ${message}`, { cause: err });
}

/** Marks a branch the type system proves unreachable. */
export function assertNever(value: never, what = 'value'): never {
  throw new EngineError(
    SqlState.internalError,
    `internal error: unexpected ${what}: ${JSON.stringify(value)}`,
  );
}

/** An internal invariant; failing it is a bug in the engine, not the user's fault. */
export function invariant(condition: unknown, message: string): asserts condition {
  if (!condition) throw new EngineError(SqlState.internalError, `internal error: ${message}`);
}

/** Levenshtein distance, for "did you mean" suggestions. */
export function editDistance(a: string, b: string): number {
  const m = a.length;
  const n = b.length;
  let prev = new Array<number>(n + 1);
  let curr = new Array<number>(n + 1);
  for (let j = 0; j <= n; j++) prev[j] = j;
  for (let i = 1; i <= m; i++) {
    curr[0] = i;
    for (let j = 1; j <= n; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      curr[j] = Math.min(prev[j]! + 1, curr[j - 1]! + 1, prev[j - 1]! + cost);
    }
    [prev, curr] = [curr, prev];
  }
  return prev[n]!;
}

/** The candidate closest to `name` (case-insensitive), if it is close enough to be a likely typo. */
export function closestMatch(name: string, candidates: Iterable<string>): string | undefined {
  const lower = name.toLowerCase();
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(lower, candidate.toLowerCase());
    if (d < bestDistance) {
      bestDistance = d;
      best = candidate;
    }
  }
  if (best === undefined) return undefined;
  return bestDistance <= Math.max(2, Math.floor(lower.length / 3)) ? best : undefined;
}
