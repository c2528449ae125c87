import { describe, expect, it } from 'vitest';
import { changed, EngineError, T, unchanged } from '../common/index.ts';
import { explainLogical, outputOf } from '../plan/index.ts';
import type { OptimizerRule } from './context.ts';
import { optimize, ruleNames, defaultRules } from './index.ts';
import { pushDownFilter } from './rules/index.ts';
import * as b from './test-support.ts';

const t = b.table('db.t', [
  ['a', T.int],
  ['b', T.int],
]);

describe('optimize', () => {
  it('runs the default rules and records each change in the trace', () => {
    const env = b.testEnv();
    const s = env.scan(t);
    const plan = env.project(env.filter(s, b.gt(b.c(s, 'a'), b.bin('+', b.int(1), b.int(2)))), [b.c(s, 'b')]);
    const { plan: out, trace } = optimize(plan, env.ctx());
    expect(explainLogical(out)).toBe(
      ['Projection: b', '  Filter: a > Int32(3)', '    TableScan: db.t filters=[a > Int32(3)]'].join('\n'),
    );
    expect(trace.map((x) => x.rule)).toEqual(['simplify_expressions', 'push_down_filter']);
    expect(trace.at(-1)!.plan).toBe(out);
    expect(outputOf(out)).toEqual(outputOf(plan));
  });

  it('skips disabled rules by name', () => {
    const env = b.testEnv();
    const s = env.scan(t);
    const plan = env.project(env.filter(s, b.gt(b.c(s, 'a'), b.bin('+', b.int(1), b.int(2)))), [b.c(s, 'b')]);
    const ctx = env.ctx({ disabledRules: new Set(['simplify_expressions', 'push_down_filter']) });
    const { plan: out, trace } = optimize(plan, ctx);
    expect(trace).toEqual([]);
    expect(explainLogical(out)).toBe(explainLogical(plan));
  });

  it('stops at maxPasses when a rule never settles', () => {
    const env = b.testEnv();
    let calls = 0;
    const restless: OptimizerRule = {
      name: 'restless',
      traversal: 'whole',
      rewrite(plan) {
        calls++;
        return changed(plan);
      },
    };
    optimize(env.scan(t), env.ctx({ maxPasses: 3 }), [
      { name: 'x', strategy: 'fixpoint', rules: [restless] },
    ]);
    expect(calls).toBe(3);
  });

  it('stops at the fixpoint: a pass that changes nothing ends the batch', () => {
    const env = b.testEnv();
    let calls = 0;
    const once: OptimizerRule = {
      name: 'once',
      traversal: 'whole',
      rewrite(plan) {
        calls++;
        return calls === 1 ? changed(plan) : unchanged(plan);
      },
    };
    optimize(env.scan(t), env.ctx(), [{ name: 'x', strategy: 'fixpoint', rules: [once] }]);
    expect(calls).toBe(2);
  });

  it('throws an internal error naming a rule that changes the output', () => {
    const env = b.testEnv();
    const broken: OptimizerRule = {
      name: 'broken_rule',
      traversal: 'whole',
      rewrite(plan) {
        return changed(env.project(plan, [b.c(plan, 'a')]));
      },
    };
    const run = (): unknown =>
      optimize(env.scan(t), env.ctx(), [{ name: 'x', strategy: 'once', rules: [broken] }]);
    expect(run).toThrow(EngineError);
    expect(run).toThrow(/optimizer rule broken_rule changed the plan's output/);
    try {
      run();
    } catch (e) {
      expect((e as EngineError).sqlstate).toBe('XX000');
    }
  });

  it('reports a correlated subquery that cannot run because decorrelation is disabled', () => {
    const env = b.testEnv();
    const o = env.scan(t);
    const i = env.scan(t);
    const plan = env.filter(o, b.exists(env.filter(i, b.eq(b.c(i, 'a'), b.outer(o, 'a')))));
    const ctx = env.ctx({ disabledRules: new Set(['decorrelate_subqueries']) });
    expect(() => optimize(plan, ctx)).toThrow(/decorrelate_subqueries disabled/);
    // A driver without the decorrelation rule at all: an internal error.
    expect(() =>
      optimize(plan, env.ctx(), [{ name: 'x', strategy: 'once', rules: [pushDownFilter] }]),
    ).toThrow(/outer_ref/);
  });

  it('lists every rule name once, snake_case', () => {
    expect(new Set(ruleNames).size).toBe(ruleNames.length);
    expect(ruleNames.length).toBe(defaultRules.length);
    for (const n of ruleNames) expect(n).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(ruleNames).toContain('push_down_filter');
    expect(ruleNames).toContain('decorrelate_subqueries');
  });

  it('optimizes the plans of uncorrelated subqueries left in expressions', () => {
    const env = b.testEnv();
    const o = env.scan(t);
    const i = env.scan(t);
    const sub = env.aggregate(
      env.filter(i, b.gt(b.c(i, 'b'), b.bin('+', b.int(1), b.int(1)))),
      [],
      [[b.agg('max', [b.c(i, 'a')], T.int), 'm']],
    );
    const plan = env.filter(o, b.eq(b.c(o, 'a'), b.scalarSubquery(sub)));
    const out = explainLogical(optimize(plan, env.ctx()).plan);
    expect(out).toBe(
      [
        'Filter: a#1 = (<subquery>)',
        '  Subquery:',
        '    Aggregate: groupBy=[], aggr=[max(a#3) AS m]',
        '      Filter: b#4 > Int32(2)',
        '        TableScan: db.t filters=[b#4 > Int32(2)]',
        '  TableScan: db.t',
      ].join('\n'),
    );
  });
});
