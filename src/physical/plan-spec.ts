/**
 * Physical plans as plain data, so that a plan fragment can run in another thread or process.
 *
 * Each operator describes itself with `spec()` (an `OperatorSpec`: no closures, no class
 * instances — expressions as `ExprSpec`, aggregate functions by registry name, tables by their
 * catalog definition); `planToSpec` walks a tree and `planFromSpec` (plan-decoder.ts) rebuilds it
 * on the other side with the receiver's function registry. src/exec turns a `PlanSpec` into bytes (plan-codec.ts).
 *
 *   HashAggregateExec ─spec()─► { kind: 'HashAggregate', mode: 'final', groupBy: [{ expr: ExprSpec… }] … }
 *                     ◄─decodeOperator(spec, children, env)─┘
 *
 * An operator that cannot be described (an in-memory test table, a hand-written test expression)
 * throws `NotSerializableError`: the plan then runs where it was planned.
 */
import type { ScanRequest, TableDefinition } from '../catalog/index.ts';
import { assertNever, type DataType, type Schema, type Value } from '../common/index.ts';
import type { FunctionRegistry } from '../functions/index.ts';
import type { WindowFrame } from '../plan/index.ts';
import type { ExecutionPlan, ExprSpec, PhysicalExpr } from './execution-plan.ts';
import type { SelectCompareOp } from './kernels/select-compare.ts';
import type { ExchangeKind } from './operators/exchange-exec.ts';
import type { FileSchemaRequest } from './operators/file-schema-exec.ts';
import type { FilterConjunct } from './operators/filter-exec.ts';
import type { AggregateMode } from './operators/hash-aggregate-exec.ts';
import type { HashJoinMode } from './operators/hash-join-exec.ts';
import type { JoinType } from './operators/join-emitter.ts';
import type { SortKey } from './operators/sort-exec.ts';
import type { WriteTarget } from './operators/table-write-exec.ts';
import type { RankingFunctionName, WindowFunctionSpec } from './window/index.ts';

/** Which registry aggregate an accumulator comes from, as plain data. */
export interface AggregateFunctionRef {
  readonly name: string;
  readonly argTypes: readonly DataType[];
  readonly returnType: DataType;
}

export interface SortKeySpec {
  readonly expr: ExprSpec;
  readonly ascending: boolean;
  readonly nullsFirst: boolean;
}

export interface AggregateSpec {
  readonly name: string;
  readonly function: AggregateFunctionRef;
  readonly args: readonly ExprSpec[];
  readonly filter: ExprSpec | null;
  readonly distinct: boolean;
  readonly type: DataType;
}

export type ConjunctSpec =
  | {
      readonly kind: 'compare';
      readonly column: number;
      readonly type: DataType;
      readonly op: SelectCompareOp;
      readonly value: Value;
    }
  | {
      readonly kind: 'compare_columns';
      readonly left: number;
      readonly right: number;
      readonly type: DataType;
      readonly op: SelectCompareOp;
    }
  | {
      readonly kind: 'expr';
      readonly expr: ExprSpec;
      readonly compact?: { readonly columns: readonly number[]; readonly expr: ExprSpec };
    };

export type WindowFunctionSpecData =
  | {
      readonly kind: 'ranking';
      readonly name: RankingFunctionName;
      readonly args: readonly ExprSpec[];
      readonly type: DataType;
    }
  | {
      readonly kind: 'offset';
      readonly name: 'lag' | 'lead';
      readonly input: ExprSpec;
      readonly offset: number;
      readonly default: ExprSpec | null;
      readonly ignoreNulls: boolean;
      readonly type: DataType;
    }
  | {
      readonly kind: 'value';
      readonly name: 'first_value' | 'last_value' | 'nth_value';
      readonly input: ExprSpec;
      readonly n?: number;
      readonly ignoreNulls: boolean;
      readonly frame: WindowFrame;
      readonly type: DataType;
    }
  | {
      readonly kind: 'aggregate';
      readonly name: string;
      readonly function: AggregateFunctionRef;
      readonly args: readonly ExprSpec[];
      readonly distinct: boolean;
      readonly filter: ExprSpec | null;
      readonly frame: WindowFrame;
      readonly type: DataType;
    };

