import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { analyzeQuery } from './index.ts';
import { parseQuery, schemaOf, testContext } from './test-support.ts';

const dir = '/work/shared/tpch/queries';
const files = readdirSync(dir).filter((f) => f.endsWith('.sql')).sort();

describe.skipIf(parseQuery === undefined)('TPC-H queries analyze', () => {
  for (const f of files) {
    it(f, () => {
      const text = readFileSync(`${dir}/${f}`, 'utf8');
      const plan = analyzeQuery(parseQuery!(text), testContext());
      expect(schemaOf(plan).length).toBeGreaterThan(0);
    });
  }

  it('q01 output names and types follow Spark', () => {
    const plan = analyzeQuery(parseQuery!(readFileSync(`${dir}/q01.sql`, 'utf8')), testContext());
    expect(schemaOf(plan)).toEqual([
      'l_returnflag:string',
      'l_linestatus:string',
      'sum_qty:decimal(25,2)',
      'sum_base_price:decimal(25,2)',
      'sum_disc_price:decimal(38,4)',
      'sum_charge:decimal(38,6)',
      'avg_qty:decimal(19,6)',
      'avg_price:decimal(19,6)',
      'avg_disc:decimal(19,6)',
      'count_order:bigint',
    ]);
  });
});
