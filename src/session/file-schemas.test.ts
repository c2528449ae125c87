import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type * as JsonInference from '../catalog/json/json-infer-schema.ts';
import { EngineError } from '../common/index.ts';
import { Engine } from './engine.ts';

// Counts JSON inferences run in this (the session's) thread. Executor threads load the module
// for themselves, unmocked, so their inferences are not counted.
const sessionThread = vi.hoisted(() => ({ inferences: 0 }));
vi.mock('../catalog/json/json-infer-schema.ts', async (importOriginal) => {
  const actual = await importOriginal<typeof JsonInference>();
  return {
    ...actual,
    inferJsonSchema: (...args: Parameters<typeof actual.inferJsonSchema>) => {
      sessionThread.inferences++;
      return actual.inferJsonSchema(...args);
    },
  };
});

let warehouse = '';

beforeAll(() => {
  warehouse = mkdtempSync(join(tmpdir(), 'kindling-file-schemas-'));
  mkdirSync(join(warehouse, 'events', 'day=2'), { recursive: true });
  writeFileSync(
    join(warehouse, 'events', 'day=2', 'a.json'),
    '{"id": 1, "tags": ["x"], "at": {"h": 3}}\n{"id": 2, "name": "b"}\n',
  );
  mkdirSync(join(warehouse, 'bad'));
  writeFileSync(join(warehouse, 'bad', 'a.json'), '{"a": 1}\n{"a":\n');
  mkdirSync(join(warehouse, 'gz'));
  writeFileSync(join(warehouse, 'gz', 'a.json.gz'), 'not gzip at all');
});

afterAll(() => {
  rmSync(warehouse, { recursive: true, force: true });
});

async function sqlError(run: Promise<unknown>): Promise<EngineError> {
  try {
    await run;
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('no error');
}

const EVENTS_COLUMNS = [
  ['at', 'struct<h:bigint>'],
  ['id', 'bigint'],
  ['name', 'string'],
  ['tags', 'array<string>'],
  ['day', 'int'],
];

describe('JSON schema inference', () => {
  it('reads the files on an executor thread, never the session thread', async () => {
    const engine = new Engine({ warehouse, executorThreads: 1 });
    try {
      const session = engine.createSession();
      sessionThread.inferences = 0;
      const events = join(warehouse, 'events');
      const rows = await session.sql(`SELECT id, name, at.h, tags, day FROM json.\`${events}\` ORDER BY id`);
      expect(rows.rows).toEqual([
        [1n, null, 3n, ['x'], 2],
        [2n, 'b', null, null, 2],
      ]);
      await session.sql(`CREATE TABLE ev USING json LOCATION '${events}'`);
      const described = await session.sql('DESCRIBE ev');
      expect(described.rows.slice(0, 5).map((r) => r.slice(0, 2))).toEqual(EVENTS_COLUMNS);
      // Preparing (the extended protocol's Parse) describes the result: it infers too.
      const prepared = await session.prepare(`SELECT * FROM json.\`${events}\` WHERE id = $1`, []);
      expect(prepared.resultSchema?.fields.map((f) => f.name)).toEqual(EVENTS_COLUMNS.map((c) => c[0]));
      // A parameter takes its type from the inferred column, in an INSERT's query too.
      await session.sql('CREATE TABLE ids (id BIGINT) USING parquet');
      const insert = await session.prepare(
        `INSERT INTO ids SELECT id FROM json.\`${events}\` WHERE id = $1`,
        [],
      );
      expect(insert.paramTypes).toEqual([{ kind: 'bigint' }]);
      const immediate = await session.prepare(`EXECUTE IMMEDIATE 'SELECT name FROM json.\`${events}\`'`, []);
      expect(immediate.resultSchema?.fields.map((f) => f.name)).toEqual(['name']);
      // A view over the files infers when the view is read, as part of the query.
      await session.sql(`CREATE VIEW v AS SELECT id FROM json.\`${events}\``);
      expect((await session.sql('SELECT count(*) FROM v')).rows).toEqual([[2n]]);
      expect(sessionThread.inferences).toBe(0);
    } finally {
      await engine.close();
    }
  });

  it('counts inferences in the session thread when it has no executors (the check above can fail)', async () => {
    const engine = new Engine({ warehouse, executorThreads: 0 });
    try {
      sessionThread.inferences = 0;
      const rows = await engine
        .createSession()
        .sql(`SELECT count(*) FROM json.\`${join(warehouse, 'events')}\``);
      expect(rows.rows).toEqual([[2n]]);
      expect(sessionThread.inferences).toBeGreaterThan(0);
    } finally {
      await engine.close();
    }
  });

  it('keeps the SQLSTATEs of inference errors raised on the executors', async () => {
    const engine = new Engine({ warehouse, executorThreads: 1 });
    try {
      const session = engine.createSession();
      sessionThread.inferences = 0;
      const bad = join(warehouse, 'bad');
      const failfast = await sqlError(
        session.sql(`CREATE TABLE f USING json OPTIONS (mode 'FAILFAST') LOCATION '${bad}'`),
      );
      expect(failfast.sqlstate).toBe('22023');
      expect(failfast.message).toContain('MALFORMED_RECORD_IN_PARSING');
      const unreadable = await sqlError(session.sql(`SELECT * FROM json.\`${join(warehouse, 'gz')}\``));
      expect(unreadable.sqlstate).toBe('58030');
      expect(unreadable.message).toContain('a.json.gz');
      const missing = await sqlError(session.sql(`SELECT * FROM json.\`${join(warehouse, 'none')}\``));
      expect(missing.sqlstate).toBe('42K03');
      const outside = await sqlError(session.sql('SELECT * FROM json.`/etc`'));
      expect(outside.sqlstate).toBe('42501');
      // The failed statements left nothing behind; the session goes on.
      expect((await session.sql(`SELECT count(*) FROM json.\`${bad}\``)).rows).toEqual([[2n]]);
      expect(sessionThread.inferences).toBe(0);
    } finally {
      await engine.close();
    }
  });
});