/** One operator, without its children. */
export type OperatorSpec =
  | {
      readonly kind: 'TableScan';
      readonly definition: TableDefinition;
      readonly request: ScanRequest;
      readonly schema: Schema;
      readonly tableName: string;
      readonly details: string;
    }
  | { readonly kind: 'Values'; readonly schema: Schema; readonly rows: readonly (readonly Value[])[] }
  | {
      readonly kind: 'Range';
      readonly schema: Schema;
      readonly start: bigint;
      readonly end: bigint;
      readonly step: bigint;
      readonly partitions: number;
    }
  | { readonly kind: 'Empty'; readonly schema: Schema; readonly partitions: number }
  | {
      readonly kind: 'Filter';
      readonly predicate: ExprSpec;
      readonly conjuncts: readonly ConjunctSpec[] | null;
      readonly projection: { readonly columns: readonly number[]; readonly schema: Schema } | null;
    }
  | {
      readonly kind: 'Projection';
      readonly exprs: readonly { readonly expr: ExprSpec; readonly name: string }[];
      readonly schema: Schema;
    }
  | {
      readonly kind: 'HashAggregate';
      readonly mode: AggregateMode;
      readonly groupBy: readonly { readonly expr: ExprSpec; readonly name: string }[];
      readonly aggregates: readonly AggregateSpec[];
      readonly groupingSets: readonly (readonly number[])[] | null;
      readonly groupingIdName: string | null;
      readonly schema: Schema;
    }
  | {
      readonly kind: 'HashJoin';
      readonly mode: HashJoinMode;
      readonly joinType: JoinType;
      readonly leftKeys: readonly ExprSpec[];
      readonly rightKeys: readonly ExprSpec[];
      readonly nullSafe: readonly boolean[];
      readonly filter: ExprSpec | null;
      readonly buildSide: 'left' | 'right';
      readonly nullAware: boolean;
      readonly nullKeysUnknown: boolean;
      readonly schema: Schema;
    }
  | {
      readonly kind: 'KeyFilter';
      readonly keys: readonly ExprSpec[];
      readonly sourceKeys: readonly ExprSpec[];
      readonly nullSafe: readonly boolean[];
    }
  | {
      readonly kind: 'NestedLoopJoin';
      readonly joinType: JoinType;
      readonly condition: ExprSpec | null;
      readonly schema: Schema;
      readonly buildSide: 'left' | 'right';
      readonly nullAware: boolean;
    }
  | { readonly kind: 'Sort'; readonly keys: readonly SortKeySpec[]; readonly fetch: number | null }
  | {
      readonly kind: 'Limit';
      readonly limit: number | null;
      readonly offset: number;
      readonly local: boolean;
    }
  | { readonly kind: 'Union'; readonly schema: Schema }
  | {
      readonly kind: 'Generate';
      readonly arg: ExprSpec;
      readonly withPosition: boolean;
      readonly elementFields: boolean;
      readonly outer: boolean;
      readonly schema: Schema;
    }
  | {
      readonly kind: 'Window';
      readonly partitionBy: readonly ExprSpec[];
      readonly orderBy: readonly SortKeySpec[];
      readonly functions: readonly WindowFunctionSpecData[];
      readonly schema: Schema;
    }
  | { readonly kind: 'ReplicateRows'; readonly countIndex: number; readonly schema: Schema }
  | {
      readonly kind: 'RecursiveCte';
      readonly cteId: number;
      readonly distinct: boolean;
      readonly maxDepth: number;
      readonly schema: Schema;
    }
  | { readonly kind: 'WorkTable'; readonly cteId: number; readonly schema: Schema }
  | {
      readonly kind: 'Exchange';
      readonly exchange: ExchangeKind;
      readonly keys: readonly ExprSpec[];
      readonly count: number;
      readonly sortKeys: readonly SortKeySpec[];
    }
  | { readonly kind: 'TableWrite'; readonly target: WriteTarget }
  | { readonly kind: 'FileSchema'; readonly request: FileSchemaRequest }
  | { readonly kind: 'CacheShare'; readonly cacheId: string }
  | {
      readonly kind: 'ExchangeReader';
      readonly stageId: number;
      readonly exchange: ExchangeKind;
      readonly keys: readonly ExprSpec[];
      readonly count: number;
      readonly sortKeys: readonly SortKeySpec[];
      readonly schema: Schema;
    };

