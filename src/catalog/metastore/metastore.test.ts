import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { EngineError, T, field } from '../../common/index.ts';
import { Metastore, METASTORE_DIR, type TableDefinitionInput } from './metastore.ts';
import { compileNamePattern } from './name-pattern.ts';
import { SNAPSHOTS_DIR, encodeSnapshot } from '../file-listing.ts';

let warehouse: string;

beforeEach(() => {
  warehouse = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-ms-'));
});
afterEach(() => {
  fs.rmSync(warehouse, { recursive: true, force: true });
});

function table(name: string, extra: Partial<TableDefinitionInput> = {}): TableDefinitionInput {
  return {
    database: 'default',
    name,
    columns: [field('a', T.int), field('B', T.string)],
    format: 'csv',
    options: { sep: '|' },
    partitionColumns: [],
    external: false,
    comment: null,
    properties: {},
    ...extra,
  };
}

function dbNames(ms: Metastore, pattern?: string): string[] {
  return ms.listDatabases(pattern).map((d) => d.name);
}

function tableNames(ms: Metastore, db: string, pattern?: string): string[] {
  return ms.listTables(db, pattern).map((t) => t.name);
}

function sqlstate(fn: () => unknown): string {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return (err as EngineError).sqlstate;
  }
  throw new Error('expected an error');
}

function errorOf(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    return err as EngineError;
  }
  throw new Error('expected an error');
}

describe('Metastore databases', () => {
  it('creates the warehouse and the default database on open', () => {
    const dir = path.join(warehouse, 'nested', 'wh');
    const ms = Metastore.open(dir);
    expect(dbNames(ms)).toEqual(['default']);
    expect(ms.getDatabase('DEFAULT')).toEqual({
      name: 'default',
      location: dir,
      comment: 'default database',
    });
    expect(fs.existsSync(path.join(dir, METASTORE_DIR))).toBe(true);
  });

  it('creates, lists, gets and drops databases, case-insensitively', () => {
    const ms = Metastore.open(warehouse);
    const db = ms.createDatabase({ name: 'Sales', comment: 'c' }, false);
    expect(db).toEqual({ name: 'sales', location: path.join(warehouse, 'sales.db'), comment: 'c' });
    expect(fs.statSync(db.location).isDirectory()).toBe(true);
    expect(dbNames(ms)).toEqual(['default', 'sales']);
    expect(ms.getDatabase('SALES')?.comment).toBe('c');
    const err = errorOf(() => ms.createDatabase({ name: 'sales' }, false));
    expect(err.sqlstate).toBe('42P06');
    expect(err.message).toContain('[SCHEMA_ALREADY_EXISTS]');
    expect(ms.createDatabase({ name: 'SALES' }, true).comment).toBe('c');
    ms.dropDatabase('Sales', false, false);
    expect(dbNames(ms)).toEqual(['default']);
    expect(fs.existsSync(db.location)).toBe(false);
    expect(sqlstate(() => ms.dropDatabase('sales', false, false))).toBe('42704');
    ms.dropDatabase('sales', true, false);
    expect(ms.getDatabase('nope')).toBeUndefined();
    expect(sqlstate(() => ms.requireDatabase('nope'))).toBe('42704');
    expect(sqlstate(() => ms.dropDatabase('default', false, true))).toBe('0A000');
  });

  it('refuses to drop a non-empty database without CASCADE; CASCADE drops tables and managed data', () => {
    const ms = Metastore.open(warehouse);
    ms.createDatabase({ name: 'db1' }, false);
    const t = ms.createTable(table('t1', { database: 'db1' }), false);
    expect(t.location).toBe(path.join(warehouse, 'db1.db', 't1'));
    fs.writeFileSync(path.join(t.location, 'part-0.csv'), '1|x\n');
    const err = errorOf(() => ms.dropDatabase('db1', false, false));
    expect(err.sqlstate).toBe('2BP01');
    expect(err.message).toContain('[SCHEMA_NOT_EMPTY]');
    ms.dropDatabase('db1', false, true);
    expect(dbNames(ms)).toEqual(['default']);
    expect(fs.existsSync(t.location)).toBe(false);
  });

  it('filters with SHOW patterns', () => {
    const ms = Metastore.open(warehouse);
    for (const n of ['sales', 'sales_eu', 'hr']) ms.createDatabase({ name: n }, false);
    expect(dbNames(ms, 'sales*')).toEqual(['sales', 'sales_eu']);
    expect(dbNames(ms, 'HR|def*')).toEqual(['default', 'hr']);
  });
});

