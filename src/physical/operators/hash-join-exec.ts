/**
 * HashJoinExec: an equi-join (`=` keys, `<=>` null-safe keys) with an optional residual condition.
 *
 * Modes:
 * - `collect_build`: the build side (`buildSide`) is read completely (every partition: normally a
 *   broadcast exchange's one) once per query and executor (`ctx.scope`), and every probe
 *   partition is joined against it. The probe side may have any partitioning, except when the
 *   build side has rows to emit after probing (outer rows, semi/anti/mark on a left build): then
 *   it must be one partition. NOT IN (null-aware anti) and IN-as-a-value (mark) joins need it,
 *   since one NULL build key changes every probe row's answer.
 * - `partitioned`: both sides hashed on their keys into the same number of partitions; partition
 *   p builds from build partition p and probes with probe partition p.
 *
 * The build rows are concatenated into one batch; its distinct keys get dense ids in a `GroupHashTable` (keys inline
 * in the slots for a single fixed-width key), and its rows are grouped by key id in one flat
 * array (CSR: `starts[id] … starts[id + 1]` index `rows`, in build-row order). The other side is
 * probed a batch at a time: the batch's key ids are looked up at once, then (probe row, build row)
 * pairs are written into preallocated Int32Arrays and handed to the emitter a chunk at a time,
 * which gathers each output column with one `take`. A key with a NULL never matches unless its key
 * is null-safe.
 * Output: `schema` — left ++ right for inner/left/right/full, left for left_semi/left_anti,
 * left ++ [mark] for left_mark (see join-emitter.ts for every type's rules; `nullAware` gives
 * left_anti NOT IN semantics). One output partition per probe partition. Output batches have at
 * most `ctx.batchSize` rows.
 */
import type * as arrow from 'apache-arrow';
import type { ScanFilterStep, ScanRowFilter } from '../../catalog/index.ts';
import type { Schema } from '../../common/index.ts';
import { concatBatches } from '../batch/concat.ts';
import type {
  Distribution,
  ExecutionPlan,
  Partitioning,
  PhysicalExpr,
  TaskContext,
} from '../execution-plan.ts';
import { exprSpec, type OperatorSpec } from '../plan-spec.ts';
import { ColumnView } from '../batch/column-view.ts';
import { GroupHashTable } from '../batch/group-hash-table.ts';
import { rowsWithNullKey } from '../batch/key-equality.ts';
import { takeRows } from '../batch/take.ts';
import { batchBytes, checkCancelled, checkPartition, evaluateToColumn } from './exec-support.ts';
import { JoinEmitter, type JoinType } from './join-emitter.ts';
import { collectAll, collectPartition } from './collect.ts';
import { keyMembershipStep } from './key-filter-exec.ts';

export type HashJoinMode = 'collect_build' | 'partitioned';

export interface HashJoinExecOptions {
  readonly left: ExecutionPlan;
  readonly right: ExecutionPlan;
  /** Default `collect_build`. */
  readonly mode?: HashJoinMode;
  readonly joinType: JoinType;
  readonly leftKeys: readonly PhysicalExpr[];
  readonly rightKeys: readonly PhysicalExpr[];
  /** Per key: true for `<=>` (NULL matches NULL). */
  readonly nullSafe: readonly boolean[];
  /** Residual condition over left ++ right columns. */
  readonly filter: PhysicalExpr | null;
  readonly buildSide: 'left' | 'right';
  readonly nullAware: boolean;
  /**
   * left_mark / null-aware left_anti: whether a NULL key makes a row's answer unknown (IN
   * semantics). False when the keys are two-valued (correlation): a NULL key just never matches.
   * Defaults to true.
   */
  readonly nullKeysUnknown?: boolean;
  readonly schema: Schema;
}

interface BuildTable {
  readonly batch: arrow.RecordBatch;
  /** Distinct build keys → key ids. */
  readonly table: GroupHashTable;
  /**
   * Build rows of key id `g`: `rows[starts[g]] … rows[starts[g + 1] - 1]`, ascending; both null
   * when every build key is distinct, where key id `g` is build row `g` (ids follow first appearance).
   */
  readonly starts: Int32Array | null;
  readonly rows: Int32Array | null;
  readonly keyNull: Uint8Array | null;
}

export class HashJoinExec implements ExecutionPlan {
  readonly name = 'HashJoinExec';
  readonly options: HashJoinExecOptions;
  readonly mode: HashJoinMode;
  private readonly builds = new WeakMap<object, Promise<BuildTable>>();

