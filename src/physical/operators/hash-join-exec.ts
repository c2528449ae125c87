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
 *
 * Over the memory budget (a grace hash join, when the task can spill): when the budget refuses the
 * build side's rows or its table, both sides are written to disk in `SPILL_FANOUT` spill partitions
 * by a hash of their keys (`SpillPartitioner`): the build rows read so far, the rest of the build
 * side, then the probe side. Each pair of partitions is then joined in memory as above, one after
 * the other. A build partition still too large is split again with the next level's hash (at most
 * `SPILL_LEVELS` levels); one whose rows share a key (so cannot be split) fails with 53200. Rows
 * with a NULL key never match and are spread over the partitions; the answers that depend on the
 * whole other side (a NULL key against an empty or non-empty side, NOT IN against a build side
 * with a NULL key) take its totals (`SideTotals`), not the partition's. A collected build side is
 * shared by the tasks of a query only when it fits: over the budget, each task partitions the
 * whole build side into its own spill files. Every spill file is removed once its partition is
 * joined, and all of them however the join ends.
 * Output: `schema` — left ++ right for inner/left/right/full, left for left_semi/left_anti,
 * left ++ [mark] for left_mark (see join-emitter.ts for every type's rules; `nullAware` gives
 * left_anti NOT IN semantics). One output partition per probe partition. Output batches have at
 * most `ctx.batchSize` rows.
 */
import type * as arrow from 'apache-arrow';
import type { ScanFilterStep, ScanRowFilter } from '../../catalog/index.ts';
import { EngineError, SqlState, type Schema } from '../../common/index.ts';
import { concatBatches } from '../batch/concat.ts';
import { SPILL_LEVELS } from '../batch/partition.ts';
import type {
  Distribution,
  ExecutionPlan,
  MemoryReservation,
  Partitioning,
  PhysicalExpr,
  SpillFile,
  SpillSpace,
  TaskContext,
} from '../execution-plan.ts';
import { exprSpec, type OperatorSpec } from '../plan-spec.ts';
import { ColumnView } from '../batch/column-view.ts';
import { GroupHashTable } from '../batch/group-hash-table.ts';
import { rowsWithNullKey } from '../batch/key-equality.ts';
import { takeRows } from '../batch/take.ts';
import { batchBytes, checkCancelled, checkPartition, evaluateToColumn } from './exec-support.ts';
import { JoinEmitter, type JoinType, type SideTotals } from './join-emitter.ts';
import { keyMembershipStep } from './key-filter-exec.ts';
import { SpillPartitioner, type SpillPartition } from './spill-partitioner.ts';

/** The spill partitions a join over its memory budget splits each side into, at every level. */
const SPILL_FANOUT = 16;

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
  readonly kind: 'table';
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

/**
 * A build side the memory budget refused: the rows read so far (the last one refused, the others
 * held by `reservation`) and the rest of the input (null when read to the end).
 */
interface BuildOverflow {
  readonly kind: 'overflow';
  readonly gathered: arrow.RecordBatch[];
  readonly rest: AsyncIterator<arrow.RecordBatch> | null;
  readonly reservation: MemoryReservation;
}

/** The totals of both whole sides, for the partitions of a grace join. */
interface JoinTotals {
  readonly build: SideTotals;
  readonly probe: SideTotals;
}

export class HashJoinExec implements ExecutionPlan {
  readonly name = 'HashJoinExec';
  readonly options: HashJoinExecOptions;
  readonly mode: HashJoinMode;
  private readonly builds = new WeakMap<object, Promise<BuildTable | null>>();

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

  private get buildPlan(): ExecutionPlan {
    return this.buildIsLeft ? this.options.left : this.options.right;
  }

  private get buildKeys(): readonly PhysicalExpr[] {
    return this.buildIsLeft ? this.options.leftKeys : this.options.rightKeys;
  }