describe('Metastore tables', () => {
  it('creates, lists, gets and drops tables; names are case-insensitive', () => {
    const ms = Metastore.open(warehouse);
    const t = ms.createTable(table('LineItem'), false);
    expect(t.name).toBe('lineitem');
    expect(t.location).toBe(path.join(warehouse, 'lineitem'));
    expect(t.columns.map((c) => c.name)).toEqual(['a', 'B']);
    expect(ms.getTable('DEFAULT', 'LINEITEM')).toEqual(t);
    expect(tableNames(ms, 'default')).toEqual(['lineitem']);
    const dup = errorOf(() => ms.createTable(table('lineitem'), false));
    expect(dup.sqlstate).toBe('42P07');
    expect(dup.message).toContain('[TABLE_OR_VIEW_ALREADY_EXISTS]');
    expect(ms.createTable(table('LINEITEM', { comment: 'other' }), true).comment).toBeNull();
    ms.dropTable('default', 'LineItem', false);
    expect(tableNames(ms, 'default')).toEqual([]);
    expect(fs.existsSync(t.location)).toBe(false);
    expect(sqlstate(() => ms.dropTable('default', 'lineitem', false))).toBe('42P01');
    ms.dropTable('default', 'lineitem', true);
    expect(ms.getTable('default', 'lineitem')).toBeUndefined();
    expect(sqlstate(() => ms.requireTable('default', 'lineitem'))).toBe('42P01');
    expect(ms.getTable('nodb', 'lineitem')).toBeUndefined();
    expect(sqlstate(() => ms.requireTable('nodb', 'lineitem'))).toBe('42704');
    expect(sqlstate(() => ms.createTable(table('x', { database: 'nodb' }), false))).toBe('42704');
    expect(sqlstate(() => tableNames(ms, 'nodb'))).toBe('42704');
  });

  it('keeps the files of external tables on DROP', () => {
    const ms = Metastore.open(warehouse);
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'kindling-ext-'));
    fs.writeFileSync(path.join(dataDir, 'a.csv'), '1|x\n');
    const t = ms.createTable(table('ext', { external: true, location: dataDir }), false);
    expect(t.location).toBe(dataDir);
    ms.dropTable('default', 'ext', false);
    expect(fs.existsSync(path.join(dataDir, 'a.csv'))).toBe(true);
    fs.rmSync(dataDir, { recursive: true });
  });

  it('rejects a CSV table without columns, duplicate columns and unknown partition columns', () => {
    const ms = Metastore.open(warehouse);
    const noCols = errorOf(() => ms.createTable(table('t', { columns: [] }), false));
    expect(noCols.sqlstate).toBe('0A000');
    expect(noCols.message).toContain('column list');
    expect(
      sqlstate(() => ms.createTable(table('t', { columns: [field('a', T.int), field('A', T.int)] }), false)),
    ).toBe('42711');
    expect(sqlstate(() => ms.createTable(table('t', { partitionColumns: ['zz'] }), false))).toBe('42703');
    expect(tableNames(ms, 'default')).toEqual([]);
  });

  it('persists across re-open and sees changes made through another instance', () => {
    const a = Metastore.open(warehouse);
    a.createDatabase({ name: 'db' }, false);
    const created = a.createTable(table('t', { database: 'db', properties: { numRows: '5' } }), false);
    const b = Metastore.open(warehouse);
    expect(dbNames(b)).toEqual(['db', 'default']);
    expect(b.getTable('db', 't')).toEqual(created);
    b.alterTable({ ...created, properties: { numRows: '7' } });
    expect(a.getTable('db', 't')?.properties).toEqual({ numRows: '7' });
    b.dropTable('db', 't', false);
    expect(tableNames(a, 'db')).toEqual([]);
  });

  it('stores views and refuses DROP TABLE on a view and DROP VIEW on a table', () => {
    const ms = Metastore.open(warehouse);
    ms.createTable(table('t'), false);
    const v = ms.createView({
      database: 'default',
      name: 'V',
      viewText: 'SELECT a FROM t',
      columns: [field('a', T.int)],
    });
    expect(v.format).toBe('view');
    expect(ms.getTable('default', 'v')?.properties.viewText).toBe('SELECT a FROM t');
    expect(
      sqlstate(() => ms.createView({ database: 'default', name: 'v', viewText: 'x', columns: [] })),
    ).toBe('42P07');
    const replaced = ms.createView(
      { database: 'default', name: 'v', viewText: 'SELECT 2', columns: [field('c', T.int)] },
      { replace: true },
    );
    expect(replaced.properties.viewText).toBe('SELECT 2');
    expect(sqlstate(() => ms.dropTable('default', 'v', false))).toBe('42809');
    expect(sqlstate(() => ms.dropView('default', 't', false))).toBe('42809');
    ms.dropView('default', 'V', false);
    expect(tableNames(ms, 'default')).toEqual(['t']);
    expect(sqlstate(() => ms.dropView('default', 'v', false))).toBe('42P01');
    ms.dropView('default', 'v', true);
  });

  it('matches SHOW TABLES LIKE patterns', () => {
    const ms = Metastore.open(warehouse);
    for (const n of ['orders', 'order_items', 'lineitem', 'part', 'partsupp'])
      ms.createTable(table(n), false);
    expect(tableNames(ms, 'default', 'order*')).toEqual(['order_items', 'orders']);
    expect(tableNames(ms, 'default', 'PART|line*')).toEqual(['lineitem', 'part']);
    expect(tableNames(ms, 'default', '*supp')).toEqual(['partsupp']);
    expect(tableNames(ms, 'default', 'o.ders')).toEqual([]);
  });
});

