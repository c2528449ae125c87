/**
 * Row-count estimates for join ordering: table statistics where the source offers them (the
 * catalog's TableProvider has `statistics()`), fixed selectivities otherwise. Rough on purpose;
 * only the relative sizes matter.
 */
import { outputOf, type Expr, type LogicalPlan, type TableSource } from '../../plan/index.ts';
import { splitConjuncts } from '../expr-utils.ts';

/** Rows assumed for a table without statistics. */
export const UNKNOWN_TABLE_ROWS = 1_000_000;

interface WithStatistics {
  statistics(): { readonly rowCount: number | null };
}

function hasStatistics(t: TableSource): t is TableSource & WithStatistics {
  return typeof (t as Partial<WithStatistics>).statistics === 'function';
}

export function tableRows(t: TableSource): number {
  if (!hasStatistics(t)) return UNKNOWN_TABLE_ROWS;
  try {
    return t.statistics().rowCount ?? UNKNOWN_TABLE_ROWS;
  } catch {
    return UNKNOWN_TABLE_ROWS;
  }
}

function selectivity(c: Expr): number {
  if (c.kind === 'binary') {
    if (c.op === '=' || c.op === '<=>') return 0.1;
    if (c.op === 'or') return Math.min(1, selectivity(c.left) + selectivity(c.right));
    if (c.op === '<' || c.op === '<=' || c.op === '>' || c.op === '>=') return 0.3;
    return 0.5;
  }
  if (c.kind === 'in_list') return Math.min(0.5, 0.1 * c.list.length);
  if (c.kind === 'call' && (c.name === 'like' || c.name === 'ilike')) return 0.2;
  return 0.5;
}

export function estimateRows(plan: LogicalPlan): number {
  switch (plan.kind) {
    case 'Scan':
      return plan.limit === null ? tableRows(plan.table) : Math.min(plan.limit, tableRows(plan.table));
    case 'Values':
      return plan.rows.length;
    case 'Range':
      return Math.max(
        0,
        Number((plan.end - plan.start + plan.step - (plan.step > 0n ? 1n : -1n)) / plan.step),
      );
    case 'Filter': {
      let rows = estimateRows(plan.input);
      for (const c of splitConjuncts(plan.predicate)) rows *= selectivity(c);
      return Math.max(1, rows);
    }
    case 'Project':
    case 'Sort':
    case 'Rename':
    case 'Window':
      return estimateRows(plan.input);
    case 'Limit':
      return plan.limit === null ? estimateRows(plan.input) : Math.min(plan.limit, estimateRows(plan.input));
    case 'Generate':
      // No statistics of array lengths: assume a few elements per row.
      return estimateRows(plan.input) * 4;
    case 'Aggregate':
      return plan.groupBy.length === 0 ? 1 : Math.max(1, estimateRows(plan.input) * 0.1);
    case 'Join': {
      const l = estimateRows(plan.left);
      const r = estimateRows(plan.right);
      switch (plan.joinType) {
        case 'left_semi':
        case 'left_anti':
          return Math.max(1, l * 0.5);
        case 'left_mark':
          return l;
        case 'cross':
          return l * r;
        case 'inner':
          return plan.condition === null ? l * r : Math.max(l, r);
        default:
          return Math.max(l, r);
      }
    }
    case 'SetOp':
      return estimateRows(plan.left) + estimateRows(plan.right);
    case 'RecursiveCte':
    case 'WorkTable':
      return UNKNOWN_TABLE_ROWS;
    default:
      return outputOf(plan).length > 0 ? UNKNOWN_TABLE_ROWS : 1;
  }
}
