/**
 * The crash tests' harness: one warehouse served by `kindling serve` child processes that are
 * killed with SIGKILL in the middle of writes — at a random instant, or exactly at one step of a
 * commit (the test-only KINDLING_TEST_CRASH_AT hook, src/common/files.ts) — and started again.
 * Each start checks every table: it reads back as it was before the killed write or as the write
 * made it (row count and sum of `v`), never anything else, and its folder holds no data file
 * beyond those its snapshot lists (the start-up sweep removed the rest).
 */
import * as fs from 'node:fs';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import pg from 'pg';
import { expect } from 'vitest';
import { startChildServer, type ChildServer } from './child-server.ts';

/** What a table holds: its row count and the sum of its column `v`; null when there is no such table. */
export type Content = { readonly rows: string; readonly sum: string } | null;

export interface Write {
  readonly table: string;
  readonly sql: string;
  /**
   * A query whose one row is (count, sum) of what the table holds once the write committed, run
   * just before it; null when the write drops the table.
   */
  readonly after: string | null;
}

/** How the write is stopped: at a crash point (`point` or `point@n`), or by a kill after `ms`. */
export type Kill = { readonly crashAt: string } | { readonly afterMs: number };

export class CrashHarness {
  readonly warehouse = fs.mkdtempSync(path.join(tmpdir(), 'kindling-crash-'));
  /** Kills that stopped a write before it returned. */
  kills = 0;
  /** How long the last write that finished took, in milliseconds (0 before any). */
  lastWriteMs = 0;
  /** How many killed writes' tables were found as before the write, and as after it. */
  readonly outcomes = { before: 0, after: 0 };
  private readonly tables = new Map<string, Content>();
  /**
   * The killed write's table, the two contents it may now hold, and which one it must (null:
   * either), checked when the next server starts.
   */
  private pending: {
    table: string;
    before: Content;
    after: Content;
    expected: 'before' | 'after' | null;
    what: string;
  } | null = null;

  /** Runs statements on a server that is not killed, then records what `tables` hold. */
  async setup(statements: readonly string[], tables: readonly string[]): Promise<void> {
    await this.withServer({}, async (client) => {
      await this.check(client);
      for (const sql of statements) await client.query(sql);
      for (const t of tables) this.tables.set(t, await contentOf(client, t));
    });
  }

  /**
   * Starts a server (checking every table), runs `write` and stops it by `kill`; the next start
   * checks the table holds what it held before or what the write made — `expected` of the two
   * when given. Returns 'finished' when the write ran to its end before a random kill.
   */
  async crash(
    write: Write,
    kill: Kill,
    expected: 'before' | 'after' | null = null,
  ): Promise<'killed' | 'finished'> {
    const env: Record<string, string> = 'crashAt' in kill ? { KINDLING_TEST_CRASH_AT: kill.crashAt } : {};
    const server = await this.start(env);
    try {
      const client = await connect(server);
      await this.check(client);
      const before = this.tables.get(write.table) ?? null;
      const after = write.after === null ? null : await countAndSum(client, write.after);
      let finished = false;
      let timer: NodeJS.Timeout | undefined;
      if ('afterMs' in kill) timer = setTimeout(() => void server.stop(), kill.afterMs);
      const started = performance.now();
      try {
        await client.query(write.sql);
        finished = true;
        this.lastWriteMs = performance.now() - started;
      } catch (err) {
        // The server died under the statement: the connection ends (or is reset) without an
        // answer, never with an error the server sent.
        expect(err, String(err)).not.toBeInstanceOf(pg.DatabaseError);
      } finally {
        clearTimeout(timer);
        await client.end().catch(() => undefined);
      }
      if ('crashAt' in kill) {
        expect(finished, `the write passed ${kill.crashAt} without a crash`).toBe(false);
        expect(await server.exited).toBe('SIGKILL');
      }
      if (finished) {
        this.tables.set(write.table, after);
        return 'finished';
      }
      this.kills++;
      const what = `${write.sql} killed ${'crashAt' in kill ? `at ${kill.crashAt}` : `after ${kill.afterMs} ms`}`;
      this.pending = { table: write.table, before, after, expected, what };
      return 'killed';
    } finally {
      await server.stop();
    }
  }

