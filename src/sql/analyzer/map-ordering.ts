/**
 * Where map values may not go, as Spark's analysis rules them: maps have no order, so a comparison
 * (`=`, `<`, `<=>` …) or a sort key of a type holding a map is DATATYPE_MISMATCH.INVALID_ORDERING_TYPE
 * (42K09), and DISTINCT, INTERSECT, EXCEPT and UNION (without ALL) over a column of such a type are
 * UNSUPPORTED_FEATURE.SET_OPERATION_ON_MAP_TYPE (0A000). Grouping by a map is allowed (Spark 4 sorts
 * a map's entries for it); arrays and structs of orderable types are orderable.
 *
 * Calendar intervals (`interval`) have no order either: `<`, `>` … and sort keys of a type holding
 * one are INVALID_ORDERING_TYPE too, while `=`, `<>` and `<=>` compare them field by field.
 */
import {
  EngineError,
  SqlState,
  holdsCalendarInterval,
  typeToString,
  type DataType,
} from '../../common/index.ts';
import type { Attribute } from '../../plan/index.ts';

/** Whether `t` is or holds (at any depth) a map. */
export function holdsMap(t: DataType): boolean {
  switch (t.kind) {
    case 'map':
      return true;
    case 'array':
      return holdsMap(t.element);
    case 'struct':
      return t.fields.some((f) => holdsMap(f.type));
    default:
      return false;
  }
}

const EQUALITY_OPS: ReadonlySet<string> = new Set(['=', '==', '<>', '!=', '<=>']);

/**
 * Rejects ordering (a comparison `op`, or `sortorder`) on type `t` of `what` when it holds a map,
 * or a calendar interval unless `op` only tests equality.
 */
export function checkOrderable(t: DataType, what: string, op: string, pos: number | undefined): void {
  if (!holdsMap(t) && !(holdsCalendarInterval(t) && !EQUALITY_OPS.has(op))) return;
  throw new EngineError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.INVALID_ORDERING_TYPE] Cannot resolve "${what}" due to data type mismatch: The \`${op}\` does not support ordering on type "${typeToString(t).toUpperCase()}".`,
    { position: pos },
  );
}

/** Rejects a set operation (or DISTINCT) over `columns` when one of them holds a map. */
export function checkNoMapInSetOperation(columns: readonly Attribute[], pos: number | undefined): void {
  const column = columns.find((a) => holdsMap(a.type));
  if (column === undefined) return;
  throw new EngineError(
    SqlState.featureNotSupported,
    `[UNSUPPORTED_FEATURE.SET_OPERATION_ON_MAP_TYPE] The feature is not supported: Cannot have MAP type columns in DataFrame which calls set operations (INTERSECT, EXCEPT, etc.), but the type of column \`${column.name}\` is "${typeToString(column.type).toUpperCase()}".`,
    { position: pos },
  );
}
