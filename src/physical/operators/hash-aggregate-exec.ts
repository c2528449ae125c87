/**
 * HashAggregateExec: GROUP BY with aggregate functions, over a typed open-addressing hash table
 * (`GroupHashTable`): each batch's group ids are resolved at once, then every accumulator's
 * `update` runs once over the batch.
 *
 * Modes (each works on one partition at a time; output partition p comes from input partition p):
 * - `single`: input rows → final values. Requires every row of a group in one partition: hashed on
 *   the group keys, or all rows in one partition (no keys, grouping sets, DISTINCT).
 * - `partial`: input rows → group keys + accumulator state columns, any partitioning.
 * - `final`: partial output → final values, hashed on the keys (and grouping id), or in one
 *   partition without keys.
 *   `groupBy` exprs are evaluated against the partial output (usually column refs to its leading
 *   key columns); with grouping sets the grouping id is the column right after the keys; then
 *   each aggregate's `stateTypes.length` state columns follow, in aggregate order.
 *
 * Output columns: the group keys, then the grouping id (when `groupingSets` is set — in partial
 * mode always, otherwise when `groupingIdName` is set), then one column per aggregate (partial
 * mode: its state columns). Types are those of `schema`. Without GROUP BY there is exactly one
 * group, so empty input still gives one row (count = 0, sum = NULL). NULL keys form one group.
 * Batches have at most `ctx.batchSize` rows; group order is first-appearance order.
 *
 * Grouping sets: every batch is aggregated once per set, with the keys outside the set replaced
 * by NULL and the grouping id (Spark's bits: bit set when a key is NOT grouped, first key most
 * significant) added as an extra key, all in the one hash table.
 *
 * DISTINCT aggregates (mode `single` only): (group, arguments) pairs are deduplicated in a second
 * hash table, and only the first occurrence of each pair reaches the accumulator.
 *
 * Clustered input (partial mode, no grouping sets or DISTINCT): when the first batch's rows come
 * in runs of equal keys — at most `MAX_RUN_FRACTION` runs a row — each run with a key no other run
 * has, the later batches' runs are their groups, and their partial results go out every half
 * batch of groups (no hash table: lineitem grouped by its sort key l_orderkey). A batch with more
 * runs switches to the hash table for good; so does a first batch whose runs repeat keys (few
 * groups, as l_returnflag's, are the hash table's job).
 *
 * Over the memory budget (a refused `tryGrow` of the groups' size after a batch):
 * - `partial`: the groups so far go on as partial states at once and the table starts anew (the
 *   final aggregate merges rows of equal keys anyway); no disk.
 * - `single` and `final` with keys, when the task can spill (`ctx.spill`): the groups are written
 *   to disk as state rows (keys, grouping id, accumulator states: the partial layout; DISTINCT
 *   aggregates as their distinct pairs), split into 16 partitions by a hash of the keys
 *   (`SpilledGroups`), and the table starts anew. At the end the groups in memory join them, and
 *   each partition is merged on its own — its DISTINCT pairs deduplicated again, so the answer is
 *   exact — and emitted; a partition that does not fit either is split again with the next
 *   level's hash seed, and past `MAX_SPILL_LEVELS` levels the query fails with 53200. Without
 *   keys (one group) or spill space, a refusal is 53200. Spill files are removed when read, and
 *   all of them however the operator ends.
 *
 * Masked input: over an input with `executeMasked` (a FilterExec) and with deterministic keys,
 * arguments and FILTERs, batches may come whole with a mask of their rows; masked rows get no group
 * and reach no accumulator. Keys and arguments are evaluated on the whole batch — and again on the
 * kept rows alone when that raised, so only an error on a kept row fails the query.
 */
import type * as arrow from 'apache-arrow';
import {
  EngineError,
  SqlState,
  columnFromValues,
  makeBatch,
  makeColumn,
  nullColumn,
  repeatValue,
  type DataType,
  type Schema,
} from '../../common/index.ts';
import type { EvalContext, GroupsAccumulator } from '../../functions/index.ts';
import type {
  Distribution,
  ExecutionPlan,
  MaskedBatch,
  MemoryReservation,
  Partitioning,
  PhysicalExpr,
  SpillFile,
  SpillSpace,
  TaskContext,
} from '../execution-plan.ts';
import { aggregateRef, exprSpec, type AggregateFunctionRef, type OperatorSpec } from '../plan-spec.ts';
import { columnExpr } from '../expressions/index.ts';
import { ColumnView } from '../batch/column-view.ts';
import { GroupHashTable } from '../batch/group-hash-table.ts';
import { keyRuns } from '../batch/key-runs.ts';
import { rowsEqual } from '../batch/key-equality.ts';
import { concatColumns } from '../batch/concat.ts';
import { maskFromBoolean, selectionFromBytes } from '../batch/selection.ts';
import { sliceColumn } from '../batch/slice.ts';
import { take } from '../batch/take.ts';
import { filterBatch } from '../batch/filter.ts';
import { checkCancelled, checkPartition, evaluateToColumn, schemaTypes } from './exec-support.ts';
import {
  MAX_SPILL_LEVELS,
  SpilledGroups,
  spillLayout,
  type GroupsToSpill,
  type SpillLayout,
  type SpillPartition,
} from './aggregate-spill.ts';

