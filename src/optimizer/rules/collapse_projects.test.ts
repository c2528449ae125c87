import { describe, expect, it } from 'vitest';
import { T } from '../../common/index.ts';
import * as b from '../test-support.ts';
import { collapseProjects } from './collapse_projects.ts';

const t = b.table('db.t', [
  ['a', T.int],
  ['b', T.int],
]);

describe('collapse_projects', () => {
  it('merges adjacent projects by substitution', () => {
    const env = b.testEnv();
    const s = env.scan(t);
    const inner = env.project(s, [[b.bin('*', b.c(s, 'a'), b.int(2)), 'x'], b.c(s, 'b')]);
    const plan = env.project(inner, [[b.bin('+', b.c(inner, 'x'), b.c(inner, 'b')), 'y']]);
    expect(b.runRules(plan, env.ctx(), [collapseProjects])).toBe(
      'Projection: a * Int32(2) + b AS y\n  TableScan: db.t',
    );
  });

  it('does not duplicate a computed expression used twice, nor merge a non-deterministic one', () => {
    const env = b.testEnv();
    const s = env.scan(t);
    const inner = env.project(s, [[b.bin('*', b.c(s, 'a'), b.int(2)), 'x']]);
    const twice = env.project(inner, [[b.bin('+', b.c(inner, 'x'), b.c(inner, 'x')), 'y']]);
    expect(b.runRules(twice, env.ctx(), [collapseProjects])).toBe(
      ['Projection: x + x AS y', '  Projection: a * Int32(2) AS x', '    TableScan: db.t'].join('\n'),
    );
    const random = env.project(s, [[b.call('rand', [], T.double), 'r']]);
    const plan = env.project(random, [[b.bin('*', b.c(random, 'r'), b.lit(2, T.double)), 'y']]);
    expect(b.runRules(plan, env.ctx(), [collapseProjects])).toBe(
      ['Projection: r * Float64(2) AS y', '  Projection: rand() AS r', '    TableScan: db.t'].join('\n'),
    );
  });

  it('removes a project that passes its input through', () => {
    const env = b.testEnv();
    const s = env.scan(t);
    expect(b.runRules(env.project(s, [b.c(s, 'a'), b.c(s, 'b')]), env.ctx(), [collapseProjects])).toBe(
      'TableScan: db.t',
    );
  });
});
