/**
 * WITHIN GROUP (ORDER BY …) of the inverse distribution aggregates: the ordering column and its
 * direction become arguments, and the column is named as Spark names it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from '../../src/session/index.ts';

const warehouse = mkdtempSync(join(tmpdir(), 'kindling-within-group-'));
const engine = new Engine({ warehouse });
afterAll(async () => {
  await engine.close();
  rmSync(warehouse, { recursive: true, force: true });
});

describe('WITHIN GROUP', () => {
  it('names the result column with its ordering', async () => {
    const s = engine.createSession();
    const r = await s.sql(
      'SELECT percentile_cont(0.25) WITHIN GROUP (ORDER BY col DESC), percentile_disc(0.5) WITHIN GROUP (ORDER BY col), ' +
        'mode() WITHIN GROUP (ORDER BY col) FILTER (WHERE col > 0) FROM VALUES (0), (10), (20) AS tab(col)',
    );
    expect(r.columns).toEqual([
      'percentile_cont(0.25) WITHIN GROUP (ORDER BY col DESC)',
      'percentile_disc(0.5) WITHIN GROUP (ORDER BY col)',
      'mode() WITHIN GROUP (ORDER BY col) FILTER (WHERE (col > 0))',
    ]);
    expect(r.rows).toEqual([[15, 10, 10]]);
  });

  it('is refused where the aggregate keeps no order, and needs exactly one ordering', async () => {
    const s = engine.createSession();
    await expect(
      s.sql('SELECT sum(x) WITHIN GROUP (ORDER BY x) FROM VALUES (1) AS t(x)'),
    ).rejects.toMatchObject({
      sqlstate: '0A000',
    });
    await expect(
      s.sql('SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY x, x) FROM VALUES (1) AS t(x)'),
    ).rejects.toThrow(/WRONG_NUM_ORDERINGS/);
    await expect(s.sql('SELECT percentile_disc(0.5) FROM VALUES (1) AS t(x)')).rejects.toThrow(
      /WITHIN_GROUP_MISSING/,
    );
  });
});