export type AggregateMode = 'single' | 'partial' | 'final';

export interface GroupByExpr {
  readonly expr: PhysicalExpr;
  readonly name: string;
}

export interface AggregateExpr {
  readonly name: string;
  readonly args: readonly PhysicalExpr[];
  readonly filter: PhysicalExpr | null;
  readonly distinct: boolean;
  readonly createAccumulator: (ctx: EvalContext) => GroupsAccumulator;
  /** The registry function `createAccumulator` comes from (absent in tests: not serializable). */
  readonly function?: AggregateFunctionRef;
  /** The final result type. */
  readonly type: DataType;
}

export interface HashAggregateExecOptions {
  readonly input: ExecutionPlan;
  readonly mode: AggregateMode;
  readonly groupBy: readonly GroupByExpr[];
  readonly aggregates: readonly AggregateExpr[];
  /** Each set lists indexes into `groupBy`; null = one set of all keys. */
  readonly groupingSets: readonly (readonly number[])[] | null;
  readonly groupingIdName: string | null;
  readonly schema: Schema;
}

const INT: DataType = { kind: 'int' };

/** Runs a row above which a batch is not treated as clustered on its keys. */
export const MAX_RUN_FRACTION = 0.5;
/** Distinct keys a run, at least, in the first batch for its runs to be taken as groups. */
const MIN_RUN_KEYS_FRACTION = 0.9;

/**
 * Groups, at most, per row of a batch for the batch's rows per group to be counted once and handed
 * to the accumulators (`GroupsAccumulator.update`'s `groupRows`): adding them costs a step a group.
 */
const GROUP_ROWS_FRACTION = 8;

/** A batch's rows per group (not counting rows `mask` skips or with group id -1), in a reused array. */
class GroupRows {
  private rows = new Float64Array(16);
  count(gids: Int32Array, n: number, numGroups: number, mask: Uint8Array | null): Float64Array {
    if (this.rows.length < numGroups) this.rows = new Float64Array(Math.max(numGroups, 2 * this.rows.length));
    const rows = this.rows;
    rows.fill(0, 0, numGroups);
    for (let i = 0; i < n; i++) {
      const g = gids[i]!;
      if (g >= 0 && (mask === null || mask[i] !== 0)) rows[g] = rows[g]! + 1;
    }
    return rows;
  }
}

/**
 * The accumulators of `aggregates`, each offered (`GroupsAccumulator.share`) the earlier ones over
 * the same arguments and FILTER, so that sum(x) and avg(x) keep one state.
 */
function createAccumulators(aggregates: readonly AggregateExpr[], ctx: EvalContext): GroupsAccumulator[] {
  const accs: GroupsAccumulator[] = [];
  const inputs: string[] = [];
  for (const a of aggregates) {
    const acc = a.createAccumulator(ctx);
    const input = a.distinct ? null : `${a.args.map(String).join(', ')} FILTER ${String(a.filter)}`;
    if (input !== null && acc.share !== undefined)
      for (let b = 0; b < accs.length; b++) if (inputs[b] === input && acc.share(accs[b]!)) break;
    accs.push(acc);
    inputs.push(input ?? '');
  }
  return accs;
}

/** A batch's group keys, aggregate arguments and FILTER masks. */
interface BatchInputs {
  readonly keyCols: arrow.Data[];
  readonly argCols: arrow.Data[][];
  readonly filters: (Uint8Array | null)[];
}

/** What a task holds of its groups: the hash table (null without GROUP BY) and accumulators. */
interface Groups {
  readonly table: GroupHashTable | null;
  readonly accs: GroupsAccumulator[];
  /** Per aggregate: the (group, arguments) pairs seen by a DISTINCT one, else null. */
  readonly distinctTables: (GroupHashTable | null)[];
}

function groupsBytes(groups: Groups): number {
  let bytes = groups.table?.size() ?? 0;
  for (const acc of groups.accs) bytes += acc.size();
  for (const dt of groups.distinctTables) bytes += dt?.size() ?? 0;
  return bytes;
}

