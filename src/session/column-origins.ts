/**
 * Where each result column comes from, as PostgreSQL's RowDescription tells it: the table's OID
 * and the column's number (`pg_class.oid`, `pg_attribute.attnum`) for a column read straight from a
 * table — through filters, sorts, joins, renames, plain-column projections and GROUP BY keys —
 * and none for a computed one; a view's columns are the view's, whatever they are computed from. JDBC drivers look these up for `ResultSetMetaData.getTableName`,
 * `isNullable` and the like.
 */
import { assertNever } from '../common/index.ts';
import { outputOf, planChildren, type LogicalPlan, type NamedExpr } from '../plan/index.ts';
import { relationOid } from './pg-catalog.ts';
import type { ColumnOrigin } from './types.ts';

/** The origin of each output column of an analyzed plan; null where it is computed. */
export function columnOrigins(plan: LogicalPlan): (ColumnOrigin | null)[] {
  const byId = new Map<number, ColumnOrigin>();
  collect(plan, byId);
  return outputOf(plan).map((a) => byId.get(a.id) ?? null);
}

function collect(plan: LogicalPlan, byId: Map<number, ColumnOrigin>): void {
  for (const child of planChildren(plan)) collect(child, byId);
  const carry = (named: readonly NamedExpr[]): void => {
    for (const n of named) {
      if (n.expr.kind !== 'column') continue;
      const origin = byId.get(n.expr.attr.id);
      if (origin !== undefined) byId.set(n.attr.id, origin);
    }
  };
  switch (plan.kind) {
    case 'Scan': {
      const name = plan.table.qualifiedName;
      if (name.length !== 2) return;
      const tableOid = relationOid(name[0]!, name[1]!);
      plan.tableOutput.forEach((a, i) => byId.set(a.id, { tableOid, column: i + 1 }));
      return;
    }
    case 'Project':
      carry(plan.exprs);
      if (plan.view?.length === 2) {
        const tableOid = relationOid(plan.view[0]!, plan.view[1]!);
        plan.exprs.forEach((n, i) => byId.set(n.attr.id, { tableOid, column: i + 1 }));
      }
      return;
    case 'Aggregate':
      carry(plan.groupBy);
      return;
    case 'Rename': {
      const input = outputOf(plan.input);
      plan.output.forEach((a, i) => {
        const origin = byId.get(input[i]?.id ?? -1);
        if (origin !== undefined) byId.set(a.id, origin);
      });
      return;
    }
    case 'Values':
    case 'Range':
    case 'Filter':
    case 'Sort':
    case 'Limit':
    case 'Join':
    case 'Window':
    case 'Generate':
    case 'SetOp':
    case 'RecursiveCte':
    case 'WorkTable':
      // Their columns keep their inputs' ids, or are new and computed.
      return;
    default:
      assertNever(plan, 'plan node');
  }
}
