import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import { explainLogical } from '../../plan/index.ts';
import * as b from '../test-support.ts';
import { splitGlobalDistinct } from './split_global_distinct.ts';

const t = b.table('db.t', [
  ['a', T.int, true],
  ['k', T.int, false],
]);

function setup() {
  const env = b.testEnv();
  const s = env.scan(t);
  const run = (plan: Parameters<typeof explainLogical>[0]): string =>
    b.runRules(plan, env.ctx(), [splitGlobalDistinct]);
  return { env, s, run };
}

describe('split_global_distinct', () => {
  it('makes the arguments distinct in a keyed aggregate, then aggregates without DISTINCT', () => {
    const { env, s, run } = setup();
    const a = b.c(s, 'a');
    const plan = env.aggregate(
      s,
      [],
      [
        [b.agg('count', [a], T.bigint, true), 'n'],
        [b.agg('sum', [a], T.bigint, true), 'total'],
      ],
    );
    expect(explainLogical(plan)).toBe(
      'Aggregate: groupBy=[], aggr=[count(DISTINCT a) AS n, sum(DISTINCT a) AS total]\n  TableScan: db.t',
    );
    expect(run(plan)).toBe(
      'Aggregate: groupBy=[], aggr=[count(a#5) AS n, sum(a#5) AS total]\n' +
        '  Aggregate: groupBy=[a#1 AS a#5], aggr=[]\n' +
        '    TableScan: db.t',
    );
  });

  it('keeps several DISTINCT arguments together', () => {
    const { env, s, run } = setup();
    const args = [b.c(s, 'a'), b.bin('+', b.c(s, 'k'), b.int(1))];
    const plan = env.aggregate(s, [], [[b.agg('count', args, T.bigint, true), 'n']]);
    expect(run(plan)).toBe(
      'Aggregate: groupBy=[], aggr=[count(a#4, distinct_1) AS n]\n' +
        '  Aggregate: groupBy=[a#1 AS a#4, k + Int32(1) AS distinct_1], aggr=[]\n' +
        '    TableScan: db.t',
    );
  });

  it('leaves grouped aggregates and mixed or non-DISTINCT aggregates', () => {
    const { env, s, run } = setup();
    const a = b.c(s, 'a');
    const k = b.c(s, 'k');
    const cases = [
      env.aggregate(s, [k], [[b.agg('count', [a], T.bigint, true), 'n']]),
      env.aggregate(
        s,
        [],
        [
          [b.agg('count', [a], T.bigint, true), 'n'],
          [b.agg('sum', [a], T.bigint), 'total'],
        ],
      ),
      env.aggregate(s, [], [[b.agg('sum', [a], T.bigint), 'total']]),
    ];
    for (const plan of cases) expect(run(plan)).toBe(explainLogical(plan));
  });

  it('groups DISTINCT over different arguments by one grouping set each, read back under a FILTER', () => {
    const { env, s, run } = setup();
    const a = b.c(s, 'a');
    const k = b.c(s, 'k');
    const plan = env.aggregate(
      s,
      [],
      [
        [b.agg('count', [a], T.bigint, true), 'n'],
        [b.agg('sum', [k], T.bigint, true), 'total'],
        [b.agg('count', [k, a], T.bigint, true), 'pairs'],
        [b.agg('max', [a], T.int, true), 'top'],
      ],
    );
    // sets [a], [k], [a, k]: grouping ids 0b01, 0b10 and 0
    expect(run(plan)).toBe(
      'Aggregate: groupBy=[], aggr=[count(a#7) FILTER (WHERE spark_grouping_id = Int64(1)) AS n, ' +
        'sum(k#8) FILTER (WHERE spark_grouping_id = Int64(2)) AS total, ' +
        'count(k#8, a#7) FILTER (WHERE spark_grouping_id = Int64(0)) AS pairs, ' +
        'max(a#7) FILTER (WHERE spark_grouping_id = Int64(1)) AS top]\n' +
        '  Aggregate: groupBy=[a#1 AS a#7, k#2 AS k#8], aggr=[], groupingSets=[[0], [1], [0, 1]], groupingId=spark_grouping_id\n' +
        '    TableScan: db.t',
    );
  });
});
