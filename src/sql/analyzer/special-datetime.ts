/**
 * Spark's special datetime strings: `epoch`, `now`, `today`, `yesterday` and `tomorrow` (any case,
 * blanks around them ignored) in DATE/TIMESTAMP/TIMESTAMP_NTZ typed literals and in casts of a
 * string constant to those types — where Spark 4 accepts them (its typed literals and its
 * SpecialDatetimeValues rule over casts of foldable strings; casts of other strings reject them).
 *
 *   DATE'today'            → current_date()
 *   DATE'tomorrow'         → date_add(current_date(), 1)
 *   TIMESTAMP'now'         → current_timestamp()
 *   TIMESTAMP'yesterday'   → CAST(date_add(current_date(), -1) AS TIMESTAMP)   (local midnight)
 *   TIMESTAMP_NTZ'now'     → CAST(current_timestamp() AS TIMESTAMP_NTZ)        (local wall clock)
 *   any 'epoch'            → the literal 1970-01-01 (00:00:00 UTC for TIMESTAMP)
 *
 * The current date and time are the query's start, as for current_date()/current_timestamp().
 */
import { T, type DataType } from '../../common/index.ts';
import type { Expr } from '../../plan/index.ts';
import type { ExprEnv } from './binder-state.ts';
import { callRegistry } from './function-call.ts';
import { lit } from './literal.ts';

const SPECIAL = new Set(['epoch', 'now', 'today', 'yesterday', 'tomorrow']);

/** The expression a special datetime string stands for as `type`, or undefined when it is not one. */
export function specialDatetime(env: ExprEnv, text: string, type: DataType, pos: number): Expr | undefined {
  if (type.kind !== 'date' && type.kind !== 'timestamp' && type.kind !== 'timestamp_ntz') return undefined;
  const word = text.trim().toLowerCase();
  if (!SPECIAL.has(word)) return undefined;
  if (word === 'epoch') return type.kind === 'date' ? lit(0, T.date) : lit(0n, type);
  const cast = (input: Expr): Expr => ({
    kind: 'cast',
    input,
    type,
    mode: env.state.ctx.ansi ? 'ansi' : 'legacy',
  });
  if (word === 'now' && type.kind !== 'date') {
    const now = callRegistry(env, 'current_timestamp', [], pos);
    return type.kind === 'timestamp' ? now : cast(now);
  }
  const shift = word === 'yesterday' ? -1 : word === 'tomorrow' ? 1 : 0;
  const today = callRegistry(env, 'current_date', [], pos);
  const day = shift === 0 ? today : callRegistry(env, 'date_add', [today, lit(shift, T.int)], pos);
  return type.kind === 'date' ? day : cast(day);
}