  constructor(options: HashJoinExecOptions) {
    this.options = options;
    this.mode = options.mode ?? 'collect_build';
  }

  get schema(): Schema {
    return this.options.schema;
  }

  private get buildIsLeft(): boolean {
    return this.options.buildSide === 'left';
  }

  private get probe(): ExecutionPlan {
    return this.buildIsLeft ? this.options.right : this.options.left;
  }

  get outputPartitions(): number {
    return this.probe.outputPartitions;
  }

  get requiredInputDistribution(): readonly Distribution[] {
    const o = this.options;
    if (this.mode === 'partitioned') {
      return [
        { kind: 'hash', keys: o.leftKeys },
        { kind: 'hash', keys: o.rightKeys },
      ];
    }
    const probe: Distribution = JoinEmitter.emitsAtEnd(o.joinType, this.buildIsLeft)
      ? { kind: 'single' }
      : { kind: 'any' };
    const build: Distribution = { kind: 'broadcast' };
    return this.buildIsLeft ? [build, probe] : [probe, build];
  }

  /** Joins that keep every left column of the rows they emit keep a partitioning of the left probe. */
  get partitioning(): Partitioning {
    const keepsLeft = ['inner', 'left', 'left_semi', 'left_anti', 'left_mark'].includes(
      this.options.joinType,
    );
    if (keepsLeft && (this.mode === 'partitioned' || !this.buildIsLeft))
      return this.options.left.partitioning;
    return { kind: 'unknown', count: this.outputPartitions };
  }

  children(): readonly ExecutionPlan[] {
    return [this.options.left, this.options.right];
  }

  withChildren(children: readonly ExecutionPlan[]): ExecutionPlan {
    return new HashJoinExec({ ...this.options, left: children[0]!, right: children[1]! });
  }

  /** The build table of `partition`: shared by every partition of a query in collect_build mode. */
  private buildTable(partition: number, ctx: TaskContext): Promise<BuildTable> {
    if (this.mode === 'partitioned') return this.makeBuildTable(partition, ctx);
    let p = this.builds.get(ctx.scope);
    if (p === undefined) {
      p = this.makeBuildTable(null, ctx);
      this.builds.set(ctx.scope, p);
    }
    return p;
  }

  private async makeBuildTable(partition: number | null, ctx: TaskContext): Promise<BuildTable> {
    const side = this.buildIsLeft ? this.options.left : this.options.right;
    const keyExprs = this.buildIsLeft ? this.options.leftKeys : this.options.rightKeys;
    // Held until the task ends (a collected build table serves every task of the query here).
    const reservation = ctx.memory.reserve(this.name);
    const batches =
      partition === null
        ? await collectAll(side, ctx, reservation)
        : await collectPartition(side, partition, ctx, reservation);
    const batch = concatBatches(batches, side.schema);
    if (batches.length > 1) reservation.grow(batchBytes(batch));
    const n = batch.numRows;
    const keyCols = keyExprs.map((e) => evaluateToColumn(e, batch, ctx));
    const views = keyCols.map((c, i) => new ColumnView(c, keyExprs[i]!.type));
    const keyNull = rowsWithNullKey(views, this.options.nullSafe, n);
    const table = new GroupHashTable(
      keyExprs.map((e) => e.type),
      n,
    );
    const ids = new Int32Array(n);
    table.findOrInsert(keyCols, n, ids);
    reservation.grow(table.size() + ids.byteLength);
    const groups = table.numGroups;
    // A build row with a NULL in a plain key never shares its key id with a probe row that can
    // match (such probe rows have no NULL there), so distinct keys need no row lists at all.
    if (groups === n) return { batch, table, starts: null, rows: null, keyNull };
    const starts = new Int32Array(groups + 1);
    for (let i = 0; i < n; i++) if (keyNull === null || keyNull[i] === 0) starts[ids[i]! + 1]!++;
    for (let g = 0; g < groups; g++) starts[g + 1]! += starts[g]!;
    const rows = new Int32Array(starts[groups]!);
    reservation.grow(starts.byteLength + rows.byteLength);
    const fill = starts.slice(0, groups);
    for (let i = 0; i < n; i++) {
      if (keyNull !== null && keyNull[i] === 1) continue;
      rows[fill[ids[i]!]!++] = i;
    }
    return { batch, table, starts, rows, keyNull };
  }

  /** See `probeDropsUnmatched` below. */
  private get probeDropsUnmatched(): boolean {
    return probeDropsUnmatched(this.options.joinType, this.buildIsLeft, this.options.nullAware);
  }

