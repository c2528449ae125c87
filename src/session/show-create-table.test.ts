import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.ts';
import type { Session } from './session.ts';

let warehouse = '';
let engine: Engine;
let session: Session;

beforeAll(() => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-show-create-'));
  engine = new Engine({ warehouse, executorThreads: 1 });
  session = engine.createSession();
});

afterAll(async () => {
  await engine.close();
  rmSync(warehouse, { recursive: true, force: true });
});

describe('SHOW CREATE TABLE', () => {
  it('writes column types as Spark writes them in DDL (nested field names keep their case)', async () => {
    await session.sql(
      "CREATE TABLE j (a DECIMAL(5,2) NOT NULL, s STRUCT<x: STRING, `y z`: MAP<STRING, INT>>, l ARRAY<BIGINT>) USING json OPTIONS (mode 'FAILFAST')",
    );
    const text = (await session.sql('SHOW CREATE TABLE j')).rows[0]![0] as string;
    expect(text).toBe(
      'CREATE TABLE spark_catalog.default.j (\n' +
        '  a DECIMAL(5,2) NOT NULL,\n' +
        '  s STRUCT<x: STRING, `y z`: MAP<STRING, INT>>,\n' +
        '  l ARRAY<BIGINT>\n' +
        ')\n' +
        'USING json\n' +
        "OPTIONS (\n  'mode' = 'FAILFAST')\n" +
        `LOCATION '${join(warehouse, 'j')}'\n`,
    );
  });
});
