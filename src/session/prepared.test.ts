/**
 * Prepared statements bound with values as the wire server decodes them: a decimal declared
 * without precision (`numeric`) and arrays arrive as text and are cast where they stand, keeping
 * every digit of the decimal; `$1::int[]` reads a text parameter as an array constant; a DECLAREd
 * cursor can be described like a portal.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T, batchRows, type DataType, type Value } from '../common/index.ts';
import { Engine } from './engine.ts';
import type { Session } from './session.ts';

let warehouse = '';
let engine: Engine;
let s: Session;

beforeAll(() => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-prepared-'));
  engine = new Engine({ warehouse });
  s = engine.createSession();
});

afterAll(async () => {
  s.close();
  await engine.close();
  rmSync(warehouse, { recursive: true, force: true });
});

async function run(
  sql: string,
  declared: readonly (DataType | null)[],
  params: readonly Value[],
): Promise<{ types: DataType[]; rows: Value[][] }> {
  const prepared = await s.prepare(sql, declared);
  const result = await s.executePrepared(prepared, params);
  if (result.kind !== 'rows') throw new Error('expected rows');
  const types = result.schema.fields.map((f) => f.type);
  const rows: Value[][] = [];
  for await (const batch of result.batches) rows.push(...batchRows(batch, types));
  return { types, rows };
}

describe('prepared statements', () => {
  it('give a decimal parameter bound as text the precision and scale of its digits', async () => {
    const numeric = T.decimal(38, 18);
    const r = await run(
      'SELECT $1 AS a, $2 AS b, $1 * 2 AS c',
      [numeric, numeric],
      ['12.340', '-123456789012345678901234.5'],
    );
    expect(r.types.slice(0, 2)).toEqual([T.decimal(5, 3), T.decimal(25, 1)]);
    expect(r.rows).toEqual([[12340n, -1234567890123456789012345n, 24680n]]);
  });

  it('cast array parameters bound as array constants, and text parameters through ::type[]', async () => {
    const r = await run(
      'SELECT $1 AS a, $2::int[] AS b, $3::text[] AS c',
      [T.array(T.smallint), null, null],
      ['{"1",NULL,"3"}', '{4,5}', null],
    );
    expect(r.types).toEqual([T.array(T.smallint), T.array(T.int), T.array(T.string)]);
    expect(r.rows).toEqual([[[1, null, 3], [4, 5], null]]);
    // numeric[]: the elements keep their digits, at the finest scale among them.
    const numbers = await run(
      'SELECT $1 AS a, $2::numeric[] AS b',
      [T.array(T.decimal(38, 18)), null],
      ['{"1.5","-22.25",NULL}', '{7}'],
    );
    expect(numbers.types).toEqual([T.array(T.decimal(4, 2)), T.array(T.decimal(1, 0))]);
    expect(numbers.rows).toEqual([[[150n, -2225n, null], [7n]]]);
  });

  it('describe a DECLAREd cursor as a portal: its columns and format', async () => {
    await s.sql('BEGIN');
    await s.sql('DECLARE c BINARY CURSOR FOR SELECT 1 AS one, CAST(2.5 AS DECIMAL(3,1)) AS d');
    const described = s.describeCursor('c');
    expect(described?.binary).toBe(true);
    expect(described?.schema.fields.map((f) => [f.name, f.type])).toEqual([
      ['one', T.int],
      ['d', T.decimal(3, 1)],
    ]);
    expect(s.describeCursor('missing')).toBeNull();
    await s.sql('ROLLBACK');
    expect(s.describeCursor('c')).toBeNull();
  });
});