describe('Metastore crash safety', () => {
  it('ignores and sweeps temp files left by a crash; the previous state stays readable', () => {
    const ms = Metastore.open(warehouse);
    const t = ms.createTable(table('t'), false);
    const tablesDir = path.join(warehouse, METASTORE_DIR, 'tables', 'default');
    // A finished temp file that was never renamed, and a half-written one (a crash mid-write).
    const full = path.join(tablesDir, '.t.json.tmp-999-abc');
    const half = path.join(tablesDir, '.u.json.tmp-999-def');
    fs.writeFileSync(
      full,
      JSON.stringify({ formatVersion: 1, kind: 'table', table: { ...t, comment: 'new' } }),
    );
    fs.writeFileSync(half, '{"formatVersion": 1, "kind": "tab');
    const old = new Date(Date.now() - 3_600_000);
    fs.utimesSync(half, old, old);
    const reopened = Metastore.open(warehouse);
    expect(tableNames(reopened, 'default')).toEqual(['t']);
    expect(reopened.getTable('default', 't')).toEqual(t);
    expect(fs.existsSync(half)).toBe(false); // stale: removed
    expect(fs.existsSync(full)).toBe(true); // young: may belong to a live writer, ignored
  });

  it('reports a corrupt metadata file for that table only', () => {
    const ms = Metastore.open(warehouse);
    ms.createTable(table('good'), false);
    ms.createTable(table('bad'), false);
    const badFile = path.join(warehouse, METASTORE_DIR, 'tables', 'default', 'bad.json');
    fs.writeFileSync(badFile, '{ not json');
    const reopened = Metastore.open(warehouse);
    expect(tableNames(reopened, 'default')).toEqual(['bad', 'good']);
    expect(reopened.getTable('default', 'good')?.name).toBe('good');
    const err = errorOf(() => reopened.getTable('default', 'bad'));
    expect(err.sqlstate).toBe('XX001');
    expect(err.message).toContain(badFile);
    fs.writeFileSync(badFile, JSON.stringify({ formatVersion: 1, kind: 'table', table: { name: 3 } }));
    expect(errorOf(() => reopened.getTable('default', 'bad')).sqlstate).toBe('XX001');
    // A corrupt entry can still be dropped.
    reopened.dropTable('default', 'bad', false);
    expect(tableNames(reopened, 'default')).toEqual(['good']);
  });

  it('reports a corrupt database file for that database only', () => {
    const ms = Metastore.open(warehouse);
    ms.createDatabase({ name: 'x' }, false);
    const file = path.join(warehouse, METASTORE_DIR, 'databases', 'x.json');
    fs.writeFileSync(file, '');
    const reopened = Metastore.open(warehouse);
    expect(dbNames(reopened)).toEqual(['default', 'x']);
    const err = errorOf(() => reopened.getDatabase('x'));
    expect(err.sqlstate).toBe('XX001');
    expect(err.message).toContain(file);
    expect(reopened.getDatabase('default')?.name).toBe('default');
  });

  it('stores odd names safely as file names', () => {
    const ms = Metastore.open(warehouse);
    ms.createTable(table('a.b c*%', { external: true, location: warehouse + '/elsewhere' }), false);
    expect(tableNames(ms, 'default')).toEqual(['a.b c*%']);
    expect(ms.getTable('default', 'A.B C*%')?.name).toBe('a.b c*%');
  });

  it('refuses names that are not one path segment (they would reach outside the warehouse)', () => {
    const ms = Metastore.open(warehouse);
    for (const name of ['../../tmp/x', 'a/b', 'a\\b', '..', '.', 'nul\0byte']) {
      expect(() => ms.createTable(table(name), false)).toThrow(/INVALID_SCHEMA_OR_RELATION_NAME/);
      expect(() => ms.createDatabase({ name }, false)).toThrow(/INVALID_SCHEMA_OR_RELATION_NAME/);
    }
  });
});

