/**
 * Crash-safe metadata files: every write goes to a temp file in the same directory, is fsynced, then
 * renamed (replace) or hard-linked (exclusive create) into place, and the directory is fsynced. A crash
 * at any point leaves either the old file or the new one, never a torn one. Temp files are named
 * `.<name>.tmp-<pid>-<random>` so readers can ignore them and `sweepTempFiles` can remove stale ones.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EngineError, SqlState } from '../../common/index.ts';

const TEMP_MARKER = '.tmp-';

export function isTempFileName(name: string): boolean {
  return name.startsWith('.') && name.includes(TEMP_MARKER);
}

function tempPathFor(target: string): string {
  const random = Math.floor(Math.random() * 0xffffffff).toString(16);
  return path.join(path.dirname(target), `.${path.basename(target)}${TEMP_MARKER}${process.pid}-${random}`);
}

export function fsyncDirectory(dir: string): void {
  let fd: number | undefined;
  try {
    fd = fs.openSync(dir, 'r');
    fs.fsyncSync(fd);
  } catch {
    // Some platforms cannot fsync a directory; the rename is still atomic.
  } finally {
    if (fd !== undefined) fs.closeSync(fd);
  }
}

function writeTemp(target: string, content: string): string {
  const temp = tempPathFor(target);
  const fd = fs.openSync(temp, 'wx');
  try {
    fs.writeSync(fd, content);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  return temp;
}

function ioError(what: string, file: string, err: unknown): EngineError {
  const reason = err instanceof Error ? err.message : String(err);
  return new EngineError(SqlState.ioError, `could not ${what} metadata file "${file}": ${reason}`, {
    cause: err,
  });
}

/** Writes `content` to `target`, replacing any previous file atomically. */
export function writeFileAtomic(target: string, content: string): void {
  let temp: string | undefined;
  try {
    temp = writeTemp(target, content);
    fs.renameSync(temp, target);
    temp = undefined;
    fsyncDirectory(path.dirname(target));
  } catch (err) {
    throw ioError('write', target, err);
  } finally {
    if (temp !== undefined) fs.rmSync(temp, { force: true });
  }
}

/**
 * Creates `target` with `content` only if it does not exist yet (atomic across processes: a hard
 * link fails when the name is taken). Returns false when it already existed.
 */
export function createFileExclusive(target: string, content: string): boolean {
  let temp: string | undefined;
  try {
    temp = writeTemp(target, content);
    try {
      fs.linkSync(temp, target);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
      throw err;
    }
    fsyncDirectory(path.dirname(target));
    return true;
  } catch (err) {
    throw ioError('create', target, err);
  } finally {
    if (temp !== undefined) fs.rmSync(temp, { force: true });
  }
}

/** Removes `target`; returns false when it did not exist. */
export function removeFileDurably(target: string): boolean {
  try {
    fs.unlinkSync(target);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return false;
    throw ioError('remove', target, err);
  }
  fsyncDirectory(path.dirname(target));
  return true;
}

/** Removes temp files older than `maxAgeMs` left behind by a crashed writer. */
export function sweepTempFiles(dir: string, maxAgeMs: number): void {
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    if (!isTempFileName(name)) continue;
    const file = path.join(dir, name);
    try {
      if (now - fs.statSync(file).mtimeMs >= maxAgeMs) fs.rmSync(file, { force: true });
    } catch {
      // Another process may have removed it meanwhile.
    }
  }
}