  private get probeKeys(): readonly PhysicalExpr[] {
    return this.buildIsLeft ? this.options.rightKeys : this.options.leftKeys;
  }

  /**
   * The build table of `partition`, or what the memory budget refused of it. A collected build
   * table is shared by every partition of a query (`ctx.scope`) when it fits; when it does not,
   * the task that read it goes on from what it read, and the others get null: each task joins
   * through its own spill files.
   */
  private buildTable(partition: number, ctx: TaskContext): Promise<BuildTable | BuildOverflow | null> {
    if (this.mode === 'partitioned')
      return this.loadBuild(this.buildInput(partition, ctx), ctx, ctx.spill !== undefined);
    const shared = this.builds.get(ctx.scope);
    if (shared !== undefined) return shared;
    const own = this.loadBuild(this.buildInput(null, ctx), ctx, ctx.spill !== undefined);
    const forOthers = own.then((b) => (b.kind === 'table' ? b : null));
    // Its failure is the reading task's; the others see it only if they wait for it.
    forOthers.catch(() => undefined);
    this.builds.set(ctx.scope, forOthers);
    return own;
  }

  /** The build side's batches: of one partition, or (null) of every partition in order. */
  private async *buildInput(partition: number | null, ctx: TaskContext): AsyncGenerator<arrow.RecordBatch> {
    const side = this.buildPlan;
    if (partition !== null) {
      yield* side.execute(partition, ctx);
      return;
    }
    for (let p = 0; p < side.outputPartitions; p++) yield* side.execute(p, ctx);
  }

  /**
   * Reads the build side and makes its table, reserving as it goes (held until the task ends: a
   * collected build table serves every task of the query here). When the budget refuses and the
   * join may spill (`spillable`), what was read is returned instead; otherwise 53200.
   */
  private async loadBuild(
    input: AsyncIterator<arrow.RecordBatch>,
    ctx: TaskContext,
    spillable: boolean,
  ): Promise<BuildTable | BuildOverflow> {
    const reservation = ctx.memory.reserve(this.name);
    const gathered: arrow.RecordBatch[] = [];
    for (;;) {
      const next = await input.next();
      if (next.done === true) break;
      checkCancelled(ctx);
      const batch = next.value;
      if (batch.numRows === 0) continue;
      const bytes = batchBytes(batch);
      if (!reservation.tryGrow(bytes)) {
        if (spillable) {
          gathered.push(batch);
          return { kind: 'overflow', gathered, rest: input, reservation };
        }
        reservation.grow(bytes);
      }
      gathered.push(batch);
    }
    return (
      this.tableOf(gathered, ctx, reservation, spillable) ?? {
        kind: 'overflow',
        gathered,
        rest: null,
        reservation,
      }
    );
  }