describe('compileNamePattern', () => {
  it('supports * and | and is case-insensitive and whole-name', () => {
    const m = compileNamePattern('ab*|X');
    expect(['ab', 'abc', 'AB_d', 'x', 'X', 'xa', 'cab'].filter(m)).toEqual(['ab', 'abc', 'AB_d', 'x', 'X']);
    expect(compileNamePattern('a.b')('axb')).toBe(false);
    expect(compileNamePattern('a.b')('a.b')).toBe(true);
    expect(compileNamePattern('*')('')).toBe(true);
  });
});

describe('start-up cleanup of unfinished writes', () => {
  const old = new Date(Date.now() - 20 * 60_000);
  const plant = (file: string, stale: boolean, text = 'x'): string => {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
    if (stale) fs.utimesSync(file, old, old);
    return file;
  };
  const free = (): (() => void) => () => undefined;
  const ours = 'part-00000-0f0e0d0c-0b0a-4908-8706-050403020100.c000.parquet';

  it('removes stale hidden data files of registered tables, and nothing else', () => {
    const ms = Metastore.open(warehouse);
    const t = ms.createTable(table('t', { format: 'parquet', partitionColumns: [] }), false);
    const part = path.join(t.location, 'p=1');
    const staleHidden = plant(path.join(t.location, '.part-00000-a.c000.parquet.0badc0de.inprogress'), true);
    const stalePart = plant(path.join(part, '.part-00001-a.c000.parquet.12345678.inprogress'), true);
    const fresh = plant(path.join(t.location, '.part-00002-b.c000.parquet.87654321.inprogress'), false);
    const data = plant(path.join(t.location, 'part-00000-a.c000.parquet'), true);
    const other = plant(path.join(t.location, '.keep'), true);

    // A table being written by another process (its lock is held) is left alone.
    Metastore.open(warehouse).sweepWriteLeftovers(() => null);
    expect(fs.existsSync(staleHidden)).toBe(true);
    Metastore.open(warehouse).sweepWriteLeftovers(free);
    expect(fs.existsSync(staleHidden)).toBe(false);
    expect(fs.existsSync(stalePart)).toBe(false);
    for (const kept of [fresh, data, other]) expect(fs.existsSync(kept)).toBe(true);
  });

  it('removes what an unregistered write left in a database folder: only files its snapshots list under written names', () => {
    const ms = Metastore.open(warehouse);
    const snapshot = (folder: string, id: string, tableName: string, files: string[]): void => {
      plant(
        path.join(folder, SNAPSHOTS_DIR, `${id}.json`),
        false,
        encodeSnapshot({ id, version: 1, table: tableName, files: files.map((f) => ({ path: f, size: 1 })) }),
      );
    };
    // `u`: a CREATE TABLE … AS SELECT that died before registering; a user's file sits beside.
    const u = path.join(warehouse, 'u');
    const uData = plant(path.join(u, 'p=1', ours), false);
    const userFile = plant(path.join(u, 'user.csv'), false);
    snapshot(u, '0000000001-00000001', 'default.u', [`p=1/${ours}`, 'user.csv']);
    // `w`: only the write's own files: the folder goes.
    const w = path.join(warehouse, 'w');
    plant(path.join(w, ours), false);
    plant(path.join(w, `.${ours}.1234abcd.inprogress`), false);
    snapshot(w, '0000000001-00000002', 'default.w', [ours]);
    // `x`: its snapshot names another table: not this folder's leftovers.
    const x = path.join(warehouse, 'x');
    const xData = plant(path.join(x, ours), false);
    snapshot(x, '0000000001-00000003', 'default.other', [ours]);

    ms.sweepWriteLeftovers(free);
    expect(fs.existsSync(uData)).toBe(false);
    expect(fs.existsSync(path.join(u, 'p=1'))).toBe(false);
    expect(fs.existsSync(path.join(u, SNAPSHOTS_DIR))).toBe(false);
    expect(fs.existsSync(userFile)).toBe(true);
    expect(fs.existsSync(w)).toBe(false);
    expect(fs.existsSync(xData)).toBe(true);
  });
});