/** A plan tree as plain data. */
export interface PlanSpec {
  readonly op: OperatorSpec;
  readonly children: readonly PlanSpec[];
}

/** What rebuilding a plan needs from the receiving side. */
export interface PlanDecodeEnv {
  readonly functions: FunctionRegistry;
}

/** Thrown by `spec()` of an operator that holds something only its own thread can use. */
export class NotSerializableError extends Error {
  constructor(what: string) {
    super(`${what} cannot leave the thread that planned it`);
    this.name = 'NotSerializableError';
  }
}

export function planToSpec(plan: ExecutionPlan): PlanSpec {
  return { op: plan.spec(), children: plan.children().map(planToSpec) };
}

/** Whether `plan` can be described as data (and so run on another thread). */
export function isSerializable(plan: ExecutionPlan): boolean {
  try {
    planToSpec(plan);
    return true;
  } catch (err) {
    if (err instanceof NotSerializableError) return false;
    throw err;
  }
}

// ---- helpers for operators' spec() methods ----

export function exprSpec(e: PhysicalExpr): ExprSpec {
  if (e.spec === undefined) throw new NotSerializableError(`the expression ${e.toString()}`);
  return e.spec;
}

export function sortKeySpec(k: SortKey): SortKeySpec {
  return { expr: exprSpec(k.expr), ascending: k.ascending, nullsFirst: k.nullsFirst };
}

export function aggregateRef(f: AggregateFunctionRef | undefined, what: string): AggregateFunctionRef {
  if (f === undefined) throw new NotSerializableError(`the aggregate ${what}`);
  return f;
}

export function conjunctSpec(c: FilterConjunct): ConjunctSpec {
  if (c.kind !== 'expr') return c;
  return {
    kind: 'expr',
    expr: exprSpec(c.expr),
    ...(c.compact === undefined
      ? {}
      : { compact: { columns: c.compact.columns, expr: exprSpec(c.compact.expr) } }),
  };
}

export function windowFunctionSpec(f: WindowFunctionSpec): WindowFunctionSpecData {
  switch (f.kind) {
    case 'ranking':
      return { kind: 'ranking', name: f.name, args: f.args.map(exprSpec), type: f.type };
    case 'offset':
      return {
        kind: 'offset',
        name: f.name,
        input: exprSpec(f.input),
        offset: f.offset,
        default: f.default === null ? null : exprSpec(f.default),
        ignoreNulls: f.ignoreNulls,
        type: f.type,
      };
    case 'value':
      return {
        kind: 'value',
        name: f.name,
        input: exprSpec(f.input),
        ...(f.n === undefined ? {} : { n: f.n }),
        ignoreNulls: f.ignoreNulls,
        frame: f.frame,
        type: f.type,
      };
    case 'aggregate':
      return {
        kind: 'aggregate',
        name: f.name,
        function: aggregateRef(f.function, f.name),
        args: f.args.map(exprSpec),
        distinct: f.distinct,
        filter: f.filter === null ? null : exprSpec(f.filter),
        frame: f.frame,
        type: f.type,
      };
    default:
      return assertNever(f);
  }
}
