/**
 * PostgreSQL's session statements that drivers and connection poolers send: DEALLOCATE of
 * protocol-level prepared statements (one namespace with SQL's), DISCARD ALL, SET TRANSACTION,
 * and SQL-level cursors (which Describe reports as portals, as psycopg 3's named cursors need).
 */
import { serialize } from 'pg-protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RawWireClient, errorOf, type BackendMessage } from './raw-wire-client.ts';
import { startEngineServer, type EngineServer } from './engine-server.ts';

let fixture: EngineServer | undefined;

beforeAll(async () => {
  fixture = await startEngineServer('session-statements');
});

afterAll(async () => {
  await fixture?.close();
});

function tag(messages: readonly BackendMessage[]): unknown {
  return messages.find((m) => m.name === 'commandComplete')?.['text'];
}

describe('session statements', () => {
  it('DEALLOCATE drops a protocol-level prepared statement; DEALLOCATE ALL drops them all', async () => {
    const c = await RawWireClient.connect(fixture!.port);
    try {
      c.send(
        serialize.parse({ name: 'S_1', text: 'SELECT 1' }),
        serialize.parse({ name: 'S_2', text: 'SELECT 2' }),
        serialize.sync(),
      );
      await c.readUntil('readyForQuery');
      // An unquoted name folds to lower case, as in PostgreSQL: not the protocol's "S_1".
      c.send(serialize.query('DEALLOCATE S_1'));
      expect(errorOf(await c.readUntil('readyForQuery'))).toMatchObject({
        code: '26000',
        message: 'prepared statement "s_1" does not exist',
      });
      c.send(serialize.query('DEALLOCATE PREPARE "S_1"'));
      expect(tag(await c.readUntil('readyForQuery'))).toBe('DEALLOCATE');
      c.send(serialize.query('DEALLOCATE "S_1"'));
      expect(errorOf(await c.readUntil('readyForQuery'))?.code).toBe('26000');
      c.send(serialize.query('DEALLOCATE ALL'));
      expect(tag(await c.readUntil('readyForQuery'))).toBe('DEALLOCATE ALL');
      // S_2 is gone too: its name can be prepared again.
      c.send(serialize.parse({ name: 'S_2', text: 'SELECT 3' }), serialize.sync());
      expect(errorOf(await c.readUntil('readyForQuery'))).toBeUndefined();
    } finally {
      await c.end();
    }
  });

  it('DISCARD ALL resets settings and forgets temporary views; SET TRANSACTION is accepted', async () => {
    const c = await RawWireClient.connect(fixture!.port);
    try {
      c.send(
        serialize.query('SET spark.sql.ansi.enabled = false; CREATE TEMPORARY VIEW tv AS SELECT 1 AS x'),
      );
      await c.readUntil('readyForQuery');
      c.send(serialize.query('DISCARD ALL'));
      expect(tag(await c.readUntil('readyForQuery'))).toBe('DISCARD ALL');
      // ANSI mode is on again: division by zero is an error, not NULL.
      c.send(serialize.query('SELECT 1 / 0'));
      expect(errorOf(await c.readUntil('readyForQuery'))?.code).toBe('22012');
      c.send(serialize.query('SELECT * FROM tv'));
      expect(errorOf(await c.readUntil('readyForQuery'))?.code).toBe('42P01');
      c.send(serialize.query('BEGIN; SET TRANSACTION ISOLATION LEVEL SERIALIZABLE READ ONLY; COMMIT'));
      const tx = await c.readUntil('readyForQuery');
      expect(errorOf(tx)).toBeUndefined();
      expect(tx.filter((m) => m.name === 'commandComplete').map((m) => m['text'])).toEqual([
        'BEGIN',
        'SET',
        'COMMIT',
      ]);
    } finally {
      await c.end();
    }
  });

  it('cursors: DECLARE needs a transaction or HOLD, FETCH and MOVE go forward only, CLOSE ends them', async () => {
    const c = await RawWireClient.connect(fixture!.port);
    const run = async (sql: string): Promise<BackendMessage[]> => {
      c.send(serialize.query(sql));
      return c.readUntil('readyForQuery');
    };
    try {
      expect(errorOf(await run('DECLARE c CURSOR FOR SELECT 1'))?.code).toBe('25P01');
      expect(errorOf(await run('DECLARE c SCROLL CURSOR WITH HOLD FOR SELECT 1'))?.code).toBe('0A000');
      expect(tag(await run('DECLARE c NO SCROLL CURSOR WITH HOLD FOR SELECT id FROM range(0, 10)'))).toBe(
        'DECLARE CURSOR',
      );
      expect(tag(await run('FETCH 3 FROM c'))).toBe('FETCH 3');
      expect(tag(await run('MOVE FORWARD 2 IN c'))).toBe('MOVE 2');
      expect(tag(await run('FETCH ABSOLUTE 8 FROM c'))).toBe('FETCH 1');
      expect(errorOf(await run('FETCH PRIOR FROM c'))?.code).toBe('55000');
      expect(errorOf(await run('FETCH ABSOLUTE 2 FROM c'))?.code).toBe('55000');
      expect(tag(await run('FETCH ALL FROM c'))).toBe('FETCH 2');
      expect(tag(await run('FETCH NEXT FROM c'))).toBe('FETCH 0');
      expect(errorOf(await run('DECLARE c CURSOR WITH HOLD FOR SELECT 2'))?.code).toBe('42P03');
      expect(tag(await run('CLOSE c'))).toBe('CLOSE CURSOR');
      expect(errorOf(await run('FETCH c'))?.code).toBe('34000');
      // Without HOLD a cursor ends with its transaction.
      await run('BEGIN; DECLARE t CURSOR FOR SELECT 1; COMMIT');
      expect(errorOf(await run('FETCH t'))?.code).toBe('34000');
    } finally {
      await c.end();
    }
  });

  it('a DECLAREd cursor is a portal Describe reports: its columns, binary for a BINARY cursor', async () => {
    const c = await RawWireClient.connect(fixture!.port);
    const describe = async (portal: string): Promise<BackendMessage[]> => {
      c.send(serialize.describe({ type: 'P', name: portal }), serialize.sync());
      return c.readUntil('readyForQuery');
    };
    const fields = (messages: readonly BackendMessage[]): unknown =>
      (
        messages.find((m) => m.name === 'rowDescription')?.['fields'] as { name: string; format: string }[]
      ).map((f) => [f.name, f.format]);
    try {
      c.send(serialize.query('BEGIN'));
      await c.readUntil('readyForQuery');
      c.send(serialize.query("DECLARE plain CURSOR FOR SELECT 1 AS one, 'x' AS s"));
      await c.readUntil('readyForQuery');
      expect(fields(await describe('plain'))).toEqual([
        ['one', 'text'],
        ['s', 'text'],
      ]);
      c.send(serialize.query('DECLARE bin BINARY CURSOR FOR SELECT 1 AS one'));
      await c.readUntil('readyForQuery');
      expect(fields(await describe('bin'))).toEqual([['one', 'binary']]);
      expect(errorOf(await describe('missing'))?.code).toBe('34000');
    } finally {
      await c.end();
    }
  });
});