  /**
   * The build keys as a filter step the probe side may apply as it reads (a Parquet scan, late-
   * materialized: lineitem's other columns decoded only for rows whose l_suppkey is a Saudi
   * supplier's). Null unless every probe key is a plain column and unmatched probe rows are dropped.
   */
  private probeKeyStep(keyTable: GroupHashTable): ScanFilterStep | null {
    if (!this.probeDropsUnmatched) return null;
    const o = this.options;
    return keyMembershipStep(keyTable, this.buildIsLeft ? o.rightKeys : o.leftKeys, o.nullSafe);
  }

  execute(partition: number, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    return this.run(partition, ctx, undefined);
  }

  /**
   * `execute` under a filter from above: its steps over probe-side columns go on to the probe side
   * with the join's own key step (a row they drop would make no output row the filter keeps) —
   * unless build rows are emitted by whether probe rows match them (outer and anti joins on the
   * build side, semi joins building the output), where a dropped probe row would change them.
   */
  executeFiltered(
    partition: number,
    ctx: TaskContext,
    rowFilter: ScanRowFilter,
  ): AsyncGenerator<arrow.RecordBatch> {
    return this.run(partition, ctx, rowFilter);
  }

  /** Steps of `above` (over this join's output) as steps over the probe side's columns. */
  private probeStepsOf(above: ScanRowFilter | undefined): ScanFilterStep[] {
    if (above === undefined) return [];
    const o = this.options;
    const t = o.joinType;
    const buildDependsOnProbe =
      t === 'full' ||
      (t === 'left' && this.buildIsLeft) ||
      (t === 'right' && !this.buildIsLeft) ||
      ((t === 'left_semi' || t === 'left_anti' || t === 'left_mark') && this.buildIsLeft);
    if (buildDependsOnProbe) return [];
    const leftWidth = o.left.schema.fields.length;
    const keepsRight = t !== 'left_semi' && t !== 'left_anti' && t !== 'left_mark';
    const steps: ScanFilterStep[] = [];
    for (const step of above.steps) {
      const columns: number[] = [];
      for (const c of step.columns) {
        const probeColumn = this.buildIsLeft ? (keepsRight ? c - leftWidth : -1) : c < leftWidth ? c : -1;
        if (probeColumn < 0) break;
        columns.push(probeColumn);
      }
      if (columns.length === step.columns.length) steps.push({ columns, keep: step.keep });
    }
    return steps;
  }

  private async *run(
    partition: number,
    ctx: TaskContext,
    above: ScanRowFilter | undefined,
  ): AsyncGenerator<arrow.RecordBatch> {
    checkPartition(this.name, partition, this.outputPartitions);
    checkCancelled(ctx);
    const o = this.options;
    const table = await this.buildTable(partition, ctx);
    checkCancelled(ctx);
    const emitter = new JoinEmitter({
      joinType: o.joinType,
      buildIsLeft: this.buildIsLeft,
      condition: o.filter,
      leftSchema: o.left.schema,
      rightSchema: o.right.schema,
      schema: o.schema,
      nullAware: o.nullAware,
      build: table.batch,
      buildKeyNull: o.nullKeysUnknown === false ? null : table.keyNull,
      ctx,
    });
    const probeKeys = this.buildIsLeft ? o.rightKeys : o.leftKeys;
    const chunk = Math.max(1, ctx.batchSize);
    const probeIdx = new Int32Array(chunk);
    const buildIdx = new Int32Array(chunk);
    const cursor = new Int32Array(2);
    const { table: keyTable, starts, rows } = table;
    let ids = new Int32Array(0);
    const probeSide = this.probe;
    const steps =
      probeSide.executeFiltered === undefined
        ? []
        : [
            ...this.probeStepsOf(above),
            ...(this.mode === 'collect_build' ? [this.probeKeyStep(keyTable)].filter((t) => t !== null) : []),
          ];
    const probes =
      steps.length === 0
        ? probeSide.execute(partition, ctx)
        : probeSide.executeFiltered!(partition, ctx, { steps, take: takeRows });
    for await (const probe of probes) {
      checkCancelled(ctx);
      const n = probe.numRows;
      if (n === 0) continue;
      const keyCols = probeKeys.map((e) => evaluateToColumn(e, probe, ctx));
      const views = keyCols.map((c, i) => new ColumnView(c, probeKeys[i]!.type));
      const keyNull = rowsWithNullKey(views, o.nullSafe, n);
      if (ids.length < n) ids = new Int32Array(Math.max(n, ids.length * 2));
      keyTable.find(keyCols, n, ids);
      if (keyNull !== null) for (let i = 0; i < n; i++) if (keyNull[i] === 1) ids[i] = -1;
      const matched = new Uint8Array(n);
      const unknown = new Uint8Array(n);
      cursor[0] = 0;
      cursor[1] = -1;
      while (cursor[0] < n) {
        const count =
          starts === null || rows === null
            ? fillUniquePairs(ids, n, cursor, probeIdx, buildIdx, chunk)
            : fillPairs(ids, n, starts, rows, cursor, probeIdx, buildIdx, chunk);
        yield* emitter.candidates(probe, probeIdx, buildIdx, count, matched, unknown);
        checkCancelled(ctx);
      }
      yield* emitter.finishProbe(probe, matched, unknown, o.nullKeysUnknown === false ? null : keyNull);
    }
    yield* emitter.finishBuild();
  }