/** Sets `reservation` to `bytes` when the budget allows; false (and unchanged) when it refuses. */
function fits(reservation: MemoryReservation, bytes: number): boolean {
  if (bytes <= reservation.size) {
    reservation.resize(bytes);
    return true;
  }
  return reservation.tryGrow(bytes - reservation.size);
}

/** Where an aggregate that may spill writes its groups, and what it needs to read them back. */
interface AggregateSpill {
  readonly space: SpillSpace;
  readonly layout: SpillLayout;
  /** Its files not removed yet. */
  readonly live: Set<SpillFile>;
  readonly reservation: MemoryReservation;
  /** The group keys' types (the grouping id last, with grouping sets). */
  readonly keyTypes: readonly DataType[];
}

const EMPTY_GROUP_IDS = new Int32Array(0);

async function* unmasked(batches: AsyncIterable<arrow.RecordBatch>): AsyncGenerator<MaskedBatch> {
  for await (const batch of batches) yield { batch, mask: null, rows: batch.numRows };
}

/** `a` AND `b`, one byte a row. */
function andMasks(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length);
  for (let i = 0; i < out.length; i++) out[i] = a[i]! & b[i]!;
  return out;
}

export class HashAggregateExec implements ExecutionPlan {
  readonly name = 'HashAggregateExec';
  readonly input: ExecutionPlan;
  readonly mode: AggregateMode;
  readonly groupBy: readonly GroupByExpr[];
  readonly aggregates: readonly AggregateExpr[];
  readonly groupingSets: readonly (readonly number[])[] | null;
  readonly groupingIdName: string | null;
  readonly schema: Schema;

  constructor(options: HashAggregateExecOptions) {
    this.input = options.input;
    this.mode = options.mode;
    this.groupBy = options.groupBy;
    this.aggregates = options.aggregates;
    this.groupingSets = options.groupingSets;
    this.groupingIdName = options.groupingIdName;
    this.schema = options.schema;
    if (this.mode !== 'single' && this.aggregates.some((a) => a.distinct)) {
      throw new EngineError(SqlState.internalError, 'internal error: DISTINCT aggregates need mode=single');
    }
  }

  get outputPartitions(): number {
    return this.input.outputPartitions;
  }

  /** One global group, or grouping sets / DISTINCT in single mode: every row in one partition. */
  private get needsSingle(): boolean {
    if (this.groupBy.length === 0 && this.groupingSets === null) return true;
    return this.mode === 'single' && this.groupingSets !== null;
  }

  get requiredInputDistribution(): readonly Distribution[] {
    if (this.mode === 'partial') return [{ kind: 'any' }];
    if (this.needsSingle) return [{ kind: 'single' }];
    const keys = this.groupBy.map((g) => g.expr);
    // Final mode with grouping sets: the grouping id is a key, right after the keys.
    if (this.groupingSets !== null) keys.push(columnExpr(this.input.schema, this.groupBy.length));
    return [{ kind: 'hash', keys }];
  }

  get partitioning(): Partitioning {
    const count = this.outputPartitions;
    if (count === 1) return { kind: 'single' };
    if (this.mode === 'partial' || this.groupingSets !== null) return { kind: 'unknown', count };
    return { kind: 'hash', keys: this.groupBy.map((_, i) => columnExpr(this.schema, i)), count };
  }

  children(): readonly ExecutionPlan[] {
    return [this.input];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new HashAggregateExec({ ...this, input: children[0]! });
  }

  private get outputsGroupingId(): boolean {
    return this.groupingSets !== null && (this.mode === 'partial' || this.groupingIdName !== null);
  }

  private groupingIdType(): DataType {
    if (!this.outputsGroupingId) return { kind: 'bigint' };
    return this.schema.fields[this.groupBy.length]?.type ?? { kind: 'bigint' };
  }

