/**
 * One writer per table at a time: CREATE TABLE … AS SELECT, INSERT and DROP TABLE of one table run
 * one after another, so two writes never interleave (two INSERT OVERWRITEs would each delete the
 * files the other's listing missed and leave both results). Within an engine writers queue in
 * arrival order; across processes sharing a warehouse a lock file per table (created exclusively,
 * holding the owner's pid) makes the later writer wait, and a lock whose process is gone is taken
 * over. A statement cancelled while it waits stops waiting with its own error.
 */
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { untilAborted } from './statement-run.ts';

/** How often a writer waiting for another process's lock looks again. */
const POLL_MS = 25;
/** A lock file without a complete mark this old was left by a crash while it was written. */
const HALF_WRITTEN_MS = 5_000;
/**
 * This process's mark in its lock files, beside its pid: a lock with this pid and another token is
 * a leftover of an earlier process that had the same pid (containers reuse small pids).
 */
const PROCESS_MARK = `${process.pid} ${randomBytes(8).toString('hex')}\n`;

export class TableLocks {
  /** The tail of each table's queue: settles when the last queued writer is done. */
  private readonly tails = new Map<string, Promise<void>>();
  private readonly dir: string | null;

  /** `dir`: where the lock files live (shared by every process of one warehouse); null = in-process only. */
  constructor(dir: string | null = null) {
    this.dir = dir;
  }

  /** Runs `write` once every earlier writer of `table` (`db.name`) has finished. */
  async run<T>(table: string, signal: AbortSignal | undefined, write: () => Promise<T>): Promise<T> {
    const key = table.toLowerCase();
    const before = this.tails.get(key) ?? Promise.resolve();
    let release!: () => void;
    const mine = new Promise<void>((resolve) => {
      release = resolve;
    });
    const tail = before.then(() => mine);
    this.tails.set(key, tail);
    let file: string | null = null;
    try {
      await untilAborted(before, signal);
      file = await this.lockFile(key, signal);
      return await write();
    } finally {
      if (file !== null) unlock(file);
      release();
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }

  /**
   * Takes `table`'s lock at once when no writer holds it, here or in another process; returns its
   * release, or null when it is held.
   */
  tryLock(table: string): (() => void) | null {
    const key = table.toLowerCase();
    if (this.tails.has(key)) return null;
    let file: string | null = null;
    if (this.dir !== null) {
      fs.mkdirSync(this.dir, { recursive: true });
      file = this.lockPath(key);
      if (!takeLockFile(file)) {
        if (ownerAlive(file)) return null;
        fs.rmSync(file, { force: true });
        if (!takeLockFile(file)) return null;
      }
    }
    let release!: () => void;
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    this.tails.set(key, held);
    return () => {
      if (file !== null) unlock(file);
      release();
      if (this.tails.get(key) === held) this.tails.delete(key);
    };
  }

  private lockPath(key: string): string {
    return path.join(this.dir!, `${encodeURIComponent(key).replace(/\./g, '%2E')}.lock`);
  }

  /** Takes the table's lock file, waiting while a live process holds it; null without a folder. */
  private async lockFile(key: string, signal: AbortSignal | undefined): Promise<string | null> {
    if (this.dir === null) return null;
    fs.mkdirSync(this.dir, { recursive: true });
    const file = this.lockPath(key);
    for (;;) {
      if (takeLockFile(file)) return file;
      if (!ownerAlive(file)) {
        fs.rmSync(file, { force: true });
        continue;
      }
      await sleepUnlessAborted(POLL_MS, signal);
    }
  }
}

/** Creates the lock file with this process's mark; false when it exists. */
function takeLockFile(file: string): boolean {
  try {
    fs.writeFileSync(file, PROCESS_MARK, { flag: 'wx' });
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    return false;
  }
}

/** Whether the process named in a lock file still runs (a file that cannot be read counts as held). */
function ownerAlive(file: string): boolean {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code !== 'ENOENT';
  }
  const pid = Number.parseInt(text, 10);
  if (!text.endsWith('\n') || !Number.isInteger(pid) || pid <= 0) {
    // Being written — or left half-written by a crash: held for a few seconds at most.
    try {
      return Date.now() - fs.statSync(file).mtimeMs < HALF_WRITTEN_MS;
    } catch {
      return false;
    }
  }
  if (pid === process.pid) return text === PROCESS_MARK; // another engine of this process, or a leftover
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function unlock(file: string): void {
  try {
    if (fs.readFileSync(file, 'utf8') === PROCESS_MARK) fs.rmSync(file, { force: true });
  } catch {
    // Already gone.
  }
}

function sleepUnlessAborted(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return untilAborted(new Promise<void>((resolve) => setTimeout(resolve, ms)), signal);
}
