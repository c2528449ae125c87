/**
 * What the end-to-end spill tests share: temporary folders and engines removed after the file's
 * tests, a session on two executor threads that spills to a given `kindling.local.dir`, the files
 * left in that folder, and the error of a query expected to fail.
 */
import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, expect } from 'vitest';
import { Engine, EngineError, type Session } from '../../src/index.ts';

export interface SpillBed {
  /** A new temporary folder, removed after the file's tests. */
  readonly tempDir: () => string;
  /**
   * A session of a new engine (two executor threads, its own warehouse) spilling to `localDir`,
   * with tiny queries on the executors too and `settings` applied.
   */
  readonly session: (localDir: string, settings?: Readonly<Record<string, string>>) => Promise<Session>;
}

/** Registers the clean-up of what the returned bed creates (call at a test file's top level). */
export function spillBed(prefix: string): SpillBed {
  const dirs: string[] = [];
  const engines: Engine[] = [];
  afterAll(async () => {
    for (const e of engines) await e.close();
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });
  const tempDir = (): string => {
    const d = mkdtempSync(join(tmpdir(), `kindling-${prefix}-`));
    dirs.push(d);
    return d;
  };
  return {
    tempDir,
    session: async (localDir, settings = {}) => {
      const e = new Engine({ warehouse: tempDir(), executorThreads: 2, localDir });
      engines.push(e);
      const s = e.createSession();
      await s.sql('SET kindling.execution.inline_tiny_queries = false');
      for (const [key, value] of Object.entries(settings)) await s.sql(`SET ${key} = ${value}`);
      return s;
    },
  };
}

/** Every file (not folder) under `dir`. */
export function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name));
}

/**
 * Waits until no file is left under `dir`: a query's end tells its executors to release its
 * exchange outputs, and each removes their files when it handles that message, a moment later.
 */
export async function noFileLeft(dir: string): Promise<void> {
  await expect.poll(() => filesUnder(dir), { timeout: 5000 }).toEqual([]);
}

/** The EngineError `run` fails with (any other outcome fails the test). */
export async function failure(run: () => Promise<unknown>): Promise<EngineError> {
  try {
    await run();
  } catch (err) {
    if (err instanceof EngineError) return err;
    throw err;
  }
  throw new Error('expected the query to fail');
}
