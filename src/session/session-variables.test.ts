import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from './index.ts';
import { variableName } from './session-variables.ts';

const dir = mkdtempSync(join(tmpdir(), 'kindling-vars-'));
const engine = new Engine({ warehouse: dir });

afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('session variables', () => {
  it('belong to one session', async () => {
    const a = engine.createSession();
    const b = engine.createSession();
    await a.sql('DECLARE v = 1');
    await b.sql("DECLARE v STRING DEFAULT 'other'");
    await a.sql('SET VAR v = v + 41');
    expect((await a.sql('SELECT v')).rows).toEqual([[42]]);
    expect((await b.sql('SELECT v')).rows).toEqual([['other']]);
    await a.sql('DROP TEMPORARY VARIABLE v');
    await expect(a.sql('SELECT v')).rejects.toMatchObject({ sqlstate: '42703' });
    expect((await b.sql('SELECT v')).rows).toEqual([['other']]);
    a.close();
    b.close();
  });

  it('go with DISCARD ALL, as temporary views do', async () => {
    const s = engine.createSession();
    await s.sql('DECLARE kept = 1');
    await s.sql('DISCARD ALL');
    await expect(s.sql('SELECT kept')).rejects.toMatchObject({ sqlstate: '42703' });
    await s.sql('DECLARE kept = 2');
    expect((await s.sql('SELECT kept')).rows).toEqual([[2]]);
    s.close();
  });

  it('reach the plan as constants', async () => {
    const s = engine.createSession();
    await s.sql('DECLARE threshold = 41');
    const plan = (await s.sql('EXPLAIN EXTENDED SELECT id FROM range(100) WHERE id > threshold')).rows
      .map((r) => r[0] as string)
      .join('\n');
    expect(plan).toMatch(/FilterExec: id@0 > Int64\(41\)/);
    expect(plan).not.toMatch(/threshold/);
    s.close();
  });

  it('EXECUTE IMMEDIATE is described by the statement its text holds', async () => {
    const s = engine.createSession();
    await s.sql("DECLARE q = 'SELECT id, :tag AS tag FROM range(3)'");
    const described = (await s.prepare("EXECUTE IMMEDIATE q USING 'x' AS tag", [])).resultSchema;
    expect(described?.fields.map((f) => [f.name, f.type.kind])).toEqual([
      ['id', 'bigint'],
      ['tag', 'string'],
    ]);
    // The client's parameters may stand among the arguments.
    expect(
      (await s.prepare('EXECUTE IMMEDIATE q USING $1 AS tag', [])).resultSchema?.fields.map((f) => f.name),
    ).toEqual(['id', 'tag']);
    expect((await s.prepare("EXECUTE IMMEDIATE 'SELECT 1' INTO q", [])).resultSchema).toBeNull();
    expect((await s.prepare("EXECUTE IMMEDIATE 'SHOW DATABASES'", [])).resultSchema?.fields.length).toBe(1);
    const rows = await s.sql("EXECUTE IMMEDIATE q USING 'x' AS tag");
    expect(rows.rows).toEqual([
      [0n, 'x'],
      [1n, 'x'],
      [2n, 'x'],
    ]);
    s.close();
  });

  it('answer to x, session.x and system.session.x only', () => {
    expect(variableName(['X'])).toBe('X');
    expect(variableName(['SESSION', 'x'])).toBe('x');
    expect(variableName(['system', 'Session', 'x'])).toBe('x');
    expect(variableName(['db', 'x'])).toBeNull();
    expect(variableName(['other', 'session', 'x'])).toBeNull();
  });
});