  explain(): string {
    const o = this.options;
    const on = o.leftKeys.map(
      (l, i) => `${l.toString()} ${o.nullSafe[i] === true ? '<=>' : '='} ${o.rightKeys[i]!.toString()}`,
    );
    let s = `HashJoinExec: mode=${this.mode}, type=${o.joinType}, on=[${on.join(', ')}]`;
    if (o.filter !== null) s += `, filter=${o.filter.toString()}`;
    s += `, build=${o.buildSide}`;
    if (o.nullAware) s += ', null_aware=true';
    return s;
  }

  spec(): OperatorSpec {
    const o = this.options;
    return {
      kind: 'HashJoin',
      mode: this.mode,
      joinType: o.joinType,
      leftKeys: o.leftKeys.map(exprSpec),
      rightKeys: o.rightKeys.map(exprSpec),
      nullSafe: o.nullSafe,
      filter: o.filter === null ? null : exprSpec(o.filter),
      buildSide: o.buildSide,
      nullAware: o.nullAware,
      nullKeysUnknown: o.nullKeysUnknown ?? true,
      schema: o.schema,
    };
  }
}

/**
 * Whether a probe row whose key is in no build row can make no output row of a join of `joinType`
 * building on the left (`buildIsLeft`) or right: then the probe side may drop it before the join.
 * Not for the preserved side of an outer or anti join, nor for NOT IN and IN-as-a-value
 * (`nullAware`, mark joins), whose answers NULL keys change.
 */
export function probeDropsUnmatched(joinType: JoinType, buildIsLeft: boolean, nullAware: boolean): boolean {
  if (nullAware) return false;
  switch (joinType) {
    case 'inner':
    case 'left_semi':
      return true;
    case 'left':
    case 'left_anti':
      return buildIsLeft;
    case 'right':
      return !buildIsLeft;
    case 'full':
    case 'left_mark':
      return false;
  }
}

/**
 * Writes up to `chunk` (probe row, build row) pairs for probe rows whose key id is in `ids` (-1 =
 * no match), resuming at `cursor` = [probe row, position in `rows` or -1 to start the row's
 * range]; leaves `cursor` where the next call goes on (`cursor[0] === n` when done).
 */
function fillPairs(
  ids: Int32Array,
  n: number,
  starts: Int32Array,
  rows: Int32Array,
  cursor: Int32Array,
  probeIdx: Int32Array,
  buildIdx: Int32Array,
  chunk: number,
): number {
  let i = cursor[0]!;
  let k = cursor[1]!;
  let count = 0;
  for (; i < n; i++, k = -1) {
    const g = ids[i]!;
    if (g < 0) continue;
    if (k < 0) k = starts[g]!;
    const end = starts[g + 1]!;
    while (k < end) {
      if (count === chunk) {
        cursor[0] = i;
        cursor[1] = k;
        return count;
      }
      probeIdx[count] = i;
      buildIdx[count++] = rows[k++]!;
    }
  }
  cursor[0] = n;
  cursor[1] = -1;
  return count;
}

/** `fillPairs` when key id `g` is build row `g` (every build key distinct). */
function fillUniquePairs(
  ids: Int32Array,
  n: number,
  cursor: Int32Array,
  probeIdx: Int32Array,
  buildIdx: Int32Array,
  chunk: number,
): number {
  let i = cursor[0]!;
  let count = 0;
  for (; i < n && count < chunk; i++) {
    const g = ids[i]!;
    if (g < 0) continue;
    probeIdx[count] = i;
    buildIdx[count++] = g;
  }
  cursor[0] = i;
  return count;
}