  async *execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    const hasGroups = this.groupBy.length > 0 || this.groupingSets !== null;
    const gidType = this.groupingIdType();
    const keyTypes = this.groupBy.map((g) => g.expr.type);
    if (this.groupingSets !== null) keyTypes.push(gidType);
    let groups = this.newGroups(keyTypes, hasGroups, ctx);
    let groupIds = new Int32Array(0);
    const reservation = ctx.memory.reserve(this.name);
    // Groups written to disk when the budget refused them (single and final modes with keys).
    const spill: AggregateSpill | null =
      this.mode !== 'partial' && hasGroups && ctx.spill !== undefined
        ? {
            space: ctx.spill,
            layout: this.spillLayout(keyTypes, groups.accs),
            live: new Set(),
            reservation,
            keyTypes,
          }
        : null;
    let spilled: SpilledGroups | null = null;
    /** Relieves the budget when it refuses the groups' size: spilled, or else 53200. */
    const spillGroups = async (): Promise<void> => {
      if (spill === null) {
        reservation.resize(groupsBytes(groups));
        return;
      }
      spilled ??= new SpilledGroups(this.name, spill.layout, spill.space, 0, spill.live);
      await spilled.add(this.toSpill(groups), ctx);
      groups = this.newGroups(keyTypes, hasGroups, ctx);
      reservation.free();
    };
    // Partial aggregation over input clustered on many keys: each batch's runs of equal keys are
    // its groups, sent on at once (see `RunGroups`). The first batch goes through the hash table
    // and decides: runs it has, each a key of its own (l_orderkey, not l_returnflag); a later
    // batch without enough runs hands back to the hash table for good.
    let clustering: 'undecided' | 'runs' | 'hash' =
      this.mode === 'partial' &&
      hasGroups &&
      this.groupingSets === null &&
      this.aggregates.every((a) => !a.distinct)
        ? 'undecided'
        : 'hash';
    let rowsPerGroup: GroupRows | null = null;
    let runStarts = new Int32Array(0);
    let runIds = new Int32Array(0);
    const runGroups = new RunGroups(this.schema, keyTypes, () =>
      createAccumulators(this.aggregates, ctx.eval),
    );
    const masked = this.mode !== 'final' && this.input.executeMasked !== undefined && this.evaluatesAnyRow();
    const source = masked
      ? this.input.executeMasked!(partition, ctx)
      : unmasked(this.input.execute(partition, ctx));
    try {
      for await (const item of source) {
        checkCancelled(ctx);
        let { batch, mask } = item;
        if (item.rows === 0) continue;
        if (this.mode === 'final') {
          const n = batch.numRows;
          if (groupIds.length < n) groupIds = new Int32Array(Math.max(n, groupIds.length * 2));
          this.mergeBatch(batch, n, groups.table, groups.accs, groupIds.subarray(0, n), ctx);
          if (!fits(reservation, groupsBytes(groups))) await spillGroups();
          continue;
        }
        let inputs: BatchInputs;
        try {
          inputs = this.evaluateInputs(batch, ctx);
        } catch (err) {
          if (mask === null) throw err;
          // The expressions may have failed on a masked row: evaluate them on the kept rows alone
          // (an error there is the query's).
          batch = filterBatch(batch, schemaTypes(this.input.schema), selectionFromBytes(mask, batch.numRows));
          mask = null;
          inputs = this.evaluateInputs(batch, ctx);
        }
        const n = batch.numRows;
        if (groupIds.length < n) groupIds = new Int32Array(Math.max(n, groupIds.length * 2));
        const gids = groupIds.subarray(0, n);
        const { keyCols, argCols } = inputs;
        const masks = inputs.filters.map((f) => (f === null ? mask : mask === null ? f : andMasks(f, mask)));
        let runs = -1;
        if (clustering !== 'hash') {
          if (runStarts.length < n) runStarts = new Int32Array(groupIds.length);
          if (runIds.length < n) runIds = new Int32Array(groupIds.length);
          const views = keyCols.map((k, c) => new ColumnView(k, keyTypes[c]!));
          runs = keyRuns(views, n, mask, runIds, runStarts);
          if (runs > n * MAX_RUN_FRACTION) clustering = 'hash';
          else if (clustering === 'runs') {
            runGroups.add(keyCols, runStarts, runs, argCols, runIds, n, masks);
            if (runGroups.groups >= ctx.batchSize / 2) yield* runGroups.flush(ctx.batchSize);
            continue;
          }
        }
        const { table, accs, distinctTables } = groups;
        const groupsBefore = table?.numGroups ?? 0;
        const sets = this.groupingSets ?? [null];
        for (const set of sets) {
          let numGroups = 1;
          if (table === null) gids.fill(0);
          else {
            const keys = set === null ? keyCols : this.keysForSet(set, keyCols, gidType, n);
            table.findOrInsert(keys, n, gids, mask);
            numGroups = table.numGroups;
          }
          // Few groups: each group's row count once for every aggregate without a FILTER.
          const groupRows =
            numGroups * GROUP_ROWS_FRACTION <= n
              ? (rowsPerGroup ??= new GroupRows()).count(gids, n, numGroups, mask)
              : null;
          for (let a = 0; a < accs.length; a++) {
            const dt = distinctTables[a];
            if (dt === null || dt === undefined)
              accs[a]!.update(
                argCols[a]!,
                gids,
                numGroups,
                n,
                masks[a]!,
                inputs.filters[a] === null ? groupRows : null,
              );
            else
              this.updateDistinct(
                accs[a]!,
                dt,
                this.aggregates[a]!,
                argCols[a]!,
                gids,
                numGroups,
                n,
                masks[a]!,
              );
          }
        }
        if (clustering === 'undecided') {
          const newGroups = (table?.numGroups ?? 0) - groupsBefore;
          clustering = newGroups >= runs * MIN_RUN_KEYS_FRACTION ? 'runs' : 'hash';
        }
        if (fits(reservation, groupsBytes(groups))) continue;
        if (this.mode === 'partial' && table !== null) {
          // Refused: the partial states so far go on now (the final aggregate merges them with
          // the later ones of the same keys), and the table starts anew — released before they
          // go, so that the consumer has the room they took.
          const states = [...this.output(table, accs, table.numGroups, ctx)];
          groups = this.newGroups(keyTypes, hasGroups, ctx);
          reservation.free();
          yield* states;
        } else await spillGroups();
      }
      if (runGroups.groups > 0) yield* runGroups.flush(ctx.batchSize);
      // (Assigned in `spillGroups`, which the compiler does not follow.)
      const last = spilled as SpilledGroups | null;
      if (last !== null) {
        // Some groups are on disk: the ones in memory join them, and each spill partition's
        // states are merged on their own.
        await last.add(this.toSpill(groups), ctx);
        groups = this.newGroups(keyTypes, hasGroups, ctx);
        reservation.free();
        yield* this.mergeSpilled(last, spill!, ctx);
        return;
      }
      const { table, accs } = groups;
      const numGroups = table === null ? 1 : table.numGroups;
      if (numGroups === 0) return;
      if (table === null && this.mode !== 'final') {
        // Tell the accumulators there is one group even when no row arrived.
        for (let a = 0; a < accs.length; a++) {
          const args = this.aggregates[a]!.args.map((x) => columnFromValues(x.type, []));
          accs[a]!.update(args, new Int32Array(0), 1, 0, null);
        }
      } else if (table === null) {
        for (const acc of accs)
          acc.merge(
            acc.stateTypes.map((t) => columnFromValues(t, [])),
            new Int32Array(0),
            1,
            0,
          );
      }
      yield* this.output(table, accs, numGroups, ctx);
    } finally {
      if (spill !== null) for (const file of [...spill.live]) file.remove();
      reservation.free();
    }
  }

  private newGroups(keyTypes: readonly DataType[], hasGroups: boolean, ctx: TaskContext): Groups {
    return {
      table: hasGroups ? new GroupHashTable(keyTypes) : null,
      accs: createAccumulators(this.aggregates, ctx.eval),
      distinctTables: this.aggregates.map((a) =>
        a.distinct ? new GroupHashTable([INT, ...a.args.map((x) => x.type)]) : null,
      ),
    };
  }

  /** How spilled groups are laid out: keys, the states of the aggregates that are not DISTINCT, pairs. */
  private spillLayout(keyTypes: readonly DataType[], accs: readonly GroupsAccumulator[]): SpillLayout {
    return spillLayout(
      keyTypes,
      this.aggregates.flatMap((a, i) => (a.distinct ? [] : accs[i]!.stateTypes)),
      this.aggregates.map((a) => (a.distinct ? a.args.map((x) => x.type) : null)),
    );
  }

  /** The groups as rows to spill: keys, states (not of DISTINCT aggregates) and DISTINCT pairs. */
  private toSpill(groups: Groups): GroupsToSpill {
    const table = groups.table!;
    return {
      numGroups: table.numGroups,
      keys: table.keyColumns(),
      states: groups.accs.flatMap((acc, a) => (this.aggregates[a]!.distinct ? [] : acc.state())),
      pairs: groups.distinctTables.map((dt) => {
        if (dt === null) return null;
        const cols = dt.keyColumns();
        const gid = cols[0]!;
        const values = gid.values as Int32Array;
        return { groupIds: values.subarray(gid.offset, gid.offset + dt.numGroups), args: cols.slice(1) };
      }),
    };
  }

  /** Each partition of `spilled`, merged (and re-partitioned when it does not fit), in turn. */
  private async *mergeSpilled(
    spilled: SpilledGroups,
    spill: AggregateSpill,
    ctx: TaskContext,
  ): AsyncGenerator<arrow.RecordBatch> {
    for (const part of spilled.partitions) {
      if (part.states.length === 0) continue;
      yield* this.mergePartition(spilled, part, spill, ctx);
    }
  }

  /**
   * The groups of one spill partition: its state rows merged, its DISTINCT pairs deduplicated
   * again. Refused memory, they are spilled once more at the next level (another hash seed);
   * past `MAX_SPILL_LEVELS` the query fails with 53200.
   */
  private async *mergePartition(
    from: SpilledGroups,
    part: SpillPartition,
    spill: AggregateSpill,
    ctx: TaskContext,
  ): AsyncGenerator<arrow.RecordBatch> {
    const { reservation, keyTypes } = spill;
    const level = from.level + 1;
    let groups = this.newGroups(keyTypes, true, ctx);
    let sub: SpilledGroups | null = null;
    let gids = new Int32Array(0);
    const relieve = async (): Promise<void> => {
      const bytes = groupsBytes(groups);
      if (fits(reservation, bytes)) return;
      if (level >= MAX_SPILL_LEVELS) {
        try {
          reservation.resize(bytes);
        } catch (err) {
          if (!(err instanceof EngineError)) throw err;
          throw new EngineError(
            err.sqlstate,
            `${err.message} ${this.name} split its spilled groups ${MAX_SPILL_LEVELS} times by their keys' hash ` +
              `and one part still does not fit: a few groups hold more state than the budget allows.`,
            { hint: err.hint, cause: err },
          );
        }
        return;
      }
      sub ??= new SpilledGroups(this.name, spill.layout, spill.space, level, spill.live);
      await sub.add(this.toSpill(groups), ctx);
      groups = this.newGroups(keyTypes, true, ctx);
      reservation.free();
    };
    const k = keyTypes.length;
    for (const file of part.states) {
      for await (const batch of from.drain(file)) {
        checkCancelled(ctx);
        const n = batch.numRows;
        if (gids.length < n) gids = new Int32Array(Math.max(n, 2 * gids.length));
        this.mergeSpilledStates(groups, batch, k, gids.subarray(0, n));
        await relieve();
      }
    }
    for (let a = 0; a < this.aggregates.length; a++) {
      for (const file of part.pairs[a]!) {
        for await (const batch of from.drain(file)) {
          checkCancelled(ctx);
          const n = batch.numRows;
          if (gids.length < n) gids = new Int32Array(Math.max(n, 2 * gids.length));
          this.mergeSpilledPairs(groups, a, batch, k, gids.subarray(0, n));
          await relieve();
        }
      }
    }
    // (Assigned in `relieve`, which the compiler does not follow.)
    const rest = sub as SpilledGroups | null;
    if (rest === null) {
      const table = groups.table!;
      if (table.numGroups > 0) yield* this.output(table, groups.accs, table.numGroups, ctx);
      reservation.free();
      return;
    }
    await rest.add(this.toSpill(groups), ctx);
    groups = this.newGroups(keyTypes, true, ctx);
    reservation.free();
    yield* this.mergeSpilled(rest, spill, ctx);
  }

  /** Merges a batch of spilled state rows (keys, then the states of the aggregates that are not DISTINCT). */
  private mergeSpilledStates(groups: Groups, batch: arrow.RecordBatch, k: number, gids: Int32Array): void {
    const cols = batch.data.children;
    const n = batch.numRows;
    const table = groups.table!;
    table.findOrInsert(cols.slice(0, k), n, gids);
    const numGroups = table.numGroups;
    let pos = k;
    for (let a = 0; a < groups.accs.length; a++) {
      const acc = groups.accs[a]!;
      if (this.aggregates[a]!.distinct) this.addGroups(acc, a, numGroups);
      else {
        acc.merge(cols.slice(pos, pos + acc.stateTypes.length), gids, numGroups, n);
        pos += acc.stateTypes.length;
      }
    }
  }

  /** Adds a batch of spilled DISTINCT pairs (keys, then the arguments) of aggregate `a`. */
  private mergeSpilledPairs(
    groups: Groups,
    a: number,
    batch: arrow.RecordBatch,
    k: number,
    gids: Int32Array,
  ): void {
    const cols = batch.data.children;
    const n = batch.numRows;
    const table = groups.table!;
    const before = table.numGroups;
    table.findOrInsert(cols.slice(0, k), n, gids);
    const numGroups = table.numGroups;
    this.updateDistinct(
      groups.accs[a]!,
      groups.distinctTables[a]!,
      this.aggregates[a]!,
      cols.slice(k),
      gids,
      numGroups,
      n,
      null,
    );
    // Groups new here (their state rows went to a deeper level): every accumulator has them.
    if (numGroups > before)
      for (let b = 0; b < groups.accs.length; b++) if (b !== a) this.addGroups(groups.accs[b]!, b, numGroups);
  }

  /** Tells accumulator `a` that there are `numGroups` groups, without adding a row. */
  private addGroups(acc: GroupsAccumulator, a: number, numGroups: number): void {
    const args = this.aggregates[a]!.args.map((x) => columnFromValues(x.type, []));
    acc.update(args, EMPTY_GROUP_IDS, numGroups, 0, null);
  }

  /** Whether keys, arguments and FILTERs may be evaluated on rows a masked batch skips. */
  private evaluatesAnyRow(): boolean {
    return (
      this.groupBy.every((g) => g.expr.deterministic === true) &&
      this.aggregates.every(
        (a) =>
          a.args.every((x) => x.deterministic === true) &&
          (a.filter === null || a.filter.deterministic === true),
      )
    );
  }

  private evaluateInputs(batch: arrow.RecordBatch, ctx: TaskContext): BatchInputs {
    return {
      keyCols: this.groupBy.map((g) => evaluateToColumn(g.expr, batch, ctx)),
      argCols: this.aggregates.map((a) => a.args.map((x) => evaluateToColumn(x, batch, ctx))),
      filters: this.aggregates.map((a) =>
        a.filter === null ? null : maskFromBoolean(evaluateToColumn(a.filter, batch, ctx)),
      ),
    };
  }

  private keysForSet(
    set: readonly number[],
    keyCols: readonly arrow.Data[],
    gidType: DataType,
    n: number,
  ): arrow.Data[] {
    const k = this.groupBy.length;
    let gid = 0;
    const out: arrow.Data[] = [];
    for (let i = 0; i < k; i++) {
      if (set.includes(i)) out.push(keyCols[i]!);
      else {
        gid += 2 ** (k - 1 - i);
        out.push(nullColumn(this.groupBy[i]!.expr.type, n));
      }
    }
    out.push(repeatValue(gidType, gidType.kind === 'bigint' ? BigInt(gid) : gid, n));
    return out;
  }

  private updateDistinct(
    acc: GroupsAccumulator,
    table: GroupHashTable,
    agg: AggregateExpr,
    args: readonly arrow.Data[],
    gids: Int32Array,
    numGroups: number,
    n: number,
    mask: Uint8Array | null,
  ): void {
    let rows = n;
    let groupIds = gids;
    let cols = args;
    if (mask !== null) {
      const sel = selectionFromBytes(mask, n);
      rows = sel.length;
      groupIds = new Int32Array(rows);
      for (let k = 0; k < rows; k++) groupIds[k] = gids[sel[k]!]!;
      cols = args.map((c, i) => take(c, agg.args[i]!.type, sel, rows));
    }
    const before = table.numGroups;
    const pairIds = new Int32Array(rows);
    table.findOrInsert([makeColumn(INT, groupIds.slice(0, rows), rows, null), ...cols], rows, pairIds);
    const first = new Uint8Array(rows);
    let next = before;
    for (let k = 0; k < rows; k++) {
      if (pairIds[k] === next) {
        first[k] = 1;
        next++;
      }
    }
    acc.update(cols, groupIds, numGroups, rows, first);
  }

  private mergeBatch(
    batch: arrow.RecordBatch,
    n: number,
    table: GroupHashTable | null,
    accs: readonly GroupsAccumulator[],
    gids: Int32Array,
    ctx: TaskContext,
  ): void {
    const cols = batch.data.children;
    let numGroups = 1;
    let pos = this.groupBy.length;
    if (table === null) gids.fill(0);
    else {
      const keys = this.groupBy.map((g) => evaluateToColumn(g.expr, batch, ctx));
      if (this.groupingSets !== null) keys.push(cols[pos++]!);
      table.findOrInsert(keys, n, gids);
      numGroups = table.numGroups;
    }
    for (const acc of accs) {
      const states = cols.slice(pos, pos + acc.stateTypes.length);
      pos += acc.stateTypes.length;
      acc.merge(states, gids, numGroups, n);
    }
  }

  private *output(
    table: GroupHashTable | null,
    accs: readonly GroupsAccumulator[],
    numGroups: number,
    ctx: TaskContext,
  ): Generator<arrow.RecordBatch> {
    const cols: arrow.Data[] = [];
    if (table !== null) {
      const keys = table.keyColumns();
      for (let i = 0; i < this.groupBy.length; i++) cols.push(keys[i]!);
      if (this.outputsGroupingId) cols.push(keys[this.groupBy.length]!);
    }
    for (const acc of accs) {
      if (this.mode === 'partial') cols.push(...acc.state());
      else cols.push(acc.evaluate());
    }
    if (cols.length !== this.schema.fields.length) {
      throw new EngineError(
        SqlState.internalError,
        `internal error: HashAggregateExec produced ${cols.length} columns for a schema of ${this.schema.fields.length}`,
      );
    }
    const types = this.schema.fields.map((f) => f.type);
    const size = Math.max(1, ctx.batchSize);
    for (let start = 0; start < numGroups; start += size) {
      checkCancelled(ctx);
      const end = Math.min(numGroups, start + size);
      if (start === 0 && end === numGroups) {
        yield makeBatch(this.schema, cols, numGroups);
        return;
      }
      yield makeBatch(
        this.schema,
        cols.map((c, i) => sliceColumn(c, types[i]!, start, end)),
        end - start,
      );
    }
  }

  explain(): string {
    const gby = this.groupBy.map((g) => `${g.expr.toString()} as ${g.name}`);
    const aggr = this.aggregates.map((a) => a.name);
    let s = `HashAggregateExec: mode=${this.mode}, gby=[${gby.join(', ')}], aggr=[${aggr.join(', ')}]`;
    if (this.groupingSets !== null)
      s += `, grouping_sets=[${this.groupingSets.map((g) => `[${g.join(', ')}]`).join(', ')}]`;
    return s;
  }

  spec(): OperatorSpec {
    return {
      kind: 'HashAggregate',
      mode: this.mode,
      groupBy: this.groupBy.map((g) => ({ expr: exprSpec(g.expr), name: g.name })),
      aggregates: this.aggregates.map((a) => ({
        name: a.name,
        function: aggregateRef(a.function, a.name),
        args: a.args.map(exprSpec),
        filter: a.filter === null ? null : exprSpec(a.filter),
        distinct: a.distinct,
        type: a.type,
      })),
      groupingSets: this.groupingSets,
      groupingIdName: this.groupingIdName,
      schema: this.schema,
    };
  }
}