  /**
   * The build table of `gathered` (whose bytes `reservation` holds), or null when the budget
   * refuses it and `spillable`: then `gathered` (concatenated into one batch if that fitted) is
   * still held by `reservation`, and nothing more.
   */
  private tableOf(
    gathered: arrow.RecordBatch[],
    ctx: TaskContext,
    reservation: MemoryReservation,
    spillable: boolean,
  ): BuildTable | null {
    const more = (bytes: number): boolean => {
      if (reservation.tryGrow(bytes)) return true;
      if (spillable) return false;
      reservation.grow(bytes);
      return true;
    };
    const keyExprs = this.buildKeys;
    const batch = gathered.length === 1 ? gathered[0]! : concatBatches(gathered, this.buildPlan.schema);
    if (gathered.length > 1) {
      const bytes = batchBytes(batch);
      if (!more(bytes)) return null;
      // The concatenated copy replaces the batches it was made of.
      reservation.resize(bytes);
      gathered.splice(0, gathered.length, batch);
    }
    const n = batch.numRows;
    const keyCols = keyExprs.map((e) => evaluateToColumn(e, batch, ctx));
    const views = keyCols.map((c, i) => new ColumnView(c, keyExprs[i]!.type));
    const keyNull = rowsWithNullKey(views, this.options.nullSafe, n);
    // A table sized for n distinct keys when the budget has room for one (a spilling join asks
    // first); else one that grows with the keys (few, when they repeat), and is then reserved.
    const guess = TABLE_BYTES_PER_ROW * n;
    const guessed = spillable && reservation.tryGrow(guess);
    const table = new GroupHashTable(
      keyExprs.map((e) => e.type),
      guessed || !spillable ? n : Math.min(n, SMALL_TABLE_ROWS),
    );
    const ids = new Int32Array(n);
    table.findOrInsert(keyCols, n, ids);
    const tableBytes = table.size() + ids.byteLength;
    const reserved = guessed ? guess : 0;
    if (tableBytes <= reserved) reservation.shrink(reserved - tableBytes);
    else if (!more(tableBytes - reserved)) {
      reservation.shrink(reserved);
      return null;
    }
    const groups = table.numGroups;
    // A build row with a NULL in a plain key never shares its key id with a probe row that can
    // match (such probe rows have no NULL there), so distinct keys need no row lists at all.
    if (groups === n) return { kind: 'table', batch, table, starts: null, rows: null, keyNull };
    const starts = new Int32Array(groups + 1);
    for (let i = 0; i < n; i++) if (keyNull === null || keyNull[i] === 0) starts[ids[i]! + 1]!++;
    for (let g = 0; g < groups; g++) starts[g + 1]! += starts[g]!;
    if (!more(starts.byteLength + 4 * starts[groups]!)) {
      reservation.shrink(tableBytes);
      return null;
    }
    const rows = new Int32Array(starts[groups]!);
    const fill = starts.slice(0, groups);
    for (let i = 0; i < n; i++) {
      if (keyNull !== null && keyNull[i] === 1) continue;
      rows[fill[ids[i]!]!++] = i;
    }
    return { kind: 'table', batch, table, starts, rows, keyNull };
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
    const built = await this.buildTable(partition, ctx);
    checkCancelled(ctx);
    const probeSteps = this.probeStepsOf(above);
    if (built === null || built.kind === 'overflow') {
      const spill = ctx.spill;
      if (spill === undefined) {
        throw new EngineError(
          SqlState.outOfMemory,
          `[UNABLE_TO_ACQUIRE_MEMORY] ${this.name}: the build side does not fit in the memory budget and this task cannot spill`,
        );
      }
      const overflow: BuildOverflow = built ?? {
        kind: 'overflow',
        gathered: [],
        rest: this.buildInput(null, ctx),
        reservation: ctx.memory.reserve(this.name),
      };
      yield* this.graceJoin(overflow, this.probeInput(partition, ctx, probeSteps), ctx, spill);
      return;
    }
    const keyStep = this.mode === 'collect_build' ? this.probeKeyStep(built.table) : null;
    const probes = this.probeInput(partition, ctx, keyStep === null ? probeSteps : [...probeSteps, keyStep]);
    const emitter = this.emitter(built, ctx, null);
    yield* this.probeAll(built, emitter, probes, ctx);
    yield* emitter.finishBuild();
  }

  /** Partition `partition` of the probe side, through `steps` when it can apply them. */
  private probeInput(
    partition: number,
    ctx: TaskContext,
    steps: readonly ScanFilterStep[],
  ): AsyncIterable<arrow.RecordBatch> {
    const side = this.probe;
    return steps.length === 0 || side.executeFiltered === undefined
      ? side.execute(partition, ctx)
      : side.executeFiltered(partition, ctx, { steps: [...steps], take: takeRows });
  }

  private emitter(table: BuildTable, ctx: TaskContext, totals: JoinTotals | null): JoinEmitter {
    const o = this.options;
    return new JoinEmitter({
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
      ...(totals === null ? {} : { wholeBuild: totals.build, wholeProbe: totals.probe }),
    });
  }

