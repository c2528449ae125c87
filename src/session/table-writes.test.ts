import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Engine } from './engine.ts';

const warehouse = mkdtempSync(join(tmpdir(), 'kindling-writes-'));
afterAll(() => rmSync(warehouse, { recursive: true, force: true }));

function parquetFiles(dir: string): string[] {
  return readdirSync(dir).filter((n) => n.endsWith('.parquet'));
}

describe('INSERT OVERWRITE', () => {
  it('removes only the table’s own data files, never other files in its folder', async () => {
    const engine = new Engine({ warehouse, executorThreads: 0 });
    const s = engine.createSession();
    const location = join(warehouse, 'ext');
    await s.sql(`CREATE TABLE ext (a INT, p INT) USING parquet PARTITIONED BY (p) LOCATION '${location}'`);
    await s.sql('INSERT INTO ext VALUES (1, 1), (2, 2)');
    const first = parquetFiles(join(location, 'p=1'));
    expect(first.length).toBe(1);
    // Files that are not the table's data: beside it, in a folder outside the partition layout,
    // and of another kind inside a partition folder.
    writeFileSync(join(location, 'notes.txt'), 'keep me');
    mkdirSync(join(location, 'backup'));
    copyFileSync(join(location, 'p=1', first[0]!), join(location, 'backup', 'old.parquet'));
    writeFileSync(join(location, 'p=1', 'README.md'), 'keep me too');

    await s.sql('INSERT OVERWRITE TABLE ext PARTITION (p = 1) SELECT 10');
    const after = parquetFiles(join(location, 'p=1'));
    expect(after.length).toBe(1);
    expect(after[0]).not.toBe(first[0]);
    expect(parquetFiles(join(location, 'p=2')).length).toBe(1);

    await s.sql('INSERT OVERWRITE TABLE ext SELECT 20, 3');
    expect(existsSync(join(location, 'p=1')) ? parquetFiles(join(location, 'p=1')) : []).toEqual([]);
    expect(parquetFiles(join(location, 'p=3')).length).toBe(1);
    for (const kept of ['notes.txt', 'backup/old.parquet', 'p=1/README.md']) {
      expect(existsSync(join(location, kept)), kept).toBe(true);
    }
    s.close();
  });
});

describe('TRUNCATE TABLE', () => {
  it('commits a snapshot without the removed files and keeps the statistics exact', async () => {
    const engine = new Engine({ warehouse, executorThreads: 0 });
    const s = engine.createSession();
    await s.sql('CREATE TABLE tp (a INT, p INT) USING parquet PARTITIONED BY (p)');
    await s.sql('INSERT INTO tp VALUES (1, 1), (2, 1), (3, 2)');
    const stats = () => engine.metastore.getTable('default', 'tp')!.statistics;
    expect(stats()?.rowCount).toBe(3);
    const snapshot = engine.metastore.getTable('default', 'tp')!.snapshot;

    await s.sql('TRUNCATE TABLE tp PARTITION (p = 1)');
    expect(engine.metastore.getTable('default', 'tp')!.snapshot).not.toBe(snapshot);
    expect(existsSync(join(warehouse, 'tp', 'p=1'))).toBe(false);
    expect(parquetFiles(join(warehouse, 'tp', 'p=2')).length).toBe(1);
    expect(stats()?.rowCount).toBe(1);
    expect((await s.sql('SELECT a, p FROM tp')).rows).toEqual([[3, 2]]);

    await s.sql('TRUNCATE TABLE tp');
    expect(existsSync(join(warehouse, 'tp', 'p=2'))).toBe(false);
    expect(stats()).toMatchObject({ rowCount: 0, totalBytes: 0 });
    expect((await s.sql('SELECT count(*) FROM tp')).rows).toEqual([[0n]]);
    // Only the current snapshot is left.
    expect(readdirSync(join(warehouse, 'tp', '_kindling_snapshots')).length).toBe(1);
    s.close();
  });
});

describe('a table Kindling writes', () => {
  it('is the files its snapshot lists: adopted at the first write, kept apart from files copied in', async () => {
    const engine = new Engine({ warehouse, executorThreads: 0 });
    const s = engine.createSession();
    const count = async (): Promise<unknown> => (await s.sql('SELECT count(*) AS n FROM adopt')).rows[0]![0];
    await s.sql('CREATE TABLE three USING parquet AS SELECT * FROM VALUES (1L), (2L), (3L) AS v(a)');
    expect(parquetFiles(join(warehouse, 'three')).length).toBe(1);
    const source = join(warehouse, 'three', parquetFiles(join(warehouse, 'three'))[0]!);
    const location = join(warehouse, 'adopt');
    mkdirSync(location);
    copyFileSync(source, join(location, 'by-hand-1.parquet'));
    await s.sql(`CREATE TABLE adopt (a BIGINT) USING parquet LOCATION '${location}'`);
    expect(await count()).toBe(3n); // no snapshot yet: whatever the folder holds

    await s.sql('INSERT INTO adopt VALUES (7)');
    expect(await count()).toBe(4n);
    expect(readdirSync(join(location, '_kindling_snapshots')).length).toBe(1);
    copyFileSync(source, join(location, 'by-hand-2.parquet'));
    expect(await count()).toBe(4n); // not part of the table

    // INSERT OVERWRITE deletes the table's files only.
    await s.sql('INSERT OVERWRITE adopt VALUES (8)');
    expect(await count()).toBe(1n);
    expect(existsSync(join(location, 'by-hand-1.parquet'))).toBe(false);
    expect(existsSync(join(location, 'by-hand-2.parquet'))).toBe(true);

    // DROP of an external table keeps its files and forgets the snapshot.
    await s.sql('DROP TABLE adopt');
    expect(existsSync(join(location, '_kindling_snapshots'))).toBe(false);
    await s.sql(`CREATE TABLE adopt (a BIGINT) USING parquet LOCATION '${location}'`);
    expect(await count()).toBe(4n);
    s.close();
  });
});