/**
 * The groups of a partial aggregate over clustered input: each batch's runs of equal keys, numbered
 * on from the batches before (a run that goes on from the last batch's stays its group), in
 * accumulators that are sent on and replaced every `batchSize` groups. The final aggregate merges
 * these rows with any other partial rows of the same keys.
 */
class RunGroups {
  private readonly schema: Schema;
  private readonly keyTypes: readonly DataType[];
  private readonly newAccumulators: () => GroupsAccumulator[];
  private accs: GroupsAccumulator[] | null = null;
  /** The first row of each run, per key column, batch by batch. */
  private keyParts: arrow.Data[][] = [];
  /** The last run's keys (a one-row slice), to continue it into the next batch. */
  private lastKeys: ColumnView[] | null = null;
  groups = 0;

  constructor(schema: Schema, keyTypes: readonly DataType[], newAccumulators: () => GroupsAccumulator[]) {
    this.schema = schema;
    this.keyTypes = keyTypes;
    this.newAccumulators = newAccumulators;
  }

  /** Adds a batch whose `runs` runs are numbered in `gids` (-1: skipped row), `starts` their first rows. */
  add(
    keyCols: readonly arrow.Data[],
    starts: Int32Array,
    runs: number,
    argCols: readonly (readonly arrow.Data[])[],
    gids: Int32Array,
    n: number,
    masks: readonly (Uint8Array | null)[],
  ): void {
    if (runs === 0) return;
    const accs = (this.accs ??= this.newAccumulators());
    // The batch's first run continues the last batch's when their keys are equal.
    const views = keyCols.map((k, c) => new ColumnView(k, this.keyTypes[c]!));
    const continues = this.lastKeys !== null && rowsEqual(views, starts[0]!, this.lastKeys, 0);
    const base = continues ? this.groups - 1 : this.groups;
    if (base !== 0) for (let i = 0; i < n; i++) if (gids[i]! >= 0) gids[i] = gids[i]! + base;
    const numGroups = base + runs;
    for (let a = 0; a < accs.length; a++) accs[a]!.update(argCols[a]!, gids, numGroups, n, masks[a]!);
    const fresh = continues ? starts.subarray(1, runs) : starts.subarray(0, runs);
    if (fresh.length > 0)
      this.keyParts.push(keyCols.map((k, c) => take(k, this.keyTypes[c]!, fresh, fresh.length)));
    const last = Int32Array.of(starts[runs - 1]!);
    this.lastKeys = keyCols.map(
      (k, c) => new ColumnView(take(k, this.keyTypes[c]!, last, 1), this.keyTypes[c]!),
    );
    this.groups = numGroups;
  }

  /** The groups so far as batches of keys and accumulator states (`batchSize` rows at most); starts anew. */
  *flush(batchSize: number): Generator<arrow.RecordBatch> {
    const cols = this.keyTypes.map((t, c) => {
      const parts = this.keyParts.map((p) => p[c]!);
      return parts.length === 1 ? parts[0]! : concatColumns(parts, t);
    });
    for (const acc of this.accs!) cols.push(...acc.state());
    const groups = this.groups;
    this.accs = null;
    this.keyParts = [];
    this.lastKeys = null;
    this.groups = 0;
    const types = this.schema.fields.map((f) => f.type);
    const size = Math.max(1, batchSize);
    for (let start = 0; start < groups; start += size) {
      const end = Math.min(groups, start + size);
      yield start === 0 && end === groups
        ? makeBatch(this.schema, cols, groups)
        : makeBatch(
            this.schema,
            cols.map((c, i) => sliceColumn(c, types[i]!, start, end)),
            end - start,
          );
    }
  }
}