  /** Probes `table` with every batch of `probes`: the pairs, then each batch's own rows to emit. */
  private async *probeAll(
    table: BuildTable,
    emitter: JoinEmitter,
    probes: AsyncIterable<arrow.RecordBatch>,
    ctx: TaskContext,
  ): AsyncGenerator<arrow.RecordBatch> {
    const o = this.options;
    const probeKeys = this.probeKeys;
    const chunk = Math.max(1, ctx.batchSize);
    const probeIdx = new Int32Array(chunk);
    const buildIdx = new Int32Array(chunk);
    const cursor = new Int32Array(2);
    const { table: keyTable, starts, rows } = table;
    let ids = new Int32Array(0);
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
  }

  /**
   * The join over the memory budget: the build side (what `overflow` read, then the rest), then
   * the probe side, written to spill partitions, joined pair by pair.
   */
  private async *graceJoin(
    overflow: BuildOverflow,
    probes: AsyncIterable<arrow.RecordBatch>,
    ctx: TaskContext,
    spill: SpillSpace,
  ): AsyncGenerator<arrow.RecordBatch> {
    const made: SpillPartitioner[] = [];
    const partitioner = (side: 'build' | 'probe', level: number): SpillPartitioner => {
      const build = side === 'build';
      const p = new SpillPartitioner({
        consumer: this.name,
        schema: (build ? this.buildPlan : this.probe).schema,
        keys: build ? this.buildKeys : this.probeKeys,
        nullSafe: this.options.nullSafe,
        count: SPILL_FANOUT,
        level,
        spill,
        ctx,
      });
      made.push(p);
      return p;
    };
    try {
      const build = partitioner('build', 0);
      const { gathered, reservation } = overflow;
      while (gathered.length > 0) {
        // Its pieces take its place in the budget.
        const batch = gathered.shift()!;
        reservation.shrink(batchBytes(batch));
        await build.add(batch);
      }
      reservation.free();
      if (overflow.rest !== null) {
        for (;;) {
          const next = await overflow.rest.next();
          if (next.done === true) break;
          await build.add(next.value);
        }
      }
      const buildParts = await build.finish();
      const probe = partitioner('probe', 0);
      for await (const batch of probes) await probe.add(batch);
      const probeParts = await probe.finish();
      // NULL keys that make answers unknown (see JoinEmitterOptions.buildKeyNull).
      const unknowable = this.options.nullKeysUnknown !== false;
      const totals: JoinTotals = {
        build: { rows: build.rows, hasNullKey: unknowable && build.nullKeyRows > 0 },
        probe: { rows: probe.rows, hasNullKey: unknowable && probe.nullKeyRows > 0 },
      };
      // The overflow's reservation, free again, holds each pair's build table in turn.
      for (let p = 0; p < SPILL_FANOUT; p++)
        yield* this.joinSpilled(buildParts[p]!, probeParts[p]!, 1, totals, ctx, partitioner, reservation);
    } finally {
      for (const p of made) p.remove();
      overflow.reservation.free();
      await overflow.rest?.return?.();
    }
  }