  /** What `table` holds, as last found. */
  content(table: string): Content {
    return this.tables.get(table) ?? null;
  }

  /** Starts a server that is not killed and checks every table. */
  async finish(): Promise<void> {
    await this.withServer({}, (client) => this.check(client));
  }

  /** Reads every table: the killed write's table as before or after it, the others as recorded. */
  private async check(client: pg.Client): Promise<void> {
    for (const [table, recorded] of this.tables) {
      const found = await contentOf(client, table);
      const p = this.pending;
      if (p !== null && p.table === table) {
        const outcome = same(found, p.before) ? 'before' : same(found, p.after) ? 'after' : null;
        expect(
          outcome,
          `${p.what}: ${table} holds ${show(found)}: neither ${show(p.before)} (before) nor ${show(p.after)} (after)`,
        ).not.toBeNull();
        if (p.expected !== null) expect(outcome, p.what).toBe(p.expected);
        this.outcomes[outcome!]++;
        this.tables.set(table, found);
      } else {
        expect(show(found), `${table}`).toBe(show(recorded));
      }
      expect(strayFiles(this.warehouse, table), `stray data files of ${table}`).toEqual([]);
    }
    this.pending = null;
  }

  private async withServer(
    env: Record<string, string>,
    work: (client: pg.Client) => Promise<void>,
  ): Promise<void> {
    const server = await this.start(env);
    try {
      const client = await connect(server);
      try {
        await work(client);
      } finally {
        await client.end().catch(() => undefined);
      }
    } finally {
      await server.stop();
    }
  }

  private start(env: Record<string, string>): Promise<ChildServer> {
    return startChildServer(['--conf', 'kindling.executor.threads=2'], { warehouse: this.warehouse, env });
  }

  remove(): void {
    fs.rmSync(this.warehouse, { recursive: true, force: true });
  }
}

async function connect(server: ChildServer): Promise<pg.Client> {
  const client = new pg.Client({ host: '127.0.0.1', port: server.port, user: 'test', database: 'default' });
  client.on('error', () => undefined); // the server's death is expected
  await client.connect();
  return client;
}

async function countAndSum(client: pg.Client, sql: string): Promise<Content> {
  const r = await client.query({ text: sql, rowMode: 'array' });
  const row = r.rows[0] as (string | null)[];
  return { rows: row[0]!, sum: row[1] ?? '0' };
}

async function contentOf(client: pg.Client, table: string): Promise<Content> {
  try {
    return await countAndSum(client, `SELECT count(*), sum(v) FROM ${table}`);
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return null;
    throw err;
  }
}

function same(a: Content, b: Content): boolean {
  return show(a) === show(b);
}

function show(c: Content): string {
  return c === null ? 'no table' : `${c.rows} rows, sum ${c.sum}`;
}

/**
 * The data files in a table's folder of `default` that its current snapshot does not list (all of
 * them when the table does not exist): what a crashed write left and start-up did not remove.
 * Hidden files (`.`/`_`) are not data.
 */
export function strayFiles(warehouse: string, table: string): string[] {
  const folder = path.join(warehouse, table);
  const listed = new Set<string>();
  const definition = path.join(warehouse, '_kindling_metastore', 'tables', 'default', `${table}.json`);
  if (fs.existsSync(definition)) {
    const def = (JSON.parse(fs.readFileSync(definition, 'utf8')) as { table: { snapshot?: string } }).table;
    if (def.snapshot !== undefined) {
      const snapshot = JSON.parse(
        fs.readFileSync(path.join(folder, '_kindling_snapshots', `${def.snapshot}.json`), 'utf8'),
      ) as { files: { path: string }[] };
      for (const f of snapshot.files) listed.add(f.path);
    }
  }
  const stray: string[] = [];
  const walk = (dir: string): void => {
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const e of entries) {
      if (e.name.startsWith('.') || e.name.startsWith('_')) continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (!listed.has(path.relative(folder, full))) stray.push(path.relative(folder, full));
    }
  };
  walk(folder);
  return stray;
}
