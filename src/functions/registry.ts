/**
 * The function registry's contracts: every scalar and aggregate function is one definition with a
 * signature rule (`resolve`), a return-type rule and a vectorized implementation. The analyzer
 * resolves calls through `FunctionRegistry`; the physical layer evaluates them.
 */
import type * as arrow from 'apache-arrow';
import type { DataType, Value } from '../common/index.ts';

/** What an expression evaluates to for one batch: a column, or one value standing for every row. */
export type ColumnarValue =
  | { readonly kind: 'array'; readonly data: arrow.Data }
  | { readonly kind: 'scalar'; readonly value: Value; readonly type: DataType };

/** Session state that evaluation depends on; fixed for the duration of one query. */
export interface EvalContext {
  /** `spark.sql.ansi.enabled`: errors instead of NULLs on overflow, bad casts, division by zero. */
  readonly ansi: boolean;
  /** `spark.sql.session.timeZone`, an IANA zone name such as `UTC` or `Europe/Paris`. */
  readonly timeZone: string;
  /** The query's start time in microseconds since the epoch (current_timestamp is stable within a query). */
  readonly queryStartMicros: bigint;
  readonly currentDatabase: string;
  readonly currentUser: string;
  /**
   * The server's connections, for pg_cancel_backend/pg_terminate_backend: present only in the
   * session's own thread, when the session serves a connection (functions that use it are `local`).
   */
  readonly backends?: BackendSignals;
  /** The session's settings, for set_config: present only in the session's own thread. */
  readonly settings?: SettingsControl;
}

/** What a session lets set_config do (the session implements it). */
export interface SettingsControl {
  /** Sets a setting as SET does (validated; clients hear of reported ones); returns its new value. */
  set(name: string, value: string): string;
}

/** What a session lets functions do to the server's connections (the session implements it). */
export interface BackendSignals {
  /**
   * Cancels the running statement of connection `pid` (`cancel`) or closes it (`terminate`);
   * false when there is no such connection. 42501 when the session's user may not.
   */
  signal(pid: number, kind: 'cancel' | 'terminate'): boolean;
}

export interface ResolvedSignature {
  /** The types the analyzer must cast each argument to before calling `evaluate`. */
  readonly argTypes: readonly DataType[];
  readonly returnType: DataType;
  /** Whether the result can be NULL when no argument is; defaults to "null in, null out". */
  readonly nullable?: boolean;
}

export interface ResolveContext {
  readonly ansi: boolean;
  /**
   * Arguments that are constants — literals, and schema_of_json of literals — by position
   * (undefined where not), for rules like round(x, 2) and from_json's schema.
   */
  readonly literalArgs: readonly (Value | undefined)[];
  /**
   * Parses a type as DDL writes it (`array<int>`, `struct<a: int>`), for functions whose type comes
   * from a string argument (from_json's schema); the analyzer provides it. Throws EngineError.
   */
  readonly parseType?: (text: string) => DataType;
}

export interface ScalarFunctionDef {
  readonly kind: 'scalar';
  /** Canonical lower-case name, as stored in CallExpr.name. */
  readonly name: string;
  readonly aliases?: readonly string[];
  /** One-line description for SHOW FUNCTIONS / DESCRIBE FUNCTION. */
  readonly description: string;
  /** Throws EngineError (42605 wrong arity, 42K09 wrong types) when the arguments do not fit. */
  resolve(argTypes: readonly DataType[], ctx: ResolveContext): ResolvedSignature;
  /** Arguments arrive with the resolved types. Must not mutate its inputs. */
  evaluate(
    args: readonly ColumnarValue[],
    numRows: number,
    returnType: DataType,
    ctx: EvalContext,
  ): ColumnarValue;
  /** False for rand(), uuid(), current_timestamp() (not folded, not deduplicated). Default true. */
  readonly deterministic?: boolean;
  /**
   * Reaches the session through EvalContext (`backends`): a plan calling it runs in the thread that
   * planned it, never on the executors. Default false.
   */
  readonly local?: boolean;
}

/**
 * Accumulates one aggregate for many groups at once (group ids are dense, 0..numGroups-1).
 * Hot loops run over typed arrays: `update` takes a batch's argument columns and the group id
 * of every row.
 */
export interface GroupsAccumulator {
  /**
   * Adds rows `0..numRows-1` of `args` to their groups. `numGroups` is the total number of groups
   * seen so far (it only grows); `filter` (1 = keep) applies an aggregate FILTER clause or skips
   * rows the batch does not hold. `groupRows`, when given (few groups), is how many of the rows
   * `filter` keeps each group has — what a count over arguments without NULLs adds, at once.
   */
  update(
    args: readonly arrow.Data[],
    groupIds: Int32Array,
    numGroups: number,
    numRows: number,
    filter: Uint8Array | null,
    groupRows?: Float64Array | null,
  ): void;
  /** The types of the intermediate state columns (for partial → final aggregation). */
  readonly stateTypes: readonly DataType[];
  /** The intermediate state, one row per group. */
  state(): arrow.Data[];
  /** Merges intermediate states produced by `state()` of other accumulators of the same kind. */
  merge(states: readonly arrow.Data[], groupIds: Int32Array, numGroups: number, numRows: number): void;
  /** The final value of every group, in group-id order. */
  evaluate(): arrow.Data;
  /** Approximate bytes held, for the memory manager. */
  size(): number;
  /**
   * Offered an accumulator of the same operator created before this one, over the same arguments
   * and FILTER: takes over its per-group state when it keeps the same (sum and avg of one column),
   * and then ignores `update` and `merge` — `earlier` does that work for both. True when it did.
   */
  share?(earlier: GroupsAccumulator): boolean;
}

export interface AggregateFunctionDef {
  readonly kind: 'aggregate';
  readonly name: string;
  readonly aliases?: readonly string[];
  readonly description: string;
  resolve(argTypes: readonly DataType[], ctx: ResolveContext): ResolvedSignature;
  createAccumulator(argTypes: readonly DataType[], returnType: DataType, ctx: EvalContext): GroupsAccumulator;
}

export type FunctionDef = ScalarFunctionDef | AggregateFunctionDef;

export interface FunctionRegistry {
  /** Case-insensitive lookup by name or alias. */
  lookup(name: string): FunctionDef | undefined;
  names(): readonly string[];
}
