import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { T, typeToString, type DataType, type Value } from '../common/index.ts';
import { Engine } from './engine.ts';
import type { Session } from './session.ts';

let warehouse = '';
let engine: Engine;
let session: Session;

beforeAll(async () => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-param-types-'));
  engine = new Engine({ warehouse, executorThreads: 1 });
  session = engine.createSession({ user: 'u', database: 'default' });
  for await (const _ of session.execute(
    `CREATE TABLE t (id INT, b BIGINT, d DECIMAL(10,2), s STRING, day DATE, ts TIMESTAMP, f DOUBLE) USING parquet;
     INSERT INTO t VALUES (1, 10, 1.50, 'x', DATE'2024-01-01', TIMESTAMP'2024-01-01 00:00:00', 0.5),
                          (2, 20, 2.50, 'y', DATE'2024-02-01', TIMESTAMP'2024-02-01 00:00:00', 1.5)`,
  ));
});

afterAll(async () => {
  await engine.close();
  rmSync(warehouse, { recursive: true, force: true });
});

async function types(sql: string, declared: (DataType | null)[] = []): Promise<string[]> {
  return (await session.prepare(sql, declared)).paramTypes.map(typeToString);
}

async function rows(sql: string, params: Value[]): Promise<Value[][]> {
  const prepared = await session.prepare(sql, []);
  const result = await session.executePrepared(prepared, params);
  if (result.kind !== 'rows') throw new Error('expected rows');
  const out: Value[][] = [];
  for await (const batch of result.batches) {
    for (let r = 0; r < batch.numRows; r++) {
      out.push(batch.schema.fields.map((_, c) => batch.getChildAt(c)!.get(r) as Value));
    }
  }
  return out;
}

describe('inferred parameter types', () => {
  it('comparisons with a column, IN lists and LIKE take the column type', async () => {
    expect(await types('SELECT s FROM t WHERE id = $1 AND b > $2 AND day <= $3 AND ts < $4')).toEqual([
      'int',
      'bigint',
      'date',
      'timestamp',
    ]);
    expect(await types('SELECT s FROM t WHERE id IN ($1, $2) AND s LIKE $3')).toEqual([
      'int',
      'int',
      'string',
    ]);
    expect(await types('SELECT s FROM t WHERE $1 = d')).toEqual(['decimal(10,2)']);
  });

  it('function arguments, arithmetic, casts, LIMIT and OFFSET', async () => {
    expect(await types('SELECT substring(s, $1, $2), $3 + id, f * $4 FROM t')).toEqual([
      'int',
      'int',
      'int',
      'double',
    ]);
    expect(await types('SELECT CAST($1 AS BIGINT), $2::date, $3::int[] FROM t LIMIT $4 OFFSET $5')).toEqual([
      'bigint',
      'date',
      'array<int>',
      'int',
      'int',
    ]);
    // In a subquery too.
    expect(await types('SELECT s FROM t WHERE id = (SELECT max(id) FROM t WHERE b < $1)')).toEqual([
      'bigint',
    ]);
  });

  it('added to a timestamp a parameter is an interval, beside a date a day count', async () => {
    expect(
      await types(
        `SELECT TIMESTAMP '2020-01-01 00:00:00' + $1, ts - $2, $3 + TIMESTAMP_NTZ '2020-01-01 00:00:00',
                DATE '2020-01-01' + $4, day - $5, $6 + day FROM t`,
      ),
    ).toEqual(['interval', 'timestamp', 'interval', 'int', 'int', 'int']);
    // Either side of a timestamp's subtraction, the parameter is a timestamp (as PostgreSQL reads it).
    expect(await types('SELECT $1 - ts FROM t')).toEqual(['timestamp']);
    // A declared type wins.
    expect(await types('SELECT ts - $1 FROM t', [T.timestamp])).toEqual(['timestamp']);
    const moved = await rows("SELECT TIMESTAMP_NTZ '2020-01-01 00:00:00' + $1, DATE '2020-01-01' + $2", [
      [1, 1, 7_200_000_000n],
      3,
    ]);
    // Read back as Arrow gives them: milliseconds since the epoch.
    expect(moved).toEqual([[Date.UTC(2020, 1, 2, 2), Date.UTC(2020, 0, 4)]]);
  });

  it('declared types win; what nothing types is text', async () => {
    expect(await types('SELECT s FROM t WHERE id = $1', [T.bigint])).toEqual(['bigint']);
    expect(await types('SELECT $1, upper($2) FROM t')).toEqual(['string', 'string']);
  });

  it('$n::numeric is described as numeric but keeps its text', async () => {
    const p = await session.prepare('SELECT $1::numeric', []);
    expect(p.paramTypes.map(typeToString)).toEqual(['string']);
    expect(p.describedParamTypes.map(typeToString)).toEqual(['decimal(38,18)']);
    // LIMIT counts with an INT, described as PostgreSQL's bigint.
    expect((await session.prepare('SELECT 1 LIMIT $1', [])).describedParamTypes.map(typeToString)).toEqual([
      'bigint',
    ]);
  });

  it('a parameter declared numeric keeps the digits of its value', async () => {
    const p = await session.prepare('SELECT $1 AS d, s FROM t WHERE d < $1 ORDER BY s', [T.decimal(38, 18)]);
    expect(p.paramTypes.map(typeToString)).toEqual(['string']);
    expect(p.describedParamTypes.map(typeToString)).toEqual(['decimal(38,18)']);
    const result = await session.executePrepared(p, ['2.000']);
    if (result.kind !== 'rows') throw new Error('expected rows');
    expect(typeToString(result.schema.fields[0]!.type)).toBe('decimal(4,3)');
    let n = 0;
    for await (const b of result.batches) n += b.numRows;
    expect(n).toBe(1);
  });

  it('a statement the analysis refuses still prepares; its error comes when it is described', async () => {
    await expect(session.prepare('SELECT nope FROM t WHERE id = $1', [])).rejects.toThrow(
      expect.objectContaining({ sqlstate: '42703' }),
    );
  });

  it('runs with inferred types: typed comparisons, LIMIT/OFFSET and array parameters', async () => {
    expect(await rows('SELECT s FROM t WHERE id = $1', [2])).toEqual([['y']]);
    expect(await rows('SELECT id FROM t ORDER BY id LIMIT $1 OFFSET $2', [1, 1])).toEqual([[2]]);
    const arrays = await rows('SELECT $1::int[] AS a, $2::string[] AS b, $3::int[] AS e', [
      [1, null, 3],
      ['x', null],
      [],
    ]);
    expect(arrays.map((r) => r.map((v) => (v === null ? null : [...(v as Iterable<Value>)])))).toEqual([
      [[1, null, 3], ['x', null], []],
    ]);
    expect(await rows('SELECT id FROM t WHERE array_contains($1::int[], id) ORDER BY id', [[2, 5]])).toEqual([
      [2],
    ]);
  });
});
