import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EngineError } from '../common/index.ts';
import { Engine } from './engine.ts';
import type { Session } from './session.ts';

let warehouse = '';
let engine: Engine;
let session: Session;

beforeAll(() => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-file-relations-'));
  engine = new Engine({ warehouse, executorThreads: 1 });
  session = engine.createSession();
  mkdirSync(join(warehouse, 'raw', 'd=1'), { recursive: true });
  writeFileSync(join(warehouse, 'raw', 'd=1', 'x.json'), '{"v": "a", "n": 1}\n{"v": "b", "n": 2.5}\n');
});

afterAll(async () => {
  await engine.close();
  rmSync(warehouse, { recursive: true, force: true });
});

async function error(sql: string): Promise<EngineError> {
  try {
    await session.sql(sql);
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error(`no error from ${sql}`);
}

describe('queries on files', () => {
  it('reads json.`path` and parquet.`path` with inferred schemas and partition folders', async () => {
    const json = await session.sql(`SELECT v, n, d FROM json.\`${join(warehouse, 'raw')}\` ORDER BY v`);
    expect(json.rows).toEqual([
      ['a', 1, 1],
      ['b', 2.5, 1],
    ]);
    await session.sql('CREATE TABLE pq USING parquet AS SELECT 7 AS x');
    const parquet = await session.sql(`SELECT x FROM parquet.\`${join(warehouse, 'pq')}\``);
    expect(parquet.rows).toEqual([[7]]);
  });

  it('keeps paths inside the allowed folders and needs them absolute', async () => {
    expect((await error('SELECT * FROM json.`/etc`')).sqlstate).toBe('42501');
    expect((await error('SELECT * FROM json.`raw`')).sqlstate).toBe('42P01');
    expect((await error(`SELECT * FROM json.\`${join(warehouse, 'none')}\``)).sqlstate).toBe('42K03');
  });

  it('a database named like the format keeps its tables', async () => {
    await session.sql('CREATE DATABASE json');
    await session.sql('CREATE TABLE json.t USING parquet AS SELECT 1 AS y');
    expect((await session.sql('SELECT y FROM json.t')).rows).toEqual([[1]]);
    expect((await error(`SELECT * FROM json.\`${join(warehouse, 'raw')}\``)).sqlstate).toBe('42P01');
  });
});
