import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import type { LogicalPlan } from '../../plan/index.ts';
import { analyzeQuery } from './index.ts';
import { groupingIdWithoutPositions, separateDuplicateSets } from './grouping-sets.ts';
import { parseQuery, testContext } from './test-support.ts';

function ids(): () => number {
  let n = 100;
  return () => n++;
}

describe('separateDuplicateSets', () => {
  it('leaves distinct sets alone', () => {
    const r = separateDuplicateSets([[0, 1], [0], []], 2, ids());
    expect(r.sets).toEqual([[0, 1], [0], []]);
    expect(r.positions).toEqual([]);
  });

  it('gives the k-th repetition of a set the k-th position column', () => {
    const r = separateDuplicateSets([[0], [1], [0], [], [0], []], 2, ids());
    expect(r.sets).toEqual([[0], [1], [0, 2], [], [0, 3], [2]]);
    expect(r.positions.map((p) => [p.expr, p.attr.name, p.attr.type, p.attr.nullable])).toEqual([
      [{ kind: 'literal', value: 1, type: T.int }, '_gen_grouping_pos_1', T.int, true],
      [{ kind: 'literal', value: 2, type: T.int }, '_gen_grouping_pos_2', T.int, true],
    ]);
    expect(new Set(r.positions.map((p) => p.attr.id)).size).toBe(2);
  });

  it('compares sets ignoring order and repeated indexes', () => {
    const r = separateDuplicateSets(
      [
        [0, 1],
        [1, 0],
        [1, 0, 1],
      ],
      2,
      ids(),
    );
    expect(r.sets).toEqual([
      [0, 1],
      [1, 0, 2],
      [1, 0, 1, 3],
    ]);
  });

  it('handles no sets at all', () => {
    expect(separateDuplicateSets([], 0, ids())).toEqual({ sets: [], positions: [] });
  });
});

describe('groupingIdWithoutPositions', () => {
  it('divides off one bit per position column', () => {
    const gid = { id: 1, name: 'spark_grouping_id', type: T.bigint, nullable: false, qualifier: null };
    expect(groupingIdWithoutPositions(gid, 2)).toMatchObject({
      kind: 'binary',
      op: 'div',
      left: { kind: 'column', attr: gid },
      right: { kind: 'literal', value: 4n, type: T.bigint },
    });
  });
});

describe('analyzing repeated grouping sets', () => {
  const analyze = (sql: string): LogicalPlan => analyzeQuery(parseQuery!(sql), testContext());
  const aggregateOf = (p: LogicalPlan): LogicalPlan | undefined =>
    p.kind === 'Aggregate' ? p : 'input' in p ? aggregateOf(p.input) : undefined;

  it('adds a position column to GROUP BY and keeps it out of the output', () => {
    const plan = analyze('SELECT a, count(*), grouping_id() FROM t GROUP BY GROUPING SETS ((a), (a))');
    const agg = aggregateOf(plan);
    expect(agg?.kind).toBe('Aggregate');
    if (agg?.kind !== 'Aggregate') return;
    expect(agg.groupBy.map((g) => g.attr.name)).toEqual(['a', '_gen_grouping_pos_1']);
    expect(agg.groupingSets).toEqual([[0], [0, 1]]);
    expect(plan.kind).toBe('Project');
    if (plan.kind !== 'Project') return;
    expect(plan.exprs.map((e) => e.attr.name)).toEqual(['a', 'count(1)', 'grouping_id()']);
    // grouping_id() reads the operator's id with the position bit divided off.
    const below = plan.input;
    expect(below.kind).toBe('Project');
    if (below.kind !== 'Project') return;
    expect(below.exprs.map((e) => e.attr.name)).toEqual(['a', 'spark_grouping_id', 'count(1)']);
    expect(below.exprs[1]!.expr).toMatchObject({ kind: 'binary', op: 'div', right: { value: 2n } });
  });

  it('ROLLUP and CUBE without repeats keep a plain Aggregate', () => {
    const agg = aggregateOf(analyze('SELECT a, b, count(*) FROM t GROUP BY CUBE(a, b)'));
    if (agg?.kind !== 'Aggregate') throw new Error('no aggregate');
    expect(agg.groupBy.map((g) => g.attr.name)).toEqual(['a', 'b']);
    expect(agg.groupingSets).toEqual([[0, 1], [0], [1], []]);
  });

  it('a GROUP BY column repeated inside ROLLUP repeats the set', () => {
    const agg = aggregateOf(analyze('SELECT a, count(*) FROM t GROUP BY a, ROLLUP(a)'));
    if (agg?.kind !== 'Aggregate') throw new Error('no aggregate');
    expect(agg.groupingSets).toEqual([[0], [0, 1]]);
  });
});
