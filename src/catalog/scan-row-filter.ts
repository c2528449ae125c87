/**
 * How a scan applies the filter above it as it reads (`ScanRowFilter`, late materialization): the
 * rules every format shares — which steps go first, when a step keeps too many rows to be worth
 * narrowing for, how long such a step sits out — and the whole loop for columns already in memory
 * (a cached table's batches), where narrowing costs only the gathers of the columns kept.
 */
import type * as arrow from 'apache-arrow';
import type { DataType } from '../common/index.ts';
import type { ScanFilterStep, ScanRowFilter } from './types.ts';

/**
 * A step keeping more than this fraction of the rows left is not applied by the scan; the second
 * while nothing has been gathered yet (a Parquet scan with only dictionary indices to narrow).
 */
export const STEP_MAX_KEEP = 0.75;
export const STEP_MAX_KEEP_UNDECODED = 0.9;
/** Reads (row groups, batches) a step that kept too much sits out before it is tried again. */
const STEP_RETRY_AFTER = 4;

/**
 * `given`'s steps in the order a scan tries them: one-column steps first (they may be evaluated on
 * a dictionary, and spare the other steps' columns). Undefined when there is nothing to apply.
 */
export function orderedRowFilter(given: ScanRowFilter | undefined): ScanRowFilter | undefined {
  if (given === undefined || given.steps.length === 0) return undefined;
  return {
    take: given.take,
    steps: [
      ...given.steps.filter((t) => t.columns.length === 1),
      ...given.steps.filter((t) => t.columns.length !== 1),
    ],
  };
}

/** What one partition's read has learned of each step: reads to sit out before it is tried again. */
export class StepOutcomes {
  private readonly idle: Int32Array;
  constructor(steps: number) {
    this.idle = new Int32Array(steps);
  }
  /** Whether to try step `s` on this read (counting down its idle reads). */
  tryStep(s: number): boolean {
    if (this.idle[s] === 0) return true;
    this.idle[s]!--;
    return false;
  }
  missed(s: number): void {
    this.idle[s] = STEP_RETRY_AFTER;
  }
}

/**
 * The rows `step` keeps, or null when it raises: the scan may evaluate it on rows the filter above
 * would not (ones a step the scan skipped drops, a dictionary's other entries), so an error there
 * is not the query's.
 */
export function tryKeep(
  step: ScanFilterStep,
  columns: readonly arrow.Data[],
  rows: number,
): Int32Array | null {
  try {
    return step.keep(columns, rows);
  } catch {
    return null;
  }
}

/** `values[at[j]]` for each j. */
export function pick(values: Int32Array, at: Int32Array): Int32Array {
  const out = new Int32Array(at.length);
  for (let j = 0; j < at.length; j++) out[j] = values[at[j]!]!;
  return out;
}

/**
 * The rows of in-memory `columns` (of `types`, `rows` long) that `filter`'s steps keep: each step
 * reads its columns for the rows the earlier ones kept, and every column is gathered once, for
 * the survivors, at the end. Steps that keep most rows are skipped (the filter above applies its
 * whole predicate anyway). Returns the columns unchanged when no step narrowed.
 */
export function filterColumns(
  columns: readonly arrow.Data[],
  types: readonly DataType[],
  rows: number,
  filter: ScanRowFilter,
  outcomes: StepOutcomes,
): { readonly columns: readonly arrow.Data[]; readonly rows: number } {
  // The rows kept so far (null: all), and the columns gathered for exactly those rows.
  let selection: Int32Array | null = null;
  let count = rows;
  let gathered = new Map<number, arrow.Data>();
  const current = (c: number): arrow.Data => {
    if (selection === null) return columns[c]!;
    let column = gathered.get(c);
    if (column === undefined) {
      column = filter.take(columns[c]!, types[c]!, selection);
      gathered.set(c, column);
    }
    return column;
  };
  for (let s = 0; s < filter.steps.length && count > 0; s++) {
    if (!outcomes.tryStep(s)) continue;
    const step = filter.steps[s]!;
    const keep = tryKeep(
      step,
      step.columns.map((c) => current(c)),
      count,
    );
    if (keep === null) break;
    if (keep.length > count * STEP_MAX_KEEP) {
      outcomes.missed(s);
      continue;
    }
    // Columns gathered for the old selection narrow by `keep`; the rest wait until read.
    const narrowed = new Map<number, arrow.Data>();
    for (const [c, column] of gathered) narrowed.set(c, filter.take(column, types[c]!, keep));
    gathered = narrowed;
    // `keep` may be a view of the step's scratch buffer: the selection is a copy.
    selection = selection === null ? keep.slice() : pick(selection, keep);
    count = keep.length;
  }
  if (selection === null) return { columns, rows };
  return { columns: columns.map((_, c) => current(c)), rows: count };
}
