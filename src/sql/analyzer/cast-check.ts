/**
 * Which casts Spark 4 resolves under ANSI rules (CAST and TRY_CAST): a cast outside them is an
 * analysis error, `[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION]` (42K09), not a run-time one. With
 * ANSI off Spark's legacy casts are wider; the analyzer does not check those.
 */
import { SqlState, isNumeric, typeToString, type DataType } from '../../common/index.ts';
import { analysisError } from './errors.ts';

function isIntegralKind(t: DataType): boolean {
  return t.kind === 'tinyint' || t.kind === 'smallint' || t.kind === 'int' || t.kind === 'bigint';
}

/** An interval type with one field (`INTERVAL DAY`, `INTERVAL MONTH`…). */
function singleField(t: DataType): boolean {
  if (t.kind !== 'interval_day_time' && t.kind !== 'interval_year_month') return false;
  return t.startField !== undefined && t.startField === (t.endField ?? t.startField);
}

/** Spark's `Cast.canAnsiCast`. */
export function canAnsiCast(from: DataType, to: DataType): boolean {
  if (from.kind === 'null') return true;
  if (from.kind === to.kind && from.kind !== 'array' && from.kind !== 'map' && from.kind !== 'struct') {
    return true;
  }
  switch (to.kind) {
    case 'string':
      return true;
    case 'binary':
      return from.kind === 'string';
    case 'boolean':
      return from.kind === 'string' || isNumeric(from);
    case 'tinyint':
    case 'smallint':
    case 'int':
    case 'bigint':
      return (
        from.kind === 'string' ||
        from.kind === 'boolean' ||
        isNumeric(from) ||
        from.kind === 'timestamp' ||
        singleField(from)
      );
    case 'float':
    case 'double':
      return (
        from.kind === 'string' || from.kind === 'boolean' || isNumeric(from) || from.kind === 'timestamp'
      );
    case 'decimal':
      return (
        from.kind === 'string' ||
        from.kind === 'boolean' ||
        isNumeric(from) ||
        from.kind === 'timestamp' ||
        singleField(from)
      );
    case 'date':
      return from.kind === 'string' || from.kind === 'timestamp' || from.kind === 'timestamp_ntz';
    case 'timestamp':
      return (
        from.kind === 'string' || from.kind === 'date' || from.kind === 'timestamp_ntz' || isNumeric(from)
      );
    case 'timestamp_ntz':
      return from.kind === 'string' || from.kind === 'date' || from.kind === 'timestamp';
    case 'time':
      // TIME(p) → TIME(q) is caught above (same kind); a timestamp casts to its time of day.
      return from.kind === 'string' || from.kind === 'timestamp' || from.kind === 'timestamp_ntz';
    case 'interval_day_time':
    case 'interval_year_month':
      return (
        from.kind === 'string' ||
        from.kind === to.kind ||
        (singleField(to) && (isIntegralKind(from) || from.kind === 'decimal'))
      );
    case 'calendar_interval':
      return from.kind === 'string';
    case 'array':
      return from.kind === 'array' && canAnsiCast(from.element, to.element);
    case 'map':
      return from.kind === 'map' && canAnsiCast(from.key, to.key) && canAnsiCast(from.value, to.value);
    case 'struct':
      return (
        from.kind === 'struct' &&
        from.fields.length === to.fields.length &&
        from.fields.every((f, i) => canAnsiCast(f.type, to.fields[i]!.type))
      );
    case 'null':
      return false;
  }
}

/** Throws 42K09 when `CAST(<text> AS to)` cannot resolve under ANSI rules. */
export function checkAnsiCast(from: DataType, to: DataType, text: string, pos: number): void {
  if (canAnsiCast(from, to)) return;
  const t = (x: DataType): string => `"${typeToString(x).toUpperCase()}"`;
  throw analysisError(
    SqlState.datatypeMismatch,
    `[DATATYPE_MISMATCH.CAST_WITHOUT_SUGGESTION] Cannot resolve "${text}" due to data type mismatch: cannot cast ${t(from)} to ${t(to)}.`,
    pos,
  );
}
