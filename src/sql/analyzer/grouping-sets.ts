/**
 * Repeated grouping sets. `GROUPING SETS ((a), (a))` returns every group once per repetition in
 * Spark, but the hash aggregate keys a set's rows by (grouping values, grouping id), so two equal
 * sets would fall into the same groups (and count every row twice). Like Spark's hidden
 * grouping-position column, each repetition after the first also groups by one extra constant
 * column: the k-th copy of a set groups by `_gen_grouping_pos_k` too, so its keys (that column
 * non-NULL, its grouping-id bit clear) differ from every other copy's.
 *
 * The extra columns go last in GROUP BY, so they are the low bits of the operator's grouping id;
 * `groupingIdWithoutPositions` shifts them off to give Spark's grouping id of the real columns.
 */
import { T } from '../../common/index.ts';
import type { Attribute, Expr, NamedExpr } from '../../plan/index.ts';

export interface SeparatedSets {
  /** The sets, repetitions extended with their position column's index. */
  readonly sets: number[][];
  /** The position columns to append to GROUP BY (empty when no set repeats). */
  readonly positions: NamedExpr[];
}

/** Sets compare as sets of group indexes: `(a, b)` repeats `(b, a)`. */
function setKey(set: readonly number[]): string {
  return [...new Set(set)].sort((x, y) => x - y).join(',');
}

/** Gives each repetition of a grouping set its own position column (see the file comment). */
export function separateDuplicateSets(
  sets: readonly (readonly number[])[],
  groupCount: number,
  nextId: () => number,
): SeparatedSets {
  const seen = new Map<string, number>();
  let maxCopy = 0;
  const copies = sets.map((s) => {
    const key = setKey(s);
    const copy = seen.get(key) ?? 0;
    seen.set(key, copy + 1);
    maxCopy = Math.max(maxCopy, copy);
    return copy;
  });
  const positions: NamedExpr[] = Array.from({ length: maxCopy }, (_, k) => ({
    expr: { kind: 'literal', value: k + 1, type: T.int },
    attr: { id: nextId(), name: `_gen_grouping_pos_${k + 1}`, type: T.int, nullable: true, qualifier: null },
  }));
  return {
    sets: sets.map((s, i) => {
      const copy = copies[i]!;
      return copy === 0 ? [...s] : [...s, groupCount + copy - 1];
    }),
    positions,
  };
}

/** Spark's grouping id from the operator's, which has `positionCount` extra low bits. */
export function groupingIdWithoutPositions(operatorId: Attribute, positionCount: number): Expr {
  return {
    kind: 'binary',
    op: 'div',
    left: { kind: 'column', attr: operatorId },
    right: { kind: 'literal', value: 2n ** BigInt(positionCount), type: T.bigint },
    type: T.bigint,
    failOnError: true,
  };
}
