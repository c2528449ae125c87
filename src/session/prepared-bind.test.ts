/**
 * Prepared statements bind `$n` by rewriting the statement's tree: every occurrence of each
 * parameter, at any depth (IN lists, CASE branches, subqueries, CTEs), gets its value, and the
 * prepared statement itself is left as it was for the next execution.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { batchRows } from '../common/index.ts';
import { Engine } from './engine.ts';
import type { Session } from './session.ts';
import type { StatementResult } from './types.ts';

let warehouse: string;
let engine: Engine;
let session: Session;

beforeAll(() => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-prepared-'));
  engine = new Engine({ warehouse, executorThreads: 1 });
  session = engine.createSession();
});

afterAll(async () => {
  session.close();
  await engine.close();
  rmSync(warehouse, { recursive: true, force: true });
});

async function rows(result: StatementResult): Promise<unknown[][]> {
  if (result.kind !== 'rows') throw new Error(`expected rows, got ${result.kind}`);
  const types = result.schema.fields.map((f) => f.type);
  const out: unknown[][] = [];
  for await (const batch of result.batches) out.push(...batchRows(batch, types));
  return out;
}

describe('prepared statements', () => {
  it('binds every occurrence of every parameter, at any depth, and can run again with other values', async () => {
    const prepared = await session.prepare(
      `WITH t AS (SELECT id FROM range(0, 10) WHERE id IN ($1::bigint, $2::bigint, 7))
       SELECT id, CASE WHEN id = $1::bigint THEN 'first' ELSE $3 END AS tag,
              (SELECT count(*) FROM range(0, 10) WHERE id < $2::bigint) AS below
       FROM t ORDER BY id`,
      [null, null, null],
    );
    expect(prepared.paramTypes).toHaveLength(3);
    expect(await rows(await session.executePrepared(prepared, ['2', '5', 'other']))).toEqual([
      [2n, 'first', 5n],
      [5n, 'other', 5n],
      [7n, 'other', 5n],
    ]);
    expect(await rows(await session.executePrepared(prepared, ['3', '1', 'x']))).toEqual([
      [1n, 'x', 1n],
      [3n, 'first', 1n],
      [7n, 'x', 1n],
    ]);
  });

  it('runs a statement without parameters as often as asked', async () => {
    const prepared = await session.prepare('SELECT sum(id) AS s FROM range(0, 5)', []);
    expect(prepared.paramTypes).toEqual([]);
    for (let i = 0; i < 3; i++)
      expect(await rows(await session.executePrepared(prepared, []))).toEqual([[10n]]);
  });

  it('counts parameters by the highest $n', async () => {
    const prepared = await session.prepare('SELECT $3::int AS c, $1::int AS a', []);
    expect(prepared.paramTypes).toHaveLength(3);
  });
});