describe('concurrent writers of one table', () => {
  it('run one after another: two overwrites leave one result, two appends both', async () => {
    const engine = new Engine({ warehouse, executorThreads: 0 });
    const a = engine.createSession();
    const b = engine.createSession();
    await a.sql('CREATE TABLE race (x BIGINT) USING parquet');
    for (let round = 0; round < 3; round++) {
      await Promise.all([
        a.sql('INSERT OVERWRITE TABLE race SELECT id FROM range(0, 3000)'),
        b.sql('INSERT OVERWRITE TABLE race SELECT id FROM range(0, 5000)'),
      ]);
      const rows = (await a.sql('SELECT count(*) FROM race')).rows[0]![0];
      expect([3000n, 5000n]).toContain(rows);
    }
    await a.sql('INSERT OVERWRITE TABLE race SELECT 1');
    await Promise.all([
      a.sql('INSERT INTO race SELECT id FROM range(0, 700)'),
      b.sql('INSERT INTO race SELECT id FROM range(0, 300)'),
      a.sql('INSERT INTO race SELECT id FROM range(0, 100)').catch((e: unknown) => e),
    ]);
    expect((await b.sql('SELECT count(*) FROM race')).rows[0]![0]).toBe(1101n);
    a.close();
    b.close();
  });

  it('a statement cancelled while it waits for the table stops waiting', async () => {
    const { TableLocks } = await import('./table-locks.ts');
    const locks = new TableLocks();
    let release!: () => void;
    const first = locks.run('db.t', undefined, () => new Promise<void>((r) => (release = r)));
    const controller = new AbortController();
    const second = locks.run('db.t', controller.signal, () => Promise.resolve('ran'));
    controller.abort();
    await expect(second).rejects.toMatchObject({ sqlstate: '57014' });
    const third = locks.run('db.t', undefined, () => Promise.resolve('third'));
    release();
    await first;
    expect(await third).toBe('third');
  });
});

describe('lock files shared by the processes of a warehouse', () => {
  it('make a writer of another engine wait, and take over locks of processes that are gone', async () => {
    const { TableLocks } = await import('./table-locks.ts');
    const { mkdtempSync: mk, writeFileSync: write, utimesSync } = await import('node:fs');
    const { execFileSync } = await import('node:child_process');
    const dir = mk(join(tmpdir(), 'kindling-locks-'));
    const a = new TableLocks(dir);
    const b = new TableLocks(dir);
    const order: string[] = [];
    let release!: () => void;
    const first = a.run('db.t', undefined, async () => {
      order.push('a starts');
      await new Promise<void>((r) => (release = r));
      order.push('a ends');
    });
    await new Promise((r) => setTimeout(r, 20));
    const second = b.run('db.t', undefined, () => {
      order.push('b runs');
      return Promise.resolve();
    });
    await new Promise((r) => setTimeout(r, 100));
    expect(order).toEqual(['a starts']);
    release();
    await Promise.all([first, second]);
    expect(order).toEqual(['a starts', 'a ends', 'b runs']);

    // A process that is gone, a half-written old file, and an earlier process with this pid.
    const dead = Number(execFileSync(process.execPath, ['-e', 'console.log(process.pid)']).toString());
    const file = join(dir, 'db%2Eu.lock');
    for (const leftover of [`${dead} 0123\n`, '', `${process.pid} not-this-process\n`]) {
      write(file, leftover);
      if (leftover === '') utimesSync(file, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      expect(await b.run('db.u', undefined, () => Promise.resolve('taken over'))).toBe('taken over');
      expect(existsSync(file)).toBe(false);
    }

    // Waiting for a live holder stops when the statement is cancelled.
    let hold!: () => void;
    const holding = a.run('db.v', undefined, () => new Promise<void>((r) => (hold = r)));
    await new Promise((r) => setTimeout(r, 20));
    const controller = new AbortController();
    const waiting = b.run('db.v', controller.signal, () => Promise.resolve('ran'));
    setTimeout(() => controller.abort(), 50);
    await expect(waiting).rejects.toMatchObject({ sqlstate: '57014' });
    hold();
    await holding;
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('multi-insert', () => {
  it("reports the rows of all its INSERTs in one tag, like a single INSERT's", async () => {
    const engine = new Engine({ warehouse, executorThreads: 0 });
    const s = engine.createSession();
    await s.sql('CREATE TABLE mi_a (x BIGINT) USING parquet');
    await s.sql('CREATE TABLE mi_b (x BIGINT) USING parquet');
    const tags: string[] = [];
    for await (const r of s.execute(
      'FROM range(10) INSERT INTO mi_a SELECT id WHERE id < 3 INSERT INTO mi_b SELECT id * 2 WHERE id >= 6',
    ))
      if (r.kind === 'command') tags.push(r.tag);
    expect(tags).toEqual(['INSERT 0 7']);
    expect((await s.sql('SELECT sum(x) FROM mi_a')).rows).toEqual([[3n]]);
    expect((await s.sql('SELECT sum(x) FROM mi_b')).rows).toEqual([[60n]]);
    s.close();
    await engine.close();
  });
});