  /**
   * Joins one pair of spill partitions in memory, or splits them again at `level` when the build
   * partition does not fit. Removes their files as it is done with them.
   */
  private async *joinSpilled(
    build: SpillPartition,
    probe: SpillPartition,
    level: number,
    totals: JoinTotals,
    ctx: TaskContext,
    partitioner: (side: 'build' | 'probe', level: number) => SpillPartitioner,
    reservation: MemoryReservation,
  ): AsyncGenerator<arrow.RecordBatch> {
    const o = this.options;
    const removeAll = (): void => {
      for (const f of build.files) f.remove();
      for (const f of probe.files) f.remove();
    };
    // Nothing to emit: no probe rows and no build rows emitted after probing, or no build rows
    // and probe rows that need one.
    if (
      (probe.rows === 0 && !JoinEmitter.emitsAtEnd(o.joinType, this.buildIsLeft)) ||
      (build.rows === 0 && probeDropsUnmatched(o.joinType, this.buildIsLeft, o.nullAware))
    ) {
      removeAll();
      return;
    }
    try {
      const gathered: arrow.RecordBatch[] = [];
      let fits = true;
      read: for (const f of build.files) {
        for await (const batch of f.read()) {
          checkCancelled(ctx);
          if (!reservation.tryGrow(batchBytes(batch))) {
            fits = false;
            break read;
          }
          gathered.push(batch);
        }
      }
      const table = fits ? this.tableOf(gathered, ctx, reservation, true) : null;
      if (table === null) {
        gathered.length = 0;
        reservation.free();
        yield* this.splitSpilled(build, probe, level, totals, ctx, partitioner, reservation);
        return;
      }
      for (const f of build.files) f.remove();
      const emitter = this.emitter(table, ctx, totals);
      yield* this.probeAll(table, emitter, readFiles(probe.files), ctx);
      yield* emitter.finishBuild();
      removeAll();
    } finally {
      reservation.free();
    }
  }

  /** Splits a pair of spill partitions whose build side does not fit with the hash of `level`. */
  private async *splitSpilled(
    build: SpillPartition,
    probe: SpillPartition,
    level: number,
    totals: JoinTotals,
    ctx: TaskContext,
    partitioner: (side: 'build' | 'probe', level: number) => SpillPartitioner,
    reservation: MemoryReservation,
  ): AsyncGenerator<arrow.RecordBatch> {
    if (level >= SPILL_LEVELS) throw this.buildTooLarge(build, false);
    const subBuild = await this.respill(build, partitioner('build', level));
    // All the rows that can match went to one part again (rows with a NULL key are dealt in
    // turn): they share one key (or its hash), which no split will part.
    if (build.keyedRows >= build.rows / 2 && subBuild.some((p) => p.keyedRows === build.keyedRows))
      throw this.buildTooLarge(build, true);
    const subProbe = await this.respill(probe, partitioner('probe', level));
    for (let p = 0; p < SPILL_FANOUT; p++)
      yield* this.joinSpilled(subBuild[p]!, subProbe[p]!, level + 1, totals, ctx, partitioner, reservation);
  }

  /** The rows of `part` dealt again by `to`; removes `part`'s files. */
  private async respill(part: SpillPartition, to: SpillPartitioner): Promise<SpillPartition[]> {
    for (const f of part.files) {
      for await (const batch of f.read()) await to.add(batch);
      f.remove();
    }
    return to.finish();
  }

  private buildTooLarge(part: SpillPartition, oneKey: boolean): EngineError {
    const mib = (part.bytes / (1024 * 1024)).toFixed(1);
    const what = oneKey
      ? `${part.keyedRows} build rows share one join key (${mib} MiB in their spill partition)`
      : `a part of the build side of ${part.rows} rows (${mib} MiB) still does not fit after ${SPILL_LEVELS} splits`;
    return new EngineError(
      SqlState.outOfMemory,
      `[UNABLE_TO_ACQUIRE_MEMORY] ${this.name} cannot join within the query's memory budget even by spilling: ${what}`,
      {
        hint: "raise kindling.memory.query_limit (SET kindling.memory.query_limit = '2GB'), or join on more selective keys",
      },
    );
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
 * Bytes a row of a build table's hash table and key ids take at most when every key is distinct:
 * reserved before the table is made.
 */
const TABLE_BYTES_PER_ROW = 20;
/** The rows a build table starts with when the budget has no room for one of every row. */
const SMALL_TABLE_ROWS = 1024;

/** The batches of spill files, one file after the other. */
async function* readFiles(files: readonly SpillFile[]): AsyncGenerator<arrow.RecordBatch> {
  for (const f of files) yield* f.read();
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
